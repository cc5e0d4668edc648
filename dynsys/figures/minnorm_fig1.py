"""Minnorm Fig. 1: min-norm fits of a sinusoid by ReLU networks with a random first layer (caption; sec. 1).

The task and the fits are ``dynsys.train.experiments.random_features``: x in
[-1, 1], target sin(pi x), ten training points, units relu(a x + b) with a, b ~
N(0, 1), second layer w* = Phi^+ y. (A) the first ten units of the figure's
draw (those of Nh = 10); (B-E) the min-norm fits of Nh = 2, 5, 10, 500 with
the engine's gradient descent from zero overlaid (dashed; run to within 1e-8
of w* in full mode, stopped at ``STEP_CAP`` steps in quick mode); (F) the test
and training errors against Nh over draws (median and quartiles), with the
interpolation thresholds Nh* of the draws; (G) the test error at widths
relative to each draw's own threshold, Nh / Nh*; (H) the fraction of draws
whose Phi has rank 10 (zero training error) at each width.
"""

import numpy as np

from dynsys.train.experiments import random_features as rf

from . import style

NAME = "minnorm_fig1"
PAPER = "minnorm"
TARGET_COLOUR, FIT_COLOUR, GD_COLOUR = "#d62728", "#1f77b4", "#ff7f0e"
N_UNITS_SHOWN = 10


def data(quick=False):
    """The numbers behind the panels: the figure's draw, its fits per width, the study over draws."""
    d = rf.draw(rf.FIGURE_SEED)
    fits = {}
    for n in rf.WIDTHS:
        Phi = d.phi(n)
        w_star = rf.min_norm_weights(Phi, d.y)
        engine = rf.figure_fit(n, quick=quick)
        fits[n] = {"w": w_star, "engine": engine, "test": rf.test_error(d, w_star),
                   "train": rf.train_error(Phi, d.y, w_star), "rank": rf.rank(Phi),
                   "distance": float(np.linalg.norm(engine.w - w_star) / np.linalg.norm(w_star))}
    return {"draw": d, "fits": fits, "study": rf.study(quick)}


def _quartiles(values, axis=0):
    return np.nanpercentile(values, [25, 50, 75], axis=axis)


def unit_kinds(d, n=N_UNITS_SHOWN):
    """Of the first ``n`` units: how many are zero on every training point, and how many are linear on them
    (nonzero, with the kink outside the data's range, so that together they span only ``{1, x}``)."""
    Phi = d.phi(n)
    dead = np.all(Phi == 0, axis=0)
    kinks = -d.b[:n] / d.a[:n]
    outside = (kinks <= d.x.min()) | (kinks >= d.x.max())
    return int(dead.sum()), int((outside & ~dead).sum())


