"""Minnorm Fig. 7: generalised support vectors, the training images with the largest multipliers per class.

After Minnorm SGD (Alg. 2, one-vs-all), each training example ``mu`` has a
multiplier ``alpha_i^mu`` per output ``i``. For each digit class the figure
shows the examples of that class with the largest mean (over seeds) multiplier
for their own class, its mean +- std above the image in green, and the
nonzero mean multipliers of other classes (the classes the example is
confused with) below it in red.
"""

import numpy as np

from dynsys.figures import style
from dynsys.train.experiments import mnist

NAME = "minnorm_fig7"
PAPER = "minnorm"
PER_CLASS = 3
METHOD = "minnorm_sgd"


def support_vectors(study, per_class=PER_CLASS, method=METHOD):
    """Per class: ``[(index, mean, std, [(other class, mean, std), ...]), ...]``, largest own-class multiplier first.

    ``index`` is into the study's training split; means and stds are over seeds.
    """
    alphas = np.stack([h.final_multipliers for h in study.histories[method]])  # seeds x P x classes
    mean, std = alphas.mean(axis=0), alphas.std(axis=0)
    labels = mnist.data(study.quick).train.y
    out = {}
    for digit in range(alphas.shape[2]):
        members = np.flatnonzero(labels == digit)
        top = members[np.argsort(-mean[members, digit], kind="stable")[:per_class]]
        out[digit] = [(int(mu), float(mean[mu, digit]), float(std[mu, digit]),
                       [(int(j), float(mean[mu, j]), float(std[mu, j]))
                        for j in np.argsort(-mean[mu])[:3] if j != digit and mean[mu, j] > 0])
                      for mu in top]
    return out


def make(out_dir, quick=False):
    study = mnist.cached_run(quick)
    images = mnist.data(quick).train.X.reshape(-1, 28, 28)
    vectors = support_vectors(study)
    fig, axes = style.figure(ncols=len(vectors), nrows=PER_CLASS, width=1.25, height=1.55)
    for digit, rows in vectors.items():
        for row, (mu, mean, std, others) in enumerate(rows):
            ax = axes[row, digit]
            ax.imshow(images[mu], cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{digit} ({mean:.2g} ± {std:.1g})", color="#2ca02c", fontsize=7)
            ax.set_xlabel("\n".join(f"{j} ({m:.2g} ± {s:.1g})" for j, m, s in others[:2]), color="#d62728",
                          fontsize=6.5)
    fig.suptitle(f"Generalised support vectors: largest multipliers per class after {mnist.METHODS[METHOD].label}")
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    settings = mnist.QUICK if quick else mnist.FULL
    return (f"Minnorm Fig. 7: per digit class, the {PER_CLASS} training images with the largest multiplier for "
            f"their own class after Minnorm SGD ({mnist.METHODS[METHOD].source}; mean +- std over "
            f"{len(settings.seeds)} seeds, green), and their largest nonzero multipliers for other classes (red); "
            f"on the {settings.split[0]:,}-image training split of the MNIST test images dynsys ships.")
