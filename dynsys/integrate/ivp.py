"""The front door: ``solve_ivp`` checks every input once, compiles, dispatches.

``fun`` may be a ``Flow`` (the compiled form, parameters ``args=(p,)`` or the
flow's defaults), a plain Python function ``fun(t, y, *args) -> dy/dt`` in
numba-compatible style (compiled once per function, see
``python_functions``), or a numba-jitted function (used as it is). Methods are
those of ``dynsys.integrate.methods.METHODS`` or ``"scipy:NAME"``, which runs
``scipy.integrate.solve_ivp`` on the same problem and returns the same result
shape.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from . import progress as progress_
from . import scipy_adapter, validate
from ._function_values import JAC_ADDRESS, RHS_ADDRESS
from .flow import SUCCESS, Flow, no_events, no_jacobian
from .python_functions import compile_events, compile_jac, compile_rhs, pack_args
from .result import OdeResult, status_message

MAX_EVENTS = 64  # initial room per event function; a solve with more occurrences runs again
# constant kernel arguments (never written: they are empty)
NO_OUTPUT = np.zeros(0)
NO_TERMINAL = np.zeros(0, np.int64)
NO_DIRECTION = np.zeros(0)
NO_EVENTS = RHS_ADDRESS[no_events]


@dataclass(frozen=True)
class EventSet:
    """Events already compiled into one vector function, as codegen makes them.

    ``fun(t, y, p, out)`` (``RHS_SIGNATURE``) writes the ``n`` event values into
    ``out``. ``terminal[i]`` is 0 (count only) or k > 0 (stop at the k-th
    occurrence; True means 1); ``direction[i]`` > 0 counts only upward zero
    crossings, < 0 only downward ones, 0 both. Rule as in
    ``dynsys.integrate._output``.
    """

    fun: object
    n: int
    terminal: object = None
    direction: object = None


@dataclass(frozen=True)
class _Events:
    """Validated events: a compiled EventSet, or Python functions still to compile."""

    functions: tuple
    compiled: object
    terminal: np.ndarray
    direction: np.ndarray


@dataclass(frozen=True)
class _Compiled:
    """A problem in the kernels' form (functions as addresses)."""

    rhs: int
    jac: int
    events: int
    p: np.ndarray
    terminal: np.ndarray
    direction: np.ndarray


def solve_ivp(fun, t_span, y0, method="dopri5", t_eval=None, rtol=1e-6, atol=1e-9, args=(),
              events=None, max_steps=100_000, first_step=None, max_step=np.inf, jac=None,
              progress=False):
    """Solve ``dy/dt = fun(t, y, *args)`` from ``t_span[0]`` to ``t_span[1]``.

    Parameters (as ``scipy.integrate.solve_ivp`` where they share a name):
    ``method`` "dopri5" (default), "dop853", "rk4", a stiff method, or
    "scipy:RK45", "scipy:DOP853", "scipy:Radau", "scipy:LSODA", ...;
    ``t_eval`` output times (by dense output; steps are never forced), None
    for every accepted step; ``rtol`` (>= 100 eps) and ``atol`` (> 0, number
    or per component); ``events`` a function ``g(t, y, *args)`` or a list of
    them, with optional attributes ``terminal`` (bool, or k: stop at the k-th
    occurrence) and ``direction``, or an ``EventSet``; ``max_steps`` bound on
    attempted steps; ``first_step`` (None: chosen automatically; for the
    fixed-step "rk4" the step, default ``|t1 - t0| / max_steps``);
    ``max_step``; ``jac`` a function returning the n x n matrix df/dy (used by
    stiff methods; a Flow's own Jacobian is used by default); ``progress``
    shows a tqdm bar and integrates in 100 chunks (log-spaced when the output
    times are), carrying the step size and the event counts across chunks.
    ``t1 < t0`` integrates backwards. ``max_steps`` and ``progress`` do not
    apply to ``scipy:`` methods.

    Returns an ``OdeResult``. Raises ValueError, with a one-line message, for
    any invalid argument.
    """
    kind, chosen = validate.method(method)
    t0, t1 = validate.time_span(t_span)
    args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    flow = fun if isinstance(fun, Flow) else None
    if flow is None and not callable(fun):
        raise ValueError(f"fun must be a Flow or a callable fun(t, y, *args), got {type(fun).__name__}")
    y0 = validate.initial_state(y0, flow.n_state if flow is not None else None)
    rtol, atol = validate.tolerances(rtol, atol, y0.size)
    t_eval = validate.output_times(t_eval, t0, t1)
    first_step, max_step, max_steps = validate.step_options(first_step, max_step, max_steps)
    if jac is not None and not callable(jac):
        raise ValueError(f"jac must be callable, got {type(jac).__name__}")
    event_spec = _parse_events(events)
    if flow is not None:
        p, layout = _flow_parameters(flow, args), None
    elif kind == "scipy" and (event_spec is None or event_spec.compiled is None):
        p, layout = None, None  # SciPy takes any args; only compiled functions need them packed
    else:
        p, layout = pack_args(args)
    if flow is None:
        _check_result(fun, "fun", t0, y0, args, (y0.size,))

    if kind == "scipy":
        return scipy_adapter.solve(chosen, fun, flow, p, t0, t1, y0, t_eval, rtol, atol, args,
                                   event_spec, jac, first_step, max_step)

    compiled = _compile(fun, flow, p, layout, t0, y0, args, jac, event_spec, chosen.stiff)
    if chosen.adaptive:
        h0 = first_step or 0.0
    else:
        h0 = min(first_step or abs(t1 - t0) / max_steps, max_step)
    edges = progress_.chunk_edges(t0, t1, t_eval, None if chosen.adaptive else h0) if progress else [t0, t1]
    return _integrate(chosen, compiled, edges, y0, t_eval, rtol, atol, h0, max_step, max_steps, progress)


