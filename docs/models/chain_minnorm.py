"""The Minnorm linear chain as a Python model file (Minnorm eq. 3, 12-14).

    dynsys derive --model-file docs/models/chain_minnorm.py

A model file defines ``model``: a ``dynsys.symbolic.Model`` or, as here, a
function without arguments that returns one.
"""

import sympy

from dynsys.symbolic import Ascent, Descent, Model


def model():
    w1, w2, alpha, x, y = sympy.symbols("w1 w2 alpha x y", real=True)
    tau, r = sympy.symbols("tau r", positive=True)
    rho = sympy.Symbol("rho", nonnegative=True)
    yhat = w2 * w1 * x
    return Model(
        "chain_minnorm_py",
        (w1, w2, alpha),
        (x, y, tau, rho, r),
        {"x": 1.0, "y": 1.0, "tau": 1.0, "rho": 0.3, "r": 2.0},
        objective=(w1**2 + w2**2) / 2 + alpha * (y - yhat) + rho / 2 * (yhat - y) ** 2,
        groups=(Descent((w1, w2), tau), Ascent((alpha,), tau, r)),
        description="Linear chain, Minnorm dual ascent on the augmented Lagrangian (Python model file)",
        equations="Minnorm eq. 3, 12-14",
    )
