"""How each group of state variables moves on the objective.

The seeds write every training flow as ``tau * dx/dt = -dL/dx`` for weights
(gradient descent with step ``eta = 1/tau``) and, for Lagrange multipliers,
``tau * dalpha/dt = r * dL/dalpha`` with ``r = tau*s`` (Minnorm eq. 12).
A group may carry ``projection="nonnegative"`` (multipliers of inequality
constraints, Minnorm App. A eq. 41); the model applies it in
``Model.projected_rhs``.
"""

from dataclasses import KW_ONLY, dataclass, fields, replace

import sympy

from .errors import ModelError

PROJECTIONS = ("nonnegative",)


_COEFFICIENTS = ("tau", "rate")


class _Group:
    def __post_init__(self):
        object.__setattr__(self, "variables", tuple(self.variables))
        for name in self._coefficients():
            object.__setattr__(self, name, sympy.sympify(getattr(self, name)))
        if self.projection is not None and self.projection not in PROJECTIONS:
            raise ModelError(f"unknown projection {self.projection!r}; known: {', '.join(PROJECTIONS)}")

    def subs(self, mapping):
        """The group after ``mapping``: substituted variables leave it."""
        return replace(
            self,
            variables=tuple(v for v in self.variables if v not in mapping),
            **{name: getattr(self, name).subs(mapping) for name in self._coefficients()},
        )

    def _coefficients(self):
        return [f.name for f in fields(self) if f.name in _COEFFICIENTS]


@dataclass(frozen=True)
class Descent(_Group):
    """``tau * dx/dt = -dL/dx`` for each ``x`` in ``variables`` (Minnorm eq. 9, 13-14)."""

    variables: tuple
    tau: object
    _: KW_ONLY
    projection: str = None

    def velocity(self, objective, variable):
        return -sympy.diff(objective, variable) / self.tau


@dataclass(frozen=True)
class Ascent(_Group):
    """``tau * dalpha/dt = rate * dL/dalpha`` (Minnorm eq. 12, ``rate = r = tau*s``)."""

    variables: tuple
    tau: object
    rate: object
    _: KW_ONLY
    projection: str = None

    def velocity(self, objective, variable):
        return self.rate * sympy.diff(objective, variable) / self.tau
