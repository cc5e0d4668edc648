"""Numba integrators with SciPy's call shape; see ``solve_ivp`` and ``ensemble``.

Methods are data run by one kernel per family: explicit Runge-Kutta tableaus
(``rk4``, ``dopri5``, ``dop853``; ``explicit``) and Rosenbrock tableaus
(``rosenbrock``); ``method="scipy:NAME"`` runs scipy.integrate.solve_ivp on
the same problem. ``METHODS`` lists the registered methods.
"""

from . import explicit, rosenbrock  # noqa: F401  (they register their methods)
from .ensemble import EnsembleResult, ensemble
from .flow import Flow
from .ivp import EventSet, solve_ivp
from .methods import METHODS
from .result import OdeResult

__all__ = ["METHODS", "EnsembleResult", "EventSet", "Flow", "OdeResult", "ensemble", "solve_ivp"]
