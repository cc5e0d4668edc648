"""Phase portraits of any model: a 2-D model whole, or a 2-D slice of a larger one.

``phase_portrait(ax, model, ...)`` draws on a matplotlib Axes

- the vector field (streamlines) of the two plotted components,
- the nullclines (zero contours of the two plotted components),
- the fixed points, marked and labelled with the class ``model.classify``
  computes (closed form at the numeric parameters where SymPy solves, else
  roots found numerically in the search box),
- trajectories of the compiled flow (``solve_ivp``, DOP853) from a grid of
  starts,
- level sets of a first integral (2-D models only): ``model.first_integral``,
  else ``find_first_integral`` on the model with the numeric parameters
  substituted,

and returns a :class:`Portrait` with the numbers it computed.

Slices. For a model with more than two state variables the plot shows the
plane of ``x`` and ``y`` (names of state variables; default the first two);
every other state variable is held at ``fixed[name]``, by default the
coordinate of the first isolated fixed point (0 where there is none, or where
that coordinate is free along a family of fixed points), so that this point
lies in the plotted plane. The streamlines and nullclines are those of the
sliced field ``(f_x, f_y)(x, y, fixed)``; the trajectories are of the full
flow started in the plane, where the other variables evolve too: what is drawn
is the trajectory's projection on ``(x, y)``, which may cross itself and the
streamlines. Fixed points off the plane are drawn hollow at their projection.

Default box: around the fixed points' plotted coordinates, each axis
``[min c - h, max c + h]`` with ``h = max(1, max |c|)`` (so one point ``c`` gives
``c +- max(1, |c|)``: a span ``max(2, 2|c|)``), clipped at a small positive
number for variables declared positive.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import sympy

from dynsys.integrate import solve_ivp
from dynsys.stability import classified_fixed_points, search_box, sign_clipped

SEARCH_BOX = (-3.0, 3.0)
MARKERS = {"stable node": "o", "stable spiral": "o", "unstable node": "s", "unstable spiral": "s",
           "saddle": "X", "centre": "*", "degenerate": "D"}


@dataclass
class Portrait:
    """What a portrait computed: the plotted plane, the fixed points (each a dict with ``point``
    (name -> float, or str for a family), ``class``, ``eigenvalues`` (complex), ``note``,
    ``in_plane``), the box, the trajectories ``(n_state x n_t)`` and the first integral (or None)."""

    x: str
    y: str
    params: dict
    fixed: dict
    box: tuple
    fixed_points: list
    trajectories: list = field(default_factory=list)
    first_integral: object = None
    t1: float = 0.0

    def as_json(self):
        return [{"point": p["point"], "class": p["class"],
                 "eigenvalues": [[float(np.real(e)), float(np.imag(e))] for e in p["eigenvalues"]]}
                for p in self.fixed_points]


def format_eigenvalues(eigenvalues):
    out = []
    for z in eigenvalues:
        z = complex(z)
        if abs(z.imag) > 1e-12:
            out.append(f"{z.real:.3g}{'+' if z.imag > 0 else '-'}{abs(z.imag):.3g}i")
        else:
            out.append(f"{z.real:.3g}")
    return ", ".join(out)


def plane(model, x=None, y=None):
    """The names of the plotted state variables, checked: ``ValueError`` on bad input."""
    names = [s.name for s in model.state]
    if len(names) < 2:
        raise ValueError(f"model '{model.id}' has {len(names)} state variable(s); a phase portrait needs 2 or more")
    x = names[0] if x is None else x
    y = (names[1] if x != names[1] else names[0]) if y is None else y
    for v in (x, y):
        if v not in names:
            raise ValueError(f"unknown state variable '{v}' for model '{model.id}'; state: {', '.join(names)}")
    if x == y:
        raise ValueError(f"x and y must be different state variables, got '{x}' twice")
    return x, y


def fixed_points(model, values, box=None):
    """``dynsys.stability.classified_fixed_points``, searching ``SEARCH_BOX`` by default (the plotted scale)."""
    return classified_fixed_points(model, values, box if box is not None else search_box(model, SEARCH_BOX))


def default_fixed(model, points, x, y):
    """The values of the non-plotted variables: the first isolated fixed point's, else 0."""
    isolated = [p for p in points if "family" not in p]
    out = {}
    for v in model.state:
        if v.name in (x, y):
            continue
        if isolated:
            out[v.name] = float(isolated[0]["point"][v.name])
        else:
            value = next((p["family"][v] for p in points if not p["family"][v].free_symbols), None)
            out[v.name] = float(value) if value is not None else 0.0
    return out


