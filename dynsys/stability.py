"""Stability of a model's fixed points at given parameters, confirmed by simulation.

The class of each fixed point comes from its eigenvalues
(``dynsys.symbolic.analysis.stability.classify``); the simulation is a second,
independent witness: from a small perturbation the compiled flow must converge
back (stable classes), leave (unstable classes and saddles), or stay on a
closed orbit around it with its first integral conserved (centres).
"""

from dataclasses import dataclass

import numpy as np
import sympy

from dynsys.integrate import solve_ivp
from dynsys.symbolic import ModelError
from dynsys.symbolic.analysis.stability import Classification

SEARCH_BOX = (-10.0, 10.0)  # per state variable, where fixed points have no closed form
PERTURBATION = 1e-3
TIME_CONSTANTS = 25.0
PERIODS = 10


@dataclass
class FixedPointReport:
    """One fixed point: its coordinates, eigenvalues, class and the simulation's verdict."""

    point: dict
    eigenvalues: list
    class_: str
    note: str
    confirmed_by_simulation: bool
    evidence: str
    linear_only: bool = False

    def as_json(self):
        return {
            "point": self.point,
            "eigenvalues": [[float(np.real(e)), float(np.imag(e))] for e in self.eigenvalues],
            "class": self.class_,
            "note": self.note,
            "confirmed_by_simulation": self.confirmed_by_simulation,
            "evidence": self.evidence,
        }


def sign_clipped(variable, interval):
    """``interval`` cut to the positive (or nonnegative) side where ``variable`` is declared so."""
    lo, hi = interval
    if variable.is_positive or variable.is_nonnegative:
        lo = max(lo, 1e-3 * (hi - max(lo, 0.0)) if variable.is_positive else 0.0)
    return (lo, hi)


def search_box(model, interval=SEARCH_BOX):
    """``interval`` for every state variable, ``sign_clipped``."""
    return [sign_clipped(v, interval) for v in model.state]


def classified_fixed_points(model, values, box=None):
    """The fixed points at numeric ``values`` (name -> float), each classified from its eigenvalues.

    Closed form where SymPy solves; otherwise all roots in ``box`` (one
    ``(lo, hi)`` per state variable; default ``search_box(model)``), found
    numerically. Each is a dict with ``point`` (name -> float), ``class``,
    ``eigenvalues``, ``note`` and ``linear_only``; a family of fixed points
    (free coordinates) is reported once with its coordinates as strings, class
    ``'degenerate'``, no eigenvalues and the symbolic coordinates in ``family``.
    """
    try:
        points = model.fixed_points(params=values)
    except ModelError:
        points = model.fixed_points(params=values, box=box if box is not None else search_box(model))
    out = []
    for fixed_point in points:
        coords = {v: sympy.sympify(fixed_point.point[v]) for v in model.state}
        if any(c.free_symbols for c in coords.values()):
            out.append({"point": {v.name: str(c) for v, c in coords.items()}, "class": "degenerate",
                        "eigenvalues": [], "note": "a family of fixed points: " + fixed_point.note,
                        "linear_only": True, "family": coords})
            continue
        z = {v.name: float(c) for v, c in coords.items()}
        found = model.classify(values, z)
        out.append({"point": z, "class": found.class_, "eigenvalues": list(found.eigenvalues), "note": found.note,
                    "linear_only": found.linear_only})
    return out


def stability_report(model, params=None, box=None):
    """Classify every fixed point of ``model`` at ``params`` and confirm each by simulation.

    Fixed points as in ``classified_fixed_points``.
    """
    values = model.param_values(**(params or {}))
    reports = []
    for found in classified_fixed_points(model, values, box):
        if "family" in found:
            reports.append(FixedPointReport(found["point"], [], "degenerate", found["note"], False,
                                            "a continuum of fixed points: no isolated point to perturb",
                                            linear_only=True))
            continue
        classification = Classification(found["class"], np.asarray(found["eigenvalues"]), found["linear_only"],
                                        found["note"])
        confirmed, evidence = confirm_by_simulation(model, values, found["point"], classification)
        reports.append(FixedPointReport(found["point"], found["eigenvalues"], found["class"], found["note"],
                                        confirmed, evidence, found["linear_only"]))
    return reports


