"""The papers' discrete algorithms on the linear chain of Minnorm sec. 3.2, run by the training engine.

The chain is the network ``widths=(1, 1, 1)``, linear, without biases, on one
example ``(x, y)``: ``yhat = w2 w1 x``. Each function returns the iterates
and stops early, with fewer rows, once they pass ``LIMIT``.
"""

import numpy as np

from .algorithms import GradientDescent, MinnormRegression
from .datasets import Dataset
from .loop import trajectory
from .network import Network

LIMIT = 1e6  # an iterate beyond this is counted as diverged and the loop stops
CHAIN = Network((1, 1, 1), activation="linear", bias=False)


def _example(x, y):
    return Dataset(np.array([[float(x)]]), np.array([[float(y)]]), None, "chain example")


def _weights(w0):
    return [np.array([[float(w0[0])]]), np.array([[float(w0[1])]])]


def gradient_descent(w0, eta, gamma, steps, x=1.0, y=1.0):
    """Gradient descent (``gamma = 0``) or weight decay on ``l`` (eq. 8): ``W <- W - eta dl/dW``.

    Returns the iterates ``(w1, w2)``, shape (steps + 1, 2) (fewer rows if they diverge)."""
    algorithm = GradientDescent(eta, loss="squared", weight_decay=gamma)
    return trajectory(CHAIN, algorithm, _example(x, y), steps, _weights(w0), limit=LIMIT)


def minnorm(w0, eta, rho, s, steps, alpha0=0.0, x=1.0, y=1.0):
    """Minnorm, Alg. 1 with one example: ``W <- W - eta dL/dW``, then ``alpha <- alpha + s (y - yhat(W_new))``.

    ``L = |W|^2/2 + alpha (y - yhat) + rho/2 (yhat - y)^2``. Returns the
    iterates ``(w1, w2, alpha)``, shape (steps + 1, 3) (fewer rows if they diverge)."""
    algorithm = MinnormRegression(eta, s=s, rho=rho)
    return trajectory(CHAIN, algorithm, _example(x, y), steps, _weights(w0), alpha=alpha0, limit=LIMIT)
