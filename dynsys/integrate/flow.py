"""The compiled form of a vector field that every integrator kernel calls.

A right-hand side is a numba function compiled with ``RHS_SIGNATURE``::

    rhs(t, y, p, out)      # writes dy/dt into out; p is the parameter array

and a Jacobian one compiled with ``JAC_SIGNATURE``::

    jac(t, y, p, out)      # writes d(dy/dt)/dy, shape (n_state, n_state), into out

A vector of event functions uses ``RHS_SIGNATURE`` too, writing one value per
event into ``out``. The kernels call these as first-class function values
(``RHS_TYPE``, ``JAC_TYPE``; passed as addresses, see
``dynsys.integrate._function_values``), so each kernel is compiled once for
all models and cached on disk, while each model compiles only its own small
functions.
"""

from dataclasses import dataclass, field

import numpy as np
from numba import njit, types

RHS_SIGNATURE = types.void(types.float64, types.float64[::1], types.float64[::1], types.float64[::1])
JAC_SIGNATURE = types.void(types.float64, types.float64[::1], types.float64[::1], types.float64[:, ::1])
RHS_TYPE = types.FunctionType(RHS_SIGNATURE)
JAC_TYPE = types.FunctionType(JAC_SIGNATURE)

# Result status, as in scipy.integrate.solve_ivp: 0 reached t1, 1 stopped by a
# terminal event, negative: failed (the message says why).
SUCCESS = 0
TERMINATED = 1
MAX_STEPS = -1
NON_FINITE = -2
STEP_TOO_SMALL = -3
NEWTON_FAILED = -4


@njit(RHS_SIGNATURE, cache=True)
def no_events(t, y, p, out):
    """The event vector of a solve without events (``out`` has length 0)."""


@njit(JAC_SIGNATURE, cache=True)
def no_jacobian(t, y, p, out):
    """Placeholder Jacobian for methods that do not use one."""


@dataclass(frozen=True)
class Flow:
    """A vector field in the in-place compiled form the kernels call.

    ``rhs`` and ``jac`` are numba functions compiled with ``RHS_SIGNATURE`` and
    ``JAC_SIGNATURE``; ``jac`` is ``None`` when the flow has no analytic
    Jacobian (stiff methods then use finite differences). ``params`` is the
    default parameter array, in the order of ``param_names``.
    """

    rhs: object
    n_state: int
    jac: object = None
    state_names: tuple = ()
    param_names: tuple = ()
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
