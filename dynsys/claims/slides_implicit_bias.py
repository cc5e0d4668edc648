"""Claims of the slides "Implicit Regularization in Gradient Descent": the perceptron and Soudry et al.'s Theorem 3.

The perceptron (its update rule and Theorem 1, Block/Novikoff, eq. 10-24) is
run by ``dynsys.train.perceptron`` on generated separable sets; Theorem 3
(``w(t) = w_hat log t + rho(t)``) is checked on the gradient flow derived by
``dynsys.models.shallow.shallow_classifier`` (``tau = 1``, so ``t`` is the flow
time and ``k`` steps of size ``eta`` reach ``t = eta k``), integrated to
``t = 1e8`` by our DOP853 and SciPy's, and on compiled gradient-descent
iterates, against the closed-form asymptote of ``dynsys.train.perceptron.asymptote``.
"""

import functools
import time

import numpy as np
import sympy

from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.integrate import solve_ivp
from dynsys.models.shallow import shallow_classifier
from dynsys.train import perceptron as pc

PAPER = "slides"
T_END = 1e8
TIMES = np.geomspace(1.0, T_END, 321)
FIT_FROM = 1e6
RHO_FROM = 1e4
LOSS_NAMES = {"bce": "logistic", "exponential": "exponential"}
RANDOM_START = (-2.0, 3.0)


def _fit(x, y):
    """Least-squares line ``y = a x + c``: ``a``, ``c``, the 95 % half-width of ``a``, ``R^2`` (``dynsys.fits``)."""
    line = fit_line(x, y)
    return line.slope, line.intercept, line.half_width, line.r2


def _angle(W, direction):
    """Angle between the rows of ``W`` and ``direction``, accurate for tiny angles: 2 atan2(|u - v|, |u + v|)."""
    u = W / np.linalg.norm(W, axis=1, keepdims=True)
    v = direction / np.linalg.norm(direction)
    return 2 * np.arctan2(np.linalg.norm(u - v, axis=1), np.linalg.norm(u + v, axis=1))


# ---------------------------------------------------------------- data and flows


@functools.lru_cache(maxsize=None)
def data(name):
    """``(X, labels, what)`` of the data sets used: Theorem 3's 2-D set, a degenerate one, a 5-D one."""
    if name == "theorem3":
        seed, X, y = pc.theorem3_data()
        return X, y, f"separable_2d(12, margin 0.3, seed {seed}), the first seed with second margin >= 1.5"
    if name == "degenerate":
        return np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([1, 1]), "z1 = (1, 0), z2 = (1, 1)"
    if name == "five":
        X, y = pc.separable_data(16, 5, 0.3, seed=0)
        return X, y, "separable_data(16, d = 5, margin 0.3, seed 0)"
    raise KeyError(name)


@functools.lru_cache(maxsize=None)
def flow(name, loss):
    """The compiled gradient flow ``dW/dt = -dL/dW`` (``tau = 1``) of data set ``name`` under ``loss``."""
    X, y, _ = data(name)
    return shallow_classifier(X, y, loss=loss, tau_value=1.0).compile()


@functools.lru_cache(maxsize=None)
def asymptote(name):
    X, y, _ = data(name)
    return pc.asymptote(X, y)


def solve(name, loss, w0=None, t=TIMES, method="dop853"):
    """``(t, W (n_t x d), seconds)``: the flow from ``w0`` (default 0) to ``t[-1]``, rtol 1e-10, atol 1e-12."""
    f = flow(name, loss)
    w0 = np.zeros(data(name)[0].shape[1]) if w0 is None else np.asarray(w0, float)
    start = time.perf_counter()
    sol = solve_ivp(f, (0.0, float(t[-1])), w0, method=method, t_eval=t, args=(f.params,), rtol=1e-10, atol=1e-12)
    seconds = time.perf_counter() - start
    if sol.status != 0:
        raise RuntimeError(f"{method} on {name}/{loss} failed: {sol.message}")
    return sol.t, sol.y.T, seconds


def _late(t):
    return t >= FIT_FROM


