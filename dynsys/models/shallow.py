"""The shallow (zero hidden layer) binary classifier of Minnorm sec. 3.3: one example per class.

Inputs ``x1 = (1, 1)/sqrt 2`` (label +1) and ``x2 = -x1`` (label -1), weights
``W = (w1, w2)``, output ``f = W.x``. The flows are derived from the loss and
the Lagrangian of App. A, never typed in; the reduced systems come from
reductions that prove themselves.
"""

import inspect

import sympy

from dynsys.symbolic import Ascent, Descent, Model

w1, w2 = sympy.symbols("w1 w2", real=True)
wpar, wperp = sympy.symbols("wpar wperp", real=True)
alpha1, alpha2 = sympy.symbols("alpha1 alpha2", real=True)
tau = sympy.Symbol("tau", positive=True)
r = sympy.Symbol("r", positive=True)

X = (sympy.Matrix([1, 1]) / sympy.sqrt(2), -sympy.Matrix([1, 1]) / sympy.sqrt(2))
LABELS = (1, -1)
W = sympy.Matrix([w1, w2])


def _margins():
    return [y * (W.T * x)[0] for x, y in zip(X, LABELS)]


def shallow_bce():
    """Shallow classifier, gradient descent on the binary cross-entropy (Minnorm eq. 20-22).

    ``tau dW/dt = -dL/dW`` with ``L = sum_mu log(1 + exp(-y_mu W.x_mu))``, the
    cross-entropy of ``sigma(W.x)`` with labels recoded to {0, 1}.
    """
    return Model("shallow_bce", (w1, w2), (tau,), {"tau": 0.1},
                 objective=sum(sympy.log(1 + sympy.exp(-m)) for m in _margins()),
                 groups=(Descent((w1, w2), tau),), description=inspect.getdoc(shallow_bce),
                 equations="Minnorm eq. 20-22")


def shallow_minnorm():
    """Shallow classifier, Minnorm with projected multipliers (Minnorm eq. 29-30, App. A eq. 38).

    ``L = |W|^2/2 + sum_mu alpha_mu (1 - y_mu W.x_mu)``; the weights descend it
    (``tau dW/dt = -dL/dW``), the multipliers ascend it at rate ``r`` and stay
    non-negative (a projected flow).
    """
    lagrangian = (W.T * W)[0] / 2 + sum(a * (1 - m) for a, m in zip((alpha1, alpha2), _margins()))
    return Model("shallow_minnorm", (w1, w2, alpha1, alpha2), (tau, r), {"tau": 1.0, "r": 0.25},
                 objective=lagrangian,
                 groups=(Descent((w1, w2), tau), Ascent((alpha1, alpha2), tau, r, projection="nonnegative")),
                 description=inspect.getdoc(shallow_minnorm), equations="Minnorm eq. 29-30")


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
