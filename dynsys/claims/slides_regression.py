"""Claims of the slides' "Linear Regression Case", "Minimal Norm Least Square solution", Lemma 3 and "Why Early
Stopping?" (with the two slides after it, from Yao, Rosasco and Caponetto 2005).

Examples are the rows of ``X in R^{n,d}`` (``d > n``, ``rank X = n``), ``L(w) =
|Xw - y|^2/(2n)`` (eq. 10). The computations live in
:mod:`dynsys.train.experiments.least_squares`: generated Gaussian problems,
the minimum-norm, ridge and spectral-filter solutions, gradient descent and
SGD of the training engine (``Network((d, 1), "linear", bias=False)``,
``GradientDescent(eta, "squared")``, whose mean squared loss is ``L``), the
closed-form GD iterates for long runs, the exact expected risks, and the
population filters ``mu/(mu + lambda)`` and ``1 - (1 - mu)^t`` on a power-law
spectrum. Symbolic checks use SymPy at ``n = 2``, ``d = 3`` (where ``ker X`` is
spanned by the cross product of the two rows) or on symbolic 2 x 2 operators;
the references are ``numpy.linalg.pinv``/``lstsq``, ``scipy.linalg.null_space``,
scikit-learn's ``Ridge`` and central finite differences.

The slides' ``L_K`` is, for the linear kernel ``K(x, x') = x^T x'``, the covariance
acting on coefficients (``L_K (x -> x^T v) = x -> x^T Sigma v``, ``|f|_K = |w|``); its
sample version is ``H = X^T X / n``, with ``f_rho`` the least-squares fit ``w_+``
(``X^T y / n = H w_+``). Gradient descent with step ``eta`` is the slides' ``f_t``
with ``L_K = eta H``.
"""

import functools

import numpy as np
import sympy
from scipy.linalg import null_space

from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.train.experiments import least_squares as ls

PAPER = "slides"
SMALL = (20, 40)  # (n, d) of the generated problems for iterates: isotropic inputs, noisy labels
RISK = (100, 150)  # (n, d) of the bias-variance problem: Sigma_jj ~ 1/j, sigma = 0.5
NOISE = 0.5
EXACT = 1e-12  # relative tolerance of identities computed in floating point
CONVERGED = 1e-9  # relative distance to w_+ counted as converged
ROUNDING = 4 * np.finfo(float).eps  # absolute: 1 - phi of a filter phi ~ 1 is only known to this
FD_TOL = 1e-8  # relative tolerance of central differences (h = 1e-5, quadratic L: only rounding)
RATE_TOL = 0.03  # tolerance of a fitted exponent
MODES = 10**5  # power-law spectrum mu_i = 1/i for the rates
R_VALUES = (0.5, 1.0, 2.0)
K_VALUES = (0.75, 1.0, 2.0)
LAMBDA_FIT = np.geomspace(1e-4, 1e-2, 21)
T_FIT = np.geomspace(1e2, 1e4, 21)


def _seeds(quick):
    return range(2) if quick else range(6)


def _rel(a, b):
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / max(np.linalg.norm(b), 1e-300))


def _zero(M):
    """Whether every entry of a SymPy matrix (or expression), over a common denominator, has a numerator that
    expands to zero."""
    M = M if isinstance(M, sympy.MatrixBase) else sympy.Matrix([M])
    return all(sympy.expand(e) == 0 or sympy.expand(sympy.numer(sympy.together(e))) == 0 for e in M)


def _at_zero(expr, lam):
    """``lim_{lambda -> 0}`` of a rational function: its value at 0 once cancelled, when the denominator allows."""
    expr = sympy.cancel(expr)
    if sympy.fraction(expr)[1].subs(lam, 0) == 0:
        return sympy.limit(expr, lam, 0)
    return expr.subs(lam, 0)


@functools.lru_cache(maxsize=None)
def _symbolic_data():
    """SymPy ``X`` (2 x 3) and ``y`` of real symbols, the kernel vector ``z = x_1 x x_2`` and ``w_+``."""
    X = sympy.Matrix(2, 3, sympy.symbols("x11 x12 x13 x21 x22 x23", real=True))
    y = sympy.Matrix(sympy.symbols("y1 y2", real=True))
    z = X.row(0).T.cross(X.row(1).T)
    w_plus = X.T * (X * X.T).inv() * y
    return X, y, z, w_plus


@functools.lru_cache(maxsize=None)
def small(seed):
    """The generated problem for iterates, ``ls.generate(20, 40, sigma=0.5, power=0, seed)``."""
    return ls.generate(*SMALL, sigma=NOISE, power=0.0, seed=seed)


def _eta(problem):
    """``1/mu_max``, half the bound ``2/mu_max`` of gradient descent on ``L``."""
    return 1.0 / ls.spectrum(problem.X).mu.max()


def _sgd_eta(problem):
    """``1/max_i |x_i|^2``: each SGD step projects onto one equation (Kaczmarz)."""
    return 1.0 / np.max(np.sum(problem.X**2, axis=1))


# ---------------------------------------------------------------- the minimum-norm solution


@claim("slides.regression.min_norm", paper=PAPER,
       where="'Linear Regression Case' (W = Y X^dagger); 'Minimal Norm Least Square solution', eq. 9 and proof",
       statement="For X in R^{n,d} of full row rank n < d, w_+ = X^T (X X^T)^{-1} y solves Xw = y (eq. 9) and is its "
                 "minimum-norm solution: <w_+, w_hat - w_+> = <(X X^T)^{-1} y, X w_hat - X w_+> = 0 for every "
                 "solution w_hat, so |w_hat|^2 = |w_hat - w_+|^2 + |w_+|^2 >= |w_+|^2 (Pythagoras); in matrix form "
                 "W = Y X^dagger.")
