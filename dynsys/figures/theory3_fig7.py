"""Theory III Fig. 7: convergence of v(t) with rho set to alpha(t) = 1/log t, log t, log log t, exp t (eq. 81).

Eq. 77 with ``rho`` replaced by the prescribed ``alpha(t)`` (Fig. 7: "rho set
as several functions of t"), ``V' = S W'(alpha V) / alpha``, started at ``t0 =
e^e`` (where all four ``alpha`` are positive) from GD's state there; stiff,
SciPy's LSODA. ``alpha = exp t`` is capped at ``t = 700`` (``exp t``
overflows at 709; ``v`` is frozen long before). (A) all IRIS examples:
``|eps|`` to the max-margin direction against GD and weight normalisation; (B)
``rho = 1/log t`` against the original rates, with its distance to the
direction of ``sum_n y_n x_n`` (where it goes) and to ``V*(alpha(t))``; (C)
one example.
"""

import functools

import numpy as np

from dynsys.models import theory3_rates as m

from . import style

NAME = "theory3_fig7"
PAPER = "theory3"
EXP_CAP = 700.0
COLOURS = {"1/log t": "#d62728", "log t": "#9467bd", "log log t": "#8c564b", "exp t": "#e377c2"}
LABELS = {"1/log t": "$1/\\log t$", "log t": "$\\log t$", "log log t": "$\\log\\log t$", "exp t": "$e^t$ (to 700)"}
WN_COLOUR = "#2ca02c"


def _t_end(quick):
    return 1e12 if quick else 1e16


@functools.lru_cache(maxsize=None)
def curves(quick=False):
    """Eq. 81 runs for both data sets, with GD and weight normalisation from t = 0."""
    out = {}
    for examples in ("all", "one"):
        Z, what = m.iris_data(examples)
        target = m.max_margin("all").v_hat if examples == "all" else Z[0] / np.linalg.norm(Z[0])
        start = m.solve_rho_v(Z, "gd", np.array([m.T0_SCALED])).y[:, 0]
        runs = {}
        for name in m.ALPHAS:
            stop = EXP_CAP if name == "exp t" else _t_end(quick)
            times = np.geomspace(m.T0_SCALED, stop, 121)
            run = m.solve_scaled(Z, name, times, start[1:])
            runs[name] = (run.t, m.direction_error(run.V, target), run)
        times = np.geomspace(1.0, _t_end(quick), 121)
        original = {v: m.direction_error(np.sign(s.rho) * s.V, target)
                    for v in m.VARIANTS for s in [m.solve_rho_v(Z, v, times)]}
        entry = dict(what=what, target=target, runs=runs, t=times, original=original)
        if examples == "all":
            t, _, run = runs["1/log t"]
            mean = Z.sum(axis=0) / np.linalg.norm(Z.sum(axis=0))
            entry["to_mean"] = m.direction_error(run.V, mean)
            picks = slice(None, None, 6)
            star = [m.sphere_minimiser(Z, 1 / np.log(tk), mean) for tk in t[picks]]
            entry["star_t"], entry["star"] = t[picks], m.direction_error(np.array(star).T, target)
        out[examples] = entry
    return out


def _originals(ax, entry):
    ax.loglog(entry["t"], entry["original"]["gd"], color=style.FLOW, lw=2, label="GD ($\\rho$ dynamic)")
    ax.loglog(entry["t"], entry["original"]["weight_norm"], color=WN_COLOUR, lw=1.2, label="weight normalisation")


def _panel_all(ax, entry):
    _originals(ax, entry)
    for name, (t, eps, _) in entry["runs"].items():
        ax.loglog(t, eps, color=COLOURS[name], lw=1.2, ls="--" if name == "exp t" else "-",
                  label=f"$\\rho = \\alpha(t)$ = {LABELS[name]}")
    ax.set_ylim(1e-2, 2)
    ax.set_title("(A) all examples: only $\\log t$ reaches $\\hat v$ at GD's rate")


def _panel_inverse_log(ax, entry):
    _originals(ax, entry)
    t, eps, _ = entry["runs"]["1/log t"]
    ax.loglog(t, eps, color=COLOURS["1/log t"], lw=1.6, label="$\\rho = 1/\\log t$: to $\\hat v$")
    ax.loglog(t, entry["to_mean"], ":", color=COLOURS["1/log t"], lw=1.2,
              label="$\\rho = 1/\\log t$: to $\\sum_n y_n x_n / |\\cdot|$")
    ax.loglog(entry["star_t"], entry["star"], "s", ms=2.5, mfc="none", color="k",
              label="$|V^*(1/\\log t) - \\hat v|$ (minimiser)")
    ax.set_ylim(1e-2, 2)
    ax.set_title("(B) $\\rho = 1/\\log t$ vs the original rates")


def _panel_one(ax, entry):
    _originals(ax, entry)
    for name, (t, eps, _) in entry["runs"].items():
        ax.loglog(t, np.maximum(eps, 1e-17), color=COLOURS[name], lw=1.2, ls="--" if name == "exp t" else "-",
                  label=f"$\\rho$ = {LABELS[name]}")
    ax.set_ylim(1e-17, 2)
    ax.set_title("(C) one example: 1/log t, log log t fast")


def make(out_dir, quick=False):
    """Draw the three panels; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=3, width=3.4, height=3.3)
    _panel_all(axes[0, 0], data["all"])
    _panel_inverse_log(axes[0, 1], data["all"])
    _panel_one(axes[0, 2], data["one"])
    for ax, where in zip(axes[0], ("lower left", "lower left", "center")):
        ax.set_xlabel("$t$ (= $\\eta k$)")
        ax.set_ylabel("$|\\epsilon|$ to the max-margin direction")
        ax.legend(fontsize=5.8, loc=where)
    fig.suptitle("Theory III Fig. 7 / eq. 81: $\\rho$ set to $\\alpha(t)$ in the $V$ equation, IRIS setosa vs rest",
                 fontsize=9)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    data = curves(quick)
    ends = {name: eps[-1] for name, (_, eps, _) in data["all"]["runs"].items()}
    return (f"Theory III Fig. 7 / eq. 81 from the derived flows: eq. 77 with rho replaced by alpha(t), started at t0 = "
            f"e^e from GD's state there, LSODA to t = {_t_end(quick):.0e} (alpha = exp t capped at t = {EXP_CAP:g}: "
            f"exp t overflows at 709, and v is frozen from t0 on since exp(-alpha v.x_n) underflows); continuous time "
            f"(iterates at step k follow the flow at t = eta k, checked elsewhere). All examples, |eps| at the end: "
            + ", ".join(f"{k} {v:.3f}" for k, v in ends.items())
            + f"; GD {data['all']['original']['gd'][-1]:.3f}, weight normalisation "
              f"{data['all']['original']['weight_norm'][-1]:.3f}. v follows the minimiser V*(alpha) of sum_n "
              f"exp(-alpha V.x_n) on the sphere: rho = 1/log t goes fast to V*(0), the direction of sum_n y_n x_n, "
              f"not to the max-margin direction; log t converges like 1/log t, log log t like 1/log log t. With one "
              f"example (C) V*(alpha) = x/|x|: 1/log t and log log t converge fast, log t and exp t freeze.")
