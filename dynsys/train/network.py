"""Fully connected networks with explicit forward and backward passes.

``f(x) = W_D^T s(... s(W_1^T x + b_1) ...) + b_D`` with examples as rows:
``h_l = s(h_{l-1} W_l + b_l)``, ``W_l`` of shape ``(n_{l-1}, n_l)``; the last
layer is linear, so ``f`` is the pre-activation of the output neurons, the
``f(x^mu)`` of Minnorm App. A. The linear chain of Minnorm sec. 3.2 is
``widths=(1, 1, 1)``, linear, no biases: ``f = w2 w1 x``.
"""

from dataclasses import dataclass

import numpy as np


def _relu(xp, z):
    return xp.maximum(z, 0)


def _relu_derivative(xp, z, h):
    return (z > 0).astype(z.dtype)


def _sigmoid(xp, z):
    # 1/(1+exp(-z)) overflows exp for z << 0 in float32; tanh form does not
    return 0.5 * (1 + xp.tanh(0.5 * z))


def _sigmoid_derivative(xp, z, h):
    return h * (1 - h)


def _linear(xp, z):
    return z


def _linear_derivative(xp, z, h):
    return None  # identity: the backward pass skips the product


ACTIVATIONS = {
    "relu": (_relu, _relu_derivative),
    "linear": (_linear, _linear_derivative),
    "sigmoid": (_sigmoid, _sigmoid_derivative),
}


class NetworkError(ValueError):
    """A network specification that cannot be built (a user error)."""


@dataclass(frozen=True)
class Network:
    """The architecture: ``widths = (n_in, n_1, ..., n_out)``, hidden ``activation``, ``bias`` or not.

    Parameters live outside, as a list ``[W_1, (b_1,) W_2, (b_2,) ...]``
    (:meth:`init`), so algorithms can treat them as one list of arrays.
    """

    widths: tuple
    activation: str = "relu"
    bias: bool = True

    def __post_init__(self):
        widths = tuple(int(n) for n in self.widths)
        if len(widths) < 2 or min(widths) < 1:
            raise NetworkError(f"widths must be at least (n_in, n_out), all >= 1; got {self.widths}")
        if self.activation not in ACTIVATIONS:
            raise NetworkError(f"unknown activation {self.activation!r}; choose from {', '.join(ACTIVATIONS)}")
        object.__setattr__(self, "widths", widths)

    @property
    def depth(self):
        """Number of weight matrices D."""
        return len(self.widths) - 1

    def init(self, xp=np, sigma_w=None, seed=0, dtype=np.float64):
        """Parameters drawn i.i.d. ``N(0, sigma_w^2 / n_{l-1})`` for weights, zeros for biases.

        ``sigma_w=None`` is He's scale for ReLU (``sqrt 2``) and 1 otherwise.
        Drawn with NumPy from ``seed`` and moved to ``xp``, so both backends
        start from the same numbers.
        """
        if sigma_w is None:
            sigma_w = np.sqrt(2.0) if self.activation == "relu" else 1.0
        rng = np.random.default_rng(seed)
        params = []
        for n_in, n_out in zip(self.widths[:-1], self.widths[1:]):
            weight = rng.standard_normal((n_in, n_out)) * (sigma_w / np.sqrt(n_in))
            params.append(xp.asarray(weight, dtype=dtype))
            if self.bias:
                params.append(xp.zeros(n_out, dtype=dtype))
        return params

    def weights(self, params):
        """The weight matrices ``W_1 ... W_D`` among ``params`` (biases skipped)."""
        return params[::2] if self.bias else list(params)

    def weight_mask(self):
        """For each entry of ``params``: True for a weight matrix, False for a bias."""
        return [(not self.bias) or i % 2 == 0 for i in range(self.depth * (2 if self.bias else 1))]

    def _layers(self, params):
        step = 2 if self.bias else 1
        for layer in range(self.depth):
            yield params[step * layer], (params[step * layer + 1] if self.bias else None)

    def forward(self, xp, params, X, keep=False):
        """Outputs ``f`` of shape (P, n_out); with ``keep`` also the activations the backward pass needs."""
        activate, _ = ACTIVATIONS[self.activation]
        h, cache = X, []
        for layer, (weight, bias) in enumerate(self._layers(params)):
            z = h @ weight
            if bias is not None:
                z += bias
            out = z if layer == self.depth - 1 else activate(xp, z)
            if keep:
                cache.append((h, z, out))
            h = out
        return (h, cache) if keep else h

    def backward(self, xp, params, cache, output_gradient, out=None):
        """Gradients of ``sum_mu g_mu . f(x^mu)`` for ``g = output_gradient`` (P, n_out), one per parameter.

        The chain rule through the layers (backpropagation), written out; into
        ``out`` (arrays shaped like ``params``) when given.
        """
        out = out or [None] * len(params)
        _, derivative = ACTIVATIONS[self.activation]
        layers = list(self._layers(params))
        grads = [None] * len(params)
        step = 2 if self.bias else 1
        delta = output_gradient
        for layer in range(self.depth - 1, -1, -1):
            h_in, _, _ = cache[layer]
            weight, bias = layers[layer]
            grads[step * layer] = xp.matmul(h_in.T, delta, out=out[step * layer])
            if bias is not None:
                grads[step * layer + 1] = delta.sum(axis=0, out=out[step * layer + 1])
            if layer > 0:
                delta = delta @ weight.T
                _, z, h = cache[layer - 1]
                slope = derivative(xp, z, h)
                if slope is not None:
                    delta *= slope
        return grads


