"""Linear classifiers on separable data (slides "Implicit Regularization in Gradient Descent").

* :func:`perceptron`: the perceptron with the update condition as printed
  (``y_i w^T x_i < 0``) or as the convergence proof uses it (``<= 0``, eq. 14),
  the update's sign as printed (``w - eta y x``) or as derived (``w + eta y x``,
  eq. 11), an optional bias through the slides' augmentation ``w_hat = (w, b/R)``,
  ``x_hat = (x, R)``; and the bounds of Theorem 1 (Block, Novikoff), eq. 10, 22, 24.
* :func:`max_margin`: the hard-margin SVM (scikit-learn's, polished on its KKT
  system), with or without a bias: the best margin ``gamma`` of Theorem 1 and
  the vector ``w_hat`` of Theorem 3 (eq. 4).
* :func:`asymptote`: Theorem 3's prediction ``w(t) = w_hat log t + w_tilde + o(1)``
  for an exponentially tailed loss, with ``w_tilde`` and the rate of the ``o(1)`` in
  closed form (Soudry et al. 2018).
* :func:`gradient_descent`: full-batch gradient descent on a margin loss (the
  sum, not the mean), compiled, for the 1e6-step runs that Theorem 3 needs, and
  the step-size bound ``eta < 2 / (beta sigma_max^2(X))``.

Labels are ``{0, 1}`` or ``{-1, +1}``; ``z_n = y_n x_n`` folds the labels into
the examples as the slides do for Theorem 3.
"""

from dataclasses import dataclass

import numba
import numpy as np

UPDATE_RULES = {"<=": False, "<": True}  # rule -> strict
LOSSES = ("bce", "exponential")
BETA = {"bce": 0.25}  # sup of l''(u): sigma(u) sigma(-u) <= 1/4 for the logistic loss


def signs(y):
    """Labels as +-1 (``{0, 1}`` or ``{-1, +1}`` accepted)."""
    y = np.asarray(y)
    values = set(np.unique(y).tolist())
    if not values <= {0, 1} and not values <= {-1, 1}:
        raise ValueError(f"labels must be in {{0, 1}} or {{-1, +1}}, got {sorted(values)}")
    return np.where(y == 1, 1.0, -1.0)


def fold(X, y):
    """``z_n = y_n x_n`` (slides, Theorem 3: labels folded into the examples)."""
    return signs(y)[:, None] * np.asarray(X, float)


def input_radius(X):
    """``R = max_i |x_i|``, the radius of the ball about the origin holding the data (slides, "Input ball")."""
    return float(np.linalg.norm(np.asarray(X, float), axis=1).max())


def augment(X, R):
    """``x_hat = (x, R)`` (slides, proof of Theorem 1)."""
    X = np.asarray(X, float)
    return np.hstack([X, np.full((len(X), 1), float(R))])


# ---------------------------------------------------------------- the perceptron


@dataclass(frozen=True)
class PerceptronResult:
    """The perceptron's end: weights ``w``, bias ``b``, ``updates`` (k), ``epochs`` (passes made) and
    whether the last pass made no update (``converged``); ``updated`` lists the example of each update,
    ``radius`` the ``R`` of the augmentation ``x_hat = (x, R)`` (with ``bias``), ``eta`` and ``sign`` the step."""

    w: np.ndarray
    b: float
    updates: int
    epochs: int
    converged: bool
    updated: np.ndarray
    bias: bool
    radius: float
    eta: float
    sign: int

    def weights_after_updates(self, X, y):
        """The weight vector (augmented, ``(w, b/R)``, with a bias) after each update: rows k = 0..updates."""
        Xa = augment(X, self.radius) if self.bias else np.asarray(X, float)
        steps = self.sign * self.eta * signs(y)[self.updated, None] * Xa[self.updated]
        return np.vstack([np.zeros((1, Xa.shape[1])), np.cumsum(steps, axis=0)])


@numba.njit(cache=True)
def _perceptron(Xa, s, eta, strict, sign, max_epochs, seed):
    n, d = Xa.shape
    w = np.zeros(d)
    updated = np.empty(64, np.int64)
    k = 0
    order = np.arange(n)
    if seed >= 0:
        np.random.seed(seed)
    for epoch in range(1, max_epochs + 1):
        if seed >= 0:
            order = np.random.permutation(n)
        clean = True
        for j in range(n):
            i = order[j]
            m = s[i] * np.dot(w, Xa[i])
            if m < 0.0 or (m == 0.0 and not strict):
                w += sign * eta * s[i] * Xa[i]
                if k == updated.size:
                    grown = np.empty(2 * k, np.int64)
                    grown[:k] = updated
                    updated = grown
                updated[k] = i
                k += 1
                clean = False
        if clean:
            return w, updated[:k].copy(), epoch, True
    return w, updated[:k].copy(), max_epochs, False


