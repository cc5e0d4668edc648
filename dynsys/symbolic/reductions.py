"""Reductions of a model, each returning a new model that carries its proof.

``meta`` keywords (``id``, ``description``, ``equations``) name the result.
"""

import sympy

from .errors import ModelError
from .proof import Proof
from .symbols import t


def substitute(model, values, **meta):
    """Fix parameters or state variables to values or expressions.

    A substituted state variable is *frozen*: it leaves the state (a different
    model, e.g. training one layer only, not a restriction of this flow).
    Parameter assumptions are not enforced, so limits such as ``gamma = 0``
    (Minnorm eq. 8 without weight decay) are allowed.
    """
    values = {_symbol(model, key): sympy.sympify(value) for key, value in values.items()}
    frozen = [v for v in model.state if v in values]
    statement = ", ".join(f"{key} = {value}" for key, value in values.items())
    if frozen:
        statement += f" ({', '.join(map(str, frozen))} frozen: removed from the state)"
    params = tuple(p for p in model.params if p not in values)
    common = dict(
        id=meta.pop("id", f"{model.id}_substituted"),
        state=tuple(v for v in model.state if v not in values),
        params=params,
        defaults={p.name: model.defaults[p.name] for p in params},
        first_integral=_subs(model.first_integral, values) if not frozen else None,
        proofs=model.proofs + [Proof("substitution", statement, sympy.S.Zero, True)],
        **meta,
    )
    if model.objective is not None:
        groups = tuple(g for g in (g.subs(values) for g in model.groups) if g.variables)
        return model.rebuild(objective=model.objective.subs(values, simultaneous=True), groups=groups, **common)
    return model.rebuild(
        rhs=[f.subs(values, simultaneous=True) for v, f in zip(model.state, model.rhs) if v not in values],
        projections={v: kind for v, kind in model.projections.items() if v not in values},
        **common,
    )


def restrict(model, manifold, **meta):
    """Restrict the flow to an invariant manifold ``{x_i: h_i(remaining state)}``.

    Proof, for each defining function ``x_i - h_i``: its derivative along the
    flow vanishes on the manifold (e.g. ``w2 = w1`` for Minnorm eq. 13-14).
    The variables ``x_i`` leave the state.
    """
    manifold = {_state_symbol(model, key): sympy.sympify(value) for key, value in manifold.items()}
    kept = [v for v in model.state if v not in manifold]
    _require_free_symbols(model, manifold.values(), set(kept), "the manifold")
    flow = dict(zip(model.state, model.rhs))
    proofs = []
    for x, h in manifold.items():
        defining = x - h
        derivative = sympy.diff(defining, t) + sum(sympy.diff(defining, v) * flow[v] for v in model.state)
        proof = Proof.check(
            "invariant manifold",
            f"{x} = {h} is invariant: d/dt({defining}) = 0 on it",
            derivative.subs(manifold, simultaneous=True),
        )
        if not proof.holds:
            raise ModelError(f"manifold {x} = {h} is not invariant: d/dt({defining}) = {proof.residual} on it")
        proofs.append(proof)
    return model.rebuild(
        id=meta.pop("id", f"{model.id}_restricted"),
        state=tuple(kept),
        rhs=[flow[v].subs(manifold, simultaneous=True) for v in kept],
        projections={v: kind for v, kind in model.projections.items() if v in kept},
        first_integral=_subs(model.first_integral, manifold),
        proofs=model.proofs + proofs,
        **meta,
    )


def change_variables(model, mapping, inverse=None, **meta):
    """New state variables ``{y_k: phi_k(x)}`` replacing as many old ones.

    The replaced old variables are the keys of ``inverse`` (``{x_j:
    psi_j(y, kept x)}``) or, without it, the state variables ``phi`` uses,
    solved for with ``sympy.solve`` under the symbols' assumptions (a
    positive new symbol makes ``sqrt`` single-valued); several inverses are
    an error asking for ``inverse``. Each new variable takes the position of
    a replaced one. The new flow is the pushforward ``g = DPhi f`` written in
    the new variables; proof: ``g(Phi(x)) - DPhi(x) f(x)`` simplifies to zero
    identically in the old variables, so the map is exact on every branch
    the old symbols' assumptions allow.
    """
    mapping = {y: sympy.sympify(phi) for y, phi in mapping.items()}
    if not all(isinstance(y, sympy.Symbol) for y in mapping):
        raise ModelError("new variables must be SymPy symbols, declared with their assumptions")
    clash = [str(y) for y in mapping if y.name in {s.name for s in model.state + model.params}]
    if clash:
        raise ModelError(f"new variables {', '.join(clash)} already name symbols of model '{model.id}'")
    inverse = _inverse(model, mapping) if inverse is None else {
        _state_symbol(model, x): sympy.sympify(psi) for x, psi in inverse.items()
    }
    if len(inverse) != len(mapping):
        raise ModelError(f"{len(mapping)} new variables need as many replaced ones, got {', '.join(map(str, inverse))}")
    projected = [str(x) for x in inverse if x in model.projections]
    if projected:
        raise ModelError(f"cannot change the projected variables {', '.join(projected)}")
    kept = [v for v in model.state if v not in inverse]
    _require_free_symbols(model, mapping.values(), set(model.state), "the new variables")
    _require_free_symbols(model, inverse.values(), set(mapping) | set(kept), "the inverse")

    new_names = iter(mapping)
    state = tuple(next(new_names) if v in inverse else v for v in model.state)
    Phi = [mapping.get(s, s) for s in state]
    pushforward = [sympy.diff(c, t) + sum(sympy.diff(c, v) * f for v, f in zip(model.state, model.rhs)) for c in Phi]
    g = [sympy.simplify(p.subs(inverse, simultaneous=True)) for p in pushforward]
    change = ", ".join(f"{y} = {phi}" for y, phi in mapping.items())
    statement = f"{change} maps the flow exactly: g(Phi(x)) = DPhi(x) f(x)"
    proof = Proof.check(
        "change of variables",
        statement,
        sympy.Matrix([gi.subs(mapping, simultaneous=True) - p for gi, p in zip(g, pushforward)]),
    )
    if not proof.holds:
        raise ModelError(f"change of variables {change} is not exact: residual {list(proof.residual)}")
    H = model.first_integral
    return model.rebuild(
        id=meta.pop("id", f"{model.id}_changed"),
        state=state,
        rhs=g,
        projections=dict(model.projections),
        first_integral=None if H is None else sympy.simplify(H.subs(inverse, simultaneous=True)),
        proofs=model.proofs + [proof],
        **meta,
    )