def _(quick):
    X, y, z, w_plus = _symbolic_data()
    a = sympy.Symbol("a", real=True)
    gram_det = (X * X.T).det() - (z.T * z)[0]
    yield Check(_zero(X * w_plus - y) and _zero(X * z) and _zero(gram_det) and _zero(w_plus.T * z)
                and _zero(((X * X.T).inv() * y).T * (X * z)) and _zero(
                    ((w_plus + a * z).T * (w_plus + a * z))[0] - (w_plus.T * w_plus)[0] - a**2 * (z.T * z)[0]),
                "SymPy, n = 2, d = 3, symbolic X, y: X w_+ - y cancels to 0; z = x_1 x x_2 has X z = 0 and det(X X^T) "
                "= |z|^2 (Cauchy-Binet), so rank X = 2 iff z != 0 and then z spans ker X; <w_+, z> and the proof's "
                "<(X X^T)^{-1} y, X z> cancel to 0; |w_+ + a z|^2 - |w_+|^2 - a^2 |z|^2 = 0")
    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        w = ls.min_norm(p.X, p.y)
        N = null_space(p.X)
        C = np.random.default_rng(seed).standard_normal((N.shape[1], 1000 if quick else 5000)) * 3
        W_hat = w[:, None] + N @ C
        scale = np.linalg.norm(w) * np.linalg.norm(N @ C, axis=0)
        rows.append((_rel(w, np.linalg.pinv(p.X) @ p.y), _rel(w, np.linalg.lstsq(p.X, p.y, rcond=None)[0]),
                     np.abs(p.X @ W_hat - p.y[:, None]).max() / np.abs(p.y).max(),
                     np.max(np.abs(w @ (W_hat - w[:, None])) / scale),
                     np.max(np.abs(np.sum(W_hat**2, 0) - np.sum((W_hat - w[:, None]) ** 2, 0) - w @ w) / (w @ w)),
                     np.min(np.linalg.norm(W_hat, axis=0) - np.linalg.norm(w)), W_hat.shape[1], N.shape[1]))
    worst = np.max(np.array(rows)[:, :5], axis=0)
    yield Check(max(worst) < EXACT and min(r[5] for r in rows) > 0,
                f"{len(rows)} problems (n, d) = {SMALL}, isotropic x, noisy y: |w_+ - pinv(X) y| / |w_+| <= "
                f"{worst[0]:.1e}, vs lstsq {worst[1]:.1e}; {rows[0][6]} random solutions w_hat = w_+ + N c each "
                f"(N = scipy null_space, dim {rows[0][7]} = d - n): |X w_hat - y| <= {worst[2]:.1e} |y|_max, "
                f"|<w_+, w_hat - w_+>| <= {worst[3]:.1e} |w_+| |w_hat - w_+|, Pythagoras residual <= {worst[4]:.1e} "
                f"|w_+|^2, min |w_hat| - |w_+| = {min(r[5] for r in rows):.3f} > 0 (tolerance {EXACT:g})")
    p = small(0)
    Xc = p.X.T  # examples as columns (d, n), as in the figure's W = Y X^dagger and the two-layer slides
    Y = np.vstack([p.y, np.random.default_rng(1).standard_normal((2, p.n))])
    W = Y @ np.linalg.pinv(Xc)
    per_row = max(_rel(W[j], ls.min_norm(Xc.T, Y[j])) for j in range(len(Y)))
    yield Check(per_row < EXACT and _rel(W @ Xc, Y) < EXACT,
                f"W = Y X^dagger with examples as columns (X in R^{{{Xc.shape[0]},{Xc.shape[1]}}}, Y in "
                f"R^{{{Y.shape[0]},{Y.shape[1]}}}): |W X - Y| / |Y| = {_rel(W @ Xc, Y):.1e}, each row of W is the "
                f"min-norm w_+ of its output to {per_row:.1e}. (In the next slide's rows convention, X in R^{{n,d}}, "
                f"Y X^dagger does not type-check; it reads w_+ = X^dagger y.)")


@claim("slides.regression.ridge_limit", paper=PAPER, where="'Linear Regression Case'",
       statement="The minimum-norm solution is the limit for lambda -> 0 of the regularised solution "
                 "w_lambda = argmin L(w) + lambda |w|^2 / 2 = (X^T X + n lambda I)^{-1} X^T y.")
def _(quick):
    X, y, _, w_plus = _symbolic_data()
    lam = sympy.Symbol("lambda", positive=True)
    n = X.rows
    w, a = sympy.Matrix(sympy.symbols("w1:4", real=True)), sympy.Matrix(sympy.symbols("a1:3", real=True))
    objective = sum(e**2 for e in X * w - y) / (2 * n) + lam * (w.T * w)[0] / 2
    grad = sympy.Matrix([sympy.diff(objective, v) for v in w])
    shifted = X * X.T + n * lam * sympy.eye(n)
    pushed = X.T * shifted.inv() * y
    # at w = X^T a, n grad = X^T ((X X^T + n lambda I) a - y): zero for a = (X X^T + n lambda I)^{-1} y
    through = _zero(n * grad.subs(dict(zip(w, X.T * a))) - X.T * (shifted * a - y))
    limit = pushed.applyfunc(lambda e: _at_zero(e, lam))
    slope = pushed.applyfunc(lambda e: _at_zero(sympy.diff(e, lam), lam))
    predicted = -n * X.T * ((X * X.T) ** 2).inv() * y
    Xi = sympy.Matrix([[1, 2, 0], [0, 1, 3]])
    direct = (Xi.T * Xi + n * lam * sympy.eye(3)).inv() * Xi.T * y
    yield Check(through and _zero(limit - w_plus)
                and _zero(slope - predicted) and _zero(direct.applyfunc(lambda e: _at_zero(e, lam))
                                                       - Xi.T * (Xi * Xi.T).inv() * y),
                "SymPy, n = 2, d = 3, symbolic X, y: at w = X^T a the gradient of L + lambda |w|^2/2 is "
                "X^T ((X X^T + n lambda I) a - y)/n, so the push-through form X^T (X X^T + n lambda I)^{-1} y is the "
                "regularised solution; its limit lambda -> 0 is X^T (X X^T)^{-1} y and its derivative there "
                "-n X^T (X X^T)^{-2} y (so |w_lambda - w_+| = O(lambda)); with the integer X = [[1, 2, 0], [0, 1, 3]] "
                "the d x d form (X^T X + n lambda I)^{-1} X^T y, whose X^T X is singular, has the same limit")
    from sklearn.linear_model import Ridge

    lams = np.geomspace(1e-2, 1e-7, 11)
    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        w = ls.min_norm(p.X, p.y)
        errors = np.array([np.linalg.norm(ls.ridge(p.X, p.y, lam) - w) for lam in lams])
        fit = fit_line(np.log(lams), np.log(errors))
        constant = p.n * np.linalg.norm(p.X.T @ np.linalg.solve(p.X @ p.X.T, np.linalg.solve(p.X @ p.X.T, p.y)))
        direct = np.linalg.solve(p.X.T @ p.X + p.n * 1e-3 * np.eye(p.d), p.X.T @ p.y)
        sk = Ridge(alpha=p.n * 1e-3, fit_intercept=False, solver="svd").fit(p.X, p.y).coef_
        pushed = ls.ridge(p.X, p.y, 1e-3)
        rows.append((fit, errors[-1] / lams[-1] / constant - 1, max(_rel(direct, pushed), _rel(sk, pushed))))
    yield Check(all(abs(f.slope - 1) < RATE_TOL and abs(c) < 1e-4 and r < 1e-10 for f, c, r in rows),
                f"{len(rows)} problems (n, d) = {SMALL}: |w_lambda - w_+| ~ lambda^s on lambda = 1e-2..1e-7, s = "
                + ", ".join(f.describe(3) for f, _, _ in rows)
                + f"; |w_lambda - w_+| / lambda at 1e-7 over its derived limit n |X^T (X X^T)^-2 y|: 1 + "
                  f"{max(abs(c) for _, c, _ in rows):.1e}; the d x d solve, the n x n push-through solve and "
                  f"scikit-learn's Ridge(alpha = n lambda, no intercept) agree to {max(r for _, _, r in rows):.1e}")


