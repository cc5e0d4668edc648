"""Theory III sec. 12's deep exponential-loss flows (``dynsys.models.theory3_deep``) against independent references."""

import numpy as np
import pytest
import sympy
from scipy import integrate, special

from dynsys.integrate import solve_ivp
from dynsys.models import theory3_deep as deep
from dynsys.models.theory3_deep import K, R, f_V, gamma, r, rho
from dynsys.symbolic import ModelError


def _rhs(flow, y, params=None):
    out = np.empty(len(y))
    flow.rhs(0.0, np.asarray(y, float), flow.params if params is None else np.asarray(params, float), out)
    return out


def _numerical_gradient(loss, w, h=1e-6):
    w = np.asarray(w, float)
    return np.array([(loss(w + h * e) - loss(w - h * e)) / (2 * h) for e in np.eye(len(w))])


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_layer_flow_is_minus_the_numerical_gradient_of_the_loss(depth):
    """Theory III eq. 58: the compiled flow against central differences of exp(-f_V prod w)."""
    flow = deep.deep_exponential(depth).compile()
    rng = np.random.default_rng(depth)
    for f in (0.5, 2.0):
        for _ in range(3):
            w = rng.uniform(0.3, 1.5, size=depth)
            expected = -_numerical_gradient(lambda v: np.exp(-f * np.prod(v)), w)
            assert np.allclose(_rhs(flow, w, [f]), expected, rtol=1e-7, atol=1e-12)


def test_model_shape_and_first_integral():
    model = deep.deep_exponential(3)
    assert [s.name for s in model.state] == ["w1", "w2", "w3"] and model.params == (f_V,)
    w1, w2, _ = model.state
    assert model.first_integral == w1**2 - w2**2
    assert model.is_conserved(model.first_integral)[0]
    assert deep.deep_exponential(1).first_integral is None
    with pytest.raises(ModelError, match="positive integer"):
        deep.deep_exponential(0)
    with pytest.raises(ModelError, match="positive integer"):
        deep.layers(2.5)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_layer_gaps_are_conserved(depth):
    proofs = deep.layer_gaps(deep.deep_exponential(depth))
    assert len(proofs) == depth - 1 and all(p.holds for p in proofs)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_balanced_and_R_reductions_prove_themselves_and_give_the_derived_laws(depth):
    balanced = deep.deep_exponential_balanced(depth)
    assert balanced.state == (rho,) and all(p.holds for p in balanced.proofs)
    kinds = [p.kind for p in balanced.proofs]
    assert kinds.count("invariant manifold") == depth - 1 and kinds[-1] == "change of variables"
    assert sympy.simplify(balanced.rhs[0] - f_V * rho ** (depth - 1) * sympy.exp(-(rho**depth) * f_V)) == 0
    in_R = deep.deep_exponential_R(depth)
    assert in_R.state == (R,) and all(p.holds for p in in_R.proofs)
    law = depth * f_V ** sympy.Rational(2, depth) * sympy.log(R) ** (2 - sympy.Rational(2, depth))
    assert sympy.simplify(in_R.rhs[0] - law) == 0


def test_eq62_variables_and_their_first_integral():
    """Eq. 62, and the layer gap carried into (r, gamma): |w1^2 - w2^2| = sqrt(r^4 - 4 log(gamma)^2 / f_V^2)."""
    model = deep.deep_exponential_eq62()
    assert model.state == (r, gamma) and all(p.holds for p in model.proofs)
    assert sympy.simplify(model.rhs[0] * r - 2 * sympy.log(gamma) / gamma) == 0
    assert sympy.simplify(model.rhs[1] - f_V**2 * r**2) == 0
    assert model.is_conserved(model.first_integral)[0]
    value = model.first_integral.subs({r: sympy.sqrt(5), gamma: sympy.exp(2 * f_V)})
    assert sympy.simplify(value - 3) == 0  # w = (2, 1): r^2 = 5, w1 w2 = 2, w1^2 - w2^2 = 3


