"""SymPy expressions to numba functions with the integrators' signatures.

``function_source`` prints one function through ``NumbaPrinter``;
``compile_flow`` and ``compile_function`` put functions in a generated module,
cached on disk and in memory (``cache``), and return them compiled.
"""

from .compiler import compile_flow, compile_function
from .printer import CodegenError, NumbaPrinter
from .source import function_source

__all__ = ["CodegenError", "NumbaPrinter", "compile_flow", "compile_function", "function_source"]