def confirm_by_simulation(model, values, point, classification):
    """Simulate from a perturbation of ``point``; return (agrees with the class, what was measured)."""
    eig = np.asarray(classification.eigenvalues)
    kind = classification.class_
    if kind == "degenerate":
        return False, "degenerate: the linearisation decides nothing a simulation could confirm"
    flow = model.compile()
    p = np.array([values[s.name] for s in model.params], dtype=float)
    z = np.array([point[s.name] for s in model.state], dtype=float)
    direction = np.random.default_rng(0).standard_normal(z.size)
    delta = PERTURBATION * max(1.0, np.max(np.abs(z))) * direction / np.linalg.norm(direction)
    if kind.startswith("stable"):
        t1 = TIME_CONSTANTS / np.min(np.abs(eig.real))
    elif kind == "centre":
        t1 = PERIODS * 2 * np.pi / np.min(np.abs(eig.imag))
    else:
        t1 = TIME_CONSTANTS / np.max(eig.real)
    t_eval = np.linspace(0.0, t1, 20 * PERIODS * 50 + 1)
    result = solve_ivp(flow, (0.0, t1), z + delta, method="dopri5", rtol=1e-10, atol=1e-13,
                       args=(p,), t_eval=t_eval, max_steps=1_000_000)
    distance = np.linalg.norm(result.y - z[:, None], axis=0) / np.linalg.norm(delta)
    if kind.startswith("stable"):
        ok = result.success and distance[-1] < 1e-2
        return bool(ok), f"distance / initial distance after t = {t1:.4g}: {distance[-1]:.3g} ({result.message})"
    if kind.startswith("unstable") or kind == "saddle":
        grew = distance.max() if distance.size else 0.0
        ok = grew > 100 or result.status == -2
        return bool(ok), f"largest distance / initial distance up to t = {t1:.4g}: {grew:.3g} ({result.message})"
    return _closed_orbit(model, values, z, result, distance, delta)


def _closed_orbit(model, values, z, result, distance, delta):
    """A centre: the orbit neither converges nor leaves; in 2-D it also returns to its start.

    A linear centre keeps ``|x(t)|`` within ``kappa |x(0)|`` of the fixed point,
    ``kappa`` the condition number of the eigenvector matrix, so the bounds
    are ``1/(2 kappa)`` and ``2 kappa``; with more than one frequency the orbit
    is quasi-periodic and need not return to its start.
    """
    J = sympy.lambdify([model.state], model.jacobian().subs(model.symbol_values(**values)), "numpy")(z)
    kappa = np.linalg.cond(np.linalg.eig(np.asarray(J, dtype=float))[1])
    bounded = result.success and distance.min() > 0.5 / kappa and distance.max() < 2 * kappa
    evidence = (f"distance / initial distance stays in [{distance.min():.3g}, {distance.max():.3g}] over "
                f"{PERIODS} periods (a linear centre: within [{0.5 / kappa:.3g}, {2 * kappa:.3g}])")
    ok = bounded
    if len(z) == 2:
        returned = np.linalg.norm(result.y[:, len(result.t) // (2 * PERIODS):] - result.y[:, :1], axis=0).min()
        returned /= np.linalg.norm(delta)
        evidence += f"; closest return to the start {returned:.2g} of the perturbation"
        ok = ok and returned < 0.05
    H = _first_integral(model, values)
    if H is not None:
        numeric = sympy.lambdify([model.state], H, "numpy")
        h = np.asarray(numeric(result.y), dtype=float)
        height = abs(h[0] - float(numeric(z)))
        drift = np.max(np.abs(h - h[0])) / max(height, np.finfo(float).tiny)
        evidence += f"; first integral drift {drift:.2g} of its height above the centre"
        ok = ok and drift < 1e-3
    return bool(ok), evidence


def _first_integral(model, values):
    """The model's first integral at these parameters, or one found by separation (2-D), or None."""
    numeric = model.substitute(model.symbol_values(**values))
    if model.first_integral is not None:
        return numeric.first_integral
    return numeric.find_first_integral() if len(model.state) == 2 else None
