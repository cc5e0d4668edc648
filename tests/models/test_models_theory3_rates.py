"""Theory III sec. 16 models (``dynsys.models.theory3_rates``): the one-example reductions and their first
integrals, the vectorised flows against the symbolic ones, closed forms, the sphere minimiser."""

import numpy as np
import pytest
import sympy

from dynsys.models import theory3_rates as m
from dynsys.models.theory3 import rho
from dynsys.symbolic import t


def _evaluate(model, y, time=0.0):
    flow = model.compile()
    out = np.empty(len(y))
    flow.rhs(time, np.asarray(y, float), flow.params, out)
    return out


def test_iris_setosa_against_the_rest_is_separable_through_the_origin():
    Z, _ = m.iris_data("all")
    margin = m.max_margin("all")
    assert Z.shape == (150, 4)
    assert np.min(Z @ margin.v_hat) == pytest.approx(margin.gamma, rel=1e-9) and margin.gamma > 0.7
    assert len(margin.support) == 3 and margin.second > 1.05
    assert np.min(Z @ m.V0) > 0  # the common start already separates
    one, _ = m.iris_data("one")
    assert one.shape == (1, 4) and np.linalg.norm(one[0]) == pytest.approx(6.3450768, rel=1e-7)
    assert m.iris_data(2)[0].shape == (4, 4)


@pytest.mark.parametrize("variant", m.VARIANTS)
def test_single_example_reduction_proves_itself_and_conserves_its_first_integral(variant):
    model = m.single_example(variant)
    assert model.state == (rho, m.s) and [p.name for p in model.params] == ["a"]
    assert model.proofs and all(p.holds for p in model.proofs)
    conserved, residual = model.is_conserved(model.first_integral)
    assert conserved, residual
    c = sympy.sqrt(1 - m.s**2)
    tail = sympy.exp(-m.a * rho * c)
    assert sympy.simplify(model.rhs[0] - m.a * c * tail) == 0
    factor = 1 / rho if variant == "gd" else rho
    assert sympy.simplify(model.rhs[1] + factor * m.a * m.s * c * tail) == 0


def test_weight_normalisation_is_rho_squared_times_gd_for_one_example():
    gd, wn = m.single_example("gd"), m.single_example("weight_norm")
    assert sympy.simplify(wn.rhs[1] / gd.rhs[1]) == rho**2
    assert sympy.simplify(wn.rhs[0] - gd.rhs[0]) == 0


