"""The slides' two-layer linear network and one-hidden-layer polynomial network, columns as examples.

Slides (Yuan Yao), "2-Layer Linear Networks" and "1-hidden layer polynomial
network" (eq. 15-17): ``X in R^{d,n}``, ``Y in R^{d',n}``, ``W1 in R^{N,d}``,
``W2 in R^{d',N}``, ``L = |W2 (W1 X)^m - Y|^2 / 2`` with the power taken entry
by entry (``m = 1``: the linear network), ``E = W2 (W1 X)^m - Y``.

The training engine takes examples as rows (``h = x W``): its parameters are
``[W1^T, W2^T]`` of ``Network((d, N, d'), activation="linear", bias=False)``
and its data ``(X^T, Y^T)`` (:func:`engine_params`, :func:`dataset`). Its
``GradientDescent`` averages the loss over the batch, so a full-batch step at
``eta`` is ``W <- W - (eta / n) grad L``.

SymPy helpers (:func:`matrix_symbols`, :func:`vec`, :func:`matrix_gradient`,
:func:`hessian`) differentiate a scalar of matrices in a chosen vec convention:
``vec`` stacks columns, so ``hessian(L, [W1.T, W2.T])`` is the Hessian in the
slides' ``w = vec(W1^T, W2^T)``. The closed forms (:func:`gradients`,
:func:`hessian_blocks`) are the derived ones, where the slides misprint.
"""

import numpy as np
import sympy

from ..algorithms import GradientDescent
from ..datasets import Dataset
from ..loop import train
from ..network import Network


class TwoLayerError(ValueError):
    """Matrices whose shapes do not fit the two-layer network (a user error)."""


# ---------------------------------------------------------------- shapes


def check_shapes(W1, W2, X, Y=None):
    """``(N, d, d', n)`` of ``W1 (N, d)``, ``W2 (d', N)``, ``X (d, n)``, ``Y (d', n)``; TwoLayerError unless they fit."""
    shapes = [tuple(M.shape) for M in (W1, W2, X)]
    if any(len(s) != 2 for s in shapes):
        raise TwoLayerError(f"W1, W2, X must be matrices, got shapes {shapes}")
    (N, d), (d_out, N2), (d2, n) = shapes
    if N2 != N or d2 != d:
        raise TwoLayerError(f"shapes do not fit W2 (d', N) W1 (N, d) X (d, n): W1 {shapes[0]}, W2 {shapes[1]}, "
                            f"X {shapes[2]}")
    if Y is not None and tuple(Y.shape) != (d_out, n):
        raise TwoLayerError(f"Y must have shape (d', n) = {(d_out, n)}, got {tuple(Y.shape)}")
    return N, d, d_out, n


def _power(M, m):
    """The entrywise power ``M^m`` (eq. 15), of a SymPy or NumPy matrix."""
    if not isinstance(m, (int, np.integer)) or isinstance(m, bool) or m < 1:
        raise TwoLayerError(f"the power m must be a positive integer, got {m!r}")
    return M.applyfunc(lambda e: e**m) if isinstance(M, sympy.MatrixBase) else M**m


def _hadamard(A, B):
    return A.multiply_elementwise(B) if isinstance(A, sympy.MatrixBase) else A * B


# ---------------------------------------------------------------- the loss, SymPy or NumPy


def error(W1, W2, X, Y, m=1):
    """``E = W2 (W1 X)^m - Y`` (slides, "Model description"; eq. 15-16)."""
    check_shapes(W1, W2, X, Y)
    return W2 @ _power(W1 @ X, m) - Y


def loss(W1, W2, X, Y, m=1):
    """``L = |E|_F^2 / 2``, a SymPy expression for SymPy matrices, else a float."""
    E = error(W1, W2, X, Y, m)
    if isinstance(E, sympy.MatrixBase):
        return sum(e**2 for e in E) / 2
    return 0.5 * float(np.sum(E**2))