def perceptron(X, y, *, bias=False, update_on="<=", eta=1.0, sign=1, max_epochs=10_000, shuffle=None):
    """The perceptron from ``w_0 = 0`` (slides, "The Perceptron Algorithm" and Theorem 1).

    Passes over the examples (in the given order, or a fresh permutation per
    epoch drawn from the seed ``shuffle``) and updates ``w <- w + sign eta y_i x_i``
    whenever ``y_i w^T x_i <= 0`` (``update_on="<="``, the condition the proof
    uses, eq. 14) or ``< 0`` (``"<"``, as printed). ``sign=+1`` is the gradient
    step of the perceptron loss (eq. 11); ``sign=-1`` is the slide's printed
    ``w_t - eta_t y_i x_i``. With ``bias=True`` it runs on ``x_hat = (x, R)``,
    ``R = max |x_i|``, and returns ``w`` and ``b = R w_hat[-1]``. It stops after a
    pass without updates or after ``max_epochs`` passes.
    """
    if update_on not in UPDATE_RULES:
        raise ValueError(f"update_on must be one of {', '.join(UPDATE_RULES)}, got {update_on!r}")
    if sign not in (1, -1):
        raise ValueError(f"sign must be +1 or -1, got {sign!r}")
    X = np.asarray(X, float)
    R = input_radius(X) if bias else 0.0
    Xa = augment(X, R) if bias else X
    w, updated, epochs, converged = _perceptron(np.ascontiguousarray(Xa), signs(y), float(eta),
                                                UPDATE_RULES[update_on], float(sign), int(max_epochs),
                                                -1 if shuffle is None else int(shuffle))
    b = float(R * w[-1]) if bias else 0.0
    return PerceptronResult(w[:X.shape[1]].copy(), b, len(updated), int(epochs), bool(converged), updated, bias, R,
                            float(eta), int(sign))


def novikoff_bound(R, gamma, bias=False, b=None):
    """Theorem 1's bound on the number of updates for a separator of margin ``gamma`` in a ball of radius ``R``.

    Without bias the classic ``(R/gamma)^2``; with bias, eq. 24's ``(2R/gamma)^2``,
    or eq. 22's ``2 |w_hat_opt|^2 R^2/gamma^2 = 2 (R^2 + b^2)/gamma^2`` when the
    separator's offset ``b`` (``|w_opt| = 1``) is given.
    """
    if not bias:
        return (R / gamma) ** 2
    if b is None:
        return (2 * R / gamma) ** 2
    return 2 * (R**2 + b**2) / gamma**2


# ---------------------------------------------------------------- the hard-margin SVM


@dataclass(frozen=True)
class MaxMargin:
    """The hard-margin SVM ``min |w|^2 s.t. y_n (w^T x_n + b) >= 1`` (slides eq. 4; ``b = 0`` without bias).

    ``gamma = 1/|w|`` is the geometric margin, the functional margin of the unit
    normal ``w/|w|``, the largest over all separators; ``alpha`` the dual
    coefficients (non-zero on the support vectors ``support``); ``kkt`` the
    largest violation of the KKT conditions of the returned solution.
    """

    w: np.ndarray
    b: float
    alpha: np.ndarray
    support: np.ndarray
    gamma: float
    kkt: float


def _svc(X, s, C, tol):
    """scikit-learn's linear SVC: ``w``, ``b`` and the dual coefficients ``alpha_n >= 0`` of the examples."""
    from sklearn.svm import SVC

    svm = SVC(kernel="linear", C=C, tol=tol).fit(X, s)
    alpha = np.zeros(len(X))
    np.add.at(alpha, svm.support_, np.abs(svm.dual_coef_[0]))
    return svm.coef_[0], float(svm.intercept_[0]), alpha


def _kkt(Z, s, w, b, alpha, bias):
    """Largest violation of primal feasibility, dual feasibility, stationarity and complementary slackness."""
    margins = Z @ w + s * b
    return float(max(np.max(1 - margins, initial=0.0), np.max(-alpha, initial=0.0),
                     np.abs(w - Z.T @ alpha).max(), abs(alpha @ s) if bias else 0.0,
                     np.abs(alpha * (margins - 1)).max()))


