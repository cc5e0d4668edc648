"""The one printer from SymPy scalar expressions to numba-compatible Python."""

import math

import sympy
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

# Integers beyond this magnitude would overflow numba's int64 or lose their
# exactness anyway, so they are printed as floats.
_LARGEST_EXACT_INTEGER = 2**53


class CodegenError(ValueError):
    """An expression, symbol or name that cannot become numba source."""


def float_literal(value):
    """Python source for a float that reads back as exactly ``value``."""
    value = float(value)
    if math.isnan(value):
        return "math.nan"
    if math.isinf(value):
        return "math.inf" if value > 0 else "(-math.inf)"
    return repr(value)


class NumbaPrinter(PythonCodePrinter):
    """Print real scalar SymPy expressions as numba-compatible Python.

    Symbols print as the local names given in ``names``, matched by identity
    (name and assumptions); any other symbol is an error. Scalar functions
    print as ``math.`` calls, numbers as float literals that round-trip
    exactly (rationals never as integer division), a ``Piecewise`` as a
    conditional expression that is ``math.nan`` where no condition holds.
    Anything without a real scalar numba equivalent raises ``CodegenError``.
    """

    def __init__(self, names):
        super().__init__({"strict": True, "fully_qualified_modules": True})
        self._names = dict(names)

    def doprint(self, expr, assign_to=None):
        """Print ``expr``; raise ``CodegenError`` if some part has no numba form."""
        if isinstance(expr, sympy.MatrixBase):
            raise CodegenError(f"cannot compile the matrix {expr} as a scalar; pass its entries")
        try:
            return super().doprint(expr, assign_to)
        except PrintMethodNotImplementedError as error:
            raise CodegenError(f"cannot compile {expr}: {error}") from error

    def _print_not_supported(self, expr):
        raise CodegenError(
            f"cannot compile {type(expr).__name__} ({expr}): it has no real scalar "
            "numba equivalent (supported: arithmetic, powers, math functions, "
            "Piecewise, Max/Min, Abs, sign, Heaviside)"
        )

    _print_Derivative = _print_not_supported
    _print_ImaginaryUnit = _print_not_supported

    def _print_Symbol(self, expr):
        try:
            return self._names[expr]
        except KeyError:
            raise CodegenError(f"unknown symbol {sympy.srepr(expr)}") from None

    _print_Dummy = _print_Symbol

    def _print_Infinity(self, expr):
        return float_literal(math.inf)

    def _print_NegativeInfinity(self, expr):
        return float_literal(-math.inf)

    def _print_Float(self, expr):
        return float_literal(expr)

    def _print_Rational(self, expr):
        return float_literal(expr)

    _print_Half = _print_Rational

    def _print_Integer(self, expr):
        if abs(expr.p) > _LARGEST_EXACT_INTEGER:
            return float_literal(expr)
        return str(expr.p)

    def _print_Pow(self, expr, rational=False):
        # numba raises ZeroDivisionError for 0.0**-2 even with error_model="numpy";
        # 1/0.0**2 gives inf instead. Parentheses keep it safe as a base.
        if expr.exp.is_Rational and expr.exp.is_negative and expr.is_commutative:
            positive = sympy.Pow(expr.base, -expr.exp)
            return f"(1/{self.parenthesize(positive, PRECEDENCE['Pow'], strict=True)})"
        return super()._print_Pow(expr, rational=rational)

    def _print_Piecewise(self, expr):
        result = self._print(sympy.nan)
        for branch in reversed(expr.args):
            value = self._print(branch.expr)
            if branch.cond == sympy.true:
                result = value
            else:
                result = f"(({value}) if ({self._print(branch.cond)}) else {result})"
        return result
