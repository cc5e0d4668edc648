"""The classical fourth-order Runge-Kutta method, with fixed steps.

Kutta (1901), "Beitrag zur naeherungsweisen Integration totaler
Differentialgleichungen", Z. Math. Phys. 46; Hairer, Norsett & Wanner,
Solving ODEs I, sec. II.1. Dense output: the cubic Hermite interpolant
through both ends of a step and their slopes (sec. II.6), third order and
continuously differentiable across steps; the slope at the end is the next
step's first stage, so it costs nothing.
"""

import numpy as np

from ..tableau import ExplicitTableau, nested_dense, rows

b = np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6, 0.0])

TABLEAU = ExplicitTableau(
    name="rk4",
    A=rows(5, {1: {0: 1 / 2}, 2: {1: 1 / 2}, 3: {2: 1.0}, 4: dict(enumerate(b[:4]))}),
    b=b,
    c=np.array([0.0, 1 / 2, 1 / 2, 1.0, 1.0]),
    E=np.zeros((0, 5)),
    P=nested_dense(b, 0, 4, []),
    n_main=4,
    i_new=4,
    order=4,
    error_order=0,
    dense_order=3,
    reference="Kutta (1901); Hairer, Norsett & Wanner, Solving ODEs I, sec. II.1 (method), "
              "II.6 (Hermite dense output)",
)
