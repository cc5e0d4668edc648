"""Theory III's multilayer structure (sec. 4.5, eq. 17-22) on a two-layer linear network, and weight normalisation (eq. 52-53).

``f(x) = w2^T W1 x`` (``W1`` is ``hidden x d``), exponential loss ``L = sum_n
exp(-y_n f(x_n))``; layer norms ``rho_k = |W_k|_F``, directions ``V_k = W_k /
rho_k``, ``rho = rho_1 rho_2`` and ``f = rho f~(V)``. Three flows, each derived
from its own definition:

* ``two_layer_linear``: gradient descent on ``(W1, w2)`` (eq. 17);
* ``two_layer_rho_v``: the same flow lifted layer by layer, ``W_k = rho_k
  V_k`` (``polar`` applied once per layer, each lift proved; eq. 18-21);
* ``two_layer_constrained``: gradient descent on ``L(rho_1 V_1, rho_2 V_2)``
  in ``rho_k`` and, on the unit spheres, in ``V_k`` by tangent gradient
  (``V_k' = -S_k dL/dV_k``) or by Lagrange multipliers ``lambda_k`` solved
  from ``V_k.V_k' = 0`` (eq. 22, dynamics (B) of Theorem 1).

``weight_normalisation`` is gradient descent on ``L(g v/|v|)`` in ``(g, v)``
for a one-layer network (Salimans and Kingma; Theory III eq. 52-53), with
``|v|`` free.

The example data are Fig. 2's two examples with the second mirrored and
relabelled, ``x1 = (1, 1/4)`` (+1), ``x2 = (-1/2, -1)`` (-1), so that both
labels occur; ``theory3_two_layer_gd``, ``theory3_two_layer_rho_v``,
``theory3_two_layer_constrained`` and ``theory3_weight_normalisation`` (on
Fig. 2's data) build named models for the registry.
"""

import inspect

import sympy

from dynsys.symbolic import Descent, Model, ModelError

from . import theory3
from .shallow import _data
from .theory3 import directions

tau = sympy.Symbol("tau", positive=True)
rho1, rho2 = sympy.symbols("rho1 rho2", positive=True)
g = sympy.Symbol("g", positive=True)
VARIANTS = ("tangent", "lagrange")
EXAMPLE_X = ((1, sympy.Rational(1, 4)), (-sympy.Rational(1, 2), -1))  # Fig. 2's examples, the second mirrored
EXAMPLE_LABELS = (1, -1)


def layer_symbols(hidden, d, prefix="W1", vector_prefix="w2"):
    """The entries of ``W1`` (``hidden x d``, row-major) and of ``w2`` (``hidden``), as real symbols."""
    first = sympy.Matrix(hidden, d, lambda i, j: sympy.Symbol(f"{prefix}_{i + 1}{j + 1}", real=True))
    second = sympy.Matrix([sympy.Symbol(f"{vector_prefix}_{i + 1}", real=True) for i in range(hidden)])
    return first, second


def network(first, second, x):
    """``f(x) = w2^T W1 x``, the two-layer linear network (1-homogeneous in each layer)."""
    return (second.T * first * sympy.Matrix(x))[0]


def loss(first, second, rows, signs):
    """``L = sum_n exp(-y_n f(x_n))`` (Theory III eq. 17's loss)."""
    return sum(sympy.exp(-y * network(first, second, x)) for x, y in zip(rows, signs))


def two_layer_linear(X=EXAMPLE_X, labels=EXAMPLE_LABELS, hidden=2, id=None):
    """Gradient descent on the exponential loss of ``f = w2^T W1 x``: ``W_k' = -dL/dW_k`` (Theory III eq. 17)."""
    rows, signs = _data(X, labels)
    first, second = layer_symbols(hidden, len(rows[0]))
    weights = (*first, *second)
    return Model(id or f"theory3_two_layer_h{hidden}", weights, (tau,), {"tau": 1.0},
                 objective=loss(first, second, rows, signs), groups=(Descent(weights, tau),),
                 description=inspect.getdoc(two_layer_linear), equations="Theory III eq. 17")


def direction_symbols(hidden, d):
    """``V1`` (``hidden x d``) and ``v2`` (``hidden``): the layers' unit-norm directions."""
    return layer_symbols(hidden, d, prefix="V1", vector_prefix="v2")


def two_layer_rho_v(X=EXAMPLE_X, labels=EXAMPLE_LABELS, hidden=2, id=None):
    """Gradient descent on ``(W1, w2)`` lifted per layer to ``(rho_k, V_k)`` (Theory III eq. 18-21).

    ``rho_k' = V_k.W_k'``, ``V_k' = S_k W_k'/rho_k``.

    State ``(rho1, V1 entries, rho2, v2 entries)``; both lifts carry their proofs.
    """
    base = two_layer_linear(X, labels, hidden)
    d = len(base.state) // hidden - 1
    first, second = layer_symbols(hidden, d)
    V1, v2 = direction_symbols(hidden, d)
    lifted = base.polar(list(second), rho2, list(v2))
    return lifted.polar(list(first), rho1, list(V1), id=id or f"{base.id}_rho_v",
                        description=inspect.getdoc(two_layer_rho_v), equations="Theory III eq. 18-21")


