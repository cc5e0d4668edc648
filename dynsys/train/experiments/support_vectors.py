"""Minnorm Fig. 2 and Fig. 8: the multipliers of deep ReLU networks as support vectors (sec. 3.1).

A linearly separable binary task in the plane (:func:`data`: 50 points of
``separable_2d`` with margin 0.5, seed 0) is solved by the hard-margin linear
SVM (:func:`svm`, scikit-learn) and by full-batch Minnorm (App. A, with
projected multipliers) on ReLU networks with biases, 1 hidden layer of 100
units and 3 hidden layers of 100 units (:func:`minnorm_run`). At a fixed point
of Minnorm's iteration (eq. 4-7, App. A eq. 38) every weight matrix is
``W_l = sum_mu alpha_mu y_mu df(x_mu)/dW_l`` and the unpenalised biases satisfy
``sum_mu alpha_mu y_mu df(x_mu)/db_l = 0``: only examples with ``alpha_mu > 0``
shape the weights, and the projection ``alpha <- max(0, ...)`` sets the others
exactly to 0. The study compares those examples with the SVM's support vectors.

Settings (measured): initial weights N(0, 1/fan_in) (``sigma_w = 1``), ``eta =
0.01, s = 0.03, rho = 0.5`` for both networks, 5,000 steps (quick) or 20,000.
On this task and on ``separable_2d(50, 0.5, seed)`` for seeds 1 and 2, with
four initialisation seeds each, both networks settle (constraint residual
below 1e-6) within 1,800 to 3,400 steps, always on the SVM's support vectors.
The 3-hidden-layer net limits the step through its initial transient: with
He's scale (``sigma_w = sqrt 2``, the engine's default) the largest eigenvalue
of ``J J^T``, ``J`` the Jacobian of its outputs on the data, is 8e3 to 1.6e4 at
the start (3e3 to 4e3 for one hidden layer), and ``eta = 0.01`` diverges within
100 steps for every initialisation seed tried; ``eta = 0.004, s = 0.01, rho =
0.3`` is the fastest stable He setting found, and it needs 8,600 to 12,000
steps (longer on data seed 1). The fixed point does not depend on the scale. Fig. 8's grid
(``s`` in 0.5, 1, 5 and ``rho`` in 0, 0.5, 1, 5 on the 1-hidden-layer net) runs
at ``eta = 0.001``, where all twelve runs are stable; at ``eta = 0.002`` the
run with ``s = rho = 5`` diverges within ten steps.

Beyond Fig. 2 (measured once, not part of the study): the agreement depends
on the data. On ``separable_2d(100, margin=0.1, seed=2)`` the 1-hidden-layer
net (80,000 steps, ``eta = 0.002, s = 0.01, rho = 0.5``) ends with nonzero
alpha on examples 2, 8, 35, 67, 97 where the SVM's support vectors are 2, 85,
97, with ``sum_l |W_l|^2 = 10.569`` below the 11.066 = ``2 |w_SVM|`` of the one-unit
chain that computes the SVM's function (constraint residual 3e-4; ``eta =
0.005, s = 0.01, rho = 2`` gives 2, 8, 67, 75, 97 and 10.681): the ReLU net
bends its boundary to a smaller norm. The 3-hidden-layer net (24,000 steps
with the study's settings) ends on the same five examples, with ``sum_l
|W_l|^2 = 9.197`` below ``4 |w_SVM|^(1/2) = 9.409``. Neither settles exactly
(the constraint residual keeps oscillating between 2e-4 and 3e-3). On seed 0
of the same data both nets end on other examples than the SVM's as well.
"""

import functools
import time
from dataclasses import dataclass

import numpy as np

from ..algorithms import MinnormClassification
from ..datasets import separable_2d
from ..loop import train
from ..network import Network

