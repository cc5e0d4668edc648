"""NumbaPrinter: printed expressions evaluate (as plain Python) to SymPy's values."""

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from sympy.codegen.cfunctions import expm1, log1p

from dynsys.codegen import CodegenError, NumbaPrinter

x, y = sympy.symbols("x y")
PRINTER = NumbaPrinter({x: "x", y: "y"})


def evaluate(expr, **values):
    """The printed source of ``expr`` evaluated by Python with ``math``."""
    return eval(PRINTER.doprint(expr), {"math": math}, values)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip_exactly(value):
    assert evaluate(sympy.Float(value)) == value


@pytest.mark.parametrize(
    "expr",
    [
        sympy.Rational(1, 3) * x,
        x ** sympy.Rational(3, 2),
        x ** sympy.Rational(-3, 2),
        x ** sympy.Rational(1, 3),
        sympy.Rational(-2, 7) + x,
        sympy.Integer(2) ** 70 * x,
    ],
)
def test_rationals_are_floats_not_integer_division(expr):
    source = PRINTER.doprint(expr)
    assert "/3" not in source and "/2" not in source and "/7" not in source
    assert evaluate(expr, x=1.7) == pytest.approx(float(expr.subs(x, 1.7)), rel=1e-15)


@pytest.mark.parametrize(
    "expr, values",
    [
        (sympy.exp(x) + sympy.log(y) + sympy.sqrt(x) + sympy.tanh(x), {"x": 0.3, "y": 2.0}),
        (sympy.atan2(x, y) + log1p(x) + expm1(y), {"x": -0.3, "y": 0.2}),
        (sympy.pi * x + sympy.E * y + sympy.EulerGamma, {"x": 0.5, "y": 1.5}),
        (x**-2 + (x + y) ** -3 + 1 / (x + y), {"x": 0.5, "y": 1.5}),
        (sympy.Max(x, y, 1) - sympy.Min(x, y), {"x": 0.5, "y": 1.5}),
        (sympy.Abs(x) * sympy.sign(y) + sympy.Heaviside(x) + sympy.Heaviside(y, 1), {"x": -0.5, "y": 0.0}),
        (sympy.Piecewise((x**2, x > 1), (y, sympy.And(x > 0, y < 2)), (0, True)), {"x": 0.5, "y": 1.5}),
    ],
)
def test_values_match_sympy(expr, values):
    exact = float(expr.subs({sympy.Symbol(k): v for k, v in values.items()}))
    assert evaluate(expr, **values) == pytest.approx(exact, rel=1e-14)


def test_negative_integer_powers_do_not_raise_at_zero():
    # x**-2 raises ZeroDivisionError in numba even under error_model="numpy".
    assert "**-" not in PRINTER.doprint(x**-2).replace(" ", "")


def test_piecewise_without_otherwise_is_nan():
    assert math.isnan(evaluate(sympy.Piecewise((x, x > 0)), x=-1.0))


def test_constants():
    assert PRINTER.doprint(sympy.pi) == "math.pi"
    assert PRINTER.doprint(sympy.E) == "math.e"
    assert evaluate(-sympy.oo) == -math.inf


@pytest.mark.parametrize(
    "expr, message",
    [
        (sympy.Function("f")(x), "f"),
        (sympy.I * x, "ImaginaryUnit"),
        (sympy.DiracDelta(x), "DiracDelta"),
        (sympy.besselj(1, x), "besselj"),
        (sympy.Derivative(sympy.Function("f")(x), x), "Derivative"),
        (sympy.Symbol("z") + x, "unknown symbol"),
        (sympy.Symbol("x", positive=True), "positive=True"),
        (sympy.Matrix([x, y]), "matrix"),
    ],
)
def test_unprintable_raises_a_clear_error(expr, message):
    with pytest.raises(CodegenError, match=message):
        PRINTER.doprint(expr)
