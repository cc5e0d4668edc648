"""Theory III Fig. 1 and Fig. 8: test against training cross-entropy of normalised networks, and the scaled ``rho f~``.

Four panels over the networks of :mod:`dynsys.train.experiments.normalised_loss`
(bias-free ReLU networks trained by SGD to zero training error on scikit-learn's
digits from Gaussian initialisations at He's scale times 0.5 to 8), coloured
by the initialisation factor: (A) test against training cross-entropy as
trained (Fig. 1 left); (B) the same for the normalised networks, each layer
divided by its Frobenius norm, with the least-squares line and the diagonal
(Fig. 1 right); (C) the test loss of the scaled normalised networks ``rho f~``
against the test error for a few ``rho``, standardised across networks so that
the scales compare, with each ``rho``'s line (Fig. 8); (D) ``R^2`` of that line
(and the signed correlation) against ``rho``, with the threshold of "linear", the paper's ``rho = 4`` and where
the relation disappears here.
"""

import numpy as np
from matplotlib import cm, colors

from dynsys.figures import style
from dynsys.train.experiments import normalised_loss as nl

NAME = "theory3_fig8"
PAPER = "theory3"
RHO_COLOURS = ("0.5", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")


def _colour(study):
    norm = colors.LogNorm(min(study.settings.factors), max(study.settings.factors))
    return lambda factor: cm.viridis(norm(factor)), norm


def _scatter(ax, x, y, factors, colour):
    for factor in np.unique(factors):
        chosen = factors == factor
        ax.scatter(x[chosen], y[chosen], s=16, color=colour(factor), edgecolor="k", linewidth=0.3,
                   label=f"{factor:g}", zorder=3)


def shown_rhos(summary):
    """The ``rho`` of panel C: 1, the peak of ``R^2``, where the relation disappears, and the largest."""
    where = summary["where"]
    chosen = [1.0, where["rho_peak"], where["rho_off"], float(summary["rhos"][-1])]
    return [rho for i, rho in enumerate(chosen) if rho is not None and rho not in chosen[:i]]


def _panel_losses(ax, summary, study, colour, normalised):
    values, factors = summary["losses"], study.factors[summary["keep"]]
    prefix = "normalised_" if normalised else ""
    x, y = values[prefix + "train_loss"], values[prefix + "test_loss"]
    _scatter(ax, x, y, factors, colour)
    if normalised:
        fit = summary["normalised_fit"]
        span = np.linspace(x.min(), x.max(), 2)
        ax.plot(span, fit.slope * span + fit.intercept, color=style.POINT,
                label=f"fit: slope {fit.slope:.3f}, $R^2$ = {fit.r2:.4f}")
        ax.plot(span, span, color=style.MANIFOLD, ls=":", label="test = training")
        ax.ticklabel_format(useOffset=True, style="plain")
        ax.set_title("(B) normalised networks (Fig. 1 right)")
        ax.legend(loc="upper left", fontsize=6, ncol=2)
    else:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title("(A) as trained (Fig. 1 left)")
        ax.legend(title="init. x He", loc="lower left", fontsize=6.5, title_fontsize=6.5, ncol=2)
    ax.set_xlabel("training cross-entropy")
    ax.set_ylabel("test cross-entropy")


def _panel_scaled(ax, summary, study):
    keep = summary["keep"]
    error = 100 * summary["losses"]["test_error"]
    for rho, colour in zip(shown_rhos(summary), RHO_COLOURS):
        loss = nl.scaled_test_losses(study, [rho], keep)[0]
        z = (loss - loss.mean()) / loss.std()
        fit = np.polyfit(error, z, 1)
        r2 = np.corrcoef(error, z)[0, 1] ** 2
        ax.scatter(error, z, s=12, color=colour, zorder=3, label=f"$\\rho$ = {rho:.3g}: $R^2$ = {r2:.2f}")
        span = np.linspace(error.min(), error.max(), 2)
        ax.plot(span, np.polyval(fit, span), color=colour, lw=0.9)
    ax.set_xlabel("test error (%)")
    ax.set_ylabel(r"test loss of $\rho\,\tilde f$, standardised")
    ax.set_title(r"(C) scaled normalised networks (Fig. 8)")
    ax.legend(loc="best", fontsize=6.5)


def _panel_r2(ax, summary):
    rhos, r2, where, scale = summary["rhos"], summary["r2"], summary["where"], summary["logit_scale"]
    ax.plot(rhos, r2, color=style.FLOW, marker=".", ms=3, label="$R^2$")
    pearson = np.sign([f.slope for f in summary["fits"]]) * np.sqrt(r2)
    ax.plot(rhos, pearson, color=style.DISCRETE, lw=0.9, ls="--", label="Pearson r (signed)")
    ax.axhline(nl.LINEAR_R2, color=style.MANIFOLD, ls=":", lw=0.9, label=f"linear: $R^2$ = {nl.LINEAR_R2}")
    ax.axvline(nl.PAPER_RHO, color="0.6", ls="--", lw=0.9, label=r"paper: $\rho \approx 4$")
    if where["linear_from"] is not None:
        ax.axvspan(where["linear_from"], where["linear_to"], color=style.FLOW, alpha=0.12, lw=0,
                   label=f"$R^2 \\geq$ {nl.LINEAR_R2}")
    if where["rho_off"] is not None:
        ax.axvline(where["rho_off"], color=style.POINT, lw=0.9, label=f"disappears: $\\rho$ = {where['rho_off']:.3g}")
    ax.set_xscale("log")
    ax.set_ylim(-1.02, 1.02)
    ax.set_xlabel(r"$\rho$")
    ax.set_ylabel(r"$R^2$ (and r) of test loss vs test error")
    ax.set_title(r"(D) linearity against $\rho$ (Fig. 8)")
    top = ax.secondary_xaxis("top", functions=(lambda r: r * scale, lambda s: s / scale))
    top.set_xlabel(r"median RMS of the test logits of $\rho\,\tilde f$", fontsize=7.5)
    ax.legend(loc="lower left", fontsize=6)


def make(out_dir, quick=False):
    study = nl.study(quick)
    summary = nl.summary(study)
    colour, _ = _colour(study)
    fig, axes = style.figure(ncols=2, nrows=2, width=3.6, height=3.1)
    _panel_losses(axes[0, 0], summary, study, colour, normalised=False)
    _panel_losses(axes[0, 1], summary, study, colour, normalised=True)
    _panel_scaled(axes[1, 0], summary, study)
    _panel_r2(axes[1, 1], summary)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    settings = nl.QUICK if quick else nl.FULL
    return (f"Theory III Fig. 1 and Fig. 8 on different data and networks: the paper trains 3-layer convolutional "
            f"networks on CIFAR-10; here {len(settings.factors)} x {len(settings.seeds)} bias-free fully connected "
            f"ReLU networks {'-'.join(map(str, settings.widths))} are trained by SGD (eta = {settings.eta:g}, batches "
            f"of {settings.batch_size}, {settings.epochs} epochs) on scikit-learn's 8x8 digits "
            f"({settings.split[0]:,} training / {settings.split[1]:,} test images) from Gaussian initialisations at "
            f"He's scale times {min(settings.factors):g}-{max(settings.factors):g}; networks that reached zero "
            "training error are shown. (A) test vs training cross-entropy as trained; (B) the same for the networks "
            "normalised layer by layer by the Frobenius norm, with the least-squares line; (C) test loss of the "
            "scaled normalised network rho f~ against test error for a few rho (losses standardised across "
            f"networks); (D) R^2 of that relation against rho, 'linear' taken as R^2 >= {nl.LINEAR_R2}; the top axis "
            "gives the size of the scaled logits, which, not rho itself, is comparable across architectures.")
