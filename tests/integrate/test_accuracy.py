"""Numbers against independent references: exact solutions, invariants, periodic orbits, SciPy."""

import numpy as np
import pytest
import scipy.integrate

from dynsys.integrate import solve_ivp


def oscillator(t, y, omega):
    return np.array([y[1], -omega * omega * y[0]])


def exact_oscillator(t, omega=1.0):
    return np.array([np.cos(omega * t), -omega * np.sin(omega * t)])


def test_harmonic_oscillator_against_the_exact_solution():
    t_eval = np.linspace(0, 20, 201)
    for method in ("dopri5", "dop853"):
        res = solve_ivp(oscillator, (0, 20), [1.0, 0.0], method=method, t_eval=t_eval, rtol=1e-9,
                        atol=1e-12, args=(2.0,))
        assert res.status == 0 and res.success
        assert np.array_equal(res.t, t_eval)
        assert np.abs(res.y - exact_oscillator(t_eval, 2.0)).max() < 2e-7


def test_rk4_has_order_four():
    """Halving the step divides the global error by 2**4 = 16."""
    errors = []
    for h in (0.1, 0.05, 0.025):
        res = solve_ivp(oscillator, (0, 5), [1.0, 0.0], method="rk4", first_step=h, args=(1.0,))
        assert res.n_accepted == round(5 / h)
        errors.append(np.abs(res.y[:, -1] - exact_oscillator(5.0)).max())
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((14 < ratios) & (ratios < 18)), ratios


def test_rk4_default_step_is_span_over_max_steps():
    res = solve_ivp(oscillator, (0, 1), [1.0, 0.0], method="rk4", max_steps=200, args=(1.0,))
    assert res.status == 0 and res.n_accepted == 200
    assert np.allclose(np.diff(res.t), 1 / 200, rtol=1e-9, atol=0)


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_error_falls_with_rtol_and_stays_near_it(method):
    errors = []
    for rtol in (1e-4, 1e-6, 1e-8, 1e-10):
        res = solve_ivp(oscillator, (0, 10), [1.0, 0.0], method=method, rtol=rtol, atol=rtol * 1e-3,
                        args=(1.0,))
        error = np.abs(res.y[:, -1] - exact_oscillator(10.0)).max()
        assert error < 50 * rtol, (rtol, error)
        errors.append(error)
    assert all(a > b for a, b in zip(errors, errors[1:])), errors


def arenstorf(t, y, mu):
    mu_ = 1.0 - mu
    d1 = ((y[0] + mu) ** 2 + y[1] ** 2) ** 1.5
    d2 = ((y[0] - mu_) ** 2 + y[1] ** 2) ** 1.5
    return np.array([y[2], y[3],
                     y[0] + 2 * y[3] - mu_ * (y[0] + mu) / d1 - mu * (y[0] - mu_) / d2,
                     y[1] - 2 * y[2] - mu_ * y[1] / d1 - mu * y[1] / d2])


def test_arenstorf_orbit_closes_after_one_period():
    """Hairer, Norsett & Wanner I, sec. II.0: the orbit is periodic with period T."""
    period = 17.0652165601579625588917206249
    y0 = np.array([0.994, 0.0, 0.0, -2.00158510637908252240537862224])
    res = solve_ivp(arenstorf, (0, period), y0, method="dop853", rtol=1e-10, atol=1e-12, args=(0.012277471,))
    assert res.status == 0
    assert np.abs(res.y[:, -1] - y0).max() < 1e-6
    assert np.abs(res.y[:2]).max() > 1.0  # it did go round: the orbit reaches |x| > 1


def lotka_volterra(t, y, a, b, c, d):
    return np.array([a * y[0] - b * y[0] * y[1], -c * y[1] + d * y[0] * y[1]])


def lv_invariant(y, a, b, c, d):
    return d * y[0] - c * np.log(y[0]) + b * y[1] - a * np.log(y[1])


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_lotka_volterra_first_integral_is_conserved(method):
    params = (1.5, 1.0, 3.0, 1.0)
    res = solve_ivp(lotka_volterra, (0, 1000), [1.0, 1.0], method=method, rtol=1e-11, atol=1e-12,
                    args=params, t_eval=np.linspace(0, 1000, 2001))
    assert res.status == 0
    v = lv_invariant(res.y, *params)
    assert np.abs(v / v[0] - 1).max() < 1e-6


def decay(t, y):
    return -y / (1.0 + t)


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_log_spaced_output_to_1e8_uses_dense_output_not_forced_steps(method):
    t_eval = np.concatenate([[0.0], np.geomspace(1e-3, 1e8, 400)])
    res = solve_ivp(decay, (0, 1e8), [1.0], method=method, t_eval=t_eval, rtol=1e-8, atol=1e-14)
    free = solve_ivp(decay, (0, 1e8), [1.0], method=method, rtol=1e-8, atol=1e-14)
    assert res.status == 0 and res.t.shape == (401,)
    assert np.abs(res.y[0] * (1 + t_eval) - 1).max() < 2e-6  # y = 1 / (1 + t)
    assert res.n_accepted == free.n_accepted < 1000  # output times did not force any step


def nonlinear(t, y):
    return np.array([y[1], (1 - y[0] ** 2) * y[1] - y[0] + 0.3 * np.cos(t)])


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_agrees_with_scipy_dop853_at_tight_tolerance(method):
    t_eval = np.linspace(0, 15, 61)
    ref = scipy.integrate.solve_ivp(nonlinear, (0, 15), [2.0, 0.0], method="DOP853", t_eval=t_eval,
                                    rtol=1e-12, atol=1e-12)
    res = solve_ivp(nonlinear, (0, 15), [2.0, 0.0], method=method, t_eval=t_eval, rtol=1e-11, atol=1e-12)
    assert np.abs(res.y - ref.y).max() < 1e-7


def test_nfev_is_comparable_to_scipy_rk45():
    ref = scipy.integrate.solve_ivp(nonlinear, (0, 15), [2.0, 0.0], method="RK45", rtol=1e-6, atol=1e-9)
    res = solve_ivp(nonlinear, (0, 15), [2.0, 0.0], method="dopri5", rtol=1e-6, atol=1e-9)
    assert 0.5 < res.nfev / ref.nfev < 2.0
    # without rejections, every step costs six new evaluations (FSAL), plus two to start
    assert res.nfev == 6 * (res.n_accepted + res.n_rejected) + 2


def test_backwards_integration():
    res = solve_ivp(oscillator, (3.0, -2.0), exact_oscillator(3.0), rtol=1e-10, atol=1e-12, args=(1.0,),
                    t_eval=[3.0, 1.0, -2.0])
    assert res.status == 0
    assert np.abs(res.y - exact_oscillator(np.array([3.0, 1.0, -2.0]))).max() < 1e-8
