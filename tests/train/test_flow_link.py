"""The flow link (DESIGN.md's third witness): engine iterates approach the derived flow at first order in eta.

Each test builds the SymPy model of a training problem (or takes it from
``dynsys.models.get``), runs the training engine for ``k = round(T/eta)``
full-batch steps and compares the last iterate with the flow at ``t = k``,
``tau = 1/eta`` (``r = s/eta`` for Minnorm; DESIGN.md, Conventions). The
distance must shrink like ``eta`` (fitted order within 0.1 of 1), be small at
the smallest ``eta``, and our ``dop853`` must agree with ``scipy:DOP853`` (the
second witness) to 1e-8.
"""

import numpy as np
import pytest
import sympy

from dynsys.models import get
from dynsys.models.chain import alpha, w1, w2
from dynsys.symbolic import Ascent, Descent, Model
from dynsys.train import GradientDescent, MinnormClassification, MinnormRegression, Network
from dynsys.train.datasets import Dataset
from dynsys.train.flow_link import (FlowLinkError, iterate_vs_flow, multiplier_symbols, state_index,
                                    weight_symbols)


ETAS = [0.04, 0.02, 0.01, 0.005]
tau = sympy.Symbol("tau", positive=True)
r = sympy.Symbol("r", positive=True)


def check(link, bound):
    """First order, small at the smallest eta, and the two integrators agree."""
    assert np.all(np.diff(link.distances) < 0), link.evidence()
    assert abs(link.order - 1) < 0.1, link.evidence()
    assert link.distances[-1] < bound, link.evidence()
    assert np.max(link.agreement) < 1e-8, link.evidence()


# ---------------------------------------------------------------- 1. the linear chain (Minnorm sec. 3.2)

CHAIN = Network((1, 1, 1), "linear", bias=False)
CHAIN_DATA = Dataset(np.array([[1.5]]), np.array([[0.8]]), None, "chain example")
CHAIN_W0 = [np.array([[0.5]]), np.array([[1.2]])]
GAMMA, RHO, RATE = 0.05, 0.3, 2.0


@pytest.mark.parametrize("model_id, factory, params, alpha0, bound", [
    ("chain_gd", lambda eta: GradientDescent(eta, loss="squared"), {}, None, 2e-5),
    ("chain_l2", lambda eta: GradientDescent(eta, loss="squared", weight_decay=GAMMA), {"gamma": GAMMA}, None, 4e-5),
    ("chain_minnorm", lambda eta: MinnormRegression(eta, s=RATE * eta, rho=RHO), {"rho": RHO}, 0.1, 3e-3),
], ids=["chain_gd", "chain_l2", "chain_minnorm"])
def test_chain(model_id, factory, params, alpha0, bound):
    model = get(model_id)
    layout = [w1, w2, alpha][:len(model.state)]  # engine order: W1 (1x1), W2 (1x1), then alpha
    link = iterate_vs_flow(model, CHAIN, factory, CHAIN_DATA, CHAIN_W0, 2.0, ETAS, alpha0=alpha0, layout=layout,
                           params={"x": 1.5, "y": 0.8, **params})
    if model_id == "chain_minnorm":
        assert link.params[0]["r"] == pytest.approx(RATE) and link.params[0]["tau"] == pytest.approx(25.0)
    check(link, bound)


# ---------------------------------------------------------------- 2. a shallow linear classifier

X_CLS = np.array([[1.0, 0.5, 0.2], [0.3, 1.2, -0.4], [-0.8, -1.0, 0.1], [-1.1, 0.2, -0.6]])
LABELS = np.array([1, 1, 0, 0])  # separable: w = (1, 1, 0) classifies them all
CLASSIFIER = Network((3, 1), "linear", bias=False)
CLS_DATA = Dataset(X_CLS, LABELS, 2, "separable points")
CLS_W0 = [np.array([[0.2], [-0.1], [0.3]])]


def margins(W):
    """``s_mu w.x_mu`` with sign targets ``s_mu = 2 y_mu - 1``, as a SymPy column."""
    return sympy.diag(*[int(s) for s in 2 * LABELS - 1]) * sympy.Matrix(X_CLS) * W


@pytest.mark.parametrize("loss", ["bce", "exponential"])
def test_shallow_classifier_gradient_descent(loss):
    # GradientDescent averages the per-example loss over the batch, so the objective is the MEAN:
    # L = (1/P) sum_mu log(1 + exp(-s_mu w.x_mu))  (or exp(-s_mu w.x_mu)); flow tau dw/dt = -dL/dw.
    (W,) = weight_symbols(CLASSIFIER)
    per_example = {"bce": lambda m: sympy.log(1 + sympy.exp(-m)), "exponential": lambda m: sympy.exp(-m)}[loss]
    objective = sum(per_example(m) for m in margins(W)) / len(LABELS)
    model = Model(f"shallow_{loss}_link", list(W), (tau,), {"tau": 1.0}, objective=objective,
                  groups=(Descent(list(W), tau),))
    link = iterate_vs_flow(model, CLASSIFIER, lambda eta: GradientDescent(eta, loss=loss), CLS_DATA, CLS_W0, 2.0,
                           ETAS, layout=[W])
    check(link, {"bce": 6e-4, "exponential": 1.5e-3}[loss])


