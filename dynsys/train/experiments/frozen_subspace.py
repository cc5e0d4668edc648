"""Minnorm sec. 3.4 and Fig. 5: the frozen subspace of deep linear networks in a student-teacher task.

The task (sec. 3.4, after Advani & Saxe): a teacher ``W_bar ~ N(0, I_N)``
labels ``P`` inputs ``x ~ N(0, I/N)`` with noise ``eps ~ N(0, 1/SNR)``,
``y = W_bar . x + eps``. The student is a deep linear network
``f(x) = x W_1 ... W_D`` (:class:`~dynsys.train.network.LinearNetwork`, Fig. 5:
``D = 3``, 300 hidden units, ``N = 300``, ``P = 150``, SNR 5) initialised
``N(0, sigma_w^2 / fan_in)``. With ``P < N`` the data fix the end-to-end map
``w = W_1 ... W_D`` only on the row space of ``X``. Its test error is exact
(no test sample): for a new example,

    E_test = E (y - w.x)^2 = |W_bar - w|^2 / N + 1/SNR.

Two algorithms of the engine, full batch, the sum of squares as the data
term: BGD steps ``W <- W - eta d/dW (1/2) sum_mu (f_mu - y_mu)^2`` (the
engine's mean loss at step ``eta P``), Minnorm Alg. 1 (eq. 3-5) with
``eta, s, rho``. The *pruned* network removes the weights of the frozen
subspace: ``W_1 -> P_X W_1`` with ``P_X`` the projector onto the span of the
inputs, so its end-to-end map is ``P_X w`` (Fig. 5B's reference line).
"""

import functools
import os
from dataclasses import dataclass

import numpy as np

from dynsys.train.algorithms import GradientDescent, MinnormRegression
from dynsys.train.network import LinearNetwork

N_INPUTS, HIDDEN, N_EXAMPLES, SNR, DEPTH = 300, 300, 150, 5.0, 3
ETA, S, RHO = 0.01, 0.01, 1.0  # Minnorm's r = tau s = s/eta = 1
STEPS = 3000
METHODS = ("bgd", "minnorm")
SCALES = {True: (0.01, 0.1, 1.0), False: (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)}
RUNS = {True: 2, False: 20}


class FrozenSubspaceError(ValueError):
    """A student-teacher setting that cannot be built (a user error)."""


@dataclass(frozen=True)
class Task:
    """One draw of the student-teacher task: teacher ``W_bar`` (N,), inputs ``X`` (P, N), targets ``y`` (P, 1)."""

    teacher: np.ndarray
    X: np.ndarray
    y: np.ndarray
    snr: float

    def test_error(self, w):
        """``|W_bar - w|^2 / N + 1/SNR`` for end-to-end maps ``w`` (N,) or (..., N): the exact expected error."""
        w = np.asarray(w)
        return ((self.teacher - w) ** 2).sum(axis=-1) / self.teacher.size + 1 / self.snr

    def train_error(self, w):
        """Mean squared training error ``(1/P) sum_mu (w.x_mu - y_mu)^2``."""
        return float(((self.X @ w - self.y[:, 0]) ** 2).mean())

    @functools.cached_property
    def row_projector(self):
        """``P_X``, the orthogonal projector onto the span of the inputs (the complement of the frozen subspace)."""
        return np.linalg.pinv(self.X) @ self.X

    def min_norm(self):
        """The minimum-norm interpolant ``X^+ y``, the end-to-end map of the pruned network at zero training error."""
        return np.linalg.pinv(self.X) @ self.y[:, 0]


def task(seed, n_inputs=N_INPUTS, n_examples=N_EXAMPLES, snr=SNR):
    """The student-teacher task of Minnorm sec. 3.4 drawn from ``seed`` (teacher, inputs, then noise)."""
    if not (int(n_inputs) >= 1 and int(n_examples) >= 1 and snr > 0):
        raise FrozenSubspaceError(f"need n_inputs, n_examples >= 1 and snr > 0, got {n_inputs}, {n_examples}, {snr}")
    rng = np.random.default_rng([seed, 0])
    teacher = rng.standard_normal(n_inputs)
    X = rng.standard_normal((n_examples, n_inputs)) / np.sqrt(n_inputs)
    y = X @ teacher + rng.standard_normal(n_examples) / np.sqrt(snr)
    return Task(teacher, X, y[:, None], float(snr))


def network(n_inputs=N_INPUTS, hidden=HIDDEN, depth=DEPTH):
    """The student: ``depth`` weight matrices, ``hidden`` units per hidden layer, one output."""
    return LinearNetwork((n_inputs, *([hidden] * (depth - 1)), 1))


def algorithm(method, n_examples, eta=ETA, s=S, rho=RHO):
    """BGD on the sum of squares (the engine's mean loss at step ``eta P``) or Minnorm Alg. 1."""
    if method == "bgd":
        return GradientDescent(eta * n_examples, loss="squared")
    if method == "minnorm":
        return MinnormRegression(eta, s=s, rho=rho)
    raise FrozenSubspaceError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


@dataclass
class Run:
    """One training run: end-to-end maps at the recorded steps and the errors computed from them."""

    method: str
    sigma_w: float
    seed: int
    steps: np.ndarray
    end_to_end: np.ndarray  # (records, N)
    train_error: np.ndarray
    test_error: np.ndarray
    pruned_test_error: np.ndarray
    min_norm_test_error: float
    final_params: list
    final_multipliers: np.ndarray = None

    @property
    def final_test_error(self):
        return float(self.test_error[-1])


