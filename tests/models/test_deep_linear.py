"""The deep linear network flows derived in SymPy: the vectorised gradient, balancedness, bad input."""

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

from dynsys.models import deep_linear as dl
from dynsys.symbolic import ModelError
from dynsys.train.network import LinearNetwork

WIDTHS = (3, 2, 2, 1)
X = np.array([[1.0, 0.5, -1.0], [0.25, 2.0, 1.0]])
Y = np.array([[1.0], [-0.5]])


@pytest.fixture(scope="module")
def models():
    return {m: dl.deep_linear(WIDTHS, X, Y, m) for m in dl.METHODS}


def _unflatten(vector, widths):
    params, start = [], 0
    for a, b in zip(widths[:-1], widths[1:]):
        params.append(vector[start:start + a * b].reshape(a, b))
        start += a * b
    return params, vector[start:]


def _rhs(model):
    return sympy.lambdify([list(model.state), *model.params], list(model.rhs))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_symbolic_flows_equal_the_vectorised_gradient(models, seed):
    rng = np.random.default_rng(seed)
    network = LinearNetwork(WIDTHS)
    tau, rho, r = 0.7, 0.3, 1.9
    n_weights = sum(a * b for a, b in zip(WIDTHS[:-1], WIDTHS[1:]))
    state = rng.standard_normal(n_weights + Y.size)
    params, alpha = _unflatten(state, WIDTHS)
    f, cache = network.forward(np, params, X, keep=True)
    gd = network.backward(np, params, cache, f - Y)
    expected_gd = -np.concatenate([g.ravel() for g in gd]) / tau
    np.testing.assert_allclose(_rhs(models["gd"])(state[:n_weights], tau), expected_gd, rtol=1e-12, atol=1e-13)
    lagrangian = network.backward(np, params, cache, -alpha.reshape(Y.shape) + rho * (f - Y))
    expected = np.concatenate([-(g + p).ravel() for g, p in zip(lagrangian, params)] + [r * (Y - f).ravel()]) / tau
    np.testing.assert_allclose(_rhs(models["minnorm"])(state, tau, rho, r), expected, rtol=1e-12, atol=1e-13)


def test_balancedness_is_conserved_by_gd_and_decays_under_minnorm(models):
    weights = dl.weight_matrices(WIDTHS)
    for B, rate in zip(dl.balancedness(weights), dl.balancedness_rate(models["gd"], WIDTHS)):
        assert rate == sympy.zeros(*B.shape)
    for B, rate in zip(dl.balancedness(weights), dl.balancedness_rate(models["minnorm"], WIDTHS)):
        assert (rate + 2 * B / dl.tau).applyfunc(sympy.expand) == sympy.zeros(*B.shape)


def test_balancedness_along_integrated_flows(models):
    rng = np.random.default_rng(3)
    n_weights = len(models["gd"].state)
    start = rng.standard_normal(n_weights)

    def balance(vector):
        params, _ = _unflatten(vector, WIDTHS)
        return np.concatenate([(b @ b.T - a.T @ a).ravel() for a, b in zip(params[:-1], params[1:])])

    gd = _rhs(models["gd"])
    sol = solve_ivp(lambda t, y: gd(y, 1.0), (0, 20), start, rtol=1e-11, atol=1e-12, method="DOP853")
    assert np.abs(balance(sol.y[:, -1]) - balance(start)).max() < 1e-8
    assert np.abs(sol.y[:, -1] - start).max() > 0.1
    minnorm = _rhs(models["minnorm"])
    sol = solve_ivp(lambda t, y: minnorm(y, 1.0, 1.0, 1.0), (0, 3), np.r_[start, 0, 0], rtol=1e-11, atol=1e-12,
                    method="DOP853")
    np.testing.assert_allclose(balance(sol.y[:n_weights, -1]), balance(start) * np.exp(-6), atol=1e-9)


def test_bad_input_is_a_model_error():
    with pytest.raises(ModelError, match="do not fit"):
        dl.deep_linear((2, 2, 1), X, Y)
    with pytest.raises(ModelError, match="unknown method"):
        dl.deep_linear(WIDTHS, X, Y, "adam")
