"""Minnorm Fig. 1: min-norm fits of a sinusoid by ReLU networks with a random first layer.

The task (Fig. 1 caption; sec. 1, "a simple ReLU network receiving a scalar
input ... trained from ten samples of a sinusoidal target function"): inputs
``x`` in ``[-1, 1]``, target ``g(x) = sin(pi x)`` (one period), ``P = 10``
training points ``x_mu ~ U(-1, 1)`` with ``y_mu = g(x_mu)`` (no noise). The
network receives the scalar input and a bias term: hidden unit ``j`` computes
``h_j(x) = relu(a_j x + b_j)`` with ``a_j, b_j ~ N(0, 1)`` fixed, and the
output ``f(x) = sum_j w_j h_j(x)`` (no output bias: the caption's network has
only the trained second layer, so the trained parameters are the ``Nh``
weights ``w``). A seed draws the training points and ``N_MAX = 1000`` units;
a network of width ``Nh`` uses the first ``Nh`` of them, so the widths of one
draw are nested.

With ``Phi_{mu j} = h_j(x_mu)`` (P x Nh), training the second layer on the
squared error is linear least squares. Its minimum-norm solution is the
pseudo-inverse fit ``w* = Phi^+ y`` (:func:`min_norm_weights`): the
least-squares fit of smallest norm when ``Phi`` has rank below ``P`` and the
interpolant of smallest norm when it has rank ``P``. Gradient descent from
``w = 0`` on ``l = (1/2P) |Phi w - y|^2`` stays in the row space of ``Phi``
and converges to ``w*``: in the singular basis ``Phi = U S V^T`` its iterates
are ``w_k = V diag((1 - (1 - eta s_i^2 / P)^k) / s_i) U^T y``
(:func:`gd_iterate`, a closed form), and :func:`engine_fit` runs the same
descent with the training engine (``Network((Nh, 1), "linear", bias=False)``,
``GradientDescent(eta, loss="squared")``) at ``eta = 2 / (lambda_max +
lambda_min)``, the fastest constant step, below ``2 / lambda_max``.

The test error is the mean squared error against ``g`` over the interval,
``(1 / 2) int_{-1}^{1} (f - g)^2 dx``, integrated exactly up to rounding by
Gauss-Legendre quadrature on the pieces between the units' kinks ``-b_j /
a_j`` (where ``f`` is linear) and a uniform grid (:func:`test_errors`).

Measured (not a design choice): ten such units do not interpolate ten points.
A unit whose kink lies outside the data's range is linear or identically zero
on the data, and all linear ones together span only ``{1, x}``, so ``Phi`` of
``Nh = 10`` has rank below 10 in every one of 100 draws (median rank 5); the
width at which a draw first interpolates (:func:`threshold`) has median 45.5
(quartiles 33 and 85). With kinks drawn uniformly in the interval
(:data:`VARIANTS`) ten units still never interpolate (median threshold 27).

Gradient descent converges slowly here: ``Phi`` is ill-conditioned (``kappa =
lambda_max / lambda_min`` of 1e4 to 1e9 over the nonzero Hessian eigenvalues),
and reaching ``TOL`` takes about ``9 kappa`` steps: 3.8 million for the
500-unit net of the figure's draw (about two minutes with the engine).
Quick runs stop at ``STEP_CAP`` steps; the closed form then says how far the
iterate still is from ``w*``.
"""

import functools
import time
from dataclasses import dataclass

import numpy as np

from ..algorithms import GradientDescent
from ..datasets import Dataset
from ..loop import train
from ..network import Network
from . import ExperimentError

PAPER = "minnorm"
N_TRAIN = 10
N_MAX = 1000
WIDTHS = (2, 5, 10, 500)  # Fig. 1 B-E
GRID = tuple(sorted({int(n) for n in np.round(np.geomspace(2, N_MAX, 30))} | set(WIDTHS)))
QUICK_GRID = tuple(sorted({int(n) for n in np.round(np.geomspace(2, 500, 12))} | set(WIDTHS)))
RATIOS = (0.25, 0.35, 0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0)  # widths Nh / Nh* of the aligned study
SEEDS = {True: 20, False: 100}
FIGURE_SEED = 0
PANELS = 32  # uniform Gauss-Legendre panels, refined at every kink
NODES = 8  # Gauss-Legendre nodes per piece: exact for polynomials of degree 15
TOL = 1e-8  # relative distance to w* that counts as converged
STEP_CAP = {True: 20_000, False: 10_000_000}  # engine steps per width at most


