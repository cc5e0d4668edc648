"""Phase portraits of the balanced Minnorm chain in ``(wbar, alpha)`` (Minnorm eq. 17, sec. 3.2.2).

``chain_minnorm_balanced`` at ``x = y = 1, tau = 1`` for a spiral
(``rho = 0.3, r = 2``), a node (``rho = 3, r = 1``) and the centre
(``rho = 0, r = 2``). Each panel: the vector field (streamlines), the
nullclines (zero contours of each component of the derived right-hand side),
the fixed point ``(1, 1)`` marked with the class computed by
``model.classify``, trajectories from a grid of starts (``solve_ivp``,
DOP853), and at ``rho = 0`` level sets of the first integral that
``find_first_integral`` finds on the substituted model (eq. 19).
"""

import numpy as np

from dynsys.models import get
from dynsys.teach.portrait import format_eigenvalues, phase_portrait

from . import style

NAME = "chain_phase_portrait"
CASES = ({"rho": 0.3, "r": 2.0}, {"rho": 3.0, "r": 1.0}, {"rho": 0.0, "r": 2.0})
BASE = {"x": 1.0, "y": 1.0, "tau": 1.0}
WBAR = (0.02, 2.6)
ALPHA = (-1.0, 3.0)
STARTS = [(w, a) for w in (0.25, 0.6, 1.6, 2.3) for a in (-0.5, 0.5, 2.0)]


def _draw(ax, params, quick=False):
    """One panel, drawn by ``dynsys.teach.phase_portrait``; returns its Portrait."""
    model = get("chain_minnorm_balanced")
    values = {**BASE, **params}
    t1 = 12.0
    if params["rho"] == 0:  # one period of the centre, a little more
        point = model.fixed_points(params=values)[0]
        t1 = 2 * np.pi / abs(model.classify(values, point).eigenvalues[0].imag) * 1.05
    portrait = phase_portrait(ax, model, values, box={"wbar": WBAR, "alpha": ALPHA}, starts=STARTS, t1=t1,
                              density=0.9, n_grid=25 if quick else 40, n_t=300 if quick else 800, title=False,
                              labels={"wbar": r"$\bar w$", "alpha": r"$\alpha$"})
    (fp,) = portrait.fixed_points
    ax.set_title(f"$\\rho = {params['rho']:g}$, $r = {params['r']:g}$ ({fp['class']})\n"
                 f"$\\lambda$ = {format_eigenvalues(fp['eigenvalues'])}")
    return portrait


def make(out_dir, quick=False):
    """Draw the three portraits; return ``[png, pdf]``."""
    fig, axes = style.figure(ncols=len(CASES), width=3.7, height=3.6)
    for ax, params in zip(axes[0], CASES):
        _draw(ax, params, quick)
    fig.suptitle(r"Balanced Minnorm chain (eq. 17), $x = y = 1$, $\tau = 1$: "
                 r"$\dot{\bar w} = 2\bar w(\alpha - 1 + \rho(1 - \bar w))$, $\dot\alpha = r(1 - \bar w)$")
    return style.save(fig, out_dir, NAME)


PAPER = "minnorm"


def caption(quick=False):
    """What the figure computes and with which parameters (for ``dynsys reproduce``)."""
    cases = "; ".join(f"rho = {c['rho']:g}, r = {c['r']:g}" for c in CASES)
    n = 25 if quick else 40
    return (f"Phase portraits of the balanced Minnorm chain chain_minnorm_balanced (eq. 17) in (wbar, alpha) at "
            f"x = y = 1, tau = 1, for {cases}. Streamlines of the derived vector field on a {n} x {n} grid, "
            "its nullclines, the fixed point (1, 1) with the class computed from its eigenvalues, 12 trajectories "
            "integrated with the project's DOP853 (rtol 1e-9), and at rho = 0 level sets of the first integral "
            "found symbolically (eq. 19).")
