"""Compile SymPy vector fields and expression vectors to numba functions."""

from collections.abc import Mapping

import numpy as np
import sympy

from dynsys.integrate.flow import Flow

from .cache import load_module
from .printer import CodegenError
from .source import function_source, module_source, python_identifier

# Compiled functions by everything their source depends on, so that compiling
# a model again in this process also skips differentiation and CSE.
_compiled = {}


def compile_flow(state, params, rhs, jacobian=None, name="flow", defaults=None, time=None):
    """The ``Flow`` of ``dy/dt = rhs(t, y, p)``, compiled for the integrators.

    ``state`` and ``params`` are sequences of SymPy symbols (their order is the
    order of ``y`` and ``p``), ``rhs`` a sequence or column Matrix with one
    expression per state variable. ``jacobian`` defaults to the derivative of
    ``rhs`` taken with every symbol real, almost everywhere: ``DiracDelta``
    terms (from differentiating Heaviside, sign, Max ...) are dropped.
    ``defaults`` gives ``Flow.params``: a sequence in parameter order, or a
    mapping from parameter symbols or names to values (others are zero); zeros
    when None. ``name`` names the model in the generated module; ``time`` is
    as in ``function_source``.
    """
    state, params = tuple(state), tuple(params)
    rhs = tuple(sympy.sympify(expr) for expr in rhs)
    if len(rhs) != len(state):
        raise CodegenError(f"{len(rhs)} right-hand sides for {len(state)} state variables")
    jacobian = None if jacobian is None else sympy.ImmutableMatrix(jacobian)
    key = ("flow", state, params, rhs, jacobian, name, time)
    if key not in _compiled:
        if jacobian is None:
            jacobian = _jacobian(sympy.Matrix(rhs), state)
        if jacobian.shape != (len(state), len(state)):
            raise CodegenError(f"the Jacobian must be {len(state)} x {len(state)}, got {jacobian.shape}")
        base = python_identifier(name)
        source = module_source(
            [
                ("RHS_SIGNATURE", function_source(f"{base}_rhs", rhs, state, params, "rhs", time)),
                ("JAC_SIGNATURE", function_source(f"{base}_jac", jacobian, state, params, "jac", time)),
            ],
            origin=f"model {name!r}",
        )
        module = load_module(source)
        _compiled[key] = (getattr(module, f"{base}_rhs"), getattr(module, f"{base}_jac"))
    rhs_function, jac_function = _compiled[key]
    return Flow(
        rhs=rhs_function,
        jac=jac_function,
        n_state=len(state),
        state_names=tuple(symbol.name for symbol in state),
        param_names=tuple(symbol.name for symbol in params),
        params=_default_params(defaults, params),
    )


def compile_function(name, exprs, state, params, time=None):
    """``exprs`` compiled as ``f(t, y, p, out)`` with ``RHS_SIGNATURE``.

    For event vectors and observables: ``out`` gets one entry per expression.
    Arguments are as in ``function_source``.
    """
    state, params = tuple(state), tuple(params)
    exprs = tuple(sympy.sympify(expr) for expr in exprs)
    key = ("function", state, params, exprs, name, time)
    if key not in _compiled:
        base = python_identifier(name)
        source = module_source(
            [("RHS_SIGNATURE", function_source(base, exprs, state, params, "rhs", time))],
            origin=f"function {name!r}",
        )
        _compiled[key] = getattr(load_module(source), base)
    return _compiled[key]


def _jacobian(rhs, state):
    """d rhs / d state for real symbols, almost everywhere (DiracDelta dropped)."""
    real = {symbol: sympy.Dummy(symbol.name, real=True) for symbol in rhs.free_symbols if not symbol.is_real}
    jacobian = rhs.xreplace(real).jacobian([real.get(symbol, symbol) for symbol in state])
    jacobian = jacobian.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return jacobian.xreplace({dummy: symbol for symbol, dummy in real.items()})


def _default_params(defaults, params):
    if defaults is None:
        return np.zeros(len(params))
    if not isinstance(defaults, Mapping):
        values = np.array(defaults, dtype=float)
        if values.shape != (len(params),):
            raise CodegenError(f"{values.shape} defaults for {len(params)} parameters")
        return values
    index = {symbol: i for i, symbol in enumerate(params)}
    for i, symbol in enumerate(params):
        index.setdefault(symbol.name, i)
    values = np.zeros(len(params))
    for key, value in defaults.items():
        if key not in index:
            raise CodegenError(f"a default for {key!r}, which is not a parameter")
        values[index[key]] = value
    return values