def polar(model, weights, norm, directions, **meta):
    """Lift the weights ``W`` (state variables) to a norm and a direction, ``W = norm * V`` (Theory III eq. 18-19).

    ``W`` in R^d becomes ``d + 1`` variables, so the lift is chosen by
    keeping ``|V|`` constant: ``norm' = V.f / |V|^2`` and ``V' = (I - V V^T /
    |V|^2) f / norm``, with ``f = dW/dt`` at ``W = norm V`` (on ``|V| = 1``
    these are Theory III eq. 18-19: ``rho' = V^T W'``, ``V' = S W' / rho``).
    Proofs, identically in ``(norm, V)``: ``d/dt(norm V) = f(norm V)`` (the
    lifted flow reproduces the flow of ``W``) and ``d/dt |V|^2 = 0`` (the unit
    sphere is invariant). The new variables take the weights' positions, the
    norm first; ``norm`` should be declared positive.
    """
    weights = [_state_symbol(model, w) for w in weights]
    directions = list(directions)
    if len(directions) != len(weights):
        raise ModelError(f"{len(weights)} weights need as many directions, got {len(directions)}")
    clash = [str(y) for y in [norm, *directions] if y.name in {s.name for s in model.state + model.params}]
    if clash:
        raise ModelError(f"new variables {', '.join(clash)} already name symbols of model '{model.id}'")
    projected = [str(w) for w in weights if w in model.projections]
    if projected:
        raise ModelError(f"cannot lift the projected variables {', '.join(projected)}")
    lifted = dict(zip(weights, (norm * v for v in directions)))
    flow = {x: f.subs(lifted, simultaneous=True) for x, f in zip(model.state, model.rhs)}
    f = sympy.Matrix([flow[w] for w in weights])
    V = sympy.Matrix(directions)
    squared = (V.T * V)[0]
    norm_rate = (V.T * f)[0] / squared
    direction_rate = (f - norm_rate * V) / norm
    proofs = [
        Proof.check("polar lift", f"{', '.join(map(str, weights))} = {norm} ({', '.join(map(str, directions))}) maps "
                    "the flow exactly: d/dt(norm V) = f(norm V)", norm_rate * V + norm * direction_rate - f),
        Proof.check("invariant manifold", f"|V|^2 is constant: d/dt |V|^2 = 0, so |V| = 1 is invariant",
                    2 * (V.T * direction_rate)[0]),
    ]
    state, rhs = [], []
    first = min(weights, key=model.state.index)
    for x in model.state:
        if x == first:
            state += [norm, *directions]
            rhs += [norm_rate, *direction_rate]
        elif x not in lifted:
            state.append(x)
            rhs.append(flow[x])
    return model.rebuild(
        id=meta.pop("id", f"{model.id}_polar"),
        state=tuple(state),
        rhs=rhs,
        projections=dict(model.projections),
        first_integral=_subs(model.first_integral, lifted),
        proofs=model.proofs + proofs,
        **meta,
    )


def _inverse(model, mapping):
    used = set().union(*(phi.free_symbols for phi in mapping.values()))
    replaced = [v for v in model.state if v in used]
    if len(replaced) != len(mapping):
        raise ModelError(
            f"new variables {', '.join(map(str, mapping))} use {', '.join(map(str, replaced)) or 'no state'}: "
            "pass inverse= to say which old variables they replace"
        )
    solutions = sympy.solve([y - phi for y, phi in mapping.items()], replaced, dict=True)
    if len(solutions) != 1 or set(solutions[0]) != set(replaced):
        raise ModelError(
            f"change of variables {mapping} has {len(solutions)} inverses {solutions}: pass inverse= to choose a branch"
        )
    return solutions[0]


def _symbol(model, key):
    if isinstance(key, str):
        by_name = {s.name: s for s in model.state + model.params}
        if key not in by_name:
            raise ModelError(f"model '{model.id}' has no symbol '{key}'")
        return by_name[key]
    if key not in model.state + model.params:
        raise ModelError(f"model '{model.id}' has no symbol '{key}'")
    return key


def _state_symbol(model, key):
    symbol = _symbol(model, key)
    if symbol not in model.state:
        raise ModelError(f"'{symbol}' is not a state variable of model '{model.id}'")
    return symbol


def _require_free_symbols(model, exprs, variables, what):
    allowed = variables | set(model.params) | {t}
    stray = sorted({str(s) for e in exprs for s in e.free_symbols if s not in allowed})
    if stray:
        raise ModelError(f"{what} of model '{model.id}' may not use {', '.join(stray)}")


def _subs(expr, values):
    return None if expr is None else expr.subs(values, simultaneous=True)
