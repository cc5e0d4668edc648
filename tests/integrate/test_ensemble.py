"""ensemble: one parallel compiled call, member for member identical to solve_ivp."""

import numpy as np
import pytest
from numba import njit

from dynsys.integrate import Flow, ensemble, solve_ivp
from dynsys.integrate.flow import RHS_SIGNATURE


@njit(RHS_SIGNATURE, cache=True)
def pendulum(t, y, p, out):
    out[0] = y[1]
    out[1] = -p[0] * y[1] - p[1] * np.sin(y[0])


@njit(RHS_SIGNATURE, cache=True)
def riccati(t, y, p, out):
    out[0] = p[0] * y[0] * y[0]


PENDULUM = Flow(rhs=pendulum, n_state=2, param_names=("gamma", "omega2"), params=np.array([0.1, 1.0]))


def grid(m):
    g, w = np.meshgrid(np.linspace(0.05, 1.0, m), np.linspace(0.5, 2.0, m))
    return np.column_stack([g.ravel(), w.ravel()])


@pytest.mark.parametrize("method", ["dopri5", "dop853", "rk4"])
def test_members_equal_individual_solves(method):
    params = grid(5)
    extra = {"max_steps": 2000} if method == "rk4" else {}
    res = ensemble(PENDULUM, (0, 50), [1.0, 0.0], params, method=method, **extra)
    assert res.y.shape == (25, 2) and res.status.shape == res.nfev.shape == (25,)
    assert np.all(res.status == 0) and np.all(res.t_final == 50.0)
    for i in (0, 7, 24):
        one = solve_ivp(PENDULUM, (0, 50), [1.0, 0.0], args=(params[i],), method=method, **extra)
        assert np.array_equal(one.y[:, -1], res.y[i])
        assert one.nfev == res.nfev[i]


def test_t_eval_and_initial_states_per_member():
    y0s = np.column_stack([np.linspace(0.1, 2.0, 6), np.zeros(6)])
    t_eval = np.linspace(0, 20, 9)
    res = ensemble(PENDULUM, (0, 20), y0s, [0.2, 1.5], t_eval=t_eval, rtol=1e-8, atol=1e-10)
    assert res.y.shape == (6, 2, 9) and np.array_equal(res.t, t_eval)
    for i in (0, 5):
        one = solve_ivp(PENDULUM, (0, 20), y0s[i], args=([0.2, 1.5],), t_eval=t_eval, rtol=1e-8, atol=1e-10)
        assert np.array_equal(one.y, res.y[i])


def test_status_per_member():
    """y' = a y^2 from 1 blows up at t = 1/a for a > 0 and decays for a < 0."""
    flow = Flow(rhs=riccati, n_state=1, param_names=("a",), params=np.array([1.0]))
    a = np.array([[-1.0], [1.0], [-0.5], [0.25]])
    t_eval = np.linspace(0, 2, 5)
    res = ensemble(flow, (0, 2), [1.0], a, t_eval=t_eval, max_steps=5000)
    assert res.status.tolist() == [0, -3, 0, 0]
    assert np.allclose(res.y[[0, 2, 3], 0, -1], 1 / (1 - a[[0, 2, 3], 0] * 2), rtol=1e-5)
    assert res.y[1, 0, 1] == pytest.approx(2.0, rel=1e-5) and np.isnan(res.y[1, 0, 3:]).all()
    assert res.t_final[1] == pytest.approx(1.0, abs=1e-5)
    assert not res.success[1] and res.success[[0, 2, 3]].all()


def test_bad_shapes_are_value_errors():
    with pytest.raises(ValueError, match="y0s must have shape"):
        ensemble(PENDULUM, (0, 1), np.zeros((3, 3)), None)
    with pytest.raises(ValueError, match="they must match or be one row"):
        ensemble(PENDULUM, (0, 1), np.zeros((3, 2)), grid(2))
    with pytest.raises(ValueError, match="needs a Flow"):
        ensemble(lambda t, y: -y, (0, 1), [1.0], None)
