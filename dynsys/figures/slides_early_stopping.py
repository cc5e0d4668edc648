"""Slides "Why Early Stopping?": early stopping and ridge (Tikhonov) as spectral filters, on data and in rates.

(A) The filter factors of early stopping, ``1 - (1 - eta mu)^t`` (the slides'
``1 - (1 - mu_i)^t`` with ``eta = 1``), for several ``t``, and of ridge,
``mu/(mu + lambda)`` at ``lambda = 1/(eta t)``, against the eigenvalue ``mu``:
both low-pass with cut-off ``mu ~ 1/t``. (B) On a generated noisy problem
(:func:`dynsys.train.experiments.least_squares.generate`: ``n = 100``, ``d = 150``,
``Sigma_jj ~ 1/j``, ``sigma = 0.5``), the exact test risk ``E (x^T w - y)^2`` and
the training error, averaged over the training noise, along gradient descent
(``eta = 1/mu_max``, against ``eta t``) and along ridge (against ``1/lambda``),
with the minimum-norm solution's risk, the limit of both, as a reference. (C) The
same GD path split into bias and variance. (D) The worst-case approximation
error ``sup_{|g| <= 1} |f - f_rho|_rho`` for ``f_rho = L_K^r g`` on the spectrum
``mu_i = 1/i`` (``10^5`` modes), early stopping against ``t`` and Tikhonov against
``1/lambda``, for ``r = 0.5, 1, 2``, with the slopes fitted by ``dynsys.fits``:
Tikhonov saturates at ``lambda^1``.
"""

import functools

import numpy as np

from dynsys.fits import fit_line
from dynsys.train.experiments import least_squares as ls

from . import style

NAME = "slides_early_stopping"
PAPER = "slides"
SIZES = (100, 150)
NOISE = 0.5
FILTER_T = (10, 100, 1000)
R_VALUES = (0.5, 1.0, 2.0)
MODES = 10**5
FIT_T = np.geomspace(1e2, 1e4, 21)  # the fitted range, t = 1/lambda
R_COLOURS = {0.5: "#1f77b4", 1.0: "#2ca02c", 2.0: "#d62728"}


def _seeds(quick):
    return (0,) if quick else tuple(range(10))


@functools.lru_cache(maxsize=None)
def data(quick=False):
    """Every number the panels draw: filters, risk curves (seed 0, and the other seeds in full mode), rates and fits."""
    mu = np.geomspace(1e-5, 1.0, 400)
    filters = {t: (ls.landweber_filter(mu, [t])[0], ls.tikhonov_filter(mu, [1.0 / t])[0]) for t in FILTER_T}
    curves = [ls.risk_curves(ls.generate(*SIZES, sigma=NOISE, power=1.0, seed=seed)) for seed in _seeds(quick)]
    spectrum = ls.power_law_spectrum(MODES)
    t = np.geomspace(1.0, 1e5, 41)
    rates = {}
    for r in R_VALUES:
        tikhonov, early = ls.rate_curves(spectrum, r, "rho", 1.0 / t, t)
        fit_tik, fit_es = ls.rate_curves(spectrum, r, "rho", 1.0 / FIT_T, FIT_T)
        rates[r] = {"tikhonov": tikhonov, "early_stopping": early,
                    "fit_tikhonov": fit_line(np.log(1.0 / FIT_T), np.log(fit_tik)),  # exponent of lambda
                    "fit_early_stopping": fit_line(np.log(FIT_T), np.log(fit_es))}
    return {"mu": mu, "filters": filters, "curves": curves, "t": t, "rates": rates,
            "c_star": ls.matching_constant()[0]}


def _panel_filters(ax, d):
    for t, colour in zip(FILTER_T, ("#1f77b4", "#2ca02c", "#d62728")):
        early, ridge = d["filters"][t]
        ax.plot(d["mu"], early, color=colour, label=f"early stopping, $\\eta t$ = {t}")
        ax.plot(d["mu"], ridge, color=colour, ls="--", label=f"ridge, $\\lambda = 1/(\\eta t)$ = {1 / t:g}")
    ax.set_xscale("log")
    ax.set_xlabel("eigenvalue $\\mu$ of $L_K$ ($\\eta \\mu \\leq 1$)")
    ax.set_ylabel("filter factor")
    ax.set_title("(A) $1 - (1 - \\eta\\mu)^t$ and $\\mu / (\\mu + \\lambda)$: low-pass")
    ax.legend(loc="center left")


