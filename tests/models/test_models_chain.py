"""The linear chain of Minnorm sec. 3.2 and App. B, checked equation by equation."""

import numpy as np
import pytest
import scipy.integrate
import sympy

from dynsys.models import get
from dynsys.models.chain import alpha, gamma, r, rho, tau, w1, w2, wbar, x, y

RNG = np.random.default_rng(12)
GAP = (w2**2 - w1**2) / 2  # the weight gap Delta (eq. 10)


def numeric(model, expr):
    return sympy.lambdify([model.state, model.params], expr, "numpy")


def random_params(model):
    values = {"x": RNG.uniform(0.3, 2), "y": RNG.uniform(-2, 2), "tau": RNG.uniform(0.5, 3)}
    values.update(gamma=RNG.uniform(0.01, 1), rho=RNG.uniform(0, 2), r=RNG.uniform(0.1, 4))
    return [values[p.name] for p in model.params]


@pytest.mark.parametrize("model_id", ["chain_l2", "chain_minnorm"])
def test_flow_is_the_finite_difference_gradient_of_the_objective(model_id):
    model = get(model_id)
    L = numeric(model, model.objective)
    f = numeric(model, list(model.rhs))
    n = len(model.state)
    for _ in range(20):
        z, p = RNG.normal(size=n), random_params(model)
        h = 1e-6
        grad = np.array([(L(z + h * e, p) - L(z - h * e, p)) / (2 * h) for e in np.eye(n)])
        named = dict(zip((s.name for s in model.params), p))
        expected = -grad / named["tau"]
        if model_id == "chain_minnorm":  # the multiplier ascends at rate r (eq. 12)
            expected[2] = named["r"] * grad[2] / named["tau"]
        assert np.allclose(f(z, p), expected, rtol=1e-6, atol=1e-6)


def test_eq9_as_printed():
    model = get("chain_l2")
    printed = [((y - w2 * w1 * x) * w2 * x - gamma * w1) / tau, ((y - w2 * w1 * x) * w1 * x - gamma * w2) / tau]
    assert sympy.simplify(model.rhs - sympy.Matrix(printed)) == sympy.zeros(2, 1)


def test_eq12_to_14_as_printed_drop_a_factor_x_in_the_alpha_term():
    model = get("chain_minnorm")
    yhat = w2 * w1 * x
    printed = sympy.Matrix(
        [
            (-w1 + alpha * w2 - rho * (yhat - y) * w2 * x) / tau,
            (-w2 + alpha * w1 - rho * (yhat - y) * w1 * x) / tau,
            r * (y - yhat) / tau,
        ]
    )
    difference = sympy.simplify(model.rhs - printed)
    assert difference == sympy.Matrix([alpha * w2 * (x - 1) / tau, alpha * w1 * (x - 1) / tau, 0])


def test_chain_gd_is_chain_l2_without_decay():
    gd, l2 = get("chain_gd"), get("chain_l2")
    assert gd.params == (x, y, tau)
    assert sympy.simplify(gd.rhs - l2.rhs.subs(gamma, 0)) == sympy.zeros(2, 1)
    assert gd.proofs[-1].statement == "gamma = 0"


def test_eq10_weight_gap_decays_at_rate_2gamma_over_tau():
    law = get("chain_l2").decay_law(GAP, "Delta")
    assert law.rate == 2 * gamma / tau and law.timescale == tau / (2 * gamma)
    assert law.closed == -2 * gamma / tau * law.q


def test_eq10_along_a_scipy_trajectory():
    model = get("chain_l2")
    p = [1.0, 1.0, 2.0, 0.2]  # x, y, tau, gamma
    f = numeric(model, list(model.rhs))
    times = np.linspace(0, 10, 11)
    sol = scipy.integrate.solve_ivp(lambda _, z: f(z, p), (0, 10), [0.3, 1.4], rtol=1e-11, atol=1e-12, t_eval=times)
    w_1, w_2 = sol.y
    gap = (w_2**2 - w_1**2) / 2
    assert np.allclose(gap, gap[0] * np.exp(-2 * 0.2 * times / 2.0), rtol=1e-8)