def _predicted_angle(t, a):
    """The angle of the asymptote ``w_hat log t + w_tilde`` to ``w_hat``."""
    return _angle(np.outer(np.log(t), a.w_hat) + a.w_tilde, a.w_hat)


# ---------------------------------------------------------------- the perceptron


def _perceptron_sets(quick):
    """Generated separable sets ``(X, y, bias)``: dimensions 2, 5, 20, margins, offsets, seeds."""
    sets = []
    for d in (2, 5) if quick else (2, 5, 20):
        for margin in (0.05, 0.5) if quick else (0.05, 0.2, 0.5):
            for seed in range(2 if quick else 5):
                sets.append((*pc.separable_data(30, d, margin, seed), False))
                sets.append((*pc.separable_data(30, d, margin, seed, offset=1.0), True))
    return sets


def _separates(X, y, w, b):
    return bool(np.all(pc.signs(y) * (X @ w + b) > 0))


def _sklearn_perceptron(X, y, bias):
    """scikit-learn's Perceptron (update on ``y f <= 0``, step 1, no shuffle); with a bias on ``X / R``, which is
    the slides' augmentation ``(x, R)`` scaled by ``1/R``: ``w = R w'``, ``b = R^2 b'``."""
    from sklearn.linear_model import Perceptron

    R = pc.input_radius(X) if bias else 1.0
    model = Perceptron(fit_intercept=bias, shuffle=False, tol=None, max_iter=2000, eta0=1.0).fit(X / R, y)
    return R * model.coef_[0], R**2 * float(model.intercept_[0])


@claim("slides.perceptron.update_rule", paper=PAPER, where="slide 'The Perceptron Algorithm'; Theorem 1 (w_0 = 0)",
       statement="The perceptron, SGD on l(w) = -sum_{i in M_w} y_i w^T x_i, updates w_{t+1} = w_t - eta_t y_i x_i "
                 "if y_i w_t^T x_i < 0; Theorem 1 starts it at w_0 = 0.",
       correction="w_{t+1} = w_t + eta_t y_i x_i if y_i w_t^T x_i <= 0: the gradient of -y_i w^T x_i is -y_i x_i "
                  "(the proof's eq. 11 adds t_i x_i), and the proof's eq. 14 uses t_i w_k^T x_i <= 0; with the "
                  "printed strict '< 0' the perceptron never leaves w_0 = 0, with the printed '-' it never "
                  "converges.")
