"""The slides' linear regression: minimum-norm least squares, GD/SGD from zero, ridge, early stopping.

Slides (Yuan Yao), "Linear Regression Case" to "Why Early Stopping?": rows
``x_i`` of ``X in R^{n,d}`` are the examples, ``d > n``, ``rank X = n``,
``L(w) = |Xw - y|^2 / (2n)`` (eq. 10), ``grad L = X^T e`` with ``e = (Xw -
y)/n``, and the minimum-norm solution ``w_+ = X^T (X X^T)^{-1} y``.

Spectral picture. With the thin SVD ``X = U diag(s) V^T`` (rank ``n``) and
``mu_i = s_i^2 / n``, the eigenvalues of the empirical covariance ``H = X^T X / n``
(the sample version of the slides' ``L_K`` for the linear kernel), every estimator
here is a *spectral filter* of the data: ``w = V diag(phi_i / s_i) U^T y``, plus,
for gradient descent started at ``w0``, what is left of ``w0``:

* minimum norm: ``phi_i = 1`` (``w_+ = X^+ y``);
* ridge (Tikhonov) ``w_lambda = argmin L(w) + lambda |w|^2 / 2 = (X^T X + n lambda I)^{-1} X^T y``
  (the scaling used throughout: the penalty is added to the *mean* loss, as in the
  slides' ``E(f) + lambda |f|_K^2`` with ``E`` the mean squared error, up to the common
  factor 2): ``phi_i = mu_i / (mu_i + lambda)``; scikit-learn's ``Ridge(alpha)``, which
  minimises ``|y - Xw|^2 + alpha |w|^2``, is ``alpha = n lambda``;
* gradient descent ``w_{k+1} = w_k - eta grad L(w_k)`` after ``k`` steps:
  ``phi_i = 1 - (1 - eta mu_i)^k``. Derivation: ``w_+`` is a stationary point,
  ``H w_+ = X^T y / n``, so ``w_{k+1} - w_+ = (I - eta H)(w_k - w_+)`` and
  ``w_k = w_+ + (I - eta H)^k (w0 - w_+)``. On the row space ``I - eta H`` is
  ``V diag(1 - eta mu_i) V^T``, on ``ker X`` it is the identity, and ``w_+ = V (U^T y / s)``
  lies in the row space, so
  ``w_k = V diag(1 - (1 - eta mu_i)^k) (U^T y / s) + V diag((1 - eta mu_i)^k) V^T w0 + P_ker w0``:
  the filter factors on ``y``, a decaying row-space part of ``w0``, and its kernel part ``P_ker w0``,
  which never moves (:func:`gd_closed_form`).

Iterates. Long runs use that closed form. The engine (:mod:`dynsys.train`:
``Network((d, 1), activation="linear", bias=False)``, ``GradientDescent(eta,
loss="squared")``, whose mean squared loss ``sum (x_i^T w - y_i)^2 / (2n)`` is
exactly ``L``) gives the iterates the claims check against it:
:func:`gd_engine` (full batch, ``trajectory``) and :func:`sgd_engine` (``train``
with ``batch_size=1``: one example per step, reshuffled every epoch).

Risk. :func:`generate` draws Gaussian inputs ``x ~ N(0, Sigma)`` of known
diagonal covariance, a teacher ``w*`` and noisy labels ``y = X w* + sigma eps``.
For a fresh test pair the risk of ``w`` is exactly ``E (x^T w - y)^2 =
(w - w*)^T Sigma (w - w*) + sigma^2`` (:func:`prediction_risk`); for a spectral filter
its expectation over the training noise, given ``X``, splits into bias, variance
and noise in closed form (:func:`expected_risks`), and so does the training error.

Operators. The slides' early-stopping slides (Yao, Rosasco and Caponetto 2005)
compare the population filters ``mu / (mu + lambda)`` and ``1 - (1 - mu)^t`` on the
spectrum of ``L_K``; :func:`power_law_spectrum`, :func:`bias_norms` and
:func:`matching_lambda` compute their approximation errors for a source
condition ``f_rho = L_K^r g`` and the ``lambda`` that best matches ``t``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from ..algorithms import GradientDescent
from ..datasets import Dataset
from ..loop import train, trajectory
from ..network import Network


class LeastSquaresError(ValueError):
    """Inputs the least-squares computations cannot use (a user error)."""


# ---------------------------------------------------------------- the generated problem


@dataclass(frozen=True, eq=False)
class Problem:
    """A generated regression problem: ``X (n, d)``, ``y (n,)``, teacher ``w_star (d,)``, noise level ``sigma``,
    and the diagonal ``covariance (d,)`` of the Gaussian inputs."""

    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    sigma: float
    covariance: np.ndarray
    power: float
    seed: int

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def d(self):
        return self.X.shape[1]

    def describe(self):
        return (f"n = {self.n}, d = {self.d}, x ~ N(0, Sigma) with Sigma_jj ~ j^-{self.power:g} (mean 1), "
                f"w* ~ N(0, Sigma) scaled to w*^T Sigma w* = 1, noise sigma = {self.sigma:g}, seed {self.seed}")


def generate(n, d, sigma=0.5, power=1.0, seed=0):
    """A :class:`Problem`: ``Sigma_jj = j^-power`` scaled to mean 1, ``x_i ~ N(0, Sigma)``, ``w* ~ N(0, Sigma)``
    rescaled to unit signal variance ``w*^T Sigma w* = 1``, ``y = X w* + sigma eps``
    (``numpy.random.default_rng(seed)``)."""
    for name, value in (("n", n), ("d", d)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise LeastSquaresError(f"{name} must be a positive integer, got {value!r}")
    if not (np.isfinite(sigma) and sigma >= 0):
        raise LeastSquaresError(f"the noise level sigma must be finite and >= 0, got {sigma!r}")
    if not (np.isfinite(power) and power >= 0):
        raise LeastSquaresError(f"the spectrum power must be finite and >= 0, got {power!r}")
    rng = np.random.default_rng(seed)
    covariance = np.arange(1, d + 1) ** -float(power)
    covariance /= covariance.mean()
    X = rng.standard_normal((n, d)) * np.sqrt(covariance)
    w_star = rng.standard_normal(d) * np.sqrt(covariance)
    w_star /= np.sqrt(w_star @ (covariance * w_star))
    y = X @ w_star + sigma * rng.standard_normal(n)
    return Problem(X, y, w_star, float(sigma), covariance, float(power), seed)


# ---------------------------------------------------------------- loss, gradient, solutions


def _check(X, y=None):
    X = np.asarray(X, float)
    if X.ndim != 2 or X.size == 0:
        raise LeastSquaresError(f"X must be a non-empty matrix (n, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise LeastSquaresError("X has non-finite entries")
    if y is None:
        return X
    y = np.asarray(y, float)
    if y.shape != (X.shape[0],):
        raise LeastSquaresError(f"y must have shape (n,) = ({X.shape[0]},), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise LeastSquaresError("y has non-finite entries")
    return X, y


def loss(X, y, w):
    """``L(w) = |Xw - y|^2 / (2n)`` (slides, eq. 10), for one ``w (d,)`` or rows ``W (k, d)``."""
    X, y = _check(X, y)
    residual = np.asarray(w, float) @ X.T - y
    return 0.5 * np.mean(residual**2, axis=-1)


def gradient(X, y, w):
    """``grad L(w) = X^T e`` with ``e = (Xw - y)/n`` (slides, proof of Lemma 3)."""
    X, y = _check(X, y)
    return X.T @ ((X @ np.asarray(w, float) - y) / X.shape[0])


def min_norm(X, y):
    """``w_+ = X^T (X X^T)^{-1} y`` (slides, "Minimal Norm Least Square solution"); needs ``rank X = n``."""
    X, y = _check(X, y)
    gram = X @ X.T
    if np.linalg.matrix_rank(gram) < X.shape[0]:
        raise LeastSquaresError(f"X X^T is singular: X (n = {X.shape[0]}, d = {X.shape[1]}) is not of full row rank")
    return X.T @ np.linalg.solve(gram, y)


def ridge(X, y, lam):
    """``w_lambda = (X^T X + n lambda I)^{-1} X^T y = X^T (X X^T + n lambda I)^{-1} y``, the minimiser of
    ``L(w) + lambda |w|^2 / 2``; the second (push-through) form is solved, an n x n system."""
    X, y = _check(X, y)
    if not (np.isfinite(lam) and lam > 0):
        raise LeastSquaresError(f"lambda must be finite and > 0, got {lam!r}")
    n = X.shape[0]
    return X.T @ np.linalg.solve(X @ X.T + n * lam * np.eye(n), y)


@dataclass(frozen=True, eq=False)
class Spectrum:
    """The thin SVD ``X = U diag(s) V^T`` (nonzero ``s`` only) and ``mu = s^2 / n``."""

    U: np.ndarray
    s: np.ndarray
    V: np.ndarray
    mu: np.ndarray

    def kernel_part(self, w):
        """``P_ker(X) w`` for ``w (d,)`` or rows ``(k, d)``."""
        w = np.asarray(w, float)
        return w - (w @ self.V) @ self.V.T


def spectrum(X):
    """:class:`Spectrum` of ``X``; singular values below ``max(n, d) eps s_max`` count as zero."""
    X = _check(X)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > max(X.shape) * np.finfo(float).eps * s[0]
    return Spectrum(U[:, keep], s[keep], Vt[keep].T, s[keep] ** 2 / X.shape[0])


def filter_gd(mu, eta, steps):
    """Filter factors of ``steps`` gradient-descent steps of size ``eta``: ``1 - (1 - eta mu)^k``,
    shape ``(len(steps), len(mu))``."""
    k = np.asarray(steps, float).reshape(-1, 1)
    q = eta * np.asarray(mu, float)
    below = q < 1
    # 1 - (1 - q)^k to full relative precision for tiny q (where 1 - q itself rounds); a plain power elsewhere
    accurate = -np.expm1(k * np.log1p(-np.where(below, q, 0.0)))
    with np.errstate(over="ignore", invalid="ignore"):
        plain = 1 - (1 - q) ** k
    return np.where(below, accurate, plain)


def filter_ridge(mu, lam):
    """Filter factors ``mu / (mu + lambda)`` of ridge, shape ``(len(lam), len(mu))``."""
    lam = np.asarray(lam, float).reshape(-1, 1)
    return np.asarray(mu, float) / (np.asarray(mu, float) + lam)


def filtered(sp, y, phi):
    """``w = V diag(phi / s) U^T y`` for filter factors ``phi (n,)`` or ``(k, n)``: rows ``(k, d)``."""
    return (np.atleast_2d(phi) * (sp.U.T @ y / sp.s)) @ sp.V.T


def gd_closed_form(X, y, eta, steps, w0=None):
    """The gradient-descent iterates ``w_k`` for the integers ``steps``, by the module's SVD formula:
    ``V diag(phi)(U^T y / s) + V diag((1 - eta mu)^k) V^T w0 + P_ker w0``, rows ``(len(steps), d)``."""
    X, y = _check(X, y)
    sp = spectrum(X)
    phi = filter_gd(sp.mu, eta, steps)
    w = filtered(sp, y, phi)
    if w0 is not None:
        w0 = np.asarray(w0, float)
        w += ((1 - phi) * (w0 @ sp.V)) @ sp.V.T + sp.kernel_part(w0)
    return w


def step_bound(X):
    """``2 / mu_max``: gradient descent on ``L`` converges for ``eta`` below it and diverges above."""
    return 2.0 / spectrum(X).mu.max()


# ---------------------------------------------------------------- the training engine


def network(d):
    """``Network((d, 1), activation="linear", bias=False)``: ``f(x) = x^T w``."""
    return Network((d, 1), activation="linear", bias=False)


def dataset(X, y):
    """The engine's regression data set (targets as a column)."""
    X, y = _check(X, y)
    return Dataset(X, y[:, None], None, "least-squares")


