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


def test_general_classifier_flow_matches_the_gradient_of_its_loss_by_finite_differences():
    """shallow_classifier on random data: rhs = -grad L / tau, checked against central differences of L."""
    from dynsys.models.shallow import shallow_classifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 3))
    labels = np.array([1, 0, 1, 1, 0])
    signs = 2 * labels - 1
    for loss, ell in (("bce", lambda u: np.logaddexp(0, -u)), ("exponential", lambda u: np.exp(-u))):
        model = shallow_classifier(X, labels, loss=loss, bias=True)
        flow = model.compile()
        v = rng.normal(size=4)

        def L(v):
            return ell(signs * (X @ v[:3] + v[3])).sum()

        h = 1e-6
        grad = np.array([(L(v + h * e) - L(v - h * e)) / (2 * h) for e in np.eye(4)])
        out = np.empty(4)
        flow.rhs(0.0, v, flow.params, out)
        assert np.allclose(out, -grad / flow.params[0], rtol=1e-6, atol=1e-8)


def test_general_minnorm_fixed_point_is_the_hard_margin_svm():
    """shallow_minnorm_classifier with a bias: the flow ends at scikit-learn's hard-margin SVM (W, b, dual coef)."""
    from sklearn.svm import SVC

    from dynsys.integrate import solve_ivp
    from dynsys.models.shallow import shallow_minnorm_classifier

    X = np.array([[2.0, 1.0], [1.5, 2.5], [3.0, 3.0], [-1.0, -0.5], [-2.0, 1.0], [-0.5, -2.0]])
    labels = np.array([1, 1, 1, 0, 0, 0])
    svm = SVC(kernel="linear", C=1e10, tol=1e-12).fit(X, labels)
    model = shallow_minnorm_classifier(X, labels, bias=True, r_value=1.0)
    flow = model.compile()
    sol = solve_ivp(flow, (0, 2000), np.zeros(9), method="dop853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    w, b, alpha = sol.y[:2, -1], sol.y[2, -1], sol.y[3:, -1]
    assert np.abs(w - svm.coef_[0]).max() < 1e-6 and abs(b - svm.intercept_[0]) < 1e-6
    dual = np.zeros(6)
    dual[svm.support_] = np.abs(svm.dual_coef_[0])
    assert np.abs(alpha - dual).max() < 1e-6
    assert alpha.min() >= -1e-9  # projected: only integration error below 0