def _(quick):
    w = sympy.Matrix(sympy.symbols("w1:4", real=True))
    x = sympy.Matrix(sympy.symbols("x1:4", real=True))
    y, eta = sympy.Symbol("y", real=True), sympy.Symbol("eta", positive=True)

    def margin(v):
        """``y v^T x`` with ``y^2 = 1``."""
        return sympy.expand(y * (v.T * x)[0]).subs(y**2, 1)

    at_zero = margin(sympy.zeros(3, 1))
    sets = _perceptron_sets(quick)
    strict = [pc.perceptron(X, yy, bias=bias, update_on="<") for X, yy, bias in sets]
    never = all(r.updates == 0 and not np.any(r.w) and r.b == 0 and not _separates(X, yy, r.w, r.b)
                for r, (X, yy, bias) in zip(strict, sets))
    dims = sorted({X.shape[1] for X, _, _ in sets})
    yield Check(sympy.Lt(at_zero, 0) == sympy.true or not never,
                f"at w_0 = 0, y_i w_0^T x_i = {at_zero} (SymPy), and '{at_zero} < 0' is "
                f"{sympy.Lt(at_zero, 0)}: the printed rule never fires; run on {len(sets)} generated separable "
                f"sets (d = {dims}, with and without bias): {sum(r.updates == 0 for r in strict)} of {len(sets)} "
                f"stop after one pass with k = 0, w = 0, separating none")
    gradient = sympy.Matrix([sympy.diff(-y * (w.T * x)[0], wi) for wi in w])
    derived = w - eta * gradient
    printed = w - eta * y * x
    after = sympy.simplify(margin(printed) - margin(w))
    wrong = [pc.perceptron(X, yy, bias=bias, sign=-1, max_epochs=200) for X, yy, bias in sets]
    yield Check(sympy.simplify(derived - printed) == sympy.zeros(3, 1) or any(r.converged for r in wrong),
                f"SymPy: w - eta grad l_i = w + eta y x (gradient {list(gradient)}), printed - derived = "
                f"{list(sympy.simplify(printed - derived))}; the printed step changes the example's own margin by "
                f"{after} < 0, so the example just updated stays misclassified and no pass is ever clean: "
                f"{sum(not r.converged for r in wrong)} of {len(sets)} sets unconverged after 200 epochs "
                f"(up to {max(r.updates for r in wrong)} updates)")
    fixed = [pc.perceptron(X, yy, bias=bias) for X, yy, bias in sets]
    ok = all(r.converged and _separates(X, yy, r.w, r.b) for r, (X, yy, bias) in zip(fixed, sets))
    diffs = []
    for r, (X, yy, bias) in zip(fixed, sets):
        w_sk, b_sk = _sklearn_perceptron(X, yy, bias)
        diffs.append(max(np.abs(r.w - w_sk).max(), abs(r.b - b_sk)) / max(1.0, np.abs(r.w).max()))
    yield Check(ok and max(diffs) < 1e-9 and sympy.Le(at_zero, 0) == sympy.true,
                f"'+' and '<= 0' (bias via x_hat = (x, R)): all {len(sets)} sets separated after "
                f"{min(r.epochs for r in fixed)}-{max(r.epochs for r in fixed)} epochs, k = "
                f"{min(r.updates for r in fixed)}-{max(r.updates for r in fixed)}; scikit-learn's Perceptron "
                f"(no shuffle, eta0 = 1; with bias on X/R) gives the same w, b to {max(diffs):.1e}",
                about="correction")


@claim("slides.perceptron.bound", paper=PAPER, where="Theorem 1, eq. 10-24",
       statement="For data in a ball of radius R separable by a unit w_opt (with bias b) with margin gamma, the "
                 "perceptron from w_0 = 0 makes k <= (2R/gamma)^2 updates (eq. 10, 24; the proof: |w_hat_k|^2 <= "
                 "2kR^2, eq. 17, and w_hat_opt^T w_hat_k >= k gamma, eq. 20, for w_hat = (w, b/R), x_hat = (x, R)); "
                 "without bias the classic argument gives k <= (R/gamma)^2.")
def _(quick):
    runs = (pc.bound_study(dims=(2, 5), margins=(0.05, 0.5), seeds=range(2)) if quick
            else pc.bound_study(seeds=range(10)))
    for bias, name in ((True, "(2R/gamma)^2, eq. 24"), (False, "(R/gamma)^2, no bias")):
        part = [r for r in runs if r.bias == bias]
        worst = max(part, key=lambda r: r.ratio)
        eq22 = max(r.updates / r.bound_eq22 for r in part)
        yield Check(all(r.converged for r in part) and worst.ratio <= 1 and eq22 <= 1,
                    f"{name}: {len(part)} runs (d = {sorted({r.d for r in part})}, margins "
                    f"{sorted({r.margin for r in part})}, offsets {sorted({r.offset for r in part})}, orders as "
                    f"generated and reshuffled per epoch), gamma of scikit-learn's hard-margin SVM; max k/bound = "
                    f"{worst.ratio:.3f} (k = {worst.updates}, bound {worst.bound:.0f}, d = {worst.d}), median "
                    f"{np.median([r.ratio for r in part]):.3f}"
                    + (f"; max k / eq. 22's 2(R^2 + b^2)/gamma^2 = {eq22:.3f}" if bias else ""))
    norm = min(r.norm_slack for r in runs)
    progress = min(r.progress_slack for r in runs)
    offset = max(abs(r.b_opt) / r.R for r in runs if r.bias)
    yield Check(norm >= -1e-12 and progress >= -1e-8 and offset <= 1,
                f"the proof's steps at every update of every run: least relative slack of |w_hat_k|^2 <= "
                f"2kR^2 (eq. 17; kR^2 without bias) {norm:.2e}, of w_hat_opt^T w_hat_k >= k gamma (eq. 20) "
                f"{progress:.2e}; "
                f"largest |b_opt|/R = {offset:.3f} (eq. 23 needs <= 1)")