def test_eq11_fixed_points_balanced_with_error_gamma_over_x():
    model = get("chain_l2")
    nonzero = [fp.point for fp in model.fixed_points() if fp.point[w1] != 0]
    balanced = [p for p in nonzero if sympy.simplify(p[w1] - p[w2]) == 0]
    assert len(balanced) == 2
    for point in balanced:
        assert sympy.simplify((y - w2 * w1 * x).subs(point) - gamma / x) == 0


def test_eq11_fixed_points_at_numeric_parameters_keep_the_real_ones():
    points = get("chain_l2").fixed_points({"gamma": 0.19})
    values = sorted(tuple(float(c) for c in fp.point.values()) for fp in points)
    assert np.allclose(values, [(-0.9, -0.9), (0, 0), (0.9, 0.9)])


def test_eq15_minnorm_weight_gap_decays_at_rate_2_over_tau():
    law = get("chain_minnorm").decay_law(GAP)
    assert law.rate == 2 / tau and law.timescale == tau / 2


def test_balanced_model_carries_both_proofs():
    model = get("chain_minnorm_balanced")
    assert model.state == (wbar, alpha)
    assert [p.kind for p in model.proofs] == ["invariant manifold", "change of variables"]
    assert all(p.holds for p in model.proofs)
    assert "w2 = w1" in model.proofs[0].statement and "wbar = w1**2" in model.proofs[1].statement


def test_balanced_rhs_is_the_pushforward_of_minnorm_on_both_branches():
    full, balanced = get("chain_minnorm"), get("chain_minnorm_balanced")
    f, g = numeric(full, list(full.rhs)), numeric(balanced, list(balanced.rhs))
    for _ in range(20):
        w, a, p = RNG.normal(), RNG.normal(), random_params(full)
        fw1, fw2, fa = f([w, w, a], p)
        assert fw1 == pytest.approx(fw2)  # the manifold w2 = w1 is invariant
        assert np.allclose(g([w * w, a], p), [2 * w * fw1, fa])


def test_eq16_derived_and_printed():
    model = get("chain_minnorm_balanced")
    derived = 2 * wbar * (alpha * x - 1 + rho * x * (y - wbar * x)) / tau
    assert sympy.simplify(model.rhs[0] - derived) == 0
    assert sympy.simplify(model.rhs[1] - r * (y - wbar * x) / tau) == 0
    printed = (-2 * wbar + 2 * alpha * wbar + 2 * rho * (y - wbar * x) * wbar) / tau
    assert sympy.simplify((model.rhs[0] - printed).subs(x, 1)) == 0
    assert sympy.simplify(model.rhs[0] - printed) != 0


def test_eq17_at_x_y_1():
    model = get("chain_minnorm_balanced").substitute({x: 1, y: 1})
    eq17 = sympy.Matrix([2 * wbar * (alpha - 1 + rho * (1 - wbar)) / tau, r * (1 - wbar) / tau])
    assert sympy.simplify(model.rhs - eq17) == sympy.zeros(2, 1)


def test_balanced_fixed_point():
    points = get("chain_minnorm_balanced").fixed_points()
    assert [fp.point for fp in points] == [{wbar: y / x, alpha: 1 / x}]


@pytest.fixture(scope="module")
def unit_balanced():
    model = get("chain_minnorm_balanced").substitute({x: 1, y: 1})
    return model, {wbar: 1, alpha: 1}


def test_eq18_eigenvalues(unit_balanced):
    model, point = unit_balanced
    eig = model.eigenvalues(point)
    expected = [(-rho + sympy.sqrt(rho**2 - 2 * r)) / tau, (-rho - sympy.sqrt(rho**2 - 2 * r)) / tau]
    assert eig == expected
    printed = [(-2 * rho + s * sympy.sqrt(4 * rho**2 - 8 * r)) / (2 * tau) for s in (1, -1)]
    assert all(sympy.simplify(e - p) == 0 for e, p in zip(eig, printed))