class RandomFeaturesError(ExperimentError):
    """Input to the random-features experiment that cannot be used (a user error)."""


@dataclass(frozen=True)
class Task:
    """The interval ``[low, high]``, the target ``sin(2 pi periods (x - c) / (high - low))`` with ``c`` the midpoint,
    ``n_train`` training points and the units' distribution: ``"gaussian"`` (``a, b ~ N(0, 1)``) or
    ``"uniform_kinks"`` (``a ~ N(0, 1)``, kink ``-b/a ~ U(low, high)``)."""

    low: float = -1.0
    high: float = 1.0
    periods: float = 1.0
    n_train: int = N_TRAIN
    units: str = "gaussian"

    def __post_init__(self):
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise RandomFeaturesError(f"the interval needs finite low < high, got [{self.low}, {self.high}]")
        if not (np.isfinite(self.periods) and self.periods > 0):
            raise RandomFeaturesError(f"periods must be a positive number, got {self.periods!r}")
        if isinstance(self.n_train, bool) or not isinstance(self.n_train, (int, np.integer)) or self.n_train < 1:
            raise RandomFeaturesError(f"n_train must be a positive integer, got {self.n_train!r}")
        if self.units not in ("gaussian", "uniform_kinks"):
            raise RandomFeaturesError(f"units must be 'gaussian' or 'uniform_kinks', got {self.units!r}")

    def target(self, x):
        """The sinusoid ``g(x)``."""
        centre = 0.5 * (self.low + self.high)
        return np.sin(2 * np.pi * self.periods * (np.asarray(x, dtype=float) - centre) / (self.high - self.low))

    def describe(self):
        return (f"x in [{self.low:g}, {self.high:g}], {self.periods:g}-period sinusoid, {self.n_train} points, "
                + ("a, b ~ N(0, 1)" if self.units == "gaussian" else "a ~ N(0, 1), kinks ~ U(interval)"))


TASK = Task()
VARIANTS = {"two periods": Task(periods=2.0), "uniform kinks": Task(units="uniform_kinks"),
            "x in [-3, 3]": Task(low=-3.0, high=3.0)}


@dataclass(frozen=True, eq=False)
class Draw:
    """One seed's training points ``x`` (sorted), targets ``y`` and ``N_MAX`` units ``relu(a x + b)``."""

    task: Task
    seed: int
    x: np.ndarray
    y: np.ndarray
    a: np.ndarray
    b: np.ndarray

    def features(self, x, n):
        """``h_j(x) = relu(a_j x + b_j)`` of the first ``n`` units at the points ``x``: shape (len(x), n)."""
        n = _width(n)
        return np.maximum(np.outer(np.asarray(x, dtype=float), self.a[:n]) + self.b[:n], 0.0)

    def phi(self, n):
        """The design matrix ``Phi`` (P x n) of the first ``n`` units on the training points."""
        return self.features(self.x, n)

    def kinks(self, n):
        """The kinks ``-b_j / a_j`` of the first ``n`` units inside the interval, sorted."""
        k = -self.b[:n] / self.a[:n]
        return np.sort(k[(k > self.task.low) & (k < self.task.high)])


def _width(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= N_MAX:
        raise RandomFeaturesError(f"the width Nh must be an integer in 1..{N_MAX}, got {n!r}")
    return int(n)


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise RandomFeaturesError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def draw(seed, task=TASK):
    """The training points and units of ``seed``: ``x ~ U(low, high)`` (``n_train``), then ``N_MAX`` units."""
    if not isinstance(task, Task):
        raise RandomFeaturesError(f"task must be a Task, got {type(task).__name__}")
    return _draw(_seed(seed), task)


@functools.lru_cache(maxsize=512)
def _draw(seed, task):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(task.low, task.high, task.n_train))
    a = rng.standard_normal(N_MAX)
    if task.units == "gaussian":
        b = rng.standard_normal(N_MAX)
    else:
        b = -a * rng.uniform(task.low, task.high, N_MAX)
    return Draw(task, seed, x, task.target(x), a, b)


# ---------------------------------------------------------------- least squares