def _polish(Z, s, S, bias):
    """Solve the KKT equalities on the support set ``S``: ``Z_S w + y_S b = 1``, ``w = Z_S^T alpha_S``
    (and ``y_S^T alpha_S = 0`` with a bias)."""
    G = Z[S] @ Z[S].T
    b = 0.0
    if bias:
        A = np.block([[G, s[S, None]], [s[None, S], np.zeros((1, 1))]])
        sol = np.linalg.lstsq(A, np.r_[np.ones(len(S)), 0.0], rcond=None)[0]
        a, b = sol[:-1], float(sol[-1])
    else:
        a = np.linalg.lstsq(G, np.ones(len(S)), rcond=None)[0]
    alpha = np.zeros(len(Z))
    alpha[S] = a
    return Z.T @ alpha, b, alpha


def max_margin(X, y, bias=False, C=1e10, tol=1e-12):
    """The hard-margin SVM of ``(X, y)`` (slides eq. 4, Theorem 1's best ``gamma``), from scikit-learn's SVC.

    SVC always fits a bias; without one it is fitted to the mirrored set
    ``{(z_n, +1)} u {(-z_n, -1)}``, whose SVM has bias 0 by symmetry and
    ``alpha_n`` the sum of the two mirror images' coefficients. SVC's (large
    ``C``) support set then fixes the KKT equalities, solved exactly; the
    solution that violates the KKT conditions less is returned.
    """
    s = signs(y)
    Z = s[:, None] * np.asarray(X, float)
    if bias:
        w, b, alpha = _svc(np.asarray(X, float), s, C, tol)
    else:
        w, _, mirrored = _svc(np.vstack([Z, -Z]), np.r_[np.ones(len(Z)), -np.ones(len(Z))], C, tol)
        b, alpha = 0.0, mirrored[:len(Z)] + mirrored[len(Z):]
    S = np.flatnonzero(alpha > 0)
    best = (w, b, alpha)
    polished = _polish(Z, s, S, bias)
    if _kkt(Z, s, *polished, bias) < _kkt(Z, s, *best, bias):
        best = polished
    w, b, alpha = best
    return MaxMargin(w, b, alpha, np.flatnonzero(alpha > 0), float(1 / np.linalg.norm(w)),
                     _kkt(Z, s, w, b, alpha, bias))


# ---------------------------------------------------------------- Theorem 3's asymptote


@dataclass(frozen=True)
class Asymptote:
    """``w(t) = w_hat log t + w_tilde + o(1)`` for gradient flow on an exponentially tailed loss (Theorem 3).

    ``w_tilde`` solves ``exp(-z_n^T w_tilde) = alpha_n`` on the support vectors
    (unique when they span the space, ``determined``); the loss tends to
    ``|w_hat|^2 / t`` (the sum of the ``alpha_n``); the ``o(1)`` decays like
    ``t^-rate`` with ``rate = min(m_2 - 1, lambda_min)``, ``m_2`` the smallest
    margin ``z_n^T w_hat`` of a non-support vector and ``lambda_min`` the smallest
    eigenvalue of ``Z_S^T diag(alpha) Z_S``.
    """

    w_hat: np.ndarray
    alpha: np.ndarray
    support: np.ndarray
    w_tilde: np.ndarray
    determined: bool
    loss_constant: float
    second_margin: float
    rate: float


def asymptote(X, y):
    """Theorem 3's limit objects for the data ``(X, y)`` without bias (slides eq. 3-6).

    Inserting ``w = w_hat log t + w_tilde`` into ``dw/dt = sum_n exp(-z_n^T w) z_n``
    gives ``w_hat / t = (1/t) sum_S exp(-z_n^T w_tilde) z_n``, so
    ``exp(-z_n^T w_tilde) = alpha_n`` (eq. 6's coefficients); the loss is
    ``sum_S alpha_n / t = |w_hat|^2 / t`` since ``z_n^T w_hat = 1`` on ``S``.
    The logistic loss has the same asymptote (``l'(u) = -e^-u (1 + O(e^-u))``).
    """
    svm = max_margin(X, y, bias=False)
    Z = fold(X, y)
    S = svm.support
    w_tilde, _, rank, _ = np.linalg.lstsq(Z[S], -np.log(svm.alpha[S]), rcond=None)
    margins = Z @ svm.w
    others = np.delete(margins, S)
    M = Z[S].T @ np.diag(svm.alpha[S]) @ Z[S]
    lam = float(np.linalg.eigvalsh(M)[0])
    second = float(others.min()) if others.size else np.inf
    return Asymptote(svm.w, svm.alpha, S, w_tilde, rank == Z.shape[1], float(svm.alpha.sum()), second,
                     float(min(second - 1, lam)))


# ---------------------------------------------------------------- gradient descent on a margin loss


