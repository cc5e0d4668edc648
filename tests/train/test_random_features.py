"""Minnorm Fig. 1's experiment (dynsys.train.experiments.random_features) against independent references.

The min-norm fit against numpy's lstsq, the normal equations and the KKT system of
``min |w|^2 s.t. Phi w = y``; the closed form of gradient descent against a plain
numpy loop; the engine's descent from zero against the pseudo-inverse; the test
error against scipy's adaptive quadrature and the exact value for ``f = 0``.
"""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from dynsys.train.experiments import random_features as rf

FOUR = np.array([-0.75, -0.25, 0.25, 0.75])


def hand_draw(n_units, x=FOUR):
    """A small, well-conditioned design: units with kinks evenly spaced in [-0.9, 0.9], alternating orientation."""
    kinks = np.linspace(-0.9, 0.9, n_units)
    a = np.where(np.arange(n_units) % 2 == 0, 1.0, -1.0)
    a = np.concatenate([a, np.ones(rf.N_MAX - n_units)])
    b = np.concatenate([-a[:n_units] * kinks, -2.0 * np.ones(rf.N_MAX - n_units)])
    task = rf.Task(n_train=len(x))
    return rf.Draw(task, 0, x, task.target(x), a, b)


def test_full_column_rank_fit_is_the_normal_equations_solution():
    d = hand_draw(2)
    Phi = d.phi(2)
    w = rf.min_norm_weights(Phi, d.y)
    np.testing.assert_allclose(w, np.linalg.solve(Phi.T @ Phi, Phi.T @ d.y), rtol=1e-12)
    np.testing.assert_allclose(w, np.linalg.lstsq(Phi, d.y, rcond=None)[0], rtol=1e-12)


