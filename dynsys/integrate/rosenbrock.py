"""One numba kernel for every Rosenbrock method; the methods are tableaus.

A Rosenbrock tableau in Hairer and Wanner's transformed form (Solving ODEs II,
2nd ed., sec. IV.7) needs one Jacobian, one LU factorisation and no
matrix-vector product per step. With J = df/dy and df/dt taken at (t, y)::

    (I/(gamma h) - J) u_i = f(t + alpha_i h, y + sum_{j<i} a_ij u_j)
                            + sum_{j<i} (c_ij / h) u_j + gamma_i h df/dt
    y_new = y + sum_i m_i u_i,      err = sum_i e_i u_i,

and the dense output is y(t + theta h) = y + sum_k theta**k sum_i P[i, k-1] u_i.
A tableau module (``tableaus/rodas4.py``) holds these arrays and its step
control constants; ``data`` turns it into the tuple the kernel takes after
``events``: ``(alpha, gamma_i, a, c, m, e, P, scalars)`` with
``scalars = [gamma, error_order, safety, fac_min, fac_max]``.
"""

import functools

import numpy as np
from numba import njit, types

from ._function_values import jac_at, rhs_at
from ._kernel_cache import njit_cached
from ._output import output_buffers, record_output, step_end, stop_at_events
from .flow import MAX_STEPS, NON_FINITE, STEP_TOO_SMALL, SUCCESS, TERMINATED
from .methods import Method, register
from .tableaus import rodas4

EPS = np.finfo(np.float64).eps


def data(tableau):
    """The kernel's data tuple for a tableau module (see the module docstring)."""
    def f64(x):
        return np.ascontiguousarray(x, dtype=np.float64)
    return (f64(tableau.ALPHA), f64(tableau.GAMMA_I), f64(tableau.A), f64(tableau.C),
            f64(tableau.M), f64(tableau.M - tableau.M_HAT), f64(tableau.DENSE),
            f64([tableau.GAMMA, tableau.ERROR_ORDER, tableau.SAFETY, tableau.FAC_MIN,
                 tableau.FAC_MAX]))


@njit
def _lu_factor(a, piv):
    """LU with partial pivoting in place (rows swapped whole, as LAPACK getrf).

    Returns False when a pivot is zero or not finite.
    """
    n = a.shape[0]
    for k in range(n):
        p = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[p, k]):
                p = i
        piv[k] = p
        if not (abs(a[p, k]) > 0.0 and np.isfinite(a[p, k])):
            return False
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
        inv = 1.0 / a[k, k]
        for i in range(k + 1, n):
            a[i, k] *= inv
            f = a[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= f * a[k, j]
    return True


@njit
def _lu_solve(a, piv, b):
    """Solve with the factors of ``_lu_factor``, overwriting ``b``."""
    n = a.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            b[k], b[p] = b[p], b[k]
    for i in range(n):
        for j in range(i):
            b[i] -= a[i, j] * b[j]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            b[i] -= a[i, j] * b[j]
        b[i] /= a[i, i]


@njit
def _error_norm(err, y, y_new, rtol, atol):
    """RMS of err / (atol + rtol max(|y|, |y_new|)); NaN if y_new or err is not finite."""
    n = err.shape[0]
    acc = 0.0
    for i in range(n):
        if not (np.isfinite(y_new[i]) and np.isfinite(err[i])):
            return np.nan
        acc += (err[i] / (atol[i] + rtol * max(abs(y[i]), abs(y_new[i])))) ** 2
    return np.sqrt(acc / max(n, 1))


@njit
def _fd_jacobian(rhs, t, y, p, f0, J, work, rtol, atol):
    """J = df/dy at (t, y) by forward differences, given f0 = f(t, y).

    Column j moves y_j by sqrt(eps) max(|y_j|, atol_j / rtol): relative above
    the size where the error test turns from absolute to relative, and scaled
    by that size below it, so that components the tolerances treat as nearly
    zero (Robertson's y2 ~ 1e-13) get an increment of their own scale.
    """
    n = y.shape[0]
    for j in range(n):
        yj = y[j]
        y[j] = yj + np.sqrt(EPS) * max(abs(yj), atol[j] / max(rtol, 100.0 * EPS))
        delta = y[j] - yj
        rhs(t, y, p, work)
        for i in range(n):
            J[i, j] = (work[i] - f0[i]) / delta
        y[j] = yj


@njit
def _time_derivative(rhs, t, y, p, f0, ft, work, sign):
    """ft = df/dt at (t, y) by a one-sided difference toward t1 (``sign``).

    The increment is rodas.f's, sqrt(eps max(1e-5, |t|)).
    """
    dt = sign * np.sqrt(EPS * max(1e-5, abs(t)))
    rhs(t + dt, y, p, work)
    for i in range(y.shape[0]):
        ft[i] = (work[i] - f0[i]) / dt


@njit
def _initial_step(rhs, t0, y0, f0, p, sign, rtol, atol, error_order, y1, f1):
    """Starting step of Hairer, Norsett and Wanner, ODEs I, sec. II.4 (one rhs call)."""
    n = y0.shape[0]
    d0 = d1 = 0.0
    for i in range(n):
        scale = atol[i] + rtol * abs(y0[i])
        d0 += (y0[i] / scale) ** 2
        d1 += (f0[i] / scale) ** 2
    d0 = np.sqrt(d0 / max(n, 1))
    d1 = np.sqrt(d1 / max(n, 1))
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    for i in range(n):
        y1[i] = y0[i] + sign * h0 * f0[i]
    rhs(t0 + sign * h0, y1, p, f1)
    d2 = 0.0
    for i in range(n):
        d2 += ((f1[i] - f0[i]) / (atol[i] + rtol * abs(y0[i]))) ** 2
    d2 = np.sqrt(d2 / max(n, 1)) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, 1e-3 * h0)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / (error_order + 1.0))
    h = min(100.0 * h0, h1)
    return h if np.isfinite(h) else h0


