"""The papers' discrete algorithms on the linear chain of Minnorm sec. 3.2 (one example (x, y)).

Plain loops over scalars, the reference the flows are compared with (the
general engine on NumPy or CuPy is a later issue's). Each returns its
iterates and stops early, with fewer rows, once they pass ``LIMIT``.
"""

import numpy as np

LIMIT = 1e6  # an iterate beyond this is counted as diverged and the loop stops


def gradient_descent(w0, eta, gamma, steps, x=1.0, y=1.0):
    """Gradient descent (``gamma = 0``) or weight decay on ``l`` (eq. 8): ``W <- W - eta dl/dW``.

    Returns the iterates, shape (steps + 1, 2) (fewer rows if they diverge)."""
    w1, w2 = map(float, w0)
    out = np.empty((steps + 1, 2))
    out[0] = w1, w2
    for k in range(1, steps + 1):
        e = y - w2 * w1 * x
        w1, w2 = w1 - eta * (-e * w2 * x + gamma * w1), w2 - eta * (-e * w1 * x + gamma * w2)
        out[k] = w1, w2
        if not abs(w1) + abs(w2) < LIMIT:
            return out[: k + 1]
    return out


def minnorm(w0, eta, rho, s, steps, alpha0=0.0, x=1.0, y=1.0):
    """Minnorm, Alg. 1 with one example: ``W <- W - eta dL/dW``, then ``alpha <- alpha + s (y - yhat(W_new))``.

    ``L = |W|^2/2 + alpha (y - yhat) + rho/2 (yhat - y)^2``. Returns the
    iterates ``(w1, w2, alpha)``, shape (steps + 1, 3) (fewer rows if they diverge)."""
    w1, w2, a = float(w0[0]), float(w0[1]), float(alpha0)
    out = np.empty((steps + 1, 3))
    out[0] = w1, w2, a
    for k in range(1, steps + 1):
        d = w2 * w1 * x - y  # yhat - y
        g1 = w1 - a * w2 * x + rho * d * w2 * x
        g2 = w2 - a * w1 * x + rho * d * w1 * x
        w1, w2 = w1 - eta * g1, w2 - eta * g2
        a = a + s * (y - w2 * w1 * x)
        out[k] = w1, w2, a
        if not abs(w1) + abs(w2) + abs(a) < LIMIT:
            return out[: k + 1]
    return out