# ---------------------------------------------------------------- Theorem 3


def _rho(t, W, a):
    return W - np.outer(np.log(t), a.w_hat)


@claim("slides.soudry.log_growth", paper=PAPER, where="Theorem 3, eq. 3-4; figure 'Separable Logistic Regression'",
       statement="For linearly separable data, a smooth decreasing loss with an exponential tail (logistic, "
                 "exponential) and any start, w(t) = w_hat log t + rho(t) with w_hat the hard-margin SVM (eq. 4, no "
                 "bias), |rho(t)| = O(log log t), and rho bounded for almost all data sets; so |w| grows ~ log t.")
def _(quick):
    a = asymptote("theorem3")
    X, y, what = data("theorem3")
    norm_w = np.linalg.norm(a.w_hat)
    for loss in ("bce", "exponential"):
        for start in (None, RANDOM_START):
            t, W, seconds = solve("theorem3", loss, start)
            _, W_ref, seconds_ref = solve("theorem3", loss, start, method="scipy:DOP853")
            late = _late(t)
            slope, _, half, r2 = _fit(np.log(t[late]), np.linalg.norm(W[late], axis=1))
            rho = np.linalg.norm(_rho(t, W, a)[t >= RHO_FROM], axis=1)
            err = np.linalg.norm(_rho(t, W, a) - a.w_tilde, axis=1)
            tail = t >= 1e5
            decay = -_fit(np.log(t[tail]), np.log(err[tail]))[0]
            witness = np.abs(W - W_ref).max()
            yield Check(abs(slope / norm_w - 1) < 0.01 and err[-1] < 1e-2 and abs(decay - a.rate) < 0.1
                        and witness < 1e-6,
                        f"{what}, {LOSS_NAMES[loss]} loss, w(0) = {start or 0}: d|w|/d log t on [1e6, 1e8] = "
                        f"{slope:.5f} +- {half:.1e} (95 %), R^2 {r2:.7f}, |w_hat| = {norm_w:.5f}; |rho| in "
                        f"[{rho.min():.4f}, {rho.max():.4f}] on [1e4, 1e8], |rho(1e8) - w_tilde| = {err[-1]:.1e} with "
                        f"w_tilde = {np.round(a.w_tilde, 4).tolist()} from exp(-z_n^T w_tilde) = alpha_n, decaying "
                        f"like t^-{decay:.3f} (predicted min(m_2 - 1, lambda_min) = {a.rate:.3f}); dop853 vs "
                        f"scipy:DOP853 {witness:.1e}; the solves to 1e8 took {1e3 * seconds:.1f} ms and "
                        f"{1e3 * seconds_ref:.1f} ms")
    t, W, _ = solve("degenerate", "exponential")
    b = asymptote("degenerate")
    keep = t >= RHO_FROM
    t, rho = t[keep], _rho(t[keep], W[keep], b)
    late = t >= 1e6
    shift = np.exp(rho[:, 1]) - np.log(t) + np.log(np.log(t))
    decades = rho[np.searchsorted(t, [1e4, 1e5, 1e6, 1e7, 1e8]), 1]
    ratio = np.log(np.log(T_END) / np.log(RHO_FROM))
    yield Check(np.ptp(shift[late]) < 0.05 and np.all(np.diff(decades) > 0) and decades[-1] - decades[0] > 0.5
                and abs(rho[-1, 0] * np.log(T_END) - 1) < 0.2,
                f"measure-zero case {data('degenerate')[2]}: w_hat = {np.round(b.w_hat, 6).tolist()}, z2 on the "
                f"margin with alpha_2 = {abs(b.alpha[1]):.0e}; exponential loss, w(0) = 0. With u = e^w1, v = e^w2 the "
                f"flow is u' = 1 + 1/v, v' = 1/u, so u ~ t (1 + 1/log t), v = log t - log log t + c + o(1): "
                f"e^rho_2 - log t + log log t varies by {np.ptp(shift[late]):.1e} on [1e6, 1e8]; rho_2 at t = "
                f"1e4..1e8: {', '.join(f'{v:.4f}' for v in decades)} (grew {decades[-1] - decades[0]:.4f}; log log t "
                f"grew {ratio:.4f}); rho_1(1e8) log(1e8) = {rho[-1, 0] * np.log(T_END):.3f} (-> 1): |rho| grows like "
                f"log log t, the O(log log t) is attained and rho is unbounded on this measure-zero set")
    if not quick:
        yield from _log_growth_five()


