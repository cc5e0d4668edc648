"""Conserved and decaying quantities along the flow (Minnorm eq. 10, 15, 19)."""

from dataclasses import dataclass

import sympy

from ..symbols import t


def time_derivative(model, Q):
    """``dQ/dt`` along the (unprojected) flow: ``dQ/dt|explicit + grad Q . rhs``."""
    Q = sympy.sympify(Q)
    return sympy.diff(Q, t) + sum(sympy.diff(Q, v) * f for v, f in zip(model.state, model.rhs))


def is_conserved(model, H):
    """``(True, 0)`` when ``dH/dt`` simplifies to zero, else ``(False, residual)``."""
    residual = sympy.simplify(time_derivative(model, H))
    return residual == 0, residual


@dataclass(frozen=True)
class DecayLaw:
    """``dQ/dt`` and, when it closes, ``closed``: the same as a function of the symbol ``q``.

    When ``dQ/dt = -rate * Q`` with a state-free ``rate``, ``Q`` decays
    exponentially with ``timescale = 1/rate``; otherwise both are ``None``.
    """

    Q: object
    dQdt: object
    q: sympy.Symbol
    closed: object
    rate: object
    timescale: object


def decay_law(model, Q, name="Q"):
    """Derive ``dQ/dt`` and express it through ``Q`` when it closes.

    First ``dQ/dt / Q``: if it is free of the state (and of ``t``) the law is
    linear, ``dQ/dt = -c Q`` (e.g. the weight gap, Minnorm eq. 10: ``c =
    2 gamma/tau``; eq. 15: ``c = 2/tau``). Otherwise each state variable in
    turn is solved for from ``Q = q`` and substituted; the first result free
    of the state is the closed law.
    """
    Q = sympy.sympify(Q)
    q = sympy.Symbol(name, real=True)
    dQdt = sympy.simplify(time_derivative(model, Q))
    moving = set(model.state) | {t}
    ratio = sympy.simplify(dQdt / Q)
    if not ratio.free_symbols & moving:
        rate = sympy.simplify(-ratio)
        timescale = sympy.simplify(1 / rate) if rate != 0 else sympy.oo
        return DecayLaw(Q, dQdt, q, -rate * q, rate, timescale)
    return DecayLaw(Q, dQdt, q, _closed(model, Q, dQdt, q, moving), None, None)


def _closed(model, Q, dQdt, q, moving):
    for v in model.state:
        if v not in Q.free_symbols:
            continue
        for solution in sympy.solve(sympy.Eq(Q, q), v):
            law = sympy.simplify(dQdt.subs(v, solution))
            if not law.free_symbols & moving:
                return law
    return None


def first_integral(model):
    """A conserved ``H(state)`` of a 2-D autonomous model, or ``None``: none found.

    Tries separation of ``dv/du = f2/f1`` (``sympy.separatevars``: ``dv /
    h(v) = c g(u) du``, both sides integrated, as Minnorm eq. 53-55 do), then
    a Hamiltonian form (divergence-free field: ``u' = dH/dv``, ``v' =
    -dH/du``). A candidate is returned only when ``dH/dt`` simplifies to zero.
    """
    if len(model.state) != 2 or t in model.rhs.free_symbols:
        return None
    u, v = model.state
    f1, f2 = model.rhs
    for find in (_separated, _hamiltonian):
        H = find(u, v, f1, f2)
        if H is not None and H.free_symbols & {u, v} and is_conserved(model, H)[0]:
            return H
    return None


def _separated(u, v, f1, f2):
    if sympy.simplify(f1) == 0:
        return u
    parts = sympy.separatevars(sympy.simplify(f2 / f1), symbols=[u, v], dict=True)
    if parts is None:
        return None
    H = sympy.integrate(1 / parts[v], v) - parts["coeff"] * sympy.integrate(parts[u], u)
    return None if H.has(sympy.Integral) else sympy.simplify(H)


def _hamiltonian(u, v, f1, f2):
    if sympy.simplify(sympy.diff(f1, u) + sympy.diff(f2, v)) != 0:
        return None
    A = sympy.integrate(f1, v)
    rest = sympy.simplify(-f2 - sympy.diff(A, u))
    if v in rest.free_symbols:
        return None
    H = A + sympy.integrate(rest, u)
    return None if H.has(sympy.Integral) else sympy.simplify(H)