def gradients(W1, W2, X, Y, m=1):
    """``(grad_W1 L, grad_W2 L)`` derived for eq. 15: ``[m (W1 X)^(m-1) o (W2^T E)] X^T`` and ``E ((W1 X)^m)^T``.

    For ``m = 1`` these are the linear network's ``W2^T E X^T`` and ``E X^T W1^T``
    (slides, "Gradient dynamics and Hessian"; Lemma 4's proof). The bracket,
    ``E' = m (W1 X)^(m-1) o (W2^T E)``, is ``N x n`` (claim ``slides.polynomial.eq16``).
    """
    E = error(W1, W2, X, Y, m)
    H = W1 @ X
    back = W2.T @ E
    E_prime = m * _hadamard(_power(H, m - 1), back) if m > 1 else back
    return E_prime @ X.T, E @ _power(H, m).T


def hessian_blocks(W1, W2, X, Y):
    """The Hessian of the linear network's ``L`` in ``w = vec(W1^T), vec(W2^T)`` as ``(H11, C, H22)`` (NumPy).

    ``H11 = W2^T W2 (x) X X^T`` and ``C = [W2^T (x) X X^T W1^T] + [I_N (x) X (E^T)_.1, ..., I_N (x) X (E^T)_.d']``
    as printed on the slide; ``H22 = I_d' (x) W1 X X^T W1^T``, derived (the slide prints
    ``I_d' (x) X X^T W1 X X^T W1``). The full Hessian is ``[[H11, C], [C^T, H22]]``.
    """
    N, d, d_out, n = check_shapes(W1, W2, X, Y)
    E = W2 @ W1 @ X - Y
    G = X @ X.T
    H11 = np.kron(W2.T @ W2, G)
    C = np.kron(W2.T, G @ W1.T) + np.hstack([np.kron(np.eye(N), (X @ E.T[:, [i]])) for i in range(d_out)])
    H22 = np.kron(np.eye(d_out), W1 @ G @ W1.T)
    return H11, C, H22


def full_hessian(W1, W2, X, Y):
    """``[[H11, C], [C^T, H22]]`` of :func:`hessian_blocks`."""
    H11, C, H22 = hessian_blocks(W1, W2, X, Y)
    return np.block([[H11, C], [C.T, H22]])


# ---------------------------------------------------------------- SymPy: derivatives in a vec convention


def matrix_symbols(name, rows, cols):
    """A ``rows x cols`` SymPy matrix of real symbols ``{name}_{i}{j}`` (indices from 1)."""
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def vec(M):
    """The columns of ``M`` stacked: a SymPy column matrix, or a flat NumPy array."""
    if isinstance(M, sympy.MatrixBase):
        return sympy.Matrix([M[i, j] for j in range(M.cols) for i in range(M.rows)])
    return np.asarray(M).reshape(-1, order="F")


def matrix_gradient(L, M):
    """The matrix ``dL/dM`` (entry ``i, j`` is ``dL/dM_ij``) of a SymPy scalar ``L``; ``M`` holds symbols."""
    return M.applyfunc(lambda s: sympy.diff(L, s))


def hessian(L, blocks):
    """The Hessian of ``L`` in the variables ``vec(blocks[0]), vec(blocks[1]), ...`` (each block holds symbols).

    Pass ``[W1.T, W2.T]`` for the slides' ``w = vec(W1^T, W2^T)``, ``[W1, W2]`` for column stacking of ``W``.
    """
    variables = [v for B in blocks for v in vec(B)]
    if len(set(variables)) != len(variables) or not all(isinstance(v, sympy.Symbol) for v in variables):
        raise TwoLayerError("the blocks must hold distinct symbols")
    # the gradient once, then its Jacobian: many times faster than sympy.hessian on a sum of squares
    gradient = [sympy.diff(L, v) for v in variables]
    return sympy.Matrix(len(variables), len(variables), lambda i, j: sympy.diff(gradient[i], variables[j]))


# ---------------------------------------------------------------- least squares