def default_box(model, points, x, y):
    """``{x: (lo, hi), y: (lo, hi)}`` around the fixed points (see the module docstring)."""
    box = {}
    for name in (x, y):
        symbol = next(v for v in model.state if v.name == name)
        coords = [p["point"][name] for p in points if "family" not in p]
        coords = [c for c in coords if np.isfinite(c)] or [0.0]
        h = max(1.0, max(abs(c) for c in coords))
        box[name] = sign_clipped(symbol, (min(coords) - h, max(coords) + h))
    return box


def _default_t1(points):
    rates = [abs(complex(e)) for p in points for e in p["eigenvalues"] if abs(complex(e)) > 1e-9]
    if not rates:
        return 10.0
    return float(np.clip(4 * np.pi / min(rates), 2.0, 40.0))


def phase_portrait(ax, model, params=None, x=None, y=None, fixed=None, box=None, starts=4, t1=None, *,
                   density=1.0, n_grid=40, n_t=400, max_steps=20000, legend=True, title=True, labels=None):
    """Draw the phase portrait of ``model`` at ``params`` (overrides by name) on ``ax``; return a Portrait.

    ``x``, ``y``: names of the plotted state variables (default the first two);
    ``fixed``: values of the other state variables (see the module docstring);
    ``box``: ``{x: (lo, hi), y: (lo, hi)}`` or ``((lo, hi), (lo, hi))`` (default around the fixed points);
    ``starts``: an int ``n`` (an ``n x n`` grid inside the box) or a list of ``(x, y)`` starts;
    ``t1``: integration time (default ``4 pi / min |eigenvalue|``, clipped to [2, 40]).
    ``labels``: ``{name: axis label}`` (default the variable names).
    """
    values = model.param_values(**(params or {}))
    x, y = plane(model, x, y)
    labels = labels or {}
    names = [s.name for s in model.state]
    ix, iy = names.index(x), names.index(y)
    search = None
    if box is not None:
        box = dict(box) if isinstance(box, dict) else {x: tuple(box[0]), y: tuple(box[1])}
        search = [box.get(v.name, sign_clipped(v, SEARCH_BOX)) for v in model.state]
    points = fixed_points(model, values, search)
    fixed_values = default_fixed(model, points, x, y)
    unknown = [k for k in (fixed or {}) if k not in fixed_values]
    if unknown:
        raise ValueError(f"cannot fix '{unknown[0]}': the fixable state variables of model '{model.id}' are "
                         f"{', '.join(fixed_values) or 'none (2-D model)'}")
    fixed_values.update({k: float(v) for k, v in (fixed or {}).items()})
    if box is None:
        box = default_box(model, points, x, y)
    (x0, x1), (y0, y1) = box[x], box[y]

    # The sliced field on a grid.
    X, Y = np.meshgrid(np.linspace(x0, x1, n_grid), np.linspace(y0, y1, n_grid))
    pvec = np.array([values[s.name] for s in model.params], float)
    f = sympy.lambdify([model.state, model.params], [model.rhs[ix], model.rhs[iy]], "numpy")
    state = [X if n == x else Y if n == y else np.full_like(X, fixed_values[n]) for n in names]
    with np.errstate(all="ignore"):
        U, V = (np.broadcast_to(np.asarray(c, float), X.shape).copy() for c in f(state, pvec))
    finite = np.isfinite(U) & np.isfinite(V)
    if finite.any() and np.max(np.abs(np.where(finite, np.hypot(U, V), 0))) > 0:
        ax.streamplot(X, Y, np.where(finite, U, 0.0), np.where(finite, V, 0.0), color="0.75", density=density,
                      linewidth=0.6, arrowsize=0.7)
    for C, colour, name in ((U, "#2ca02c", x), (V, "#9467bd", y)):
        Cm = np.ma.masked_invalid(C)
        if Cm.count() and Cm.min() < 0 < Cm.max():
            ax.contour(X, Y, Cm, levels=[0.0], colors=colour, linewidths=1.0, linestyles="--")
            ax.plot([], [], "--", color=colour, label=f"d{labels.get(name, name)}/dt = 0")

    # A first integral's level sets (2-D only).
    integral = None
    if len(names) == 2:
        numeric = model.substitute(model.symbol_values(**values))
        H = numeric.first_integral if numeric.first_integral is not None else numeric.find_first_integral()
        if H is not None and not H.free_symbols - set(model.state):
            integral = H
            h = sympy.lambdify([model.state], H, "numpy")
            fine = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
            with np.errstate(all="ignore"):
                Hv = np.ma.masked_invalid(np.broadcast_to(np.asarray(h(fine), float), fine[0].shape))
            if Hv.count() > 10:
                levels = np.unique(np.percentile(Hv.compressed(), [3, 10, 20, 35, 50, 65, 80]))
                if len(levels) > 1:
                    ax.contour(*fine, Hv, levels=levels, colors="0.3", linewidths=0.7, alpha=0.8)
                    ax.plot([], [], color="0.3", lw=0.7, label=f"H = const: ${sympy.latex(H)}$")

    # Trajectories of the full flow, projected on the plane.
    if t1 is None:
        t1 = _default_t1(points)
    if isinstance(starts, (int, np.integer)):
        fr = (np.arange(starts) + 0.5) / starts
        starts = [(x0 + a * (x1 - x0), y0 + b * (y1 - y0)) for a in fr for b in fr]
    flow = model.compile()
    t_eval = np.linspace(0.0, t1, n_t)
    trajectories = []
    for sx, sy in starts:
        y_start = np.array([sx if n == x else sy if n == y else fixed_values[n] for n in names], float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            sol = solve_ivp(flow, (0.0, t1), y_start, method="dop853", args=(pvec,), t_eval=t_eval,
                            rtol=1e-8, atol=1e-10, max_steps=max_steps)
        traj = np.asarray(sol.y, float)
        trajectories.append(traj)
        if traj.shape[1]:
            ax.plot(traj[ix], traj[iy], color="#1f77b4", lw=0.9)
        ax.plot(sx, sy, "o", color="#1f77b4", ms=2.5)

    # Fixed points.
    others = [n for n in names if n not in (x, y)]
    for p in points:
        if "family" in p:
            _draw_family(ax, model, p["family"], x, y, (x0, x1), (y0, y1))
            continue
        p["in_plane"] = all(abs(p["point"][n] - fixed_values[n]) <= 1e-9 * max(1.0, abs(fixed_values[n]))
                            for n in others)
        px, py = p["point"][x], p["point"][y]
        if not (x0 <= px <= x1 and y0 <= py <= y1):
            continue
        ax.plot(px, py, MARKERS.get(p["class"], "o"), ms=9, zorder=5, color="#d62728",
                markerfacecolor="#d62728" if p["in_plane"] else "none",
                label=f"({px:.3g}, {py:.3g}): {p['class']}" + ("" if p["in_plane"] else " (off the plane)"))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(labels.get(x, x))
    ax.set_ylabel(labels.get(y, y))
    if title:
        where = ", ".join(f"{k} = {v:g}" for k, v in values.items())
        sliced = (" | " + ", ".join(f"{k} = {v:.3g}" for k, v in fixed_values.items())) if fixed_values else ""
        ax.set_title(f"{model.id}: {where}{sliced}", fontsize=8)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7, frameon=False)
    return Portrait(x, y, values, fixed_values, ((x0, x1), (y0, y1)), points, trajectories, integral, float(t1))


def _draw_family(ax, model, coords, x, y, xr, yr):
    """A one-parameter family of fixed points whose free variable is x or y: drawn as a curve."""
    sx = next(v for v in model.state if v.name == x)
    sy = next(v for v in model.state if v.name == y)
    free = set().union(*(c.free_symbols for c in coords.values()))
    if len(free) != 1:
        return
    (s,) = free
    if s not in (sx, sy):
        return
    grid = np.linspace(*(xr if s == sx else yr), 400)
    with np.errstate(all="ignore"):
        cx = np.broadcast_to(np.asarray(sympy.lambdify([s], coords[sx], "numpy")(grid), float), grid.shape)
        cy = np.broadcast_to(np.asarray(sympy.lambdify([s], coords[sy], "numpy")(grid), float), grid.shape)
    ax.plot(cx, cy, color="#d62728", lw=2.0, alpha=0.6, zorder=4,
            label=f"fixed points {sx.name} = {coords[sx]}, {sy.name} = {coords[sy]}: degenerate")