def _log_growth_five():
    """The 5-D set: slope of |w| against log t, the range of |rho| and its approach to ``w_tilde``."""
    a = asymptote("five")
    what = data("five")[2]
    for loss in ("bce", "exponential"):
        t, W, seconds = solve("five", loss)
        late = _late(t)
        slope, _, half, r2 = _fit(np.log(t[late]), np.linalg.norm(W[late], axis=1))
        rho = np.linalg.norm(_rho(t, W, a), axis=1)
        err = np.linalg.norm(_rho(t, W, a) - a.w_tilde, axis=1)
        tail = t >= 1e5
        decay = -_fit(np.log(t[tail]), np.log(err[tail]))[0]
        yield Check(abs(slope / np.linalg.norm(a.w_hat) - 1) < 0.02 and abs(decay - a.rate) < 0.1,
                    f"{what} ({len(a.support)} support vectors), {LOSS_NAMES[loss]}: d|w|/d log t = {slope:.5f} +- "
                    f"{half:.1e}, R^2 {r2:.7f}, |w_hat| = {np.linalg.norm(a.w_hat):.5f}; |rho| in "
                    f"[{rho[t >= RHO_FROM].min():.4f}, {rho[t >= RHO_FROM].max():.4f}] on [1e4, 1e8], |rho - w_tilde| "
                    f"= {err[-1]:.2e} at 1e8, decaying like t^-{decay:.3f} (predicted {a.rate:.3f}); the solve to "
                    f"1e8 took {1e3 * seconds:.1f} ms")


def _gd_run(loss, fraction, steps, name="theorem3"):
    """Gradient descent on data set ``name`` at ``fraction`` of Theorem 3's step bound, from 0."""
    X, y, _ = data(name)
    level = pc.margin_loss(pc.fold(X, y), np.zeros(X.shape[1]), loss) if loss == "exponential" else None
    eta = fraction * pc.step_size_bound(X, loss, level)
    return pc.gradient_descent(X, y, eta, steps, loss)


GD_FRACTION = 0.9


def _steps(quick):
    return 10**5 if quick else 10**6


@claim("slides.soudry.direction", paper=PAPER,
       where="Theorem 3 (lim w/|w| = w_hat/|w_hat|); figure 'angle converges to max-margin classifier'",
       statement="The direction of w(t) converges to the max-margin direction w_hat/|w_hat|, the angle decaying "
                 "like 1/log t (w = w_hat log t + rho with rho bounded).")
