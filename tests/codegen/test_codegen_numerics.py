"""Compiled right-hand sides and Jacobians against sympy.lambdify and finite differences."""

import numpy as np
import pytest
import sympy
from sympy.codegen.cfunctions import expm1, log1p

from dynsys.codegen import compile_flow, compile_function

t = sympy.Symbol("t")
w1, w2, w3 = sympy.symbols("w1 w2 w3")
a, b = sympy.symbols("a b")
pos1, pos2 = sympy.symbols("w1 w2", positive=True)
real1, real2, real3 = sympy.symbols("w1 w2 w3", real=True)


def _clashing():
    out, y, math_ = sympy.Symbol("out", positive=True), sympy.Symbol("y"), sympy.Symbol("math")
    tau, p, rho = sympy.Symbol("tau"), sympy.Symbol("p"), sympy.Symbol("rho", positive=True)
    state_t = sympy.Symbol("t", real=True)
    exprs = [out * y - p * state_t, sympy.exp(-rho * tau) * math_, sympy.sqrt(out) - state_t**2, rho * y]
    return {"state": [out, y, math_, state_t], "params": [p, rho], "rhs": exprs, "time": tau}


# name -> state, params, rhs, time, and the interval states are drawn from.
CASES = {
    "polynomial": (
        {"state": [w1, w2, w3], "params": [a, b], "rhs": [a * w1**3 - w2 * w3 + b, w1 * w2 * w3 - 2 * w1**2, (w1 + w2) ** 4 - b * w3**5]},
        (-2.0, 2.0),
    ),
    "transcendental": (
        {
            "state": [w1, w2, w3],
            "params": [a, b],
            "rhs": [
                sympy.exp(-a * w1) * sympy.log(1 + w2**2),
                sympy.tanh(w1 * w2) + sympy.sqrt(1 + w3**2) + sympy.atan2(w1, w2),
                log1p(w1**2) + expm1(-b * w3**2) + sympy.sin(w1) * sympy.cos(w2),
            ],
        },
        (-2.0, 2.0),
    ),
    "piecewise": (
        {
            "state": [real1, real2, real3],
            "params": [a],
            "rhs": [
                sympy.Piecewise((real1**2, real1 > 0), (-real1 * real2, True)),
                sympy.Max(real1, real2, 0) - sympy.Min(real2, a) + sympy.Abs(real3),
                sympy.sign(real1) * real3 + sympy.Heaviside(real2) * real1,
            ],
        },
        (-2.0, 2.0),
    ),
    "time_dependent": (
        {"state": [w1, w2], "params": [a], "rhs": [sympy.sin(a * t) * w1, sympy.cos(t) * w2 - t**2]},
        (-2.0, 2.0),
    ),
    "rational_power": (
        {
            "state": [pos1, pos2],
            "params": [a],
            "rhs": [pos1 ** sympy.Rational(3, 2) + pos2 ** sympy.Rational(-1, 2), sympy.Rational(2, 7) * pos1 ** sympy.Rational(1, 3) / (pos1 * pos2) ** 2 - a],
        },
        (0.1, 2.0),
    ),
    "assumptions_and_clashes": (_clashing(), (0.1, 2.0)),
}


def lambdified(case, exprs):
    """A numpy reference f(t, y, p) for ``exprs``, independent of the printer."""
    time = case.get("time") or t
    return sympy.lambdify((time, case["state"], case["params"]), exprs, "numpy", dummify=True)


def random_points(case, interval, rng, count=5):
    for _ in range(count):
        yield rng.uniform(-1, 1), rng.uniform(*interval, len(case["state"])), rng.uniform(0.2, 1.5, len(case["params"]))


@pytest.fixture(params=sorted(CASES))
def case(request):
    spec, interval = CASES[request.param]
    flow = compile_flow(spec["state"], spec["params"], spec["rhs"], name=request.param, time=spec.get("time"))
    return spec, interval, flow


def test_rhs_and_jacobian_match_lambdify(case):
    spec, interval, flow = case
    rhs = lambdified(spec, spec["rhs"])
    # Derivatives almost everywhere: DiracDelta (from Heaviside, sign) is zero off the kinks.
    jacobian = sympy.Matrix(spec["rhs"]).jacobian(spec["state"]).replace(sympy.DiracDelta, lambda *args: 0)
    jac = lambdified(spec, jacobian)
    n = flow.n_state
    for time, y, p in random_points(spec, interval, np.random.default_rng(0)):
        out, jac_out = np.zeros(n), np.zeros((n, n))
        flow.rhs(time, y, p, out)
        flow.jac(time, y, p, jac_out)
        np.testing.assert_allclose(out, np.asarray(rhs(time, y, p), float), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(jac_out, np.asarray(jac(time, y, p), float), rtol=1e-12, atol=1e-12)


def test_jacobian_matches_central_differences(case):
    spec, interval, flow = case
    n = flow.n_state
    for time, y, p in random_points(spec, interval, np.random.default_rng(1)):
        jac_out = np.zeros((n, n))
        flow.jac(time, y, p, jac_out)
        differences = np.empty((n, n))
        for j in range(n):
            h = 1e-6 * max(1.0, abs(y[j]))
            up, down = y.copy(), y.copy()
            up[j] += h
            down[j] -= h
            f_up, f_down = np.zeros(n), np.zeros(n)
            flow.rhs(time, up, p, f_up)
            flow.rhs(time, down, p, f_down)
            differences[:, j] = (f_up - f_down) / (2 * h)
        np.testing.assert_allclose(jac_out, differences, rtol=1e-5, atol=1e-6)


def test_automatic_jacobian_drops_dirac_deltas_and_treats_symbols_as_real():
    # d/dw (w*Heaviside(w)) = Heaviside(w) + w*DiracDelta(w); d|w|/dw = sign(w).
    flow = compile_flow([w1, w2], [], [w1 * sympy.Heaviside(w1), sympy.Abs(w2)], name="kinks")
    jac_out = np.zeros((2, 2))
    flow.jac(0.0, np.array([1.5, -2.0]), np.zeros(0), jac_out)
    np.testing.assert_array_equal(jac_out, [[1.0, 0.0], [0.0, -1.0]])


def test_compile_function_matches_lambdify():
    exprs = [w1 - a, w1 * w2 - sympy.exp(t), sympy.Max(w2, 0)]
    function = compile_function("events", exprs, [w1, w2], [a])
    reference = sympy.lambdify((t, [w1, w2], [a]), exprs, "numpy")
    out = np.zeros(3)
    function(0.7, np.array([0.3, -1.2]), np.array([0.5]), out)
    np.testing.assert_allclose(out, reference(0.7, [0.3, -1.2], [0.5]), rtol=1e-14)


def test_division_by_zero_gives_inf_not_an_exception():
    function = compile_function("poles", [1 / w1, w1**-2, sympy.log(w1)], [w1], [])
    out = np.zeros(3)
    function(0.0, np.zeros(1), np.zeros(0), out)
    assert np.isinf(out).all()


def test_an_empty_vector_compiles_to_a_no_op():
    function = compile_function("no_outputs", [], [w1], [])
    y = np.ones(1)
    assert function(0.0, y, np.zeros(0), np.zeros(0)) is None and y[0] == 1.0
