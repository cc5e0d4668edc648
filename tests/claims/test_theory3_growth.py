"""The claims of Theory III sec. 12.1-12.2 (``dynsys.claims.theory3_growth``): statuses, and the numbers behind them."""

import os
import time

import numpy as np
import pytest
import sympy
from scipy import integrate, optimize, special

from dynsys.claims import theory3_growth
from dynsys.figures import theory3_fig3

from expectations import assert_covers, assert_status

EXPECTED = {
    "theory3.growth.eq58_60": "confirmed",
    "theory3.growth.balanced": "confirmed",
    "theory3.growth.eq61": "confirmed",
    "theory3.growth.eq62": "confirmed",
    "theory3.growth.eq63": "refuted",
    "theory3.growth.eq64": "refuted",
    "theory3.growth.eq65": "refuted",
    "theory3.growth.one_layer": "confirmed",
    "theory3.growth.faster_than_log": "refuted",
    "theory3.growth.two_layer_li": "refuted",
    "theory3.growth.k_infinity": "refuted",
    "theory3.growth.layer_slower": "confirmed",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(theory3_growth, EXPECTED, "theory3", ("theory3.growth.",))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


def _equal_layer_rhs(depth, f, printed=False):
    """``rho'`` of K equal layers from the K-layer gradient by central differences of the loss (no SymPy)."""
    def rhs(t, y):
        h = 1e-7 * y[0]
        loss = lambda w1: np.exp(-f * w1 * y[0] ** (depth - 1))  # noqa: E731  (one layer moves, the rest fixed)
        partial = -(loss(y[0] + h) - loss(y[0] - h)) / (2 * h)
        return [partial * (depth if printed else 1)]
    return rhs


def test_eq63_correction_against_an_independent_scipy_integration():
    """Each equal layer moves by its own partial derivative: the derived law; the printed one is it at time K t."""
    depth, f = 3, 1.0
    times = np.array([1.0, 1e2, 1e4])
    grid = np.sort(np.r_[times, depth * times])
    sol = integrate.solve_ivp(_equal_layer_rhs(depth, f), (0, grid[-1]), [1.0], method="DOP853", t_eval=grid,
                              rtol=1e-11, atol=1e-13)
    reference = dict(zip(grid, sol.y[0]))
    expected = np.array([reference[v] for v in times])
    assert np.allclose(theory3_growth.layers(depth, f, times)[0], expected, rtol=1e-6)
    assert np.allclose(theory3_growth.law(depth, f, times), expected, rtol=1e-6)
    printed = theory3_growth.law(depth, f, times, printed=True)
    assert np.allclose(printed, [reference[depth * v] for v in times], rtol=1e-6)
    assert np.all(printed > expected * 1.02)


def test_eq64_and_eq65_factor_by_sympy_from_the_balanced_loss():
    """On the diagonal rho' = -(1/K) dL/drho, so d/dt exp(f rho^K) = f^2 K rho^(2K-2), R' = K f^(2/K) log(R)^(2-2/K)."""
    rho, f, k, ell = sympy.symbols("rho f K ell", positive=True)
    rate = -sympy.diff(sympy.exp(-f * rho**k), rho) / k
    growth = sympy.simplify(sympy.diff(sympy.exp(f * rho**k), rho) * rate)
    assert sympy.simplify(growth - f**2 * k * rho ** (2 * k - 2)) == 0
    in_R = growth.subs(rho, (ell / f) ** (1 / k))  # ell = log R > 0
    assert sympy.simplify(sympy.powsimp(in_R / (k * f ** (2 / k) * ell ** (2 - 2 / k)), force=True)) == 1


def test_k2_logarithmic_integral_from_the_claims_solution():
    t = np.geomspace(1e6, 1e10, 9)
    y = theory3_growth.layers(2, 1.0, t)
    assert np.allclose(special.expi(y[0] * y[1]) - special.expi(1.0), 2 * t, rtol=1e-9)


def test_product_over_log_t_tends_to_one_over_f():
    """The asymptote of faster_than_log by SciPy's quadrature and root finding only (no flow), f_V = 1, K = 4."""
    depth, a = 4, 2 - 2 / 4

    def log_G(u):
        value, _ = integrate.quad(lambda w: np.exp(-w) * (u - w) ** -a, 0, u - 1.0, epsrel=1e-13, limit=200)
        return u + np.log(value)

    residuals, ratios = [], []
    for log_t in (50.0, 200.0, 600.0):
        u = optimize.brentq(lambda v: log_G(v) - np.log(depth) - log_t, 2.0, 10 * log_t)
        residuals.append(u - (log_t + a * np.log(log_t) + np.log(depth)))
        ratios.append(u / log_t)
    assert np.all(np.diff(np.abs(residuals)) < 0) and abs(residuals[-1]) < 0.05
    assert np.all(np.diff(ratios) < 0) and 1 < ratios[-1] < 1.02


def test_figure_is_written_in_time_and_shows_the_derived_law(tmp_path):
    theory3_fig3.make(tmp_path / "warm", quick=True)
    start = time.perf_counter()
    files = theory3_fig3.make(tmp_path, quick=True)
    assert time.perf_counter() - start < 30.0
    assert sorted(os.path.splitext(f)[1] for f in files) == [".pdf", ".png"]
    assert all(os.path.getsize(f) > 1000 for f in files)
    data = theory3_fig3.curves(True)
    index = np.searchsorted(data["t"], data["law_t"])
    for k in theory3_fig3.DEPTHS:
        product = np.prod(data["layers"][k][:, index], axis=0)
        assert np.allclose(product, data["derived"][k], rtol=1e-8)
        late = data["law_t"] >= 1.0
        if k > 1:
            assert np.all(data["printed"][k][late] > product[late] + 0.1)
    assert "t = 1e+12" in theory3_fig3.caption(True)