def _(quick):
    a = asymptote("theorem3")
    what = data("theorem3")[2]
    unit = a.w_hat / np.linalg.norm(a.w_hat)
    perp = np.linalg.norm(a.w_tilde - (a.w_tilde @ unit) * unit)
    predicted = np.linalg.norm(a.w_hat) / perp
    offset = a.w_tilde @ unit / perp
    for loss in ("bce", "exponential"):
        t, W, _ = solve("theorem3", loss)
        theta = _angle(W, a.w_hat)
        late = _late(t)
        slope, intercept, half, r2 = _fit(np.log(t[late]), 1 / theta[late])
        deviation = np.abs(theta[late] / _predicted_angle(t[late], a) - 1).max()
        product = theta * np.log(t)
        at = [np.argmin(np.abs(t - v)) for v in (1e4, 1e6, 1e8)]
        yield Check(abs(slope / predicted - 1) < 0.01 and r2 > 0.9999 and deviation < 0.01,
                    f"{what}, {LOSS_NAMES[loss]} flow: 1/theta = ({slope:.4f} +- {half:.1e}) log t + "
                    f"{intercept:.3f} on [1e6, 1e8], R^2 {r2:.7f}; predicted |w_hat| / |P_perp w_tilde| log t + "
                    f"w_hat.w_tilde / (|w_hat| |P_perp w_tilde|) = {predicted:.4f} log t + {offset:.3f}; theta "
                    f"within {deviation:.1e} (relative) of the asymptote's angle there; theta log t at 1e4, 1e6, "
                    f"1e8: {', '.join(f'{product[i]:.4f}' for i in at)} (-> {1 / predicted:.4f} like 1/log t); "
                    f"theta(1e8) = {np.degrees(theta[-1]):.3f} deg")
        run = _gd_run(loss, GD_FRACTION, _steps(quick))
        keep = run.steps >= 1000
        gd_theta = _angle(run.w[keep], a.w_hat)
        gd_slope, _, gd_half, gd_r2 = _fit(np.log(run.t[keep]), 1 / gd_theta)
        _, W_at, _ = solve("theorem3", loss, t=run.t[keep])
        follow = np.abs(gd_theta / _angle(W_at, a.w_hat) - 1).max()
        yield Check(follow < 0.01,
                    f"GD, {LOSS_NAMES[loss]}, eta = {run.eta:.4f} ({GD_FRACTION:g} x the bound), k = 1e3.."
                    f"{run.steps[-1]:.0e} (t = eta k up to {run.t[-1]:.3g}): theta_GD(k) / theta_flow(eta k) - 1 at "
                    f"most {follow:.1e}; its own fit 1/theta = ({gd_slope:.4f} +- {gd_half:.1e}) log(eta k) + c, "
                    f"R^2 {gd_r2:.5f}, theta at the end {gd_theta[-1] / _predicted_angle(run.t[-1:], a)[0]:.4f} x the "
                    f"asymptote's (still pre-asymptotic at t = {run.t[-1]:.3g})")


@claim("slides.soudry.loss_rate", paper=PAPER, where="Fig. 2 caption (Soudry et al. 2018); Theorem 3",
       statement="The training loss decays as t^-1.")
def _(quick):
    a = asymptote("theorem3")
    what = data("theorem3")[2]
    Z = pc.fold(*data("theorem3")[:2])
    for loss in ("bce", "exponential"):
        t, W, _ = solve("theorem3", loss)
        L = pc.margin_loss(Z, W, loss)
        late = _late(t)
        p, _, half, r2 = _fit(np.log(t[late]), np.log(L[late]))
        limit = t[-1] * L[-1] / a.loss_constant - 1
        yield Check(abs(p + 1) < 0.005 and abs(limit) < 1e-3,
                    f"{what}, {LOSS_NAMES[loss]} flow: L ~ t^({p:.5f} +- {half:.1e}) on [1e6, 1e8] (95 %, R^2 "
                    f"{r2:.8f}); t L(t) at 1e8 = {t[-1] * L[-1]:.5f}, the derived limit sum_n alpha_n = |w_hat|^2 "
                    f"= {a.loss_constant:.5f} (relative {limit:.1e})")
        run = _gd_run(loss, GD_FRACTION, _steps(quick))
        keep = run.steps >= 1000
        _, W_at, _ = solve("theorem3", loss, t=run.t[keep])
        follow = np.abs(run.loss[keep] / pc.margin_loss(Z, W_at, loss) - 1).max()
        last = run.steps >= run.steps[-1] / 10
        q, _, q_half, _ = _fit(np.log(run.t[last]), np.log(run.loss[last]))
        yield Check(follow < 0.01,
                    f"GD, {LOSS_NAMES[loss]}, eta = {run.eta:.4f}: L_GD(k) / L_flow(eta k) - 1 at most {follow:.1e} "
                    f"for k = 1e3..{run.steps[-1]:.0e}; over its last decade L ~ (eta k)^({q:.4f} +- {q_half:.1e}), "
                    f"eta k L at the end {run.t[-1] * run.loss[-1]:.4f} (-> {a.loss_constant:.4f})")


