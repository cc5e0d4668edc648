"""Slides "Implicit Regularization in Gradient Descent": Theorem 3 (Soudry et al. 2018) and the perceptron bound.

Separable 2-D data without bias (``dynsys.train.perceptron.theorem3_data``),
gradient flow ``dW/dt = -dL/dW`` of the logistic and exponential losses
integrated to ``t = 1e8`` (DOP853), and gradient descent at 0.9 times the step
bound ``2/(beta sigma_max^2)``, plotted at ``t = eta k``. (A) ``|w|`` grows like
``|w_hat| log t``; (B) the residual ``rho = w - w_hat log t`` tends to the
closed-form ``w_tilde`` (``exp(-z_n^T w_tilde) = alpha_n``), while on a
measure-zero set it grows like ``log log t``; (C) the angle to the SVM
direction decays like ``1/log t``; (D) the loss like ``|w_hat|^2 / t``; (E)
the perceptron's number of updates against Theorem 1's bound over many
generated sets; (F) GD against the flow at ``t = eta k`` for steps below the bound.
"""

import numpy as np

from dynsys.integrate import solve_ivp
from dynsys.models.shallow import shallow_classifier
from dynsys.train import perceptron as pc

from . import style

NAME = "slides_implicit_bias"
PAPER = "slides"
T_END = 1e8
LOSSES = {"bce": ("logistic", style.FLOW), "exponential": ("exponential", "#2ca02c")}
DEGENERATE = (np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([1, 1]))
FRACTIONS = (0.1, 0.5, 0.99)


def _steps(quick):
    return 10**5 if quick else 10**6


def _compiled(X, y, loss):
    """The compiled flow of ``L = sum l(y w.x)`` (derived by ``shallow_classifier``, ``tau = 1``)."""
    return shallow_classifier(X, y, loss=loss, tau_value=1.0).compile()


def _flow(f, X, t):
    """The flow ``f`` from 0, at the times ``t``."""
    sol = solve_ivp(f, (0.0, float(t[-1])), np.zeros(X.shape[1]), method="dop853", t_eval=t, args=(f.params,),
                    rtol=1e-10, atol=1e-12)
    if sol.status != 0:
        raise RuntimeError(f"flow failed: {sol.message}")
    return sol.y.T


def _angle(W, direction):
    u = W / np.linalg.norm(W, axis=1, keepdims=True)
    v = direction / np.linalg.norm(direction)
    return 2 * np.arctan2(np.linalg.norm(u - v, axis=1), np.linalg.norm(u + v, axis=1))


def _gd(X, y, loss, fraction, steps):
    level = pc.margin_loss(pc.fold(X, y), np.zeros(X.shape[1]), loss) if loss == "exponential" else None
    return pc.gradient_descent(X, y, fraction * pc.step_size_bound(X, loss, level), steps, loss)


def theorem3(quick=False):
    """The numbers of panels A-D and F: flows, GD runs and the asymptote."""
    seed, X, y = pc.theorem3_data()
    a = pc.asymptote(X, y)
    t = np.geomspace(1.0, T_END, 321)
    out = {"seed": seed, "X": X, "y": y, "a": a, "t": t, "flows": {}, "gd": {}, "gaps": []}
    flows = {loss: _compiled(X, y, loss) for loss in LOSSES}
    for loss in LOSSES:
        out["flows"][loss] = _flow(flows[loss], X, t)
        out["gd"][loss] = _gd(X, y, loss, 0.9, _steps(quick))
    for fraction in FRACTIONS:
        run = _gd(X, y, "bce", fraction, _steps(quick))
        keep = run.steps >= 1
        gap = np.linalg.norm(run.w[keep] - _flow(flows["bce"], X, run.t[keep]), axis=1)
        out["gaps"].append((fraction, run, gap))
    out["degenerate"] = _flow(_compiled(*DEGENERATE, "exponential"), DEGENERATE[0], t)
    out["degenerate_what"] = pc.asymptote(*DEGENERATE)
    return out


def perceptron_runs(quick=False):
    return (pc.bound_study(dims=(2, 5), margins=(0.05, 0.5), seeds=range(3)) if quick
            else pc.bound_study(seeds=range(10)))


