"""Claims of Minnorm sec. 3.4 and Fig. 5: the frozen subspace of deep linear networks and eq. 36.

The task and the runs are ``dynsys.train.experiments.frozen_subspace``
(student-teacher, 3-layer linear networks of 300 hidden units, 150 examples,
300 inputs, SNR 5, exact test errors); the symbolic flows are
``dynsys.models.deep_linear``.
"""

import numpy as np
import sympy
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.models import deep_linear as dl
from dynsys.train.experiments import frozen_subspace as fs

PAPER = "minnorm"
SMALL_X = ((1, sympy.Rational(1, 2), -1, 0), (sympy.Rational(1, 4), 2, 1, -1))  # P = 2 < n_0 = 4
SMALL_Y = ((1,), (-sympy.Rational(1, 2),))
SMALL_WIDTHS = (4, 2, 2, 1)
FINAL_TOL = 1e-8  # |final test error - reference| that counts as equal
RISE_TOL = 0.01
SHALLOW_DRAWS = 4000
TRANSIENT = 100  # steps before the exponential phase of Fig. 5A, left out of its rate fit
SHALLOW_ETA = 0.5  # stable for one layer (eta lambda_max(X X^T) = 1.5 < 2), converged to 1e-12 in 1500 steps  # a rise of the test error above its minimum, relative to its total fall, that counts as overtraining


def _small(method):
    return dl.deep_linear(SMALL_WIDTHS, SMALL_X, SMALL_Y, method)


def _null_projector():
    X = sympy.Matrix(SMALL_X)
    return sympy.eye(X.shape[1]) - X.T * (X * X.T).inv() * X


def _first_layer_rate(model):
    first = dl.weight_matrices(SMALL_WIDTHS)[0]
    velocity = dict(zip(model.state, model.rhs))
    return first.applyfunc(lambda w: velocity[w])


@claim("minnorm.sec34.frozen_subspace", paper=PAPER, where="sec. 3.4",
       statement="In under-determined networks there is a frozen subspace of the weights that gradient descent "
                 "never changes (the first layer's weights along the directions orthogonal to every input); the "
                 "initial weights in this subspace persist indefinitely.")
def _(quick):
    rate = _null_projector() * _first_layer_rate(_small("gd"))  # (I - P_X) dW_1/dt: rows of W_1 are input directions
    residual = rate.applyfunc(sympy.simplify)
    yield Check(all(e == 0 for e in residual),
                f"symbolic, deep linear net {SMALL_WIDTHS} on P = 2 examples in R^4: (I - P_X) dW_1/dt = "
                f"{'0 identically' if all(e == 0 for e in residual) else 'nonzero'} (gradient descent flow)")
    data = fs.task(0)
    for depth in (1, fs.DEPTH):
        net = fs.network(depth=depth)
        result = fs.run("bgd", 1.0, 0, steps=300 if quick else fs.STEPS, net=net)
        start = net.init(np, sigma_w=1.0, seed=10_000)[0]
        frozen = np.eye(data.X.shape[1]) - data.row_projector
        moved = np.abs(frozen @ (result.final_params[0] - start)).max()
        total = np.abs(result.final_params[0] - start).max()
        yield Check(moved < 1e-10 * max(1.0, total) and total > 1e-3,
                    f"BGD, D = {depth}, sigma_w = 1, {result.steps[-1]} steps: the frozen part (I - P_X) W_1 moved "
                    f"by {moved:.1e} while W_1 moved by {total:.2g}")


@claim("minnorm.sec34.init_scale", paper=PAPER, where="sec. 3.4; Fig. 5C",
       statement="Thus in under-determined networks, generalization error (of vanilla gradient descent) scales "
                 "with the size of the initial weight scale.")
