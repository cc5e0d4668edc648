"""The shallow classifier of Minnorm sec. 3.3: flows derived from the loss / Lagrangian, reductions to eq. 23-24, 31-35."""

import numpy as np
import sympy

from dynsys.models import get
from dynsys.models.shallow import alpha1, r, tau, wpar, wperp


def test_bce_reduces_to_eq23_24():
    model = get("shallow_bce_reduced")
    assert model.state == (wpar, wperp)
    sigma = 1 / (1 + sympy.exp(wpar))  # sigma(-wpar)
    assert sympy.simplify(model.rhs[0] - 2 * sigma / tau) == 0
    assert model.rhs[1] == 0


def test_minnorm_reduces_to_eq34_35_with_the_papers_fixed_point_and_eigenvalues():
    model = get("shallow_minnorm_reduced")
    assert model.state == (wpar, alpha1)
    assert sympy.simplify(model.rhs[0] - (-wpar + 2 * alpha1) / tau) == 0
    assert sympy.simplify(model.rhs[1] - r * (1 - wpar) / tau) == 0
    (point,) = model.fixed_points()
    assert point.point == {wpar: 1, alpha1: sympy.Rational(1, 2)}
    expected = {(-1 + sympy.sqrt(1 - 8 * r)) / (2 * tau), (-1 - sympy.sqrt(1 - 8 * r)) / (2 * tau)}
    got = model.eigenvalues(point.point)
    assert all(any(sympy.simplify(g - e) == 0 for e in expected) for g in got)
    conditions = model.stability_conditions(point.point)
    assert conditions["stable"] is True or conditions["stable"] == sympy.true
    assert conditions["critically damped"] == sympy.Eq(r, sympy.Rational(1, 8))


def test_minnorm_flow_decays_to_the_max_margin_weights_numerically():
    """The 4-D projected flow from Fig. 4's start (1/sqrt 2, -1/sqrt 2) ends at W = x1 = (1, 1)/sqrt 2."""
    from dynsys.integrate import solve_ivp

    model = get("shallow_minnorm")
    flow = model.compile()
    start = [1 / np.sqrt(2), -1 / np.sqrt(2), 0.0, 0.0]
    ours = solve_ivp(flow, (0, 200), start, method="dop853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    ref = solve_ivp(flow, (0, 200), start, method="scipy:DOP853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    assert np.abs(ours.y[:2, -1] - 1 / np.sqrt(2)).max() < 1e-6
    assert np.abs(ours.y[:, -1] - ref.y[:, -1]).max() < 1e-7
    assert ours.y[2:, :].min() >= -1e-12  # the multipliers stay non-negative