@pytest.mark.parametrize("variant", m.VARIANTS)
def test_vectorised_flow_and_jacobian_match_the_symbolic_model(variant):
    Z, _ = m.iris_data(1)
    model = m.iris_model(variant, 1)
    jac = model.compile()
    rng = np.random.default_rng(1)
    for _ in range(10):
        y = np.r_[rng.uniform(0.2, 3.0), rng.normal(size=4)]
        y[1:] /= np.linalg.norm(y[1:]) * rng.uniform(0.8, 1.2)  # off the sphere too
        expected = _evaluate(model, y)
        assert np.allclose(m.rho_v_rhs(0.0, y, Z, m.VARIANTS.index(variant)), expected, rtol=1e-12, atol=1e-14)
        J = np.empty((5, 5))
        jac.jac(0.0, y, jac.params, J)
        assert np.allclose(m.rho_v_jac(0.0, y, Z, m.VARIANTS.index(variant)), J, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("form", m.FORMS)
def test_scaled_flow_matches_its_symbolic_model(form):
    """Eq. 81 (alpha = log t) derived in SymPy against the vectorised flow and its Jacobian."""
    Z, _ = m.iris_data(1)
    model = m.scaled_model(Z, [1] * len(Z), m.ALPHAS["log t"], form)
    compiled = model.compile()
    rng = np.random.default_rng(2)
    code, index = m.ALPHA_CODES["log t"], m.FORMS.index(form)
    for time in (20.0, 3e5):
        v = rng.normal(size=4)
        y = np.r_[rng.uniform(0.5, 2.0), v / np.linalg.norm(v)] if form == "eq81" else v / np.linalg.norm(v)
        assert np.allclose(m.scaled_rhs(time, y, Z, code, index), _evaluate(model, y, time), rtol=1e-11, atol=1e-14)
        J = np.empty((len(y), len(y)))
        compiled.jac(time, y, compiled.params, J)
        assert np.allclose(m.scaled_jac(time, y, Z, code, index), J, rtol=1e-9, atol=1e-12)


def test_scaled_gd_form_is_eq77_with_rho_set_to_alpha():
    Z, _ = m.iris_data(1)
    scaled = m.scaled_model(Z, [1] * len(Z), m.ALPHAS["log t"], "gd")
    lift = m.iris_model("gd", 1)
    point = {v: sympy.Rational(1, 2) for v in scaled.state}
    point[t] = 50
    for s, g in zip(scaled.rhs, lift.rhs[1:]):
        g = g.subs(lift.symbol_values(tau=1.0)).subs(rho, sympy.log(t))
        assert abs(float(sympy.N((s - g).subs(point), 30))) < 1e-25


@pytest.mark.parametrize("name", list(m.ALPHAS))
def test_alpha_codes_match_the_symbolic_schedules(name):
    for time in (16.0, 1e3, 1e9):
        expected = float(m.ALPHAS[name].subs(t, time)) if name != "exp t" or time < 700 else np.inf
        if np.isfinite(expected):
            assert m.alpha_value(time, m.ALPHA_CODES[name]) == pytest.approx(expected, rel=1e-13)


def test_jacobians_match_central_differences():
    Z, _ = m.iris_data(3)
    rng = np.random.default_rng(3)
    h = 1e-6
    for flag in (0, 1):
        y = np.r_[1.7, rng.normal(size=4)]
        numeric = np.array([(m.rho_v_rhs(0.0, y + h * e, Z, flag) - m.rho_v_rhs(0.0, y - h * e, Z, flag)) / (2 * h)
                            for e in np.eye(5)]).T
        exact = m.rho_v_jac(0.0, y, Z, flag)
        assert np.abs(exact - numeric).max() < 1e-6 * np.abs(exact).max()
    for code in range(3):
        for form in range(3):
            y = np.r_[1.3, rng.normal(size=4)] if form == 2 else rng.normal(size=4)
            steps = [(m.scaled_rhs(30.0, y + h * e, Z, code, form), m.scaled_rhs(30.0, y - h * e, Z, code, form))
                     for e in np.eye(len(y))]
            numeric = np.array([(up - down) / (2 * h) for up, down in steps]).T
            exact = m.scaled_jac(30.0, y, Z, code, form)
            assert np.abs(exact - numeric).max() < 1e-6 * np.abs(exact).max()


def test_gd_on_one_iris_example_follows_the_closed_form_to_1e8():
    """w(t) = w0 + c(t) x with x.w(t) = log(exp(x.w0) + |x|^2 t) exactly (Theory III eq. 79's one example)."""
    Z, _ = m.iris_data("one")
    x = Z[0]
    times = np.geomspace(1e-2, 1e8, 81)
    sol = m.solve_rho_v(Z, "gd", times)
    W = sol.rho * sol.V
    w0 = m.RHO0 * m.V0
    u = np.log(np.exp(x @ w0) + (x @ x) * times)
    assert np.abs(x @ W - u).max() < 1e-9 * u.max()
    moved = W - w0[:, None]
    assert np.abs(moved - np.outer(x, x @ moved) / (x @ x)).max() < 1e-9
    a, rho0, s0 = m.single_start(x)
    exact = m.gd_single_exact(times, a, rho0, s0)
    assert np.allclose(sol.rho, exact[0], rtol=1e-10)
    assert np.allclose(m.direction_error(sol.V, x / a), exact[2], rtol=1e-9)
    reduced = m.solve_single("gd", a, rho0, s0, times)
    assert np.allclose(m.single_error(reduced.y[1]), exact[2], rtol=1e-10)


def test_weight_normalisation_follows_the_derived_law_for_one_example():
    Z, _ = m.iris_data("one")
    a, rho0, s0 = m.single_start(Z[0])
    times = np.geomspace(1e10, 1e14, 5)
    sol = m.solve_single("weight_norm", a, rho0, s0, np.r_[1.0, times])
    s = sol.y[1, 1:]
    assert np.allclose(s * np.exp(sol.rho[1:] ** 2 / 2), s0 * np.exp(rho0**2 / 2), rtol=1e-9)
    assert np.allclose(m.single_error(s), m.wn_single_law(times, a, rho0, s0), rtol=1e-5)


def test_sphere_minimiser_is_stationary_and_tends_to_the_max_margin_direction():
    Z, _ = m.iris_data("all")
    margin = m.max_margin("all")
    mean = Z.sum(axis=0) / np.linalg.norm(Z.sum(axis=0))
    for scale in (0.01, 0.37, 3.0, 30.0):
        V = m.sphere_minimiser(Z, scale, mean)
        assert np.allclose(V, m.sphere_minimiser(Z, scale, margin.v_hat), atol=1e-10)
        pull = Z.T @ np.exp(-scale * (Z @ V - (Z @ V).min()))
        assert np.linalg.norm(pull / np.linalg.norm(pull) - V) < 1e-10
    assert np.linalg.norm(m.sphere_minimiser(Z, 1e-3, mean) - mean) < 1e-2
    far = m.sphere_minimiser(Z, 1e6, margin.v_hat)
    assert 1e6 * np.linalg.norm(far - margin.v_hat) == pytest.approx(np.linalg.norm(margin.u_perp), rel=1e-4)


def test_local_rate_matches_differences_of_the_solution():
    Z, _ = m.iris_data("all")
    target = m.max_margin("all").v_hat
    times = np.geomspace(10.0, 1e4, 61)
    for variant in m.VARIANTS:
        sol = m.solve_rho_v(Z, variant, times)
        eps = m.direction_error(sol.V, target)
        centred = np.gradient(np.log(eps), np.log(times))
        rate = m.local_rate(times, sol.y, Z, variant, target)
        assert np.abs(rate[1:-1] - centred[1:-1]).max() < 2e-3