def _(quick):
    study = fs.scale_study(quick)
    bgd = study.mean("bgd")
    excess = bgd - study.min_norm_test_error.mean()
    yield Check(np.all(np.diff(bgd) > 0) and excess[-1] > 10 * max(abs(excess[0]), 1e-6),
                f"deep linear (D = 3) BGD, mean final test error over {study.test_error.shape[-1]} runs at "
                f"sigma_w = {', '.join(f'{s:g}' for s in study.scales)}: "
                f"{', '.join(f'{v:.4f}' for v in bgd)}; excess over the pseudo-inverse "
                f"{', '.join(f'{v:.1e}' for v in excess)} (increasing: {bool(np.all(np.diff(bgd) > 0))})")
    # shallow: the final map is X^+ y + (I - P_X) w_0 exactly, so the excess error is known in closed form, with
    # mean sigma_w^2 (N - P) / N^2 over initialisations w_0 ~ N(0, sigma_w^2 / N)
    data, net = fs.task(0), fs.network(depth=1)
    frozen = np.eye(data.X.shape[1]) - data.row_projector
    n_inputs, n_examples = data.X.shape[1], data.X.shape[0]
    gaps, means = [], []
    for sigma in (0.3, 1.0, 3.0):
        result = fs.run("bgd", sigma, 0, steps=1500, net=net, eta=SHALLOW_ETA)
        w0 = net.init(np, sigma_w=sigma, seed=10_000)[0][:, 0]
        gaps.append(abs(result.final_test_error - data.test_error(data.min_norm() + frozen @ w0)))
        draws = np.random.default_rng(1).standard_normal((SHALLOW_DRAWS, n_inputs)) * sigma / np.sqrt(n_inputs)
        excess = data.test_error(data.min_norm() + draws @ frozen) - data.test_error(data.min_norm())
        predicted = sigma**2 * (n_inputs - n_examples) / n_inputs**2
        means.append((sigma, excess.mean(), excess.std() / np.sqrt(SHALLOW_DRAWS), predicted))
    agree = all(abs(m - p) < 3 * e for _, m, e, p in means)
    yield Check(max(gaps) < 1e-9 and agree,
                f"shallow (D = 1) BGD ends at X^+ y + (I - P_X) w_0 (gap in test error {max(gaps):.1e}); mean excess "
                f"over {SHALLOW_DRAWS} initialisations: "
                + ", ".join(f"sigma_w = {s:g}: {m:.2e} ± {e:.0e} (sigma_w^2 (N - P)/N^2 = {p:.2e})"
                            for s, m, e, p in means))


@claim("minnorm.sec34.eq36", paper=PAPER, where="sec. 3.4, eq. 36",
       statement="At convergence of Minnorm, a deep linear network's first layer is W_1 = sum_mu alpha^mu "
                 "(prod_{l>=2} W_l)^T x^mu^T and its input-output map is prod_l W_l = |prod_{l>=2} W_l|^2 sum_mu "
                 "alpha^mu x^mu^T: it lies in the span of the inputs with nonzero multipliers, and the subspace "
                 "orthogonal to them is zeroed out.")
def _(quick):
    model = _small("minnorm")
    weights = dl.weight_matrices(SMALL_WIDTHS)
    X = sympy.Matrix(SMALL_X)
    alpha = sympy.Matrix(model.state[-2:])
    suffix = dl.end_to_end(weights[1:])  # R_1 = W_2 W_3 (n_1 x 1)
    residual_f = X * dl.end_to_end(weights) - sympy.Matrix(SMALL_Y)
    fixed = _first_layer_rate(model) * dl.tau + weights[0] - X.T * alpha * suffix.T \
        + dl.rho * X.T * residual_f * suffix.T
    map_identity = (X.T * alpha * suffix.T) * suffix - X.T * alpha * (suffix.T * suffix)[0]
    exact = all(sympy.expand(e) == 0 for e in fixed) and all(sympy.expand(e) == 0 for e in map_identity)
    yield Check(exact, f"symbolic, Minnorm flow of {SMALL_WIDTHS}: tau dW_1/dt = -W_1 + X^T alpha R_1^T - rho X^T "
                       f"(f - y) R_1^T with R_1 = W_2 W_3, so at a fixed point (f = y) W_1 = X^T alpha R_1^T and "
                       f"W_1 R_1 = |R_1|^2 X^T alpha: {'identities hold' if exact else 'identities fail'}")
    study = fs.dynamics(quick)["minnorm"]
    data = fs.task(0)
    net = fs.network()
    params, alpha = study.final_params, study.final_multipliers[:, 0]
    suffix = net.suffix_products(np, params)[0][:, 0]
    w = net.end_to_end(np, params)[:, 0]
    predicted = (suffix @ suffix) * (data.X.T @ alpha)
    gap = np.abs(w - predicted).max() / np.abs(w).max()
    off_span = np.linalg.norm(w - data.row_projector @ w) / np.linalg.norm(w)
    balance = [np.abs(b).max() for b in _balancedness(params)]
    fit = np.abs(data.X @ w - data.y[:, 0]).max()
    yield Check(gap < 1e-6 and off_span < 1e-8,
                f"Minnorm on the Fig. 5 task (sigma_w = 1, {study.steps[-1]} steps, eta = {fs.ETA:g}, s = {fs.S:g}, "
                f"rho = {fs.RHO:g}): |w - |W_2 W_3|^2 X^T alpha| / |w| = {gap:.1e}; part of w outside the span of "
                f"the {np.count_nonzero(np.abs(alpha) > 1e-12)} inputs with nonzero alpha: {off_span:.1e}; "
                f"max |f - y| = {fit:.1e}; balancedness |W_(l+1) W_(l+1)^T - W_l^T W_l| = "
                f"{', '.join(f'{b:.1e}' for b in balance)} (Minnorm drives it to 0 like exp(-2t/tau))")


