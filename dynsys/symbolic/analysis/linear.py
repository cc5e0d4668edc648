"""Linearisation: Jacobian, characteristic polynomial and closed-form eigenvalues."""

import sympy

from ..errors import ModelError
from ..symbols import t

lam = sympy.Symbol("lambda")


def jacobian(model):
    """``d rhs / d state`` (unprojected), a SymPy matrix."""
    return model.rhs.jacobian(model.state)


def require_autonomous(model, what):
    """ModelError unless the field is free of ``t`` (``what`` names the analysis)."""
    if t in model.rhs.free_symbols:
        raise ModelError(f"model '{model.id}' depends on t: {what} needs an autonomous field")


def jacobian_at(model, point, params=None):
    """The Jacobian at ``point`` (keyed by state symbols or names), simplified."""
    require_autonomous(model, "linearisation at a point")
    J = jacobian(model).subs(state_values(model, point), simultaneous=True)
    if params is not None:
        J = J.subs(model.symbol_values(**params))
    return sympy.simplify(J)


def characteristic_coefficients(model, point, params=None):
    """``[1, a1, ..., an]`` of ``det(lambda I - J) = lambda^n + a1 lambda^(n-1) + ... + an``."""
    J = jacobian_at(model, point, params)
    return [sympy.factor(sympy.simplify(c)) for c in J.charpoly(lam).all_coeffs()]


def eigenvalues(model, point, params=None):
    """Closed-form eigenvalues of the Jacobian at ``point``, with multiplicity.

    In 2-D, ``(tr ± sqrt(tr^2 - 4 det))/2`` with the discriminant factored so
    that positive factors leave the root (e.g. Minnorm eq. 18 becomes
    ``(-rho ± sqrt(rho^2 - 2r))/tau``); otherwise the roots of the
    characteristic polynomial, which must be found in closed form.
    """
    coefficients = characteristic_coefficients(model, point, params)
    if len(coefficients) == 3:
        _, a1, a2 = coefficients
        root = sympy.sqrt(sympy.factor(a1**2 - 4 * a2))
        return [sympy.together(sympy.simplify((-a1 + sign * root) / 2)) for sign in (1, -1)]
    found = sympy.roots(sympy.Poly(coefficients, lam))
    if sum(found.values()) != len(coefficients) - 1:
        raise ModelError(f"no closed form for the eigenvalues of model '{model.id}' at {point}")
    return [sympy.simplify(root) for root, multiplicity in found.items() for _ in range(multiplicity)]


def state_values(model, point):
    """``point`` (a dict or a ``FixedPoint``) keyed by state symbols, values sympified."""
    by_name = {v.name: v for v in model.state}
    values = {}
    for key, value in dict(getattr(point, "point", point)).items():
        symbol = by_name.get(key) if isinstance(key, str) else key
        if symbol not in model.state:
            raise ModelError(f"'{key}' is not a state variable of model '{model.id}'")
        values[symbol] = sympy.sympify(value)
    missing = [v.name for v in model.state if v not in values]
    if missing:
        raise ModelError(f"point for model '{model.id}' lacks {', '.join(missing)}")
    return values
