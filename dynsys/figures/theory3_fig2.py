"""Theory III Fig. 2: the W flow, its reparametrisation in (rho, V) and weight normalisation (sec. 11.2).

The linear network of Fig. 2: two parameters, two training examples ``x1 =
(1, 1/4)``, ``x2 = (1/2, 1)`` (both labelled +1), exponential loss. Three
flows from ``W0 = (0.5, -0.5)``: gradient descent on ``W`` (``theory3_linear_gd``,
dashed), the same flow lifted to ``(rho, V)`` (``theory3_linear_rho_v``, drawn
as ``rho V``: it must coincide) and weight normalisation
(``theory3_weight_norm``, ``rho V``: different trajectories). (A) the
components against time; (B) the deviation ``|rho V - W|`` of the lift, next to
the error of the W flow itself (rtol 1e-11 against a reference at rtol 1e-13,
SciPy's DOP853), i.e. integration accuracy; (C) the trajectories in the plane with the
hard-margin SVM direction they turn towards.
"""

import numpy as np

from dynsys.integrate import solve_ivp
from dynsys.models import get
from dynsys.models.theory3 import EXAMPLE_X
from dynsys.train.perceptron import max_margin

from . import style

NAME = "theory3_fig2"
PAPER = "theory3"
W0 = np.array([0.5, -0.5])
T_FINAL = 1e6
COLOURS = {"lift": ("#ff7f0e", "#1f77b4"), "weight_norm": ("#2ca02c", "#d62728")}
TOL = dict(rtol=1e-11, atol=1e-13)


def _solve(model_id, y0, t, method="dop853", tolerances=TOL):
    flow = get(model_id).compile()
    sol = solve_ivp(flow, (0.0, t[-1]), np.asarray(y0, float), method=method, t_eval=t, args=(flow.params,),
                    **tolerances)
    if sol.status < 0:
        raise RuntimeError(f"flow {model_id} failed: {sol.message}")
    return sol.y


def curves(quick=False):
    """``W(t)`` of the three flows (as ``rho V`` for the lifted ones) and the two deviations of panel B."""
    t = np.geomspace(1e-2, 1e4 if quick else T_FINAL, 150 if quick else 400)
    start = np.r_[np.linalg.norm(W0), W0 / np.linalg.norm(W0)]
    w = _solve("theory3_linear_gd", W0, t)
    reference = _solve("theory3_linear_gd", W0, t, "scipy:DOP853", dict(rtol=1e-13, atol=1e-15))
    lift = _solve("theory3_linear_rho_v", start, t)
    normalised = _solve("theory3_weight_norm", start, t)
    return {"t": t, "gd": w, "lift": lift[0] * lift[1:], "weight_norm": normalised[0] * normalised[1:],
            "lift_deviation": np.linalg.norm(lift[0] * lift[1:] - w, axis=0),
            "integration_error": np.linalg.norm(reference - w, axis=0),
            "unit_norm_drift": np.abs(np.linalg.norm(lift[1:], axis=0) - 1).max()}


def _components(ax, data):
    t = data["t"]
    for i in range(2):
        ax.plot(t, data["lift"][i], color=COLOURS["lift"][i], lw=2.2, alpha=0.8,
                label=f"$\\rho v_{i + 1}$, lifted GD")
        ax.plot(t, data["weight_norm"][i], color=COLOURS["weight_norm"][i], label=f"$\\rho v_{i + 1}$, weight norm.")
        ax.plot(t, data["gd"][i], "k--", lw=0.9, label="$w_1, w_2$: $\\dot W = -\\partial L/\\partial W$" if i == 0 else None)
    ax.set_xscale("log")
    ax.axhline(0, color="0.85", lw=0.5, zorder=0)
    ax.set_xlabel("$t$")
    ax.set_ylabel("weight components")
    ax.legend(fontsize=6.5, loc="upper left")
    ax.set_title("(A) components against time")


def _deviation(ax, data):
    t = data["t"]
    floor = 1e-18
    ax.loglog(t, np.maximum(data["lift_deviation"], floor), color=style.FLOW, label="$|\\rho V - W|$ (lift vs W flow)")
    ax.loglog(t, np.maximum(data["integration_error"], floor), color="0.5", lw=0.9,
              label="$|W - W_{\\rm ref}|$ (W flow's own error)")
    ax.loglog(t, np.linalg.norm(data["weight_norm"] - data["gd"], axis=0), color=COLOURS["weight_norm"][1],
              label="$|\\rho V - W|$ (weight norm. vs W flow)")
    ax.set_ylim(1e-17, 1e2)
    ax.set_xlabel("$t$")
    ax.set_ylabel("distance")
    ax.legend(fontsize=6.5, loc="lower right")
    ax.set_title("(B) the lift coincides to integration accuracy")


def _plane(ax, data):
    svm = max_margin(np.array(EXAMPLE_X, float), [1, 1])
    direction = svm.w / np.linalg.norm(svm.w)
    keep = data["t"] <= 1e3
    ax.plot(*data["gd"][:, keep], "k--", lw=0.9, label="W flow")
    ax.plot(*data["lift"][:, keep], color=COLOURS["lift"][0], lw=2.2, alpha=0.6, label="lifted GD")
    ax.plot(*data["weight_norm"][:, keep], color=COLOURS["weight_norm"][0], label="weight normalisation")
    s = np.linspace(0, 8, 2)
    ax.plot(s * direction[0], s * direction[1], ":", color="0.4", label="SVM direction")
    for x in EXAMPLE_X:
        ax.plot(*np.array(x, float), "ks", mfc="none", ms=6)
    ax.plot(*W0, "ko", ms=4, label="start")
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(fontsize=6.5, loc="lower right")
    ax.set_title("(C) trajectories, $t \\leq 10^3$ (squares: $x_1, x_2$)")


def make(out_dir, quick=False):
    """Draw the three panels; return ``[png, pdf]``."""
    data = curves(quick)
    fig, axes = style.figure(ncols=3, nrows=1, width=3.6, height=3.3)
    _components(axes[0, 0], data)
    _deviation(axes[0, 1], data)
    _plane(axes[0, 2], data)
    fig.suptitle("Theory III Fig. 2: linear network, two parameters, two examples, exponential loss, "
                 "from $W_0 = (0.5, -0.5)$", fontsize=10)
    return style.save(fig, out_dir, NAME)


def caption(quick=False):
    """What the figure computes, with the deviations."""
    data = curves(quick)
    return (f"Theory III Fig. 2 recomputed (DOP853, rtol 1e-11) to t = {data['t'][-1]:.0e} from W0 = (0.5, -0.5): the "
            f"lifted flow's rho V stays within {data['lift_deviation'].max():.1e} of the W flow (whose own error, against "
            f"SciPy's DOP853 at rtol 1e-13, is up to {data['integration_error'].max():.1e}; | |V| - 1 | <= "
            f"{data['unit_norm_drift']:.1e}); "
            f"weight normalisation's rho V departs from W by up to "
            f"{np.linalg.norm(data['weight_norm'] - data['gd'], axis=0).max():.2f}.")