def _flow_parameters(flow, args):
    if len(args) > 1:
        raise ValueError(f"a Flow takes its parameter vector as args=(p,), got {len(args)} arguments")
    n_params = len(flow.param_names) if flow.param_names else len(flow.params)
    return validate.parameters(args[0] if args else flow.params, n_params, "args[0] (the flow's parameters)")


def _terminal_count(value, where):
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, numbers.Integral) and value >= 0:
        return int(value)
    raise ValueError(f"{where}.terminal must be a bool or a count >= 0, got {value!r}")


def _parse_events(events):
    """Check ``events`` and read ``terminal``/``direction``; None when there are none."""
    if events is None:
        return None
    if isinstance(events, EventSet):
        n = events.n
        if not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"EventSet.n must be a positive integer, got {n!r}")
        terminal = np.zeros(n, np.int64) if events.terminal is None else np.asarray(events.terminal)
        direction = np.zeros(n) if events.direction is None else np.asarray(events.direction, np.float64)
        if terminal.shape != (n,) or direction.shape != (n,):
            raise ValueError(f"EventSet.terminal and .direction must have length n = {n}")
        terminal = np.array([_terminal_count(v.item(), f"EventSet[{i}]") for i, v in enumerate(terminal)],
                            dtype=np.int64)
        return _Events((), events.fun, terminal, np.ascontiguousarray(direction))
    functions = (events,) if callable(events) else tuple(events)
    if not functions:
        return None
    for i, g in enumerate(functions):
        if not callable(g):
            raise ValueError(f"events[{i}] must be callable, got {type(g).__name__}")
    terminal = np.array([_terminal_count(getattr(g, "terminal", False), f"events[{i}]")
                         for i, g in enumerate(functions)], dtype=np.int64)
    direction = np.array([float(getattr(g, "direction", 0.0)) for g in functions])
    return _Events(functions, None, terminal, direction)


def _check_result(function, role, t0, y0, args, shape):
    """Call ``function`` once in Python so that a wrong shape is a clear error, not a wrong answer."""
    value = np.asarray(function(t0, y0.copy(), *args))
    if value.shape != shape and not (shape == (1,) and value.shape == ()):
        raise ValueError(f"{role}(t0, y0, *args) returned shape {value.shape}, expected {shape}")
    if value.dtype.kind not in "biuf":
        raise ValueError(f"{role}(t0, y0, *args) must return real numbers, got dtype {value.dtype}")


def _compile(fun, flow, p, layout, t0, y0, args, jac, event_spec, stiff):
    """The problem in the kernels' form. ``layout`` is that of ``args`` (None for a Flow:
    then only a Python ``jac`` or Python events need it)."""
    python_events = event_spec is not None and event_spec.compiled is None
    python_jac = jac is not None and stiff
    if layout is None and (python_jac or python_events):
        layout = pack_args(args)[1]
    if flow is not None:
        rhs, jac_compiled = flow.rhs, flow.jac
    else:
        rhs, jac_compiled = compile_rhs(fun, layout), None
    if python_jac:
        _check_result(jac, "jac", t0, y0, args, (y0.size, y0.size))
        jac_compiled = compile_jac(jac, layout)
    rhs, jac_compiled = RHS_ADDRESS[rhs], JAC_ADDRESS[jac_compiled or no_jacobian]
    if event_spec is None:
        return _Compiled(rhs, jac_compiled, NO_EVENTS, p, NO_TERMINAL, NO_DIRECTION)
    events = event_spec.compiled
    if python_events:
        for g in event_spec.functions:
            value = np.asarray(g(t0, y0.copy(), *args))
            if value.size != 1 or value.dtype.kind not in "biuf":
                raise ValueError(f"event function {getattr(g, '__name__', g)!r} must return one real number")
        events = compile_events(event_spec.functions, layout)
    return _Compiled(rhs, jac_compiled, RHS_ADDRESS[events], p, event_spec.terminal, event_spec.direction)