def test_law_with_symbolic_depth_equals_the_restrictions_and_the_tied_flow_is_K_times_faster():
    assert all(p.holds for p in deep.law_proofs())
    law, tied = deep.deep_exponential_law(), deep.deep_exponential_tied()
    assert sympy.simplify(tied.rhs[0] - K * law.rhs[0]) == 0
    flow = law.compile()
    assert _rhs(flow, [1.3], [0.7, 3.0])[0] == pytest.approx(0.7 * 1.3**2 * np.exp(-0.7 * 1.3**3), rel=1e-14)


def test_one_layer_closed_form_by_dsolve_and_by_integration():
    """K = 1: SymPy's dsolve of rho' = f e^(-f rho) and the flow to t = 1e10 give log(e^(rho0 f) + f^2 t)/f."""
    tt = sympy.Symbol("t", positive=True)
    y = sympy.Function("y")
    f, rho0 = sympy.Rational(3, 4), sympy.Rational(6, 5)
    solution = sympy.dsolve(sympy.Eq(y(tt).diff(tt), f * sympy.exp(-f * y(tt))), y(tt), ics={y(0): rho0})
    closed = sympy.lambdify(tt, solution.rhs)
    times = np.geomspace(1e-3, 1e10, 40)
    assert np.allclose([float(sympy.re(closed(v))) for v in times], deep.one_layer_rho(times, 1.2, 0.75), rtol=1e-13)
    flow = deep.deep_exponential(1).compile()
    sol = solve_ivp(flow, (0, times[-1]), [1.2], method="dop853", t_eval=times, args=(np.array([0.75]),),
                    rtol=1e-12, atol=1e-14)
    assert np.abs(sol.y[0] - deep.one_layer_rho(times, 1.2, 0.75)).max() < 1e-10


@pytest.mark.parametrize("f", [0.5, 2.0])
def test_two_layers_follow_the_logarithmic_integral(f):
    """K = 2 from equal layers: li(R) - li(R0) = 2 f t, li(x) = scipy.special.expi(log x), along the full flow."""
    flow = deep.deep_exponential(2).compile()
    times = np.geomspace(1e-2, 1e10, 50)
    sol = solve_ivp(flow, (0, times[-1]), [1.0, 1.0], method="scipy:DOP853", t_eval=times, args=(np.array([f]),),
                    rtol=1e-12, atol=1e-14)
    log_R = f * sol.y[0] * sol.y[1]
    assert np.allclose(special.expi(log_R) - special.expi(f), 2 * f * times, rtol=1e-9)
    assert not np.allclose(special.expi(log_R) - special.expi(f), 4 * f * times, rtol=0.1)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_growth_integral_against_direct_quadrature(depth):
    R0, R1 = np.exp(0.8), 50.0
    direct, _ = integrate.quad(lambda z: np.log(z) ** -(2 - 2 / depth), R0, R1, epsrel=1e-12)
    assert np.exp(deep.log_growth_integral(np.log(R1), depth, 0.8)) == pytest.approx(direct, rel=1e-10)
    if depth == 2:
        assert direct == pytest.approx(special.expi(np.log(R1)) - special.expi(0.8), rel=1e-10)
    if depth == 1:
        assert direct == pytest.approx(R1 - R0, rel=1e-12)


def test_law_R_inverts_the_growth_integral_and_the_printed_constant_is_K_times_larger():
    times = np.array([1.0, 1e4, 1e8])
    for depth, f in ((2, 0.5), (3, 2.0), (5, 1.0)):
        u = deep.law_R_log(times, depth, f, 1.0)
        assert np.allclose(np.exp(deep.log_growth_integral(u, depth, 1.0)), deep.growth_rate(depth, f) * times,
                           rtol=1e-10)
        assert np.allclose(deep.law_R_log(times / depth, depth, f, 1.0, printed=True), u, rtol=1e-10)
    assert deep.growth_rate(3, 8.0) == pytest.approx(12.0)
    assert deep.growth_rate(3, 8.0, printed=True) == pytest.approx(36.0)


