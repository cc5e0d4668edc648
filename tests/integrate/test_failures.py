"""Failures are a status and a readable message, never an exception or a silent NaN."""

import numpy as np
import pytest

from numba import njit

from dynsys.integrate import Flow, solve_ivp
from dynsys.integrate.flow import RHS_SIGNATURE


def oscillator(t, y):
    return np.array([y[1], -y[0]])


def square(t, y):
    return y * y


def root_of_one_minus_t(t, y):
    return np.array([np.sqrt(1.0 - t)])  # NaN once t > 1


def test_max_steps_gives_status_minus_one_naming_max_steps_and_t():
    res = solve_ivp(oscillator, (0, 100), [1.0, 0.0], max_steps=10)
    assert res.status == -1 and not res.success
    assert "max_steps = 10" in res.message and f"t = {float(res.t[-1])!r}" in res.message
    assert res.n_accepted + res.n_rejected == 10
    assert 0 < res.t[-1] < 100


def test_fixed_step_blow_up_is_non_finite_with_the_last_finite_state():
    res = solve_ivp(square, (0, 2), [1.0], method="rk4", first_step=0.01)
    assert res.status == -2
    assert res.message.startswith("state became non-finite at t = ")
    assert np.all(np.isfinite(res.y)) and 0.99 < res.t[-1] < 1.1  # y = 1/(1 - t)
    assert res.message == f"state became non-finite at t = {float(res.t[-1])!r} (the last finite state is returned)."


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_non_finite_derivative_is_status_minus_two(method):
    res = solve_ivp(root_of_one_minus_t, (0, 2), [0.0], method=method)
    assert res.status == -2
    assert "state became non-finite at t = " in res.message
    assert np.all(np.isfinite(res.y))
    assert res.t[-1] == pytest.approx(1.0, abs=1e-9)
    assert res.y[0, -1] == pytest.approx(2 / 3, abs=1e-6)  # integral of sqrt(1 - t) over [0, 1]


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_adaptive_blow_up_stops_with_a_step_too_small(method):
    """y' = y^2 from 1 blows up at t = 1. The adaptive steps shrink with 1 - t and run
    out of resolution (|y| ~ 1e13-1e14) long before y overflows: status -3, as SciPy's
    "step size less than spacing between numbers", and the message gives |y|."""
    res = solve_ivp(square, (0, 2), [1.0], method=method)
    assert res.status == -3
    assert "step size became too small at t = " in res.message and "max |y| = " in res.message
    assert np.all(np.isfinite(res.y)) and res.y[0, -1] > 1e10
    assert res.t[-1] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_non_finite_derivative_at_t0():
    res = solve_ivp(square, (0, 1), [1e200])
    assert res.status == -2 and res.t.tolist() == [0.0] and res.y.tolist() == [[1e200]]


def wrong_length(t, y):
    return np.array([1.0, 2.0, 3.0])


def not_numba(t, y):
    return np.array([float(type(y).__name__ == "ndarray"), 0.0])  # type objects: not nopython


def bad_terminal(t, y):
    return y[0]


bad_terminal.terminal = -1


@njit(RHS_SIGNATURE, cache=True)
def damped(t, y, p, out):
    out[0] = y[1]
    out[1] = -p[0] * y[1] - y[0]


FLOW = Flow(rhs=damped, n_state=2, param_names=("gamma",), params=np.array([0.1]))

BAD = [
    (dict(method="rk45"), "unknown method 'rk45'; known: dop853, dopri5, rk4"),
    (dict(method="scipy:Euler"), "unknown SciPy method 'Euler'"),
    (dict(rtol=0.0), "rtol must be positive"),
    (dict(rtol=-1e-6), "rtol must be positive"),
    (dict(rtol=float("nan")), "rtol must be positive and finite"),
    (dict(rtol=1e-17), "below 100 machine epsilons"),
    (dict(atol=0.0), "atol must be positive"),
    (dict(atol=float("inf")), "atol must be positive and finite"),
    (dict(atol=[1e-9, 1e-9, 1e-9]), "atol must be a number or an array of length 2"),
    (dict(t_span=(1.0, 1.0)), "t1 must differ from t0"),
    (dict(t_span=(0.0, float("inf"))), "t_span must be finite"),
    (dict(t_span=(0.0,)), "t_span must be a pair"),
    (dict(y0=[np.nan, 0.0]), "y0 must be finite"),
    (dict(y0=[[1.0, 0.0]]), "y0 must be a non-empty 1-D array"),
    (dict(y0=[1j, 0.0]), "complex"),
    (dict(t_eval=[0.0, 11.0]), "t_eval must lie within t_span"),
    (dict(t_eval=[2.0, 1.0]), "t_eval must be sorted increasing"),
    (dict(t_span=(10.0, 0.0), t_eval=[1.0, 2.0]), "t_eval must be sorted decreasing"),
    (dict(t_eval=[]), "t_eval must be a non-empty 1-D array"),
    (dict(first_step=0.0), "first_step must be positive"),
    (dict(first_step=-0.1), "first_step must be positive"),
    (dict(max_step=0.0), "max_step must be positive"),
    (dict(max_steps=0), "max_steps must be an integer >= 1"),
    (dict(max_steps=10.5), "max_steps must be an integer >= 1"),
    (dict(fun=42), "fun must be a Flow or a callable"),
    (dict(fun=wrong_length), "returned shape (3,), expected (2,)"),
    (dict(fun=not_numba), "could not be compiled by numba"),
    (dict(events=[42]), "events[0] must be callable"),
    (dict(events=bad_terminal), "events[0].terminal must be a bool or a count"),
    (dict(args=("a",)), "args[0] must be a real number or a real array"),
    (dict(jac=3), "jac must be callable"),
    (dict(fun=FLOW, y0=[1.0, 0.0, 0.0]), "y0 has 3 components but the flow has 2 state variables"),
    (dict(fun=FLOW, args=(0.1, 0.2)), "a Flow takes its parameter vector as args=(p,)"),
    (dict(fun=FLOW, args=([0.1, 0.2],)), "has 2 values but the flow has 1 parameters"),
]


@pytest.mark.parametrize("bad, message", BAD, ids=[m[:40] for _, m in BAD])
def test_each_bad_argument_is_a_one_line_value_error(bad, message):
    call = dict(fun=oscillator, t_span=(0.0, 10.0), y0=[1.0, 0.0])
    call.update(bad)
    with pytest.raises(ValueError) as error:
        solve_ivp(call.pop("fun"), call.pop("t_span"), call.pop("y0"), **call)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