# ---------------------------------------------------------------- GD and SGD from zero


@claim("slides.regression.corollary1", paper=PAPER, where="Corollary 1; 'Why Early Stopping?' (first bullet)",
       statement="When initialised with zero, both GD and SGD (on L) converge to the minimum-norm solution w_+.")
def _(quick):
    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        w = ls.min_norm(p.X, p.y)
        eta = _eta(p)
        gd = ls.gd_engine(p.X, p.y, eta, 1500)
        closed = ls.gd_closed_form(p.X, p.y, eta, np.arange(0, 1501, 50))
        epochs, sgd = ls.sgd_engine(p.X, p.y, _sgd_eta(p), 400 if quick else 1000, seed=seed, record_every=50)
        other = w + null_space(p.X)[:, 0]  # another interpolating solution, for scale
        diverged = ls.gd_closed_form(p.X, p.y, 1.05 * ls.step_bound(p.X), [200])
        rows.append((_rel(gd[-1], w), _rel(gd[::50], closed), _rel(sgd[-1], w), epochs[-1] * p.n,
                     _rel(other, w), np.linalg.norm(diverged) / np.linalg.norm(w), eta, _sgd_eta(p)))
    ok = all(g < CONVERGED and c < EXACT and s < CONVERGED for g, c, s, *_ in rows)
    yield Check(ok,
                f"{len(rows)} problems (n, d) = {SMALL}, noisy labels, w_0 = 0: the engine's GD (eta = 1/mu_max, "
                f"{', '.join(f'{r[6]:.3f}' for r in rows)}) after 1500 steps: |w - w_+| / |w_+| <= "
                f"{max(r[0] for r in rows):.1e} (its iterates match the closed form to {max(r[1] for r in rows):.1e}); "
                f"the engine's SGD (batch 1, reshuffled epochs, eta = 1/max|x_i|^2 = "
                f"{', '.join(f'{r[7]:.4f}' for r in rows)}) after {rows[0][3]} steps: <= {max(r[2] for r in rows):.1e} "
                f"(tolerance {CONVERGED:g}; another solution w_+ + unit kernel vector is at relative distance "
                f"{min(r[4] for r in rows):.2f}). The step matters: GD at 1.05 x 2/mu_max has |w_200| = "
                f"{min(r[5] for r in rows):.1e} |w_+| (diverges)")


@claim("slides.regression.gradient", paper=PAPER, where="Lemma 3, proof",
       statement="grad_w L(w) = (1/n) X^T (Xw - y) = X^T e with e = (1/n)(Xw - y), and GD updates "
                 "w_{t+1} = w_t - eta_t grad L(w_t) = w_t - eta_t X^T e_t.")
def _(quick):
    X, y, _, _ = _symbolic_data()
    w = sympy.Matrix(sympy.symbols("w1:4", real=True))
    n = X.rows
    L = sum(e**2 for e in X * w - y) / (2 * n)
    derived = sympy.Matrix([sympy.diff(L, v) for v in w])
    yield Check(_zero(derived - X.T * ((X * w - y) / n)),
                "SymPy, n = 2, d = 3: dL/dw - X^T (Xw - y)/n expands to 0")
    rows = []
    h = 1e-5
    for seed in _seeds(quick):
        p = small(seed)
        rng = np.random.default_rng(seed + 100)
        for w0 in rng.standard_normal((3, p.d)):
            g = ls.gradient(p.X, p.y, w0)
            fd = np.array([(ls.loss(p.X, p.y, w0 + h * e) - ls.loss(p.X, p.y, w0 - h * e)) / (2 * h)
                           for e in np.eye(p.d)])
            e_vec = (p.X @ w0 - p.y) / p.n
            step = ls.engine_step(p.X, p.y, w0, 0.3, np.arange(p.n))
            rows.append((_rel(fd, g), _rel(ls.engine_gradient(p.X, p.y, w0), p.X.T @ e_vec),
                         _rel(step, w0 - 0.3 * p.X.T @ e_vec)))
    worst = np.max(rows, axis=0)
    yield Check(worst[0] < FD_TOL and worst[1] < EXACT and worst[2] < EXACT,
                f"{len(rows)} random w on problems (n, d) = {SMALL}: central differences (h = {h:g}) match X^T e to "
                f"{worst[0]:.1e} (tolerance {FD_TOL:g}); the engine's backward pass gives X^T e to {worst[1]:.1e} and "
                f"its full-batch step at eta = 0.3 is w - eta X^T e to {worst[2]:.1e} (tolerance {EXACT:g})")


@claim("slides.regression.sgd_rule", paper=PAPER, where="Lemma 3, proof (SGD update)",
       statement="SGD updates w_{t+1} = w_t - eta_t (x_{i_t}^T w - y_{i_t}) x_{i_t}, where (x_{i_t}, y_{i_t}) is the "
                 "sample chosen at the t-th iteration.")
