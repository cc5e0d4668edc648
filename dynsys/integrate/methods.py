"""The registry of integration methods: a method is data plus a kernel.

Every kernel is a numba function compiled once for all right-hand sides
(lazily, with an explicit signature, cached on disk by
``dynsys.integrate._kernel_cache``) and called as::

    kernel(rhs, jac, events, *data, t0, t1, y0, p, t_eval, rtol, atol,
           first_step, max_step, max_steps, direction, terminal, max_events)

where ``rhs``, ``jac`` and ``events`` are the addresses of functions compiled
with ``RHS_SIGNATURE``, ``JAC_SIGNATURE`` and ``RHS_SIGNATURE``
(``dynsys.integrate._function_values``). It returns ``(status, t_stop, ts,
ys, n_out, ev_t, ev_y, ev_n, nfev, njev, nlu, n_accepted, n_rejected,
h_last)``; see ``dynsys.integrate._output`` for the dense-output and event
conventions shared by all kernels.

Conventions both kernel families follow (the front door relies on them):
``t_eval`` empty means "every accepted step", and then ``ts``/``ys`` start
with the row ``(t0, y0)``; otherwise ``ts`` is ``t_eval`` and the first
``n_out`` rows of ``ys`` are filled (rows are output points). ``t_stop`` is
the last accepted time (or the terminal event's), so the output never holds
a non-finite state. ``first_step <= 0`` asks the kernel to choose the first
step. ``atol`` is a float64 array of length n_state, ``direction`` a float64
array and ``terminal`` an int64 array (0: count only, k: stop at the k-th
occurrence) of length n_events; ``ev_n`` may exceed ``max_events`` (only the
first ``max_events`` occurrences are stored: the front door runs again with
more room). ``h_last`` is the step size the controller proposes after the
last accepted step (at least the step planned before a last step was cut short
to land on ``t1``), signed: a solve that goes on from ``t_stop`` starts with
it.
"""

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Method:
    """An integration method: its kernel and the arrays that define it.

    ``kernel`` is a zero-argument callable returning the compiled kernel (so
    compilation happens on first use); ``data`` is the tuple of arrays passed
    after ``events`` (a Butcher or Rosenbrock tableau); ``order`` is the order
    of the propagated solution; ``stiff`` methods use the Jacobian.
    """

    name: str
    kernel: Callable
    data: tuple
    order: int
    adaptive: bool = True
    stiff: bool = False
    reference: str = ""


METHODS: dict = {}


def register(method):
    """Add ``method`` to the registry under its name and return it."""
    METHODS[method.name] = method
    return method
