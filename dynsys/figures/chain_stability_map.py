"""Stability map of the balanced Minnorm chain in the ``(rho, r)`` plane (Minnorm eq. 17-18).

Left: the class of the fixed point ``(wbar, alpha) = (1, 1)`` (``x = y = 1,
tau = 1``) at each grid point, from the eigenvalues of the numeric Jacobian
(the derived ``model.jacobian()`` evaluated there), with the analytic
spiral/node boundary ``r = rho^2/2`` overlaid. Middle: the decay rate measured
from an ``ensemble`` simulation (slope of a least-squares fit of the log
distance to the fixed point against time, per member, started at a small
perturbation) against the predicted ``-Re(lambda_max)`` = ``rho`` for spirals,
``rho - sqrt(rho^2 - 2r)`` for nodes. Right: the predicted convergence time
``ln(1/EPS)/rate`` against the measured first time the distance falls below
``EPS`` times its initial value.

Both maps are sweeps (``dynsys.sweep``) run on the ``ensemble`` executor: the
class map of kind ``stability``, the rates and times of kind ``simulate``.
"""

import numpy as np

from dynsys.sweep import build, run_sweep

from . import style

NAME = "chain_stability_map"
BASE = {"x": 1.0, "y": 1.0, "tau": 1.0}
POINT = np.array([1.0, 1.0])
DELTA = np.array([1e-3, 1e-3])  # the ensemble's initial perturbation from the fixed point
EPS = 1e-4  # convergence: distance below EPS times the initial distance
FIT = (1e-1, 1e-6)  # the fit window, as fractions of the initial distance


def predicted_rate(rho, r, tau=1.0):
    """``-Re(lambda_max)`` from eq. 18: ``rho`` for spirals, ``rho - sqrt(rho^2 - 2r)`` for nodes (over tau)."""
    rho, r = np.asarray(rho, float), np.asarray(r, float)
    disc = rho**2 - 2 * r
    return np.where(disc < 0, rho, rho - np.sqrt(np.maximum(disc, 0.0))) / tau


def grid(quick=False):
    n = 20 if quick else 60
    return np.linspace(0.1, 3.0, n), np.linspace(0.1, 3.0, n)


def _axis(name, values):
    return f"{name}=" + ",".join(repr(float(v)) for v in values)  # repr: the values exactly


def class_map(rhos, rs):
    """Class names and eigenvalues on the grid (rows: r, columns: rho): a ``stability`` sweep of the
    fixed point ``POINT``, whose class follows ``classify``'s rules."""
    spec = build("stability", "chain_minnorm_balanced", [_axis("r", rs), _axis("rho", rhos)],
                 options={**BASE, "point": POINT.tolist()})
    result = run_sweep(spec, executor="ensemble")
    if result["failed"].any():
        raise RuntimeError(f"stability sweep failed: {result['error'].values[result['failed'].values][0]}")
    classes = result["class"].values.astype(object)
    eigs = result["eig_real"].values + 1j * result["eig_imag"].values
    return classes, eigs


def measured_rates(rho, r, quick=False):
    """Decay rate and convergence time per (rho, r) member, from one ``simulate`` sweep on the ensemble
    executor over the product of the members' distinct rho and r values (the figure's members form it).

    The rate is fitted on ``ln d`` from the first time ``d < FIT[0]`` to the first ``d < FIT[1]``
    (``d`` the distance to ``POINT`` over its initial value), the time is the first with ``d < EPS``.
    """
    rho, r = np.ravel(rho), np.ravel(r)
    rate_min = float(np.min(predicted_rate(rho, r)))
    t1 = np.log(1 / FIT[1]) / rate_min * 1.3
    rhos, rs = np.unique(rho), np.unique(r)
    options = {**BASE, "point": POINT.tolist(), "delta": DELTA.tolist(), "t1": t1, "n_eval": 1500 if quick else 4000,
               "method": "dop853", "rtol": 1e-11, "atol": 1e-15, "max_steps": 200_000, "window": list(FIT),
               "eps": EPS}
    result = run_sweep(build("simulate", "chain_minnorm_balanced", [_axis("rho", rhos), _axis("r", rs)],
                             options=options), executor="ensemble")
    at = (np.searchsorted(rhos, rho), np.searchsorted(rs, r))
    ok = ~result["failed"].values[at] & (result["success"].values[at] == 1)
    return np.where(ok, result["rate"].values[at], np.nan), np.where(ok, result["t_converged"].values[at], np.nan)


