"""LinearNetwork: the deep linear network multiplied from the output end, against the generic backpropagation."""

import numpy as np
import pytest

from dynsys.train.algorithms import GradientDescent, MinnormRegression
from dynsys.train.loop import trajectory
from dynsys.train.network import LinearNetwork, Network, NetworkError

WIDTHS = [(6, 1), (5, 4, 3, 2), (7, 3, 1), (4, 6, 6, 6, 1)]


def _data(widths, seed=0, n=9):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, widths[0])), rng.standard_normal((n, widths[-1]))


@pytest.mark.parametrize("widths", WIDTHS)
def test_outputs_and_gradients_equal_the_generic_network(widths):
    X, g = _data(widths)
    generic, linear = Network(widths, "linear", bias=False), LinearNetwork(widths)
    params = generic.init(np, sigma_w=1.3, seed=4)
    f_generic, cache_generic = generic.forward(np, params, X, keep=True)
    f_linear, cache_linear = linear.forward(np, params, X, keep=True)
    np.testing.assert_allclose(f_linear, f_generic, rtol=1e-13, atol=1e-14)
    for a, b in zip(linear.backward(np, params, cache_linear, g), generic.backward(np, params, cache_generic, g)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    product = params[0]
    for weight in params[1:]:
        product = product @ weight
    np.testing.assert_allclose(linear.end_to_end(np, params), product, rtol=1e-13)


@pytest.mark.parametrize("network", [LinearNetwork((5, 4, 3, 2)), Network((5, 4, 3, 2), "relu", bias=True)])
def test_backward_into_buffers_equals_fresh_arrays(network):
    X, g = _data(network.widths, seed=1)
    params = network.init(np, seed=2)
    _, cache = network.forward(np, params, X, keep=True)
    fresh = network.backward(np, params, cache, g)
    out = [np.full_like(p, np.nan) for p in params]
    written = network.backward(np, params, cache, g, out=out)
    for a, b, o in zip(written, fresh, out):
        assert a is o
        np.testing.assert_array_equal(a, b)


def test_gradient_matches_finite_differences():
    widths = (4, 3, 3, 1)
    X, y = _data(widths, seed=3)
    network = LinearNetwork(widths)
    params = network.init(np, sigma_w=1.0, seed=5)

    def loss(ps):
        return 0.5 * np.sum((network.forward(np, ps, X) - y) ** 2)

    f, cache = network.forward(np, params, X, keep=True)
    grads = network.backward(np, params, cache, f - y)
    h = 1e-6
    for layer, grad in enumerate(grads):
        for index in np.ndindex(grad.shape):
            up = [p.copy() for p in params]
            down = [p.copy() for p in params]
            up[layer][index] += h
            down[layer][index] -= h
            assert abs((loss(up) - loss(down)) / (2 * h) - grad[index]) < 1e-7


@pytest.mark.parametrize("algorithm", [lambda: GradientDescent(0.05, loss="squared"),
                                       lambda: MinnormRegression(0.05, s=0.05, rho=0.5)])
def test_engine_iterates_are_those_of_the_generic_network(algorithm):
    from dynsys.train.datasets import Dataset

    widths = (6, 5, 5, 1)
    X, y = _data(widths, seed=6, n=4)
    data = Dataset(X, y, None, "test")
    params = Network(widths, "linear", bias=False).init(np, sigma_w=1.0, seed=7)
    generic = trajectory(Network(widths, "linear", bias=False), algorithm(), data, 50, params)
    linear = trajectory(LinearNetwork(widths), algorithm(), data, 50, params)
    np.testing.assert_allclose(linear, generic, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kwargs", [{"activation": "relu"}, {"bias": True}])
def test_a_linear_network_is_linear_without_biases(kwargs):
    with pytest.raises(NetworkError, match="linear and has no biases"):
        LinearNetwork((3, 2, 1), **kwargs)