def _(quick):
    X, y, _, _ = _symbolic_data()
    w = sympy.Matrix(sympy.symbols("w1:4", real=True))
    n = X.rows
    directions = [((X.row(i) * w)[0] - y[i]) * X.row(i).T for i in range(n)]
    per_sample = [sympy.Matrix([sympy.diff(((X.row(i) * w)[0] - y[i]) ** 2 / 2, v) for v in w]) for i in range(n)]
    full = sympy.Matrix([sympy.diff(sum(e**2 for e in X * w - y) / (2 * n), v) for v in w])
    yield Check(all(_zero(a - b) for a, b in zip(directions, per_sample))
                and _zero(sum(directions, sympy.zeros(3, 1)) / n - full),
                "SymPy, n = 2, d = 3: the printed direction (x_i^T w - y_i) x_i is the gradient of l_i(w) = (x_i^T w - "
                "y_i)^2 / 2, and its mean over i is grad L exactly: L = (1/n) sum_i l_i, so a uniformly drawn sample "
                "gives an unbiased estimate of grad L and the printed step (read with w = w_t) is the SGD step of L; "
                "no 1/n belongs in it (that factor is the sampling probability)")
    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        rng = np.random.default_rng(seed + 200)
        w0 = rng.standard_normal(p.d)
        eta = _sgd_eta(p)
        for i in range(p.n):
            printed = w0 - eta * (p.X[i] @ w0 - p.y[i]) * p.X[i]
            rows.append(_rel(ls.engine_step(p.X, p.y, w0, eta, [i]), printed))
        mean = np.mean([(p.X[i] @ w0 - p.y[i]) * p.X[i] for i in range(p.n)], axis=0)
        rows.append(_rel(mean, ls.gradient(p.X, p.y, w0)))
    yield Check(max(rows) < EXACT,
                f"{len(rows)} comparisons on problems (n, d) = {SMALL}: one step of the engine's SGD (batch size 1) "
                f"on example i equals the printed update for every i, and the mean of the printed directions is "
                f"grad L, to {max(rows):.1e} (tolerance {EXACT:g})")


@claim("slides.regression.lemma3", paper=PAPER, where="Lemma 3, eq. 12 and proof",
       statement="When initialised at zero, the iterates of GD and SGD for problem (10) live in the span of the rows "
                 "of X: w = X^T alpha for some alpha in R^n (eq. 12); for GD, "
                 "w_t = X^T (-sum_{tau < t} eta_tau e_tau).")
def _(quick):
    X, y, z, _ = _symbolic_data()
    w = sympy.Matrix(sympy.symbols("w1:4", real=True))
    grad = X.T * (X * w - y) / X.rows
    sample = [((X.row(i) * w)[0] - y[i]) * X.row(i).T for i in range(X.rows)]
    yield Check(_zero(z.T * grad) and all(_zero(z.T * s) for s in sample),
                "SymPy, n = 2, d = 3: with z = x_1 x x_2 spanning ker X, z^T grad L and z^T (x_i^T w - y_i) x_i "
                "expand to 0 for any w: no GD or SGD step has a component in ker X, so P_ker w_t = P_ker w_0 for all t "
                "(= 0 from zero)")
    rows, kept = [], []
    for seed in _seeds(quick):
        p = small(seed)
        sp = ls.spectrum(p.X)
        eta = _eta(p)
        gd = ls.gd_engine(p.X, p.y, eta, 300)
        _, sgd = ls.sgd_engine(p.X, p.y, _sgd_eta(p), 100, seed=seed)
        gd_alpha = np.linalg.solve(p.X @ p.X.T, p.X @ gd.T).T  # alpha_t of each iterate
        errors = (gd[:-1] @ p.X.T - p.y) / p.n
        summed = np.vstack([np.zeros(p.n), -eta * np.cumsum(errors, axis=0)])
        etas = eta * (1 + 0.5 * np.sin(np.arange(60)))  # varying eta_tau
        w_t, alpha = np.zeros(p.d), np.zeros(p.n)
        expansion = 0.0
        for eta_tau in etas:
            alpha -= eta_tau * (p.X @ w_t - p.y) / p.n
            w_t = ls.engine_step(p.X, p.y, w_t, eta_tau, np.arange(p.n))
            expansion = max(expansion, _rel(w_t, p.X.T @ alpha))
        kernel = [np.max(np.linalg.norm(sp.kernel_part(W[1:]), axis=1) / np.linalg.norm(W[1:], axis=1))
                  for W in (gd, sgd)]
        rows.append((*kernel, _rel(gd, gd_alpha @ p.X), _rel(gd_alpha, summed), expansion))
        w0 = np.random.default_rng(seed + 300).standard_normal(p.d)
        gd0 = ls.gd_engine(p.X, p.y, eta, 1500, w0)
        _, sgd0 = ls.sgd_engine(p.X, p.y, _sgd_eta(p), 400, w0=w0, seed=seed, record_every=20)
        frozen = max(np.abs(sp.kernel_part(W) - sp.kernel_part(w0)).max() for W in (gd0, sgd0)) / np.abs(w0).max()
        w_plus = ls.min_norm(p.X, p.y)
        limit = w_plus + sp.kernel_part(w0)
        kept.append((frozen, max(_rel(gd0[-1], limit), _rel(sgd0[-1], limit)),
                     np.linalg.norm(limit) ** 2 - np.linalg.norm(w_plus) ** 2 - np.linalg.norm(sp.kernel_part(w0)) ** 2,
                     np.linalg.norm(limit) / np.linalg.norm(w_plus)))
    worst = np.max(rows, axis=0)
    yield Check(max(worst) < EXACT,
                f"{len(rows)} problems (n, d) = {SMALL}, w_0 = 0: |P_ker w| / |w| along 300 engine GD steps <= "
                f"{worst[0]:.1e} and along 100 epochs of engine SGD <= {worst[1]:.1e}; w_t = X^T alpha_t with "
                f"alpha_t = (X X^T)^-1 X w_t to {worst[2]:.1e}, and alpha_t = -eta sum_tau e_tau to {worst[3]:.1e}; "
                f"with 60 steps "
                f"of varying eta_tau = eta (1 + sin(tau)/2), w_t = X^T (-sum eta_tau e_tau) to {worst[4]:.1e} "
                f"(tolerance {EXACT:g})")
    worst = np.max(kept, axis=0)
    yield Check(worst[0] < EXACT and worst[1] < CONVERGED and abs(worst[2]) < 1e-9,
                f"the same mechanism from a random w_0 != 0: P_ker w_t - P_ker w_0 stays below {worst[0]:.1e} "
                f"|w_0|_max "
                f"along GD (1500 steps) and SGD (400 epochs), and both converge to w_+ + P_ker w_0 (to "
                f"{worst[1]:.1e}), not to w_+: its norm is {min(r[3] for r in kept):.2f}-{worst[3]:.2f} x |w_+| "
                f"(Pythagoras residual {worst[2]:.1e}); so the zero (or any row-space) start is what makes GD/SGD "
                f"pick the minimum-norm solution")


# ---------------------------------------------------------------- early stopping and Tikhonov


