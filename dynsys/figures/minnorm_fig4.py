"""Minnorm Fig. 4: convergence to the max-margin solution in the shallow classifier (sec. 3.3).

Data ``x1 = (1, 1)/sqrt 2`` (label +1), ``x2 = -x1`` (label -1); both flows start
from ``W0 = (1/sqrt 2, -1/sqrt 2)``, i.e. ``w_par = 0``, ``w_perp = 1``.
BCE is ``shallow_bce`` at ``tau = 1/10``; Minnorm is ``shallow_minnorm`` at
``tau = 1``, ``r = 1/4`` (with ``alpha = 0`` at the start), the caption's
parameters. (A) the trajectories of ``W``; (B) BCE's components along and
across the max-margin direction; (C) Minnorm's; (D) the angle to the
max-margin direction, with the rates fitted from the solutions (``1/theta``
against ``log t`` for BCE, ``log theta`` against ``t`` for Minnorm).
"""

import numpy as np

from dynsys.fits import fit_line
from dynsys.integrate import solve_ivp
from dynsys.models import get

from . import style

NAME = "minnorm_fig4"
PAPER = "minnorm"
W0 = (1 / np.sqrt(2), -1 / np.sqrt(2))
T_BCE = 1e8
T_MINNORM = 30.0
BCE_COLOUR, MINNORM_COLOUR = "#d62728", "#1f77b4"


def _solve(model_id, y0, t_eval):
    flow = get(model_id).compile()
    sol = solve_ivp(flow, (0.0, t_eval[-1]), np.array(y0, float), method="dop853", t_eval=t_eval,
                    args=(flow.params,), rtol=1e-10, atol=1e-12)
    if sol.status < 0:
        raise RuntimeError(f"flow {model_id} failed: {sol.message}")
    return sol.t, sol.y


def components(w):
    """``(w_par, w_perp)``: ``W`` along the max-margin direction ``x1`` and across it (Minnorm eq. 23-24)."""
    return (w[0] + w[1]) / np.sqrt(2), (w[0] - w[1]) / np.sqrt(2)


def angle(w):
    """Angle between ``W`` and the max-margin direction ``x1``, accurate down to tiny angles."""
    w_par, w_perp = components(w)
    return np.arctan2(np.abs(w_perp), w_par)


def curves(quick=False):
    """The solutions and fitted rates behind the four panels."""
    n = 300 if quick else 1000
    t_bce = np.concatenate([[0.0], np.geomspace(1e-3, T_BCE, n)])
    t_minnorm = np.linspace(0.0, T_MINNORM, n)
    t_bce, w_bce = _solve("shallow_bce", W0, t_bce)
    t_minnorm, y_minnorm = _solve("shallow_minnorm", (*W0, 0.0, 0.0), t_minnorm)
    late = t_bce >= 1e2
    bce_fit = fit_line(np.log(t_bce[late]), 1 / angle(w_bce[:, late]))
    window = (t_minnorm >= 5) & (t_minnorm <= 25)
    minnorm_fit = fit_line(t_minnorm[window], np.log(angle(y_minnorm[:2, window])))
    return {"bce": (t_bce, w_bce), "minnorm": (t_minnorm, y_minnorm[:2]), "bce_fit": bce_fit,
            "minnorm_fit": minnorm_fit}


def _trajectories(ax, data):
    ax.plot(*data["bce"][1][:, data["bce"][0] <= 50], color=BCE_COLOUR, label="BCE, $t \\leq 50$")
    ax.plot(*data["minnorm"][1], color=MINNORM_COLOUR, label="Minnorm")
    s = np.linspace(-0.5, 3, 2)
    ax.plot(s / np.sqrt(2), s / np.sqrt(2), ":", color="0.5", lw=1, label="max-margin direction")
    ax.plot([1 / np.sqrt(2)], [1 / np.sqrt(2)], "*", color=style.POINT, ms=10, label="max-margin $W$")
    ax.plot([1 / np.sqrt(2), -1 / np.sqrt(2)], [1 / np.sqrt(2), -1 / np.sqrt(2)], "ks", mfc="none", ms=6,
            label="examples $\\pm x_1$")
    ax.plot(*W0, "ko", ms=4, label="start")
    ax.set_aspect("equal")
    ax.set_xlim(-1.2, 2.6)
    ax.set_ylim(-1.2, 2.6)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(loc="upper left", fontsize=6.5)
    ax.set_title("(A) weight trajectories")


