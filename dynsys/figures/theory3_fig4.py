"""Theory III Fig. 4: convergence of v(t) for a linear network on one IRIS training example, GD against weight
normalisation.

One example (IRIS example 1, a setosa, ``|x| = 6.345``; labels folded, no
bias), ``f = rho v.x``, exponential loss, from ``W(0) = (0, 1, -1, 0)/sqrt 2``.
The flow reduces exactly to ``(rho, s)``, ``s = sin angle(v, x)``
(``dynsys.models.theory3_rates.single_example``), integrated by DOP853; the
4-D flow is plotted to ``t = 1e8`` on top. (A) GD: ``|eps| = |v - x/|x||``
with the printed ``C/log t`` (``C`` fitted over the last four decades) and the
derived ``|x| K / log(|x|^2 t)`` (``K = |W_perp(0)|``, GD's closed form).
(B) Weight normalisation: the printed ``c t^{-1/2} log t`` (``c`` fitted on
``[1e6, 1e8]``) and the derived ``s0 exp(rho0^2/2) exp(-(log(|x|^2 t))^2 /
(2|x|^2))`` from the first integral ``s exp(rho^2/2)`` (no fitted constant).
"""

import functools

import numpy as np

from dynsys.fits import fit_line
from dynsys.models import theory3_rates as m

from . import style

NAME = "theory3_fig4"
PAPER = "theory3"
WN_COLOUR = "#2ca02c"


def _t_end(quick):
    return 1e12 if quick else 1e16


@functools.lru_cache(maxsize=None)
def curves(quick=False):
    """The solutions, the fits and the laws of both panels."""
    Z, what = m.iris_data("one")
    a, rho0, s0 = m.single_start(Z[0])
    times = np.geomspace(1e-2, _t_end(quick), 241)
    early = times[times <= 1e8][::4]
    out = {"what": what, "a": a, "rho0": rho0, "s0": s0, "t": times, "t_full": early}
    for variant in m.VARIANTS:
        out[variant] = m.single_error(m.solve_single(variant, a, rho0, s0, times).y[1])
        full = m.solve_rho_v(Z, variant, early)
        out[f"full_{variant}"] = m.direction_error(np.sign(full.rho) * full.V, Z[0] / a)
    late = times >= times[-1] / 1e4
    out["gd_fit"] = fit_line(np.log(times[late]), 1 / out["gd"][late])
    window = (times >= 1e6) & (times <= 1e8)
    printed = times**-0.5 * np.log(times)
    out["wn_fit"] = fit_line(printed[window], out["weight_norm"][window])
    out["gd_law"] = a * rho0 * s0 / np.log(a**2 * times)
    out["wn_law"] = m.wn_single_law(times, a, rho0, s0)
    out["t_half"] = np.exp(a**2 / 2) / a**2
    return out


def _panel_gd(ax, data):
    t = data["t"]
    keep = t >= 1
    fit = data["gd_fit"]
    ax.loglog(t, data["gd"], color=style.FLOW, lw=2, label="flow (reduced)")
    ax.loglog(data["t_full"], data["full_gd"], "o", ms=3, mfc="none", color="k", label="4-D flow on IRIS")
    ax.loglog(t[keep], 1 / (fit.slope * np.log(t[keep]) + fit.intercept), "--", color=style.DISCRETE,
              label=f"printed $\\propto 1/\\log t$: $1/(${fit.slope:.4f}$\\log t$ {fit.intercept:+.3f}$)$")
    ax.loglog(t[keep], data["gd_law"][keep], ":", color=style.POINT, lw=1.5,
              label=f"derived $|x|K/\\log(|x|^2 t)$ = {data['a'] * data['rho0'] * data['s0']:.3f}"
                    f"$/\\log(${data['a'] ** 2:.2f}$t)$")
    ax.set_ylim(0.1, 2)
    ax.set_title("(A) gradient descent: $O(1/\\log t)$ holds")


def _panel_wn(ax, data):
    t = data["t"]
    keep = t >= 1
    fit = data["wn_fit"]
    ax.loglog(t, data["weight_norm"], color=WN_COLOUR, lw=2, label="flow (reduced)")
    ax.loglog(data["t_full"], data["full_weight_norm"], "o", ms=3, mfc="none", color="k", label="4-D flow on IRIS")
    ax.loglog(t, data["gd"], color=style.FLOW, lw=0.8, alpha=0.5, label="GD, for comparison")
    ax.loglog(t[keep], fit.slope * t[keep] ** -0.5 * np.log(t[keep]), "--", color=style.DISCRETE,
              label=f"printed $c\\,t^{{-1/2}}\\log t$: $c$ = {fit.slope:.2f} (fit on [1e6, 1e8])")
    ax.loglog(t[keep], data["wn_law"][keep], ":", color=style.POINT, lw=1.5,
              label=f"derived {data['s0'] * np.exp(data['rho0'] ** 2 / 2):.3f}"
                    f"$\\,e^{{-(\\log {data['a'] ** 2:.2f}t)^2/{2 * data['a'] ** 2:.2f}}}$")
    ax.axvline(data["t_half"], color="0.6", ls=":", lw=0.8)
    ax.text(data["t_half"], 0.5, "local exponent $-1/2$ ", fontsize=6.5, color="0.4", rotation=90, va="center",
            ha="right", transform=ax.get_xaxis_transform())
    ax.set_ylim(max(1e-12, data["weight_norm"][-1] / 3), 2)
    ax.set_title("(B) weight normalisation: not $t^{-1/2}\\log t$")


def make(out_dir, quick=False):
    """Draw both panels; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=2, width=3.9, height=3.4)
    _panel_gd(axes[0, 0], data)
    _panel_wn(axes[0, 1], data)
    for ax in axes[0]:
        ax.set_xlabel("$t$ (= $\\eta k$)")
        ax.set_ylabel("$|\\epsilon| = |v - x/|x||$")
        ax.legend(fontsize=6, loc="lower left")
    fig.suptitle(f"Theory III Fig. 4: one training example, {data['what']}", fontsize=9)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    data = curves(quick)
    return (f"Theory III Fig. 4 from the derived flows: {data['what']}, labels folded, no bias, "
            f"W(0) = (0, 1, -1, 0)/sqrt 2, "
            f"exponential loss, continuous time t (the discrete iterates at step k follow the flow at t = eta k, "
            f"checked elsewhere). The reduction (rho, sin angle) is integrated by DOP853 to t = {_t_end(quick):.0e}; "
            f"circles: the 4-D flow. (A) GD: the printed 1/log t fits (1/|eps| = {data['gd_fit'].slope:.4f} log t + "
            f"{data['gd_fit'].intercept:.3f} over the last four decades); derived: |x| K / log(|x|^2 t), slope "
            f"1/(|x| K) = {1 / (data['a'] * data['rho0'] * data['s0']):.4f}. (B) Weight normalisation: the printed "
            f"c t^-1/2 log t (c = {data['wn_fit'].slope:.2f}) fits only near t ~ 1e6-1e8; the derived law, from the "
            f"conserved s exp(rho^2/2), "
            f"is s0 exp(rho0^2/2) exp(-(log(|x|^2 t))^2/(2|x|^2)), faster than any power of t; its local exponent is "
            f"-1/2 at t = exp(|x|^2/2)/|x|^2 = {data['t_half']:.2g} (dotted).")
