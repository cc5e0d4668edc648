"""Minnorm Fig. 5: Minnorm training prunes the frozen subspace of under-determined deep linear networks (sec. 3.4).

Student-teacher task of ``dynsys.train.experiments.frozen_subspace``: 3-layer
linear networks with 300 hidden units, 300 inputs, 150 examples, SNR 5; exact
test errors. (A) training error and (B) test error against the step for BGD
and Minnorm at ``sigma_w = 1``, with BGD pruned (``W_1 -> P_X W_1``) and the
pseudo-inverse as references; (C) final test error against the initial
weight scale, mean and standard error over the runs.
"""

import numpy as np

from dynsys.train.experiments import frozen_subspace as fs

from . import style

NAME = "minnorm_fig5"
PAPER = "minnorm"
COLOURS = {"bgd": "#d62728", "minnorm": "#1f77b4", "pruned": "0.3"}
LABELS = {"bgd": "BGD", "minnorm": "Minnorm"}


def _dynamics(ax_train, ax_test, runs):
    for method, result in runs.items():
        ax_train.semilogy(result.steps, result.train_error, color=COLOURS[method], label=LABELS[method])
        ax_test.plot(result.steps, result.test_error, color=COLOURS[method], label=LABELS[method])
    bgd = runs["bgd"]
    ax_test.plot(bgd.steps, bgd.pruned_test_error, "--", color=COLOURS["pruned"], lw=1,
                 label="BGD pruned ($W_1 \\to P_X W_1$)")
    ax_test.axhline(bgd.min_norm_test_error, color=COLOURS["pruned"], lw=0.6, ls=":", label="pseudo-inverse $X^+y$")
    ax_train.set_ylim(1e-32, 10)
    ax_train.set_xlabel("step")
    ax_train.set_ylabel("training error (mean squared)")
    ax_train.legend()
    ax_train.set_title("(A) training error, $\\sigma_w = 1$")
    ax_test.set_xscale("symlog", linthresh=10)
    ax_test.set_xlim(0, bgd.steps[-1])
    ax_test.set_xlabel("step")
    ax_test.set_ylabel("test error $|\\bar W - w|^2/N + 1/\\mathrm{SNR}$")
    ax_test.legend(fontsize=6.5)
    ax_test.set_title("(B) test error, $\\sigma_w = 1$")


def _scales(ax, study):
    for method in study.methods:
        ax.errorbar(study.scales, study.mean(method), yerr=study.sem(method), color=COLOURS[method], marker="o",
                    ms=3, capsize=2, label=LABELS[method])
        diverged = np.any(study.outcomes(method) == "diverged", axis=-1)
        for scale in study.scales[diverged]:
            ax.annotate(f"{LABELS[method]} diverges", (scale, np.nanmean(study.mean(method))), fontsize=6,
                        color=COLOURS[method], rotation=90, ha="center", va="center")
    pruned = study.pruned_test_error[study.methods.index("bgd")]
    ax.plot(study.scales, pruned.mean(axis=-1), "--", color=COLOURS["pruned"], lw=1, label="BGD pruned")
    zero = np.mean([fs.task(i).test_error(np.zeros(fs.N_INPUTS)) for i in range(study.test_error.shape[-1])])
    ax.axhline(zero, color="0.6", lw=0.6, ls=":", label="zero map")
    ax.set_xscale("log")
    ax.set_xlabel("initial weight scale $\\sigma_w$")
    ax.set_ylabel("final test error")
    ax.legend(fontsize=6.5)
    ax.set_title(f"(C) final test error, {study.test_error.shape[-1]} runs per point")


def make(out_dir, quick=False):
    """Draw the three panels of Fig. 5; return ``[png, pdf]``."""
    fig, axes = style.figure(ncols=3, nrows=1, width=3.5, height=3.2)
    _dynamics(axes[0, 0], axes[0, 1], fs.dynamics(quick))
    _scales(axes[0, 2], fs.scale_study(quick))
    fig.suptitle(f"Minnorm Fig. 5: deep linear student-teacher, $N = {fs.N_INPUTS}$ inputs, {fs.HIDDEN} hidden units, "
                 f"$P = {fs.N_EXAMPLES}$, SNR {fs.SNR:g}; $\\eta = {fs.ETA:g}$, Minnorm $s = {fs.S:g}$, "
                 f"$\\rho = {fs.RHO:g}$", fontsize=9)
    return style.save(fig, out_dir, NAME)


def _number(value):
    return f"{value:.4f}" if np.isfinite(value) else "(no finite run)"


def caption(quick=False):
    """The measured final test errors behind the figure."""
    runs, study = fs.dynamics(quick), fs.scale_study(quick)
    outcomes = study.outcomes("minnorm")
    rows = "; ".join(f"sigma_w = {s:g}: BGD {b:.4f}, Minnorm {_number(m)} ({np.mean(o == 'min-norm'):.0%} at X^+ y, "
                     f"{np.mean(o == 'zero'):.0%} at the zero map, {np.mean(o == 'diverged'):.0%} diverged), "
                     f"pruned {p:.4f}"
                     for s, b, m, o, p in zip(study.scales, study.mean("bgd"), study.mean("minnorm"), outcomes,
                                              study.pruned_test_error[0].mean(axis=-1)))
    return (f"Minnorm Fig. 5 recomputed (exact test errors, {fs.STEPS} full-batch steps). At sigma_w = 1 on one task: "
            f"final test error BGD {runs['bgd'].final_test_error:.4f} (minimum {runs['bgd'].test_error.min():.4f} "
            f"on the way), Minnorm {runs['minnorm'].final_test_error:.4f}, pruned BGD "
            f"{runs['bgd'].pruned_test_error[-1]:.4f}. Mean over {study.test_error.shape[-1]} runs: {rows}."
            + _collapse(study, outcomes))


def _collapse(study, outcomes):
    """The scales at which every Minnorm run ended at the zero map, computed from the outcomes."""
    zero = study.scales[np.all(outcomes == "zero", axis=-1)]
    if not zero.size:
        return ""
    return (f" Every Minnorm run from sigma_w = {', '.join(f'{s:g}' for s in zero)} ended at the zero map "
            f"(claim minnorm.fig5.init_independence).")
