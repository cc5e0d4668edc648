"""A compiled right-hand side is a first-class function value for numba kernels."""

import numpy as np
import sympy
from numba import njit, types

from dynsys.codegen import compile_flow
from dynsys.integrate.flow import RHS_TYPE

ARRAY = types.float64[::1]


@njit(ARRAY(RHS_TYPE, types.float64, ARRAY, ARRAY, types.float64, types.int64))
def euler(rhs, t, y, p, h, steps):
    """``steps`` explicit Euler steps of size ``h``, through the function value ``rhs``."""
    y = y.copy()
    slope = np.empty_like(y)
    for _ in range(steps):
        rhs(t, y, p, slope)
        y += h * slope
        t += h
    return y


def test_euler_kernel_calls_the_compiled_rhs():
    t, u, v = sympy.symbols("t u v")
    k, omega = sympy.symbols("k omega", positive=True)
    rhs = [-k * u + sympy.sin(omega * t), u - v]
    flow = compile_flow([u, v], [k, omega], rhs, name="driven_decay", defaults=[0.5, 2.0])
    y0, h, steps = np.array([1.0, -1.0]), 0.01, 50

    reference = sympy.lambdify((t, [u, v], [k, omega]), rhs, "numpy")
    expected, time = y0.copy(), 0.0
    for _ in range(steps):
        expected = expected + h * np.asarray(reference(time, expected, flow.params))
        time += h

    np.testing.assert_allclose(euler(flow.rhs, 0.0, y0, flow.params, h, steps), expected, rtol=1e-13)
