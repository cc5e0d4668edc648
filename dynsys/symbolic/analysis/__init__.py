"""Analysis of a model's vector field: fixed points, linearisation, stability, invariants.

Each function takes the model first; ``Model`` exposes them as methods.
"""

from .equilibria import FixedPoint, fixed_points
from .invariants import DecayLaw, decay_law, first_integral, is_conserved, time_derivative
from .linear import characteristic_coefficients, eigenvalues, jacobian, jacobian_at
from .stability import CLASSES, Classification, classify, hurwitz_determinants, stability_conditions

__all__ = [
    "CLASSES",
    "Classification",
    "DecayLaw",
    "FixedPoint",
    "characteristic_coefficients",
    "classify",
    "decay_law",
    "eigenvalues",
    "first_integral",
    "fixed_points",
    "hurwitz_determinants",
    "is_conserved",
    "jacobian",
    "jacobian_at",
    "stability_conditions",
    "time_derivative",
]