PAPER = "minnorm"
N_POINTS, MARGIN, DATA_SEED = 50, 0.5, 0
WIDTH = 100
HIDDEN = {"1 hidden layer": (WIDTH,), "3 hidden layers": (WIDTH, WIDTH, WIDTH)}
SIGMA_W = 1.0
ETA, S, RHO = 0.01, 0.03, 0.5
STEPS = {True: 5000, False: 20000}
RECORDS = 250
FIG8_ETA = 0.001
FIG8_S = (0.5, 1.0, 5.0)
FIG8_RHO = (0.0, 0.5, 1.0, 5.0)
FIG8_STEPS = {True: 5000, False: 20000}
SVM_C, SVM_TOL = 1e10, 1e-12


def data():
    """Fig. 2's task: 50 points of ``separable_2d(50, margin=0.5, seed=0)``, labels {0, 1}; sign labels ``2y - 1``."""
    return separable_2d(N_POINTS, MARGIN, DATA_SEED)


def signs(dataset):
    """The labels ``y_mu`` in {-1, +1} of App. A (eq. 37-38)."""
    return 2.0 * np.asarray(dataset.y) - 1.0


@dataclass(frozen=True)
class Svm:
    """The hard-margin linear SVM: ``f(x) = coef . x + intercept``, support indices, dual coefficients ``alpha``.

    ``alpha`` has one entry per example, ``|dual_coef|`` on the support vectors and 0 elsewhere,
    so that ``coef = sum_mu alpha_mu y_mu x_mu``.
    """

    coef: np.ndarray
    intercept: float
    support: np.ndarray
    alpha: np.ndarray

    def decision(self, X):
        return np.asarray(X) @ self.coef + self.intercept


def svm(dataset):
    """scikit-learn's ``SVC(kernel="linear")`` with ``C = 1e10`` (hard margin) and ``tol = 1e-12``."""
    from sklearn.svm import SVC

    fitted = SVC(kernel="linear", C=SVM_C, tol=SVM_TOL).fit(dataset.X, dataset.y)
    alpha = np.zeros(len(dataset.y))
    alpha[fitted.support_] = np.abs(fitted.dual_coef_[0])
    return Svm(fitted.coef_[0].copy(), float(fitted.intercept_[0]), np.sort(fitted.support_), alpha)


@dataclass(frozen=True)
class Run:
    """One Minnorm training run: settings, recorded multipliers, final parameters and outcome.

    ``steps_recorded`` (n_records,) and ``multipliers`` (n_records x P) trace ``alpha_mu``
    during training; ``alpha`` is the final one; ``status`` is ``"done"`` or ``"diverged"``
    (``message`` says at which step).
    """

    hidden: tuple
    eta: float
    s: float
    rho: float
    steps: int
    seed: int
    network: Network
    params: list
    steps_recorded: np.ndarray
    multipliers: np.ndarray
    alpha: np.ndarray
    train_error: float
    status: str
    message: str
    seconds: float

    @property
    def support(self):
        """Examples with a nonzero final multiplier (the projection sets the others exactly to 0)."""
        return np.flatnonzero(self.alpha > 0)

    def decision(self, X):
        """The network's output ``f(x)``, the pre-activation of its output neuron (App. A)."""
        return self.network.forward(np, self.params, np.asarray(X, dtype=float))[:, 0]


def minnorm_run(hidden=(WIDTH,), s=S, rho=RHO, eta=ETA, steps=None, seed=0, quick=False, records=RECORDS):
    """Full-batch Minnorm (App. A, ``MinnormClassification``) on a ReLU network with biases; cached per setting.

    Initial weights N(0, 1/fan_in) drawn from ``seed``, biases 0; ``hidden`` the
    hidden widths; ``steps`` (default 5,000 quick, 20,000 full) steps of
    ``W <- W - eta dL/dW``, ``alpha <- max(0, alpha + s (1 - y f))``; the multipliers are
    recorded about ``records`` times (every ``steps // records`` steps).
    """
    steps = STEPS[bool(quick)] if steps is None else int(steps)
    return _run(tuple(int(n) for n in hidden), float(s), float(rho), float(eta), steps, int(seed), int(records))


