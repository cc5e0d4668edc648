"""Fixed points classified from eigenvalues and confirmed by simulation (an independent witness)."""

import numpy as np
import pytest

from dynsys.models import get
from dynsys.stability import confirm_by_simulation, stability_report
from dynsys.symbolic.analysis.stability import Classification


def test_arenstorf_lagrange_points():
    """L1-L3 on the axis are saddles (x centre), L4/L5 at the equilateral points are linear centres (mu < 0.0385)."""
    model = get("arenstorf")
    mu = model.param_values()["mu"]
    reports = stability_report(model)
    centres = sorted((r for r in reports if r.class_ == "centre"), key=lambda r: r.point["y"])
    saddles = [r for r in reports if r.class_ == "saddle"]
    assert len(centres) == 2 and len(saddles) == 3
    for report, sign in zip(centres, (-1, 1)):
        assert report.point["x"] == pytest.approx(0.5 - mu, abs=1e-9)
        assert report.point["y"] == pytest.approx(sign * np.sqrt(3) / 2, abs=1e-9)
    assert all(abs(r.point["y"]) < 1e-9 for r in saddles)
    assert all(r.confirmed_by_simulation for r in reports)


def test_a_wrong_class_is_not_confirmed():
    """The simulation witness can disagree: a centre claimed to be a stable spiral, and the converse."""
    model = get("chain_minnorm_balanced")
    point = {"wbar": 1.0, "alpha": 1.0}
    centre = model.param_values(rho=0.0)
    eig = np.linalg.eigvals(np.array([[0.0, 2.0], [-2.0, 0.0]]))
    ok, evidence = confirm_by_simulation(model, centre, point, Classification("stable spiral", eig - 0.3, False, ""))
    assert not ok and "distance" in evidence
    spiral = model.param_values(rho=0.3)
    ok, _ = confirm_by_simulation(model, spiral, point, Classification("centre", eig, True, ""))
    assert not ok
    ok, _ = confirm_by_simulation(model, spiral, point, Classification("unstable spiral", eig + 0.3, False, ""))
    assert not ok