def _sym_operator():
    """A symbolic symmetric 2 x 2 ``L = Q diag(m1, m2) Q^T`` with the rational rotation ``Q`` (Cayley, parameter q)."""
    q, m1, m2 = sympy.symbols("q m1 m2", real=True)
    Q = sympy.Matrix([[1 - q**2, -2 * q], [2 * q, 1 - q**2]]) / (1 + q**2)
    return Q, (m1, m2), Q * sympy.diag(m1, m2) * Q.T


@claim("slides.early_stopping.tikhonov", paper=PAPER, where="slide after 'Why Early Stopping?' (Cucker and Smale 2002)",
       statement="f_lambda = argmin_{f in H_K} E(f) + lambda |f|_K^2 is f_lambda = (L_K + lambda I)^{-1} L_K f_rho.")
def _(quick):
    a, b, c, lam = sympy.symbols("a b c lambda", positive=True)
    S = sympy.Matrix([[a, b], [b, c]])
    w_star, w = sympy.Matrix(sympy.symbols("s1 s2", real=True)), sympy.Matrix(sympy.symbols("w1 w2", real=True))
    E = ((w - w_star).T * S * (w - w_star))[0]
    solution = sympy.solve([sympy.diff(E + lam * (w.T * w)[0], v) for v in w], list(w), dict=True)[0]
    formula = (S + lam * sympy.eye(2)).inv() * S * w_star
    yield Check(_zero(sympy.Matrix([solution[v] for v in w]) - formula),
                "SymPy, linear kernel K(x, x') = x^T x' in R^2 (f = x^T w, |f|_K = |w|, L_K acting as a symbolic "
                "covariance Sigma = [[a, b], [b, c]], E(f) = (w - w*)^T Sigma (w - w*) + const): the stationary point "
                "of E + lambda |w|^2 is (Sigma + lambda I)^{-1} Sigma w* exactly")
    from sklearn.linear_model import Ridge

    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        H = p.X.T @ p.X / p.n
        w_plus = ls.min_norm(p.X, p.y)
        for lam_value in (1e-3, 1e-1, 10.0):
            formula = np.linalg.solve(H + lam_value * np.eye(p.d), H @ w_plus)
            sk = Ridge(alpha=p.n * lam_value, fit_intercept=False, solver="svd").fit(p.X, p.y).coef_
            rows.append(max(_rel(ls.ridge(p.X, p.y, lam_value), formula), _rel(sk, formula)))
    yield Check(max(rows) < 1e-10,
                f"the sample version, L_K = H = X^T X / n and f_rho = w_+ (X^T y / n = H w_+), on {len(_seeds(quick))} "
                f"problems (n, d) = {SMALL}, lambda = 1e-3, 0.1, 10: (H + lambda I)^-1 H w_+ equals ridge "
                f"(X^T X + n lambda I)^-1 X^T y and scikit-learn's Ridge(alpha = n lambda) to {max(rows):.1e}")


@claim("slides.early_stopping.polynomials", paper=PAPER, where="slide after 'Why Early Stopping?'",
       statement="f_t = sum_{i=0}^{t-1} (I - L_K)^i L_K f_rho = sum_{i=0}^{t-1} (I - L_K)^i (I - (I - L_K)) f_rho = "
                 "(I - (I - L_K)^t) f_rho: regularization polynomials.")
def _(quick):
    a, b, c = sympy.symbols("a b c", real=True)
    L = sympy.Matrix([[a, b], [b, c]])
    f = sympy.Matrix(sympy.symbols("f1 f2", real=True))
    I = sympy.eye(2)
    horizon = range(1, 6)
    matrix_ok = all(_zero(sum(((I - L) ** i * L * f for i in range(t)), sympy.zeros(2, 1)) - (I - (I - L) ** t) * f)
                    for t in horizon)
    mu, i = sympy.Symbol("mu", positive=True), sympy.Symbol("i", integer=True, nonnegative=True)
    t = sympy.Symbol("t", integer=True, positive=True)
    scalar = sympy.simplify(sympy.summation((1 - mu) ** i * mu, (i, 0, t - 1)) - (1 - (1 - mu) ** t))
    recursion = _zero((I - L) * (I - (I - L) ** 3) * f + L * f - (I - (I - L) ** 4) * f)
    yield Check(matrix_ok and scalar == 0 and recursion,
                f"SymPy: for a symbolic symmetric 2 x 2 L_K and f_rho, sum_(i<t) (I - L)^i L f - (I - (I - L)^t) f "
                f"expands to 0 for t = {horizon.start}..{horizon.stop - 1}; on an eigenvalue mu with symbolic t, "
                f"sum_(i<t) (1 - mu)^i mu - (1 - (1 - mu)^t) simplifies to {scalar}; and f_t is the step "
                f"f_(t+1) = f_t - (L f_t - L f_rho) (GD with unit step on E/2) from f_0 = 0")
    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        eta = _eta(p)
        K = eta * p.X.T @ p.X / p.n  # L_K of the sample, times the step
        w_plus = ls.min_norm(p.X, p.y)
        gd = ls.gd_engine(p.X, p.y, eta, 40)
        term, total = K @ w_plus, np.zeros(p.d)
        worst = 0.0
        for step in range(1, 41):
            total = total + term
            term = term - K @ term
            closed = w_plus - np.linalg.matrix_power(np.eye(p.d) - K, step) @ w_plus
            worst = max(worst, _rel(gd[step], total), _rel(total, closed))
        rows.append(worst)
    yield Check(max(rows) < EXACT,
                f"the sample version (L_K = eta X^T X / n, f_rho = w_+), {len(rows)} problems (n, d) = {SMALL}: the "
                f"engine's GD iterates w_1..w_40 from 0 equal the sum sum_(i<t) (I - L)^i L w_+ and "
                f"(I - (I - L)^t) w_+ "
                f"to {max(rows):.1e} (tolerance {EXACT:g})")


@claim("slides.early_stopping.filters", paper=PAPER, where="slide after 'Why Early Stopping?' (eigen-system of L_K)",
       statement="With an eigen-system (mu_i, phi_i) of L_K: f_lambda = sum_i mu_i / (mu_i + lambda) <f_rho, phi_i> "
                 "phi_i and f_t = sum_i (1 - (1 - mu_i)^t) <f_rho, phi_i> phi_i.")
