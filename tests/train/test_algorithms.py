"""One step of each training algorithm (dynsys.train.algorithms) against the update written out by hand,
and where the iterations go: Minnorm's minimum-norm and maximum-margin solutions."""

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.svm import SVC

from dynsys.train import (AlgorithmError, GradientDescent, MinnormClassification, MinnormRegression, Network,
                          NormDirection, WeightDecay, get_algorithm)
from dynsys.train import chain
from dynsys.train.datasets import separable_2d


def linear_problem(n=5, P=7, n_out=1, classes=False, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((P, n))
    y = rng.integers(0, max(2, n_out), size=P).astype(np.int64) if classes else rng.standard_normal((P, n_out))
    W = rng.standard_normal((n, n_out))
    return X, y, W


def signs(y, n_out):
    if n_out == 1:
        return (2.0 * y - 1.0)[:, None]
    return np.where(np.arange(n_out)[None, :] == y[:, None], 1.0, -1.0)


def one_step(algorithm, network, params, index, X, y, alpha=None):
    state = algorithm.start(np, network, [np.array(p, copy=True) for p in params], len(X))
    if alpha is not None:
        state["alpha"][...] = alpha
    algorithm.step(np, network, state, index, X[index], y[index])
    return state


# ---------------------------------------------------------------- one step, by hand


@pytest.mark.parametrize("weight_decay", [0.0, 0.3])
def test_gradient_descent_step_on_a_linear_model_squared_loss(weight_decay):
    X, y, W = linear_problem()
    network = Network((5, 1), activation="linear", bias=False)
    index = np.array([1, 4, 5])
    eta = 0.07
    state = one_step(GradientDescent(eta, loss="squared", weight_decay=weight_decay), network, [W], index, X, y)
    XS, yS = X[index], y[index]
    expected = W - eta * (XS.T @ (XS @ W - yS) / len(index) + weight_decay * W)
    np.testing.assert_allclose(state["variables"][0], expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("n_out", [1, 3])
def test_gradient_descent_step_on_a_linear_model_bce(n_out):
    X, y, W = linear_problem(n_out=n_out, classes=True, seed=1)
    network = Network((5, n_out), activation="linear", bias=False)
    index = np.arange(7)
    eta = 0.2
    state = one_step(GradientDescent(eta, loss="bce"), network, [W], index, X, y)
    S = signs(y, n_out)
    # d/df log(1 + exp(-s f)) = -s / (1 + exp(s f))
    G = -S / (1 + np.exp(S * (X @ W)))
    np.testing.assert_allclose(state["variables"][0], W - eta * X.T @ G / 7, rtol=1e-14, atol=1e-15)


def test_weight_decay_step_is_gradient_descent_plus_the_l2_pull():
    X, y, W = linear_problem(n_out=3, classes=True, seed=2)
    network = Network((5, 3), activation="linear", bias=False)
    index = np.array([0, 2, 6])
    eta, gamma = 0.1, 0.05
    state = one_step(WeightDecay(eta, gamma, loss="softmax_ce"), network, [W], index, X, y)
    F = X[index] @ W
    softmax = np.exp(F) / np.exp(F).sum(axis=1, keepdims=True)
    G = softmax - np.eye(3)[y[index]]
    expected = W - eta * (X[index].T @ G / 3 + gamma * W)
    np.testing.assert_allclose(state["variables"][0], expected, rtol=1e-14, atol=1e-15)


def test_biases_are_not_decayed():
    network = Network((2, 1), activation="linear", bias=True)
    X = np.array([[1.0, -1.0], [0.5, 2.0]])
    y = np.array([[0.3], [-0.2]])
    W, b = np.array([[0.4], [-0.7]]), np.array([0.25])
    eta, gamma = 0.1, 0.5
    state = one_step(GradientDescent(eta, loss="squared", weight_decay=gamma), network, [W, b], np.arange(2), X, y)
    r = X @ W + b - y
    np.testing.assert_allclose(state["variables"][0], W - eta * (X.T @ r / 2 + gamma * W), rtol=1e-14)
    np.testing.assert_allclose(state["variables"][1], b - eta * r.sum(axis=0) / 2, rtol=1e-14)


def test_gradient_descent_on_the_linear_chain():
    """``f = w2 w1 x``: ``w1 <- w1 - eta (f - y) w2 x (+ gamma w1)``, and the same for ``w2``."""
    w1, w2, x, y, eta, gamma = 0.3, -0.8, 1.5, 0.7, 0.1, 0.2
    rows = chain.gradient_descent((w1, w2), eta, gamma, steps=3, x=x, y=y)
    expected = [(w1, w2)]
    for _ in range(3):
        r = w2 * w1 * x - y
        w1, w2 = w1 - eta * (r * w2 * x + gamma * w1), w2 - eta * (r * w1 * x + gamma * w2)
        expected.append((w1, w2))
    np.testing.assert_allclose(rows, expected, rtol=1e-14)


def test_minnorm_on_the_linear_chain():
    """Alg. 1 with one example: the ``W`` step of ``|W|^2/2 + alpha (y - f) + rho/2 (f - y)^2``, then alpha."""
    w1, w2, alpha, x, y, eta, rho, s = 0.3, -0.8, 0.4, 1.5, 0.7, 0.1, 0.5, 0.3
    rows = chain.minnorm((w1, w2), eta, rho, s, steps=3, alpha0=alpha, x=x, y=y)
    expected = [(w1, w2, alpha)]
    for _ in range(3):
        r = w2 * w1 * x - y
        w1, w2 = (w1 - eta * (w1 - alpha * w2 * x + rho * r * w2 * x),
                  w2 - eta * (w2 - alpha * w1 * x + rho * r * w1 * x))
        alpha = alpha + s * (y - w2 * w1 * x)
        expected.append((w1, w2, alpha))
    np.testing.assert_allclose(rows, expected, rtol=1e-14)


@pytest.mark.parametrize("n_out", [1, 2])
def test_minnorm_regression_step_alg1(n_out):
    """``W <- W - eta (W - X_S^T alpha_S + rho X_S^T (X_S W - y_S))``, then ``alpha_S += s (y_S - X_S W_new)``."""
    X, y, W = linear_problem(n_out=n_out, seed=3)
    network = Network((5, n_out), activation="linear", bias=False)
    alpha = np.random.default_rng(4).standard_normal((7, n_out))
    index = np.array([6, 1, 3])
    eta, s, rho = 0.05, 0.4, 0.8
    state = one_step(MinnormRegression(eta, s=s, rho=rho), network, [W], index, X, y, alpha)
    XS, yS = X[index], y[index]
    W_new = W - eta * (W - XS.T @ alpha[index] + rho * XS.T @ (XS @ W - yS))
    alpha_new = alpha.copy()
    alpha_new[index] += s * (yS - XS @ W_new)
    np.testing.assert_allclose(state["variables"][0], W_new, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(state["alpha"], alpha_new, rtol=1e-14, atol=1e-15)
    outside = np.setdiff1d(np.arange(7), index)
    np.testing.assert_array_equal(state["alpha"][outside], alpha[outside])


def test_minnorm_regression_fits_class_labels_as_signs():
    X, y, W = linear_problem(n_out=1, classes=True, seed=5)
    network = Network((5, 1), activation="linear", bias=False)
    eta, s = 0.05, 0.4
    index = np.arange(7)
    state = one_step(MinnormRegression(eta, s=s), network, [W], index, X, y)
    W_new = W - eta * W  # alpha = 0, rho = 0: only the norm term pulls
    np.testing.assert_allclose(state["variables"][0], W_new, rtol=1e-14)
    np.testing.assert_allclose(state["alpha"], s * (signs(y, 1) - X @ W_new), rtol=1e-13)


@pytest.mark.parametrize("rho", [0.0, 0.6])
@pytest.mark.parametrize("n_out", [1, 3])
def test_minnorm_classification_step_projects_the_multipliers(n_out, rho):
    """App. A / Alg. 2: ``W <- W - eta (W - X_S^T (alpha_S y_S) - rho X_S^T [alpha_S > 0] (1 - y_S f_S) y_S)``,
    then ``alpha_S <- max(0, alpha_S + s (1 - y_S f_S(W_new)))``; multipliers outside S unchanged."""
    X, y, W = linear_problem(n=4, P=8, n_out=n_out, classes=True, seed=6)
    W *= 3.0  # large margins: some multipliers are pushed below zero
    network = Network((4, n_out), activation="linear", bias=False)
    rng = np.random.default_rng(7)
    alpha = rng.uniform(0.0, 0.3, size=(8, n_out))
    alpha[::3] = 0.0
    index = np.array([0, 1, 2, 4, 5, 7])
    eta, s = 0.05, 0.5
    state = one_step(MinnormClassification(eta, s=s, rho=rho), network, [W], index, X, y, alpha)
    XS, S, aS = X[index], signs(y[index], n_out), alpha[index]
    slack = 1 - S * (XS @ W)
    W_new = W - eta * (W - XS.T @ (aS * S) - rho * XS.T @ ((aS > 0) * slack * S))
    raw = aS + s * (1 - S * (XS @ W_new))
    alpha_new = alpha.copy()
    alpha_new[index] = np.maximum(raw, 0.0)
    np.testing.assert_allclose(state["variables"][0], W_new, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(state["alpha"], alpha_new, rtol=1e-14, atol=1e-15)
    assert np.all(state["alpha"] >= 0)
    # the projection acted: some multiplier would have gone negative and is exactly 0, some stayed positive
    assert np.any(raw < 0) and np.all(state["alpha"][index][raw < 0] == 0)
    assert np.any(raw > 0)
    outside = np.setdiff1d(np.arange(8), index)
    np.testing.assert_array_equal(state["alpha"][outside], alpha[outside])


def test_weight_norm_step_by_hand():
    """``W = rho V/|V|``: ``rho <- rho - eta <G, u>``, ``V <- V - eta (rho/|V|)(G - <G, u> u)``, ``u = V/|V|``."""
    X, y, W = linear_problem(seed=8)
    network = Network((5, 1), activation="linear", bias=False)
    eta = 0.1
    state = one_step(GradientDescent(eta, loss="squared", parametrisation=NormDirection(False)), network, [W],
                     np.arange(7), X, y)
    rho, V = np.linalg.norm(W), W.copy()
    u = V / np.linalg.norm(V)
    G = X.T @ (X @ W - y) / 7
    radial = (G * u).sum()
    np.testing.assert_allclose(state["variables"][0], rho - eta * radial, rtol=1e-14)
    np.testing.assert_allclose(state["variables"][1], V - eta * (rho / np.linalg.norm(V)) * (G - radial * u),
                               rtol=1e-14, atol=1e-15)


# ---------------------------------------------------------------- where Minnorm goes


def test_minnorm_regression_converges_to_the_minimum_norm_solution():
    """Underdetermined least squares (P < n): the limit is ``pinv(X) y``, the interpolant of least norm."""
    rng = np.random.default_rng(9)
    P, n = 3, 6
    X = rng.standard_normal((P, n))
    y = rng.standard_normal((P, 1))
    network = Network((n, 1), activation="linear", bias=False)
    algorithm = MinnormRegression(0.1, s=0.5, rho=1.0)
    state = algorithm.start(np, network, network.init(np, seed=1), P)
    index = np.arange(P)
    for _ in range(3000):
        algorithm.step(np, network, state, index, X, y)
    w = state["variables"][0]
    expected = np.linalg.pinv(X) @ y
    assert np.abs(w - expected).max() < 1e-6
    # not just any interpolant: a random start has a component outside the row space of X
    assert np.linalg.norm(network.init(np, seed=1)[0] - expected) > 0.1
    # the multipliers are those of the KKT point: w = X^T alpha
    np.testing.assert_allclose(X.T @ state["alpha"], w, atol=1e-6)


def _run_minnorm_classification(X, y, steps=3000):
    network = Network((2, 1), activation="linear", bias=False)
    algorithm = MinnormClassification(0.1, s=0.2, rho=0.5)
    state = algorithm.start(np, network, network.init(np, seed=1), len(y))
    index = np.arange(len(y))
    for _ in range(steps):
        algorithm.step(np, network, state, index, X, y)
    return state["variables"][0][:, 0], state["alpha"][:, 0]


def test_minnorm_classification_converges_to_the_svm_of_sklearn():
    """Symmetric data (x, y) and (-x, 1 - y): SVC's intercept is 0, its ``w`` is the hard margin through the origin."""
    data = separable_2d(n=20, margin=0.5, seed=0)
    X = np.concatenate([data.X, -data.X])
    y = np.concatenate([data.y, 1 - data.y])
    svc = SVC(kernel="linear", C=1e6, tol=1e-12).fit(X, y)
    assert abs(svc.intercept_[0]) < 1e-8
    w, alpha = _run_minnorm_classification(X, y)
    np.testing.assert_allclose(w, svc.coef_[0], rtol=1e-6)
    # the constraints hold, with equality exactly where a multiplier is positive
    margins = (2 * y - 1) * (X @ w)
    assert margins.min() > 1 - 1e-8
    np.testing.assert_allclose(margins[alpha > 0], 1.0, atol=1e-8)
    # mirrored pairs give the same constraint, so only their summed multiplier is determined: compare pairs
    pairs = (alpha[:20] + alpha[20:]) > 0
    assert set(np.flatnonzero(pairs)) == {i % 20 for i in svc.support_}


def test_minnorm_classification_converges_to_the_hard_margin_dual():
    """``max sum a - |sum a_mu y_mu x_mu|^2/2``, ``a >= 0`` (no intercept), solved by SciPy and then exactly."""
    data = separable_2d(n=30, margin=0.3, seed=4)
    X, y = data.X, data.y
    Z = (2 * y - 1)[:, None] * X  # constraints Z w >= 1
    K = Z @ Z.T
    result = minimize(lambda a: 0.5 * a @ K @ a - a.sum(), np.full(len(y), 0.1), jac=lambda a: K @ a - 1,
                      method="L-BFGS-B", bounds=[(0, None)] * len(y), options={"ftol": 1e-15, "gtol": 1e-12})
    support = np.flatnonzero(result.x > 1e-6)
    # on the support, the constraints are active: a_S = (Z_S Z_S^T)^-1 1, w = Z_S^T a_S
    a_support = np.linalg.solve(K[np.ix_(support, support)], np.ones(len(support)))
    w_svm = Z[support].T @ a_support
    assert np.all(a_support > 0) and np.all(Z @ w_svm > 1 - 1e-12)  # KKT: a true optimum
    w, alpha = _run_minnorm_classification(X, y)
    np.testing.assert_allclose(w, w_svm, rtol=1e-6)
    np.testing.assert_array_equal(np.flatnonzero(alpha > 0), support)
    np.testing.assert_allclose(alpha[support], a_support, rtol=1e-5)
    assert np.all(alpha[np.setdiff1d(np.arange(len(y)), support)] == 0)


# ---------------------------------------------------------------- weight normalisation and rho/V


def _reference_loss(network, params, X, y):
    h = X
    for layer in range(network.depth):
        W, b = params[2 * layer], params[2 * layer + 1]
        z = h @ W + b
        h = z if layer == network.depth - 1 else np.maximum(z, 0)
    margin = (2 * y - 1) * h[:, 0]
    return np.log1p(np.exp(-margin)).mean()


@pytest.mark.parametrize("algorithm", [GradientDescent(0.1, loss="bce", parametrisation=NormDirection(True)),
                                       MinnormClassification(0.05, s=0.3, rho=0.2,
                                                             parametrisation=NormDirection(True))],
                         ids=["gd", "minnorm"])
def test_rho_v_keeps_unit_directions(algorithm):
    network = Network((3, 4, 1), activation="relu", bias=True)
    rng = np.random.default_rng(10)
    X = rng.standard_normal((12, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    state = algorithm.start(np, network, network.init(np, seed=2), 12)
    for k in range(5):
        index = rng.permutation(12)[:6]
        algorithm.step(np, network, state, index, X[index], y[index])
    rho1, V1, b1, rho2, V2, b2 = state["variables"]
    assert rho1.shape == () and rho2.shape == ()
    for V in (V1, V2):
        assert abs(np.linalg.norm(V) - 1) < 1e-12
    params = algorithm.parameters(np, network, state)
    np.testing.assert_allclose(params[0], rho1 * V1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(params[2], rho2 * V2, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(params[1], b1)
    np.testing.assert_array_equal(params[3], b2)


@pytest.mark.parametrize("unit", [False, True], ids=["weight_norm", "rho_v"])
def test_a_small_step_in_the_norm_direction_parametrisation_decreases_the_loss(unit):
    network = Network((3, 4, 1), activation="relu", bias=True)
    rng = np.random.default_rng(11)
    X = rng.standard_normal((20, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.int64)
    algorithm = GradientDescent(1e-3, loss="bce", parametrisation=NormDirection(unit))
    params = network.init(np, seed=3)
    state = algorithm.start(np, network, params, 20)
    before = _reference_loss(network, params, X, y)
    algorithm.step(np, network, state, np.arange(20), X, y)
    after = _reference_loss(network, algorithm.parameters(np, network, state), X, y)
    assert after < before


# ---------------------------------------------------------------- settings


def test_get_algorithm_builds_each_algorithm():
    assert isinstance(get_algorithm("gd", eta=0.1, loss="hinge"), GradientDescent)
    assert get_algorithm("weight_decay", eta=0.1, weight_decay=0.01).weight_decay == 0.01
    minnorm = get_algorithm("minnorm", eta=0.2, s=0.5, rho=0.1)
    assert isinstance(minnorm, MinnormClassification)
    assert minnorm.settings() == {"algorithm": "minnorm", "eta": 0.2, "parametrisation": "weights", "rho": 0.1,
                                  "s": 0.5}
    assert isinstance(get_algorithm("minnorm_regression", eta=0.2, s=0.5), MinnormRegression)


@pytest.mark.parametrize("name, settings", [
    ("bogus", {"eta": 0.1}),
    ("gd", {"eta": 0.1, "bogus": 1.0}),
    ("gd", {}),
    ("minnorm", {"eta": 0.1}),
    ("weight_decay", {"eta": 0.1}),
    ("weight_decay", {"eta": 0.1, "weight_decay": 0.0}),
    ("gd", {"eta": 0.1, "weight_decay": -1.0}),
    ("minnorm", {"eta": 0.1, "s": 0.0}),
    ("minnorm_regression", {"eta": 0.1, "s": -1.0}),
    ("minnorm", {"eta": 0.1, "s": 1.0, "rho": -0.5}),
    ("minnorm_regression", {"eta": 0.1, "s": 1.0, "rho": float("nan")}),
])
def test_get_algorithm_rejects_bad_settings(name, settings):
    with pytest.raises(AlgorithmError) as error:
        get_algorithm(name, **settings)
    assert "\n" not in str(error.value) and str(error.value)


@pytest.mark.parametrize("eta", [0.0, -0.1, float("nan")])
@pytest.mark.parametrize("name, settings", [("gd", {}), ("weight_decay", {"weight_decay": 0.1}),
                                            ("minnorm", {"s": 1.0}), ("minnorm_regression", {"s": 1.0})])
def test_non_positive_learning_rate_is_refused_in_one_line(name, settings, eta):
    with pytest.raises(AlgorithmError) as error:
        get_algorithm(name, eta=eta, **settings)
    message = str(error.value)
    assert "\n" not in message and "eta" in message and "positive" in message


def test_an_unknown_loss_is_refused_in_one_line():
    from dynsys.train.losses import LossError

    with pytest.raises(LossError) as error:
        get_algorithm("gd", eta=0.1, loss="bogus")
    assert isinstance(error.value, ValueError) and "\n" not in str(error.value) and "bogus" in str(error.value)