def _start(X, w0):
    w0 = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, float)
    if w0.shape != (X.shape[1],):
        raise LeastSquaresError(f"w0 must have shape (d,) = ({X.shape[1]},), got {w0.shape}")
    return [w0[:, None].copy()]


def gd_engine(X, y, eta, steps, w0=None):
    """Full-batch ``GradientDescent(eta, "squared")`` of the engine: the iterates ``w_0 .. w_steps`` (rows)."""
    X, y = _check(X, y)
    return trajectory(network(X.shape[1]), GradientDescent(eta, loss="squared"), dataset(X, y), steps,
                      _start(X, w0))


def sgd_engine(X, y, eta, epochs, w0=None, seed=0, record_every=1):
    """The engine's SGD, ``train(..., batch_size=1)``: ``(epochs recorded, iterates (rows))`` at the end of
    every ``record_every``-th epoch (epoch 0 = ``w0``); each step is ``w <- w - eta (x_i^T w - y_i) x_i``."""
    X, y = _check(X, y)
    history = train(network(X.shape[1]), GradientDescent(eta, loss="squared"), dataset(X, y), epochs, batch_size=1,
                    seed=seed, params=_start(X, w0), record_every=record_every, record_params=True)
    return np.asarray(history.epochs), np.stack([p[0][:, 0] for p in history.params])