def _panel_risks(ax, d):
    c = d["curves"][0]
    x_gd = c.eta * c.steps[1:]
    for extra in d["curves"][1:]:
        ax.plot(extra.eta * extra.steps[1:], extra.gd["test"][1:], color=style.FLOW, lw=0.4, alpha=0.3)
    ax.plot(x_gd, c.gd["test"][1:], color=style.FLOW, label="GD, test risk (against $\\eta t$)")
    ax.plot(x_gd, c.gd["train"][1:], color=style.FLOW, ls="--", label="GD, training error")
    ax.plot(1 / c.lams, c.ridge["test"], color=style.DISCRETE, label="ridge, test risk (against $1/\\lambda$)")
    ax.plot(1 / c.lams, c.ridge["train"], color=style.DISCRETE, ls="--", label="ridge, training error")
    ax.axhline(c.min_norm["test"], color=style.POINT, lw=0.9,
               label=f"min-norm $w_+$: test risk {c.min_norm['test']:.3f}")
    ax.axhline(c.problem.sigma**2, color="0.5", ls=":", lw=0.9, label=f"noise $\\sigma^2$ = {c.problem.sigma**2:g}")
    best = np.argmin(c.gd["test"])
    ax.plot(c.eta * c.steps[best], c.gd["test"][best], "o", color=style.FLOW, ms=4)
    best = np.argmin(c.ridge["test"])
    ax.plot(1 / c.lams[best], c.ridge["test"][best], "o", color=style.DISCRETE, ms=4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 3)
    ax.set_xlim(1e-2, 1e6)
    ax.set_xlabel("$\\eta t$ (GD) or $1/\\lambda$ (ridge)")
    ax.set_ylabel("$E(x^T w - y)^2$; $|Xw - y|^2/n$")
    ax.set_title(f"(B) n = {c.problem.n}, d = {c.problem.d}, $\\sigma$ = {c.problem.sigma:g}: risk U-shaped")
    ax.legend(loc="lower left")


def _panel_bias_variance(ax, d):
    c = d["curves"][0]
    x = c.eta * c.steps[1:]
    for key, style_ in (("bias", "-"), ("variance", "--"), ("test", "-")):
        ax.plot(x, c.gd[key][1:], ls=style_, lw=1.6 if key == "test" else 1.1, label=f"GD {key}")
    ax.axhline(c.min_norm["variance"], color=style.POINT, lw=0.9, ls="--",
               label=f"variance of $w_+$ = {c.min_norm['variance']:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 3)
    ax.set_xlabel("$\\eta t$")
    ax.set_ylabel("expected risk")
    ax.set_title("(C) early stopping trades bias for variance")
    ax.legend(loc="lower left")


def _panel_rates(ax, d):
    t = d["t"]
    for r, rate in d["rates"].items():
        colour = R_COLOURS[r]
        ax.plot(t, rate["early_stopping"], color=colour,
                label=f"early stopping, r = {r:g}: $t^{{{rate['fit_early_stopping'].slope:.3f}}}$")
        ax.plot(t, rate["tikhonov"], color=colour, ls="--",
                label=f"Tikhonov, r = {r:g}: $\\lambda^{{{rate['fit_tikhonov'].slope:.3f}}}$")
    ax.axvspan(FIT_T[0], FIT_T[-1], color="0.92", zorder=0)
    ax.text(0.97, 0.97, "Tikhonov r = 1 and r = 2 coincide:\nsaturation at $\\lambda^1$", transform=ax.transAxes,
            ha="right", va="top", fontsize=7.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("$t$ (early stopping) or $1/\\lambda$ (Tikhonov)")
    ax.set_ylabel("$\\sup_{|g| \\leq 1} |f - L_K^r g|_\\rho$")
    ax.set_title("(D) rates $t^{-r}$ vs $\\lambda^{\\min(r, 1)}$ ($\\mu_i = 1/i$)")
    ax.legend(loc="lower left")


def make(out_dir, quick=False):
    """Draw panels A-D; return ``[png, pdf]``."""
    d = data(quick)
    fig, axes = style.figure(ncols=2, nrows=2, width=4.4, height=3.7)
    _panel_filters(axes[0, 0], d)
    _panel_risks(axes[0, 1], d)
    _panel_bias_variance(axes[1, 0], d)
    _panel_rates(axes[1, 1], d)
    fig.suptitle("Early stopping regularises like ridge (slides, 'Why Early Stopping?')", fontsize=10)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    """What the figure computes, with its numbers (for ``dynsys reproduce``)."""
    d = data(quick)
    c = d["curves"][0]
    fits = "; ".join(f"r = {r:g}: early stopping t^{rate['fit_early_stopping'].slope:.3f}, Tikhonov "
                     f"lambda^{rate['fit_tikhonov'].slope:.3f}" for r, rate in d["rates"].items())
    spread = (f" (thin lines: {len(d['curves']) - 1} more seeds, min-norm risk "
              f"{min(x.min_norm['test'] for x in d['curves']):.3f}-{max(x.min_norm['test'] for x in d['curves']):.3f})"
              if len(d["curves"]) > 1 else "")
    return (f"Slides, 'Why Early Stopping?'. (A) filter factors 1 - (1 - eta mu)^t for eta t = "
            f"{', '.join(map(str, FILTER_T))} and mu/(mu + lambda) at lambda = 1/(eta t); the best sup-norm match is "
            f"lambda = c*/t with c* = {d['c_star']:.4f}. (B, C) {c.problem.describe()}: exact risks averaged over the "
            f"training noise; GD with eta = 1/mu_max = {c.eta:.4f} reaches its lowest test risk "
            f"{c.gd['test'].min():.4f} "
            f"at eta t = {c.eta * c.best_step:.3f}, ridge {c.ridge['test'].min():.4f} at 1/lambda = "
            f"{1 / c.best_lambda:.3f}, while the minimum-norm interpolant they both converge to has "
            f"{c.min_norm['test']:.4f} (variance {c.min_norm['variance']:.4f}){spread}. (D) worst-case bias on "
            f"mu_i = 1/i ({MODES} modes), slopes fitted on t = 1/lambda in [1e2, 1e4]: {fits}.")