def smoothness(X, loss="bce", level=None):
    """``beta sigma_max^2(X)``, the Lipschitz constant of the gradient of ``L = sum_n l(z_n^T w)`` (Assumption 2).

    ``beta = 1/4`` for the logistic loss. The exponential loss has no global
    ``beta``; on the sublevel set ``{L <= level}`` every ``l(u) <= level``, so
    ``l''(u) = e^-u <= level`` there: pass ``level`` (e.g. ``L(w(0))``).
    """
    sigma = np.linalg.norm(np.asarray(X, float), 2)
    if loss == "bce":
        return BETA["bce"] * sigma**2
    if loss == "exponential":
        if level is None:
            raise ValueError("the exponential loss is only locally smooth: give the sublevel `level`")
        return level * sigma**2
    raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")


def step_size_bound(X, loss="bce", level=None):
    """Theorem 3's largest step, ``2 / (beta sigma_max^2(X))``."""
    return 2 / smoothness(X, loss, level)


def margin_loss(Z, w, loss="bce"):
    """``L(w) = sum_n l(z_n^T w)``, ``l(u) = log(1 + e^-u)`` ("bce") or ``e^-u``, for one ``w`` or rows of ``w``."""
    u = np.asarray(w) @ Z.T
    return (np.logaddexp(0.0, -u) if loss == "bce" else np.exp(-u)).sum(axis=-1)


@numba.njit(cache=True)
def _loss_and_slope(u, exponential):
    """``l(u)`` and ``-l'(u)`` evaluated stably."""
    if exponential:
        e = np.exp(-u)
        return e, e
    if u > 0:
        e = np.exp(-u)
        return np.log1p(e), e / (1.0 + e)
    e = np.exp(u)
    return -u + np.log1p(e), 1.0 / (1.0 + e)


@numba.njit(cache=True)
def _gd(Z, w0, eta, steps, exponential, record):
    n, d = Z.shape
    w = w0.copy()
    W = np.empty((record.size, d))
    L = np.empty(record.size)
    grad = np.empty(d)
    previous = np.inf
    increases = 0
    worst = 0.0
    r = 0
    for k in range(steps + 1):
        grad[:] = 0.0
        total = 0.0
        for i in range(n):
            u = 0.0
            for j in range(d):
                u += Z[i, j] * w[j]
            value, slope = _loss_and_slope(u, exponential)
            total += value
            for j in range(d):
                grad[j] += slope * Z[i, j]
        if total > previous:
            increases += 1
            worst = max(worst, (total - previous) / previous)
        previous = total
        while r < record.size and record[r] == k:
            W[r] = w
            L[r] = total
            r += 1
        if k < steps:
            for j in range(d):
                w[j] += eta * grad[j]
    return W, L, increases, worst


@dataclass(frozen=True)
class GDRun:
    """Gradient descent's iterates ``w`` at the recorded ``steps`` k (flow time ``t = eta k``), the loss there,
    and how often (``increases``) and by how much at most (``largest_increase``, relative) the loss went up."""

    steps: np.ndarray
    w: np.ndarray
    loss: np.ndarray
    increases: int
    largest_increase: float
    eta: float

    @property
    def t(self):
        return self.eta * self.steps