def engine_step(X, y, w, eta, index):
    """One step of the engine's ``GradientDescent(eta, "squared")`` from ``w`` on the examples ``index``."""
    X, y = _check(X, y)
    net, algorithm = network(X.shape[1]), GradientDescent(eta, loss="squared")
    state = algorithm.start(np, net, _start(X, w), X.shape[0])
    index = np.atleast_1d(np.asarray(index))
    algorithm.step(np, net, state, index, X[index], y[index][:, None])
    return state["variables"][0][:, 0].copy()


def engine_gradient(X, y, w):
    """The engine's gradient of its mean squared loss at ``w`` (full batch): ``grad L`` computed by backprop."""
    X, y = _check(X, y)
    net, algorithm = network(X.shape[1]), GradientDescent(1.0, loss="squared")
    state = algorithm.start(np, net, _start(X, w), X.shape[0])
    return algorithm.objective_gradient(np, net, state, np.arange(X.shape[0]), X, y[:, None])[0][:, 0]


# ---------------------------------------------------------------- risks


def prediction_risk(problem, w):
    """The exact risk ``E (x^T w - y)^2 = (w - w*)^T Sigma (w - w*) + sigma^2`` of a fresh test pair
    (``x ~ N(0, Sigma)``, new noise), for ``w (d,)`` or rows ``(k, d)``."""
    diff = np.asarray(w, float) - problem.w_star
    return np.sum(diff * problem.covariance * diff, axis=-1) + problem.sigma**2


