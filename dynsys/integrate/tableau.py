"""Explicit Runge-Kutta methods as data, the form the one explicit kernel runs.

A tableau lists its stages in the order the kernel evaluates them::

    stages 0 .. n_main-1        every attempted step; stage 0 is f(t, y)
    stage  i_new                f(t + h, y_new), the next step's stage 0 (FSAL).
                                i_new < n_main when the method's last stage already
                                is that (Dormand-Prince); i_new == n_main when it is
                                one more evaluation after the step is accepted
    stages i_new+1 .. S-1       extra stages of the dense output, evaluated only in
                                the steps that need dense output

with ``A[i_new] == b`` and ``c[i_new] == 1``. The propagated solution is
``y_new = y + h sum_i b_i k_i``. ``E`` has one row per error estimate: no row
is a fixed-step method; one row is the usual embedded estimate
``err = h sum_i E_i k_i``; two rows are Hairer's combined estimate of DOP853
(5th- and 3rd-order differences, as in the code DOP853 of Hairer, Norsett &
Wanner, Solving ODEs I, sec. II.5). The dense output is the polynomial
``y(t + theta h) = y + h sum_j theta**(j+1) sum_i P[i, j] k_i``.
"""

from dataclasses import dataclass

import numpy as np
from numpy.polynomial import polynomial as npoly


@dataclass(frozen=True)
class ExplicitTableau:
    """One explicit Runge-Kutta method: arrays, step-control constants, source.

    ``order`` is the order of ``y_new``, ``error_order`` that of the error
    estimate's lower formula (the controller uses ``err**(1/(error_order+1))``),
    ``dense_order`` that of the dense output. Step control as in Hairer's codes:
    ``h_new = h / clip(err**alpha / err_old**beta / safety, 1/fac_max, 1/fac_min)``
    with ``alpha = 1/(error_order+1) - 0.75 beta``; ``beta > 0`` is the PI
    (Lund-stabilised) controller of Gustafsson (1991).
    """

    name: str
    A: np.ndarray
    b: np.ndarray
    c: np.ndarray
    E: np.ndarray
    P: np.ndarray
    n_main: int
    i_new: int
    order: int
    error_order: int
    dense_order: int
    reference: str
    beta: float = 0.0
    fac_min: float = 0.2
    fac_max: float = 10.0
    safety: float = 0.9

    @property
    def adaptive(self):
        return self.E.shape[0] > 0

    def data(self):
        """The arrays the explicit kernel takes after ``events``."""
        f64 = lambda x: np.ascontiguousarray(x, dtype=np.float64)  # noqa: E731
        alpha = 1.0 / (self.error_order + 1.0) - 0.75 * self.beta if self.adaptive else 0.0
        layout = np.array([self.n_main, self.i_new, self.order, self.error_order], dtype=np.int64)
        control = f64([self.safety, self.fac_min, self.fac_max, alpha, self.beta])
        return (f64(self.A), f64(self.b), f64(self.c), f64(np.atleast_2d(self.E).reshape(-1, len(self.b))),
                f64(self.P), layout, control)


def rows(n_stages, entries):
    """A dense ``n_stages x n_stages`` matrix from ``{i: {j: a_ij}}``."""
    A = np.zeros((n_stages, n_stages))
    for i, row in entries.items():
        for j, value in row.items():
            A[i, j] = value
    return A


def nested_dense(b, i_first, i_last, d_rows):
    """Dense coefficients ``P`` of Hairer's nested continuous output.

    Hairer's codes (DOPRI5, DOP853; Hairer, Norsett & Wanner, Solving ODEs I,
    sec. II.6) write the dense output as
    ``y + theta (r2 + (1-theta) (r3 + theta (r4 + (1-theta) (r5 + theta (r6 ...)))))``
    with ``r2 = h sum b_i k_i``, ``r3 = h k_first - r2``,
    ``r4 = r2 - h k_last - r3`` (the cubic Hermite part through both ends and
    their slopes) and ``r5, r6, ... = h sum_i d_i k_i`` for the rows of
    ``d_rows``. Expanded in powers of theta this is ``P`` (stages x degree).
    """
    n = len(b)
    first = np.eye(n)[i_first]
    last = np.eye(n)[i_last]
    r = [np.asarray(b, float), first - b, 2.0 * np.asarray(b) - first - last]
    r += [np.asarray(d, float) for d in d_rows]
    degree = len(r)
    P = np.zeros((n, degree))
    for k, weights in enumerate(r):
        # the k-th term carries theta**(k//2 + 1) * (1 - theta)**((k+1)//2)
        basis = npoly.polymul(npoly.polypow([0.0, 1.0], k // 2 + 1), npoly.polypow([1.0, -1.0], (k + 1) // 2))
        for power, coefficient in enumerate(basis):
            if power > 0 and coefficient != 0.0:
                P[:, power - 1] += coefficient * weights
    # theta = 1 must give y_new: put the expansion's rounding into the top coefficient
    P[:, -1] += np.asarray(b) - P.sum(axis=1)
    return P