def _(quick):
    Q, (m1, m2), L = _sym_operator()
    lam = sympy.Symbol("lambda", positive=True)
    t = sympy.Symbol("t", integer=True, nonnegative=True)
    I = sympy.eye(2)
    tikhonov = (L + lam * I) * Q * sympy.diag(m1 / (m1 + lam), m2 / (m2 + lam)) * Q.T - L

    def gap(s):
        """``Q diag((1 - m)^s) Q^T``, which the check shows is ``(I - L)^s``."""
        return Q * sympy.diag((1 - m1) ** s, (1 - m2) ** s) * Q.T

    step = ((I - L) * gap(t) - gap(t + 1)).applyfunc(sympy.powsimp)
    yield Check(_zero(Q.T * Q - I) and _zero(tikhonov) and _zero(gap(0) - I) and _zero(step),
                "SymPy: for L = Q diag(m1, m2) Q^T with a symbolic rotation Q (Cayley parameter q, Q^T Q = I): "
                "(L + lambda I) Q diag(m/(m + lambda)) Q^T = L, so f_lambda = sum m/(m + lambda) <f_rho, phi> phi; "
                "and G_t = Q diag((1 - m)^t) Q^T has G_0 = I and (I - L) G_t = G_(t+1) for symbolic t, so G_t = "
                "(I - L)^t for every t and f_t = (I - G_t) f_rho = sum (1 - (1 - m)^t) <f_rho, phi> phi")
    rows = []
    for seed in _seeds(quick):
        p = small(seed)
        sp = ls.spectrum(p.X)
        eta = _eta(p)
        steps = np.array([1, 5, 20, 100])
        gd = ls.gd_engine(p.X, p.y, eta, int(steps[-1]))[steps]
        by_filter = ls.filtered(sp, p.y, ls.filter_gd(sp.mu, eta, steps))
        lams = np.array([1e-3, 1e-1, 10.0])
        ridge = np.array([ls.ridge(p.X, p.y, v) for v in lams])
        rows.append(max(_rel(gd, by_filter), _rel(ridge, ls.filtered(sp, p.y, ls.filter_ridge(sp.mu, lams)))))
    yield Check(max(rows) < EXACT,
                f"on the regression (mu_i = s_i^2 / n, phi_i the right singular vectors, <f_rho, phi_i> = U^T y / s): "
                f"the engine's GD iterates at k = 1, 5, 20, 100 (eta = 1/mu_max) equal V diag(1 - (1 - eta mu)^k) "
                f"U^T y / s, and ridge at lambda = 1e-3, 0.1, 10 equals V diag(mu/(mu + lambda)) U^T y / s, to "
                f"{max(rows):.1e} over {len(rows)} problems (n, d) = {SMALL} (tolerance {EXACT:g})")


@claim("slides.early_stopping.low_pass", paper=PAPER, where="slide after 'Why Early Stopping?' (low pass filters)",
       statement="Compactness of L_K implies mu_i -> 0; for the mu_i which are sufficiently small, mu_i / (mu_i + "
                 "lambda) ~ 0 and 1 - (1 - mu_i)^t converges to 0, with gap dropping at least exponentially with t: "
                 "both early stopping and Tikhonov regularization are low pass filters.")
def _(quick):
    mu_s, lam_s = sympy.Symbol("mu", positive=True), sympy.Symbol("lambda", positive=True)
    t_s = sympy.Symbol("t", positive=True)
    d_tik = sympy.simplify(sympy.diff(mu_s / (mu_s + lam_s), mu_s))
    d_es = sympy.simplify(sympy.diff(1 - (1 - mu_s) ** t_s, mu_s))
    yield Check(d_tik == lam_s / (mu_s + lam_s) ** 2 and sympy.simplify(d_es - t_s * (1 - mu_s) ** (t_s - 1)) == 0,
                f"SymPy: d/dmu mu/(mu + lambda) = {d_tik} > 0 and d/dmu (1 - (1 - mu)^t) = {d_es} >= 0 on 0 < mu <= 1: "
                f"both filters rise monotonically from 0 (mu -> 0) to near 1")
    mu = np.geomspace(1e-10, 1.0, 2001)
    ts = np.array([1, 10, 100, 1000, 10**4])
    lams = 1.0 / ts
    es, tik = ls.landweber_filter(mu, ts), ls.tikhonov_filter(mu, lams)
    small_mu = mu <= 1e-3 / ts[-1]
    over = ls.landweber_filter(np.array([1.5, 2.5]), [9, 10])
    yield Check(np.all(es <= ts[:, None] * mu * (1 + 1e-12)) and np.all(tik <= mu / lams[:, None])
                and np.all(1 - es <= np.exp(-ts[:, None] * mu) * (1 + 1e-12) + ROUNDING)
                and np.all(1 - tik <= lams[:, None] / mu)
                and np.all(np.diff(es, axis=1) >= 0) and np.all(np.diff(tik, axis=1) >= 0),
                f"on 2001 mu in [1e-10, 1] and t = {ts.tolist()}, lambda = 1/t: 0 <= 1 - (1 - mu)^t <= t mu and "
                f"mu/(mu + lambda) <= mu/lambda (both -> 0 linearly as mu -> 0: at mu <= 1e-3/t_max they are <= "
                f"{max(es[:, small_mu].max(), tik[:, small_mu].max()):.1e}); the gap to 1 is (1 - mu)^t <= exp(-mu t), "
                f"exponential in t, against lambda/(mu + lambda) <= lambda/mu; both monotone in mu: low-pass filters "
                f"with cut-off mu ~ 1/t resp. mu ~ lambda. This reading needs 0 < mu_i <= 1 (|L_K| <= 1; eta mu_max "
                f"<= 1 for GD on L): at mu = 1.5 the early-stopping filter oscillates about 1 (t = 9, 10: "
                f"{over[0, 0]:.4f}, {over[1, 0]:.4f}), at mu = 2.5 it diverges ({over[0, 1]:.0f}, {over[1, 1]:.0f})")


@functools.lru_cache(maxsize=None)
def _matching(quick):
    """``(ts, lambda*(t), distances, c*, distance*)`` on the power-law spectrum."""
    mu = ls.power_law_spectrum(MODES)
    ts = np.geomspace(10, 1e4, 7 if quick else 13)
    found = np.array([ls.matching_lambda(mu, t) for t in ts])
    return ts, found[:, 0], found[:, 1], *ls.matching_constant()


@claim("slides.early_stopping.lambda_t", paper=PAPER, where="slide after 'Why Early Stopping?' ('lambda ~ 1/t')",
       statement="GD with early stopping corresponds to Tikhonov regularisation with lambda ~ 1/t.")
