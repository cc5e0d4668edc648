"""Minnorm Fig. 8 (App. C): the multipliers during training for s in (0.5, 1, 5) and rho in (0, 0.5, 1, 5).

One panel per pair ``(s, rho)`` (rows ``s``, columns ``rho``): ``alpha_mu`` over
full-batch Minnorm steps (App. A) for the 1-hidden-layer ReLU network of 100
units on Fig. 2's task (:mod:`dynsys.train.experiments.support_vectors`), all
at ``eta = 0.001``. Examples whose multiplier is nonzero at the end are
coloured, the others grey; a run that diverges says so in its panel.
"""

import numpy as np

from dynsys.figures import style
from dynsys.train.experiments import support_vectors as sv

NAME = "minnorm_fig8"
PAPER = "minnorm"


def _panel(ax, run):
    """``alpha_mu`` over steps; nonzero final multipliers coloured, the rest grey, divergence written."""
    shown = run.steps_recorded > 0
    steps = run.steps_recorded[shown]
    for mu in np.flatnonzero(run.alpha == 0):
        ax.plot(steps, run.multipliers[shown, mu], color="0.75", lw=0.6)
    for mu in run.support:
        ax.plot(steps, run.multipliers[shown, mu], lw=1.3, label=f"$\\mu$ = {mu}")
    ax.set_xscale("log")
    ax.set_title(f"s = {run.s:g}, $\\rho$ = {run.rho:g}")
    if run.status != "done":
        ax.text(0.5, 0.5, run.message.split(":")[0], transform=ax.transAxes, ha="center", color=style.POINT)


def make(out_dir, quick=False):
    grid = sv.fig8_grid(quick)
    fig, axes = style.figure(ncols=len(sv.FIG8_RHO), nrows=len(sv.FIG8_S), width=2.6, height=2.1,
                             sharex=True, sharey=True)
    for i, s in enumerate(sv.FIG8_S):
        for j, rho in enumerate(sv.FIG8_RHO):
            _panel(axes[i, j], grid[(s, rho)])
        axes[i, 0].set_ylabel(r"$\alpha_\mu$")
    for ax in axes[-1]:
        ax.set_xlabel("step")
    axes[0, 0].legend(loc="upper left")
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    grid = sv.fig8_grid(quick)
    svm = sv.svm(sv.data())
    diverged = [f"s = {s:g}, rho = {rho:g} ({run.message.split(':')[0]})" for (s, rho), run in grid.items()
                if run.status != "done"]
    same = sum(run.status == "done" and np.array_equal(run.support, svm.support) for run in grid.values())
    return (f"Minnorm Fig. 8: alpha_mu during full-batch Minnorm (App. A, eta = {sv.FIG8_ETA:g}, "
            f"{sv.FIG8_STEPS[bool(quick)]:,} steps, recorded every {sv.FIG8_STEPS[bool(quick)] // sv.RECORDS} steps, "
            f"so faster oscillations are aliased) of a ReLU network with 1 hidden layer of {sv.WIDTH} units on "
            f"Fig. 2's task, for s in {sv.FIG8_S} (rows) and rho in {sv.FIG8_RHO} (columns); nonzero final "
            f"multipliers coloured, others grey. {same} of {len(grid)} runs end with nonzero alpha exactly on the "
            f"SVM's {len(svm.support)} support vectors; "
            + (f"diverged: {'; '.join(diverged)}." if diverged else "none diverged."))