def _balancedness(params):
    return [nxt @ nxt.T - cur.T @ cur for cur, nxt in zip(params[:-1], params[1:])]


@claim("minnorm.fig5.exponential_training", paper=PAPER, where="Fig. 5A",
       statement="Minnorm training makes exponentially rapid progress (training error, sigma_w = 1).")
def _(quick):
    runs = fs.dynamics(quick)
    (fit, steps), (bgd_fit, bgd_steps) = _exponential_fit(runs["minnorm"]), _exponential_fit(runs["bgd"])
    yield Check(fit.slope < 0 and fit.r2 > 0.99,
                f"log(training error) against step, Minnorm: slope {fit.describe()} over steps {steps[0]}-{steps[-1]} "
                f"(train error {runs['minnorm'].train_error[0]:.3g} -> {runs['minnorm'].train_error[-1]:.1e}); BGD "
                f"for comparison: slope {bgd_fit.slope:.4f}, R^2 = {bgd_fit.r2:.4f}, down to 1e-24 by step "
                f"{bgd_steps[-1]}")


def _exponential_fit(run):
    """The line through log(training error) against the step, after the transient and above rounding (1e-24)."""
    keep = (run.train_error > 1e-24) & (run.steps >= TRANSIENT)
    return fit_line(run.steps[keep], np.log(run.train_error[keep])), run.steps[keep]


@claim("minnorm.fig5.reaches_pruned", paper=PAPER, where="Fig. 5B; sec. 3.4",
       statement="The Minnorm algorithm attains better final performance than BGD, eventually reaching the "
                 "performance of a network where the weights in the frozen subspace have been pruned.")
def _(quick):
    runs = fs.dynamics(quick)
    minnorm, bgd = runs["minnorm"].final_test_error, runs["bgd"].final_test_error
    pruned = float(runs["bgd"].pruned_test_error[-1])
    yield Check(minnorm < bgd and abs(minnorm - pruned) < FINAL_TOL,
                f"sigma_w = 1, final exact test errors: Minnorm {minnorm:.8f}, BGD {bgd:.8f}, BGD pruned "
                f"(W_1 -> P_X W_1) {pruned:.8f}, pseudo-inverse {runs['bgd'].min_norm_test_error:.8f}")


def _rise(test_error):
    """How far the curve ends above its minimum, relative to its total fall from the start (0: no overtraining)."""
    low = test_error.min()
    return (test_error[-1] - low) / max(test_error[0] - low, 1e-300)


@claim("minnorm.fig5.no_overtraining", paper=PAPER, where="Fig. 5B",
       statement="In contrast to BGD, the Minnorm dynamics show no overtraining.")
def _(quick):
    runs = fs.dynamics(quick)
    rises = {m: _rise(r.test_error) for m, r in runs.items()}
    transient = np.max(runs["minnorm"].test_error - np.minimum.accumulate(runs["minnorm"].test_error))
    lows = {m: (float(r.test_error.min()), int(r.steps[np.argmin(r.test_error)])) for m, r in runs.items()}
    yield Check(rises["minnorm"] < RISE_TOL < rises["bgd"],
                f"sigma_w = 1: the test error ends above its minimum by {rises['minnorm']:.1e} (Minnorm; minimum "
                f"{lows['minnorm'][0]:.6f} at step {lows['minnorm'][1]}) and {rises['bgd']:.3f} (BGD; minimum "
                f"{lows['bgd'][0]:.6f} at step {lows['bgd'][1]}) of its fall from the start; overtraining "
                f"threshold {RISE_TOL:g}. On the way Minnorm's test error rises by up to {transient:.4f} above its "
                f"running minimum before falling to its final value")