def _panel_norm(ax, d):
    a, t = d["a"], d["t"]
    unit = a.w_hat / np.linalg.norm(a.w_hat)
    for loss, (label, colour) in LOSSES.items():
        ax.plot(t, np.linalg.norm(d["flows"][loss], axis=1), color=colour, label=f"flow, {label}")
    run = d["gd"]["bce"]
    ax.plot(run.t[1:], np.linalg.norm(run.w[1:], axis=1), ".", color=style.DISCRETE, ms=3,
            label=f"GD (logistic), $\\eta$ = {run.eta:.3f}, $t = \\eta k$")
    ax.plot(t, np.linalg.norm(a.w_hat) * np.log(t) + unit @ a.w_tilde, "k--", lw=0.9,
            label=f"$|\\hat w| \\log t + \\hat w\\cdot\\tilde w/|\\hat w|$, "
                  f"$|\\hat w|$ = {np.linalg.norm(a.w_hat):.3f}")
    ax.set_xscale("log")
    ax.set_xlabel("$t$")
    ax.set_ylabel("$|w(t)|$")
    ax.set_title("(A) the norm grows like $|\\hat w| \\log t$")
    ax.legend(loc="upper left")


def _panel_rho(ax, d):
    a, t = d["a"], d["t"]
    for loss, (label, colour) in LOSSES.items():
        rho = d["flows"][loss] - np.outer(np.log(t), a.w_hat)
        ax.plot(t, np.linalg.norm(rho, axis=1), color=colour, label=f"$|\\rho|$, {label}")
    ax.axhline(np.linalg.norm(a.w_tilde), color="k", ls="--", lw=0.9,
               label=f"$|\\tilde w|$ = {np.linalg.norm(a.w_tilde):.3f}, $e^{{-z_n^T \\tilde w}} = \\alpha_n$")
    b = d["degenerate_what"]
    rho = d["degenerate"] - np.outer(np.log(t), b.w_hat)
    ax.plot(t, np.linalg.norm(rho, axis=1), color=style.POINT, label="$|\\rho|$, measure-zero data (exp.)")
    late = t > 10
    ax.plot(t[late], np.log(np.log(t[late])), color=style.POINT, ls=":", lw=0.9, label="$\\log\\log t$")
    ax.set_xscale("log")
    ax.set_xlabel("$t$")
    ax.set_ylabel("$|\\rho(t)| = |w - \\hat w \\log t|$")
    ax.set_title("(B) the residual: bounded, or $O(\\log\\log t)$")
    ax.legend(loc="lower right")


