"""Plain Python, numba-jitted and Flow right-hand sides all reach the kernels."""

import numpy as np
import pytest
from numba import njit

from dynsys.integrate import Flow, solve_ivp
from dynsys.integrate.flow import RHS_SIGNATURE
from dynsys.integrate.python_functions import pack_args


def test_pack_args_layout():
    p, layout = pack_args((2, 0.5, np.array([1.0, 2.0]), np.eye(2)))
    assert p.tolist() == [2.0, 0.5, 1.0, 2.0, 1.0, 0.0, 0.0, 1.0]
    assert layout == (("int", 0, ()), ("float", 1, ()), ("array", 2, (2,)), ("array", 4, (2, 2)))


def mixed_args(t, y, n, k, shift, A):
    out = A @ y
    for _ in range(n):  # an int argument stays an int
        out = out * 1.0
    return -k * out + shift


def test_numbers_vectors_and_matrices_as_args():
    A = np.array([[2.0, 0.0], [0.0, 3.0]])
    res = solve_ivp(mixed_args, (0, 1), [1.0, 1.0], args=(2, 0.5, np.zeros(2), A), rtol=1e-10, atol=1e-12)
    assert np.allclose(res.y[:, -1], np.exp(-0.5 * np.array([2.0, 3.0])), atol=1e-9)


def as_list(t, y):
    return [y[1], -y[0]]


def as_tuple(t, y):
    return (y[1], -y[0])


def scalar(t, y):
    return -y[0]


@pytest.mark.parametrize("fun", [as_list, as_tuple])
def test_lists_and_tuples_are_accepted(fun):
    res = solve_ivp(fun, (0, 1), [1.0, 0.0], rtol=1e-10, atol=1e-12)
    assert res.y[:, -1] == pytest.approx([np.cos(1), -np.sin(1)], abs=1e-9)


def test_one_state_variable_as_a_number():
    res = solve_ivp(scalar, (0, 1), 1.0, rtol=1e-10, atol=1e-12)
    assert res.y.shape[0] == 1 and res.y[0, -1] == pytest.approx(np.exp(-1), abs=1e-9)


@njit
def jitted(t, y, k):
    return -k * y


def test_a_numba_function_is_used_as_it_is():
    res = solve_ivp(jitted, (0, 1), [1.0, 2.0], args=(3.0,), rtol=1e-10, atol=1e-12)
    assert np.allclose(res.y[:, -1], np.exp(-3.0) * np.array([1.0, 2.0]), atol=1e-9)
    assert len(jitted.signatures) >= 1  # compiled by its own dispatcher, not re-jitted


@njit(RHS_SIGNATURE, cache=True)
def growth(t, y, p, out):
    out[0] = p[0] * y[0]


def test_flow_parameters_from_args_or_defaults():
    flow = Flow(rhs=growth, n_state=1, param_names=("r",), params=np.array([-1.0]))
    default = solve_ivp(flow, (0, 1), [1.0], rtol=1e-10, atol=1e-12)
    given = solve_ivp(flow, (0, 1), [1.0], args=(np.array([-2.0]),), rtol=1e-10, atol=1e-12)
    assert default.y[0, -1] == pytest.approx(np.exp(-1), abs=1e-9)
    assert given.y[0, -1] == pytest.approx(np.exp(-2), abs=1e-9)


def test_the_adapter_is_compiled_once_per_function():
    from dynsys.integrate import python_functions

    solve_ivp(scalar, (0, 1), [1.0])
    count = len(python_functions._compiled)
    solve_ivp(scalar, (0, 2), [3.0], method="dop853")
    assert len(python_functions._compiled) == count
