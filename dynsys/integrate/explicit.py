"""The one numba kernel that runs every explicit Runge-Kutta tableau.

RK4, Dormand-Prince 5(4) and DOP853 are data (``tableaus/``, layout in
``dynsys.integrate.tableau``); this module steps any of them. Calling
convention and result: ``dynsys.integrate.methods``.

Step-size control follows Hairer's codes (Hairer, Norsett & Wanner, Solving
ODEs I, sec. II.4): the error is the RMS norm of the estimate scaled by
``atol + rtol max(|y|, |y_new|)``; ``h_new = h / clip(err**alpha /
err_old**beta / safety, 1/fac_max, 1/fac_min)`` after an accepted step (PI
control of Gustafsson (1991) when ``beta > 0``), ``h / min(1/fac_min,
err**alpha / safety)`` after a rejected one, and no growth right after a
rejection. The first step is chosen as in sec. II.4 when ``first_step <= 0``.
A method without error rows takes fixed steps of ``first_step``. The last
step is stretched by up to 1 % to land on ``t1``.

Failures: ``max_steps`` bounds attempted steps (accepted and rejected): -1.
A trial step whose stages or new state are not finite is rejected with the
smallest factor; if the step then shrinks below ``10 |t| eps`` the status is
-2 (non-finite), otherwise -3 (step too small). With fixed steps a non-finite
state or slope is -2 at once. ``t_stop`` is then the last accepted time, so
the returned output never holds a non-finite value. Arithmetic follows NumPy
(``error_model="numpy"``): a division by zero gives inf, which the checks
above catch, instead of raising inside the compiled loop.
"""

import functools

import numpy as np
from numba import njit, types

from ._function_values import rhs_at
from ._kernel_cache import njit_cached
from ._output import output_buffers, record_output, step_end, stop_at_events
from .flow import MAX_STEPS, NON_FINITE, STEP_TOO_SMALL, SUCCESS, TERMINATED
from .methods import Method, register
from .tableaus import dop853, dopri5, rk4

EPS = np.finfo(np.float64).eps


# The helpers called in every step are inlined: for a small system, calls passing
# several arrays cost more than the loops themselves (a third of a DOP853 step).
@njit(error_model="numpy", inline="always")
def _combine(y, h, weights, K, n_used, out):
    """``out = y + h sum_{j < n_used} weights[j] K[j]``."""
    for i in range(y.shape[0]):
        acc = 0.0
        for j in range(n_used):
            acc += weights[j] * K[j, i]
        out[i] = y[i] + h * acc


@njit(error_model="numpy", inline="always")
def _all_finite(x):
    for value in x:
        if not np.isfinite(value):
            return False
    return True


@njit(error_model="numpy", inline="always")
def _error_norm(E, K, n_main, h, y, y_new, rtol, atol):
    """Scaled RMS error of a trial step: one row of ``E``, or DOP853's pair.

    With two rows (5th- and 3rd-order differences) the estimate is
    ``err5**2 / sqrt(err5**2 + 0.01 err3**2)``, as in DOP853.
    """
    n = y.shape[0]
    s0 = 0.0
    s1 = 0.0
    for i in range(n):
        scale = atol[i] + rtol * max(abs(y[i]), abs(y_new[i]))
        e0 = 0.0
        for j in range(n_main):
            e0 += E[0, j] * K[j, i]
        s0 += (e0 / scale) ** 2
        if E.shape[0] > 1:
            e1 = 0.0
            for j in range(n_main):
                e1 += E[1, j] * K[j, i]
            s1 += (e1 / scale) ** 2
    if E.shape[0] == 1:
        return abs(h) * np.sqrt(s0 / n)
    denominator = s0 + 0.01 * s1
    if denominator <= 0.0:
        denominator = 1.0
    return abs(h) * s0 / np.sqrt(n * denominator)


