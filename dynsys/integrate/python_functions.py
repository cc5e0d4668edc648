"""Plain Python functions in the compiled in-place form the kernels call.

SciPy's ``fun(t, y, *args)`` returns dy/dt; the kernels call
``rhs(t, y, p, out)`` (``dynsys.integrate.flow``). ``pack_args`` flattens
``args`` (numbers and float arrays) into ``p`` and records where each one
lives; a small generated adapter, compiled with the kernels' signature,
unpacks ``p`` again, calls the user's function (compiled by numba in
nopython mode, or used as is when it already is a numba function) and copies
the result into ``out``. Adapters are compiled once per function and
argument layout and kept for the life of the process.
"""

import numbers
import warnings

import numpy as np
from numba import njit
from numba.core.errors import NumbaExperimentalFeatureWarning
from numba.extending import is_jitted

from .flow import JAC_SIGNATURE, RHS_SIGNATURE

_compiled = {}  # (kind, functions, layout) -> compiled adapter
_jitted = {}  # user function -> its numba dispatcher, shared by all its adapters


def pack_args(args):
    """``(p, layout)`` for ``args``: ``p`` a float array, ``layout`` hashable.

    Each entry of ``layout`` is ``(kind, offset, shape)`` with kind ``"int"``,
    ``"float"`` or ``"array"``. Raises ValueError for anything else.
    """
    parts, layout, offset = [], [], 0
    for k, arg in enumerate(args):
        if isinstance(arg, (bool, np.bool_, numbers.Integral)):
            parts.append([float(arg)])
            layout.append(("int", offset, ()))
            offset += 1
        elif isinstance(arg, numbers.Real):
            parts.append([float(arg)])
            layout.append(("float", offset, ()))
            offset += 1
        else:
            try:
                array = np.asarray(arg)
            except Exception:  # noqa: BLE001 - any failure means "not an array"
                array = None
            if array is None or array.dtype.kind not in "biuf" or array.ndim == 0:
                raise ValueError(f"args[{k}] must be a real number or a real array, got {type(arg).__name__}")
            parts.append(array.astype(np.float64).ravel())
            layout.append(("array", offset, array.shape))
            offset += array.size
    p = np.concatenate([np.asarray(part, dtype=np.float64) for part in parts]) if parts else np.zeros(0)
    return np.ascontiguousarray(p), tuple(layout)


def _unpack_expressions(layout):
    exprs = []
    for kind, offset, shape in layout:
        if kind == "int":
            exprs.append(f"int(p[{offset}])")
        elif kind == "float":
            exprs.append(f"p[{offset}]")
        elif len(shape) == 1:
            exprs.append(f"p[{offset}:{offset + shape[0]}]")
        else:
            size = int(np.prod(shape))
            exprs.append(f"p[{offset}:{offset + size}].reshape({tuple(shape)!r})")
    return exprs


def _as_numba(function, role):
    if is_jitted(function):
        return function
    if not callable(function):
        raise ValueError(f"{role} must be callable, got {type(function).__name__}")
    if function not in _jitted:
        _jitted[function] = njit(error_model="numpy")(function)  # 1/0 is inf, as in NumPy
    return _jitted[function]


def _build(kind, functions, layout, role):
    """Generate, exec and compile one adapter; see the module docstring."""
    call_args = ", ".join(["t", "y"] + _unpack_expressions(layout))
    namespace = {"np": np}
    lines = ["def adapter(t, y, p, out):"]
    if kind == "events":
        for i, function in enumerate(functions):
            namespace[f"g{i}"] = _as_numba(function, role)
            lines.append(f"    out[{i}] = g{i}({call_args})")
        if not functions:
            lines.append("    pass")
        signature = RHS_SIGNATURE
    else:
        namespace["user"] = _as_numba(functions[0], role)
        lines.append(f"    value = np.asarray(user({call_args}))")
        if kind == "rhs":
            lines += ["    value = np.atleast_1d(value)",
                      "    for i in range(out.shape[0]):",
                      "        out[i] = value[i]"]
            signature = RHS_SIGNATURE
        else:
            lines += ["    for i in range(out.shape[0]):",
                      "        for j in range(out.shape[1]):",
                      "            out[i, j] = value[i, j]"]
            signature = JAC_SIGNATURE
    exec(compile("\n".join(lines), f"<dynsys {kind} adapter>", "exec"), namespace)  # noqa: S102
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumbaExperimentalFeatureWarning)
            return njit(signature, error_model="numpy")(namespace["adapter"])
    except Exception as error:  # numba's typing errors are long; keep their first informative line
        lines = [line.strip() for line in str(error).splitlines()
                 if line.strip() and not line.strip().startswith("Failed in")]
        first = lines[0] if lines else type(error).__name__
        raise ValueError(f"{role} could not be compiled by numba in nopython mode ({first}); write it in "
                         f"numba-compatible style (NumPy arrays and math, no Python objects) or use "
                         f"method='scipy:RK45'") from error


def _adapter(kind, functions, layout, role):
    key = (kind, tuple(functions), layout)
    if key not in _compiled:
        _compiled[key] = _build(kind, tuple(functions), layout, role)
    return _compiled[key]


def compile_rhs(fun, layout):
    """``fun(t, y, *args) -> dy/dt`` as ``rhs(t, y, p, out)`` (``RHS_SIGNATURE``)."""
    return _adapter("rhs", (fun,), layout, "fun")


def compile_jac(jac, layout):
    """``jac(t, y, *args) -> (n, n) matrix`` as ``jac(t, y, p, out)`` (``JAC_SIGNATURE``)."""
    return _adapter("jac", (jac,), layout, "jac")


def compile_events(functions, layout):
    """Event functions ``g_i(t, y, *args) -> float`` as one vector function writing ``out[i] = g_i``."""
    return _adapter("events", tuple(functions), layout, "events")