def _design(Phi, y):
    Phi, y = np.asarray(Phi, dtype=float), np.asarray(y, dtype=float)
    if Phi.ndim != 2 or y.ndim != 1 or len(y) != Phi.shape[0]:
        raise RandomFeaturesError(f"need Phi of shape (P, Nh) and y of shape (P,), got {Phi.shape} and {y.shape}")
    if not (np.all(np.isfinite(Phi)) and np.all(np.isfinite(y))):
        raise RandomFeaturesError("Phi and y must be finite")
    return Phi, y


def rcond(Phi):
    """The relative cutoff below which a singular value of ``Phi`` counts as zero: ``max(P, Nh) eps``."""
    return max(np.shape(Phi)) * np.finfo(float).eps


def min_norm_weights(Phi, y):
    """``w* = Phi^+ y`` (``numpy.linalg.pinv``, cutoff :func:`rcond`): least squares of smallest norm."""
    Phi, y = _design(Phi, y)
    return np.linalg.pinv(Phi, rcond=rcond(Phi)) @ y


def rank(Phi):
    """The rank of ``Phi`` with :func:`rcond`'s cutoff (the rank :func:`min_norm_weights` inverts)."""
    s = np.linalg.svd(np.asarray(Phi, dtype=float), compute_uv=False)
    return int(np.sum(s > rcond(Phi) * s[0])) if s.size and s[0] > 0 else 0


def train_error(Phi, y, w):
    """Mean squared error on the training points, ``(1/P) |Phi w - y|^2``."""
    return float(np.mean((np.asarray(Phi) @ np.asarray(w) - np.asarray(y)) ** 2))


@dataclass(frozen=True)
class Spectrum:
    """``Phi = U diag(s) V^T`` restricted to the singular values above :func:`rcond`, and ``c = U^T y``."""

    U: np.ndarray
    s: np.ndarray
    V: np.ndarray
    c: np.ndarray
    P: int

    @property
    def hessian_eigenvalues(self):
        """The nonzero eigenvalues ``s_i^2 / P`` of the Hessian ``Phi^T Phi / P`` of the mean loss."""
        return self.s ** 2 / self.P


def spectrum(Phi, y):
    """The nonzero singular triplets of ``Phi`` and the targets in the left singular basis."""
    Phi, y = _design(Phi, y)
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > rcond(Phi) * s[0] if s.size and s[0] > 0 else np.zeros(s.shape, bool)
    return Spectrum(U[:, keep], s[keep], Vt[keep].T, U[:, keep].T @ y, Phi.shape[0])


def step_size(Phi, y):
    """``eta = 2 / (lambda_max + lambda_min)`` over the nonzero Hessian eigenvalues (1 for ``Phi = 0``).

    The constant step that contracts the slowest and the fastest mode equally, by ``(kappa - 1) / (kappa + 1)``
    per step; it lies below the stability limit ``2 / lambda_max``.
    """
    lam = spectrum(Phi, y).hessian_eigenvalues
    return 2.0 / (lam.max() + lam.min()) if lam.size else 1.0


def gd_iterate(Phi, y, eta, steps):
    """Closed form of ``steps`` gradient-descent steps from ``w = 0`` on ``(1/2P) |Phi w - y|^2``.

    ``w_k = sum_i (1 - (1 - eta s_i^2 / P)^k) c_i / s_i v_i``; as ``k -> infinity``
    (``0 < eta < 2 / lambda_max``) it tends to ``w* = sum_i c_i / s_i v_i = Phi^+ y``.
    """
    sp = spectrum(Phi, y)
    decay = (1.0 - eta * sp.hessian_eigenvalues) ** int(steps)
    return sp.V @ ((1.0 - decay) * sp.c / sp.s)


def distance_to_min_norm(Phi, y, eta, steps):
    """``|w_k - w*| / |w*|`` of the closed form: ``|sum_i (1 - eta s_i^2/P)^k c_i / s_i v_i| / |w*|``."""
    sp = spectrum(Phi, y)
    if not sp.s.size:
        return 0.0
    coefficients = sp.c / sp.s
    residual = (1.0 - eta * sp.hessian_eigenvalues) ** int(steps) * coefficients
    return float(np.linalg.norm(residual) / np.linalg.norm(coefficients))


