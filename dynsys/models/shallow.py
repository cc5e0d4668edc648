"""The shallow (zero hidden layer) binary classifier of Minnorm sec. 3.3 and App. A.

``shallow_classifier(X, labels, loss)`` and ``shallow_minnorm_classifier(X,
labels)`` build the flows for any small data set (P examples, d inputs, output
``f = W.x (+ b)``). The registered models are sec. 3.3's example, one example
per class: ``x1 = (1, 1)/sqrt 2`` (label +1) and ``x2 = -x1`` (label -1). The
flows are derived from the loss and the Lagrangian of App. A, never typed in;
the reduced systems come from reductions that prove themselves.
"""

import inspect

import sympy

from dynsys.symbolic import Ascent, Descent, Model, ModelError

w1, w2 = sympy.symbols("w1 w2", real=True)
wpar, wperp = sympy.symbols("wpar wperp", real=True)
alpha1, alpha2 = sympy.symbols("alpha1 alpha2", real=True)
tau = sympy.Symbol("tau", positive=True)
r = sympy.Symbol("r", positive=True)

X = (sympy.Matrix([1, 1]) / sympy.sqrt(2), -sympy.Matrix([1, 1]) / sympy.sqrt(2))
LABELS = (1, -1)

LOSSES = {
    "bce": lambda margin: sympy.log(1 + sympy.exp(-margin)),  # cross-entropy of sigma(f), labels in {0, 1}
    "exponential": lambda margin: sympy.exp(-margin),
}


def _exact(value):
    """A SymPy number: floats become the rationals they are, SymPy expressions stay exact (sqrt 2 stays sqrt 2)."""
    return value if isinstance(value, sympy.Basic) else sympy.nsimplify(float(value), rational=True)


def _data(X, labels):
    """Exact SymPy rows of ``X`` (P x d) and labels as signs +-1 (labels may be {0, 1} or {-1, +1})."""
    rows = [sympy.Matrix([_exact(v) for v in row]) for row in X]
    if not rows or len({len(row) for row in rows}) != 1:
        raise ModelError("X must be a non-empty P x d array")
    values = sorted({int(v) for v in labels} if len(labels) == len(rows) else {})
    if values not in ([0, 1], [-1, 1]) and values not in ([0], [1], [-1]):
        raise ModelError(f"labels must be one per example, in {{0, 1}} or {{-1, +1}}; got {sorted(set(labels))}")
    signs = [1 if int(v) == 1 else -1 for v in labels]
    return rows, signs


def _weights(d, bias):
    weights = sympy.symbols(f"w1:{d + 1}", real=True)
    return weights, (sympy.Symbol("b", real=True),) if bias else ()


def _margins(rows, signs, weights, bias):
    """``y_mu f(x_mu)`` with ``f = W.x (+ b)``."""
    offset = bias[0] if bias else 0
    return [y * (sum(w * x for w, x in zip(weights, row)) + offset) for row, y in zip(rows, signs)]


def shallow_classifier(X, labels, loss="bce", bias=False, tau_value=0.1, id=None, description=None, equations=None):
    """Gradient flow on a margin loss for a shallow classifier on any data (Minnorm eq. 20-22; slides, Soudry et al.).

    ``tau dW/dt = -dL/dW`` with ``L = sum_mu l(y_mu f(x_mu))``, ``l(u) = log(1 +
    exp(-u))`` (``loss="bce"``, the cross-entropy of ``sigma(f)``) or ``exp(-u)``
    (``"exponential"``); ``f = W.x``, plus an (unpenalised) bias ``b`` if asked.
    """
    if loss not in LOSSES:
        raise ModelError(f"unknown loss '{loss}'; known: {', '.join(LOSSES)}")
    rows, signs = _data(X, labels)
    weights, offset = _weights(len(rows[0]), bias)
    objective = sum(LOSSES[loss](m) for m in _margins(rows, signs, weights, offset))
    return Model(id or f"shallow_{loss}_P{len(rows)}_d{len(rows[0])}", weights + offset, (tau,), {"tau": tau_value},
                 objective=objective, groups=(Descent(weights + offset, tau),),
                 description=description or inspect.getdoc(shallow_classifier),
                 equations=equations or "Minnorm eq. 20-22")


