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

The bookkeeping around these (buffers, the per-step order of events, dense
output and output rows) is written here once too, for every kernel: see
``output_buffers``, ``step_end``, ``stop_at_events`` and ``record_output``.
A ``t_eval`` point exactly at a step's end (``t1`` included) gets the step's
own solution, not the dense polynomial at theta = 1.
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


# The bookkeeping of a solve, shared by the kernels. Each kernel allocates its output
# with ``output_buffers``; after every accepted step it calls ``step_end`` (events at
# the new point: does the step need its dense output?), fills its dense-output matrix
# ``Q`` when told to, calls ``stop_at_events`` when an event changed sign, and
# ``record_output``. Only the method (stages, error estimate, step control,
# dense-output polynomial) stays in the kernel. The helpers called in every step are
# inlined (a call passing several arrays costs more than their bodies); the event
# search, rare, is a call.

@njit
def output_buffers(events, p, t0, y0, t_eval, n_events, max_events):
    """Allocate a solve's output and event state, and evaluate the events at ``(t0, y0)``.

    Returns ``(ts, ys, n_out, ev_t, ev_y, ev_n, g_old, g_new, g_work)``: with
    ``t_eval`` empty (every accepted step), ``ts``/``ys`` hold the row
    ``(t0, y0)`` and grow by ``append_row``; otherwise ``ts`` is a copy of
    ``t_eval``, ``ys`` has a row per point and ``n_out`` (0) counts the rows
    written. ``ev_t``/``ev_y`` (NaN) store up to ``max_events`` occurrences per
    event and ``ev_n`` counts them; ``g_old`` holds the event values at ``t0``,
    ``g_new`` and ``g_work`` are work space for ``step_end`` and ``stop_at_events``.
    """
    n = y0.shape[0]
    if t_eval.shape[0] > 0:
        ts = t_eval.copy()
        ys = np.empty((t_eval.shape[0], n))
        n_out = 0
    else:
        ts, ys, n_out = append_row(np.empty(0), np.empty((0, n)), 0, t0, y0)
    ev_t = np.full((n_events, max_events), np.nan)
    ev_y = np.full((n_events, max_events, n), np.nan)
    ev_n = np.zeros(n_events, dtype=np.int64)
    g_old = np.empty(n_events)
    g_new = np.empty(n_events)
    g_work = np.empty(n_events)
    if n_events > 0:
        events(t0, y0, p, g_old)
    return ts, ys, n_out, ev_t, ev_y, ev_n, g_old, g_new, g_work


@njit(inline="always")
def step_end(events, p, h, t_new, y_new, g_old, g_new, direction, t_eval, n_out):
    """Evaluate the events at the end of an accepted step; does the step need dense output?

    Writes the event values at ``(t_new, y_new)`` into ``g_new`` and returns
    ``(crossing, dense)``: ``crossing`` when an event changes sign in the step
    (by the rule of this module; then call ``stop_at_events``, else ``g_old``
    already holds the new values), ``dense`` when the step's dense output will
    be read (a crossing, or the next ``t_eval`` point reached). A kernel whose
    dense output costs right-hand-side calls fills ``Q`` only then.
    """
    crossing = False
    if g_old.shape[0] > 0:
        events(t_new, y_new, p, g_new)
        for i in range(g_old.shape[0]):
            if _crosses(g_old[i], g_new[i], direction[i]):
                crossing = True
                break
        if not crossing:
            g_old[:] = g_new
    reached = n_out < t_eval.shape[0] and (t_eval[n_out] - t_new) * h <= 0.0
    return crossing, crossing or reached


@njit
def stop_at_events(events, p, t, h, t_new, y_new, Q, g_old, g_new, g_work, y_work,
                   direction, terminal, ev_t, ev_y, ev_n):
    """Locate and store the events of a step in which ``step_end`` saw a sign change.

    Calls ``handle_events`` on the dense output ``Q`` and moves ``g_new`` into
    ``g_old``. Returns ``(t_end, stopped)``: when a terminal event fires, the
    step ends at its root (``y_new`` is overwritten with the dense state there);
    otherwise ``t_end`` is ``t_new``.
    """
    t_end = t_new
    stopped = False
    theta_stop = handle_events(events, p, t, h, Q, g_old, g_new, direction, terminal,
                               ev_t, ev_y, ev_n, y_work, g_work)
    if theta_stop >= 0.0:
        stopped = True
        t_end = t + theta_stop * h
        dense_eval(Q, theta_stop, y_new)
    g_old[:] = g_new
    return t_end, stopped


@njit(inline="always")
def record_output(t, h, Q, t_end, y_new, t_eval, ts, ys, n_out):
    """Write an accepted step's output; returns ``(ts, ys, n_out)``.

    With ``t_eval``: the points reached by ``t_end`` (from the dense output
    ``Q``; a point exactly at ``t_end`` gets ``y_new`` itself), ``n_out`` being
    the index of the next point. Without: the row ``(t_end, y_new)`` appended.
    """
    n_eval = t_eval.shape[0]
    if n_eval > 0:
        if n_out < n_eval and (t_eval[n_out] - t_end) * h <= 0.0:
            n_out = emit_t_eval(t, h, Q, t_eval, n_out, t_end, ys)
            j = n_out - 1
            while j >= 0 and t_eval[j] == t_end:  # exactly at the step's end: its solution
                ys[j] = y_new
                j -= 1
    else:
        ts, ys, n_out = append_row(ts, ys, n_out, t_end, y_new)
    return ts, ys, n_out