def steps_to_converge(Phi, y, eta, tol=TOL):
    """The fewest steps after which the closed form lies within ``tol`` (relative) of ``w*``.

    The distance falls monotonically in ``k`` for ``0 < eta < 2 / lambda_max``, so bisection finds it.
    """
    lam = spectrum(Phi, y).hessian_eigenvalues
    if lam.size and not eta * lam.max() < 2:
        raise RandomFeaturesError(f"eta = {eta:g} does not converge: it must lie below 2 / lambda_max = "
                                  f"{2 / lam.max():g}")
    if distance_to_min_norm(Phi, y, eta, 0) <= tol:
        return 0
    high = 1
    while distance_to_min_norm(Phi, y, eta, high) > tol:
        high *= 2
    low = high // 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if distance_to_min_norm(Phi, y, eta, middle) <= tol else (middle, high)
    return high


@dataclass(frozen=True)
class EngineFit:
    """Gradient descent from zero run by the training engine: weights after ``steps`` steps at ``eta``."""

    w: np.ndarray
    eta: float
    steps: int
    steps_needed: int
    status: str
    seconds: float

    @property
    def converged(self):
        """Whether the run was long enough for the closed form to be within :data:`TOL` of ``w*``."""
        return self.steps >= self.steps_needed


def engine_fit(Phi, y, steps=None, eta=None, backend="numpy"):
    """Train the second layer from ``w = 0`` with the engine: ``GradientDescent(eta, loss="squared")`` on
    ``Network((Nh, 1), "linear", bias=False)`` fed the features ``Phi``, full batch, ``steps`` steps.

    ``eta`` defaults to :func:`step_size`, ``steps`` to :func:`steps_to_converge` at that step.
    """
    Phi, y = _design(Phi, y)
    eta = step_size(Phi, y) if eta is None else float(eta)
    needed = steps_to_converge(Phi, y, eta)
    steps = needed if steps is None else int(steps)
    network = Network((Phi.shape[1], 1), "linear", bias=False)
    data = Dataset(Phi, y[:, None], None, "random ReLU features")
    started = time.perf_counter()
    history = train(network, GradientDescent(eta, loss="squared"), data, steps, params=[np.zeros((Phi.shape[1], 1))],
                    record_every=max(steps, 1), backend=backend)
    return EngineFit(history.final_params[0][:, 0], eta, steps, needed, history.status,
                     time.perf_counter() - started)


def figure_fit(n, quick=False, seed=FIGURE_SEED, task=TASK):
    """The engine's fit of width ``n`` on the figure's draw: to convergence, or :data:`STEP_CAP` steps at most."""
    return _figure_fit(_width(n), bool(quick), _seed(seed), task)


@functools.lru_cache(maxsize=64)
def _figure_fit(n, quick, seed, task):
    d = draw(seed, task)
    Phi = d.phi(n)
    eta = step_size(Phi, d.y)
    return engine_fit(Phi, d.y, steps=min(steps_to_converge(Phi, d.y, eta), STEP_CAP[quick]), eta=eta)


# ---------------------------------------------------------------- test error


def quadrature(task, kinks):
    """Gauss-Legendre rules on the pieces of ``[low, high]`` cut at ``PANELS`` uniform panels and at ``kinks``.

    Returns the cuts (n_pieces + 1,), the nodes and weights (``NODES`` per piece, flattened), and for each
    node its piece and its position ``(node - left cut) / (piece width)``. A network whose kinks are among
    the cuts is linear on each piece, so ``(f - g)^2`` is smooth there and the rule integrates it to rounding.
    """
    cuts = np.union1d(np.linspace(task.low, task.high, PANELS + 1), np.asarray(kinks, dtype=float))
    cuts = cuts[(cuts >= task.low) & (cuts <= task.high)]
    t, weights = np.polynomial.legendre.leggauss(NODES)
    half, middle = 0.5 * np.diff(cuts), 0.5 * (cuts[1:] + cuts[:-1])
    nodes = (middle[:, None] + half[:, None] * t).ravel()
    piece = np.repeat(np.arange(len(half)), NODES)
    return cuts, nodes, (half[:, None] * weights).ravel(), piece, np.tile(0.5 * (t + 1), len(half))


