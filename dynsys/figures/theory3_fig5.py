"""Theory III Fig. 5: convergence of v(t) on all IRIS training examples, GD against weight normalisation.

150 examples, setosa (+1) vs the rest (-1), raw features, no bias (hard-margin
SVM through the origin: margin 0.743, three support vectors), from ``W(0) =
(0, 1, -1, 0)/sqrt 2``; ``|eps| = |W/|W| - v_hat|`` to the max-margin
direction. GD by DOP853, weight normalisation (stiff) by Rodas4. Overlaid: the
one-example laws of the paper (``C/log t``; ``c t^{-1/2} log t`` fitted on
``[1e6, 1e8]``), the caption's ``C/log t`` for weight normalisation, and the
derived laws: GD ``|P_perp w_tilde(T)| / rho(t)`` (Soudry's ``w_hat log t +
w_tilde``, ``w_tilde`` read at the end), weight normalisation the quasi-static
``|V*(rho(t)) - v_hat|`` (the minimiser of ``L(rho V)`` on the sphere) and its
limit ``|P_perp w_tilde| / rho`` from the SVM.
"""

import functools

import numpy as np

from dynsys.fits import fit_line
from dynsys.models import theory3_rates as m

from . import style

NAME = "theory3_fig5"
PAPER = "theory3"
WN_COLOUR = "#2ca02c"


def _t_end(quick):
    return 1e12 if quick else 1e16


@functools.lru_cache(maxsize=None)
def curves(quick=False):
    """Solutions, fits and derived laws for both panels."""
    Z, what = m.iris_data("all")
    margin = m.max_margin("all")
    times = np.geomspace(1e-2, _t_end(quick), 241)
    late = times >= times[-1] / 1e4
    window = (times >= 1e6) & (times <= 1e8)
    out = {"what": what, "margin": margin, "t": times}
    for variant in m.VARIANTS:
        sol = m.solve_rho_v(Z, variant, times)
        W = np.sign(sol.rho) * sol.V
        eps = m.direction_error(W, margin.v_hat)
        out[variant], out[f"rho_{variant}"] = eps, np.abs(sol.rho)
        out[f"log_fit_{variant}"] = fit_line(np.log(times[late]), 1 / eps[late])
        out[f"printed_fit_{variant}"] = fit_line((times**-0.5 * np.log(times))[window], eps[window])
        if variant == "gd":
            w_tilde = sol.rho[-1] * sol.V[:, -1] - np.log(times[-1]) * margin.v_hat / margin.gamma
            perp = np.linalg.norm(w_tilde - (w_tilde @ margin.v_hat) * margin.v_hat)
            out["gd_law"], out["gd_perp"] = perp / np.abs(sol.rho), perp
        else:
            shown = times >= 1
            star = [m.sphere_minimiser(Z, r, w) for r, w in zip(np.abs(sol.rho[shown][::4]), W[:, shown][:, ::4].T)]
            out["wn_star_t"] = times[shown][::4]
            out["wn_star"] = np.linalg.norm(np.array(star) - margin.v_hat, axis=1)
            out["wn_law"] = np.linalg.norm(margin.u_perp) / np.abs(sol.rho)
    return out


def _panel(ax, data, variant, colour, title):
    t = data["t"]
    keep = t >= 10
    ax.loglog(t, data[variant], color=colour, lw=2, label="flow")
    fit = data[f"log_fit_{variant}"]
    shown = keep & (fit.slope * np.log(t) + fit.intercept > 1)
    ax.loglog(t[shown], 1 / (fit.slope * np.log(t[shown]) + fit.intercept), "--", color=style.DISCRETE,
              label=f"$\\propto 1/\\log t$: $1/(${fit.slope:.3f}$\\log t$ {fit.intercept:+.2f}$)$, "
                    f"$R^2$ = {fit.r2:.5f}")
    printed = data[f"printed_fit_{variant}"]
    ax.loglog(t[keep], printed.slope * t[keep] ** -0.5 * np.log(t[keep]), "-.", color="0.45", lw=0.9,
              label=f"one-example WN law $c\\,t^{{-1/2}}\\log t$, $c$ = {printed.slope:.2f}")
    if variant == "gd":
        ax.loglog(t[keep], data["gd_law"][keep], ":", color=style.POINT, lw=1.5,
                  label=f"derived $|P_\\perp\\tilde w|/\\rho$, $|P_\\perp\\tilde w(T)|$ = {data['gd_perp']:.3f}")
    else:
        ax.loglog(data["wn_star_t"], data["wn_star"], "s", ms=2.5, mfc="none", color=style.POINT,
                  label="derived: $|V^*(\\rho(t)) - \\hat v|$, minimiser on the sphere")
        ax.loglog(t[keep], data["wn_law"][keep], ":", color=style.POINT, lw=1.5,
                  label=f"its limit $|P_\\perp\\tilde w|/\\rho$, $|P_\\perp\\tilde w|$ = "
                        f"{np.linalg.norm(data['margin'].u_perp):.3f} (SVM)")
    ax.set_ylim(1e-2, 1.0)
    ax.set_xlabel("$t$ (= $\\eta k$)")
    ax.set_ylabel("$|\\epsilon| = |W/|W| - \\hat v|$")
    ax.set_title(title)
    ax.legend(fontsize=5.8, loc="lower left")


def make(out_dir, quick=False):
    """Draw both panels; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=2, width=3.9, height=3.4)
    _panel(axes[0, 0], data, "gd", style.FLOW, "(A) gradient descent: $1/\\log t$")
    _panel(axes[0, 1], data, "weight_norm", WN_COLOUR, "(B) weight normalisation: $1/\\log t$ too")
    fig.suptitle(f"Theory III Fig. 5: all training examples, {data['what']}", fontsize=8.5)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    data = curves(quick)
    margin = data["margin"]
    return (f"Theory III Fig. 5 from the derived flows: {data['what']} (hard-margin SVM without bias: margin "
            f"{margin.gamma:.4f}, {len(margin.support)} support vectors), W(0) = (0, 1, -1, 0)/sqrt 2, continuous time "
            f"t to {_t_end(quick):.0e} (iterates at step k follow the flow at t = eta k, checked elsewhere). Both "
            f"directions converge like 1/log t (fits 1/|eps| = A log t + B over the last four decades: GD A = "
            f"{data['log_fit_gd'].slope:.3f}, R^2 {data['log_fit_gd'].r2:.6f}; WN A = "
            f"{data['log_fit_weight_norm'].slope:.3f}, R^2 {data['log_fit_weight_norm'].r2:.6f}); the one-example "
            f"weight-normalisation law (dash-dot) does not fit. Derived: weight normalisation follows the minimiser "
            f"V*(rho) of L(rho V) on the sphere (squares), which tends to v_hat like |P_perp w_tilde|/rho = "
            f"{np.linalg.norm(margin.u_perp):.3f}/rho (rho ~ log t/gamma); GD keeps its start in w_tilde.")