def training_error(problem, w):
    """The training error ``|Xw - y|^2 / n = 2 L(w)`` on the problem's own (noisy) labels."""
    return 2 * loss(problem.X, problem.y, w)


def expected_risks(problem, phi, sp=None):
    """Risks of the spectral estimators with filter factors ``phi (k, n)``, averaged over the training noise
    ``eps ~ N(0, I)`` given ``X`` (exact): a dict of arrays ``(k,)``.

    With ``c = V^T w*``, ``p = P_ker w*``, ``M = V^T Sigma V``: the mean estimate is
    ``V diag(phi) c``, so ``bias = (V (phi - 1) c - p)^T Sigma (...)``, ``variance =
    sigma^2 sum_i (phi_i / s_i)^2 M_ii``, ``test = bias + variance + sigma^2``; the
    training residual is ``U diag(1 - phi) U^T y`` (plus ``(I - U U^T) y`` when
    ``rank X < n``), so ``train = [sum_i (1 - phi_i)^2 (s_i^2 c_i^2 + sigma^2) +
    |(I - U U^T) X w*|^2 + sigma^2 (n - rank)] / n``.
    """
    sp = sp or spectrum(problem.X)
    phi = np.atleast_2d(np.asarray(phi, float))
    S = problem.covariance
    c = sp.V.T @ problem.w_star
    p = sp.kernel_part(problem.w_star)
    M = sp.V.T @ (S[:, None] * sp.V)
    F = (phi - 1) * c
    bias = np.einsum("ki,ij,kj->k", F, M, F) - 2 * F @ (sp.V.T @ (S * p)) + p @ (S * p)
    variance = problem.sigma**2 * (phi / sp.s) ** 2 @ np.diag(M)
    n, rank = problem.n, len(sp.s)
    outside = problem.X @ problem.w_star
    outside -= sp.U @ (sp.U.T @ outside)
    train_error = ((1 - phi) ** 2 @ (sp.s**2 * c**2 + problem.sigma**2) + outside @ outside
                   + problem.sigma**2 * (n - rank)) / n
    return {"bias": bias, "variance": variance, "test": bias + variance + problem.sigma**2, "train": train_error}