def _run_kernel(method, problem, t0, t1, y0, t_eval, rtol, atol, h0, max_step, max_steps, terminal):
    """One kernel call; run again with more room if an event occurred more than MAX_EVENTS times."""
    kernel = method.kernel()
    room = MAX_EVENTS
    while True:
        raw = kernel(problem.rhs, problem.jac, problem.events, *method.data, t0, t1, y0, problem.p,
                     t_eval, rtol, atol, h0, max_step, max_steps, problem.direction, terminal, room)
        most = int(raw[7].max()) if raw[7].size else 0
        if most <= room:
            return raw
        room = most


def _split_output_times(t_eval, edges):
    """``t_eval`` cut at ``edges``: chunk k's points lie in (edges[k], edges[k + 1]], the first's
    from edges[0] on."""
    if len(edges) == 2:
        return [t_eval]
    sign = 1.0 if edges[-1] > edges[0] else -1.0
    starts = np.searchsorted(sign * t_eval, sign * np.asarray(edges), side="right")
    starts[0] = 0
    return [t_eval[i:j] for i, j in zip(starts[:-1], starts[1:])]


def _integrate(method, problem, edges, y0, t_eval, rtol, atol, h0, max_step, max_steps, show_progress):
    """Integrate over ``edges`` (one kernel call per interval) and assemble the result."""
    t1 = edges[-1]
    n_chunks = len(edges) - 1
    n_events = problem.direction.size
    chunk_times = None if t_eval is None else _split_output_times(t_eval, edges)
    t_parts, y_parts = [], []
    ev_t_parts = [[] for _ in range(n_events)]
    ev_y_parts = [[] for _ in range(n_events)]
    counts = np.zeros(n_events, np.int64)
    totals = [0, 0, 0, 0, 0]  # nfev, njev, nlu, n_accepted, n_rejected
    y, h, terminal = y0, h0, problem.terminal
    bar = progress_.bar(n_chunks, method.name, t1) if show_progress else None
    for k in range(n_chunks):
        a, b = edges[k], edges[k + 1]
        last_chunk = k == n_chunks - 1
        if t_eval is None:
            chunk_eval, extra = NO_OUTPUT, False
        else:
            chunk_eval = chunk_times[k]
            # a chunk's end state is read from the dense output at b, dropped afterwards
            extra = not last_chunk and (chunk_eval.size == 0 or chunk_eval[-1] != b)
            if extra:
                chunk_eval = np.append(chunk_eval, b)
        if k > 0 and n_events:
            terminal = np.where(problem.terminal > 0, problem.terminal - counts, 0)
        (status, t_stop, ts, ys, n_out, ev_t, ev_y, ev_n, *stats, h_last) = _run_kernel(
            method, problem, a, b, y, chunk_eval, rtol, atol, h, max_step,
            max_steps - totals[3] - totals[4], terminal)
        totals = [total + value for total, value in zip(totals, stats)]
        for i in range(n_events):
            ev_t_parts[i].append(ev_t[i, :ev_n[i]])
            ev_y_parts[i].append(ev_y[i, :ev_n[i]])
            counts[i] += ev_n[i]
        reached_b = t_eval is None or n_out == chunk_eval.size
        if not last_chunk and reached_b:
            y = ys[n_out - 1]  # the next chunk starts from b
        ts, ys = ts[:n_out], ys[:n_out]
        if t_eval is None and k > 0:  # the chunk's first row is the previous chunk's last
            ts, ys = ts[1:], ys[1:]
        if extra and reached_b:
            ts, ys = ts[:-1], ys[:-1]
        t_parts.append(ts)
        y_parts.append(ys)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(t=f"{t_stop:.4g}", refresh=False)
        if status != SUCCESS:
            break
        if method.adaptive:
            h = abs(h_last)
    if bar is not None:
        bar.close()

    t = _joined(t_parts)
    y_out = _joined(y_parts).T.copy()
    t_events = y_events = None
    if n_events:
        t_events = [_joined(parts) for parts in ev_t_parts]
        y_events = [_joined(parts) for parts in ev_y_parts]
    message = status_message(status, t_stop, max_steps, y_out[:, -1] if t.size else y0)
    nfev, njev, nlu, n_accepted, n_rejected = totals
    return OdeResult(t=t, y=y_out, status=int(status), message=message, nfev=nfev, njev=njev, nlu=nlu,
                     t_events=t_events, y_events=y_events, method=method.name, n_accepted=n_accepted,
                     n_rejected=n_rejected)


def _joined(parts):
    """The chunks' arrays joined along the first axis (a single chunk's as it is)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
