"""The slides' least-squares computations (``dynsys.train.experiments.least_squares``) against independent
references: the engine's iterates, numpy.linalg.pinv, scikit-learn's Ridge, matrix powers and Monte Carlo."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from dynsys.train.experiments import least_squares as ls


@pytest.fixture(scope="module")
def problem():
    return ls.generate(12, 30, sigma=0.5, power=1.0, seed=3)


def _eta(p):
    return 1.0 / ls.spectrum(p.X).mu.max()


@pytest.mark.parametrize("start", ["zero", "random"])
def test_closed_form_gd_matches_the_engine_iterates(problem, start):
    w0 = None if start == "zero" else np.random.default_rng(0).standard_normal(problem.d)
    eta = 0.9 * ls.step_bound(problem.X)  # beyond 1/mu_max: the factors (1 - eta mu) change sign
    engine = ls.gd_engine(problem.X, problem.y, eta, 400, w0)
    closed = ls.gd_closed_form(problem.X, problem.y, eta, np.arange(401), w0)
    assert np.abs(engine - closed).max() <= 1e-12 * max(1.0, np.abs(engine).max())


def test_min_norm_is_pinv_and_ridge_is_sklearn(problem):
    w = ls.min_norm(problem.X, problem.y)
    np.testing.assert_allclose(w, np.linalg.pinv(problem.X) @ problem.y, rtol=0, atol=1e-12 * np.abs(w).max())
    for lam in (1e-4, 0.1, 3.0):
        reference = Ridge(alpha=problem.n * lam, fit_intercept=False, solver="svd").fit(problem.X, problem.y).coef_
        np.testing.assert_allclose(ls.ridge(problem.X, problem.y, lam), reference, rtol=1e-10, atol=1e-12)
        sp = ls.spectrum(problem.X)
        np.testing.assert_allclose(ls.filtered(sp, problem.y, ls.filter_ridge(sp.mu, [lam]))[0], reference,
                                   rtol=1e-10, atol=1e-12)


def test_sgd_engine_steps_are_the_printed_update(problem):
    """One epoch of the engine's SGD replayed with the slides' rule in the engine's (seeded) order."""
    eta = 0.02
    epochs, W = ls.sgd_engine(problem.X, problem.y, eta, 1, seed=5)
    order = np.random.default_rng([5, 1]).permutation(problem.n)  # the loop's shuffle
    w = np.zeros(problem.d)
    for i in order:
        w = w - eta * (problem.X[i] @ w - problem.y[i]) * problem.X[i]
    assert list(epochs) == [0, 1]
    np.testing.assert_allclose(W[1], w, rtol=1e-13, atol=1e-15)


def _gd_linear_map(p, eta, k):
    """``A_k`` with ``w_k = A_k y`` from zero, by matrix powers: ``sum_{i<k} (I - eta H)^i eta X^T / n``."""
    H = p.X.T @ p.X / p.n
    A, term = np.zeros((p.d, p.n)), eta * p.X.T / p.n
    for _ in range(k):
        A += term
        term = term - eta * H @ term
    return A


def test_expected_risks_against_the_linear_map_of_gd(problem):
    """Bias and variance of ``w_k = A_k y`` computed from A_k directly, for a few k."""
    eta = _eta(problem)
    sp = ls.spectrum(problem.X)
    S = np.diag(problem.covariance)
    for k in (1, 7, 60):
        A = _gd_linear_map(problem, eta, k)
        mean = A @ problem.X @ problem.w_star
        bias = ls.prediction_risk(problem, mean) - problem.sigma**2
        variance = problem.sigma**2 * np.trace(A.T @ S @ A)
        R = np.eye(problem.n) - problem.X @ A
        train = (np.sum((R @ problem.X @ problem.w_star) ** 2) + problem.sigma**2 * np.trace(R.T @ R)) / problem.n
        got = ls.expected_risks(problem, ls.filter_gd(sp.mu, eta, [k]), sp)
        np.testing.assert_allclose([got["bias"][0], got["variance"][0], got["train"][0]], [bias, variance, train],
                                   rtol=1e-10)
        np.testing.assert_allclose(got["test"][0], bias + variance + problem.sigma**2, rtol=1e-12)


