"""Many solves of one flow in one compiled, parallel call.

``ensemble`` runs the method's own kernel once per member inside a numba
``prange`` loop, so a parameter grid costs one compilation (cached on disk)
and no Python per member; each member's result is bit-for-bit that of
``solve_ivp`` with the same inputs.
"""

import functools
from dataclasses import dataclass

import numpy as np
from numba import prange, typeof, types

from . import validate
from ._function_values import JAC_ADDRESS, RHS_ADDRESS
from ._kernel_cache import njit_cached
from .flow import Flow, no_events, no_jacobian


@dataclass
class EnsembleResult:
    """Results of ``ensemble`` for m members.

    With ``t_eval``: ``t`` (n_t,) and ``y`` (m, n_state, n_t); points a member
    did not reach (it failed: see ``status``) are NaN. Without: ``t`` is t1
    and ``y`` (m, n_state) each member's last state, reached at ``t_final``
    (t1 unless it failed). ``status`` and ``nfev`` are per member (status as
    in ``OdeResult``).
    """

    t: object
    y: np.ndarray
    status: np.ndarray
    nfev: np.ndarray
    t_final: np.ndarray
    method: str

    @property
    def success(self):
        return self.status >= 0


@functools.cache
def _driver(kernel_factory, data_types, direction_type):
    """The parallel loop over members for one kernel, compiled with an explicit signature
    and cached on disk (``dynsys.integrate._kernel_cache``)."""
    kernel = kernel_factory()

    def drive(rhs, jac, events, data, t0, t1, y0s, ps, t_eval, rtol, atol, first_step, max_step,
              max_steps, direction, terminal, order, y_out, t_final, status, nfev):
        n_eval = t_eval.shape[0]
        for position in prange(order.shape[0]):
            i = order[position]
            result = kernel(rhs, jac, events, *data, t0, t1, y0s[i], ps[i], t_eval, rtol, atol,
                          first_step, max_step, max_steps, direction, terminal, 0)
            status[i] = result[0]
            t_final[i] = result[1]
            ys = result[3]
            n_out = result[4]
            nfev[i] = result[8]
            if n_eval > 0:
                for k in range(n_out):
                    y_out[i, :, k] = ys[k]
                y_out[i, :, n_out:] = np.nan
            else:
                y_out[i, :, 0] = ys[n_out - 1]

    vec, mat = types.float64[::1], types.float64[:, ::1]
    signature = types.void(types.int64, types.int64, types.int64, types.Tuple(data_types), types.float64,
                           types.float64, mat, mat, vec, types.float64, vec, types.float64,
                           types.float64, types.int64, direction_type, types.int64[::1],
                           types.int64[::1], types.float64[:, :, ::1], vec, types.int64[::1],
                           types.int64[::1])
    return njit_cached(drive, signature, calls=(kernel,), parallel=True)


def _interleaved(m, stride=16):
    """Members in the order 0, 16, 32, ..., 1, 17, ...: numba splits a prange into
    contiguous blocks, and neighbours on a parameter grid cost alike, so this
    spreads cheap and dear regions of the grid over all threads."""
    return np.argsort(np.arange(m) % stride, kind="stable").astype(np.int64)


def _rows(values, name, width, default):
    """``values`` as a C-contiguous (rows x width) float array; one row broadcasts."""
    if values is None:
        values = default
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != width:
        raise ValueError(f"{name} must have shape ({width},) or (m, {width}), got {np.shape(values)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def ensemble(flow, t_span, y0s, params=None, method="dopri5", t_eval=None, rtol=1e-6, atol=1e-9,
             max_steps=100_000, first_step=None, max_step=np.inf):
    """Solve ``flow`` for m initial states and/or parameter vectors at once.

    ``y0s`` is (m, n_state) or one state (n_state,) for every member;
    ``params`` (m, n_params), one vector, or None for ``flow.params``; the
    member count m is the number of rows of whichever has more than one.
    Other arguments as in ``solve_ivp`` (no events). The members run in
    parallel on numba's threads. Returns an ``EnsembleResult``.
    """
    if not isinstance(flow, Flow):
        raise ValueError(f"ensemble needs a Flow (a compiled model), got {type(flow).__name__}")
    kind, chosen = validate.method(method)
    if kind == "scipy":
        raise ValueError("ensemble runs the numba methods only; loop over solve_ivp for scipy: methods")
    t0, t1 = validate.time_span(t_span)
    n = flow.n_state
    y0s = _rows(y0s, "y0s", n, None)
    n_params = len(flow.param_names) if flow.param_names else len(flow.params)
    ps = _rows(params, "params", n_params, flow.params)
    m = max(len(y0s), len(ps))
    if len(y0s) not in (1, m) or len(ps) not in (1, m):
        raise ValueError(f"y0s has {len(y0s)} rows and params {len(ps)}; they must match or be one row")
    y0s = np.array(np.broadcast_to(y0s, (m, n)), order="C")  # writeable C copies for the driver
    ps = np.array(np.broadcast_to(ps, (m, ps.shape[1])), order="C")
    rtol, atol = validate.tolerances(rtol, atol, n)
    t_eval = validate.output_times(t_eval, t0, t1)
    first_step, max_step, max_steps = validate.step_options(first_step, max_step, max_steps)
    if chosen.adaptive:
        h0 = first_step or 0.0
    else:
        h0 = min(first_step or abs(t1 - t0) / max_steps, max_step)

    kernel = chosen.kernel()
    arg_types = kernel.nopython_signatures[0].args
    direction_type = arg_types[-3]
    direction = np.zeros(0, dtype=np.dtype(str(direction_type.dtype)))
    driver = _driver(chosen.kernel, tuple(typeof(x) for x in chosen.data), direction_type)

    n_t = 1 if t_eval is None else t_eval.size
    y_out = np.empty((m, n, n_t))
    t_final = np.empty(m)
    status = np.empty(m, dtype=np.int64)
    nfev = np.empty(m, dtype=np.int64)
    driver(RHS_ADDRESS[flow.rhs], JAC_ADDRESS[flow.jac or no_jacobian], RHS_ADDRESS[no_events],
           tuple(chosen.data), t0, t1, y0s, ps,
           np.zeros(0) if t_eval is None else t_eval, rtol, atol, h0, max_step, max_steps,
           direction, np.zeros(0, np.int64), _interleaved(m), y_out, t_final, status, nfev)
    if t_eval is None:
        return EnsembleResult(t=t1, y=y_out[:, :, 0], status=status, nfev=nfev, t_final=t_final,
                              method=chosen.name)
    return EnsembleResult(t=t_eval, y=y_out, status=status, nfev=nfev, t_final=t_final, method=chosen.name)