def test_shallow_minnorm_classifier_away_from_the_projection():
    # Minnorm App. A: L = |w|^2/2 + sum_mu alpha_mu (1 - s_mu w.x_mu), w descends, alpha ascends at rate r.
    # The engine projects, alpha <- max(0, alpha + s (1 - s_mu f_mu)), and the flow of a projected update is the
    # projected flow (Model.projected_rhs), only piecewise smooth where a multiplier sits at 0, where the
    # first-order rate is not guaranteed. So this regime keeps every multiplier positive over [0, T]: alpha
    # starts positive and T is short; the test checks that neither the iterates nor the flow reach 0.
    (W,) = weight_symbols(CLASSIFIER)
    A = multiplier_symbols(len(LABELS))
    objective = (W.T * W)[0] / 2 + sum(a * (1 - m) for a, m in zip(A, margins(W)))
    model = Model("shallow_minnorm_link", [*W, *A], (tau, r), {"tau": 1.0, "r": 1.0}, objective=objective,
                  groups=(Descent(list(W), tau), Ascent(list(A), tau, r, projection="nonnegative")))
    alpha0 = np.array([[0.4], [0.3], [0.5], [0.2]])
    link = iterate_vs_flow(model, CLASSIFIER, lambda eta: MinnormClassification(eta, s=1.5 * eta), CLS_DATA,
                           CLS_W0, 1.0, ETAS, alpha0=alpha0, layout=[W, A], whole_path=True)
    smallest = min(min(path[:, 3:].min() for path in link.paths), min(path[:, 3:].min() for path in link.flow_paths))
    assert smallest > 0.05, f"a multiplier came within {smallest:.3g} of the projection"
    check(link, 5e-3)


# ---------------------------------------------------------------- 3. a deep linear network

def test_deep_linear_network_mean_squared_error():
    network = Network((2, 3, 1), "linear", bias=False)
    X = np.array([[1.0, -0.5], [0.3, 0.8], [-0.7, 0.4]])
    Y = np.array([[0.6], [-0.2], [0.9]])
    W1, W2 = weight_symbols(network)
    residual = sympy.Matrix(X) * W1 * W2 - sympy.Matrix(Y)
    objective = (residual.T * residual)[0] / 2 / len(X)  # the squared loss |f - y|^2/2, averaged as the engine does
    state = [*W1, *W2]
    model = Model("deep_linear_link", state, (tau,), {"tau": 1.0}, objective=objective, groups=(Descent(state, tau),))
    link = iterate_vs_flow(model, network, lambda eta: GradientDescent(eta, loss="squared"),
                           Dataset(X, Y, None, "three examples"), network.init(seed=3), 2.0, ETAS,
                           layout=[W1, W2])
    check(link, 1e-3)


# ---------------------------------------------------------------- 4. Minnorm regression (Alg. 1)

def test_minnorm_regression_linear_model():
    network = Network((3, 1), "linear", bias=False)
    X = np.array([[1.0, 0.4, -0.3], [-0.2, 0.9, 0.5]])
    Y = np.array([[0.7], [-0.4]])
    rho = sympy.Symbol("rho", nonnegative=True)
    (W,) = weight_symbols(network)
    A = multiplier_symbols(len(X))
    residual = sympy.Matrix(Y) - sympy.Matrix(X) * W
    # eq. 3: |W|^2/2 + sum_mu alpha_mu (y_mu - f_mu) + rho/2 sum_mu (y_mu - f_mu)^2 (a sum, not a mean)
    objective = (W.T * W)[0] / 2 + (A.T * residual)[0] + rho / 2 * (residual.T * residual)[0]
    model = Model("minnorm_regression_link", [*W, *A], (tau, rho, r), {"tau": 1.0, "rho": 0.5, "r": 1.0},
                  objective=objective, groups=(Descent(list(W), tau), Ascent(list(A), tau, r)))
    link = iterate_vs_flow(model, network, lambda eta: MinnormRegression(eta, s=1.5 * eta, rho=0.5),
                           Dataset(X, Y, None, "two examples"), [np.array([[0.3], [-0.2], [0.1]])], 2.0, ETAS,
                           layout=[W, A], params={"rho": 0.5})
    assert link.params[-1]["r"] == pytest.approx(1.5)
    check(link, 2e-3)


# ---------------------------------------------------------------- the layout

def test_layout_maps_engine_order_to_model_order_and_rejects_mismatches():
    model = get("chain_minnorm")
    assert state_index(model, [alpha, w1, w2], 3).tolist() == [1, 2, 0]  # model (w1, w2, alpha)
    assert state_index(model, None, 3).tolist() == [0, 1, 2]
    assert state_index(model, np.array([2, 0, 1]), 3).tolist() == [2, 0, 1]
    with pytest.raises(FlowLinkError, match="twice"):
        state_index(model, [w1, w1, alpha], 3)
    with pytest.raises(FlowLinkError, match="missing"):
        state_index(model, [w1, w2, sympy.Symbol("z")], 3)
    with pytest.raises(FlowLinkError, match="trains 2 numbers"):
        state_index(model, None, 2)
    with pytest.raises(FlowLinkError, match="set from eta"):
        iterate_vs_flow(model, CHAIN, lambda eta: MinnormRegression(eta, s=eta), CHAIN_DATA, CHAIN_W0, 1.0,
                        [0.1, 0.05], params={"tau": 2.0})
