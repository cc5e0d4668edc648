"""Compiled functions handed to the kernels as addresses.

A kernel takes its right-hand side, Jacobian and event function as the
addresses (int64) of their compiled C wrappers and turns them back into
first-class function values with ``rhs_at``/``jac_at``. Passing the function
values themselves costs numba's dispatcher about 9 us per argument and call
(it types and unboxes them in Python); an integer costs nothing.

``RHS_ADDRESS[f]`` and ``JAC_ADDRESS[f]`` are the addresses of ``f`` (a
numba function compiled with ``RHS_SIGNATURE`` / ``JAC_SIGNATURE``), looked up
once per function; the tables keep ``f``, which owns the machine code, alive.
"""

from numba import types
from numba.core import cgutils
from numba.experimental.function_type import _get_wrapper_address
from numba.extending import intrinsic

from .flow import JAC_SIGNATURE, JAC_TYPE, RHS_SIGNATURE, RHS_TYPE


class _Addresses(dict):
    def __init__(self, signature):
        super().__init__()
        self.signature = signature

    def __missing__(self, function):
        self[function] = _get_wrapper_address(function, self.signature)
        return self[function]


RHS_ADDRESS = _Addresses(RHS_SIGNATURE)
JAC_ADDRESS = _Addresses(JAC_SIGNATURE)


def _function_at(function_type):
    @intrinsic
    def function_at(typingctx, address):
        def codegen(context, builder, signature, args):
            # only the C wrapper's address is set: calls go through it, as for any
            # function value that is not a dispatcher
            value = cgutils.create_struct_proxy(function_type)(context, builder)
            value.c_addr = builder.inttoptr(args[0], cgutils.voidptr_t)
            return value._getvalue()
        return function_type(types.int64), codegen
    return function_at


rhs_at = _function_at(RHS_TYPE)
jac_at = _function_at(JAC_TYPE)
