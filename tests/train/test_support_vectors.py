"""Fig. 2's experiment (dynsys.train.experiments.support_vectors) against independent references.

The per-example gradients behind the eq. 6 residual are checked by central
finite differences of a forward pass written out here; the residual itself
against the engine's own Minnorm gradient; the SVM against the hand-derived
hard-margin SVM of two points.
"""

import numpy as np
import pytest

from dynsys.train import MinnormClassification, Network
from dynsys.train.datasets import Dataset
from dynsys.train.experiments import support_vectors as sv


def ref_output(params, x):
    """``f(x)`` of a ReLU network with biases, ``params = [W_1, b_1, ..., W_D, b_D]``, written out again."""
    h = np.asarray(x, dtype=float)
    layers = list(zip(params[::2], params[1::2]))
    for W, b in layers[:-1]:
        h = np.maximum(h @ W + b, 0.0)
    W, b = layers[-1]
    return float((h @ W + b)[0])


def random_params(widths, seed):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        params += [rng.standard_normal((n_in, n_out)), 0.3 * rng.standard_normal(n_out)]
    return params


def two_point_svm(x_plus, x_minus):
    """The hard-margin SVM of one point per class, by hand.

    ``w = alpha (x+ - x-)`` (``sum alpha y = 0`` makes both multipliers equal),
    ``w.x+ + b = 1`` and ``w.x- + b = -1`` give ``w = 2 d / |d|^2``, ``d = x+ - x-``,
    ``b = (|x-|^2 - |x+|^2) / |d|^2`` and ``alpha = 2 / |d|^2``.
    """
    d = x_plus - x_minus
    return 2 * d / (d @ d), (x_minus @ x_minus - x_plus @ x_plus) / (d @ d), 2 / (d @ d)


def test_data_is_separable_with_a_few_support_vectors():
    dataset = sv.data()
    svm = sv.svm(dataset)
    assert dataset.X.shape == (sv.N_POINTS, 2) and set(dataset.y) == {0, 1}
    assert 2 <= len(svm.support) <= 4
    margins = sv.signs(dataset) * svm.decision(dataset.X)
    assert np.all(margins > 1 - 1e-6)
    np.testing.assert_allclose(margins[svm.support], 1, atol=1e-6)


def test_svm_dual_coefficients_reproduce_the_weights():
    """``w = sum_mu alpha_mu y_mu x_mu`` and ``sum_mu alpha_mu y_mu = 0`` (the SVM's dual, with App. A's labels)."""
    dataset = sv.data()
    svm = sv.svm(dataset)
    y = sv.signs(dataset)
    np.testing.assert_allclose(dataset.X.T @ (svm.alpha * y), svm.coef, atol=1e-8)
    assert abs(np.sum(svm.alpha * y)) < 1e-8
    assert np.array_equal(np.flatnonzero(svm.alpha > 0), svm.support)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_svm_of_two_points_is_the_hand_derived_one(seed):
    rng = np.random.default_rng(seed)
    x_plus, x_minus = rng.standard_normal(2) + 1.0, rng.standard_normal(2) - 1.0
    svm = sv.svm(Dataset(np.array([x_minus, x_plus]), np.array([0, 1]), 2, "two points"))
    w, b, alpha = two_point_svm(x_plus, x_minus)
    np.testing.assert_allclose(svm.coef, w, atol=1e-8)
    assert svm.intercept == pytest.approx(b, abs=1e-8)
    np.testing.assert_allclose(svm.alpha, [alpha, alpha], atol=1e-8)


@pytest.mark.parametrize("widths", [(2, 5, 1), (2, 4, 3, 1)])
def test_per_example_gradients_match_finite_differences(widths):
    network = Network(widths, "relu", bias=True)
    params = random_params(widths, seed=len(widths))
    X = np.random.default_rng(7).standard_normal((4, 2))
    gradients = sv.per_example_gradients(network, params, X)
    rng = np.random.default_rng(3)
    h = 1e-6
    for index, param in enumerate(params):
        for _ in range(3):
            entry = tuple(rng.integers(n) for n in param.shape)
            for mu in range(len(X)):
                up = [p.copy() for p in params]
                down = [p.copy() for p in params]
                up[index][entry] += h
                down[index][entry] -= h
                numeric = (ref_output(up, X[mu]) - ref_output(down, X[mu])) / (2 * h)
                assert gradients[index][mu][entry] == pytest.approx(numeric, abs=1e-7)
    assert [g.shape for g in gradients] == [(len(X), *p.shape) for p in params]


