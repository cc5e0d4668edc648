"""The linear chain of three neurons (Minnorm sec. 3.2, App. B).

One example ``(x, y)``, prediction ``yhat = w2*w1*x``; the flows are derived
from the objectives, never typed in. The weights are real (trajectories may
cross zero); ``wbar = w1*w2`` of the balanced reduction is positive.
"""

import inspect

import sympy

from dynsys.symbolic import Ascent, Descent, Model

w1, w2, alpha = sympy.symbols("w1 w2 alpha", real=True)
wbar = sympy.Symbol("wbar", positive=True)
x, y = sympy.symbols("x y", real=True)
tau = sympy.Symbol("tau", positive=True)
gamma = sympy.Symbol("gamma", positive=True)
rho = sympy.Symbol("rho", nonnegative=True)
r = sympy.Symbol("r", positive=True)

yhat = w2 * w1 * x
DATA = {"x": 1.0, "y": 1.0, "tau": 1.0}


def chain_l2():
    """Linear chain, gradient descent with weight decay (Minnorm eq. 8-9).

    ``tau dw/dt = -dl/dw`` on ``l = (y - w2 w1 x)^2/2 + gamma/2 (w1^2 + w2^2)``.
    """
    return Model(
        "chain_l2",
        (w1, w2),
        (x, y, tau, gamma),
        {**DATA, "gamma": 0.05},
        objective=(y - yhat) ** 2 / 2 + gamma / 2 * (w1**2 + w2**2),
        groups=(Descent((w1, w2), tau),),
        description=inspect.getdoc(chain_l2),
        equations="Minnorm eq. 8-9",
    )


def chain_gd():
    """Linear chain, plain gradient descent: eq. 8-9 with ``gamma = 0`` (Minnorm sec. 3.2)."""
    return chain_l2().substitute(
        {gamma: 0}, id="chain_gd", description=inspect.getdoc(chain_gd), equations="Minnorm eq. 8-9, gamma = 0"
    )


def chain_minnorm():
    """Linear chain, Minnorm dual ascent on the augmented Lagrangian (Minnorm eq. 3, 12-14).

    ``L = (w1^2 + w2^2)/2 + alpha (y - yhat) + rho/2 (yhat - y)^2``; the
    weights descend it (``tau dw/dt = -dL/dw``), the multiplier ascends it at
    rate ``r = tau*s`` (``tau dalpha/dt = r dL/dalpha``). The derived weight
    flow has ``alpha w2 x`` where the printed eq. 13-14 have ``alpha w2``.
    """
    return Model(
        "chain_minnorm",
        (w1, w2, alpha),
        (x, y, tau, rho, r),
        {**DATA, "rho": 0.3, "r": 2.0},
        objective=(w1**2 + w2**2) / 2 + alpha * (y - yhat) + rho / 2 * (yhat - y) ** 2,
        groups=(Descent((w1, w2), tau), Ascent((alpha,), tau, r)),
        description=inspect.getdoc(chain_minnorm),
        equations="Minnorm eq. 3, 12-14",
    )


def chain_minnorm_balanced():
    """Balanced Minnorm chain in ``(wbar, alpha)``, ``wbar = w1 w2 = w1^2`` (Minnorm eq. 15-17).

    ``chain_minnorm`` restricted to the invariant manifold ``w2 = w1``, then
    ``wbar = w1^2`` with the inverse ``w1 = sqrt(wbar)`` (the ``w1 > 0``
    branch; the proof holds for every real ``w1``, so the ``w1 < 0`` branch
    gives the same flow). Fixed point ``(wbar, alpha) = (y/x, 1/x)``; with
    ``x = y = 1`` this is eq. 17, fixed point ``(1, 1)``.
    """
    return (
        chain_minnorm()
        .restrict({w2: w1})
        .change_variables(
            {wbar: w1**2},
            inverse={w1: sympy.sqrt(wbar)},
            id="chain_minnorm_balanced",
            description=inspect.getdoc(chain_minnorm_balanced),
            equations="Minnorm eq. 15-17",
        )
    )