def run(method, sigma_w, seed, steps=STEPS, record=None, task_seed=None, net=None, eta=ETA, s=S, rho=RHO):
    """Train the student from ``N(0, sigma_w^2/fan_in)`` weights (drawn from ``seed``) on ``task(task_seed or seed)``.

    ``record`` are the steps at which the end-to-end map is kept (default:
    the start and the end).
    """
    data = task(seed if task_seed is None else task_seed)
    net = net or network(data.X.shape[1])
    algo = algorithm(method, data.X.shape[0], eta, s, rho)
    params = net.init(np, sigma_w=sigma_w, seed=int(seed) + 10_000)
    state = algo.start(np, net, params, data.X.shape[0])
    index = np.arange(data.X.shape[0])
    record = np.unique(np.clip(np.asarray([0, steps] if record is None else record, int), 0, steps))
    maps = []
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            if k == record[len(maps)]:
                maps.append(net.end_to_end(np, algo.parameters(np, net, state))[:, 0].copy())
                if len(maps) == len(record):
                    break
            algo.step(np, net, state, index, data.X, data.y)
    maps = np.array(maps)
    train = np.array([data.train_error(w) for w in maps])
    return Run(method, float(sigma_w), int(seed), record, maps, train, data.test_error(maps),
               data.test_error(maps @ data.row_projector), float(data.test_error(data.min_norm())),
               [p.copy() for p in algo.parameters(np, net, state)], state.get("alpha"))


@dataclass(frozen=True)
class ScaleStudy:
    """Fig. 5C: final errors per method, scale and run; arrays (methods, scales, runs)."""

    methods: tuple
    scales: np.ndarray
    test_error: np.ndarray
    pruned_test_error: np.ndarray  # of the BGD network pruned at the end
    min_norm_test_error: np.ndarray  # (runs,) the pseudo-inverse's, one per task
    train_error: np.ndarray

    def _finite(self, method):
        values = self.test_error[self.methods.index(method)]
        return np.where(np.isfinite(values), values, np.nan), np.isfinite(values).sum(axis=-1)

    def mean(self, method):
        """Mean final test error per scale over the runs that stayed finite (NaN where none did)."""
        values, count = self._finite(method)
        return np.nansum(values, axis=-1) / np.where(count > 0, count, np.nan)

    def sem(self, method):
        """Standard error of :meth:`mean` (NaN with fewer than two finite runs)."""
        values, count = self._finite(method)
        deviation = np.where(np.isfinite(values), values - self.mean(method)[:, None], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sqrt((deviation**2).sum(axis=-1) / (count - 1) / count)

    def outcomes(self, method, tolerance=1e-8):
        """Where each run ended, (scales, runs): ``min-norm`` (test error of ``X^+ y``), ``zero`` (of the zero
        map), ``diverged`` (not finite) or ``other``."""
        values = self.test_error[self.methods.index(method)]
        zero = np.array([task(i).test_error(np.zeros(task(i).X.shape[1])) for i in range(values.shape[-1])])
        with np.errstate(invalid="ignore"):
            return np.select([~np.isfinite(values), np.abs(values - self.min_norm_test_error) < tolerance,
                              np.abs(values - zero) < tolerance], ["diverged", "min-norm", "zero"], "other")


@functools.cache
def scale_study(quick=False, workers=None):
    """Final test errors over initial scales and runs for BGD and Minnorm (Fig. 5C), run ``i`` on ``task(i)``.

    One sweep of the ``train`` kind's ``frozen_subspace`` target
    (:mod:`dynsys.sweep.train_kinds`) over ``method`` (0 = BGD, 1 = Minnorm),
    ``sigma_w`` and the runs, in ``workers`` local processes (default: one per
    CPU; serial in quick mode or with one worker). Every run is seeded by its
    index and uses one BLAS thread, so the result does not depend on the
    number of workers.
    """
    from dynsys.sweep import build, run_sweep

    scales, runs = SCALES[quick], RUNS[quick]
    axes = ["method=" + ",".join(str(i) for i in range(len(METHODS))),
            "sigma_w=" + ",".join(repr(float(sc)) for sc in scales)]
    spec = build("train", "frozen_subspace", axes, seeds=runs, options={"steps": STEPS})
    workers = 1 if quick and workers is None else (workers or os.cpu_count() or 1)
    result = run_sweep(spec, executor="serial" if workers == 1 else "processes", workers=workers)
    if result["failed"].any():
        raise RuntimeError(f"a run of the scale study failed: {next(e for e in result['error'].values.flat if e)}")
    test, pruned, min_norm, train = (result[name].values for name in
                                     ("test_error", "pruned_test_error", "min_norm_test_error", "train_error"))
    return ScaleStudy(METHODS, np.array(scales), test, pruned, min_norm[0, 0], train)


@functools.cache
def dynamics(quick=False, sigma_w=1.0, seed=0):
    """Fig. 5A-B: BGD and Minnorm at ``sigma_w`` on one task, recorded at log-spaced steps."""
    record = np.unique(np.r_[0, np.geomspace(1, STEPS, 150 if quick else 400).round().astype(int)])
    return {m: run(m, sigma_w, seed, record=record) for m in METHODS}