def _(quick):
    ts, lams, distances, c_star, d_star = _matching(quick)
    fit = fit_line(np.log(ts), np.log(lams))
    products = lams * ts
    yield Check(abs(fit.slope + 1) < RATE_TOL and abs(products[-1] / c_star - 1) < 0.01
                and abs(distances[-1] - d_star) < 0.01,
                f"power-law spectrum mu_i = 1/i (i <= {MODES}): the lambda*(t) whose "
                f"filter mu/(mu + lambda) is closest (sup over the spectrum) to 1 - (1 - mu)^t, for t = 10..1e4: "
                f"log lambda* ~ ({fit.describe(4)}) log t; lambda* t = {', '.join(f'{v:.4f}' for v in products)}, "
                f"tending to c* = {c_star:.4f} = argmin_c sup_x |x/(x + c) - (1 - e^-x)| (x = mu t, the limit "
                f"(1 - mu)^t -> e^(-mu t)); the filters stay {distances[-1]:.3f} apart (sup; c*'s limit "
                f"{d_star:.3f}): same shape and cut-off, not the same filter")


def _rates_check(r, norm, mu, g):
    """The fitted exponents of the worst case and of one ``g`` for Tikhonov (along lambda) and early stopping (t)."""
    e = ls.source_exponent(r, norm)
    tik, es = ls.rate_curves(mu, r, norm, LAMBDA_FIT, T_FIT)
    tik_g, es_g = ls.rate_curves(mu, r, norm, LAMBDA_FIT, T_FIT, g)
    fits = [fit_line(np.log(LAMBDA_FIT), np.log(tik)), fit_line(np.log(T_FIT), np.log(es)),
            fit_line(np.log(LAMBDA_FIT), np.log(tik_g)), fit_line(np.log(T_FIT), np.log(es_g))]
    bound_tik = ls.bias_bound("tikhonov", r, norm, LAMBDA_FIT)
    bound_es = ls.bias_bound("early_stopping", r, norm, T_FIT)
    tight = min((tik / bound_tik).min(), (es / bound_es).min())
    below = max((tik / bound_tik).max(), (es / bound_es).max(), (tik_g / tik).max(), (es_g / es).max())
    ok = (abs(fits[0].slope - min(e, 1)) < RATE_TOL and abs(fits[1].slope + e) < RATE_TOL and below <= 1 + 1e-12
          and fits[2].slope > min(e, 1) - RATE_TOL and fits[3].slope < -e + RATE_TOL)
    text = (f"r = {r:g} ({norm}-norm, exponent e = {e:g}): worst case over |g| <= 1: Tikhonov ~ lambda^"
            f"({fits[0].describe(3)}), predicted min(e, 1) = {min(e, 1):g}; early stopping ~ "
            f"t^({fits[1].describe(3)}), "
            f"predicted -{e:g}; both within [{tight:.2f}, 1] x the explicit bounds; for g_i ~ i^-3/4: lambda^"
            f"{fits[2].slope:.3f}, t^{fits[3].slope:.3f}")
    return ok, text, fits


@functools.lru_cache(maxsize=None)
def _rate_spectrum():
    mu = ls.power_law_spectrum(MODES)
    g = np.arange(1, MODES + 1) ** -0.75
    return mu, g / np.linalg.norm(g)


@claim("slides.early_stopping.rates_rho", paper=PAPER, where="slide 'GD with Early stopping' (Minh 2005; Theorem 2.9)",
       statement="If f_rho in L_K^r(B_R) for some r > 0: |f_lambda - f_rho|_rho <= O(lambda^min(r, 1)) for Tikhonov, "
                 "and (theta = 0 in Theorem 2.9) |f_t - f_rho|_rho <= O(t^-r) for early stopping.")
def _(quick):
    mu, g = _rate_spectrum()
    for r in R_VALUES:
        ok, text, _ = _rates_check(r, "rho", mu, g)
        yield Check(ok, f"power-law spectrum mu_i = 1/i (i <= {MODES}), f_rho = L_K^r g, lambda = 1e-4..1e-2, "
                        f"t = 1e2..1e4, {text} (tolerance {RATE_TOL})")


@claim("slides.early_stopping.rates_K", paper=PAPER, where="slide 'GD with Early stopping' (Minh 2005; Theorem 2.9)",
       statement="For r > 1/2: |f_lambda - f_rho|_K <= O(lambda^min(r - 1/2, 1)) for Tikhonov and "
                 "|f_t - f_rho|_K <= O(t^-(r - 1/2)) for early stopping.")
def _(quick):
    mu, g = _rate_spectrum()
    for r in K_VALUES:
        ok, text, _ = _rates_check(r, "K", mu, g)
        yield Check(ok, f"power-law spectrum mu_i = 1/i (i <= {MODES}), |h|_K^2 = sum h_i^2 / mu_i, {text} "
                        f"(tolerance {RATE_TOL})")


@claim("slides.early_stopping.saturation", paper=PAPER, where="slide 'GD with Early stopping'",
       statement="GD with early stopping (lambda ~ 1/t) has better upper bounds than Tikhonov regularization: for "
                 "large r the upper bound can not go faster than t^-1 in Tikhonov regularization, while early stopping "
                 "gives t^-r.")
def _(quick):
    mu_s, lam_s = sympy.Symbol("mu", positive=True), sympy.Symbol("lambda", positive=True)
    decreasing = sympy.simplify(sympy.diff(lam_s / (mu_s + lam_s), mu_s))
    mu, g = _rate_spectrum()
    c_star = ls.matching_constant()[0]
    rows = []
    for r in (2.0, 3.0):
        f_rho = mu**r * g
        tik, es = ls.rate_curves(mu, r, "rho", c_star / T_FIT, T_FIT, g)
        lower = (c_star / T_FIT) / (mu[0] + c_star / T_FIT) * np.linalg.norm(f_rho)
        limit = np.linalg.norm(mu ** (r - 1) * g)  # lim |f_lambda - f_rho| / lambda = |L_K^(r-1) g|
        fit_tik = fit_line(np.log(T_FIT), np.log(tik))
        fit_es = fit_line(np.log(T_FIT), np.log(es))
        rows.append((r, fit_tik, fit_es, np.min(tik / lower), tik[-1] / (c_star / T_FIT[-1]) / limit,
                     tik[-1] / es[-1]))
    yield Check(decreasing == -lam_s / (mu_s + lam_s) ** 2
                and all(f.slope > -1 - RATE_TOL and e.slope < -r + RATE_TOL and low >= 1 - 1e-12
                        and abs(lim - 1) < 1e-3 for r, f, e, low, lim, _ in rows),
                f"the gap 1 - mu/(mu + lambda) = lambda/(mu + lambda) decreases in mu (SymPy: derivative "
                f"{decreasing}), "
                f"so |f_lambda - f_rho|_rho >= lambda/(mu_1 + lambda) |f_rho|_rho for every f_rho != 0: Tikhonov "
                f"can never beat lambda^1 (with lambda = c*/t, c* = {c_star:.3f}: t^-1), however smooth f_rho. On "
                f"mu_i = 1/i with g_i ~ i^-3/4, lambda = c*/t, t = 1e2..1e4: "
                + "; ".join(f"r = {r:g}: Tikhonov ~ t^({f.describe(3)}), early stopping ~ t^({e.describe(3)}), "
                            f"Tikhonov error >= {low:.3f} x the lower bound, |f_lambda - f_rho| / lambda -> "
                            f"|L_K^(r-1) g| within {abs(lim - 1):.1e}, and at t = 1e4 Tikhonov's error is "
                            f"{ratio:.1e} x "
                            f"early stopping's" for r, f, e, low, lim, ratio in rows))


