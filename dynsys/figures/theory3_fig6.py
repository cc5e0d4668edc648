"""Theory III Fig. 6: the rate of convergence of v(t) at every epoch, all IRIS examples (all epochs; the last 3000).

The rate is the local exponent ``d log|eps| / d log t``: (A) along the flow,
from the vector field itself (no differencing), for GD and weight
normalisation, over all ``t``, with the per-epoch rates ``log(eps_{k+1}/eps_k)
/ log((k+1)/k)`` of the flow sampled at ``t = k`` (step ``eta = 1``; the
discrete iterates follow the flow at ``t = eta k``, checked elsewhere). (B, C)
the last 3000 epochs: per-epoch rates from the float64 samples, from the same
samples rounded to float32, and the flow's rate.
"""

import functools

import numpy as np

from dynsys.models import theory3_rates as m

from . import style

NAME = "theory3_fig6"
PAPER = "theory3"
WN_COLOUR = "#2ca02c"
COLOURS = {"gd": style.FLOW, "weight_norm": WN_COLOUR}
LABELS = {"gd": "GD", "weight_norm": "weight normalisation"}
LAST = 3000


def _epochs(quick):
    return 6000 if quick else 20000


def _t_end(quick):
    return 1e12 if quick else 1e16


@functools.lru_cache(maxsize=None)
def curves(quick=False):
    """Local rates along the flows and per-epoch rates in float64 and float32."""
    Z, what = m.iris_data("all")
    target = m.max_margin("all").v_hat
    times = np.geomspace(1.0, _t_end(quick), 241)
    steps = np.arange(1.0, _epochs(quick) + 1)
    middle = np.sqrt(steps[:-1] * steps[1:])
    out = {"what": what, "t": times, "steps": steps, "middle": middle}
    for variant in m.VARIANTS:
        sol = m.solve_rho_v(Z, variant, times)
        out[variant] = m.local_rate(times, sol.y, Z, variant, target)
        sampled = m.solve_rho_v(Z, variant, steps, method="dop853")
        for dtype in (np.float64, np.float32):
            W = (np.sign(sampled.rho) * sampled.V).astype(dtype).astype(float)
            eps = m.direction_error(W, target)
            out[variant, dtype.__name__] = np.diff(np.log(eps)) / np.diff(np.log(steps))
        tail = middle[-LAST:]
        at = m.solve_rho_v(Z, variant, tail, method="dop853")
        out[variant, "flow"] = m.local_rate(tail, at.y, Z, variant, target)
    return out


def _panel_all(ax, data):
    for variant in m.VARIANTS:
        ax.semilogx(data["t"], data[variant], color=COLOURS[variant], lw=1.6, label=f"{LABELS[variant]}: flow")
        ax.semilogx(data["middle"], data[variant, "float64"], ".", ms=1, color=COLOURS[variant], alpha=0.4,
                    label=f"{LABELS[variant]}: per epoch ($\\eta$ = 1)")
    ax.axhline(0, color="0.7", lw=0.6)
    lowest = min(data[v].min() for v in m.VARIANTS)
    ax.set_ylim(lowest - 0.005, 0.04)
    ax.set_xlabel("$t$ (= $\\eta k$)")
    ax.set_ylabel("$d\\log|\\epsilon| / d\\log t$")
    ax.set_title("(A) all epochs: smooth, slowly returning to 0")
    ax.legend(fontsize=5.5, loc="upper right", ncol=2)


def _panel_last(ax, data, variant, title):
    k = data["middle"][-LAST:]
    ax.plot(k, data[variant, "float32"][-LAST:], color="0.6", lw=0.5, label="per epoch, $v$ stored in float32")
    ax.plot(k, data[variant, "float64"][-LAST:], color=COLOURS[variant], lw=1.6, label="per epoch, float64")
    ax.plot(k, data[variant, "flow"], "--", color="k", lw=0.8, label="flow, from the vector field")
    ax.set_xlabel("epoch $k$")
    ax.set_ylabel("rate")
    ax.set_title(title)
    ax.legend(fontsize=6, loc="lower right")


def make(out_dir, quick=False):
    """Draw the three panels; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=3, width=3.3, height=3.2)
    _panel_all(axes[0, 0], data)
    _panel_last(axes[0, 1], data, "gd", f"(B) last {LAST} epochs, GD")
    _panel_last(axes[0, 2], data, "weight_norm", f"(C) last {LAST} epochs, WN")
    fig.suptitle(f"Theory III Fig. 6: rates at every epoch, {data['what']}", fontsize=9)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    data = curves(quick)
    spread = {v: np.std(data[v, "float32"][-LAST:] - data[v, "flow"]) for v in m.VARIANTS}
    return (f"Theory III Fig. 6 from the derived flows: {data['what']}, W(0) = (0, 1, -1, 0)/sqrt 2. The rate is the "
            f"local exponent d log|eps| / d log t (eps = W/|W| - v_hat). (A) along the flow to t = {_t_end(quick):.0e} "
            f"and per epoch for {len(data['steps'])} epochs (the flow sampled at t = eta k, eta = 1; the discrete "
            f"iterates follow the flow at t = eta k, checked elsewhere). (B, C) the last {LAST} epochs: float64 "
            f"samples follow the flow's rate; the same samples rounded to float32 oscillate about it (standard "
            f"deviation {spread['gd']:.1e} for GD, {spread['weight_norm']:.1e} for weight normalisation), so the "
            f"oscillations are numerical error, not dynamics.")