@njit(error_model="numpy")
def _initial_step(rhs, t0, y0, f0, p, sign, rtol, atol, error_order, max_step, y1, f1):
    """First step of Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4 (one rhs call)."""
    n = y0.shape[0]
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        scale = atol[i] + rtol * abs(y0[i])
        d0 += (y0[i] / scale) ** 2
        d1 += (f0[i] / scale) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, max_step)
    for i in range(n):
        y1[i] = y0[i] + sign * h0 * f0[i]
    rhs(t0 + sign * h0, y1, p, f1)
    d2 = 0.0
    for i in range(n):
        d2 += ((f1[i] - f0[i]) / (atol[i] + rtol * abs(y0[i]))) ** 2
    d2 = np.sqrt(d2 / n) / h0
    if not np.isfinite(d2):
        return 1e-3 * h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, 1e-3 * h0)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / (error_order + 1.0))
    return min(100.0 * h0, h1)


@njit(error_model="numpy")
def _dense(rhs, p, t, h, y, K, A, c, P, i_new, y_stage, Q):
    """Fill ``Q`` with the step's dense output; returns the rhs calls it made."""
    n_stages = A.shape[0]
    for i in range(i_new + 1, n_stages):
        _combine(y, h, A[i], K, i, y_stage)
        rhs(t + c[i] * h, y_stage, p, K[i])
    for m in range(y.shape[0]):
        Q[m, 0] = y[m]
        for j in range(P.shape[1]):
            acc = 0.0
            for i in range(n_stages):
                acc += P[i, j] * K[i, m]
            Q[m, j + 1] = h * acc
    return n_stages - i_new - 1