def min_norm(X, Y):
    """``A*_min = Y X^T (X X^T)^+`` (slides, "GD and SGD converge to the minimum norm solution")."""
    return Y @ X.T @ np.linalg.pinv(X @ X.T)


def null_projector(X):
    """The orthogonal projector ``I - X X^+`` onto ``Null(X^T)`` (the complement of ``Col(X)``), ``d x d``."""
    return np.eye(X.shape[0]) - X @ np.linalg.pinv(X)


def finite_difference_gradient(f, w, h=1e-6):
    """Central differences ``(f(w + h e_i) - f(w - h e_i)) / 2h`` of a scalar ``f`` of a flat array ``w``."""
    w = np.asarray(w, float)
    out = np.empty_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        out[i] = (f(w + e) - f(w - e)) / (2 * h)
    return out


def finite_difference_jacobian(g, w, h=1e-6):
    """Central differences of a vector ``g`` of a flat ``w`` (rows: outputs); the Hessian of ``f`` if ``g = grad f``."""
    w = np.asarray(w, float)
    columns = []
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        columns.append((np.asarray(g(w + e)) - np.asarray(g(w - e))) / (2 * h))
    return np.stack(columns, axis=1)


# ---------------------------------------------------------------- the training engine (rows as examples)


def network(d, N, d_out):
    """``Network((d, N, d'), activation="linear", bias=False)``: ``f(x) = x W1^T W2^T`` for a row ``x``."""
    return Network((d, N, d_out), activation="linear", bias=False)


def engine_params(W1, W2):
    """The engine's parameters ``[W1^T, W2^T]`` of the slides' ``W1, W2``."""
    return [np.array(W1, float).T.copy(), np.array(W2, float).T.copy()]


def slides_params(params):
    """``(W1, W2)`` of the engine's parameters ``[W1^T, W2^T]``."""
    return params[0].T, params[1].T


def dataset(X, Y=None, labels=None, name="two-layer"):
    """The engine's data set of columns ``X``: regression targets ``Y^T``, or binary class ``labels`` (0/1)."""
    if (Y is None) == (labels is None):
        raise TwoLayerError("give regression targets Y or class labels, not both or neither")
    if labels is not None:
        return Dataset(np.asarray(X, float).T, np.asarray(labels, np.int64), 2, name)
    return Dataset(np.asarray(X, float).T, np.asarray(Y, float).T, None, name)


def run(X, Y, W1, W2, eta, epochs, batch_size=None, seed=0, record_every=1, labels=None, loss_name="squared"):
    """Minibatch gradient descent of the engine from ``(W1, W2)``: ``[(W1, W2), ...]`` per recorded epoch, History.

    ``GradientDescent(eta, loss=loss_name)`` on ``network(d, N, d')`` with
    ``train(..., batch_size, record_params=True)``; ``batch_size=None`` is full
    batch (one step an epoch). With ``labels`` (and ``Y=None``) the data are
    binary classes for a margin loss (``"bce"``, ``"exponential"``).
    """
    N, d, d_out, n = check_shapes(W1, W2, X, Y)
    history = train(network(d, N, d_out), GradientDescent(eta, loss=loss_name), dataset(X, Y, labels), epochs,
                    batch_size, seed=seed, params=engine_params(W1, W2), record_every=record_every,
                    record_params=True)
    return [slides_params(p) for p in history.params], history


def engine_gradients(W1, W2, X, Y):
    """``(grad_W1 L, grad_W2 L)`` computed by the engine's backward pass (its mean-loss gradient times ``n``)."""
    N, d, d_out, n = check_shapes(W1, W2, X, Y)
    net = network(d, N, d_out)
    algorithm = GradientDescent(1.0, loss="squared")
    state = algorithm.start(np, net, engine_params(W1, W2), n)
    data = dataset(X, Y)
    grads = algorithm.objective_gradient(np, net, state, np.arange(n), data.X, data.y)
    return n * grads[0].T, n * grads[1].T