def _panel_angle(ax, d):
    a, t = d["a"], d["t"]
    for loss, (label, colour) in LOSSES.items():
        ax.plot(t, np.degrees(_angle(d["flows"][loss], a.w_hat)), color=colour, label=f"flow, {label}")
    run = d["gd"]["bce"]
    ax.plot(run.t[1:], np.degrees(_angle(run.w[1:], a.w_hat)), ".", color=style.DISCRETE, ms=3, label="GD (logistic)")
    asymptote = np.outer(np.log(t), a.w_hat) + a.w_tilde
    late = t >= 1e6
    theta = _angle(d["flows"]["bce"], a.w_hat)
    slope, intercept = np.polyfit(np.log(t[late]), 1 / theta[late], 1)
    ax.plot(t[t >= 1e2], np.degrees(_angle(asymptote[t >= 1e2], a.w_hat)), "k--", lw=0.9,
            label="angle of $\\hat w \\log t + \\tilde w$")
    ax.plot(t[t >= 1e2], np.degrees(1 / (slope * np.log(t[t >= 1e2]) + intercept)), ":", color="0.4",
            label=f"fit on [1e6, 1e8]: $1/\\theta$ = {slope:.3f} log t {intercept:+.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("$t$")
    ax.set_ylabel("angle to $\\hat w$ (degrees)")
    ax.set_title("(C) the direction converges like $1/\\log t$")
    ax.legend(loc="lower left")


def _panel_loss(ax, d):
    a, t = d["a"], d["t"]
    Z = pc.fold(d["X"], d["y"])
    for loss, (label, colour) in LOSSES.items():
        ax.plot(t, pc.margin_loss(Z, d["flows"][loss], loss), color=colour, label=f"flow, {label}")
        run = d["gd"][loss]
        ax.plot(run.t[1:], run.loss[1:], ".", color=colour, ms=3, alpha=0.6,
                label=f"GD ({label}), $\\eta$ = {run.eta:.3g}")
    late = t >= 10
    ax.plot(t[late], a.loss_constant / t[late], "k--", lw=0.9,
            label=f"$|\\hat w|^2 / t$, $|\\hat w|^2$ = {a.loss_constant:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("$t$")
    ax.set_ylabel("$L(w(t))$")
    ax.set_title("(D) the loss decays like $|\\hat w|^2 / t$")
    ax.legend(loc="lower left")


def _panel_perceptron(ax, runs):
    for bias, marker, colour, label in ((True, "o", style.FLOW, "bias: $(2R/\\gamma)^2$ (eq. 24)"),
                                        (False, "s", style.DISCRETE, "no bias: $(R/\\gamma)^2$")):
        part = [r for r in runs if r.bias == bias]
        ax.plot([r.bound for r in part], [r.updates for r in part], marker, mfc="none", color=colour, ms=4,
                label=f"{label}, max $k$/bound = {max(r.ratio for r in part):.2f}")
    bounds = np.array([r.bound for r in runs])
    line = np.geomspace(max(bounds.min() / 2, 1), bounds.max() * 2, 2)
    ax.plot(line, line, "k-", lw=0.9, label="$k$ = bound")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Theorem 1's bound ($\\gamma$ of the hard-margin SVM)")
    ax.set_ylabel("updates $k$ of the perceptron")
    ax.set_title(f"(E) the perceptron over {len(runs)} runs")
    ax.legend(loc="upper left")


def _panel_gap(ax, d):
    for fraction, run, gap in d["gaps"]:
        ax.plot(run.steps[1:], gap, label=f"$\\eta$ = {fraction:g} x bound ({run.eta:.3f}), "
                                           f"{run.increases} loss increases")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step $k$")
    ax.set_ylabel("$|w_k - w_{flow}(\\eta k)|$")
    ax.set_title("(F) GD below $2/(\\beta\\sigma_{max}^2)$ follows the flow (logistic)")
    ax.legend(loc="lower left")


def make(out_dir, quick=False):
    """Draw panels A-F; return ``[png, pdf]``."""
    d = theorem3(quick)
    runs = perceptron_runs(quick)
    fig, axes = style.figure(ncols=3, nrows=2, width=4.0, height=3.5)
    _panel_norm(axes[0, 0], d)
    _panel_rho(axes[0, 1], d)
    _panel_angle(axes[0, 2], d)
    _panel_loss(axes[1, 0], d)
    _panel_perceptron(axes[1, 1], runs)
    _panel_gap(axes[1, 2], d)
    fig.suptitle(f"Implicit bias of gradient descent on separable data (separable_2d(12, 0.3, seed {d['seed']}), "
                 f"no bias) and the perceptron bound", fontsize=10)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    """What the figure computes and with which parameters (for ``dynsys reproduce``)."""
    seed, _, _ = pc.theorem3_data()
    return (f"Slides, Theorem 3 (Soudry et al. 2018) recomputed on separable_2d(12, margin 0.3, seed {seed}) without "
            f"bias, the first seed whose non-support margins exceed 1.5 (so the asymptote shows before t = 1e8): "
            f"gradient flow of the logistic and exponential losses to t = 1e8 (DOP853), gradient descent "
            f"({_steps(quick):.0e} steps) at 0.9 x the bound 2/(beta sigma_max^2) (beta = 1/4; for the exponential "
            f"loss beta = L(0)), plotted at t = eta k. (A) |w| against |w_hat| log t; (B) |rho| against |w_tilde|, "
            f"and on the measure-zero set z = (1, 0), (1, 1) its log log t growth; (C) the angle to the SVM direction, "
            f"the asymptote's angle and a 1/theta = a log t + c fit; (D) the loss against |w_hat|^2 / t; (E) the "
            f"perceptron's updates against Theorem 1's bounds (gamma from scikit-learn's hard-margin SVM) over "
            f"generated separable sets, orders and dimensions; (F) |w_k - w(eta k)| for steps 0.1, 0.5, 0.99 x the "
            f"bound.")