def _components(ax, t, w, title, log_time):
    w_par, w_perp = components(w)
    ax.plot(t, w_par, label="$w_\\parallel$")
    ax.plot(t, w_perp, label="$w_\\perp$")
    if log_time:
        ax.set_xscale("log")
    ax.axhline(0, color="0.85", lw=0.5, zorder=0)
    ax.set_xlabel("$t$")
    ax.legend(fontsize=7)
    ax.set_title(title)


def _angles(ax, data):
    t_bce, w_bce = data["bce"]
    t_mn, w_mn = data["minnorm"]
    keep = t_bce > 0
    bce, mn = data["bce_fit"], data["minnorm_fit"]
    ax.loglog(t_bce[keep], angle(w_bce[:, keep]), color=BCE_COLOUR, label="BCE")
    late = t_bce[t_bce >= 1e2]
    ax.loglog(late, 1 / (bce.slope * np.log(late) + bce.intercept), "k--", lw=0.8,
              label=f"$1/\\theta = {bce.slope:.3f}\\,\\log t + {bce.intercept:.2f}$")
    keep = t_mn > 0
    ax.loglog(t_mn[keep], angle(w_mn[:, keep]), color=MINNORM_COLOUR, label="Minnorm")
    ax.loglog(t_mn[keep], np.exp(mn.slope * t_mn[keep] + mn.intercept), "k:", lw=0.8,
              label=f"$\\theta \\propto e^{{{mn.slope:.3f}\\, t}}$ (fit $t \\in [5, 25]$)")
    ax.set_ylim(1e-12, 3)
    ax.set_xlabel("$t$")
    ax.set_ylabel("angle to max margin $\\theta$ (rad)")
    ax.legend(fontsize=6.5, loc="lower left")
    ax.set_title("(D) angle to the max-margin direction")


def make(out_dir, quick=False):
    """Draw the four panels of Fig. 4; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=4, nrows=1, width=3.4, height=3.3)
    _trajectories(axes[0, 0], data)
    _components(axes[0, 1], *data["bce"], "(B) BCE, $\\tau = 1/10$", log_time=True)
    _components(axes[0, 2], *data["minnorm"], "(C) Minnorm, $\\tau = 1$, $r = 1/4$", log_time=False)
    _angles(axes[0, 3], data)
    fig.suptitle("Minnorm Fig. 4: shallow classifier, $x_1 = (1, 1)/\\sqrt{2}$, $x_2 = -x_1$, "
                 "from $W_0 = (1/\\sqrt{2}, -1/\\sqrt{2})$", fontsize=10)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    """What the figure computes (for ``dynsys reproduce``), with the fitted rates."""
    data = curves(quick)
    tau = get("shallow_minnorm").param_values()["tau"]
    return (f"Minnorm Fig. 4 recomputed from the derived flows (DOP853): BCE at tau = 1/10 to t = {T_BCE:.0e}, "
            f"Minnorm at tau = 1, r = 1/4 to t = {T_MINNORM:g}, both from W0 = (1/sqrt 2, -1/sqrt 2). Fitted: "
            f"BCE 1/theta = {data['bce_fit'].describe()} x log t (t >= 100); Minnorm log theta slope "
            f"{data['minnorm_fit'].describe()} (t in [5, 25], predicted -1/tau = {-1 / tau:g}).")
