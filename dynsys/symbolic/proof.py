"""Proof records: what a reduction claims, and the residual that shows it."""

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class Proof:
    """A checked statement about a model.

    ``residual`` is the simplified SymPy expression (or matrix) that must
    vanish for ``statement`` to hold; ``holds`` is computed from it.
    """

    kind: str
    statement: str
    residual: object
    holds: bool

    @classmethod
    def check(cls, kind, statement, expr):
        """Simplify ``expr`` and record whether it vanishes identically."""
        residual = sympy.simplify(expr)
        return cls(kind, statement, residual, vanishes(residual))


def vanishes(expr):
    """True when a simplified expression or matrix is identically zero."""
    if isinstance(expr, sympy.MatrixBase):
        return all(entry == 0 for entry in expr)
    return expr == 0