def _tangent(gradient, V):
    """``S g`` with ``S = I - V V^T`` (Theory III sec. 4.5, relation 2)."""
    return gradient - (V.T * gradient)[0] * V


def _lagrange_rate(gradient, V):
    """``-dL/dV - 2 lambda V`` with ``lambda`` solved from ``V.V' = 0`` on ``|V| = 1`` (Theory III eq. 24-25, 42-45).

    Solved once for a placeholder gradient ``G`` (the equation is linear in
    ``lambda``), then evaluated at the actual gradient.
    """
    lam = sympy.Symbol("lambda")
    G = sympy.Matrix(sympy.symbols(f"G1:{len(V) + 1}"))
    (value,) = sympy.solve(-(V.T * G)[0] - 2 * lam, lam)
    return -gradient - 2 * value.subs(dict(zip(G, gradient)), simultaneous=True) * V


def two_layer_constrained(X=EXAMPLE_X, labels=EXAMPLE_LABELS, hidden=2, variant="tangent", id=None):
    """Gradient descent on ``L(rho_1 V_1, rho_2 V_2)`` keeping ``|V_k| = 1`` (Theory III eq. 22, dynamics B).

    ``rho_k' = -dL/drho_k``; ``tangent``: ``V_k' = -S_k dL/dV_k``; ``lagrange``:
    ``V_k' = -dL/dV_k - 2 lambda_k V_k`` with ``lambda_k`` solving ``V_k.V_k' = 0``
    on ``|V_k| = 1``.
    """
    if variant not in VARIANTS:
        raise ModelError(f"unknown variant '{variant}'; known: {', '.join(VARIANTS)}")
    rows, signs = _data(X, labels)
    V1, v2 = direction_symbols(hidden, len(rows[0]))
    objective = loss(rho1 * V1, rho2 * v2, rows, signs)
    rates = []
    for norm, V in ((rho1, sympy.Matrix(list(V1))), (rho2, v2)):
        gradient = sympy.Matrix([objective.diff(v) for v in V])
        if variant == "tangent":
            direction_rate = -_tangent(gradient, V)
        else:
            direction_rate = _lagrange_rate(gradient, V)
        rates += [-objective.diff(norm), *direction_rate]
    return Model(id or f"theory3_two_layer_h{hidden}_{variant}", (rho1, *V1, rho2, *v2), (tau,), {"tau": 1.0},
                 rhs=[r / tau for r in rates], description=inspect.getdoc(two_layer_constrained),
                 equations="Theory III eq. 22")


def weight_normalisation(X, labels, id=None):
    """Weight normalisation of a one-layer network: gradient descent on ``L(g v/|v|)`` in ``(g, v)`` (Theory III eq. 52-53).

    ``g' = v.w'/|v|``, ``v' = g S w'/|v|`` with ``S = I - v v^T/|v|^2`` and
    ``w' = -dL/dw`` at ``w = g v/|v|``; ``|v|`` is free (and constant in time).
    """
    rows, signs = _data(X, labels)
    v = sympy.Matrix(directions(len(rows[0])))
    w = g * v / sympy.sqrt((v.T * v)[0])
    objective = sum(sympy.exp(-y * (w.T * x)[0]) for x, y in zip(rows, signs))
    state = (g, *v)
    return Model(id or f"theory3_weight_normalisation_P{len(rows)}_d{len(rows[0])}", state, (tau,), {"tau": 1.0},
                 objective=objective, groups=(Descent(state, tau),), description=inspect.getdoc(weight_normalisation),
                 equations="Theory III eq. 52-53")


def theory3_two_layer_gd():
    """Two-layer linear network f = w2^T W1 x, exponential loss, gradient descent on (W1, w2) (Theory III eq. 17)."""
    return two_layer_linear(id="theory3_two_layer_gd")


def theory3_two_layer_rho_v():
    """Two-layer linear network, gradient descent lifted per layer to (rho_k, V_k), proved (Theory III eq. 18-21)."""
    return two_layer_rho_v(id="theory3_two_layer_rho_v")


def theory3_two_layer_constrained():
    """Two-layer linear network, gradient descent in rho_k and on the unit spheres in V_k: dynamics B (Theory III eq. 22)."""
    return two_layer_constrained(id="theory3_two_layer_constrained")


def theory3_weight_normalisation():
    """Fig. 2's network under weight normalisation w = g v/|v| with |v| free (Theory III eq. 52-53)."""
    return weight_normalisation(theory3.EXAMPLE_X, theory3.EXAMPLE_LABELS, id="theory3_weight_normalisation")