@functools.cache
def _run(hidden, s, rho, eta, steps, seed, records):
    dataset = data()
    network = Network((dataset.X.shape[1], *hidden, 1), "relu", bias=True)
    started = time.perf_counter()
    history = train(network, MinnormClassification(eta, s=s, rho=rho), dataset, steps, seed=seed,
                    sigma_w=SIGMA_W, record_every=max(1, steps // records), record_multipliers=True)
    multipliers = np.stack(history.multipliers)[:, :, 0]
    if history.status == "done":
        params, alpha = history.final_params, history.final_multipliers[:, 0]
    else:
        params, alpha = None, multipliers[-1]
    return Run(hidden, eta, s, rho, steps, seed, network, params, np.asarray(history.epochs), multipliers,
               alpha, float(history["train_error"][-1]), history.status,
               history.message.replace("epoch", "step"), time.perf_counter() - started)


def study(quick=False, seed=0):
    """Fig. 2's two networks, ``{name: Run}`` for the names of :data:`HIDDEN` (cached runs)."""
    return {name: minnorm_run(hidden, seed=seed, quick=quick) for name, hidden in HIDDEN.items()}


def fig8_grid(quick=False, seed=0):
    """Fig. 8's runs: ``{(s, rho): Run}`` of the 1-hidden-layer net at ``eta = 0.001`` (cached runs)."""
    steps = FIG8_STEPS[bool(quick)]
    return {(s, rho): minnorm_run((WIDTH,), s=s, rho=rho, eta=FIG8_ETA, steps=steps, seed=seed, quick=quick)
            for s in FIG8_S for rho in FIG8_RHO}


def per_example_gradients(network, params, X):
    """``df(x_mu)/dp`` for every parameter array ``p``: a list of arrays (P, *p.shape), by backpropagation."""
    X = np.asarray(X, dtype=float)
    f, cache = network.forward(np, params, X, keep=True)
    out = [np.empty((len(X), *p.shape)) for p in params]
    for mu in range(len(X)):
        unit = np.zeros_like(f)
        unit[mu] = 1.0
        for stack, grad in zip(out, network.backward(np, params, cache, unit)):
            stack[mu] = grad
    return out


def stationarity(network, params, alpha, y, X):
    """Minnorm eq. 6 for classification (App. A, eq. 38): per parameter array, ``sum_mu alpha_mu y_mu df(x_mu)/dp``.

    At a fixed point this combination equals ``W_l`` for each weight matrix and
    vanishes for each (unpenalised) bias.
    """
    weights = np.asarray(alpha) * np.asarray(y)
    return [np.tensordot(weights, g, axes=(0, 0)) for g in per_example_gradients(network, params, X)]


def eq6_residuals(run):
    """Minnorm eq. 6 at the end of ``run``: ``(weights, biases)``, relative residuals per layer.

    ``weights[l] = |W_l - sum_mu alpha_mu y_mu df_mu/dW_l|_F / |W_l|_F``;
    ``biases[l] = |sum_mu alpha_mu y_mu df_mu/db_l| / sum_mu alpha_mu |df_mu/db_l|``
    (the terms must cancel: the biases are not penalised).
    """
    dataset = data()
    y = signs(dataset)
    gradients = per_example_gradients(run.network, run.params, dataset.X)
    weights, biases = [], []
    for param, grads, is_weight in zip(run.params, gradients, run.network.weight_mask()):
        combination = np.tensordot(run.alpha * y, grads, axes=(0, 0))
        if is_weight:
            weights.append(float(np.linalg.norm(param - combination) / np.linalg.norm(param)))
        else:
            scale = float(np.sum(run.alpha * np.linalg.norm(grads.reshape(len(y), -1), axis=1)))
            biases.append(float(np.linalg.norm(combination) / scale))
    return weights, biases


def margins(run):
    """``y_mu f(x_mu)`` on the training set: 1 on the support set and >= 1 elsewhere at a fixed point (eq. 7)."""
    dataset = data()
    return signs(dataset) * run.decision(dataset.X)