@claim("slides.soudry.step_size", paper=PAPER, where="Theorem 3 (eta < 2 beta^-1 sigma_max^-2(X)); Assumption 2",
       statement="L is beta sigma_max^2(X)-smooth, and gradient descent with any step eta < 2 beta^-1 "
                 "sigma_max^-2(X) (beta = 1/4 for the logistic loss) follows eq. 3: its iterates at step k follow "
                 "the flow at t = eta k and the loss decreases.")
def _(quick):
    X, y, what = data("theorem3")
    Z = pc.fold(X, y)
    a = asymptote("theorem3")
    bound = pc.smoothness(X, "bce")
    rng = np.random.default_rng(0)
    points = np.vstack([np.zeros(2), rng.normal(scale=3.0, size=(500, 2))])
    curvature = []
    for w in points:
        u = Z @ w
        curvature.append(np.linalg.eigvalsh(Z.T @ np.diag(np.exp(-np.logaddexp(0, u) - np.logaddexp(0, -u))) @ Z)[-1])
    yield Check(max(curvature) <= bound * (1 + 1e-12) and abs(curvature[0] / bound - 1) < 1e-12,
                f"{what}: sigma_max(X) = {np.linalg.norm(X, 2):.4f}, beta sigma_max^2 = {bound:.4f}; the largest "
                f"Hessian eigenvalue of the logistic L at w = 0 is {curvature[0]:.4f} (= the bound: l''(0) = 1/4) "
                f"and at most {max(curvature[1:]):.4f} at 500 random w")
    steps = _steps(quick)
    for loss in ("bce", "exponential"):
        rows = []
        for fraction in (0.1, 0.5, 0.99):
            run = _gd_run(loss, fraction, steps)
            keep = run.steps >= 1
            _, W_flow, _ = solve("theorem3", loss, t=run.t[keep])
            gap = np.linalg.norm(run.w[keep] - W_flow, axis=1)
            residual = np.linalg.norm(run.w[-1] - a.w_hat * np.log(run.t[-1]) - a.w_tilde)
            rows.append((fraction, run, gap, residual))
        ok = all(r.increases == 0 and g[-1] < 1e-3 * np.linalg.norm(r.w[-1]) and g[-1] < 0.1 * g.max()
                 for _, r, g, res in rows)
        level = ("beta = 1/4" if loss == "bce" else f"local beta = L(0) = {pc.margin_loss(Z, np.zeros(2), loss):g} "
                 f"on the sublevel set L <= L(0)")
        yield Check(ok, f"{LOSS_NAMES[loss]} ({level}), bound {rows[0][1].eta / rows[0][0]:.4f}, w(0) = 0, "
                        f"{steps:.0e} steps: " + "; ".join(
                            f"eta = {f:g} x bound: loss increases {r.increases}, |w_k - w_flow(eta k)| max "
                            f"{g.max():.1e} -> {g[-1]:.1e} at k = {r.steps[-1]:.0e} "
                            f"(|w| = {np.linalg.norm(r.w[-1]):.2f})"
                            f", |w_k - w_hat log(eta k) - w_tilde| = {res:.1e}" for f, r, g, res in rows)
                    + _beyond(loss, steps))


def _beyond(loss, steps):
    """What larger steps do (the bound is sufficient, not necessary): loss increases at multiples of the bound."""
    X, y, _ = data("theorem3")
    parts = []
    for w0 in (np.zeros(X.shape[1]), np.array(RANDOM_START)):
        level = pc.margin_loss(pc.fold(X, y), w0, loss) if loss == "exponential" else None
        eta = pc.step_size_bound(X, loss, level)
        found = []
        for fraction in (3.0, 10.0, 30.0, 100.0):
            run = pc.gradient_descent(X, y, fraction * eta, min(steps, 10**4), loss, w0=w0)
            found.append(f"{fraction:g}x: {run.increases if np.all(np.isfinite(run.loss)) else 'diverged'}")
        parts.append(f"from w(0) = {tuple(w0.tolist())} " + ", ".join(found))
    return f"; loss increases in 1e4 steps beyond the bound (it is sufficient, not necessary): {'; '.join(parts)}"