# ---------------------------------------------------------------- why early stopping: bias and variance


@functools.lru_cache(maxsize=None)
def risk_study(seed, sigma=NOISE):
    """:class:`ls.RiskCurves` of ``ls.generate(100, 150, sigma, power=1, seed)`` with ``eta = 1/mu_max``."""
    return ls.risk_curves(ls.generate(*RISK, sigma=sigma, power=1.0, seed=seed))


@claim("slides.early_stopping.overfitting", paper=PAPER, where="'Why Early Stopping?'",
       statement="GD asymptotically converges to the minimal-norm least-squares solution, which may overfit the "
                 "training data if it is noisy; early stopping can be used as a regularisation: it plays the same role "
                 "as ridge (Tikhonov) regression [Yao-Rosasco-Caponetto 2005].")
def _(quick):
    c_star = ls.matching_constant()[0]
    rows = []
    for seed in (range(1) if quick else range(10)):
        c = risk_study(seed)
        clean = risk_study(seed, 0.0)
        m_gd, v_gd = ls.unimodal(c.gd["test"])
        m_r, v_r = ls.unimodal(c.ridge["test"])
        mu = ls.spectrum(c.problem.X).mu
        matched = ls.expected_risks(c.problem, ls.filter_ridge(mu, c_star / (c.eta * c.steps[1:])))["test"]
        from_t = ls.expected_risks(c.problem, ls.filter_ridge(mu, [c_star / (c.eta * c.best_step)]))["test"][0]
        rows.append(dict(seed=seed, min_norm=c.min_norm["test"], train=c.min_norm["train"],
                         variance=c.min_norm["variance"], gd=c.gd["test"][m_gd], ridge=c.ridge["test"][m_r],
                         t=c.eta * c.best_step, lam=c.best_lambda, null=c.gd["test"][0], end=c.gd["test"][-1],
                         violation=max(v_gd, v_r), interior=0 < m_gd < len(c.steps) - 1 and 0 < m_r < len(c.lams) - 1,
                         clean=clean.min_norm["test"] / clean.gd["test"].min(), clean_min=clean.min_norm["test"],
                         path=np.max(np.abs(c.gd["test"][1:] / matched - 1)), from_t=from_t / c.ridge["test"][m_r],
                         k=c.best_step))
    first = rows[0]
    yield Check(all(r["min_norm"] > 1.5 * max(r["gd"], r["ridge"]) and r["train"] < 1e-20
                    and abs(r["end"] - r["min_norm"]) < 1e-9 and r["clean"] < 1.01 for r in rows),
                f"{ls.generate(*RISK, sigma=NOISE, seed=0).describe().replace(', seed 0', '')}, {len(rows)} seed(s); "
                f"exact risks E(x^T w - y)^2 averaged over the training noise given X: GD (eta = 1/mu_max, closed "
                f"form) reaches w_+ (risk at k = 1e7 equals w_+'s to "
                f"{max(abs(r['end'] - r['min_norm']) for r in rows):.0e}), "
                f"which interpolates (train error {max(r['train'] for r in rows):.0e}) with test risk "
                f"{first['min_norm']:.3f} (variance {first['variance']:.3f}) against {first['gd']:.3f} for the best "
                f"early-stopped GD and {first['ridge']:.3f} for the best ridge (seed 0; over seeds min_norm / best >= "
                f"{min(r['min_norm'] / max(r['gd'], r['ridge']) for r in rows):.2f}); the overfitting is the noise's: "
                f"with sigma = 0 (same X, w*) the min-norm risk ({first['clean_min']:.4f} for seed 0) is within "
                f"{max(r['clean'] for r in rows) - 1:.1e} (relative) of the path's minimum (tolerance 1 %)")
    yield Check(all(r["interior"] and r["violation"] < 1e-9 for r in rows),
                f"U-shapes: the test risk along t (k = 0..1e7) falls from {first['null']:.3f} (w = 0) to its minimum "
                f"at "
                f"eta t* = {first['t']:.3f} and rises to {first['min_norm']:.3f}; along lambda (1e2..1e-8) it falls to "
                f"its minimum at 1/lambda* = {1 / first['lam']:.3f} and rises to the min-norm risk; largest deviation "
                f"from unimodal {max(r['violation'] for r in rows):.0e} (relative, tolerance 1e-9), minima interior "
                f"for all {len(rows)} seed(s)")
    ratios = [r["gd"] / r["ridge"] for r in rows]
    products = [r["lam"] * r["t"] for r in rows]
    yield Check(all(abs(q - 1) < 0.1 for q in ratios) and all(r["from_t"] < 1.1 for r in rows),
                f"early stopping vs ridge: min risk {first['gd']:.4f} vs {first['ridge']:.4f} (ratio GD / ridge "
                f"{', '.join(f'{q:.3f}' for q in ratios)} over seeds; tolerance 10 %); ridge with lambda = c*/(eta t*) "
                f"read off the best stopping step (c* = {c_star:.3f}, the filter-matching constant) is within "
                f"{max(r['from_t'] for r in rows) - 1:.1%} of ridge's best risk (tolerance 10 %); the optimal lambda* "
                f"eta t* = {', '.join(f'{v:.3f}' for v in products)} (best steps k* = "
                f"{', '.join(str(r['k']) for r in rows)}: farthest from c* where k* is a few steps and the discrete "
                f"filter is coarse); along the whole path GD's risk at t is within {max(r['path'] for r in rows):.0%} "
                f"of ridge's at lambda = c*/(eta t)")
