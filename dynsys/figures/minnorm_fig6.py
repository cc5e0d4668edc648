"""Minnorm Fig. 6: SGD, weight decay and Minnorm on MNIST, metrics over training.

Five panels over epochs (one full-batch step is one epoch, one pass over the
training set), mean over seeds with the band of +- one standard deviation:
(A) training error, (B) test error, (C) fraction of training examples with a
nonzero multiplier for at least one class (Minnorm only), (D) weight norm
``sum_l |W_l|_F^2``, (E) the norm-based capacity measure of Neyshabur et al.
(``dynsys.train.metrics.capacity``). The runs are those of ``dynsys train
mnist`` (:mod:`dynsys.train.experiments.mnist`), on the 6,000 / 2,000 / 2,000
split of the MNIST test images that dynsys ships, not the paper's 50K training set.
"""

import numpy as np

from dynsys.figures import style
from dynsys.train.experiments import mnist

NAME = "minnorm_fig6"
PAPER = "minnorm"
PANELS = (("train_error", "(A) training error (%)", 100, "symlog"),
          ("test_error", "(B) test error (%)", 100, "log"),
          ("nonzero_multipliers", "(C) examples with nonzero alpha (%)", 100, "linear"),
          ("weight_norm", r"(D) $\sum_l \|W_l\|_F^2$", 1, "log"),
          ("capacity", "(E) capacity bound (no constants)", 1, "log"))
COLOURS = {"sgd": "#7f7f7f", "weight_decay": "#1f77b4", "minnorm_bgd": "#ff7f0e", "minnorm_sgd": "#d62728"}


def curves(study, metric):
    """Per method: (epochs, mean, std) of ``metric`` over seeds (runs cut to the shortest, if one diverged)."""
    out = {}
    for name, histories in study.histories.items():
        if metric not in histories[0].metrics:
            continue
        n = min(len(h.epochs) for h in histories)
        values = np.array([h[metric][:n] for h in histories], dtype=float)
        out[name] = (np.asarray(histories[0].epochs[:n]), values.mean(axis=0), values.std(axis=0))
    return out


def make(out_dir, quick=False):
    study = mnist.cached_run(quick)
    fig, axes = style.figure(ncols=5, nrows=1, width=3.0, height=2.9)
    for ax, (metric, title, scale, yscale) in zip(axes[0], PANELS):
        for name, (epochs, mean, std) in curves(study, metric).items():
            shown = epochs > 0  # the log epoch axis starts at the first epoch
            ax.plot(epochs[shown], scale * mean[shown], color=COLOURS[name], label=mnist.METHODS[name].label)
            ax.fill_between(epochs[shown], scale * (mean - std)[shown], scale * (mean + std)[shown],
                            color=COLOURS[name], alpha=0.2, lw=0)
        ax.set_xscale("log")
        if yscale == "symlog":  # zero training error stays on the plot
            ax.set_yscale("symlog", linthresh=0.1)
            ax.set_ylim(bottom=0)
        else:
            ax.set_yscale(yscale)
        if metric == "nonzero_multipliers":
            ax.set_ylim(0, 105)
        ax.set_xlabel("epoch")
        ax.set_title(title)
    axes[0, 0].legend(loc="lower left")
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    settings = mnist.QUICK if quick else mnist.FULL
    train, validation, test = settings.split
    return (f"Minnorm Fig. 6 on the MNIST images dynsys ships ({train:,} train / {validation:,} validation / "
            f"{test:,} test; the "
            f"paper trains on 50K): 784-800-800-10 ReLU networks, {len(settings.seeds)} seeds, "
            f"{settings.epochs} epochs of minibatch methods and {settings.full_batch_epochs} full-batch steps; "
            "mean and +-1 std over seeds of (A) training error, (B) test error, (C) examples with a nonzero "
            "multiplier, (D) weight norm, (E) norm-based capacity bound. Settings per method: "
            + "; ".join(f"{m.label}: {m.source}" for m in mnist.METHODS.values()) + ".")
