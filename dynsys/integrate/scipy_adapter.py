"""``method="scipy:NAME"``: the same problem through scipy.integrate.solve_ivp.

A Flow's compiled right-hand side, Jacobian and events are wrapped in Python
callables; plain Python functions go to SciPy as they are, with ``args``.
The result is converted to ``OdeResult``: SciPy's step failure (its status
-1) becomes status -3, and a non-finite state, which SciPy would return
silently, ends the output at the last finite state with status -2.
"""

import numpy as np
import scipy.integrate

from .flow import NON_FINITE, STEP_TOO_SMALL, TERMINATED
from .result import OdeResult, status_message


def _compiled_rhs(function, p, n):
    def rhs(t, y, *_):
        out = np.empty(n)
        function(float(t), np.ascontiguousarray(y, dtype=np.float64), p, out)
        return out
    return rhs


def _compiled_jac(function, p, n):
    def jac(t, y, *_):
        out = np.empty((n, n))
        function(float(t), np.ascontiguousarray(y, dtype=np.float64), p, out)
        return out
    return jac


def _event_component(function, p, n_events, i, terminal, direction):
    def g(t, y, *_):
        out = np.empty(n_events)
        function(float(t), np.ascontiguousarray(y, dtype=np.float64), p, out)
        return out[i]
    g.terminal = int(terminal) if terminal > 1 else bool(terminal)
    g.direction = float(direction)
    return g


def _python_events(event_spec, p):
    if event_spec is None:
        return None
    if event_spec.compiled is None:
        return list(event_spec.functions)
    n = event_spec.terminal.size
    return [_event_component(event_spec.compiled, p, n, i, event_spec.terminal[i], event_spec.direction[i])
            for i in range(n)]


def solve(name, fun, flow, p, t0, t1, y0, t_eval, rtol, atol, args, event_spec, jac, first_step, max_step):
    """Run SciPy's ``name`` on the problem the front door has checked."""
    n = y0.size
    if flow is not None:
        fun = _compiled_rhs(flow.rhs, p, n)
        if jac is None and flow.jac is not None:
            jac = _compiled_jac(flow.jac, p, n)
    options = {"rtol": rtol, "atol": atol, "max_step": max_step}
    if first_step is not None:
        options["first_step"] = first_step
    if jac is not None and name in ("Radau", "BDF", "LSODA"):
        options["jac"] = jac
    sol = scipy.integrate.solve_ivp(fun, (t0, t1), y0, method=name, t_eval=t_eval, args=args or None,
                                    events=_python_events(event_spec, p), **options)
    t, y = sol.t, sol.y
    status, message = int(sol.status), str(sol.message)
    if status == -1:
        status = STEP_TOO_SMALL
    finite = np.all(np.isfinite(y), axis=0)
    if not finite.all():
        keep = np.argmin(finite)
        t, y = t[:keep], y[:, :keep]
        status = NON_FINITE
        message = status_message(NON_FINITE, float(t[-1]) if t.size else t0, None)
    t_events = y_events = None
    if event_spec is not None:
        t_events = [np.asarray(te, dtype=np.float64) for te in sol.t_events]
        y_events = [np.asarray(ye, dtype=np.float64).reshape(-1, n) for ye in sol.y_events]
        if status == TERMINATED:
            stop = max((te[-1] for te in t_events if te.size), key=lambda v: (v - t0) * np.sign(t1 - t0))
            message = status_message(TERMINATED, float(stop), None)
    return OdeResult(t=t, y=y, status=status, message=f"scipy:{name}: {message}", nfev=int(sol.nfev),
                     njev=int(sol.njev), nlu=int(sol.nlu), t_events=t_events, y_events=y_events,
                     method=f"scipy:{name}")
