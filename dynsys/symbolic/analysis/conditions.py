"""Sign conditions ``expr > 0``, ``expr < 0``, ``expr = 0`` simplified under the symbols' assumptions.

Factors whose sign SymPy knows from the assumptions leave the condition
(``2*rho/tau > 0`` becomes ``rho > 0`` for positive ``tau``); a condition
linear in a parameter with a coefficient of known sign is solved for it
(``rho**2 - 2*r < 0`` becomes ``r > rho**2/2``), trying the last parameters
first.
"""

import operator

import sympy

_OPS = {">": operator.gt, "<": operator.lt}


def sign_condition(expr, relation, params=()):
    """``expr relation 0`` for ``relation`` in ``'>'``, ``'<'``, ``'=='``, as a simplified SymPy boolean."""
    expr = sympy.factor(sympy.simplify(expr))
    numerator, denominator = sympy.fraction(expr)
    if relation == "==":
        unknown = [f for f in sympy.Mul.make_args(numerator) if not f.is_nonzero]
        if any(f.is_zero for f in unknown):
            return sympy.true
        return sympy.Or(*[_solved(f, "==", params) for f in unknown]) if unknown else sympy.false
    sign = 1 if relation == ">" else -1
    unknown = []
    for f in sympy.Mul.make_args(numerator) + sympy.Mul.make_args(denominator):
        if f.is_positive:
            continue
        if f.is_negative:
            sign = -sign
            continue
        unknown.append(f)
    if not unknown:
        return sympy.true if sign > 0 else sympy.false
    return _solved(sympy.Mul(*unknown), ">" if sign > 0 else "<", params)


def _solved(expr, relation, params):
    """``expr relation 0``, solved for the last parameter it is linear in, if any."""
    for p in reversed(tuple(params)):
        if p not in expr.free_symbols:
            continue
        try:
            poly = sympy.Poly(sympy.expand(expr), p)
        except sympy.PolynomialError:
            continue
        if poly.degree() != 1:
            continue
        a, b = poly.all_coeffs()
        bound = sympy.simplify(-b / a)
        if relation == "==" and a.is_nonzero:
            return sympy.Eq(p, bound)
        if relation != "==" and a.is_positive:
            return _OPS[relation](p, bound)
        if relation != "==" and a.is_negative:
            return _OPS[">" if relation == "<" else "<"](p, bound)
    if relation == "==":
        return sympy.Eq(expr, 0)
    return _OPS[relation](expr, 0)
