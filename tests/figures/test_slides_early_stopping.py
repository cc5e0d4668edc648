"""The numbers behind the figure ``slides_early_stopping`` (not the drawing): filters, risk curves, fitted rates."""

import numpy as np
import pytest

from dynsys.figures import slides_early_stopping as fig
from dynsys.train.experiments import least_squares as ls


@pytest.fixture(scope="module")
def data():
    return fig.data(True)  # positional, as make and caption call it: one cached computation


def test_filters_are_the_printed_polynomial_and_ridge_at_lambda_one_over_t(data):
    mu = data["mu"]
    for t, (early, ridge) in data["filters"].items():
        np.testing.assert_allclose(early, 1 - (1 - mu) ** t, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(ridge, mu * t / (mu * t + 1), rtol=1e-12)


def test_risk_curves_are_u_shaped_with_the_min_norm_limit(data):
    c = data["curves"][0]
    assert c.problem.describe().startswith(f"n = {fig.SIZES[0]}, d = {fig.SIZES[1]}")
    # the ends: w = 0 (k = 0, lambda = 1e2) and the min-norm interpolant (k = 1e7, lambda = 1e-8)
    w_plus = ls.min_norm(c.problem.X, c.problem.y)
    assert c.gd["test"][-1] == pytest.approx(c.min_norm["test"], rel=1e-9)
    assert c.ridge["test"][0] == pytest.approx(c.min_norm["test"], rel=1e-6)
    assert c.gd["test"][0] == pytest.approx(ls.prediction_risk(c.problem, np.zeros(c.problem.d)), rel=1e-12)
    assert c.min_norm["train"] == pytest.approx(0, abs=1e-20)
    assert ls.training_error(c.problem, w_plus) == pytest.approx(0, abs=1e-20)
    for risk in (c.gd["test"], c.ridge["test"]):
        m, violation = ls.unimodal(risk)
        assert 0 < m < len(risk) - 1 and violation < 1e-9
        assert risk[m] < 0.6 * c.min_norm["test"]


def test_best_early_stopping_risk_by_an_explicit_iterate(data):
    """The GD risk at the best step, recomputed from the closed-form iterate of noise-free labels (the mean) and
    the variance of the linear map taken column by column."""
    c = data["curves"][0]
    p, k = c.problem, c.best_step
    mean = ls.gd_closed_form(p.X, p.X @ p.w_star, c.eta, [k])[0]
    A = np.stack([ls.gd_closed_form(p.X, e, c.eta, [k])[0] for e in np.eye(p.n)], axis=1)
    variance = p.sigma**2 * np.sum(A * (p.covariance[:, None] * A))
    assert c.gd["test"].min() == pytest.approx(ls.prediction_risk(p, mean) + variance, rel=1e-10)


def test_fitted_rates_show_the_tikhonov_saturation(data):
    for r, rate in data["rates"].items():
        assert rate["fit_early_stopping"].slope == pytest.approx(-r, abs=0.03)
        assert rate["fit_tikhonov"].slope == pytest.approx(min(r, 1.0), abs=0.03)
    np.testing.assert_array_equal(data["rates"][1.0]["tikhonov"], data["rates"][2.0]["tikhonov"])


def test_caption_reports_the_computed_numbers(data):
    text = fig.caption(quick=True)
    c = data["curves"][0]
    assert f"{c.min_norm['test']:.4f}" in text and f"{c.gd['test'].min():.4f}" in text
    assert f"t^{data['rates'][2.0]['fit_early_stopping'].slope:.3f}" in text
