"""Checks of the front doors' arguments: one ValueError with a one-line message each.

They run on every solve, so they use as few NumPy calls as they can (each costs
about a microsecond on a small array): finiteness and ranges by ``min``/``max``,
which propagate NaN.
"""

import math
import numbers

import numpy as np

from .methods import METHODS

SCIPY_PREFIX = "scipy:"
SCIPY_METHODS = ("RK23", "RK45", "DOP853", "Radau", "BDF", "LSODA")
MIN_RTOL = 100 * np.finfo(np.float64).eps


def method(name):
    """``("dynsys", Method)`` or ``("scipy", scipy_name)`` for a method name."""
    if not isinstance(name, str):
        raise ValueError(f"method must be a string, got {type(name).__name__}")
    if name.startswith(SCIPY_PREFIX):
        scipy_name = name[len(SCIPY_PREFIX):]
        if scipy_name not in SCIPY_METHODS:
            raise ValueError(f"unknown SciPy method {scipy_name!r}; known: {', '.join(SCIPY_METHODS)}")
        return "scipy", scipy_name
    if name in METHODS:
        return "dynsys", METHODS[name]
    known = sorted(METHODS) + [SCIPY_PREFIX + m for m in SCIPY_METHODS]
    raise ValueError(f"unknown method {name!r}; known: {', '.join(known)}")


def _float_array(value):
    """``value`` as a float64 array, or None when it is not numeric."""
    if isinstance(value, str):
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _real(value, name):
    if type(value) is float:  # the common case, before the slower checks
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    return float(value)


def time_span(t_span):
    """``(t0, t1)`` as floats: finite and distinct (t1 < t0 integrates backwards)."""
    try:
        t0, t1 = t_span
    except (TypeError, ValueError):
        raise ValueError(f"t_span must be a pair (t0, t1), got {t_span!r}") from None
    t0, t1 = _real(t0, "t0"), _real(t1, "t1")
    if not (math.isfinite(t0) and math.isfinite(t1)):
        raise ValueError(f"t_span must be finite, got ({t0}, {t1})")
    if t1 == t0:
        raise ValueError(f"t1 must differ from t0, both are {t0}")
    return t0, t1


def initial_state(y0, n_state=None):
    """``y0`` as a finite float64 1-D array (a number is one state variable)."""
    y = np.atleast_1d(np.asarray(y0))
    if y.dtype.kind == "c":
        raise ValueError("y0 must be real; complex states are not supported")
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y0 must be an array of real numbers, got dtype {y.dtype}")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y0 must be a non-empty 1-D array, got shape {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError(f"y0 must be finite, got {y.tolist()}")
    if n_state is not None and y.size != n_state:
        raise ValueError(f"y0 has {y.size} components but the flow has {n_state} state variables")
    return np.ascontiguousarray(y, dtype=np.float64)


def tolerances(rtol, atol, n_state):
    """``(rtol, atol)``: rtol a float >= 100 eps, atol a positive array of length n_state."""
    rtol = _real(rtol, "rtol")
    if not (math.isfinite(rtol) and rtol > 0):
        raise ValueError(f"rtol must be positive and finite, got {rtol}")
    if rtol < MIN_RTOL:
        raise ValueError(f"rtol = {rtol:g} is below 100 machine epsilons ({MIN_RTOL:.3g})")
    atol_array = _float_array(atol)
    if atol_array is None or atol_array.ndim > 1 or (atol_array.ndim == 1 and atol_array.size != n_state):
        raise ValueError(f"atol must be a number or an array of length {n_state}, got {atol!r}")
    low, high = (atol, atol) if type(atol) is float else (atol_array.min(), atol_array.max())
    if not (low > 0 and high < np.inf):
        raise ValueError(f"atol must be positive and finite, got {atol!r}")
    return rtol, np.full(n_state, atol_array)  # a writeable copy


def output_times(t_eval, t0, t1):
    """``t_eval`` as a float64 array inside t_span, sorted from t0 towards t1 (None stays None)."""
    if t_eval is None:
        return None
    t = np.atleast_1d(np.asarray(t_eval, dtype=np.float64))
    if t.ndim != 1 or t.size == 0:
        raise ValueError("t_eval must be a non-empty 1-D array (or None for every step)")
    t_min, t_max = t.min(), t.max()
    if not (math.isfinite(t_min) and math.isfinite(t_max)):
        raise ValueError("t_eval must be finite")
    if t_min < min(t0, t1) or t_max > max(t0, t1):
        raise ValueError(f"t_eval must lie within t_span [{t0}, {t1}], got values in [{t_min}, {t_max}]")
    if t.size > 1 and (np.diff(t) < 0 if t1 > t0 else np.diff(t) > 0).any():
        direction = "increasing" if t1 > t0 else "decreasing (t1 < t0)"
        raise ValueError(f"t_eval must be sorted {direction}")
    return np.ascontiguousarray(t)


def step_options(first_step, max_step, max_steps):
    """``(first_step or None, max_step, max_steps)`` checked."""
    if first_step is not None:
        first_step = _real(first_step, "first_step")
        if not (np.isfinite(first_step) and first_step > 0):
            raise ValueError(f"first_step must be positive and finite, got {first_step}")
    max_step = _real(max_step, "max_step")
    if not max_step > 0:
        raise ValueError(f"max_step must be positive, got {max_step}")
    integral = isinstance(max_steps, numbers.Integral) and not isinstance(max_steps, (bool, np.bool_))
    if not integral or max_steps < 1:
        raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
    return first_step, max_step, int(max_steps)


def parameters(p, n_params, what="params"):
    """A flow's parameter vector as a finite float64 1-D array of length n_params."""
    array = _float_array(p)
    array = None if array is None else np.atleast_1d(array)
    if array is None or array.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of {n_params} numbers")
    if n_params is not None and array.size != n_params:
        raise ValueError(f"{what} has {array.size} values but the flow has {n_params} parameters")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must be finite")
    return np.ascontiguousarray(array)
