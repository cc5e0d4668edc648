"""Fixed points of a model: closed form where SymPy solves, else numeric roots in a box."""

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import sympy

from ..errors import ModelError
from .linear import require_autonomous


@dataclass(frozen=True)
class FixedPoint:
    """``point`` maps each state symbol to its value (a symbol itself where
    the fixed points form a family); ``note`` is 'closed form' or 'numeric'."""

    point: dict
    note: str


def fixed_points(model, params=None, box=None, *, tol=1e-10, starts_per_axis=None):
    """The fixed points of ``model.rhs`` (projections are not applied).

    ``params`` (overrides by name, the rest from the defaults) makes the
    coefficients numeric; with ``box`` (``{state name: (lo, hi)}`` or one
    ``(lo, hi)`` per state variable) every root in the box is searched for
    numerically: ``scipy.optimize.root`` from a grid of starts
    (``starts_per_axis``: one count, or one per state variable; about 2000
    starts by default), each root verified by ``|f| < tol`` and deduplicated. Without a box, ``sympy.solve``
    is used when the field is rational in the state; other fields need a box.
    """
    require_autonomous(model, "a fixed point")
    rhs = model.rhs
    if params is not None:
        rhs = rhs.subs(model.symbol_values(**params))
    if box is not None:
        if params is None:
            rhs = rhs.subs(model.symbol_values())
        return _numeric(model, rhs, _box(model, box), tol, starts_per_axis)
    no_closed_form = ModelError(
        f"no closed-form fixed points for model '{model.id}': pass params= and box= to search numerically"
    )
    if not all(f.is_rational_function(*model.state) for f in rhs):
        raise no_closed_form
    try:
        solutions = sympy.solve(list(rhs), model.state, dict=True)
    except NotImplementedError:
        raise no_closed_form from None
    points = []
    for solution in solutions:
        point = {v: sympy.simplify(solution.get(v, v)) for v in model.state}
        if params is not None and not all(value.is_real is not False for value in point.values()):
            continue
        free = [str(v) for v in model.state if v not in solution]
        points.append(FixedPoint(point, "closed form" + (f" (family: {', '.join(free)} free)" if free else "")))
    return points


def _box(model, box):
    if isinstance(box, dict):
        unknown = [name for name in box if name not in {v.name for v in model.state}]
        if unknown or len(box) != len(model.state):
            names = ", ".join(v.name for v in model.state)
            raise ModelError(f"box for model '{model.id}' must give (lo, hi) for each of {names}")
        box = [box[v.name] for v in model.state]
    bounds = np.asarray(box, dtype=float)
    if bounds.shape != (len(model.state), 2) or not np.all(np.isfinite(bounds)) or np.any(bounds[:, 0] >= bounds[:, 1]):
        raise ModelError(f"box for model '{model.id}' must be finite (lo, hi) pairs, lo < hi, one per state variable")
    return bounds


def _numeric(model, rhs, bounds, tol, starts_per_axis):
    n = len(model.state)
    f = sympy.lambdify([model.state], list(rhs), "numpy")
    jac = sympy.lambdify([model.state], rhs.jacobian(model.state), "numpy")
    per_axis = np.broadcast_to(starts_per_axis or max(3, int(round(2000 ** (1 / n)))), (n,))
    axes = [np.linspace(lo, hi, int(m)) for (lo, hi), m in zip(bounds, per_axis)]
    span = bounds[:, 1] - bounds[:, 0]
    roots = []
    with np.errstate(all="ignore"):
        for start in itertools.product(*axes):
            sol = scipy.optimize.root(lambda z: np.asarray(f(z), float), start, jac=lambda z: np.asarray(jac(z), float))
            z = sol.x
            inside = np.all(z >= bounds[:, 0] - 1e-9 * span) and np.all(z <= bounds[:, 1] + 1e-9 * span)
            if not (inside and np.all(np.isfinite(z)) and np.max(np.abs(f(z))) < tol):
                continue
            if all(np.max(np.abs(z - r) / span) > 1e-6 for r in roots):
                roots.append(z)
    roots.sort(key=tuple)
    return [FixedPoint({v: float(x) for v, x in zip(model.state, z)}, "numeric") for z in roots]
