"""The claims of Theory III on the rho/V flows' structure (``dynsys.claims.theory3_structure``), and independent references."""

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp as scipy_solve_ivp
from scipy.optimize import minimize_scalar

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import theory3_structure as ts
from dynsys.models import get
from dynsys.models import theory3_multilayer as ml

from expectations import assert_covers, assert_status

EXPECTED = {
    "theory3.S_properties": "confirmed",
    "theory3.multilayer_gradient": "confirmed",
    "theory3.structural_lemma": "confirmed",
    "theory3.eq18_21": "confirmed",
    "theory3.eq21_22_factor": "refuted",
    "theory3.eq22": "confirmed",
    "theory3.eq24_25_lambda": "confirmed",
    "theory3.hessian": "confirmed",
    "theory3.eq45_48": "confirmed",
    "theory3.eq44_46_sign": "refuted",
    "theory3.summary2_4": "confirmed",
    "theory3.summary3": "confirmed",
    "theory3.summary5": "confirmed",
    "theory3.weight_norm_eq52_55": "confirmed",
    "theory3.tangent_gradient": "confirmed",
    "theory3.small_step_equivalence": "confirmed",
    "theory3.pnorm_eq71_72": "confirmed",
    "theory3.eq73": "refuted",
    "theory3.pnorm_eq71_75": "confirmed",
    "theory3.fig2": "confirmed",
}


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(ts, EXPECTED, "theory3")


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id])


# ---------------------------------------------------------------- independent references


def test_projector_eigenvalues_and_idempotence_with_numpy():
    """Relations 2, 4, 5: S = I - v v^T has spectrum {0, 1, ..., 1}, kills w, and S^2 = S."""
    rng = np.random.default_rng(20)
    for d in (2, 5, 9):
        w = rng.normal(size=d) * 7.0
        v = w / np.linalg.norm(w)
        S = np.eye(d) - np.outer(v, v)
        assert np.allclose(np.linalg.eigvalsh(S), np.r_[0.0, np.ones(d - 1)], atol=1e-13)
        assert np.allclose(S @ S, S, atol=1e-14) and np.allclose(S @ w, 0, atol=1e-12)


def test_on_spheres_proves_identities_and_rejects_others():
    v1, v2, x = sympy.symbols("v1 v2 x", real=True)
    identity = (v1**2 + v2**2) * sympy.exp(-x * v1) - sympy.exp(-x * v1 / 2) ** 2
    assert ts.on_spheres(identity, [[v1, v2]]) == 0
    assert ts.on_spheres(v1**2 - 1, [[v1, v2]]) != 0
    rearranged = sympy.exp(x * (3 * v1 + v2) / 2) * sympy.exp(-x * (2 * v1 + v2)) - sympy.exp(-x * (v1 + v2) / 2)
    assert ts.on_spheres(rearranged, [[v1, v2]]) == 0


def _two_layer_by_hand(y, rows, signs):
    """Eq. 21 and eq. 22 for f = v2^T V1 x typed in NumPy: df~/dV1 = v2 x^T, df~/dv2 = V1 x."""
    r1, V1, r2, v2 = y[0], y[1:5].reshape(2, 2), y[5], y[6:8]
    total = r1 * r2
    eq21 = {1: np.zeros((2, 2)), 2: np.zeros(2)}
    for x, s in zip(rows, signs):
        f = v2 @ V1 @ x
        weight = np.exp(-total * s * f) * s
        eq21[1] += total / r1**2 * weight * (np.outer(v2, x) - V1 * f)
        eq21[2] += total / r2**2 * weight * (V1 @ x - v2 * f)
    return eq21


def test_two_layer_direction_rates_against_numpy_formulas():
    """Eq. 21 (lift of GD) and eq. 22 = rho_k^2 x eq. 21 (constrained), per layer, at random points on the spheres."""
    rows = np.array(ml.EXAMPLE_X, float)
    signs = np.array(ml.EXAMPLE_LABELS, float)
    lift, constrained = ts._two_layer("lift"), ts._two_layer("tangent")
    rng = np.random.default_rng(21)
    for _ in range(5):
        y = ts._two_layer_point(rng)
        expected = _two_layer_by_hand(y, rows, signs)
        a, b = ts.evaluate_lambdified(lift, y), ts.evaluate_lambdified(constrained, y)
        assert np.allclose(a[1:5], expected[1].ravel(), rtol=1e-10, atol=1e-13)
        assert np.allclose(a[6:8], expected[2], rtol=1e-10, atol=1e-13)
        assert np.allclose(b[1:5], y[0] ** 2 * expected[1].ravel(), rtol=1e-10, atol=1e-13)
        assert np.allclose(b[6:8], y[5] ** 2 * expected[2], rtol=1e-10, atol=1e-13)
        assert not np.allclose(b[1:5], (y[0] * y[5]) ** 2 * expected[1].ravel(), rtol=1e-3)


def _lagrangian(v, Z, rho, lam):
    return np.sum(np.exp(-rho * Z @ v)) + lam * (v @ v - 1)


def test_hessian_against_second_differences():
    rng = np.random.default_rng(22)
    Z, u = ts._random_separable(rng, 4, 3)
    v, rho = ts.unit(u + 0.1 * rng.normal(size=3)), 1.7
    lam = rho / 2 * np.sum(np.exp(-rho * Z @ v) * (Z @ v))
    h = 1e-4
    E = np.eye(3) * h
    numeric = np.array([[(_lagrangian(v + E[i] + E[j], Z, rho, lam) - _lagrangian(v + E[i] - E[j], Z, rho, lam)
                          - _lagrangian(v - E[i] + E[j], Z, rho, lam) + _lagrangian(v - E[i] - E[j], Z, rho, lam))
                         / (4 * h * h) for j in range(3)] for i in range(3)])
    assert np.allclose(numeric, ts.hessian(Z, v, rho), rtol=1e-6, atol=1e-7)
    assert np.linalg.eigvalsh(ts.hessian(Z, v, rho)).min() > 0


