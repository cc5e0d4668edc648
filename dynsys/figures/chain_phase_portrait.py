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
import sympy

from dynsys.integrate import solve_ivp
from dynsys.models import chain, get

from . import style

NAME = "chain_phase_portrait"
CASES = ({"rho": 0.3, "r": 2.0}, {"rho": 3.0, "r": 1.0}, {"rho": 0.0, "r": 2.0})
BASE = {"x": 1.0, "y": 1.0, "tau": 1.0}
WBAR = (0.02, 2.6)
ALPHA = (-1.0, 3.0)


def _fmt_eig(eig):
    out = []
    for z in eig:
        if abs(z.imag) > 1e-12:
            out.append(f"{z.real:.3g}{'+' if z.imag > 0 else '-'}{abs(z.imag):.3g}i")
        else:
            out.append(f"{z.real:.3g}")
    return ", ".join(out)


def panel_data(params, quick=False):
    """Everything one panel draws, as numbers: class, eigenvalues, field, trajectories, integral."""
    model = get("chain_minnorm_balanced")
    values = {**BASE, **params}
    point = model.fixed_points()[0]
    cls = model.classify(values, point)
    z = np.array([float(point.point[s].subs({chain.x: 1, chain.y: 1})) for s in model.state])
    n = 25 if quick else 40
    wb, al = np.meshgrid(np.linspace(*WBAR, n), np.linspace(*ALPHA, n))
    p = [values[s.name] for s in model.params]
    f = sympy.lambdify([model.state, model.params], list(model.rhs), "numpy")
    U, V = (np.broadcast_to(np.asarray(c, float), wb.shape) for c in f((wb, al), p))
    flow = model.compile()
    pvec = np.array(p, float)
    starts = [(w, a) for w in (0.25, 0.6, 1.6, 2.3) for a in (-0.5, 0.5, 2.0)]
    t1 = 12.0 if params["rho"] > 0 else 2 * np.pi / abs(cls.eigenvalues[0].imag) * 1.05
    t_eval = np.linspace(0.0, t1, 300 if quick else 800)
    trajectories = []
    for y0 in starts:
        sol = solve_ivp(flow, (0.0, t1), np.array(y0, float), method="dop853", args=(pvec,), t_eval=t_eval,
                        rtol=1e-9, atol=1e-12)
        trajectories.append(sol.y)
    integral = None
    if params["rho"] == 0:
        reduced = model.substitute({chain.rho: 0, chain.x: 1, chain.y: 1, chain.tau: 1})
        H = reduced.find_first_integral()
        H = sympy.simplify(H.subs(chain.r, sympy.nsimplify(params["r"])))
        h = sympy.lambdify([model.state], H, "numpy")
        integral = (H, h)
    return {"model": model, "class": cls, "point": z, "grid": (wb, al, U, V), "trajectories": trajectories,
            "integral": integral}


def _draw(ax, params, data):
    wb, al, U, V = data["grid"]
    ax.streamplot(wb, al, U, V, color="0.75", density=0.9, linewidth=0.6, arrowsize=0.7)
    ax.contour(wb, al, U, levels=[0.0], colors="#2ca02c", linewidths=1.0, linestyles="--")
    ax.contour(wb, al, V, levels=[0.0], colors="#9467bd", linewidths=1.0, linestyles="--")
    ax.plot([], [], "--", color="#2ca02c", label=r"$\dot{\bar w} = 0$")
    ax.plot([], [], "--", color="#9467bd", label=r"$\dot\alpha = 0$")
    if data["integral"] is not None:
        H, h = data["integral"]
        fine = np.meshgrid(np.linspace(*WBAR, 200), np.linspace(*ALPHA, 200))
        Hv = h(fine)
        h0 = h(data["point"])
        ax.contour(*fine, Hv, levels=h0 + np.array([0.05, 0.2, 0.5, 1.0, 2.0, 3.5]), colors="0.3",
                   linewidths=0.7, alpha=0.8)
        ax.plot([], [], color="0.3", lw=0.7, label="$H$ = const: " + f"${sympy.latex(H)}$")
    for y in data["trajectories"]:
        ax.plot(y[0], y[1], color=style.FLOW, lw=0.9)
        ax.plot(y[0, 0], y[1, 0], "o", color=style.FLOW, ms=2.5)
    ax.plot(*data["point"], "*", color=style.POINT, ms=11, zorder=5, label=f"fixed point: {data['class'].class_}")
    ax.set_xlim(*WBAR)
    ax.set_ylim(*ALPHA)
    ax.set_xlabel(r"$\bar w$")
    ax.set_ylabel(r"$\alpha$")
    ax.set_title(f"$\\rho = {params['rho']:g}$, $r = {params['r']:g}$ ({data['class'].class_})\n"
                 f"$\\lambda$ = {_fmt_eig(data['class'].eigenvalues)}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)


def make(out_dir, quick=False):
    """Draw the three portraits; return ``[png, pdf]``."""
    fig, axes = style.figure(ncols=len(CASES), width=3.7, height=3.6)
    for ax, params in zip(axes[0], CASES):
        _draw(ax, params, panel_data(params, quick))
    fig.suptitle(r"Balanced Minnorm chain (eq. 17), $x = y = 1$, $\tau = 1$: "
                 r"$\dot{\bar w} = 2\bar w(\alpha - 1 + \rho(1 - \bar w))$, $\dot\alpha = r(1 - \bar w)$")
    return style.save(fig, out_dir, NAME)