def test_risk_formulas_against_monte_carlo(problem):
    """The exact risks against sampled training noise and sampled Gaussian test points (5 standard errors)."""
    rng = np.random.default_rng(11)
    sp = ls.spectrum(problem.X)
    phi = ls.filter_ridge(sp.mu, [0.05])
    draws = 4000
    Y = problem.X @ problem.w_star + problem.sigma * rng.standard_normal((draws, problem.n))
    W = np.stack([ls.filtered(sp, y, phi)[0] for y in Y])
    test = ls.prediction_risk(problem, W)
    train = np.mean((W @ problem.X.T - Y) ** 2, axis=1)
    got = ls.expected_risks(problem, phi, sp)
    for sample, exact in ((test, got["test"][0]), (train, got["train"][0])):
        assert abs(sample.mean() - exact) < 5 * sample.std() / np.sqrt(draws)
    x = rng.standard_normal((200_000, problem.d)) * np.sqrt(problem.covariance)
    y = x @ problem.w_star + problem.sigma * rng.standard_normal(len(x))
    errors = (x @ W[0] - y) ** 2
    assert abs(errors.mean() - test[0]) < 5 * errors.std() / np.sqrt(len(x))


def test_filter_gd_is_accurate_for_tiny_and_large_steps():
    mu = np.array([1e-14, 1e-8, 0.5, 1.5, 2.5])
    phi = ls.filter_gd(mu, 1.0, [3])[0]
    exact = [1 - (1 - m) ** 3 if m > 1e-3 else 3 * m - 3 * m**2 + m**3 for m in mu]
    np.testing.assert_allclose(phi, exact, rtol=1e-12)


def test_bias_bounds_are_the_suprema_on_a_dense_spectrum():
    mu = np.geomspace(1e-9, 1.0, 400_001)
    for r, norm in ((0.5, "rho"), (0.25, "rho"), (2.0, "rho"), (1.0, "K")):
        for lam in (1e-4, 1e-2):
            worst = ls.bias_norms(ls.tikhonov_filter(mu, [lam]), mu, r, norm)[0]
            bound = ls.bias_bound("tikhonov", r, norm, lam)
            assert worst <= bound * (1 + 1e-12) and worst > 0.99 * bound
        for t in (50.0, 2000.0):
            worst = ls.bias_norms(ls.landweber_filter(mu, [t]), mu, r, norm)[0]
            bound = ls.bias_bound("early_stopping", r, norm, t)
            assert worst <= bound * (1 + 1e-12) and worst > 0.999 * bound


@pytest.mark.parametrize("call, match", [
    (lambda: ls.generate(0, 3), "positive integer"),
    (lambda: ls.generate(3, 4, sigma=-1.0), "sigma"),
    (lambda: ls.min_norm(np.ones((3, 5)), np.ones(3)), "full row rank"),
    (lambda: ls.ridge(np.eye(3), np.ones(3), 0.0), "lambda"),
    (lambda: ls.loss(np.eye(3), np.ones(2), np.ones(3)), "shape"),
    (lambda: ls.gd_engine(np.eye(3), np.ones(3), 0.1, 2, w0=np.ones(2)), "w0"),
    (lambda: ls.bias_norms(np.ones((1, 2)), np.ones(2), 1.0, "L1"), "norm"),
    (lambda: ls.bias_bound("ridge", 1.0, "rho", 0.1), "kind"),
    (lambda: ls.power_law_spectrum(0), "modes"),
])
def test_bad_input_raises_a_value_error(call, match):
    with pytest.raises(ls.LeastSquaresError, match=match):
        call()
    assert issubclass(ls.LeastSquaresError, ValueError)