# ---------------------------------------------------------------- population filters (the operator slides)


def power_law_spectrum(modes, alpha=1.0):
    """``mu_i = i^-alpha``, ``i = 1..modes``: a compact ``L_K`` with ``|L_K| = mu_1 = 1``."""
    if isinstance(modes, bool) or not isinstance(modes, (int, np.integer)) or modes < 1:
        raise LeastSquaresError(f"the number of modes must be a positive integer, got {modes!r}")
    if not alpha > 0:
        raise LeastSquaresError(f"the spectrum exponent alpha must be > 0, got {alpha!r}")
    return np.arange(1, modes + 1) ** -float(alpha)


def tikhonov_filter(mu, lam):
    """``mu / (mu + lambda)`` (slides: ``f_lambda = (L_K + lambda I)^{-1} L_K f_rho``), shape
    ``(len(lam), len(mu))``."""
    return filter_ridge(mu, lam)


def landweber_filter(mu, t):
    """``1 - (1 - mu)^t`` (slides: ``f_t = (I - (I - L_K)^t) f_rho``), shape ``(len(t), len(mu))``."""
    return filter_gd(mu, 1.0, t)


def source_exponent(r, norm):
    """The exponent ``e`` of ``mu`` in the error weights: ``r`` in ``L^2_rho``, ``r - 1/2`` in ``H_K``."""
    if norm not in ("rho", "K"):
        raise LeastSquaresError(f"norm must be 'rho' or 'K', got {norm!r}")
    return r - (0.5 if norm == "K" else 0.0)


def bias_norms(phi, mu, r, norm="rho", g=None):
    """``|f - f_rho|`` of the filtered ``f = phi(L_K) f_rho`` for ``f_rho = L_K^r g``, one per row of ``phi``.

    In the eigenbasis ``f - f_rho = -(1 - phi) mu^r g``; in ``L^2_rho`` its norm has
    weights 1, in ``H_K`` weights ``1/mu`` (so ``mu^(r - 1/2)``). ``g=None`` gives the
    worst case over ``|g|_rho <= 1``, ``max_i |1 - phi_i| mu_i^e``, the bound's
    constant ``R = 1``; otherwise the error of that ``g``.
    """
    weight = np.abs(1 - phi) * np.asarray(mu, float) ** source_exponent(r, norm)
    if g is None:
        return weight.max(axis=1)
    return np.sqrt(((weight * g) ** 2).sum(axis=1))


def bias_bound(kind, r, norm, values, mu_max=1.0):
    """The explicit worst-case bounds over ``|g| <= 1`` (continuous ``mu`` in ``(0, mu_max]``, ``mu_max <= 1``),
    exponent ``e = r`` (``rho``) or ``r - 1/2`` (``K``):

    * Tikhonov: ``sup lambda mu^e / (mu + lambda) = e^e (1 - e)^(1 - e) lambda^e`` for ``e < 1``,
      and ``<= lambda mu_max^(e - 1)`` for ``e >= 1`` (the saturation);
    * early stopping: ``sup (1 - mu)^t mu^e <= (e / (e + t))^e (t / (e + t))^t <= (e / (e t))^e``.
    """
    e, v = source_exponent(r, norm), np.asarray(values, float)
    if e <= 0:
        raise LeastSquaresError(f"no decay for exponent {e:g} (r = {r:g}, norm {norm})")
    if kind == "tikhonov":
        return e**e * (1 - e) ** (1 - e) * v**e if e < 1 else v * mu_max ** (e - 1)
    if kind == "early_stopping":
        return (e / (e + v)) ** e * (v / (e + v)) ** v
    raise LeastSquaresError(f"kind must be 'tikhonov' or 'early_stopping', got {kind!r}")