def _units(ax, d):
    x = np.linspace(d.task.low, d.task.high, 400)
    H = d.features(x, N_UNITS_SHOWN)
    dead = np.all(d.phi(N_UNITS_SHOWN) == 0, axis=0)
    for j in range(N_UNITS_SHOWN):
        ax.plot(x, H[:, j], ":" if dead[j] else "-", lw=1)
    for xi in d.x:
        ax.axvline(xi, color="0.85", lw=0.6, zorder=0)
    zero, linear = unit_kinds(d)
    ax.text(0.03, 0.97, f"{zero} zero on all data (dotted)\n{linear} linear on the data\n"
                        f"rank $\\Phi$ = {rf.rank(d.phi(N_UNITS_SHOWN))} of {len(d.x)}",
            transform=ax.transAxes, va="top", fontsize=6.5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$h_j(x) = \\mathrm{relu}(a_j x + b_j)$")
    ax.set_title(f"(A) units $j \\leq {N_UNITS_SHOWN}$; grey lines: data $x_\\mu$", fontsize=8)


def _fit(ax, d, n, fit, panel):
    x = np.linspace(d.task.low, d.task.high, 800)
    H = d.features(x, n)
    ax.plot(x, d.task.target(x), color=TARGET_COLOUR, lw=1.5, label="target $\\sin \\pi x$")
    ax.plot(d.x, d.y, "o", mfc="none", color=TARGET_COLOUR, ms=6, label="training points")
    ax.plot(x, H @ fit["w"], color=FIT_COLOUR, label="min norm $\\Phi^+ y$")
    engine = fit["engine"]
    steps = f"{engine.steps:,} step{'s' if engine.steps != 1 else ''}"
    ax.plot(x, H @ engine.w, "--", color=GD_COLOUR, lw=1.2,
            label=f"GD from 0, {steps} ($|w - w^*|/|w^*|$ = {fit['distance']:.1g})")
    low, high = d.task.target(x).min(), d.task.target(x).max()
    ax.set_ylim(low - 1.0, high + 1.0)
    ax.set_xlabel("$x$")
    ax.legend(fontsize=5.5, loc="lower left")
    ax.set_title(f"({panel}) $N_h = {n}$ (rank {fit['rank']}): train {fit['train']:.2g}, test {fit['test']:.2g}",
                 fontsize=8)


def _errors(ax, study):
    widths = study.widths
    for name, colour, label in (("test_error", FIT_COLOUR, "test"), ("train_error", "#2ca02c", "training")):
        q1, median, q3 = _quartiles(getattr(study, name))
        ax.fill_between(widths, q1, q3, color=colour, alpha=0.2, lw=0)
        ax.plot(widths, median, "o-" if name == "test_error" else "-", color=colour, ms=3,
                label=f"{label} error (median, quartiles)")
    t1, t_median, t3 = np.percentile(study.threshold, [25, 50, 75])
    ax.axvspan(t1, t3, color="0.9", zorder=0, label=f"$N_h^*$ quartiles (median {t_median:g})")
    ax.axvline(study.task.n_train, color="k", ls=":", lw=0.8, label=f"$N_h = P = {study.task.n_train}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 2)
    ax.set_xlabel("hidden units $N_h$")
    ax.set_ylabel("mean squared error")
    ax.legend(fontsize=5.5, loc="lower left")
    ax.set_title(f"(F) {len(study.seeds)} draws: errors against $N_h$", fontsize=8)


def _aligned(ax, study):
    q1, median, q3 = _quartiles(study.aligned_error)
    ratios = np.array(rf.RATIOS)
    ax.fill_between(ratios, q1, q3, color=FIT_COLOUR, alpha=0.2, lw=0)
    ax.plot(ratios, median, "o-", color=FIT_COLOUR, ms=3, label="test error (median, quartiles)")
    ax.axvline(1.0, color="k", ls=":", lw=0.8, label="interpolation threshold")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks([0.25, 0.5, 1, 2, 4], ["1/4", "1/2", "1", "2", "4"])
    ax.minorticks_off()
    ax.set_xlabel("$N_h / N_h^*$ (per draw)")
    ax.set_ylabel("test error")
    ax.legend(fontsize=6)
    ax.set_title("(G) aligned at each draw's threshold $N_h^*$", fontsize=8)


def _interpolating(ax, study):
    fraction = np.mean(study.rank == study.task.n_train, axis=0)
    ax.plot(study.widths, fraction, "o-", color="k", ms=3, label="rank $\\Phi$ = P (zero training error)")
    ax.plot(study.widths, np.median(study.rank, axis=0) / study.task.n_train, "s--", color="0.5", ms=3,
            label="median rank $\\Phi$ / P")
    ax.axvline(study.task.n_train, color="k", ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("hidden units $N_h$")
    ax.set_ylabel("fraction of draws")
    ax.legend(fontsize=6, loc="lower right")
    ax.set_title("(H) draws that interpolate", fontsize=8)


def make(out_dir, quick=False):
    """Draw the eight panels; return ``[png, pdf]``."""
    values = data(quick)
    d, fits, study = values["draw"], values["fits"], values["study"]
    fig, axes = style.figure(ncols=4, nrows=2, width=3.1, height=2.9)
    _units(axes[0, 0], d)
    for ax, n, panel in zip([axes[0, 1], axes[0, 2], axes[0, 3], axes[1, 0]], rf.WIDTHS, "BCDE"):
        _fit(ax, d, n, fits[n], panel)
    _errors(axes[1, 1], study)
    _aligned(axes[1, 2], study)
    _interpolating(axes[1, 3], study)
    fig.suptitle(f"Minnorm Fig. 1: min-norm fits by random-feature ReLU networks ({rf.TASK.describe()}; "
                 f"draw {d.seed})", fontsize=10)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    """What the figure computes, with the test errors of the panels and the medians over draws."""
    values = data(quick)
    fits, study = values["fits"], values["study"]
    panels = ", ".join(f"{n}: {fits[n]['test']:.2g}" for n in rf.WIDTHS)
    medians = ", ".join(f"{n}: {study.median('test_error', n):.2g}" for n in rf.WIDTHS)
    aligned = np.nanmedian(study.aligned_error, axis=0)
    return (f"Minnorm Fig. 1 recomputed ({rf.TASK.describe()}): min-norm fits Phi^+ y of draw {rf.FIGURE_SEED} with "
            f"Nh = 2, 5, 10, 500 have test MSE {panels}; gradient descent from zero (training engine) ends within "
            f"{max(f['distance'] for f in fits.values()):.1g} of them (relative). Over {len(study.seeds)} draws the "
            f"median test MSE is {medians}; Nh = 10 interpolates in "
            f"{int(study.interpolates(10).sum())}/{len(study.seeds)} draws, the interpolation threshold Nh* has "
            f"median {np.median(study.threshold):g}, and the median test MSE at Nh*/2, Nh*, 2 Nh* is "
            f"{aligned[rf.RATIOS.index(0.5)]:.2g}, {aligned[rf.RATIOS.index(1.0)]:.2g}, "
            f"{aligned[rf.RATIOS.index(2.0)]:.2g}: no peak at Nh = 10 or at Nh*.")