def test_errors(d, weights):
    """``[(1 / (high - low)) int (f - g)^2 dx]`` for the networks with second-layer weights ``weights``
    (one array per network; a network of width ``n`` uses the draw's first ``n`` units).

    Each output is evaluated at the cuts of :func:`quadrature` (every kink is one) and interpolated
    linearly to the nodes, where it is exact.
    """
    widths = [_width(len(w)) for w in weights]
    cuts, nodes, q, piece, position = quadrature(d.task, d.kinks(max(widths)))
    H = np.asfortranarray(d.features(cuts, max(widths)))  # columns contiguous: H[:, :n] @ w reads no more
    g = d.task.target(nodes)
    scale = 1.0 / (d.task.high - d.task.low)
    errors = []
    for w in weights:
        f = H[:, :len(w)] @ np.asarray(w, dtype=float)
        f_nodes = f[piece] + (f[piece + 1] - f[piece]) * position
        errors.append(float(scale * q @ (f_nodes - g) ** 2))
    return errors


def test_error(d, w):
    """The test error of one network of width ``len(w)`` on the draw ``d``."""
    return test_errors(d, [np.asarray(w, dtype=float)])[0]


def threshold(d):
    """The interpolation threshold ``Nh*``: the smallest width whose ``Phi`` has rank ``P`` (``N_MAX + 1`` if none).

    The widths are nested, so the rank grows with ``Nh`` and bisection finds it.
    """
    P = len(d.x)
    if rank(d.phi(N_MAX)) < P:
        return N_MAX + 1
    low, high = 0, N_MAX
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if rank(d.phi(middle)) == P else (middle, high)
    return high


# ---------------------------------------------------------------- the study over seeds


@dataclass(frozen=True)
class Study:
    """Min-norm fits of every width of ``widths`` for seeds ``0 .. n - 1`` (rows: seeds, columns: widths).

    ``test_error``, ``train_error``, ``rank`` and ``norm`` (``|w*|``) are (n_seeds, n_widths);
    ``threshold`` the interpolation threshold ``Nh*`` of each seed; ``aligned_error`` the test error at
    the widths ``round(r Nh*)`` for ``r`` in :data:`RATIOS` (NaN beyond ``N_MAX``), ``aligned_width`` those widths.
    """

    task: Task
    widths: np.ndarray
    seeds: np.ndarray
    test_error: np.ndarray
    train_error: np.ndarray
    rank: np.ndarray
    norm: np.ndarray
    threshold: np.ndarray
    aligned_error: np.ndarray
    aligned_width: np.ndarray
    seconds: float

    def column(self, name, n):
        """The per-seed values of ``name`` at width ``n``."""
        return getattr(self, name)[:, list(self.widths).index(n)]

    def median(self, name, n):
        return float(np.median(self.column(name, n)))

    def interpolates(self, n):
        """Per seed, whether width ``n`` reaches zero training error (``Phi`` of rank ``P``)."""
        return self.column("rank", n) == self.task.n_train


def _seed_row(d, widths, ratios):
    star = threshold(d)
    aligned = [int(round(r * star)) for r in ratios]
    extra = [n for n in aligned if 1 <= n <= N_MAX]
    Phi = d.phi(max(widths + tuple(extra)))
    fits = [min_norm_weights(Phi[:, :n], d.y) for n in widths + tuple(extra)]
    errors = test_errors(d, fits)
    by_width = dict(zip(extra, errors[len(widths):]))
    return (errors[:len(widths)], [train_error(Phi[:, :n], d.y, w) for n, w in zip(widths, fits)],
            [rank(Phi[:, :n]) for n in widths], [float(np.linalg.norm(w)) for w in fits[:len(widths)]], star,
            [by_width.get(n, np.nan) for n in aligned], aligned)


@functools.lru_cache(maxsize=16)
def study(quick=False, task=TASK, widths=None, n_seeds=None, ratios=RATIOS):
    """Min-norm fits over seeds ``0 .. n_seeds - 1`` (default 20 quick, 100 full) and ``widths`` (default
    :data:`GRID`, :data:`QUICK_GRID` when quick); cached per setting."""
    widths = tuple(QUICK_GRID if quick else GRID) if widths is None else tuple(_width(n) for n in widths)
    n_seeds = SEEDS[bool(quick)] if n_seeds is None else int(n_seeds)
    if n_seeds < 1:
        raise RandomFeaturesError(f"the study needs at least one seed, got {n_seeds}")
    started = time.perf_counter()
    rows = [_seed_row(draw(seed, task), widths, ratios) for seed in range(n_seeds)]
    columns = [np.array(c, dtype=float) for c in zip(*rows)]
    return Study(task, np.array(widths), np.arange(n_seeds), columns[0], columns[1], columns[2].astype(int),
                 columns[3], columns[4].astype(int), columns[5], columns[6].astype(int),
                 time.perf_counter() - started)