def test_L_has_derivative_one_over_log_squared():
    z = np.array([2.0, 10.0, 1e3, 1e8])
    h = 1e-6 * z
    assert np.allclose((deep.L(z + h) - deep.L(z - h)) / (2 * h), 1 / np.log(z) ** 2, rtol=1e-7)


def test_log_time_flow_matches_the_flow_in_t():
    law = deep.deep_exponential_law()
    flow, in_s = law.compile(), deep.in_log_time(law).compile()
    params = np.array([1.0, 3.0])
    times = np.array([1.0, 1e3, 1e8])
    direct = solve_ivp(flow, (0, times[-1]), [1.0], method="dop853", t_eval=times, args=(params,), rtol=1e-12,
                       atol=1e-14)
    start = solve_ivp(flow, (0, 1.0), [1.0], method="dop853", args=(params,), rtol=1e-12, atol=1e-14).y[0, -1]
    logged = solve_ivp(in_s, (0, np.log(times[-1])), [start], method="dop853", t_eval=np.log(times),
                       args=(params,), rtol=1e-12, atol=1e-14)
    assert np.allclose(logged.y[0], direct.y[0], rtol=1e-10)
    with pytest.raises(ModelError, match="autonomous"):
        deep.in_log_time(deep.in_log_time(law))


def test_matrix_network_flow_is_minus_the_numerical_gradient():
    widths = (2, 2, 2, 1)
    model = deep.deep_linear_exponential(widths, 2)
    assert len(model.state) == 10 and [p.name for p in model.params] == ["x1_1", "x1_2", "x2_1", "x2_2", "y1", "y2"]
    flow = model.compile()
    X, labels = np.array([[1.0, 0.5], [-0.5, 1.0]]), np.array([1.0, -1.0])

    def loss(w):
        W1, W2, W3 = w[:4].reshape(2, 2), w[4:8].reshape(2, 2), w[8:].reshape(1, 2)
        return np.exp(-labels * (W3 @ W2 @ W1 @ X.T)[0]).sum()

    w = np.random.default_rng(0).normal(size=10)
    assert np.allclose(_rhs(flow, w), -_numerical_gradient(loss, w), rtol=1e-7, atol=1e-10)
    norms = deep.frobenius_norms(widths, w[:, None])[:, 0]
    assert np.allclose(norms, [np.linalg.norm(w[:4]), np.linalg.norm(w[4:8]), np.linalg.norm(w[8:])])


@pytest.mark.parametrize("widths, N", [((2, 1), 1), ((2, 2, 1), 2), ((3, 2, 1), 2)])
def test_frobenius_rates_are_equal_for_every_layer(widths, N):
    """Theory III eq. 60, identically in weights, data and labels."""
    proofs = deep.frobenius_proofs(widths, N)
    assert len(proofs) == len(widths) - 1 and all(p.holds for p in proofs)


def test_matrix_network_needs_one_output_and_matching_data():
    with pytest.raises(ModelError, match="one output"):
        deep.network_outputs((2, 2), 1)
    with pytest.raises(ModelError, match="need 6 values"):
        deep.deep_linear_exponential((2, 1), 2, data=((1.0, 0.0),), labels=(1.0,))


@pytest.mark.parametrize("builder", [deep.theory3_deep_layers, deep.theory3_deep_balanced, deep.theory3_deep_tied,
                                     deep.theory3_deep_eq62, deep.theory3_deep_linear])
def test_registrable_builders_are_named_by_their_ids_and_carry_proofs_that_hold(builder):
    model = builder()
    assert model.id == builder.__name__
    assert model.description.splitlines()[0] == builder.__doc__.splitlines()[0]
    assert model.proofs and all(p.holds for p in model.proofs)
    assert model.compile() is not None