def shallow_minnorm_classifier(X, labels, bias=False, tau_value=1.0, r_value=0.25, id=None, description=None,
                               equations=None):
    """Minnorm for a shallow binary classifier on any data, multipliers projected onto alpha >= 0 (Minnorm App. A eq. 38).

    ``L = |W|^2/2 + sum_mu alpha_mu (1 - y_mu f(x_mu))`` with ``f = W.x (+ b)``,
    the bias unpenalised as in the hard-margin SVM; the weights descend it
    (``tau dW/dt = -dL/dW``), the multipliers ascend it at rate ``r`` and stay
    non-negative (a projected flow). At a fixed point ``W = sum_mu alpha_mu y_mu
    x_mu`` (eq. 6) and the alphas are the SVM's dual coefficients.
    """
    rows, signs = _data(X, labels)
    weights, offset = _weights(len(rows[0]), bias)
    alphas = sympy.symbols(f"alpha1:{len(rows) + 1}", real=True)
    margins = _margins(rows, signs, weights, offset)
    lagrangian = sum(w**2 for w in weights) / 2 + sum(a * (1 - m) for a, m in zip(alphas, margins))
    return Model(id or f"shallow_minnorm_P{len(rows)}_d{len(rows[0])}", weights + offset + alphas, (tau, r),
                 {"tau": tau_value, "r": r_value}, objective=lagrangian,
                 groups=(Descent(weights + offset, tau), Ascent(alphas, tau, r, projection="nonnegative")),
                 description=description or inspect.getdoc(shallow_minnorm_classifier),
                 equations=equations or "Minnorm eq. 29-30, 38")


def shallow_bce():
    """Shallow classifier, gradient descent on the binary cross-entropy (Minnorm eq. 20-22).

    ``tau dW/dt = -dL/dW`` with ``L = sum_mu log(1 + exp(-y_mu W.x_mu))``, the
    cross-entropy of ``sigma(W.x)`` with labels recoded to {0, 1}; data
    ``x1 = (1, 1)/sqrt 2``, ``x2 = -x1``.
    """
    return shallow_classifier(X, LABELS, "bce", id="shallow_bce", description=inspect.getdoc(shallow_bce))


def shallow_exponential():
    """Shallow classifier, gradient descent on the exponential loss (the slides' exp-loss, Soudry et al.).

    ``tau dW/dt = -dL/dW`` with ``L = sum_mu exp(-y_mu W.x_mu)`` on sec. 3.3's
    data ``x1 = (1, 1)/sqrt 2``, ``x2 = -x1``.
    """
    return shallow_classifier(X, LABELS, "exponential", id="shallow_exponential",
                              description=inspect.getdoc(shallow_exponential),
                              equations="slides, Theorem 3 (exponential loss)")


def shallow_minnorm():
    """Shallow classifier, Minnorm with projected multipliers (Minnorm eq. 29-30, App. A eq. 38).

    ``L = |W|^2/2 + sum_mu alpha_mu (1 - y_mu W.x_mu)``; the weights descend it
    (``tau dW/dt = -dL/dW``), the multipliers ascend it at rate ``r`` and stay
    non-negative (a projected flow).
    """
    return shallow_minnorm_classifier(X, LABELS, id="shallow_minnorm", description=inspect.getdoc(shallow_minnorm),
                                      equations="Minnorm eq. 29-30")

_SQRT2 = sympy.sqrt(2)
_PARALLEL = {wpar: (w1 + w2) / _SQRT2, wperp: (w1 - w2) / _SQRT2}  # along and across the max-margin direction x1
_PARALLEL_INVERSE = {w1: (wpar + wperp) / _SQRT2, w2: (wpar - wperp) / _SQRT2}


def shallow_bce_reduced():
    """Shallow BCE in ``(wpar, wperp)`` along and across the max-margin direction (Minnorm eq. 23-24).

    ``shallow_bce`` after the rotation ``W = wpar x1 + wperp (1, -1)/sqrt 2``
    (proved): ``tau dwpar/dt = 2 sigma(-wpar)``, ``tau dwperp/dt = 0``.
    """
    return shallow_bce().change_variables(_PARALLEL, inverse=_PARALLEL_INVERSE, id="shallow_bce_reduced",
                                          description=inspect.getdoc(shallow_bce_reduced),
                                          equations="Minnorm eq. 23-24")


def shallow_minnorm_reduced():
    """Shallow Minnorm in ``(wpar, alpha1)`` (Minnorm eq. 31-35): rotated, equal multipliers, ``wperp = 0``.

    ``shallow_minnorm`` after the rotation to ``(wpar, wperp)`` (eq. 31-33),
    restricted to the invariant manifold ``alpha2 = alpha1`` and then to
    ``wperp = 0`` (it decouples and decays, eq. 32), each step proved:
    ``tau dwpar/dt = -wpar + 2 alpha1``, ``tau dalpha1/dt = r (1 - wpar)``,
    ``alpha1 >= 0`` (eq. 34-35, the paper's ``alpha = alpha1 = alpha2``), fixed
    point ``(wpar, alpha1) = (1, 1/2)``.
    """
    return (shallow_minnorm()
            .change_variables(_PARALLEL, inverse=_PARALLEL_INVERSE)
            .restrict({alpha2: alpha1})
            .restrict({wperp: 0}, id="shallow_minnorm_reduced", description=inspect.getdoc(shallow_minnorm_reduced),
                      equations="Minnorm eq. 31-35"))
