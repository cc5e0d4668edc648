"""Deep linear networks as flows (Minnorm sec. 3.4, eq. 36; slides, "2-layer linear networks").

``f(x) = x W_1 W_2 ... W_D`` with examples as rows (``W_l`` of shape
``(n_{l-1}, n_l)``, the engine's convention; the slides' ``W_2 W_1 X`` is its
transpose). Two flows, both derived from their objective at a given (small)
size, every weight entry a state variable:

* gradient descent on the squared error, ``tau W_l' = -dE/dW_l``,
  ``E = sum_mu |f(x_mu) - y_mu|^2 / 2``;
* Minnorm (eq. 3, 12-14): ``L = sum_l |W_l|^2/2 + sum_mu alpha_mu . (y_mu -
  f(x_mu)) + rho/2 sum_mu |f(x_mu) - y_mu|^2``, weights descending,
  multipliers ascending at rate ``r``.

For large sizes the same flow is :class:`dynsys.train.network.LinearNetwork`'s
gradient (tested against this derivation). The balancedness matrices
``B_l = W_{l+1} W_{l+1}^T - W_l^T W_l`` (``n_l x n_l``) are conserved by
gradient descent and decay like ``exp(-2t/tau)`` under Minnorm, whatever the
data (``balancedness_rate`` proves both at the model's size).
"""

import sympy

from dynsys.symbolic import Ascent, Descent, Model, ModelError

tau = sympy.Symbol("tau", positive=True)
rho = sympy.Symbol("rho", nonnegative=True)
r = sympy.Symbol("r", positive=True)
METHODS = ("gd", "minnorm")


def weight_matrices(widths):
    """The symbolic weights ``W_l`` (entries ``W{l}_{i}_{j}``, real), ``l = 1..D``."""
    return [sympy.Matrix(a, b, lambda i, j, l=l: sympy.Symbol(f"W{l}_{i + 1}_{j + 1}", real=True))
            for l, (a, b) in enumerate(zip(widths[:-1], widths[1:]), start=1)]


def end_to_end(weights):
    """``W_1 W_2 ... W_D``."""
    product = weights[0]
    for weight in weights[1:]:
        product = product * weight
    return product


def deep_linear(widths, X, Y, method="gd", id=None, tau_value=1.0, rho_value=1.0, r_value=1.0):
    """A deep linear network's training flow on data ``X`` (P, n_0), ``Y`` (P, n_D): ``method`` gd or minnorm.

    Derived from the objective (Minnorm eq. 3 for ``minnorm``; the squared
    error for ``gd``), never typed in. Numbers in ``X``, ``Y`` are made exact
    (``sympy.nsimplify``), so proofs about the flow are exact.
    """
    widths = tuple(int(n) for n in widths)
    if method not in METHODS:
        raise ModelError(f"unknown method '{method}'; known: {', '.join(METHODS)}")
    X = sympy.Matrix(X).applyfunc(sympy.nsimplify)
    Y = sympy.Matrix(Y).applyfunc(sympy.nsimplify)
    if len(widths) < 2 or X.shape[1] != widths[0] or Y.shape != (X.shape[0], widths[-1]):
        raise ModelError(f"widths {widths} do not fit X {X.shape} and Y {Y.shape}")
    weights = weight_matrices(widths)
    state = [entry for W in weights for entry in W]
    residual = X * end_to_end(weights) - Y
    squared_error = sum(e**2 for e in residual) / 2
    name = id or f"deep_linear_{method}_{'_'.join(map(str, widths))}"
    if method == "gd":
        return Model(name, state, (tau,), {"tau": tau_value}, objective=squared_error,
                     groups=(Descent(state, tau),), equations="slides, 2-layer linear networks; Minnorm sec. 3.4",
                     description=f"Gradient descent on the squared error of the deep linear network {widths}.")
    alpha = sympy.Matrix(*Y.shape, lambda mu, i: sympy.Symbol(f"alpha{mu + 1}_{i + 1}", real=True))
    norm = sum(entry**2 for entry in state) / 2
    lagrangian = norm - sum(a * e for a, e in zip(alpha, residual)) + rho * squared_error
    return Model(name, [*state, *alpha], (tau, rho, r), {"tau": tau_value, "rho": rho_value, "r": r_value},
                 objective=lagrangian, groups=(Descent(state, tau), Ascent(list(alpha), tau, r)),
                 equations="Minnorm eq. 3, 12-14, 36",
                 description=f"Minnorm on the deep linear network {widths}: dual ascent on the augmented Lagrangian.")


def balancedness(weights):
    """``B_l = W_{l+1} W_{l+1}^T - W_l^T W_l`` for ``l = 1..D-1`` (the row convention of ``W_l``)."""
    return [nxt * nxt.T - cur.T * cur for cur, nxt in zip(weights[:-1], weights[1:])]


def balancedness_rate(model, widths):
    """``dB_l/dt`` along the flow of ``model`` (built by :func:`deep_linear` with ``widths``), expanded.

    Zero for gradient descent and ``-2 B_l / tau`` for Minnorm, for any data.
    """
    weights = weight_matrices(tuple(int(n) for n in widths))
    velocity = dict(zip(model.state, model.rhs))
    rates = []
    for B in balancedness(weights):
        rates.append(B.applyfunc(lambda entry: sympy.expand(sum(entry.diff(v) * velocity[v] for v in entry.free_symbols
                                                                 if v in velocity))))
    return rates
