"""The classical fields: invariants, fixed points and their classes against known answers."""

import numpy as np
import pytest
import scipy.integrate
import sympy

from dynsys.models import get


def numeric(model, expr):
    return sympy.lambdify([model.state, model.params], expr, "numpy")


@pytest.mark.parametrize("model_id", ["harmonic", "lotka_volterra", "robertson"])
def test_known_first_integral_is_conserved(model_id):
    model = get(model_id)
    assert model.is_conserved(model.first_integral) == (True, 0)


@pytest.mark.parametrize("model_id", ["harmonic", "lotka_volterra"])
def test_found_first_integral_has_the_known_level_sets(model_id):
    model = get(model_id)
    H = model.find_first_integral()
    assert H is not None and model.is_conserved(H)[0]
    known = model.first_integral
    gradient = sympy.Matrix([H]).jacobian(model.state)
    known_gradient = sympy.Matrix([known]).jacobian(model.state)
    assert sympy.simplify(gradient[0] * known_gradient[1] - gradient[1] * known_gradient[0]) == 0


def test_lotka_volterra_invariant_along_a_scipy_orbit():
    model = get("lotka_volterra")
    p = list(model.param_values().values())
    f, H = numeric(model, list(model.rhs)), numeric(model, model.first_integral)
    times = np.linspace(0, 20, 21)
    sol = scipy.integrate.solve_ivp(lambda _, z: f(z, p), (0, 20), [5.0, 2.0], rtol=1e-11, atol=1e-12, t_eval=times)
    assert np.ptp([H(z, p) for z in sol.y.T]) < 1e-8


def test_lotka_volterra_coexistence_is_a_nonlinear_centre():
    model = get("lotka_volterra")
    a, b, c, d = model.params
    (point,) = model.fixed_points()
    assert point.point == dict(zip(model.state, (d / c, a / b)))
    result = model.classify({}, point)
    assert result.class_ == "centre" and not result.linear_only
    assert np.allclose(np.abs(result.eigenvalues.imag), np.sqrt(1.5 * 3.0))


def test_lotka_volterra_numeric_fixed_point_matches_closed_form():
    model = get("lotka_volterra")
    (point,) = model.fixed_points({"a": 2.0, "d": 1.5}, box=[(0.1, 10), (0.1, 10)])
    assert np.allclose(list(point.point.values()), [1.5, 2.0])


@pytest.mark.parametrize("mu, expected", [(1.0, "unstable spiral"), (3.0, "unstable node"), (0.0, "centre")])
def test_van_der_pol_origin(mu, expected):
    model = get("van_der_pol")
    x, v = model.state
    assert model.classify({"mu": mu}, {x: 0, v: 0}).class_ == expected


def test_arenstorf_five_lagrange_points():
    model = get("arenstorf")
    mu = model.defaults["mu"]
    points = model.fixed_points(box=[(-1.5, 1.5), (-1.0, 1.0), (-0.1, 0.1), (-0.1, 0.1)], starts_per_axis=[9, 9, 3, 3])
    coordinates = np.array([[fp.point[s] for s in model.state] for fp in points])
    assert len(points) == 5
    # L4 and L5 are the equilateral points (1/2 - mu, +-sqrt(3)/2).
    for sign in (1, -1):
        assert np.min(np.linalg.norm(coordinates - [0.5 - mu, sign * np.sqrt(3) / 2, 0, 0], axis=1)) < 1e-9
    assert np.allclose(coordinates[:, 2:], 0)


def test_arenstorf_orbit_is_periodic():
    model = get("arenstorf")
    f, p = numeric(model, list(model.rhs)), [model.defaults["mu"]]
    y0 = [0.994, 0.0, 0.0, -2.00158510637908252240537862224]
    period = 17.0652165601579625588917206249
    sol = scipy.integrate.solve_ivp(lambda _, z: f(z, p), (0, period), y0, method="DOP853", rtol=1e-12, atol=1e-12)
    assert np.allclose(sol.y[:, -1], y0, atol=1e-5)


def test_robertson_fixed_points_are_a_family():
    model = get("robertson")
    y1, y2, y3 = model.state
    (point,) = model.fixed_points()
    assert point.point == {y1: 0, y2: 0, y3: y3} and "y3 free" in point.note
