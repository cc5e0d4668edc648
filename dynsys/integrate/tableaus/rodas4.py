"""RODAS: Hairer and Wanner's Rosenbrock method of order 4, stiffly accurate
and L-stable, with an embedded method of order 3 and a dense output of order 3.

Source: E. Hairer and G. Wanner, *Solving Ordinary Differential Equations II*,
2nd ed., Springer (1996), sec. IV.7; the numerical values are those published
with the authors' code RODAS (``rodas.f``, subroutine ``ROCOE``, method 1).

The coefficients are in the book's transformed form (no matrix-vector products,
one LU per step), the form ``dynsys.integrate.rosenbrock`` runs::

    (I/(GAMMA h) - J) u_i = f(t + ALPHA_i h, y + sum_j A_ij u_j)
                            + sum_j (C_ij / h) u_j + GAMMA_I_i h df/dt
    y_new = y + sum_i M_i u_i          (order 4)
    y_hat = y + sum_i M_HAT_i u_i      (order 3, the error estimate)

They relate to the classical coefficients (alpha_ij, gamma_ij, b_i) by
Gamma = (I/GAMMA - C)^-1, alpha = A Gamma, b = Gamma^T M. Both solutions are
stiffly accurate: y_new and y_hat are the last two stage arguments plus their
stage, so M and M_HAT repeat the last row of A.
"""

import numpy as np

REFERENCE = (
    "E. Hairer and G. Wanner, Solving Ordinary Differential Equations II, 2nd ed., "
    "Springer (1996), sec. IV.7: RODAS, coefficients of the authors' code rodas.f (METH=1)"
)
ORDER = 4
ERROR_ORDER = 3
# Step control, the defaults of rodas.f: h_new / h = clip(SAFETY err^(-1/4), FAC_MIN, FAC_MAX).
SAFETY = 0.9
FAC_MIN = 0.2
FAC_MAX = 6.0

GAMMA = 0.25
ALPHA = np.array([0.0, 0.386, 0.21, 0.63, 1.0, 1.0])
GAMMA_I = np.array([0.25, -0.1043, 0.1035, -0.3620000000000023e-01, 0.0, 0.0])

_A5 = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950]
A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1.544, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.9466785280815826, 0.2557011698983284, 0.0, 0.0, 0.0, 0.0],
    [3.314825187068521, 2.896124015972201, 0.9986419139977817, 0.0, 0.0, 0.0],
    _A5 + [0.0, 0.0],
    _A5 + [1.0, 0.0],
])
C = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [-5.6688, 0.0, 0.0, 0.0, 0.0, 0.0],
    [-2.430093356833875, -0.2063599157091915, 0.0, 0.0, 0.0, 0.0],
    [-0.1073529058151375, -9.594562251023355, -20.47028614809616, 0.0, 0.0, 0.0],
    [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160, 0.0, 0.0],
    [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136,
     -6.058818238834054, 0.0],
])
M = np.array(_A5 + [1.0, 1.0])
M_HAT = np.array(_A5 + [1.0, 0.0])

# Continuous extension (rodas.f): y(theta) = (1 - theta) y + theta (y_new +
# (1 - theta) (d2 + theta d3)) with d_k = sum_i D_k[i] u_i. As a polynomial in
# theta its coefficients of theta, theta^2, theta^3 are the columns of DENSE
# applied to the stages (the constant term is y).
_D2 = np.array([10.12623508344586, -7.487995877610167, -34.80091861555747,
                -7.992771707568823, 1.025137723295662, 0.0])
_D3 = np.array([-0.6762803392801253, 6.087714651680015, 16.43084320892478,
                24.76722511418386, -6.594389125716872, 0.0])
DENSE = np.ascontiguousarray(np.stack([M + _D2, _D3 - _D2, -_D3], axis=1))
