"""Theory III's two-layer linear network (eq. 17-22) and weight normalisation (eq. 52-53): derived flows against NumPy."""

import numpy as np
import pytest
import sympy

from dynsys.integrate import solve_ivp
from dynsys.models import theory3_multilayer as ml
from dynsys.symbolic import ModelError

ROWS = np.array(ml.EXAMPLE_X, float)
SIGNS = np.array(ml.EXAMPLE_LABELS, float)


def _loss(weights):
    W1, w2 = weights[:4].reshape(2, 2), weights[4:]
    return np.sum(np.exp(-SIGNS * (ROWS @ W1.T @ w2)))


def _gradient(fun, x, h=1e-6):
    return np.array([(fun(x + e) - fun(x - e)) / (2 * h) for e in h * np.eye(len(x))])


def _rhs(model, y):
    values = [model.defaults[p.name] for p in model.params]
    return np.array(sympy.lambdify([model.state, model.params], list(model.rhs), "numpy")(list(y), values), float)


def test_two_layer_gradient_descent_is_minus_the_numerical_gradient():
    model = ml.two_layer_linear()
    assert [s.name for s in model.state] == ["W1_11", "W1_12", "W1_21", "W1_22", "w2_1", "w2_2"]
    y = np.array([0.6, -0.3, 0.2, 0.5, 0.4, -0.7])
    assert np.allclose(_rhs(model, y), -_gradient(_loss, y), atol=1e-8)


def test_lift_per_layer_is_proved_and_reproduces_the_w_flow():
    lifted = ml.two_layer_rho_v()
    assert [s.name for s in lifted.state] == ["rho1", "V1_11", "V1_12", "V1_21", "V1_22", "rho2", "v2_1", "v2_2"]
    assert [p.kind for p in lifted.proofs] == ["polar lift", "invariant manifold"] * 2 and all(p.holds for p in lifted.proofs)
    base = ml.two_layer_linear()
    W0 = np.array([0.6, -0.3, 0.2, 0.5, 0.4, -0.7])
    start = np.r_[np.linalg.norm(W0[:4]), W0[:4] / np.linalg.norm(W0[:4]), np.linalg.norm(W0[4:]),
                  W0[4:] / np.linalg.norm(W0[4:])]
    t = np.geomspace(1e-2, 100, 20)
    w_flow, flow = base.compile(), lifted.compile()
    W = solve_ivp(w_flow, (0, 100), W0, method="dop853", t_eval=t, args=(w_flow.params,), rtol=1e-11, atol=1e-13).y
    y = solve_ivp(flow, (0, 100), start, method="dop853", t_eval=t, args=(flow.params,), rtol=1e-11, atol=1e-13).y
    assert np.abs(np.vstack([y[0] * y[1:5], y[5] * y[6:8]]) - W).max() < 1e-9
    assert np.abs(np.linalg.norm(y[1:5], axis=0) - 1).max() < 1e-10


def test_constrained_variants_agree_and_keep_the_spheres():
    tangent = ml.two_layer_constrained(variant="tangent")
    lagrange = ml.two_layer_constrained(variant="lagrange")
    assert sympy.expand(tangent.rhs - lagrange.rhs).is_zero_matrix
    rng = np.random.default_rng(30)
    for _ in range(3):
        V1, v2 = rng.normal(size=4), rng.normal(size=2)
        y = np.r_[rng.uniform(0.5, 2), V1 / np.linalg.norm(V1), rng.uniform(0.5, 2), v2 / np.linalg.norm(v2)]
        rate = _rhs(tangent, y)
        assert abs(y[1:5] @ rate[1:5]) < 1e-12 and abs(y[6:8] @ rate[6:8]) < 1e-12
        W = np.r_[y[0] * y[1:5], y[5] * y[6:8]]
        grad = _gradient(_loss, W, 1e-7)
        assert rate[0] == pytest.approx(-y[1:5] @ grad[:4], rel=1e-6)  # -dL/drho1 = -V1.dL/dW1
    with pytest.raises(ModelError, match="unknown variant"):
        ml.two_layer_constrained(variant="batch_norm")


def test_weight_normalisation_keeps_norm_v_and_starts_from_any_norm():
    model = ml.weight_normalisation(ml.EXAMPLE_X[:2], (1, 1))
    v = sympy.Matrix(model.state[1:])
    assert sympy.simplify((v.T * model.rhs[1:, 0])[0]) == 0
    flow = model.compile()
    sol = solve_ivp(flow, (0, 30), np.array([0.7, 1.2, -2.0]), method="dop853", args=(flow.params,), rtol=1e-11,
                    atol=1e-13)
    assert abs(np.linalg.norm(sol.y[1:, -1]) - np.hypot(1.2, 2.0)) < 1e-9


@pytest.mark.parametrize("builder", [ml.theory3_two_layer_gd, ml.theory3_two_layer_constrained,
                                     ml.theory3_weight_normalisation])
def test_registrable_builders_name_their_models(builder):
    model = builder()
    assert model.id == builder.__name__ and model.description