def test_stability_conditions_at_x_y_1(unit_balanced):
    model, point = unit_balanced
    conditions = model.stability_conditions(point)
    assert conditions["stable"] == (rho > 0)
    assert conditions["oscillatory"] == (r > rho**2 / 2)
    assert conditions["critically damped"] == sympy.Eq(r, rho**2 / 2)
    assert conditions["linear centre"] == sympy.Eq(rho, 0)
    J = numeric(model, model.jacobian())
    for _ in range(50):
        values = {"tau": RNG.uniform(0.2, 3), "rho": RNG.uniform(0, 3), "r": RNG.uniform(0.01, 5)}
        eig = np.linalg.eigvals(J([1, 1], [values[p.name] for p in model.params]))
        subs = {tau: values["tau"], rho: values["rho"], r: values["r"]}
        assert bool(conditions["stable"].subs(subs)) == bool(np.all(eig.real < 0))
        assert bool(conditions["oscillatory"].subs(subs)) == bool(np.any(np.abs(eig.imag) > 0))


@pytest.mark.parametrize(
    "rho_value, r_value, expected",
    [(0.3, 2.0, "stable spiral"), (3.0, 1.0, "stable node"), (0.0, 2.0, "centre"), (2.0, 2.0, "stable node")],
)
def test_classify_balanced(unit_balanced, rho_value, r_value, expected):
    model, point = unit_balanced
    result = model.classify({"rho": rho_value, "r": r_value}, point)
    assert result.class_ == expected
    if expected == "centre":  # eq. 19 makes it a nonlinear centre
        assert not result.linear_only
        assert np.allclose(sorted(result.eigenvalues.imag), [-np.sqrt(2 * r_value), np.sqrt(2 * r_value)])
    if r_value == rho_value**2 / 2:
        assert "repeated" in result.note


def test_eq19_first_integral_at_rho_0(unit_balanced):
    model, _ = unit_balanced
    undamped = model.substitute({rho: 0})
    H = undamped.find_first_integral()
    assert H is not None and undamped.is_conserved(H)[0]
    # eq. 19 read as ln(wbar) - wbar + c0 = (2/r)(alpha^2/2 - alpha): the same level sets.
    eq19 = sympy.log(wbar) - wbar - 2 / r * (alpha**2 / 2 - alpha)
    scale = sympy.simplify(sympy.diff(H, alpha, 2) / sympy.diff(eq19, alpha, 2))
    assert all(sympy.simplify(sympy.diff(H - scale * eq19, s)) == 0 for s in (wbar, alpha))
    assert not undamped.is_conserved((2 / r) * (sympy.log(wbar) - wbar) - (alpha**2 / 2 - alpha))[0]


def test_eq19_along_a_scipy_trajectory(unit_balanced):
    model, _ = unit_balanced
    undamped = model.substitute({rho: 0})
    H = numeric(undamped, undamped.find_first_integral())
    f = numeric(undamped, list(undamped.rhs))
    p = [1.5, 0.7]  # tau, r
    times = np.linspace(0, 40, 9)
    sol = scipy.integrate.solve_ivp(lambda _, z: f(z, p), (0, 40), [0.4, 1.8], rtol=1e-11, atol=1e-12, t_eval=times)
    values = [H(z, p) for z in sol.y.T]
    assert np.ptp(values) < 1e-8 * max(1, abs(values[0]))


def test_no_first_integral_with_damping(unit_balanced):
    model, _ = unit_balanced
    assert model.find_first_integral() is None
    assert model.substitute({rho: sympy.Rational(3, 10)}).find_first_integral() is None


def test_first_integral_for_general_x_y_at_rho_0():
    undamped = get("chain_minnorm_balanced").substitute({rho: 0})
    H = undamped.find_first_integral()
    assert H is not None and undamped.is_conserved(H)[0]
