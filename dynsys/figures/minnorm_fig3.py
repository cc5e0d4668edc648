"""Minnorm Fig. 3: weight trajectories of the linear chain in the ``(w1, w2)`` plane.

One example ``x = y = 1``; zero training error is the hyperbola ``w1 w2 = 1``,
the minimum-norm solutions are ``(1, 1)`` and ``(-1, -1)``. Every panel starts
from the same unbalanced point ``W0 = (0.25, 2.0)`` (``alpha0 = 0`` for
Minnorm). The discrete iterations are small NumPy loops here (the training
engine comes later); the flow drawn over them is ``chain_gd`` / ``chain_l2`` /
``chain_minnorm`` at ``tau = 1/eta``, ``r = tau*s``, integrated to ``t`` = the
number of steps (DESIGN: continuous time counts steps).

(A) gradient descent, 5K steps; (B) weight decay ``gamma = 0.05``, 20K
steps; (C) ``gamma = 0.005``, 20K steps. The caption prints no learning rate
for A-C; we use ``eta = 0.01``, the rate it prints for D.

(D) Minnorm (Alg. 1), 5K steps at the printed ``rho = s = 100, eta = 0.01``.
Finding: with these parameters the discrete iteration DIVERGES -- from
``W0 = (0.25, 2.0)`` it leaves ``|w| + |alpha| < 1e6`` within 4 steps (``eta*rho = 1``
makes even the penalty step alone unstable: near the solution it multiplies
the error ``yhat - y`` by ``1 - eta*rho*(w1^2 + w2^2) = -1`` at the minimum-norm
point and by about ``-3`` at ``W0``; the multiplier step ``s = 100`` multiplies
it further). The printed parameters therefore do not give the printed
behaviour; panel D draws what they give (the first iterates, until they leave
the frame) with the flow at ``tau = 100, r = 10^4`` (the flow itself converges).
Panel (E) uses ``rho = 10, s = 1`` (``eta = 0.01``, so ``r = 100``), which does
converge to the minimum-norm point ``(1, 1)`` within 5K steps, as the caption
describes.
"""

import numpy as np

from dynsys.integrate import solve_ivp
from dynsys.models import get
from dynsys.train.chain import gradient_descent, minnorm

from . import style

NAME = "minnorm_fig3"
W0 = (0.25, 2.0)
ETA = 0.01
X = Y = 1.0
PRINTED_D = {"rho": 100.0, "s": 100.0, "eta": 0.01, "steps": 5000}
FIXED_E = {"rho": 10.0, "s": 1.0, "eta": 0.01, "steps": 5000}


def flow(model_id, y0, steps, n_out=600, **params):
    """The flow of ``model_id`` (parameters by name) from ``y0`` to ``t = steps``: (t, y)."""
    model = get(model_id)
    f = model.compile()
    values = {**model.param_values(), **params}
    p = np.array([values[name] for name in f.param_names], float)
    t_eval = np.linspace(0.0, float(steps), n_out)
    sol = solve_ivp(f, (0.0, float(steps)), np.array(y0, float), method="dop853", args=(p,), t_eval=t_eval,
                    rtol=1e-9, atol=1e-12, max_steps=1_000_000)
    if sol.status < 0:
        raise RuntimeError(f"flow {model_id} failed: {sol.message}")
    return sol.t, sol.y


def panels(quick=False):
    """The panels' numbers: for each, the discrete iterates, the flow, and a title."""
    out = []
    for label, gamma, steps in (("A", 0.0, 5000), ("B", 0.05, 20000), ("C", 0.005, 20000)):
        it = gradient_descent(W0, ETA, gamma, steps)
        if gamma == 0:
            t, fl = flow("chain_gd", W0, steps, tau=1 / ETA)
            name = f"({label}) gradient descent, {steps // 1000}K steps"
        else:
            t, fl = flow("chain_l2", W0, steps, tau=1 / ETA, gamma=gamma)
            name = f"({label}) weight decay $\\gamma = {gamma:g}$, {steps // 1000}K steps"
        out.append({"label": label, "title": name + f", $\\eta = {ETA:g}$", "iterates": it, "flow": fl, "t": t})
    for label, prm in (("D", PRINTED_D), ("E", FIXED_E)):
        eta, rho, s, steps = prm["eta"], prm["rho"], prm["s"], prm["steps"]
        it = minnorm(W0, eta, rho, s, steps)
        t, fl = flow("chain_minnorm", (*W0, 0.0), steps, tau=1 / eta, rho=rho, r=s / eta)
        diverged = len(it) < steps + 1
        if label == "D":
            what = (f"DIVERGES after {len(it) - 1} steps (printed parameters)" if diverged
                    else "printed parameters")
        else:
            what = "parameters that converge (not printed)"
        title = (f"({label}) Minnorm, {steps // 1000}K steps, $\\rho = {rho:g}$, $s = {s:g}$, $\\eta = {eta:g}$\n"
                 f"($r = \\tau s = {s / eta:g}$): {what}")
        out.append({"label": label, "title": title, "iterates": it, "flow": fl, "t": t, "diverged": diverged})
    return out


