"""The figures: files written and readable, in time, and the numbers behind them."""

import os
import time

import numpy as np
import pytest

from dynsys import figures
from dynsys.figures import chain_stability_map, minnorm_fig3
from dynsys.figures.style import plt
from dynsys.models import get
from dynsys.train.chain import gradient_descent, minnorm

QUICK_SECONDS = 30.0


@pytest.mark.parametrize("name", figures.names())
def test_make_writes_readable_png_and_pdf_in_time(name, tmp_path):
    figures.FIGURES[name].make(tmp_path / "warm", quick=True)  # numba kernels compiled / cached first
    start = time.perf_counter()
    files = figures.make(name, tmp_path, quick=True)
    seconds = time.perf_counter() - start
    assert seconds < QUICK_SECONDS, f"{name} took {seconds:.1f} s"
    assert sorted(os.path.splitext(f)[1] for f in files) == [".pdf", ".png"]
    for f in files:
        assert os.path.dirname(f) == str(tmp_path)
        assert os.path.getsize(f) > 1000
    png = next(f for f in files if f.endswith(".png"))
    image = plt.imread(png)
    assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 300
    assert np.ptp(image[..., :3]) > 0.5  # not blank
    pdf = next(f for f in files if f.endswith(".pdf"))
    with open(pdf, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]  # no temporary left behind


def test_unknown_figure_raises_value_error_listing_known(tmp_path):
    with pytest.raises(ValueError, match="known: .*minnorm_fig3"):
        figures.make("no_such_figure", tmp_path)


def test_registry_holds_modules_with_make():
    assert set(figures.FIGURES) == {"chain_phase_portrait", "chain_stability_map", "minnorm_fig1", "minnorm_fig2",
                                    "minnorm_fig3", "minnorm_fig5", "slides_early_stopping",
                                    "minnorm_fig4", "minnorm_fig6", "minnorm_fig7", "minnorm_fig8",
                                    "theory3_fig2", "theory3_fig3", "theory3_fig4",
                                    "theory3_fig5", "theory3_fig6", "theory3_fig7", "theory3_fig8",
                                    "slides_implicit_bias"}
    for module in figures.FIGURES.values():
        assert callable(module.make)


@pytest.mark.parametrize("rho, r", [(0.3, 2.0), (3.0, 1.0), (1.0, 0.2), (0.5, 2.5), (2.0, 2.0), (1.2, 0.72)])
def test_stability_map_class_equals_classify(rho, r):
    model = get("chain_minnorm_balanced")
    classes, _ = chain_stability_map.class_map(np.array([rho]), np.array([r]))
    expected = model.classify({"x": 1, "y": 1, "tau": 1, "rho": rho, "r": r}, model.fixed_points()[0]).class_
    assert classes[0, 0] == expected


def test_stability_map_grid_matches_analytic_boundary():
    rhos, rs = chain_stability_map.grid(quick=True)
    classes, _ = chain_stability_map.class_map(rhos, rs)
    R, P = np.meshgrid(rs, rhos, indexing="ij")
    assert np.all(classes[R > P**2 / 2 * 1.001] == "stable spiral")
    assert np.all(classes[R < P**2 / 2 * 0.999] == "stable node")


def test_measured_decay_rates_agree_with_eq18_away_from_boundary():
    """On the quick grid, |2r/rho^2 - 1| > 0.3: measured rate within 6 % of -Re(lambda_max)."""
    rhos, rs = chain_stability_map.grid(quick=True)
    R, P = np.meshgrid(rs, rhos, indexing="ij")
    rates, times = chain_stability_map.measured_rates(P, R, quick=True)
    pred = chain_stability_map.predicted_rate(P.ravel(), R.ravel())
    away = np.abs(2 * R.ravel() / P.ravel() ** 2 - 1) > 0.3
    assert away.sum() > 300
    assert np.all(np.isfinite(rates[away]))
    np.testing.assert_allclose(rates[away], pred[away], rtol=0.06)
    tpred = np.log(1 / chain_stability_map.EPS) / pred
    np.testing.assert_allclose(times[away], tpred[away], rtol=0.25)