@dataclass(frozen=True)
class LinearNetwork(Network):
    """A deep linear network ``f(x) = x W_1 W_2 ... W_D`` (no biases), multiplied in the cheap order.

    The same function and gradients as ``Network(widths, "linear", bias=False)``,
    but the products are associated from the output end: the end-to-end map
    ``W_1 R_1`` with ``R_l = W_{l+1} ... W_D`` gives ``f = X (W_1 R_1)``, and the
    gradient of ``sum_mu g_mu . f(x^mu)`` is ``dW_l = B_l R_l^T`` with
    ``B_1 = X^T g``, ``B_{l+1} = W_l^T B_l`` (the matrix gradient flow of a deep
    linear network, Minnorm sec. 3.4; slides, "2-layer linear networks"). With
    ``n_out`` outputs a step costs ``O(n_out sum_l n_{l-1} n_l + P n_0 n_out)``
    instead of ``O(P sum_l n_{l-1} n_l)``: for one output every product is a
    matrix-vector one and every gradient a rank-one matrix.
    """

    activation: str = "linear"
    bias: bool = False

    def __post_init__(self):
        if self.activation != "linear" or self.bias:
            raise NetworkError("a LinearNetwork is linear and has no biases")
        super().__post_init__()

    def suffix_products(self, xp, params):
        """``[R_1, ..., R_{D-1}]`` with ``R_l = W_{l+1} ... W_D`` (shape ``(n_l, n_out)``), from the output end."""
        products = [params[-1]]
        for weight in params[-2:0:-1]:
            products.append(weight @ products[-1])
        return products[::-1]

    def end_to_end(self, xp, params):
        """The end-to-end map ``W_1 W_2 ... W_D``, shape ``(n_in, n_out)``."""
        return params[0] @ self.suffix_products(xp, params)[0] if self.depth > 1 else params[0]

    def forward(self, xp, params, X, keep=False):
        suffix = self.suffix_products(xp, params)
        f = X @ (params[0] @ suffix[0] if self.depth > 1 else params[0])
        return (f, (X, suffix)) if keep else f

    def backward(self, xp, params, cache, output_gradient, out=None):
        X, suffix = cache
        out = out or [None] * self.depth
        back = X.T @ output_gradient  # B_1
        grads = []
        for layer in range(self.depth - 1):
            # one output: an outer product; BLAS's k = 1 matrix product is several times slower
            product = xp.multiply if back.shape[1] == 1 else xp.matmul
            grads.append(product(back, suffix[layer].T, out=out[layer]))
            back = params[layer].T @ back
        if out[-1] is None:
            grads.append(back)
        else:
            out[-1][...] = back
            grads.append(out[-1])
        return grads
