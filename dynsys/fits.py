"""Straight-line fits of measured rates, with their confidence: how claims report a fitted exponent or slope.

A rate read off a solution (a decay rate from ``log|x|`` against ``t``, a
power from ``log y`` against ``log t``) is the slope of a least-squares line.
``fit_line`` returns it with its standard error, a 95 % confidence interval
(Student's t on ``n - 2`` degrees of freedom) and ``R^2``. The points come from
a deterministic solution, not noisy samples, so the interval measures how far
the curve is from a straight line over the fitted range, which is what a
claim of the form "decays like ..." needs to state.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class LineFit:
    """``y ~ slope x + intercept`` over ``n`` points."""

    slope: float
    intercept: float
    stderr: float
    half_width: float  # of the 95 % confidence interval of the slope
    r2: float
    n: int

    @property
    def interval(self):
        """The 95 % confidence interval of the slope."""
        return self.slope - self.half_width, self.slope + self.half_width

    def contains(self, value, tolerance=0.0):
        """Whether ``value`` lies within the 95 % interval widened by ``tolerance``."""
        return abs(self.slope - value) <= self.half_width + tolerance

    def describe(self, digits=4):
        """``slope ± half-width (95 %), R^2`` in words, for a claim's evidence."""
        return f"{self.slope:.{digits}f} ± {self.half_width:.1g} (95 %), R^2 = {self.r2:.6f}"


def fit_line(x, y):
    """Least-squares line through ``(x, y)`` with the slope's standard error and 95 % interval."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) < 3 or np.ptp(x) == 0:
        raise ValueError(f"a line fit needs at least 3 finite points with distinct x, got {len(x)}")
    result = stats.linregress(x, y)
    half_width = float(stats.t.ppf(0.975, len(x) - 2) * result.stderr)
    return LineFit(float(result.slope), float(result.intercept), float(result.stderr), half_width,
                   float(result.rvalue**2), len(x))