@pytest.mark.parametrize("gamma", [0.0, 0.05])
def test_fig3_gd_iterates_approach_flow_first_order(gamma):
    """After N steps the iterates are O(eta) from the flow at t = N (tau = 1/eta); halving eta halves it."""
    errors = []
    for eta in (0.02, 0.01):
        steps = int(round(20.0 / eta))  # the same continuous time t*eta = 20
        it = gradient_descent(minnorm_fig3.W0, eta, gamma, steps)
        model = "chain_gd" if gamma == 0 else "chain_l2"
        extra = {} if gamma == 0 else {"gamma": gamma}
        _, fl = minnorm_fig3.flow(model, minnorm_fig3.W0, steps, n_out=2, tau=1 / eta, **extra)
        errors.append(np.linalg.norm(it[-1] - fl[:, -1]))
    assert errors[1] < 0.02
    assert 1.6 < errors[0] / errors[1] < 2.4


def test_fig3_minnorm_iterates_approach_flow_for_small_eta():
    eta, rho, s = 0.002, 2.0, 0.002  # r = tau*s = 1
    steps = int(round(10.0 / eta))
    it = minnorm(minnorm_fig3.W0, eta, rho, s, steps)
    _, fl = minnorm_fig3.flow("chain_minnorm", (*minnorm_fig3.W0, 0.0), steps, n_out=2, tau=1 / eta, rho=rho,
                              r=s / eta)
    assert np.linalg.norm(it[-1] - fl[:, -1]) < 0.02


def test_fig3_panels_show_the_caption_and_the_printed_d_divergence():
    panels = {p["label"]: p for p in minnorm_fig3.panels(quick=True)}
    a, b, c = (panels[k]["iterates"][-1] for k in "ABC")
    assert abs(a[0] * a[1] - 1) < 1e-3 and abs(a[0] - a[1]) > 1  # on the manifold, unbalanced
    assert abs(b[0] - b[1]) < 1e-6 and abs(b[0] * b[1] - 1) > 0.04  # balanced, off the manifold
    assert abs(c[0] * c[1] - 1) < 0.01 and abs(c[0] - c[1]) > 0.1  # near the manifold, still unbalanced
    assert panels["D"]["diverged"] and len(panels["D"]["iterates"]) < 10  # the printed parameters diverge
    np.testing.assert_allclose(panels["D"]["flow"][:2, -1], [1, 1], atol=1e-3)  # their flow converges
    assert not panels["E"]["diverged"]
    np.testing.assert_allclose(panels["E"]["iterates"][-1, :2], [1, 1], atol=1e-6)


def test_fig4_curves_follow_eq27_and_reach_the_max_margin_weights():
    """Fig. 4's BCE curve obeys the closed form t(w_par) of eq. 27; Minnorm ends at W = x1 with theta ~ exp(-t)."""
    from dynsys.figures import minnorm_fig4

    data = minnorm_fig4.curves(quick=True)
    t, w = data["bce"]
    w_par, w_perp = minnorm_fig4.components(w)
    tau = 0.1
    t_eq27 = tau / 2 * (w_par - 0.0 + np.exp(w_par) - 1.0)  # from w_par(0) = 0
    late = t > 1e-2
    assert np.abs(t_eq27[late] / t[late] - 1).max() < 1e-6
    assert np.ptp(w_perp) < 1e-10 and w_perp[0] == pytest.approx(1.0)
    t, w = data["minnorm"]
    assert np.abs(w[:, -1] - 1 / np.sqrt(2)).max() < 1e-6  # ringing decays like exp(-t/2)
    assert data["minnorm_fit"].slope == pytest.approx(-1.0, abs=0.01)
    assert data["bce_fit"].slope == pytest.approx(1.0, abs=0.01)