def _filter_distance(mu, t, lam):
    return np.max(np.abs(tikhonov_filter(mu, [lam])[0] - landweber_filter(mu, [t])[0]))


def matching_lambda(mu, t):
    """``(lambda*, distance)``: the ``lambda`` whose Tikhonov filter is closest to the early-stopping filter at
    ``t`` in the sup norm over the spectrum ``mu``, and that distance (bounded search on ``log lambda``)."""
    result = minimize_scalar(lambda a: _filter_distance(mu, t, np.exp(a)), bounds=(np.log(1e-3 / t), np.log(1e3 / t)),
                             method="bounded", options={"xatol": 1e-10})
    return float(np.exp(result.x)), float(result.fun)


def matching_constant():
    """``(c*, distance)``: the ``c`` minimising ``sup_x |x / (x + c) - (1 - e^-x)|`` (``x = mu t``), the limit of
    ``lambda*(t) t`` for a dense spectrum and large ``t`` (``(1 - mu)^t -> e^{-mu t}``)."""
    x = np.geomspace(1e-6, 1e6, 200_001)
    exact = -np.expm1(-x)
    result = minimize_scalar(lambda a: np.max(np.abs(x / (x + np.exp(a)) - exact)), bounds=(-5.0, 5.0),
                             method="bounded", options={"xatol": 1e-12})
    return float(np.exp(result.x)), float(result.fun)


# ---------------------------------------------------------------- studies shared by the claims and the figure


STEPS = np.unique(np.concatenate([[0], np.geomspace(1, 1e7, 400).astype(np.int64)]))
LAMBDAS = np.geomspace(1e-8, 1e2, 400)


@dataclass(frozen=True, eq=False)
class RiskCurves:
    """Expected risks (:func:`expected_risks`) along gradient descent (``steps`` of ``eta``), along ridge
    (``lams``) and of the minimum-norm solution, for one :class:`Problem`."""

    problem: Problem
    eta: float
    steps: np.ndarray
    lams: np.ndarray
    gd: dict
    ridge: dict
    min_norm: dict

    @property
    def best_step(self):
        return int(self.steps[np.argmin(self.gd["test"])])

    @property
    def best_lambda(self):
        return float(self.lams[np.argmin(self.ridge["test"])])


def risk_curves(problem, eta=None, steps=STEPS, lams=LAMBDAS):
    """:class:`RiskCurves` of ``problem``; ``eta`` defaults to ``1 / mu_max`` (half the step bound)."""
    sp = spectrum(problem.X)
    eta = 1.0 / sp.mu.max() if eta is None else float(eta)
    steps, lams = np.asarray(steps), np.asarray(lams, float)
    return RiskCurves(problem, eta, steps, lams, expected_risks(problem, filter_gd(sp.mu, eta, steps), sp),
                      expected_risks(problem, filter_ridge(sp.mu, lams), sp),
                      {k: float(v[0]) for k, v in expected_risks(problem, np.ones((1, len(sp.mu))), sp).items()})


def rate_curves(mu, r, norm, lams, ts, g=None):
    """``(Tikhonov errors along lams, early-stopping errors along ts)``: :func:`bias_norms` of both filters."""
    return (bias_norms(tikhonov_filter(mu, lams), mu, r, norm, g),
            bias_norms(landweber_filter(mu, ts), mu, r, norm, g))


def unimodal(values):
    """``(index of the minimum, worst violation)``: how far ``values`` is from decreasing to its minimum and
    increasing after it (the largest rise before, or fall after, relative to ``max |values|``)."""
    values = np.asarray(values, float)
    m = int(np.argmin(values))
    steps = np.diff(values) / np.abs(values).max()
    before = steps[:m].max(initial=0.0)
    after = -steps[m:].min(initial=0.0)
    return m, max(before, after)
