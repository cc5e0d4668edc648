"""Property: random stable linear systems y' = A y match expm(A t) y0."""

import numpy as np
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from dynsys.integrate import solve_ivp


def linear(t, y, A):
    return A @ y


@st.composite
def stable_systems(draw):
    n = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    S = rng.normal(size=(n, n))
    # -(M M^T + I/2) is negative definite; adding a skew part keeps every eigenvalue in Re < 0
    A = -(M @ M.T + 0.5 * np.eye(n)) + (S - S.T)
    return A, rng.normal(size=n), draw(st.floats(0.5, 4.0))


@settings(max_examples=25, deadline=None)
@given(system=stable_systems(), method=st.sampled_from(["dopri5", "dop853"]))
def test_random_stable_linear_systems_match_the_matrix_exponential(system, method):
    A, y0, t1 = system
    t_eval = np.linspace(0, t1, 7)
    res = solve_ivp(linear, (0, t1), y0, method=method, t_eval=t_eval, rtol=1e-9, atol=1e-12, args=(A,))
    assert res.status == 0
    exact = np.column_stack([scipy.linalg.expm(A * t) @ y0 for t in t_eval])
    assert np.abs(res.y - exact).max() < 1e-6 * max(1.0, np.abs(y0).max())
