"""Reductions: substitution, restriction to an invariant manifold, change of variables."""

import numpy as np
import pytest
import sympy

from dynsys.symbolic import Descent, Model, ModelError, Proof

u, v = sympy.symbols("u v", real=True)
p, q = sympy.symbols("p q", positive=True)
a = sympy.Symbol("a", positive=True)
b = sympy.Symbol("b", real=True)


def symmetric():
    """Gradient flow on L = (u^2 + v^2)/2 + a (u v - 1)^2/2: symmetric in u <-> v."""
    return Model(
        "sym",
        (u, v),
        (a, b),
        {"a": 1.0, "b": 0.5},
        objective=(u**2 + v**2) / 2 + a * (u * v - 1) ** 2 / 2 + b * u * v,
        groups=(Descent((u, v), 1),),
    )


def test_substitute_parameter_keeps_objective_and_records_proof():
    reduced = symmetric().substitute({b: 0}, id="sym0")
    assert reduced.id == "sym0"
    assert reduced.params == (a,) and reduced.defaults == {"a": 1.0}
    assert reduced.objective == symmetric().objective.subs(b, 0)
    assert sympy.simplify(reduced.rhs - symmetric().rhs.subs(b, 0)) == sympy.zeros(2, 1)
    assert reduced.proofs == [Proof("substitution", "b = 0", 0, True)]


def test_substitute_state_freezes_it():
    reduced = symmetric().substitute({"v": 2})
    assert reduced.state == (u,)
    assert sympy.simplify(reduced.rhs[0] - symmetric().rhs[0].subs(v, 2)) == 0
    assert "frozen" in reduced.proofs[-1].statement


def test_substitute_unknown_symbol():
    with pytest.raises(ModelError, match="no symbol 'w'"):
        symmetric().substitute({"w": 1})


def test_restrict_to_invariant_diagonal():
    reduced = symmetric().restrict({v: u})
    assert reduced.state == (u,)
    proof = reduced.proofs[-1]
    assert proof.kind == "invariant manifold" and proof.holds and proof.residual == 0
    assert reduced.objective is None
    assert sympy.simplify(reduced.rhs[0] - symmetric().rhs[0].subs(v, u)) == 0


def test_restrict_rejects_a_non_invariant_manifold():
    with pytest.raises(ModelError, match=r"manifold v = 2\*u is not invariant: d/dt\(-2\*u \+ v\) = .+ on it"):
        symmetric().restrict({v: 2 * u})


def test_restrict_values_use_remaining_state_only():
    with pytest.raises(ModelError, match="may not use u, v"):
        symmetric().restrict({u: v, v: u})


def test_change_variables_by_solve_on_positive_symbols():
    # p' = -p^3 + p, with z = p^2: z' = 2 p p' = 2 z (1 - z).
    z = sympy.Symbol("z", positive=True)
    model = Model("cubic", (p, q), (), {}, rhs=[-(p**3) + p, -q])
    changed = model.change_variables({z: p**2})
    assert changed.state == (z, q)
    assert sympy.simplify(changed.rhs[0] - 2 * z * (1 - z)) == 0
    assert changed.rhs[1] == -q
    assert changed.proofs[-1].holds and changed.proofs[-1].residual == sympy.zeros(2, 1)


def test_change_variables_pushforward_numerically():
    z = sympy.Symbol("z", positive=True)
    model = Model("pq", (p, q), (a,), {"a": 1.0}, rhs=[a * p * q - p**2, q - p * q**2])
    changed = model.change_variables({z: p * q}, inverse={p: z / q})
    f = sympy.lambdify([(p, q), a], list(model.rhs))
    g = sympy.lambdify([(z, q), a], list(changed.rhs))
    rng = np.random.default_rng(1)
    for _ in range(10):
        pp, qq, aa = rng.uniform(0.2, 2, size=3)
        fp, fq = f((pp, qq), aa)
        assert np.allclose(g((pp * qq, qq), aa), [qq * fp + pp * fq, fq])


def test_change_variables_ambiguous_inverse_asks_for_a_branch():
    w = sympy.Symbol("w", positive=True)
    model = Model("real", (u,), (), {}, rhs=[-u])
    with pytest.raises(ModelError, match="2 inverses.*pass inverse="):
        model.change_variables({w: u**2})


def test_change_variables_wrong_branch_is_not_exact():
    # u' = 1 is odd in u: on u < 0 the pushforward of w = u^2 is -2 sqrt(w), not 2 sqrt(w).
    w = sympy.Symbol("w", positive=True)
    model = Model("drift", (u,), (), {}, rhs=[sympy.S.One])
    with pytest.raises(ModelError, match="not exact"):
        model.change_variables({w: u**2}, inverse={u: sympy.sqrt(w)})


def test_change_variables_even_field_is_exact_on_both_branches():
    w = sympy.Symbol("w", positive=True)
    model = Model("decay", (u,), (a,), {"a": 1.0}, rhs=[-a * u + u**3])
    changed = model.change_variables({w: u**2}, inverse={u: sympy.sqrt(w)})
    assert sympy.simplify(changed.rhs[0] - (-2 * a * w + 2 * w**2)) == 0


def test_change_variables_rejects_name_clash_and_strings():
    with pytest.raises(ModelError, match="must be SymPy symbols"):
        symmetric().change_variables({"z": u * v}, inverse={u: sympy.Symbol("z") / v})
    with pytest.raises(ModelError, match="already name"):
        symmetric().change_variables({sympy.Symbol("a"): u * v}, inverse={u: sympy.Symbol("a") / v})


def test_first_integral_follows_reductions():
    z = sympy.Symbol("z", positive=True)
    H = p - sympy.log(p) + q - a * sympy.log(q)
    model = Model("lv", (p, q), (a,), {"a": 1.0}, rhs=[p * (a - q), q * (p - 1)], first_integral=H)
    assert model.is_conserved(model.first_integral)[0]
    assert model.substitute({a: 2}).first_integral == model.first_integral.subs(a, 2)
    changed = model.change_variables({z: p**2})
    assert changed.first_integral.free_symbols == {z, q, a}
    assert changed.is_conserved(changed.first_integral)[0]
