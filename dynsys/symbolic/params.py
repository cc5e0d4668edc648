"""Numeric parameter values checked against the symbols' SymPy assumptions."""

import math

from .errors import ModelError

# Assumption -> test on a float, most specific first so the message names it.
_ASSUMPTIONS = (
    ("positive", lambda v: v > 0),
    ("negative", lambda v: v < 0),
    ("nonnegative", lambda v: v >= 0),
    ("nonpositive", lambda v: v <= 0),
    ("nonzero", lambda v: v != 0),
    ("integer", lambda v: v == int(v)),
)


def check_value(model_id, symbol, value):
    """``value`` as a float, or ModelError if non-finite or against ``symbol``'s assumptions."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"parameter '{symbol.name}' of model '{model_id}' must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ModelError(f"parameter '{symbol.name}' of model '{model_id}' must be finite, got {number}")
    for assumption, holds in _ASSUMPTIONS:
        if symbol.assumptions0.get(assumption) and not holds(number):
            raise ModelError(f"parameter '{symbol.name}' of model '{model_id}' must be {assumption}, got {number}")
    return number


def resolve(model_id, params, defaults, overrides):
    """All parameter values by name: ``defaults`` updated by ``overrides``, each checked."""
    by_name = {p.name: p for p in params}
    unknown = [name for name in overrides if name not in by_name]
    if unknown:
        raise ModelError(
            f"unknown parameter '{unknown[0]}' for model '{model_id}'; parameters: {', '.join(by_name) or '(none)'}"
        )
    values = {**defaults, **overrides}
    missing = [name for name in by_name if name not in values]
    if missing:
        raise ModelError(f"missing parameter '{missing[0]}' for model '{model_id}' (it has no default)")
    return {name: check_value(model_id, by_name[name], values[name]) for name in by_name}
