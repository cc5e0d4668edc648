"""Compiled functions handed to the kernels as cached first-class function values.

Passing a numba dispatcher where a kernel expects ``RHS_TYPE``/``JAC_TYPE``
works, but numba then looks up the compiled wrapper's address in Python on
every call (about 0.1 ms for the three function arguments). A
``WrapperAddressProtocol`` object that remembers the address is typed and
unboxed directly; one is made per function and kept (with a reference to
the dispatcher, which owns the machine code).
"""

from numba import types
from numba.extending import is_jitted

try:
    from numba.experimental.function_type import _get_wrapper_address
except ImportError:  # a numba without it: pass dispatchers as they are
    _get_wrapper_address = None

_values = {}


class _FunctionValue(types.WrapperAddressProtocol):
    def __init__(self, function, signature):
        self.function = function
        self._signature = signature
        self._address = _get_wrapper_address(function, signature)

    def __wrapper_address__(self):
        return self._address

    def signature(self):
        return self._signature


def function_value(function, signature):
    """``function`` (a dispatcher compiled for ``signature``) as a cached function value."""
    if _get_wrapper_address is None or not is_jitted(function):
        return function
    key = (function, signature)
    if key not in _values:
        _values[key] = _FunctionValue(function, signature)
    return _values[key]
