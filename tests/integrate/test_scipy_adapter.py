"""method="scipy:NAME" runs SciPy on the same problem and returns the same result shape."""

import numpy as np
import pytest
from numba import njit

from dynsys.integrate import EventSet, Flow, OdeResult, solve_ivp
from dynsys.integrate.flow import JAC_SIGNATURE, RHS_SIGNATURE


@njit(RHS_SIGNATURE, cache=True)
def van_der_pol(t, y, p, out):
    out[0] = y[1]
    out[1] = p[0] * (1.0 - y[0] * y[0]) * y[1] - y[0]


@njit(JAC_SIGNATURE, cache=True)
def van_der_pol_jac(t, y, p, out):
    out[0, 0] = 0.0
    out[0, 1] = 1.0
    out[1, 0] = -2.0 * p[0] * y[0] * y[1] - 1.0
    out[1, 1] = p[0] * (1.0 - y[0] * y[0])


@njit(RHS_SIGNATURE, cache=True)
def crossing(t, y, p, out):
    out[0] = y[0]


FLOW = Flow(rhs=van_der_pol, jac=van_der_pol_jac, n_state=2, state_names=("x", "v"),
            param_names=("mu",), params=np.array([1.0]))
T_EVAL = np.linspace(0, 10, 41)


def same_shape(a, b):
    return (isinstance(a, OdeResult) and isinstance(b, OdeResult) and a.t.shape == b.t.shape
            and a.y.shape == b.y.shape and a.status == b.status and type(a.nfev) is type(b.nfev) is int
            and len(a.t_events or []) == len(b.t_events or []))


@pytest.mark.parametrize("name", ["RK45", "DOP853", "Radau", "LSODA"])
def test_flow_through_scipy_matches_the_numba_solve(name):
    ours = solve_ivp(FLOW, (0, 10), [2.0, 0.0], t_eval=T_EVAL, rtol=1e-10, atol=1e-12, method="dop853")
    theirs = solve_ivp(FLOW, (0, 10), [2.0, 0.0], t_eval=T_EVAL, rtol=1e-10, atol=1e-12, method=f"scipy:{name}")
    assert same_shape(ours, theirs)
    assert theirs.method == f"scipy:{name}" and theirs.success
    assert np.abs(ours.y - theirs.y).max() < 1e-5


def test_the_flow_jacobian_is_handed_to_implicit_scipy_methods():
    calls = []

    def spy(t, y, p, out):  # the scipy: path calls the compiled Jacobian from Python
        calls.append(t)
        van_der_pol_jac(t, y, p, out)

    flow = Flow(rhs=van_der_pol, jac=spy, n_state=2, params=np.array([1.0]))
    res = solve_ivp(flow, (0, 10), [2.0, 0.0], method="scipy:Radau")
    assert res.success and len(calls) == res.njev > 0


def test_events_are_forwarded_from_an_event_set():
    events = EventSet(crossing, 1, terminal=[2], direction=[0.0])
    ours = solve_ivp(FLOW, (0, 10), [2.0, 0.0], events=events, rtol=1e-10, atol=1e-12)
    theirs = solve_ivp(FLOW, (0, 10), [2.0, 0.0], events=events, rtol=1e-10, atol=1e-12, method="scipy:DOP853")
    assert ours.status == theirs.status == 1
    assert np.allclose(ours.t_events[0], theirs.t_events[0], atol=1e-8)
    assert ours.y_events[0].shape == theirs.y_events[0].shape == (2, 2)


def ball(t, y, g):
    return np.array([y[1], -g])


def ground(t, y, g):
    return y[0]


ground.terminal = True


def test_python_function_with_args_and_events():
    kw = dict(args=(9.81,), events=ground, t_eval=np.linspace(0, 5, 11))
    ours = solve_ivp(ball, (0, 5), [10.0, 0.0], **kw)
    theirs = solve_ivp(ball, (0, 5), [10.0, 0.0], method="scipy:RK45", **kw)
    assert same_shape(ours, theirs)
    assert ours.t_events[0] == pytest.approx(theirs.t_events[0], abs=1e-9)
    assert "termination event" in theirs.message


def blow_up(t, y):
    return y * y


def test_scipy_failures_become_statuses():
    res = solve_ivp(blow_up, (0, 2), [1.0], method="scipy:RK45")
    assert res.status in (-2, -3) and not res.success
    assert np.all(np.isfinite(res.y))