def _draw(ax, panel):
    w = np.linspace(0.05, 3.2, 300)
    ax.plot(w, 1 / w, color=style.MANIFOLD, lw=1.0, label=r"$w_1 w_2 = 1$")
    ax.plot(-w, -1 / w, color=style.MANIFOLD, lw=1.0)
    ax.plot([1, -1], [1, -1], "*", color=style.POINT, ms=11, zorder=6, label="minimum norm")
    it, fl = panel["iterates"], panel["flow"]
    ax.plot(it[:, 0], it[:, 1], ".-", color=style.DISCRETE, ms=2.5, lw=0.6, alpha=0.7, label="discrete iterates",
            zorder=3)
    ax.plot(fl[0], fl[1], color=style.FLOW, lw=1.4, label=r"flow, $\tau = 1/\eta$", zorder=4)
    ax.plot(*W0, "ko", ms=4, zorder=7, label=f"start $W_0 = ({W0[0]:g}, {W0[1]:g})$")
    ax.plot(it[-1, 0], it[-1, 1], "s", mfc="none", mec=style.DISCRETE, ms=7, zorder=7)
    ax.set_xlim(-1.6, 2.6)
    ax.set_ylim(-1.6, 2.6)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.5, zorder=0)
    ax.axvline(0, color="0.85", lw=0.5, zorder=0)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(panel["title"], fontsize=8)


def make(out_dir, quick=False):
    """Draw the five panels (A-C as printed, D as printed, E a convergent Minnorm); return ``[png, pdf]``."""
    data = panels(quick)
    fig, axes = style.figure(ncols=3, nrows=2, width=3.5, height=3.5)
    for ax, panel in zip(axes.flat, data):
        _draw(ax, panel)
    legend_ax = axes.flat[len(data)]
    legend_ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="upper left", fontsize=8)
    legend_ax.text(0.0, 0.45,
                   f"Same unbalanced start $W_0 = ({W0[0]:g}, {W0[1]:g})$ in every panel ($\\alpha_0 = 0$).\n"
                   f"A-C: $\\eta = {ETA:g}$ (not printed in the caption).\n"
                   "Flow: $\\tau\\dot W = -\\partial L/\\partial W$, $\\tau = 1/\\eta$, $r = \\tau s$;\n"
                   "$t$ counts steps.\n"
                   "D: the printed $\\rho = s = 100$, $\\eta = 0.01$ ($\\eta\\rho = 1$)\n"
                   "make the discrete iteration diverge;\nthe flow converges. E: $\\rho = 10$, $s = 1$ converge.",
                   transform=legend_ax.transAxes, va="top", fontsize=7.5)
    fig.suptitle("Minnorm Fig. 3: linear chain $\\hat y = w_2 w_1 x$, $x = y = 1$", fontsize=10)
    return style.save(fig, out_dir, NAME)


PAPER = "minnorm"


def caption(quick=False):
    """What the figure computes and with which parameters (for ``dynsys reproduce``)."""
    return (f"Minnorm Fig. 3 recomputed: the linear chain with x = y = 1 from W0 = ({W0[0]:g}, {W0[1]:g}), "
            f"discrete iterates against the flow at tau = 1/eta integrated with DOP853. (A) gradient descent, "
            f"5K steps; (B, C) weight decay gamma = 0.05 and 0.005, 20K steps (eta = {ETA:g}, not printed in the "
            f"paper). (D) Minnorm at the printed rho = s = {PRINTED_D['rho']:g}, eta = {PRINTED_D['eta']:g}: the "
            f"discrete iteration diverges while the flow converges. (E) Minnorm at rho = {FIXED_E['rho']:g}, "
            f"s = {FIXED_E['s']:g}, which converges to the minimum-norm point (1, 1) as the caption describes.")
