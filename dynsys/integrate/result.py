"""The result of a solve, shaped like scipy.integrate.solve_ivp's."""

from dataclasses import dataclass, field

import numpy as np

from .flow import MAX_STEPS, NEWTON_FAILED, NON_FINITE, STEP_TOO_SMALL, SUCCESS, TERMINATED


@dataclass
class OdeResult:
    """Output of ``dynsys.integrate.solve_ivp``, with SciPy's field names.

    ``t`` (n_t,) output times; ``y`` (n_state, n_t) states there; ``status``
    0 reached t1, 1 stopped by a terminal event, -1 max_steps reached, -2 the
    state or its derivative became non-finite, -3 the step size became too
    small, -4 Newton iteration failed; ``message`` says the same in words,
    naming the time; ``success`` is ``status >= 0``. On failure ``t`` and ``y``
    end at the last accepted state, which is finite. ``t_events`` and
    ``y_events`` list, per event function, the times (k,) and states (k,
    n_state) of its occurrences (``None`` without events). ``nfev``, ``njev``
    and ``nlu`` count right-hand side and Jacobian evaluations and LU
    factorisations; ``n_accepted``/``n_rejected`` count steps (``None`` for
    ``scipy:`` methods, which do not report them).
    """

    t: np.ndarray
    y: np.ndarray
    status: int
    message: str
    nfev: int
    njev: int = 0
    nlu: int = 0
    t_events: list = None
    y_events: list = None
    method: str = ""
    n_accepted: int = None
    n_rejected: int = None
    success: bool = field(init=False)

    def __post_init__(self):
        self.success = self.status >= 0

    def __getitem__(self, key):  # SciPy's result is also a dict
        return getattr(self, key)

    def __repr__(self):
        return (f"OdeResult(method={self.method!r}, status={self.status}, message={self.message!r}, "
                f"t: {self.t.shape}, y: {self.y.shape}, nfev={self.nfev})")


def status_message(status, t, max_steps, y_last=None):
    """The readable message of a kernel status stopped at time ``t`` in state ``y_last``."""
    if status == SUCCESS:
        return "The solver successfully reached the end of the integration interval."
    if status == TERMINATED:
        return f"A termination event occurred at t = {float(t)!r}."
    if status == MAX_STEPS:
        return f"max_steps = {max_steps} reached at t = {float(t)!r} before the end of the interval."
    if status == NON_FINITE:
        return f"state became non-finite at t = {float(t)!r} (the last finite state is returned)."
    if status == STEP_TOO_SMALL:
        size = "" if y_last is None or np.size(y_last) == 0 else f", max |y| = {np.max(np.abs(y_last)):.3g}"
        return (f"step size became too small at t = {float(t)!r}{size} "
                "(a blow-up, a singularity or a stiff problem?).")
    if status == NEWTON_FAILED:
        return f"Newton iteration failed at t = {float(t)!r}."
    return f"unknown status {status} at t = {float(t)!r}."
