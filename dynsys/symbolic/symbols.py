"""The time symbol shared by every model and by the code generator."""

import sympy

t = sympy.Symbol("t", real=True)
