"""Dormand-Prince 5(4): fifth-order solution, fourth-order embedded estimate.

Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae",
J. Comput. Appl. Math. 6, 19-26. The seventh stage is f at the new point
(first same as last). Dense output of order 4 from the coefficients of
Hairer's DOPRI5 (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.6), free
of extra evaluations. Step control: the PI controller with beta = 0.04 of
DOPRI5 (Gustafsson 1991, ACM TOMS 17, 533-554; Hairer & Wanner, Solving
ODEs II, sec. IV.2); starting step as in sec. II.4 of volume I.
"""

import numpy as np

from ..tableau import ExplicitTableau, nested_dense, rows

b = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0])
b_hat = np.array([5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
d = np.array([-12715105075 / 11282082432, 0.0, 87487479700 / 32700410799, -10690763975 / 1880347072,
              701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423])

TABLEAU = ExplicitTableau(
    name="dopri5",
    A=rows(7, {
        1: {0: 1 / 5},
        2: {0: 3 / 40, 1: 9 / 40},
        3: {0: 44 / 45, 1: -56 / 15, 2: 32 / 9},
        4: {0: 19372 / 6561, 1: -25360 / 2187, 2: 64448 / 6561, 3: -212 / 729},
        5: {0: 9017 / 3168, 1: -355 / 33, 2: 46732 / 5247, 3: 49 / 176, 4: -5103 / 18656},
        6: dict(enumerate(b[:6])),
    }),
    b=b,
    c=np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]),
    E=(b - b_hat)[None, :],
    P=nested_dense(b, 0, 6, [d]),
    n_main=7,
    i_new=6,
    order=5,
    error_order=4,
    dense_order=4,
    beta=0.04,
    fac_min=0.2,
    fac_max=10.0,
    reference="Dormand & Prince (1980), J. Comput. Appl. Math. 6, 19-26; dense output and step "
              "control of DOPRI5, Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4-II.6",
)
