"""Analysis on small systems with known answers: fixed points, stability, classes, invariants."""

import numpy as np
import pytest
import sympy

from dynsys.symbolic import Model, ModelError
from dynsys.symbolic.analysis import (
    CLASSES,
    classify,
    decay_law,
    first_integral,
    fixed_points,
    hurwitz_determinants,
    is_conserved,
    stability_conditions,
)

u, v, w = sympy.symbols("u v w", real=True)
a1, a2, a3 = sympy.symbols("a1 a2 a3", positive=True)


def linear(A):
    """z' = A z for a numeric matrix A."""
    A = sympy.Matrix(A)
    state = (u, v, w, sympy.Symbol("s", real=True))[: A.shape[0]]
    return Model("linear", state, (), {}, rhs=A * sympy.Matrix(state))


def companion():
    """z''' + a1 z'' + a2 z' + a3 z = 0 as a first-order system."""
    defaults = {"a1": 1.0, "a2": 1.0, "a3": 0.5}
    return Model("companion", (u, v, w), (a1, a2, a3), defaults, rhs=[v, w, -a3 * u - a2 * v - a1 * w])


ORIGIN3 = {u: 0, v: 0, w: 0}


@pytest.mark.parametrize(
    "A, expected",
    [
        ([[-1, 0], [0, -2]], "stable node"),
        ([[-1e-9, 0], [0, -1e3]], "stable node"),
        ([[1, 0], [0, 2]], "unstable node"),
        ([[-1, 2], [-2, -1]], "stable spiral"),
        ([[1, 2], [-2, 1]], "unstable spiral"),
        ([[-1, 0], [0, 1]], "saddle"),
        ([[0, 1], [-1, 0]], "centre"),
        ([[0, 0], [0, -1]], "degenerate"),
        ([[-1, 1, 0], [-1, -1, 0], [0, 0, -3]], "stable spiral"),
        ([[-1, 1, 0], [-1, -1, 0], [0, 0, 3]], "saddle"),
        ([[0, 1, 0], [-1, 0, 0], [0, 0, -1]], "degenerate"),
        ([[0, 1, 0, 0], [-1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, -2]], "saddle"),  # Arenstorf's L1-L3
    ],
)
def test_classify_linear_systems(A, expected):
    model = linear(A)
    result = classify(model, {}, dict.fromkeys(model.state, 0))
    assert result.class_ == expected and expected in CLASSES
    assert np.allclose(np.sort_complex(result.eigenvalues), np.sort_complex(np.linalg.eigvals(np.array(A, float))))


def test_classify_repeated_eigenvalue_is_a_node():
    result = classify(linear([[-1, 1], [0, -1]]), {}, {u: 0, v: 0})
    assert result.class_ == "stable node" and "repeated" in result.note


def test_centre_with_first_integral_is_nonlinear():
    result = classify(linear([[0, 1], [-1, 0]]), {}, {u: 0, v: 0})
    assert result.class_ == "centre" and not result.linear_only and "nonlinear centre" in result.note


def test_centre_without_first_integral_is_linear_only():
    # u' = v, v' = -u - u^2 v: a linear centre that the cubic term damps.
    model = Model("damped", (u, v), (), {}, rhs=[v, -u - u**2 * v])
    result = classify(model, {}, {u: 0, v: 0})
    assert result.class_ == "centre" and result.linear_only


def test_classify_refuses_a_point_that_is_not_fixed():
    with pytest.raises(ModelError, match="not a fixed point"):
        classify(linear([[-1, 0], [0, -2]]), {}, {u: 1, v: 0})


def test_hurwitz_determinants_of_a_cubic():
    A = sympy.symbols("A0:4")
    delta2 = sympy.factor(A[1] * A[2] - A[0] * A[3])
    assert hurwitz_determinants(list(A)) == [A[1], delta2, sympy.factor(A[3] * delta2)]


def test_stability_conditions_of_a_cubic_match_eigenvalues():
    model = companion()
    conditions = stability_conditions(model, ORIGIN3)
    assert conditions["stable"] == (a3 < a1 * a2)
    rng = np.random.default_rng(2)
    for _ in range(40):
        values = dict(zip(("a1", "a2", "a3"), rng.uniform(0.1, 3, size=3)))
        eig = np.roots([1, values["a1"], values["a2"], values["a3"]])
        subs = {sympy.Symbol(k, positive=True): x for k, x in values.items()}
        assert bool(conditions["stable"].subs(subs)) == bool(np.all(eig.real < 0))
        complex_pair = np.any(np.abs(eig.imag) > 1e-9)
        assert bool(conditions["oscillatory"].subs(subs)) == complex_pair


def test_fixed_points_closed_form_and_family():
    model = Model("m", (u, v), (a1,), {"a1": 2.0}, rhs=[u * (a1 - v), v * (u - 1)])
    points = {tuple(fp.point.values()) for fp in fixed_points(model)}
    assert points == {(0, 0), (1, a1)}
    family = fixed_points(Model("line", (u, v), (), {}, rhs=[u * v, u]))
    assert [fp.point for fp in family] == [{u: 0, v: v}] and "v free" in family[0].note


def test_fixed_points_numeric_in_a_box():
    model = Model("m", (u, v), (a1,), {"a1": 2.0}, rhs=[u * (a1 - v), v * (u - 1)])
    points = fixed_points(model, {"a1": 3.0}, box=[(-1, 2), (-1, 4)])
    assert [fp.note for fp in points] == ["numeric", "numeric"]
    assert np.allclose([list(fp.point.values()) for fp in points], [[0, 0], [1, 3]], atol=1e-9)


def test_fixed_points_of_a_transcendental_field_need_a_box():
    model = Model("pendulum", (u, v), (), {}, rhs=[v, -sympy.sin(u)])
    with pytest.raises(ModelError, match="box"):
        fixed_points(model)
    points = fixed_points(model, box={"u": (-4, 7), "v": (-1, 1)})
    assert np.allclose(sorted(fp.point[u] for fp in points), [-np.pi, 0, np.pi, 2 * np.pi])


def test_is_conserved_and_residual():
    model = linear([[0, 1], [-1, 0]])
    assert is_conserved(model, u**2 + v**2) == (True, 0)
    holds, residual = is_conserved(model, u**2)
    assert not holds and sympy.simplify(residual - 2 * u * v) == 0


def test_decay_law_linear_and_closed_nonlinear():
    law = decay_law(linear([[-3, 0], [0, -3]]), u**2 + v**2)
    assert law.rate == 6 and law.timescale == sympy.Rational(1, 6)
    cubic = Model("cubic", (u,), (), {}, rhs=[-(u**3)])
    law = decay_law(cubic, u**2)
    assert law.rate is None and sympy.simplify(law.closed + 2 * law.q**2) == 0
    assert decay_law(linear([[0, 1], [-1, 0]]), u).closed is None


def test_first_integral_hamiltonian_and_none():
    pendulum = Model("pendulum", (u, v), (), {}, rhs=[v, -sympy.sin(u)])
    H = first_integral(pendulum)
    assert H is not None and is_conserved(pendulum, H)[0]
    assert first_integral(Model("damped", (u, v), (), {}, rhs=[v, -u - v])) is None
    assert first_integral(companion()) is None
