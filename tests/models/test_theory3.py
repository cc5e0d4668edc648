"""Theory III's linear flows in (rho, V): the polar lift reproduces the W flow; weight normalisation = Lagrange."""

import numpy as np
import pytest
import sympy

from dynsys.integrate import solve_ivp
from dynsys.models import get
from dynsys.models.theory3 import linear_rho_v, rho
from dynsys.symbolic import ModelError


def _evaluate(model, y):
    flow = model.compile()
    out = np.empty(len(y))
    flow.rhs(0.0, np.asarray(y, float), flow.params, out)
    return out


def test_polar_lift_carries_both_proofs():
    model = get("theory3_linear_rho_v")
    assert model.state[0] == rho and len(model.state) == 3
    assert [p.kind for p in model.proofs] == ["polar lift", "invariant manifold"]
    assert all(p.holds for p in model.proofs)


def test_lifted_flow_reproduces_the_w_flow_numerically():
    """Theory III Fig. 2: the W flow and its (rho, V) reparametrisation coincide; |V| stays 1."""
    w_flow, lifted = get("theory3_linear_gd").compile(), get("theory3_linear_rho_v").compile()
    w0 = np.array([0.3, -0.8])
    t = np.geomspace(1e-2, 1e4, 60)
    ref = solve_ivp(w_flow, (0, t[-1]), w0, method="scipy:DOP853", t_eval=t, args=(w_flow.params,),
                    rtol=1e-11, atol=1e-13)
    start = np.r_[np.linalg.norm(w0), w0 / np.linalg.norm(w0)]
    sol = solve_ivp(lifted, (0, t[-1]), start, method="dop853", t_eval=t, args=(lifted.params,),
                    rtol=1e-11, atol=1e-13)
    W = sol.y[0] * sol.y[1:]
    assert np.abs(W - ref.y).max() < 1e-8
    assert np.abs(np.linalg.norm(sol.y[1:], axis=0) - 1).max() < 1e-10


def test_weight_normalisation_equals_the_lagrange_flow_and_is_rho_squared_times_the_lift():
    wn, lagrange, lift = get("theory3_weight_norm"), get("theory3_lagrange"), get("theory3_linear_rho_v")
    assert sympy.simplify(wn.rhs - lagrange.rhs) == sympy.zeros(3, 1)
    rng = np.random.default_rng(0)
    for _ in range(5):
        v = rng.normal(size=2)
        y = np.r_[rng.uniform(0.2, 3.0), v / np.linalg.norm(v)]
        a, b = _evaluate(wn, y), _evaluate(lift, y)
        assert a[0] == pytest.approx(b[0], rel=1e-12)  # rho' = V.W' in both (eq. 20, 22)
        assert np.allclose(a[1:], y[0] ** 2 * b[1:], rtol=1e-12, atol=1e-14)  # differ by rho^2 (sec. 4.5.1)


def test_weight_normalisation_keeps_the_unit_sphere_but_differs_from_the_w_flow():
    wn = get("theory3_weight_norm").compile()
    w_flow = get("theory3_linear_gd").compile()
    w0 = np.array([0.3, -0.8])
    start = np.r_[np.linalg.norm(w0), w0 / np.linalg.norm(w0)]
    sol = solve_ivp(wn, (0, 50), start, method="dop853", args=(wn.params,), rtol=1e-11, atol=1e-13)
    ref = solve_ivp(w_flow, (0, 50), w0, method="dop853", args=(w_flow.params,), rtol=1e-11, atol=1e-13)
    assert abs(np.linalg.norm(sol.y[1:, -1]) - 1) < 1e-9
    assert np.abs(sol.y[0, -1] * sol.y[1:, -1] - ref.y[:, -1]).max() > 0.1


def test_polar_keeps_other_state_variables_and_rejects_bad_input():
    chain = get("chain_minnorm")
    w1, w2, alpha = chain.state
    norm = sympy.Symbol("r_w", positive=True)
    u1, u2 = sympy.symbols("u1 u2", real=True)
    lifted = chain.polar([w1, w2], norm, [u1, u2])
    assert lifted.state == (norm, u1, u2, alpha) and all(p.holds for p in lifted.proofs)
    y = np.array([1.3, 0.6, 0.8, 0.25])
    base = _evaluate(chain, [1.3 * 0.6, 1.3 * 0.8, 0.25])
    got = _evaluate(lifted, y)
    assert np.allclose(got[0] * y[1:3] + y[0] * got[1:3], base[:2], rtol=1e-12)
    assert got[3] == pytest.approx(base[2], rel=1e-12)
    with pytest.raises(ModelError, match="need as many directions"):
        chain.polar([w1, w2], norm, [u1])
    with pytest.raises(ModelError, match="already name"):
        chain.polar([w1, w2], norm, [u1, sympy.Symbol("alpha")])
    with pytest.raises(ModelError, match="unknown variant"):
        linear_rho_v([[1, 0]], [1], "batch_norm")
