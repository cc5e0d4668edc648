"""Minnorm Fig. 2: support-vector-like multipliers in deep nonlinear networks (sec. 3.1).

Four panels on the study's linearly separable task
(:mod:`dynsys.train.experiments.support_vectors`): (A) the hard-margin linear
SVM (scikit-learn), its boundary, margins and support vectors in red; (B) and
(C) full-batch Minnorm on ReLU networks with 1 hidden layer of 100 units and 3
hidden layers of 100: the boundary ``f = 0``, the margins ``f = +-1`` and the
examples with nonzero final multiplier in red; (D) the signed multipliers
``y_mu alpha_mu`` (App. A, eq. 38, 42) of the 1-hidden-layer network during
training.
"""

import numpy as np

from dynsys.figures import style
from dynsys.train.experiments import support_vectors as sv

NAME = "minnorm_fig2"
PAPER = "minnorm"
CLASS_COLOURS = ("#1f77b4", "#ff7f0e")  # label 0 (y = -1), label 1 (y = +1)
GRID = 200
PAD = 0.5


def _grid(X, n=GRID):
    low, high = X.min(axis=0) - PAD, X.max(axis=0) + PAD
    xs, ys = (np.linspace(a, b, n) for a, b in zip(low, high))
    XX, YY = np.meshgrid(xs, ys)
    return XX, YY, np.column_stack([XX.ravel(), YY.ravel()])


def _panel(ax, dataset, decision, support, title, marked=r"$\alpha_\mu > 0$"):
    """Data, the level sets ``f = 0`` (solid) and ``f = +-1`` (dashed) of ``decision``, ``support`` circled red."""
    XX, YY, points = _grid(dataset.X)
    F = decision(points).reshape(XX.shape)
    ax.contourf(XX, YY, F, levels=[-np.inf, 0, np.inf], colors=[CLASS_COLOURS[0], CLASS_COLOURS[1]], alpha=0.08)
    ax.contour(XX, YY, F, levels=[-1, 0, 1], colors="k", linestyles=["--", "-", "--"], linewidths=[0.8, 1.2, 0.8])
    for label, colour in enumerate(CLASS_COLOURS):
        members = dataset.y == label
        ax.scatter(*dataset.X[members].T, s=14, color=colour, edgecolors="none", label=f"y = {2 * label - 1:+d}")
    ax.scatter(*dataset.X[support].T, s=70, facecolors="none", edgecolors=style.POINT, linewidths=1.5, label=marked)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="lower right", framealpha=0.8)


def _multipliers(ax, run, dataset):
    """``y_mu alpha_mu`` over training: examples with nonzero final alpha coloured, the others grey."""
    signed = run.multipliers * sv.signs(dataset)
    shown = run.steps_recorded > 0
    steps = run.steps_recorded[shown]
    for mu in np.flatnonzero(run.alpha == 0):
        ax.plot(steps, signed[shown, mu], color="0.75", lw=0.6)
    for mu in run.support:
        ax.plot(steps, signed[shown, mu], lw=1.4, label=f"$\\mu$ = {mu}")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$y_\mu \alpha_\mu$")
    ax.set_title(f"(D) multipliers, {next(iter(sv.HIDDEN))}")
    ax.legend(loc="center left")


def _agreement(run, svm):
    ours, theirs = set(run.support.tolist()), set(svm.support.tolist())
    return len(ours & theirs), len(ours - theirs), len(theirs - ours)


def make(out_dir, quick=False):
    dataset = sv.data()
    svm = sv.svm(dataset)
    runs = sv.study(quick)
    fig, axes = style.figure(ncols=4, nrows=1, width=3.3, height=3.3)
    _panel(axes[0, 0], dataset, svm.decision, svm.support, "(A) linear SVM", marked="support vectors")
    for ax, letter, (name, run) in zip(axes[0, 1:3], "BC", runs.items()):
        if run.status != "done":
            ax.text(0.5, 0.5, f"{name}: {run.message}", transform=ax.transAxes, ha="center", wrap=True)
            continue
        _panel(ax, dataset, run.decision, run.support, f"({letter}) Minnorm, {name}")
    _multipliers(axes[0, 3], runs[next(iter(sv.HIDDEN))], dataset)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    dataset = sv.data()
    svm = sv.svm(dataset)
    parts = []
    for name, run in sv.study(quick).items():
        agree, extra, missing = _agreement(run, svm)
        parts.append(f"{name}: {agree} of {len(svm.support)} support vectors found, {extra} extra, {missing} missing"
                     if run.status == "done" else f"{name}: {run.message}")
    return (f"Minnorm Fig. 2: {len(dataset.y)} linearly separable points (separable_2d, margin {sv.MARGIN}, seed "
            f"{sv.DATA_SEED}). (A) hard-margin linear SVM (scikit-learn SVC, C = {sv.SVM_C:g}), boundary, margins and "
            f"its {len(svm.support)} support vectors (red). (B, C) full-batch Minnorm (App. A, weights initialised "
            f"N(0, 1/fan_in), eta = {sv.ETA:g}, "
            f"s = {sv.S:g}, rho = {sv.RHO:g}, {sv.STEPS[bool(quick)]:,} steps) on ReLU networks with biases: f = 0 "
            f"(solid), f = +-1 (dashed), examples with nonzero final alpha in red. (D) y_mu alpha_mu during training "
            f"of the 1-hidden-layer network (nonzero at the end coloured, others grey). " + "; ".join(parts) + ".")