def _rosenbrock(rhs_address, jac_address, events_address, alpha, gamma_i, a, c, m, e, P, scalars,
                t0, t1, y0, p, t_eval, rtol, atol, first_step, max_step, max_steps,
                direction, terminal, max_events):
    """Integrate y' = rhs(t, y, p) from t0 to t1 with a Rosenbrock tableau.

    Calling convention and result: see ``dynsys.integrate.methods``; t_eval
    output and events come from the dense output through ``_output``.

    Jacobian: ``jac`` is called once on (t0, y0) into a matrix filled with NaN.
    If every entry is still NaN, ``jac`` is the placeholder
    ``flow.no_jacobian`` (what the front door passes for a flow without an
    analytic Jacobian) and the whole solve uses forward differences, n rhs
    calls per Jacobian; otherwise that call is the first step's Jacobian.
    Non-autonomous systems: df/dt is a one-sided difference in t toward t1,
    one rhs call per Jacobian. The kernel cannot know that a system is autonomous; for one
    that is, the difference is exactly zero, so it costs that call and changes
    nothing. J and df/dt are evaluated once per accepted step and kept across
    rejections; (I/(gamma h) - J) is factored once per attempted step and
    serves every stage (``nlu`` counts the factorisations).

    Step control: err is the RMS norm of the embedded difference scaled by
    atol + rtol max(|y|, |y_new|); h_new = h clip(safety err^(-1/(q+1)),
    fac_min, fac_max) with q = ``error_order``, no growth right after a
    rejection, and a step within 0.01% of t1 stretched to end there. A trial
    step whose stages, new state or f at the new state are not finite, or
    whose matrix is singular, is rejected with the factor fac_min.
    ``first_step`` <= 0 asks for the starting step of Hairer, Norsett and
    Wanner (ODEs I, sec. II.4); ``max_steps`` bounds attempted steps
    (accepted and rejected).

    Status: 0 reached t1; 1 terminal event; -1 max_steps; -2 non-finite:
    f(t0, y0), or J or df/dt at an accepted state, is not finite, or the step
    fell below 10 ulp of t after a trial whose stages, new state or f there
    were not finite; -3 the step fell below 10 ulp of t otherwise. ``t_stop``
    is the last accepted time, and the output holds only finite values.
    """
    rhs = rhs_at(rhs_address)
    jac = jac_at(jac_address)
    events = rhs_at(events_address)
    n = y0.shape[0]
    s = alpha.shape[0]
    gamma, error_order, safety, fac_min, fac_max = scalars
    exponent = -1.0 / (error_order + 1.0)
    sign = 1.0 if t1 >= t0 else -1.0

    ts, ys, n_out, ev_t, ev_y, ev_n, g_old, g_new, g_work = output_buffers(
        events, p, t0, y0, t_eval, direction.shape[0], max_events)
    y_work = np.empty(n)

    t = t0
    y = y0.copy()
    f0 = np.empty(n)
    f_new = np.empty(n)
    ft = np.empty(n)
    work = np.empty(n)
    y_new = np.empty(n)
    err = np.empty(n)
    u = np.empty((s, n))
    Q = np.empty((n, P.shape[1] + 1))
    W = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    J = np.full((n, n), np.nan)

    jac(t, y, p, J)
    use_fd = np.all(np.isnan(J))
    njev = 0 if use_fd else 1
    rhs(t, y, p, f0)
    nfev = 1
    status = SUCCESS if np.all(np.isfinite(f0)) else NON_FINITE
    if first_step > 0.0:
        h = first_step
    else:
        h = _initial_step(rhs, t, y, f0, p, sign, rtol, atol, error_order, work, y_new)
        nfev += 1
    h = sign * min(h, max_step, abs(t1 - t0))

    nlu = n_accepted = n_rejected = 0
    have_derivatives = False
    rejected_last = False
    non_finite_trial = False
    while status == SUCCESS and (t1 - t) * sign > 0.0:
        if n_accepted + n_rejected >= max_steps:
            status = MAX_STEPS
            break
        if not have_derivatives:
            if use_fd:
                _fd_jacobian(rhs, t, y, p, f0, J, work, rtol, atol)
                nfev += n
                njev += 1
            elif n_accepted > 0:  # else J is still the one of the detection call
                jac(t, y, p, J)
                njev += 1
            _time_derivative(rhs, t, y, p, f0, ft, work, sign)
            nfev += 1
            if not (np.all(np.isfinite(J)) and np.all(np.isfinite(ft))):
                status = NON_FINITE
                break
            have_derivatives = True
        if abs(h) < 10.0 * abs(np.nextafter(t, t + sign) - t):
            status = NON_FINITE if non_finite_trial else STEP_TOO_SMALL
            break
        last = (t + 1.0001 * h - t1) * sign >= 0.0  # stretch rather than leave a sliver
        h_planned = h
        if last:
            h = t1 - t

        for i in range(n):
            for j in range(n):
                W[i, j] = -J[i, j]
            W[i, i] += 1.0 / (gamma * h)
        nlu += 1
        error = np.inf
        if _lu_factor(W, piv):
            for k in range(s):
                if k == 0:
                    work[:] = f0  # the first stage is evaluated at (t, y)
                else:
                    for i in range(n):
                        acc = y[i]
                        for j in range(k):
                            acc += a[k, j] * u[j, i]
                        y_work[i] = acc
                    rhs(t + alpha[k] * h, y_work, p, work)
                    nfev += 1
                for i in range(n):
                    acc = work[i] + gamma_i[k] * h * ft[i]
                    for j in range(k):
                        acc += c[k, j] / h * u[j, i]
                    u[k, i] = acc
                _lu_solve(W, piv, u[k])
            for i in range(n):
                acc_y = y[i]
                acc_e = 0.0
                for k in range(s):
                    acc_y += m[k] * u[k, i]
                    acc_e += e[k] * u[k, i]
                y_new[i] = acc_y
                err[i] = acc_e
            error = _error_norm(err, y, y_new, rtol, atol)
            if error <= 1.0 and not last:  # the next step's f(t, y), only for a step that passed
                rhs(t + h, y_new, p, f_new)
                nfev += 1
                if not np.all(np.isfinite(f_new)):
                    error = np.nan
            if np.isnan(error):
                non_finite_trial = True
                error = np.inf

        if error > 1.0:
            n_rejected += 1
            rejected_last = True
            h *= max(fac_min, safety * error ** exponent)
            continue

        n_accepted += 1
        t_new = t1 if last else t + h
        crossing, dense = step_end(events, p, h, t_new, y_new, g_old, g_new, direction, t_eval, n_out)
        if dense:
            for i in range(n):
                Q[i, 0] = y[i]
                for col in range(P.shape[1]):
                    acc = 0.0
                    for k in range(s):
                        acc += P[k, col] * u[k, i]
                    Q[i, col + 1] = acc
        t_end = t_new
        if crossing:
            t_end, stopped = stop_at_events(events, p, t, h, t_new, y_new, Q, g_old, g_new, g_work,
                                            y_work, direction, terminal, ev_t, ev_y, ev_n)
            if stopped:
                status = TERMINATED
        ts, ys, n_out = record_output(t, h, Q, t_end, y_new, t_eval, ts, ys, n_out)
        t = t_end
        y[:] = y_new
        factor = fac_max if error == 0.0 else min(fac_max, max(fac_min, safety * error ** exponent))
        if rejected_last:
            factor = min(factor, 1.0)
        h_next = abs(h * factor)
        if last:  # a step cut short to land on t1 says little about the next one (h_last)
            h_next = max(h_next, abs(h_planned))
        h = sign * min(h_next, max_step)
        if status != SUCCESS or last:
            break

        f0[:] = f_new
        have_derivatives = False
        non_finite_trial = False
        rejected_last = False

    return (status, t, ts, ys, n_out, ev_t, ev_y, ev_n, nfev, njev, nlu,
            n_accepted, n_rejected, h)


_F = types.float64
_VEC = types.float64[::1]
_MAT = types.float64[:, ::1]
SIGNATURE = (types.int64, types.int64, types.int64,
             _VEC, _VEC, _MAT, _MAT, _VEC, _VEC, _MAT, _VEC,
             _F, _F, _VEC, _VEC, _VEC, _F, _VEC, _F, _F, types.int64,
             _VEC, types.int64[::1], types.int64)


@functools.cache
def kernel():
    """The compiled kernel (compiled on first use, cached on disk)."""
    return njit_cached(_rosenbrock, SIGNATURE)


RODAS4 = register(Method(name="rodas4", kernel=kernel, data=data(rodas4), order=rodas4.ORDER,
                         stiff=True, reference=rodas4.REFERENCE))