def gradient_descent(X, y, eta, steps, loss="bce", w0=None, record=None):
    """Full-batch gradient descent ``w <- w - eta grad L``, ``L = sum_n l(y_n w^T x_n)`` (slides, Theorem 3, eq. 2).

    The sum (not the mean) of the losses, so that ``k`` steps follow the flow
    ``dw/dt = -grad L`` to ``t = eta k``. ``record`` are the steps kept
    (default: about 20 per decade and the last); the loss is evaluated at every
    step to count its increases.
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    Z = fold(X, y)
    w0 = np.zeros(Z.shape[1]) if w0 is None else np.asarray(w0, float)
    if record is None:
        record = np.unique(np.r_[0, np.geomspace(1, steps, 20 * max(int(np.log10(max(steps, 10))), 1) + 1)
                                 .astype(np.int64), steps])
    record = np.unique(np.asarray(record, np.int64))
    W, L, increases, worst = _gd(np.ascontiguousarray(Z), w0.copy(), float(eta), int(steps), loss == "exponential",
                                 record)
    return GDRun(record, W, L, int(increases), float(worst), float(eta))


# ---------------------------------------------------------------- data and studies


def separable_data(n, d, margin, seed=0, offset=0.0):
    """``n`` points in ``R^d``, labels +-1, at distance ``margin + |N(0, 1)|`` from the hyperplane
    ``u^T x + offset = 0``.

    ``u`` is a random unit normal; along the hyperplane the points are N(0, I).
    The classes alternate before a shuffle (they differ by at most one), so
    any separator with a bias has margin at least ``margin``; with
    ``offset = 0`` a separator through the origin does too.
    """
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    y = np.where(rng.permutation(np.arange(n) % 2) == 1, 1.0, -1.0)
    X = rng.standard_normal((n, d))
    X -= np.outer(X @ u, u)
    X += np.outer(y * (margin + np.abs(rng.standard_normal(n))) - offset, u)
    return X, y


def theorem3_data(n=12, margin=0.3, second_margin=1.5, seeds=range(200)):
    """The first seed of ``datasets.separable_2d(n, margin, seed)`` whose no-bias SVM has support vectors spanning
    the plane and non-support margins ``z_n^T w_hat >= second_margin``: ``(seed, X, labels)``.

    Theorem 3's residual approaches ``w_tilde`` like ``t^-(m_2 - 1)`` (:class:`Asymptote`),
    so a second margin well above 1 makes the limit visible before ``t = 1e8``.
    """
    from .datasets import separable_2d

    for seed in seeds:
        data = separable_2d(n, margin, seed)
        a = asymptote(data.X, data.y)
        if a.determined and len(a.support) == data.X.shape[1] and a.second_margin >= second_margin:
            return seed, data.X, data.y
    raise ValueError(f"no seed in {seeds} gives a second margin >= {second_margin}")


@dataclass(frozen=True)
class BoundRun:
    """One perceptron run of :func:`bound_study`: the settings, the data's ``R`` and best ``gamma``, the updates
    ``k``, Theorem 1's bound and eq. 22's, and the proof's inequalities' least slack along the run."""

    d: int
    margin: float
    offset: float
    seed: int
    shuffle: object
    bias: bool
    R: float
    gamma: float
    b_opt: float
    updates: int
    bound: float
    bound_eq22: float
    converged: bool
    norm_slack: float
    progress_slack: float

    @property
    def ratio(self):
        return self.updates / self.bound


def bound_run(X, y, bias, shuffle=None, max_epochs=100_000):
    """The perceptron (``<=``, ``+``) on ``(X, y)`` against Theorem 1 with the SVM's (best) ``gamma``.

    Along the run it checks the proof's two inequalities at every update k:
    ``|w_hat_k|^2 <= k max|x_hat|^2`` (eq. 11-17, ``<= 2 k R^2`` with bias) and
    ``w_hat_opt^T w_hat_k >= k gamma`` (eq. 18-20), ``w_hat_opt = (w_opt, b_opt/R)``;
    the slacks are the least ``(bound - value) / bound`` over the run.
    """
    svm = max_margin(X, y, bias=bias)
    scale = np.linalg.norm(svm.w)
    R = input_radius(X)
    run = perceptron(X, y, bias=bias, shuffle=shuffle, max_epochs=max_epochs)
    W = run.weights_after_updates(X, y)
    k = np.arange(len(W))
    opt = np.r_[svm.w / scale, svm.b / (scale * R)] if bias else svm.w / scale
    growth = (2 if bias else 1) * k * R**2
    norm_slack = np.min((growth[1:] - (W[1:] ** 2).sum(axis=1)) / growth[1:], initial=np.inf)
    progress = W @ opt
    progress_slack = np.min((progress[1:] - k[1:] * svm.gamma) / (k[1:] * svm.gamma), initial=np.inf)
    b_opt = svm.b / scale
    return dict(R=R, gamma=svm.gamma, b_opt=b_opt, updates=run.updates, converged=run.converged,
                bound=novikoff_bound(R, svm.gamma, bias), bound_eq22=novikoff_bound(R, svm.gamma, bias, b_opt),
                norm_slack=float(norm_slack), progress_slack=float(progress_slack))


def bound_study(dims=(2, 5, 20), margins=(0.05, 0.2, 0.5), offsets=(0.0, 1.0), seeds=range(5), n=40,
                shuffles=(None, 0)):
    """Theorem 1 over generated separable sets: every dimension, margin, offset, seed and order of presentation
    (``None``: as generated; an int: a fresh permutation per epoch from that seed), with bias (eq. 24) and, for
    the sets with ``offset = 0``, without (the classic ``(R/gamma)^2``)."""
    runs = []
    for d in dims:
        for margin in margins:
            for offset in offsets:
                for seed in seeds:
                    X, y = separable_data(n, d, margin, seed, offset)
                    for bias in (True, False) if offset == 0 else (True,):
                        for shuffle in shuffles:
                            runs.append(BoundRun(d, margin, offset, seed, shuffle, bias,
                                                 **bound_run(X, y, bias, shuffle)))
    return runs