def make(out_dir, quick=False):
    """Draw the map, the decay-rate and the convergence-time panels; return ``[png, pdf]``."""
    rhos, rs = grid(quick)
    classes, eigs = class_map(rhos, rs)
    names = sorted(set(classes.ravel()))
    codes = np.vectorize(names.index)(classes)
    fig, axes = style.figure(ncols=3, width=3.6, height=3.4)
    ax = axes[0, 0]
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([style.CLASS_COLOURS.get(n, "0.5") for n in names])
    drho, dr = rhos[1] - rhos[0], rs[1] - rs[0]
    ax.imshow(codes, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5, aspect="auto",
              extent=(rhos[0] - drho / 2, rhos[-1] + drho / 2, rs[0] - dr / 2, rs[-1] + dr / 2),
              interpolation="nearest")
    fine = np.linspace(0, rhos[-1] + drho / 2, 200)
    ax.plot(fine, fine**2 / 2, "k-", lw=1.5, label=r"$r = \rho^2/2$ (eq. 18)")
    for n in names:
        ax.fill_between([], [], color=style.CLASS_COLOURS.get(n, "0.5"), label=n)
    ax.set_xlim(rhos[0] - drho / 2, rhos[-1] + drho / 2)
    ax.set_ylim(rs[0] - dr / 2, rs[-1] + dr / 2)
    ax.set_xlabel(r"$\rho$")
    ax.set_ylabel(r"$r$")
    ax.set_title(r"class of $(\bar w, \alpha) = (1, 1)$ from the numeric Jacobian" + "\n"
                 r"$x = y = 1$, $\tau = 1$", fontsize=8.5)
    ax.legend(loc="upper left", framealpha=0.9)

    # measured rates on a sub-grid (every member of the quick grid; every 3rd of the full one)
    step = 1 if quick else 3
    R, P = np.meshgrid(rs[::step], rhos[::step], indexing="ij")
    rates, times = measured_rates(P, R, quick)
    pred = predicted_rate(P.ravel(), R.ravel())
    spiral = (R < P**2 / 2).ravel() == False  # noqa: E712  (r >= rho^2/2: spiral or critical)
    ax = axes[0, 1]
    lim = [0, max(np.nanmax(pred), np.nanmax(rates)) * 1.05]
    ax.plot(lim, lim, "k-", lw=0.8, label="measured = predicted")
    ax.plot(pred[spiral], rates[spiral], "o", ms=3, color="#3182bd", label=r"spiral: $-\mathrm{Re}\,\lambda = \rho$")
    ax.plot(pred[~spiral], rates[~spiral], "s", ms=3, color="#e6550d",
            label=r"node: $\rho - \sqrt{\rho^2 - 2r}$")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel(r"predicted rate $-\mathrm{Re}\,\lambda_{\max}$")
    ax.set_ylabel("measured rate (fit of $\\ln|z(t) - z^*|$)")
    ax.set_title(f"decay rate, ensemble of {rates.size} members (DOP853)", fontsize=8.5)
    ax.legend(loc="upper left")

    ax = axes[0, 2]
    tpred = np.log(1 / EPS) / pred
    ok = np.isfinite(times)
    ax.loglog(tpred[spiral & ok], times[spiral & ok], "o", ms=3, color="#3182bd", label="spiral")
    ax.loglog(tpred[~spiral & ok], times[~spiral & ok], "s", ms=3, color="#e6550d", label="node")
    lo, hi = np.nanmin([tpred.min(), np.nanmin(times)]), np.nanmax([tpred.max(), np.nanmax(times)])
    ax.loglog([lo, hi], [lo, hi], "k-", lw=0.8, label="measured = predicted")
    ax.set_xlabel(r"predicted time $\ln(10^{4}) / (-\mathrm{Re}\,\lambda_{\max})$")
    ax.set_ylabel(r"measured time to $|z - z^*| < 10^{-4}|z_0 - z^*|$")
    ax.set_title("convergence time", fontsize=8.5)
    ax.legend(loc="upper left")
    fig.suptitle(r"Balanced Minnorm chain: stability in the $(\rho, r)$ plane", fontsize=10)
    return style.save(fig, out_dir, NAME)


PAPER = "minnorm"


def caption(quick=False):
    """What the figure computes and with which parameters (for ``dynsys reproduce``)."""
    rhos, rs = grid(quick)
    members = len(rhos[:: 1 if quick else 3]) * len(rs[:: 1 if quick else 3])
    return (f"Stability of the fixed point (1, 1) of chain_minnorm_balanced (x = y = 1, tau = 1) on a "
            f"{len(rhos)} x {len(rs)} grid of rho, r in [{rhos[0]:g}, {rhos[-1]:g}]. Left: the class from the "
            "eigenvalues of the derived Jacobian, with the boundary r = rho^2/2 of eq. 18. Middle: the decay rate "
            f"fitted on an ensemble of {members} DOP853 runs (rtol 1e-11) started 1e-3 from the fixed point, "
            "against -Re(lambda_max) predicted by eq. 18. Right: predicted against measured time to shrink the "
            f"distance by {1 / EPS:g}.")
