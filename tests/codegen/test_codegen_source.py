"""function_source: layout, docstring, CSE, naming and the time symbol."""

import math

import numpy as np
import pytest
import sympy

from dynsys.codegen import CodegenError, function_source

w1, w2 = sympy.symbols("w1 w2")
rho = sympy.Symbol("rho", positive=True)


def run(source, name, t, y, p, n_out):
    """Execute generated source as plain Python and return ``out``."""
    namespace = {"math": math}
    exec(source, namespace)
    out = np.zeros(n_out)
    namespace[name](t, np.asarray(y, float), np.asarray(p, float), out)
    return out


def test_layout_and_docstring_name_the_order():
    source = function_source("f", [w2 - rho * w1, w1], [w1, w2], [rho])
    assert source.startswith("def f(t, y, p, out):\n")
    doc = source.split('"""')[1]
    assert doc.index("y[0] = w1") < doc.index("y[1] = w2") < doc.index("p[0] = rho")
    assert "w1 = y[0]" in source and "rho = p[0]" in source
    assert "out[0] = " in source and "out[1] = " in source
    compile(source, "<generated>", "exec")


def test_cse_prints_a_repeated_subexpression_once():
    shared = sympy.exp(w1 * w2 + rho)
    exprs = [shared * w1, shared * w2, shared + 1]
    assert function_source("f", exprs, [w1, w2], [rho]).count("math.exp") == 1
    assert function_source("f", exprs, [w1, w2], [rho], cse=False).count("math.exp") == 3


def test_jacobian_prezeroes_and_writes_only_nonzero_entries():
    source = function_source("jac", sympy.Matrix([[w2, 0], [0, rho]]), [w1, w2], [rho], kind="jac")
    assert "out[:, :] = 0.0" in source
    assert "out[0, 0] = w2" in source and "out[1, 1] = rho" in source
    assert "out[0, 1]" not in source


def test_clashing_names_are_mangled():
    # State and parameters named like the arguments, the math module, a
    # builtin, a keyword, and two symbols that differ only by assumptions.
    out, p, y, math_, lam, mx = sympy.symbols("out p y math lambda max")
    rho_plain = sympy.Symbol("rho")
    state, params = [out, y, math_, lam], [p, mx, rho, rho_plain]
    exprs = [out + y * p, math_ * mx, lam - rho, rho_plain]
    source = function_source("f", exprs, state, params)
    values = run(source, "f", 0.0, [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], 4)
    np.testing.assert_array_equal(values, [1 + 2 * 5, 3 * 6, 4 - 7, 8])


def test_implicit_time_is_any_free_symbol_named_t():
    t, t_real = sympy.Symbol("t"), sympy.Symbol("t", real=True)
    source = function_source("f", [t * w1, t_real], [w1], [])
    np.testing.assert_array_equal(run(source, "f", 2.0, [3.0], [], 2), [6.0, 2.0])


def test_explicit_time_and_a_state_named_t():
    t_state, tau = sympy.Symbol("t"), sympy.Symbol("tau")
    source = function_source("f", [tau * t_state], [t_state], [], time=tau)
    np.testing.assert_array_equal(run(source, "f", 2.0, [3.0], [], 1), [6.0])


def test_state_named_t_with_another_t_is_ambiguous():
    t_state, t_other = sympy.Symbol("t"), sympy.Symbol("t", positive=True)
    with pytest.raises(CodegenError, match="pass time="):
        function_source("f", [t_other * t_state], [t_state], [])


def test_time_cannot_be_a_state_variable():
    with pytest.raises(CodegenError, match="time must be"):
        function_source("f", [w1], [w1], [], time=w1)


def test_unknown_symbol_names_its_assumption_twin():
    with pytest.raises(CodegenError, match=r"differs by its assumptions from Symbol\('rho', positive=True\)"):
        function_source("f", [sympy.Symbol("rho") * w1], [w1], [rho])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "not a name"}, "identifier"),
        ({"state": [w1, w1]}, "twice"),
        ({"state": ["w1"]}, "SymPy symbols"),
        ({"kind": "hessian"}, "kind"),
    ],
)
def test_invalid_arguments(kwargs, message):
    arguments = {"name": "f", "exprs": [w1], "state": [w1], "params": []} | kwargs
    with pytest.raises(CodegenError, match=message):
        function_source(**arguments)
