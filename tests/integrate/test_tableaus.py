"""Every explicit tableau is consistent, has its claimed orders, and its dense output ends right."""

import numpy as np
import pytest

from dynsys.integrate import METHODS, solve_ivp
from dynsys.integrate.tableaus import dop853, dopri5, rk4

TABLEAUS = [rk4.TABLEAU, dopri5.TABLEAU, dop853.TABLEAU]
IDS = [t.name for t in TABLEAUS]


def quadrature_defects(weights, c, order):
    """|weights . c^(k-1) - 1/k| for k = 1..order (the bushy-tree conditions)."""
    return [abs(weights @ c ** (k - 1) - 1.0 / k) for k in range(1, order + 1)]


def tree_defects(weights, A, c, order):
    """The order-3 and order-4 conditions beyond quadrature (Hairer, Norsett & Wanner I, II.2)."""
    Ac = A @ c
    defects = []
    if order >= 3:
        defects.append(abs(weights @ Ac - 1 / 6))
    if order >= 4:
        defects += [abs(weights @ (c * Ac) - 1 / 8), abs(weights @ (A @ c ** 2) - 1 / 12),
                    abs(weights @ (A @ Ac) - 1 / 24)]
    return defects


@pytest.mark.parametrize("tab", TABLEAUS, ids=IDS)
def test_rows_of_A_sum_to_c_and_weights_to_one(tab):
    assert np.allclose(tab.A.sum(axis=1), tab.c, atol=1e-14, rtol=0)
    assert np.all(np.triu(tab.A) == 0.0), "explicit: A strictly lower triangular"
    assert tab.b.sum() == pytest.approx(1.0, abs=1e-14)
    assert np.all(tab.b[tab.n_main:] == 0.0), "the solution uses only the step's own stages"
    # the stage after the main ones is f at the new point
    assert np.array_equal(tab.A[tab.i_new], tab.b) and tab.c[tab.i_new] == 1.0


@pytest.mark.parametrize("tab", TABLEAUS, ids=IDS)
def test_error_weights_sum_to_zero(tab):
    for row in tab.E:
        assert abs(row.sum()) < 1e-14
        assert np.all(row[tab.n_main:] == 0.0)
    assert tab.adaptive == (tab.name != "rk4")


@pytest.mark.parametrize("tab", TABLEAUS, ids=IDS)
def test_solution_weights_have_the_claimed_order(tab):
    main = slice(0, tab.n_main)
    A, b, c = tab.A[main, main], tab.b[main], tab.c[main]
    assert max(quadrature_defects(b, c, tab.order)) < 1e-14
    assert max(tree_defects(b, A, c, min(tab.order, 4))) < 1e-14
    # and not one order more (the check can fail)
    assert quadrature_defects(b, c, tab.order + 1)[-1] > 1e-6


@pytest.mark.parametrize("tab", [dopri5.TABLEAU, dop853.TABLEAU], ids=["dopri5", "dop853"])
def test_embedded_weights_have_the_lower_order(tab):
    main = slice(0, tab.n_main)
    embedded = tab.b[main] - tab.E[-1][main]  # b_hat for dopri5, DOP853's 3rd-order b_hh
    lower = 4 if tab.name == "dopri5" else 3
    assert max(quadrature_defects(embedded, tab.c[main], lower)) < 1e-14
    assert max(tree_defects(embedded, tab.A[main, main], tab.c[main], lower)) < 1e-14


@pytest.mark.parametrize("tab", TABLEAUS, ids=IDS)
def test_dense_output_ends_at_the_step_and_has_its_order(tab):
    # theta = 1 gives y_new, to the rounding of summing coefficients as large as |P|
    assert np.all(abs(tab.P.sum(axis=1) - tab.b) <= 4e-16 * abs(tab.P).sum(axis=1))
    for theta in (0.2, 0.5, 0.9):
        b_theta = tab.P @ theta ** np.arange(1, tab.P.shape[1] + 1)
        defects = [abs(b_theta @ tab.c ** (k - 1) - theta ** k / k) for k in range(1, tab.dense_order + 2)]
        assert max(defects[:-1]) < 1e-13
        assert defects[-1] > 1e-7  # exactly the claimed order, no more


def oscillator(t, y):
    return np.array([y[1], -y[0]])


@pytest.mark.parametrize("method", ["rk4", "dopri5", "dop853"])
def test_kernel_dense_output_at_theta_0_and_1(method):
    kwargs = {"first_step": 0.1} if method == "rk4" else {}
    steps = solve_ivp(oscillator, (0, 3), [1.0, 0.0], method=method, **kwargs)
    dense = solve_ivp(oscillator, (0, 3), [1.0, 0.0], method=method, t_eval=steps.t, **kwargs)
    assert dense.y[:, 0].tolist() == [1.0, 0.0]  # theta = 0 of the first step is y0 exactly
    assert np.array_equal(dense.y, steps.y)  # theta = 1 is each step's solution
    assert dense.n_accepted == steps.n_accepted


def test_registry_lists_the_explicit_methods():
    for name, order in [("rk4", 4), ("dopri5", 5), ("dop853", 8)]:
        assert METHODS[name].order == order
        assert METHODS[name].reference