def test_interpolant_is_phi_t_gram_inverse_y_and_solves_the_kkt_system():
    """``w* = Phi^T (Phi Phi^T)^-1 y``, and the KKT system ``[[I, Phi^T], [Phi, 0]] [w; l] = [0; y]``."""
    d = rf.draw(0)
    Phi = d.phi(500)
    w = rf.min_norm_weights(Phi, d.y)
    np.testing.assert_allclose(w, Phi.T @ np.linalg.solve(Phi @ Phi.T, d.y), rtol=1e-6, atol=1e-10)
    n, P = Phi.shape[1], Phi.shape[0]
    kkt = np.block([[np.eye(n), Phi.T], [Phi, np.zeros((P, P))]])
    np.testing.assert_allclose(w, np.linalg.solve(kkt, np.concatenate([np.zeros(n), d.y]))[:n], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(Phi @ w, d.y, atol=1e-12)


def test_rank_deficient_fit_is_lstsq_minimum_norm_and_orthogonal_to_the_null_space():
    d = rf.draw(0)
    Phi = d.phi(10)
    w = rf.min_norm_weights(Phi, d.y)
    assert rf.rank(Phi) == np.linalg.matrix_rank(Phi) < 10
    np.testing.assert_allclose(w, np.linalg.lstsq(Phi, d.y, rcond=None)[0], rtol=1e-10, atol=1e-12 * np.linalg.norm(w))
    null = scipy.linalg.null_space(Phi)
    assert np.linalg.norm(null.T @ w) < 1e-12 * np.linalg.norm(w)
    # the residual is orthogonal to the columns: the normal equations hold
    assert np.linalg.norm(Phi.T @ (Phi @ w - d.y)) < 1e-12 * np.linalg.norm(Phi) * np.linalg.norm(d.y)


def test_min_norm_interpolant_is_shorter_than_random_other_interpolants():
    d = rf.draw(3)
    Phi = d.phi(200)
    w = rf.min_norm_weights(Phi, d.y)
    null = scipy.linalg.null_space(Phi)
    others = w[:, None] + null @ np.random.default_rng(1).standard_normal((null.shape[1], 200)) * 0.01
    np.testing.assert_allclose(Phi @ others, np.repeat(d.y[:, None], 200, axis=1), atol=1e-10)
    assert np.all(np.linalg.norm(others, axis=0) > np.linalg.norm(w))


def test_gd_closed_form_equals_a_plain_numpy_loop():
    d = rf.draw(2)
    Phi = d.phi(30)
    eta = rf.step_size(Phi, d.y)
    w = np.zeros(30)
    for _ in range(60):
        w -= eta * Phi.T @ (Phi @ w - d.y) / len(d.y)
    np.testing.assert_allclose(rf.gd_iterate(Phi, d.y, eta, 60), w, rtol=1e-10, atol=1e-13)


def test_step_size_is_two_over_the_extreme_nonzero_hessian_eigenvalues():
    d = rf.draw(1)
    Phi = d.phi(10)
    lam = np.linalg.eigvalsh(Phi.T @ Phi / len(d.y))
    lam = lam[lam > 1e-12 * lam.max()]
    eta = rf.step_size(Phi, d.y)
    assert eta == pytest.approx(2 / (lam.max() + lam.min()), rel=1e-9)
    assert eta < 2 / lam.max()


@pytest.mark.parametrize("n_units", [2, 3, 12])
def test_engine_gradient_descent_from_zero_reaches_the_pseudo_inverse(n_units):
    """Full column rank (2), rank deficient (3 units of rank 2) and interpolating (12 units on 4 points)."""
    d = hand_draw(n_units)
    Phi = d.phi(n_units)
    w_star = rf.min_norm_weights(Phi, d.y)
    fit = rf.engine_fit(Phi, d.y)
    assert fit.steps == fit.steps_needed < 20_000 and fit.converged and fit.status == "done"
    assert np.linalg.norm(fit.w - w_star) <= 2e-8 * np.linalg.norm(w_star)
    assert rf.distance_to_min_norm(Phi, d.y, fit.eta, fit.steps) <= rf.TOL
    assert rf.distance_to_min_norm(Phi, d.y, fit.eta, fit.steps - 1) > rf.TOL


def test_engine_iterates_follow_the_closed_form_before_convergence():
    d = rf.draw(0)
    Phi = d.phi(500)
    fit = rf.engine_fit(Phi, d.y, steps=300)
    closed = rf.gd_iterate(Phi, d.y, fit.eta, 300)
    assert not fit.converged
    np.testing.assert_allclose(fit.w, closed, rtol=1e-9, atol=1e-12 * np.linalg.norm(closed))


def test_test_error_of_zero_is_the_mean_square_of_the_sinusoid():
    d = rf.draw(0)
    assert rf.test_error(d, np.zeros(7)) == pytest.approx(0.5, rel=1e-13)  # mean of sin^2 over one period


@pytest.mark.parametrize("seed, n", [(0, 5), (4, 40)])
def test_test_error_matches_scipy_adaptive_quadrature(seed, n):
    d = rf.draw(seed)
    w = rf.min_norm_weights(d.phi(n), d.y)

    def integrand(x):
        return (d.features(np.array([x]), n)[0] @ w - np.sin(np.pi * x)) ** 2

    reference, _ = scipy.integrate.quad(integrand, -1, 1, points=d.kinks(n), limit=500, epsabs=1e-14, epsrel=1e-12)
    assert rf.test_error(d, w) == pytest.approx(reference / 2, rel=1e-9)


def test_threshold_is_the_first_width_of_full_rank():
    d = rf.draw(5)
    star = rf.threshold(d)
    assert 10 < star <= rf.N_MAX
    assert np.linalg.matrix_rank(d.phi(star)) == 10 > np.linalg.matrix_rank(d.phi(star - 1))


def test_study_rows_agree_with_single_fits_and_training_error_never_rises_with_width():
    study = rf.study(True, widths=(2, 5, 10, 40), n_seeds=3, ratios=(1.0,))
    assert study.test_error.shape == study.train_error.shape == (3, 4)
    d = rf.draw(2)
    w = rf.min_norm_weights(d.phi(40), d.y)
    assert study.column("test_error", 40)[2] == pytest.approx(rf.test_error(d, w), rel=1e-12)
    assert np.all(np.diff(study.train_error, axis=1) <= 1e-12)  # nested widths: more units never fit worse
    assert np.all(study.rank <= np.minimum(10, study.widths))
    np.testing.assert_array_equal(study.aligned_width[:, 0], study.threshold)


def test_draws_are_reproducible_and_nested():
    d1, d2 = rf.draw(7), rf.draw(7)
    np.testing.assert_array_equal(d1.x, d2.x)
    np.testing.assert_array_equal(d1.phi(500)[:, :10], d2.phi(10))
    assert np.all(np.diff(d1.x) > 0) and np.all(np.abs(d1.x) <= 1)
    np.testing.assert_allclose(d1.y, np.sin(np.pi * d1.x))


@pytest.mark.parametrize("call, message", [
    (lambda: rf.min_norm_weights(np.ones((3, 2)), np.ones(4)), "shape"),
    (lambda: rf.min_norm_weights(np.array([[1.0, np.nan]]), np.ones(1)), "finite"),
    (lambda: rf.draw(-1), "seed"),
    (lambda: rf.draw(1.5), "seed"),
    (lambda: rf.draw(0, task="sin"), "Task"),
    (lambda: rf.Task(low=1.0, high=0.0), "low < high"),
    (lambda: rf.Task(units="laplace"), "units"),
    (lambda: rf.Task(n_train=0), "n_train"),
    (lambda: rf.draw(0).phi(0), "width"),
    (lambda: rf.draw(0).phi(rf.N_MAX + 1), "width"),
    (lambda: rf.study(True, n_seeds=0), "seed"),
    (lambda: rf.engine_fit(rf.draw(0).phi(5), rf.draw(0).y, eta=10.0), "below 2 / lambda_max"),
])
def test_bad_input_raises_a_value_error_with_a_clear_message(call, message):
    with pytest.raises(rf.RandomFeaturesError, match=message):
        call()
    assert issubclass(rf.RandomFeaturesError, ValueError)