def _collapse_threshold(r, rho=1.0):
    """The smallest balanced start ``w_1 = w_2 = w_3 = w0`` of the 3-layer Minnorm chain (x = y = 1) that escapes 0."""
    model = dl.deep_linear((1, 1, 1, 1), [[1]], [[1]], "minnorm")
    rhs = sympy.lambdify([list(model.state), dl.tau, dl.rho, dl.r], list(model.rhs))

    def product(w0):
        sol = solve_ivp(lambda t, y: rhs(y, 1.0, rho, r), (0, 400.0), [w0, w0, w0, 0.0], method="LSODA",
                        rtol=1e-10, atol=1e-12)
        return float(np.prod(sol.y[:3, -1]))

    return brentq(lambda w0: product(w0) - 0.5, 1e-3 / r, 3.0, xtol=1e-6)


@claim("minnorm.fig5.init_independence", paper=PAPER, where="Fig. 5C; sec. 3.4",
       statement="Unlike BGD, Minnorm training achieves the same test error regardless of the initial weight "
                 "scale sigma_w: it removes the dependence of test error on initialization.",
       correction="Only above a threshold scale. For D >= 3 the origin W = 0 attracts Minnorm's weights for every "
                  "alpha (their Jacobian there is -I/tau: the data terms are of order |W|^(D-1)), while alpha grows "
                  "only linearly, so small initial weights decay to 0 and the network ends at the zero map "
                  "(test error |W_bar|^2/N + 1/SNR). Escaping needs sigma_w of order 1/r (the 3-layer chain escapes "
                  "iff w0 > w*(r), with r w* -> 1 as r grows). Above the threshold the final map is X^+ y and the "
                  "test error that of the pruned network, independent of sigma_w; just above it the escape comes "
                  "late, with alpha grown large, and the discrete steps can diverge.")
def _(quick):
    study = fs.scale_study(quick)
    outcomes = study.outcomes("minnorm", FINAL_TOL)
    counts = "; ".join(f"sigma_w = {s:g}: " + ", ".join(f"{n} {kind}" for kind, n in zip(*np.unique(o, return_counts=True)))
                       for s, o in zip(study.scales, outcomes))
    yield Check(bool(np.all(outcomes == "min-norm")),
                f"Minnorm (eta = {fs.ETA:g}, s = {fs.S:g}, rho = {fs.RHO:g}) over {outcomes.shape[1]} runs per scale, "
                f"final test error equal to the pseudo-inverse's (min-norm), to the zero map's (zero) or not finite "
                f"(diverged): {counts}")
    # the correction: each run ends at the zero map below a threshold and at X^+ y above it (diverging between)
    rank = np.select([outcomes == "zero", outcomes == "diverged", outcomes == "min-norm"], [0, 1, 2], -1)
    ordered = np.all(rank >= 0) and np.all(np.diff(rank, axis=0) >= 0) and np.all(rank[-1] == 2)
    yield Check(ordered, "every run ends at the zero map (test error |W_bar|^2/N + 1/SNR) below its threshold scale and "
                         "at X^+ y above it, with divergence only in between: "
                         f"{'yes' if ordered else 'no'}", about="correction")
    jac = _small("minnorm").jacobian()
    weights = [s for s in _small("minnorm").state if str(s).startswith("W")]
    block = jac[:len(weights), :len(weights)].subs({w: 0 for w in weights})
    origin_ok = sympy.simplify(block + sympy.eye(len(weights)) / dl.tau) == sympy.zeros(len(weights))
    yield Check(origin_ok, f"symbolic, Minnorm flow of {SMALL_WIDTHS}: the weights' Jacobian at W = 0 is -I/tau for "
                           f"every alpha: {origin_ok}", about="correction")
    rates = (1.0, 4.0) if quick else (1.0, 4.0, 16.0, 32.0)
    products = [r * _collapse_threshold(r) for r in rates]
    yield Check(np.all(np.diff(products) > 0) and products[-1] < 1 and products[-1] > (0.8 if quick else 0.95),
                "3-layer Minnorm chain (x = y = 1, rho = 1): escape threshold times r = "
                + ", ".join(f"{p:.4f} (r = {r:g})" for r, p in zip(rates, products)) + ", rising towards 1",
                about="correction")