def test_eq6_residual_is_the_engines_minnorm_gradient():
    """With rho = 0 the engine's weight gradient is ``W_l - sum alpha y df/dW_l`` and its bias gradient
    ``-sum alpha y df/db_l``: the residuals of :func:`eq6_residuals` measured independently."""
    dataset = sv.data()
    network = Network((2, 6, 6, 1), "relu", bias=True)
    params = random_params(network.widths, seed=5)
    alpha = np.random.default_rng(4).uniform(0, 1, len(dataset.y)) * (np.arange(len(dataset.y)) % 3 == 0)
    algorithm = MinnormClassification(0.01, s=0.01, rho=0.0)
    state = algorithm.start(np, network, params, len(dataset.y))
    state["alpha"][:, 0] = alpha
    engine = algorithm.objective_gradient(np, network, state, np.arange(len(dataset.y)), dataset.X, dataset.y)
    run = sv.Run((6, 6), 0.01, 0.01, 0.0, 0, 0, network, params, np.zeros(1), alpha[None], alpha, 0.0, "done", "",
                 0.0)
    weights, biases = sv.eq6_residuals(run)
    gradients = sv.per_example_gradients(network, params, dataset.X)
    mask = network.weight_mask()
    expected_weights = [np.linalg.norm(g) / np.linalg.norm(p) for g, p, w in zip(engine, params, mask) if w]
    scales = [np.sum(alpha * np.linalg.norm(g.reshape(len(alpha), -1), axis=1)) for g, w in zip(gradients, mask)
              if not w]
    expected_biases = [np.linalg.norm(g) / scale for g, scale in zip([g for g, w in zip(engine, mask) if not w],
                                                                      scales)]
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-10)
    np.testing.assert_allclose(biases, expected_biases, rtol=1e-10)
    assert min(weights) > 0.1  # far from a fixed point: the residual is not trivially small


def test_runs_are_cached_and_recorded():
    runs = sv.study(quick=True)
    assert list(runs) == list(sv.HIDDEN)
    for name, run in runs.items():
        assert run is sv.minnorm_run(sv.HIDDEN[name], quick=True)
        assert run.status == "done" and run.train_error == 0
        assert run.multipliers.shape == (len(run.steps_recorded), sv.N_POINTS)
        assert run.steps_recorded[0] == 0 and run.steps_recorded[-1] == sv.STEPS[True]
        assert np.all(np.diff(run.steps_recorded) > 0)
        assert np.array_equal(run.multipliers[-1], run.alpha)
        assert run.network.widths == (2, *sv.HIDDEN[name], 1)


def test_two_point_task_network_multipliers_scale_like_the_svm():
    """On two points the 1-hidden-layer net's alpha is ``|w_SVM|^(2/D - 2) alpha_SVM`` with D = 2 (derived in
    ``minnorm.fig2.support_vectors``), here against the hand-derived SVM."""
    x_plus, x_minus = np.array([1.0, 0.5]), np.array([-0.5, -1.0])
    dataset = Dataset(np.array([x_minus, x_plus]), np.array([0, 1]), 2, "two points")
    network = Network((2, 20, 1), "relu", bias=True)
    algorithm = MinnormClassification(0.01, s=0.03, rho=0.5)
    state = algorithm.start(np, network, network.init(np, sigma_w=1.0, seed=0), 2)
    index = np.arange(2)
    for _ in range(6000):
        algorithm.step(np, network, state, index, dataset.X, dataset.y)
    w, _, alpha = two_point_svm(x_plus, x_minus)
    np.testing.assert_allclose(state["alpha"][:, 0], np.linalg.norm(w) ** (2 / 2 - 2) * alpha, rtol=1e-6)
    norm = sum(float((W * W).sum()) for W in network.weights(algorithm.parameters(np, network, state)))
    assert norm == pytest.approx(2 * np.linalg.norm(w), rel=1e-6)


def test_fig8_grid_covers_the_papers_settings():
    assert sv.FIG8_S == (0.5, 1.0, 5.0) and sv.FIG8_RHO == (0.0, 0.5, 1.0, 5.0)