def test_lagrange_multiplier_keeps_the_unit_norm_only_at_rho_over_two():
    """Eq. 25: v.v' = 0 on |v| = 1 at lambda = (rho/2) sum ..., not at rho^2 sum ..."""
    rng = np.random.default_rng(23)
    lagrange = get("theory3_lagrange")
    for _ in range(5):
        v, rho = ts.unit(rng.normal(size=2)), rng.uniform(0.2, 4)
        y = np.r_[rho, v]
        assert abs(v @ ts.evaluate(lagrange, y)[1:]) < 1e-12
        assert abs(v @ ts._lagrange_reading(0.0, y, ts.Z_FIG2, [1.0])[1:]) < 1e-12
        s = np.sum(np.exp(-rho * ts.Z_FIG2 @ v) * (ts.Z_FIG2 @ v))
        assert v @ ts._lagrange_reading(0.0, y, ts.Z_FIG2, [2.0])[1:] == pytest.approx(rho * s * (1 - 2 * rho))


def test_eq48_alpha_is_the_root_of_the_quadratic_near_one():
    rng = np.random.default_rng(24)
    V, g = ts.unit(rng.normal(size=4)), 0.2 * rng.normal(size=4)
    roots = np.roots([1.0, 2 * V @ g, g @ g - 1])  # |alpha V + g|^2 = 1
    alpha = np.sqrt(1 - g @ g + (V @ g) ** 2) - V @ g
    assert min(abs(roots - alpha)) < 1e-14 and abs(alpha - 1) < abs(max(roots, key=lambda r: abs(r - 1)) - 1)


def test_stationary_direction_shift_c_over_rho_by_direct_minimisation():
    """Theorem 1.3 on Fig. 2's data: argmin over the circle of L(rho v) is theta_SVM + c/rho, c = (4/sqrt 13) log(8/5)."""
    theta_svm = np.arctan2(4, 6)
    c = 4 / np.sqrt(13) * np.log(8 / 5)
    rho = 2e3

    def loss(theta):
        margins = ts.Z_FIG2 @ np.array([np.cos(theta), np.sin(theta)])
        return np.sum(np.exp(-rho * (margins - 0.9)))
    best = minimize_scalar(loss, bounds=(theta_svm - 0.01, theta_svm + 0.01), method="bounded",
                           options={"xatol": 1e-12}).x
    assert rho * (best - theta_svm) == pytest.approx(c, abs=5e-3)


def test_coefficient_normalisation_second_order_term_in_closed_form():
    """(u + eta g)/|u + eta g| = u + eta S g - eta^2 ((u.g) S g + |S g|^2 u / 2) + O(eta^3)."""
    rng = np.random.default_rng(25)
    u, g = ts.unit(rng.normal(size=5)), rng.normal(size=5)
    Sg = g - (u @ g) * u
    def second(eta):
        return (ts.unit(u + eta * g) - u - eta * Sg) / eta**2
    extrapolated = 2 * second(5e-4) - second(1e-3)  # Richardson: removes the O(eta) remainder
    assert np.allclose(extrapolated, -(u @ g) * Sg - (Sg @ Sg) * u / 2, atol=1e-5)


def test_eq73_corrected_jacobian_by_finite_differences():
    rng = np.random.default_rng(26)
    for p in (1.5, 3.0):
        W = rng.normal(size=3)
        r = ts.pnorm(W, p)
        numeric = np.column_stack([((W + h) / ts.pnorm(W + h, p) - (W - h) / ts.pnorm(W - h, p)) / 2e-7
                                   for h in 1e-7 * np.eye(3)])
        assert np.allclose(numeric, (np.eye(3) - np.outer(W / r, ts.nu(W, p))) / r, atol=1e-6)
        assert not np.allclose(numeric, (np.eye(3) - np.outer(ts.nu(W, p), W / r)) / r ** (p - 1), atol=1e-2)


def test_tangent_gradient_keeps_the_4_norm_with_scipy():
    """Theorem 8 for p = 4 with SciPy's own solver and a NumPy right-hand side."""
    Z = np.array(ts.Z_POSITIVE, float)

    def flow(t, u):
        g = Z.T @ np.exp(-Z @ u)
        return ts.projector(u, 4.0) @ g

    start = np.array([0.5, 0.3, 0.2]) / ts.pnorm(np.array([0.5, 0.3, 0.2]), 4.0)
    sol = scipy_solve_ivp(flow, (0, 10), start, method="DOP853", rtol=1e-11, atol=1e-13)
    assert abs(ts.pnorm(sol.y[:, -1], 4.0) - 1) < 1e-9 and np.abs(sol.y[:, -1] - start).max() > 0.05


def test_weight_normalisation_model_is_gradient_descent_on_l_of_g_v_over_norm_v():
    model = ml.weight_normalisation(ts.Z_FIG2.tolist(), [1, 1])
    rng = np.random.default_rng(27)

    def loss(state):
        g, v = state[0], state[1:]
        return np.sum(np.exp(-ts.Z_FIG2 @ (g * v / np.linalg.norm(v))))
    for _ in range(3):
        state = np.r_[rng.uniform(0.3, 2), rng.normal(size=2) * 2]
        assert np.allclose(ts.evaluate_lambdified(model, state), -ts.fd_gradient(loss, state, 1e-7), atol=1e-7)