def _explicit_rk(rhs_address, jac_address, events_address, A, b, c, E, P, layout, control,
                 t0, t1, y0, p, t_eval, rtol, atol, first_step, max_step, max_steps,
                 direction, terminal, max_events):
    """Integrate ``y' = rhs(t, y, p)`` from t0 to t1 with an explicit tableau.

    See the module docstring for step control and failures, and
    ``dynsys.integrate.methods`` for the arguments and the result tuple.
    The Jacobian is not used.
    """
    rhs = rhs_at(rhs_address)
    events = rhs_at(events_address)
    n = y0.shape[0]
    n_stages = A.shape[0]
    n_main = layout[0]
    i_new = layout[1]
    error_order = layout[3]
    adaptive = E.shape[0] > 0
    safety = control[0]
    fac_min = control[1]
    fac_max = control[2]
    alpha = control[3]
    beta = control[4]
    sign = 1.0 if t1 >= t0 else -1.0

    ts, ys, n_out, ev_t, ev_y, ev_n, g_old, g_new, g_work = output_buffers(
        events, p, t0, y0, t_eval, direction.shape[0], max_events)

    t = t0
    y = y0.copy()
    y_new = np.empty(n)
    y_stage = np.empty(n)
    K = np.empty((n_stages, n))
    Q = np.empty((n, P.shape[1] + 1))

    rhs(t, y, p, K[0])
    nfev = 1
    status = SUCCESS
    if not _all_finite(K[0]):
        status = NON_FINITE
    if first_step > 0.0 or not adaptive or status != SUCCESS:
        h = first_step
    else:
        h = _initial_step(rhs, t, y, K[0], p, sign, rtol, atol, error_order, max_step,
                          y_stage, K[1])
        nfev += 1
    h = sign * min(h, max_step, abs(t1 - t0))

    n_accepted = 0
    n_rejected = 0
    err_old = 1e-4
    rejected_last = False
    non_finite_trial = False
    while status == SUCCESS and (t1 - t) * sign > 0.0:
        if n_accepted + n_rejected >= max_steps:
            status = MAX_STEPS
            break
        if adaptive and 0.1 * abs(h) <= abs(t) * EPS:
            status = NON_FINITE if non_finite_trial else STEP_TOO_SMALL
            break
        last = (t + 1.01 * h - t1) * sign >= 0.0
        h_planned = h
        if last:
            h = t1 - t
        t_new = t1 if last else t + h

        for i in range(1, n_main):
            _combine(y, h, A[i], K, i, y_stage)
            rhs(t + c[i] * h, y_stage, p, K[i])
        nfev += n_main - 1
        _combine(y, h, b, K, n_main, y_new)
        finite = _all_finite(y_new) and (i_new >= n_main or _all_finite(K[i_new]))
        if adaptive:
            err = _error_norm(E, K, n_main, h, y, y_new, rtol, atol) if finite else np.inf
            if err <= 1.0 and i_new >= n_main:  # f at the new point, only for a step that passed
                rhs(t_new, y_new, p, K[i_new])
                nfev += 1
                if not _all_finite(K[i_new]):
                    err = np.inf
            if not np.isfinite(err):
                non_finite_trial = True
            if not err <= 1.0:
                n_rejected += 1
                rejected_last = True
                if np.isfinite(err):
                    h = h / min(1.0 / fac_min, err ** alpha / safety)
                else:
                    h = h * fac_min
                continue
            factor = err ** alpha / safety
            if beta != 0.0:
                factor /= err_old ** beta
            factor = max(1.0 / fac_max, min(1.0 / fac_min, factor))
            h_next = h / factor
            if rejected_last:
                h_next = sign * min(abs(h_next), abs(h))
            err_old = max(err, 1e-4)
            rejected_last = False
            non_finite_trial = False
        else:
            if finite and i_new >= n_main:
                rhs(t_new, y_new, p, K[i_new])
                nfev += 1
                finite = _all_finite(K[i_new])
            if not finite:
                status = NON_FINITE
                break
            h_next = h
        if last:  # a step cut short to land on t1 says little about the next one (h_last)
            h_next = sign * max(abs(h_next), abs(h_planned))
        n_accepted += 1

        # Dense output only in steps that need it: an event sign change or a t_eval point.
        crossing, dense = step_end(events, p, h, t_new, y_new, g_old, g_new, direction, t_eval, n_out)
        if dense:
            nfev += _dense(rhs, p, t, h, y, K, A, c, P, i_new, y_stage, Q)
        t_end = t_new
        if crossing:
            t_end, stopped = stop_at_events(events, p, t, h, t_new, y_new, Q, g_old, g_new, g_work,
                                            y_stage, direction, terminal, ev_t, ev_y, ev_n)
            if stopped:
                status = TERMINATED
        ts, ys, n_out = record_output(t, h, Q, t_end, y_new, t_eval, ts, ys, n_out)
        t = t_end
        y[:] = y_new
        K[0] = K[i_new]
        h = sign * min(abs(h_next), max_step)

    return (status, t, ts, ys, n_out, ev_t, ev_y, ev_n, nfev, 0, 0, n_accepted, n_rejected, h)


_F = types.float64
_I = types.int64
_VEC = types.float64[::1]
_MAT = types.float64[:, ::1]
_RESULT = types.Tuple((_I, _F, _VEC, _MAT, _I, _MAT, types.float64[:, :, ::1], types.int64[::1],
                       _I, _I, _I, _I, _I, _F))
SIGNATURE = _RESULT(_I, _I, _I,
                    _MAT, _VEC, _VEC, _MAT, _MAT, types.int64[::1], _VEC,
                    _F, _F, _VEC, _VEC, _VEC, _F, _VEC, _F, _F, _I,
                    _VEC, types.int64[::1], _I)


@functools.cache
def kernel():
    """The compiled kernel (compiled on first use, cached on disk)."""
    return njit_cached(_explicit_rk, SIGNATURE, error_model="numpy")


def _register(tableau):
    return register(Method(name=tableau.name, kernel=kernel, data=tableau.data(), order=tableau.order,
                           adaptive=tableau.adaptive, reference=tableau.reference))


RK4 = _register(rk4.TABLEAU)
DOPRI5 = _register(dopri5.TABLEAU)
DOP853 = _register(dop853.TABLEAU)
