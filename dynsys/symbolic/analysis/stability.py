"""Stability of a fixed point: symbolic conditions on the parameters, numeric classification."""

from dataclasses import dataclass

import numpy as np
import sympy

from ..errors import ModelError
from .conditions import sign_condition
from .invariants import first_integral
from .linear import characteristic_coefficients, jacobian, lam, require_autonomous, state_values

CLASSES = ("stable node", "unstable node", "stable spiral", "unstable spiral", "saddle", "centre", "degenerate")


def hurwitz_determinants(coefficients):
    """Leading minors ``Delta_1 ... Delta_n`` of the Hurwitz matrix of ``[a0, a1, ..., an]``."""
    n = len(coefficients) - 1

    def a(k):
        return coefficients[k] if 0 <= k <= n else 0

    H = sympy.Matrix(n, n, lambda i, j: a(2 * (j + 1) - (i + 1)))
    return [sympy.factor(H[:k, :k].det()) for k in range(1, n + 1)]


def stability_conditions(model, point):
    """Conditions on the parameters for the linearisation at ``point``, by name.

    ``'stable'``: Routh-Hurwitz, ``Delta_1 ... Delta_(n-1) > 0`` and
    ``a_n > 0`` for ``det(lambda I - J) = lambda^n + a1 lambda^(n-1) + ... + an``
    (in 2-D: trace < 0 and det > 0). In 2-D and 3-D, ``'oscillatory'``: the
    discriminant of the characteristic polynomial is negative (a complex
    pair), and ``'critically damped'``: it vanishes (a repeated eigenvalue).
    In 2-D, ``'linear centre'``: trace = 0 and det > 0.
    """
    coefficients = characteristic_coefficients(model, point)
    n = len(coefficients) - 1
    params = model.params
    deltas = hurwitz_determinants(coefficients)
    conditions = {
        "stable": sympy.And(
            *[sign_condition(d, ">", params) for d in deltas[: n - 1]], sign_condition(coefficients[n], ">", params)
        )
    }
    if n in (2, 3):
        discriminant = sympy.discriminant(sympy.Poly(coefficients, lam))
        conditions["oscillatory"] = sign_condition(discriminant, "<", params)
        conditions["critically damped"] = sign_condition(discriminant, "==", params)
    if n == 2:
        conditions["linear centre"] = sympy.And(
            sign_condition(coefficients[1], "==", params), sign_condition(coefficients[2], ">", params)
        )
    return conditions


@dataclass(frozen=True)
class Classification:
    """``class_`` is one of ``CLASSES``; ``linear_only`` says the class rests on
    the linearisation alone (non-hyperbolic and not settled by a first integral)."""

    class_: str
    eigenvalues: np.ndarray
    linear_only: bool
    note: str


def classify(model, params, point, *, tol=1e-6):
    """The class of the fixed point ``point`` at parameter values ``params`` (overrides by name).

    An eigenvalue within ``tol`` times its own modulus of an axis counts as
    on it (so stiff spectra keep their small eigenvalues, and a defective
    pair, critically damped, is a node noted as a repeated eigenvalue); one
    within rounding (``1000 eps |J|``) of zero is zero. A zero eigenvalue, or
    eigenvalues on the imaginary axis beside others off it on one side only,
    is ``'degenerate'``; real parts of both signs make a ``'saddle'``, whatever
    the eigenvalues on the axis (the point is unstable). All eigenvalues purely
    imaginary is a (linear) ``'centre'``; it is a nonlinear centre when a
    first integral (the model's, or one found in 2-D) has a strict extremum
    there. Hyperbolic classes hold for the nonlinear flow (Hartman-Grobman).
    """
    require_autonomous(model, "classification")
    p = model.symbol_values(**(params or {}))
    z = _numeric_point(model, point, p)
    values = [float(p[s]) for s in model.params]
    f = sympy.lambdify([model.state, model.params], list(model.rhs), "numpy")
    residual = np.max(np.abs(np.asarray(f(z, values), float)))
    J = np.asarray(sympy.lambdify([model.state, model.params], jacobian(model), "numpy")(z, values), float)
    if residual > 1e-8 * max(1.0, np.max(np.abs(J)) * np.max(np.abs(z), initial=1.0)):
        where = dict(zip(map(str, model.state), z))
        raise ModelError(f"{where} is not a fixed point of model '{model.id}' (|f| = {residual:.3g})")
    eig = np.linalg.eigvals(J)
    found = classify_eigenvalues(eig, tol=tol, scale=np.max(np.abs(J)))
    if found.class_ == "centre":
        return _centre(model, p, z, eig)
    return found


def classify_eigenvalues(eig, tol=1e-6, scale=None):
    """The class of a fixed point from its eigenvalues alone (``classify``'s rules).

    ``scale`` (default: the largest modulus) sets what rounds to a zero
    eigenvalue, ``1000 eps scale``. A centre found here is the linear one.
    """
    eig = np.asarray(eig, dtype=complex)
    modulus = np.abs(eig)
    scale = np.max(modulus) if scale is None else scale
    zero = modulus <= 1e3 * np.finfo(float).eps * max(scale, np.finfo(float).tiny)
    on_axis = np.abs(eig.real) <= tol * modulus
    real = np.abs(eig.imag) <= tol * modulus
    sign = "stable" if np.all(eig.real < 0) else "unstable"
    if np.any(zero):
        return Classification("degenerate", eig, True, "zero eigenvalue")
    if np.all(on_axis):
        return Classification("centre", eig, True, "linear centre: all eigenvalues on the imaginary axis")
    if np.any(eig.real[~on_axis] > 0) and np.any(eig.real[~on_axis] < 0):
        note = "eigenvalues with real parts of both signs"
        return Classification("saddle", eig, False, note + (" and some on the imaginary axis" if np.any(on_axis) else ""))
    if np.any(on_axis):
        return Classification("degenerate", eig, True, "eigenvalues on the imaginary axis beside others off it")
    if np.any(~real):
        return Classification(f"{sign} spiral", eig, False, "complex eigenvalues")
    ordered = np.sort(eig.real)
    repeated = np.any(np.diff(ordered) <= tol * np.abs(ordered[1:]))
    return Classification(f"{sign} node", eig, False, "repeated real eigenvalue" if repeated else "real eigenvalues")


def _numeric_point(model, point, p):
    values = state_values(model, point)
    try:
        numbers = [complex(sympy.N(values[v].subs(p))) for v in model.state]
    except TypeError:
        raise ModelError(f"point {point} of model '{model.id}' is not numeric at these parameters") from None
    if any(abs(c.imag) > 1e-12 * max(1.0, abs(c)) for c in numbers):
        raise ModelError(f"point {point} of model '{model.id}' is not real at these parameters")
    return np.array([c.real for c in numbers])


def _centre(model, p, z, eig):
    H = _first_integral_at(model, p)
    if H is not None:
        hessian = sympy.lambdify([model.state], sympy.hessian(H, model.state), "numpy")
        curvature = np.linalg.eigvalsh(np.asarray(hessian(z), float))
        if np.all(curvature > 0) or np.all(curvature < 0):
            return Classification(
                "centre", eig, False, f"nonlinear centre: the first integral {H} has a strict extremum here"
            )
    return Classification("centre", eig, True, "linear centre: no first integral with an extremum here was found")


def _first_integral_at(model, p):
    numeric = model.substitute(p)
    if model.first_integral is not None and numeric.is_conserved(numeric.first_integral)[0]:
        return numeric.first_integral
    return first_integral(numeric) if len(model.state) == 2 else None
