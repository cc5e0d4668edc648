"""Theory III Fig. 3: growth of the product of the layer norms and of each layer, exponential loss (sec. 12.2).

The full K-layer flows ``deep_exponential(K)`` (one example, ``f_V = 1``, every
``rho_k(0) = 1``), K = 1..5, integrated by DOP853 (rtol 1e-12) to ``t = 1e12``.
Left: the product ``prod_k rho_k`` against ``log t`` (logarithmic growth is a
straight line, of slope ``1/f_V`` for every K), with the derived law
(``G(R) = K f_V^(2/K) t``, ``R = exp(f_V prod_k rho_k)``, solved by
quadrature and root finding, independent of the flow) and the printed eq. 65
(``K^2`` instead of ``K``). Right: each layer's norm ``rho_k``, with the
1-layer closed form ``log(e + t)`` and the asymptotes ``(log t / f_V)^(1/K)``.
"""

import functools

import numpy as np

from dynsys.integrate import solve_ivp
from dynsys.models import theory3_deep as deep

from . import style

NAME = "theory3_fig3"
PAPER = "theory3"
DEPTHS = (1, 2, 3, 4, 5)
F_V = 1.0
RHO0 = 1.0
T_END = 1e12
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def _layers(depth, times):
    flow = deep.deep_exponential(depth).compile()
    sol = solve_ivp(flow, (0.0, times[-1]), np.full(depth, RHO0), method="dop853", t_eval=times,
                    args=(np.array([F_V]),), rtol=1e-12, atol=1e-14)
    if sol.status != 0:
        raise RuntimeError(f"{depth} layers: {sol.message}")
    return sol.y


@functools.cache
def curves(quick=False):
    """Times, the K-layer solutions, and the product predicted by the derived and the printed eq. 65."""
    times = np.geomspace(1e-2, T_END, 120 if quick else 400)
    law_times = np.r_[times[:-1:4 if quick else 2], times[-1]]
    data = {"t": times, "law_t": law_times, "layers": {}, "derived": {}, "printed": {}}
    for k in DEPTHS:
        data["layers"][k] = _layers(k, times)
        for key, printed in (("derived", False), ("printed", True)):
            data[key][k] = deep.law_R_log(law_times, k, F_V, F_V * RHO0**k, printed=printed) / F_V
    return data


def _products(ax, data):
    t = data["t"]
    for k, colour in zip(DEPTHS, COLOURS):
        ax.semilogx(t, np.prod(data["layers"][k], axis=0), color=colour, label=f"$K = {k}$")
        ax.semilogx(data["law_t"], data["derived"][k], "k:", lw=0.9, label="derived eq. 65" if k == 1 else None)
        if k > 1:
            ax.semilogx(data["law_t"], data["printed"][k], "--", color=colour, lw=0.7, alpha=0.7,
                        label="printed eq. 65" if k == 2 else None)
    late = t >= 10.0
    ax.semilogx(t[late], np.log(t[late]) / F_V, color="0.6", lw=0.8, label="$\\log t / f_V$")
    ax.set_xlabel("$t$")
    ax.set_ylabel("$\\rho_1 \\rho_2 \\cdots \\rho_K$")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("product of the layer norms (straight: $\\propto \\log t$)")


def _layer_norms(ax, data):
    t = data["t"]
    late = t >= 1e3
    for k, colour in zip(DEPTHS, COLOURS):
        ax.loglog(t, data["layers"][k][0], color=colour, label=f"$K = {k}$")
        if k > 1:
            ax.loglog(t[late], (np.log(t[late]) / F_V) ** (1 / k), ":", color=colour, lw=0.8)
    ax.loglog(t, deep.one_layer_rho(t, RHO0, F_V), "k--", lw=0.8, label="$\\log(e + t)$ (1 layer, exact)")
    ax.plot([], [], "k:", lw=0.8, label="$(\\log t)^{1/K}$")
    ax.set_xlabel("$t$")
    ax.set_ylabel("$\\rho_k$ (every layer)")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("norm of each layer")


def make(out_dir, quick=False):
    """Draw both panels of Fig. 3; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=2, nrows=1, width=3.8, height=3.3)
    _products(axes[0, 0], data)
    _layer_norms(axes[0, 1], data)
    fig.suptitle("Theory III Fig. 3: K scalar layers, exponential loss, one example, $f_V = 1$, "
                 "$\\rho_k(0) = 1$", fontsize=9)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    """What the figure computes, with the numbers at the last time."""
    data = curves(quick)
    end = data["law_t"][-1]
    index = np.searchsorted(data["t"], end)
    products = {k: float(np.prod(data["layers"][k][:, index])) for k in DEPTHS}
    return (f"Theory III Fig. 3 recomputed from the derived K-layer flows (DOP853, rtol 1e-12) to t = {T_END:.0e}, "
            f"f_V = 1, rho_k(0) = 1. At t = {end:.0e} the product of the layer norms is "
            + ", ".join(f"{products[k]:.3f}" for k in DEPTHS) + " for K = 1..5 (derived eq. 65: "
            + ", ".join(f"{data['derived'][k][-1]:.3f}" for k in DEPTHS) + "; printed: "
            + ", ".join(f"{data['printed'][k][-1]:.3f}" for k in DEPTHS) + "); each layer's norm is "
            + ", ".join(f"{data['layers'][k][0, index]:.3f}" for k in DEPTHS)
            + ". The product grows like log t for every K (faster only by (2 - 2/K) log log t); each layer like "
              "(log t)^(1/K).")
