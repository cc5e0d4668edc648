"""Model: derivation from an objective, explicit fields, projections, parameters, compile."""

import math

import numpy as np
import pytest
import sympy

from dynsys.symbolic import Ascent, Descent, Model, ModelError, t

u, v = sympy.symbols("u v", real=True)
alpha = sympy.Symbol("alpha", real=True)
k = sympy.Symbol("k", positive=True)
c = sympy.Symbol("c", nonnegative=True)
tau = sympy.Symbol("tau", positive=True)
s = sympy.Symbol("s", real=True)


def saddle_game():
    """min over u, max over alpha of L = k u^2/2 + alpha (1 - u) + c u^4/4."""
    return Model(
        "game",
        (u, alpha),
        (k, c, tau, s),
        {"k": 1.0, "c": 0.5, "tau": 2.0, "s": 3.0},
        objective=k * u**2 / 2 + alpha * (1 - u) + c * u**4 / 4,
        groups=(Descent((u,), tau), Ascent((alpha,), tau, s)),
    )


def test_flow_is_minus_and_plus_the_numerical_gradient():
    model = saddle_game()
    L = sympy.lambdify([model.state, model.params], model.objective)
    f = sympy.lambdify([model.state, model.params], list(model.rhs))
    rng = np.random.default_rng(0)
    for _ in range(20):
        z = rng.normal(size=2)
        p = [rng.uniform(0.5, 2), rng.uniform(0, 2), rng.uniform(0.5, 2), rng.normal()]
        h = 1e-6
        grad = [(L(z + h * e, p) - L(z - h * e, p)) / (2 * h) for e in np.eye(2)]
        expected = [-grad[0] / p[2], p[3] * grad[1] / p[2]]
        assert np.allclose(f(z, p), expected, rtol=1e-6, atol=1e-7)


def test_groups_must_cover_the_state_once():
    with pytest.raises(ModelError, match="groups cover"):
        Model("m", (u, v), (tau,), {"tau": 1.0}, objective=u**2 + v**2, groups=(Descent((u,), tau),))
    with pytest.raises(ModelError, match="two groups"):
        Model("m", (u,), (tau,), {"tau": 1.0}, objective=u**2, groups=(Descent((u,), tau), Descent((u,), tau)))


def test_objective_or_rhs_exactly_one():
    with pytest.raises(ModelError, match="either"):
        Model("m", (u,), (), {})
    with pytest.raises(ModelError, match="either"):
        Model("m", (u,), (tau,), {"tau": 1.0}, objective=u**2, groups=(Descent((u,), tau),), rhs=[u])


def test_stray_symbols_and_shape_are_rejected():
    with pytest.raises(ModelError, match="neither state nor parameters: w"):
        Model("m", (u,), (), {}, rhs=[sympy.Symbol("w") * u])
    with pytest.raises(ModelError, match="2 right-hand sides for 1"):
        Model("m", (u,), (), {}, rhs=[u, u])


def test_explicit_field_may_depend_on_time():
    model = Model("forced", (u,), (k,), {"k": 2.0}, rhs=[-k * u + sympy.sin(t)])
    assert t in model.rhs.free_symbols
    for analysis in (model.fixed_points, lambda: model.eigenvalues({u: 0}), lambda: model.classify({}, {u: 0})):
        with pytest.raises(ModelError, match="depends on t"):
            analysis()


def test_projected_rhs_keeps_alpha_nonnegative():
    model = Model(
        "hinge",
        (u, alpha),
        (tau, s),
        {"tau": 1.0, "s": 1.0},
        objective=u**2 / 2 + alpha * (1 - u),
        groups=(Descent((u,), tau), Ascent((alpha,), tau, s, projection="nonnegative")),
    )
    assert model.projections == {alpha: "nonnegative"}
    assert model.rhs[1] == s * (1 - u) / tau
    g = sympy.lambdify([model.state, model.params], list(model.projected_rhs))
    # alpha = 0 and pushed down (u > 1): held at 0; pushed up: released.
    assert g([2.0, 0.0], [1.0, 1.0])[1] == 0
    assert g([0.5, 0.0], [1.0, 1.0])[1] == pytest.approx(0.5)
    # alpha > 0: the unprojected flow, whatever its sign.
    assert g([2.0, 0.3], [1.0, 1.0])[1] == pytest.approx(-1.0)


def test_unknown_projection_is_rejected():
    with pytest.raises(ModelError, match="unknown projection"):
        Ascent((alpha,), tau, s, projection="box")


def test_param_values_defaults_and_overrides():
    model = saddle_game()
    assert model.param_values() == {"k": 1.0, "c": 0.5, "tau": 2.0, "s": 3.0}
    assert model.param_values(c=0, s=-1)["s"] == -1.0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"foo": 1.0}, "unknown parameter 'foo' for model 'game'; parameters: k, c, tau, s"),
        ({"k": math.nan}, "'k' of model 'game' must be finite"),
        ({"tau": math.inf}, "'tau' of model 'game' must be finite"),
        ({"k": 0.0}, "'k' of model 'game' must be positive, got 0.0"),
        ({"c": -1e-3}, "'c' of model 'game' must be nonnegative"),
        ({"k": "one"}, "'k' of model 'game' must be a number"),
    ],
)
def test_param_values_rejects(overrides, message):
    with pytest.raises(ModelError, match=message):
        saddle_game().param_values(**overrides)


def test_defaults_are_checked_at_construction():
    with pytest.raises(ModelError, match="must be positive"):
        Model("m", (u,), (k,), {"k": -1.0}, rhs=[-k * u])
    with pytest.raises(ModelError, match="missing parameter 'k'"):
        Model("m", (u,), (k,), {}, rhs=[-k * u])
    assert issubclass(ModelError, ValueError)


def test_with_defaults_returns_a_new_model():
    model = saddle_game()
    other = model.with_defaults(k=4.0)
    assert other.defaults["k"] == 4.0 and model.defaults["k"] == 1.0
    assert other.rhs == model.rhs


def test_compile_gives_the_flow_of_the_projected_rhs():
    model = Model(
        "hinge",
        (u, alpha),
        (tau, s),
        {"tau": 1.0, "s": 2.0},
        objective=u**2 / 2 + alpha * (1 - u),
        groups=(Descent((u,), tau), Ascent((alpha,), tau, s, projection="nonnegative")),
    )
    flow = model.compile()
    assert flow is model.compile()
    assert flow.n_state == 2 and list(flow.params) == [1.0, 2.0]
    out = np.zeros(2)
    flow.rhs(0.0, np.array([2.0, 0.0]), np.array([1.0, 2.0]), out)
    assert out == pytest.approx([-2.0, 0.0])
    flow.rhs(0.0, np.array([0.5, 0.0]), np.array([1.0, 2.0]), out)
    assert out == pytest.approx([-0.5, 1.0])
