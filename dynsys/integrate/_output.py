"""Output shared by every kernel: dense output, t_eval points, events.

Each kernel describes an accepted step from ``t_old`` to ``t_old + h`` by a
polynomial in ``theta = (t - t_old) / h`` with vector coefficients,
``y(theta) = sum_j Q[:, j] * theta**j``, and hands it to these functions. So
t_eval output and event location are written once, on the dense output, never
by forcing steps.

Event rule: event ``i`` fires in a step when ``g_i`` goes from strictly
negative to non-negative (direction > 0), from strictly positive to
non-positive (direction < 0), or either (direction == 0). A root exactly on a
step boundary is found once, in the step that ends on it; a zero at ``t0``
is not an event.
"""

import numpy as np
from numba import njit


@njit
def dense_eval(Q, theta, out):
    """Evaluate ``sum_j Q[:, j] theta**j`` into ``out`` by Horner's rule."""
    n, m = Q.shape
    for i in range(n):
        acc = Q[i, m - 1]
        for j in range(m - 2, -1, -1):
            acc = acc * theta + Q[i, j]
        out[i] = acc


@njit
def emit_t_eval(t_old, h, Q, t_eval, i_eval, t_end, ys):
    """Write the dense state at each ``t_eval[i_eval:]`` reached by ``t_end``.

    ``t_end`` is ``t_old + h`` or an earlier terminal-event time. Rows of ``ys``
    are output points. Returns the index of the first point not yet written.
    """
    n_eval = t_eval.shape[0]
    while i_eval < n_eval and (t_eval[i_eval] - t_end) * h <= 0.0:
        dense_eval(Q, (t_eval[i_eval] - t_old) / h, ys[i_eval])
        i_eval += 1
    return i_eval


@njit
def append_row(ts, ys, n_out, t, y):
    """Append ``(t, y)`` to growing output arrays; returns ``(ts, ys, n_out)``."""
    if n_out == ts.shape[0]:
        capacity = 2 * ts.shape[0] + 16
        ts_new = np.empty(capacity)
        ys_new = np.empty((capacity, ys.shape[1]))
        ts_new[:n_out] = ts[:n_out]
        ys_new[:n_out] = ys[:n_out]
        ts, ys = ts_new, ys_new
    ts[n_out] = t
    ys[n_out] = y
    return ts, ys, n_out + 1


@njit
def _crosses(g_old, g_new, direction):
    up = g_old < 0.0 and g_new >= 0.0
    down = g_old > 0.0 and g_new <= 0.0
    if direction > 0:
        return up
    if direction < 0:
        return down
    return up or down


@njit
def _event_root(events, i, p, t_old, h, Q, g_old_i, g_new_i, y_work, g_work):
    """Root in theta of event ``i`` on the dense output (Illinois regula falsi)."""
    a, b = 0.0, 1.0
    ga, gb = g_old_i, g_new_i
    side = 0
    tol = 4.0 * 2.220446049250313e-16 * max(abs(t_old), abs(t_old + h), 1.0) / abs(h)
    for _ in range(100):
        if gb == 0.0 or b - a <= tol:
            break
        c = b - gb * (b - a) / (gb - ga)
        if not (a < c < b):
            c = 0.5 * (a + b)
        dense_eval(Q, c, y_work)
        events(t_old + c * h, y_work, p, g_work)
        gc = g_work[i]
        if gc == 0.0:
            return c
        if (gc > 0.0) == (gb > 0.0):
            b, gb = c, gc
            if side == -1:
                ga *= 0.5
            side = -1
        else:
            a, ga = c, gc
            if side == 1:
                gb *= 0.5
            side = 1
    return b


@njit
def handle_events(events, p, t_old, h, Q, g_old, g_new, direction, terminal,
                  ev_t, ev_y, ev_n, y_work, g_work):
    """Locate and record the events of one accepted step.

    ``terminal[i]`` is 0 for a counting event, or k > 0 to stop at the k-th
    occurrence. Records every root up to the first terminal one (in time
    order of that step's roots) into ``ev_t[i, k]``, ``ev_y[i, k]`` and counts
    them in ``ev_n``. Returns ``theta_stop`` in (0, 1] if a terminal event
    stops the solve in this step, else -1.0.
    """
    n_events = g_old.shape[0]
    roots = np.full(n_events, 2.0)
    for i in range(n_events):
        if _crosses(g_old[i], g_new[i], direction[i]):
            roots[i] = _event_root(events, i, p, t_old, h, Q, g_old[i], g_new[i], y_work, g_work)
    theta_stop = -1.0
    for i in np.argsort(roots):
        theta = roots[i]
        if theta > 1.0 or (theta_stop >= 0.0 and theta > theta_stop):
            break
        k = ev_n[i]
        if k < ev_t.shape[1]:
            ev_t[i, k] = t_old + theta * h
            dense_eval(Q, theta, ev_y[i, k])
        ev_n[i] = k + 1
        if terminal[i] > 0 and ev_n[i] >= terminal[i] and theta_stop < 0.0:
            theta_stop = theta
    return theta_stop
