"""Line fits with confidence intervals (dynsys.fits) against numpy and known slopes."""

import numpy as np
import pytest

from dynsys.fits import fit_line


def test_exact_line_has_zero_width_and_unit_r2():
    x = np.linspace(0, 5, 20)
    fit = fit_line(x, 3.0 * x - 1.0)
    assert fit.slope == pytest.approx(3.0) and fit.intercept == pytest.approx(-1.0)
    assert fit.half_width < 1e-12 and fit.r2 == pytest.approx(1.0)
    assert fit.contains(3.0, tolerance=1e-12) and not fit.contains(3.1)


def test_interval_covers_the_true_slope_at_about_95_percent():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 30)
    covered = [fit_line(x, 2.0 * x + rng.normal(scale=0.3, size=30)).contains(2.0) for _ in range(2000)]
    assert 0.93 < np.mean(covered) < 0.97


def test_slope_and_stderr_match_numpy_polyfit_covariance():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 50)
    y = -0.7 * x + rng.normal(size=50)
    fit = fit_line(x, y)
    coef, cov = np.polyfit(x, y, 1, cov="unscaled")
    residual = y - np.polyval(coef, x)
    assert fit.slope == pytest.approx(coef[0])
    assert fit.stderr == pytest.approx(np.sqrt(cov[0, 0] * residual @ residual / (50 - 2)))


def test_non_finite_points_are_dropped_and_too_few_points_raise():
    fit = fit_line([0, 1, 2, 3], [0, 1, np.nan, 3])
    assert fit.n == 3 and fit.slope == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 3"):
        fit_line([1, 1, 1], [1, 2, 3])
