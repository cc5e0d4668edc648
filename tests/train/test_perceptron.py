"""The perceptron, the hard-margin SVM, Theorem 3's asymptote and gradient descent of ``dynsys.train.perceptron``."""

import numpy as np
import pytest
from scipy.optimize import minimize

from dynsys.train import GradientDescent, Network, trajectory
from dynsys.train import perceptron as pc
from dynsys.train.datasets import Dataset

# z_n = y_n x_n = (1, 0), (0, 1), (1, 1)
HAND_X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
HAND_Y = np.array([1, 1, -1])


def random_sets(count=12, n=25):
    """Separable sets ``(X, y, through_origin)``: every other one needs a bias."""
    for seed in range(count):
        offset = (0.0, 0.7)[seed % 2]
        yield (*pc.separable_data(n, (2, 3, 8)[seed % 3], (0.05, 0.3)[seed % 2], seed, offset), offset == 0)


def test_hand_worked_example_without_bias():
    """Pass 1: x1 has margin 0 -> w = (1, 0); x2 margin 0 -> w = (1, 1); x3 margin 2. Pass 2 is clean."""
    run = pc.perceptron(HAND_X, HAND_Y)
    assert run.updates == 2 and run.epochs == 2 and run.converged
    np.testing.assert_array_equal(run.w, [1.0, 1.0])
    assert run.b == 0.0 and run.updated.tolist() == [0, 1]


def test_hand_worked_example_with_the_slides_augmentation():
    """R = sqrt 2, x_hat = (x, R): x1 -> w_hat = (1, 0, R); x2 margin 2; x3 margin -(-1 + 2) = -1
    -> w_hat = (2, 1, 0)."""
    run = pc.perceptron(HAND_X, HAND_Y, bias=True)
    assert run.radius == pytest.approx(np.sqrt(2))
    assert run.updates == 2 and run.epochs == 2 and run.converged
    np.testing.assert_allclose(run.w, [2.0, 1.0])
    assert run.b == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(run.weights_after_updates(HAND_X, HAND_Y),
                               [[0, 0, 0], [1, 0, np.sqrt(2)], [2, 1, 0]], atol=1e-15)


def test_the_printed_strict_rule_never_leaves_zero():
    for X, y, _ in random_sets():
        for bias in (False, True):
            run = pc.perceptron(X, y, bias=bias, update_on="<")
            assert run.updates == 0 and run.epochs == 1 and not np.any(run.w) and run.b == 0


def test_the_printed_sign_never_converges():
    for X, y, _ in random_sets(6):
        run = pc.perceptron(X, y, sign=-1, max_epochs=100)
        assert not run.converged and run.updates >= 100


def test_agrees_with_scikit_learn_perceptron():
    """scikit-learn updates when y f <= 0 with step eta0; its intercept is the augmentation (x, 1), so the slides'
    (x, R) is scikit-learn on X / R."""
    from sklearn.linear_model import Perceptron

    for X, y, through_origin in random_sets():
        if through_origin:
            ours = pc.perceptron(X, y)
            theirs = Perceptron(fit_intercept=False, shuffle=False, tol=None, max_iter=500).fit(X, y)
            np.testing.assert_allclose(ours.w, theirs.coef_[0], rtol=1e-12, atol=1e-12)
        R = pc.input_radius(X)
        ours = pc.perceptron(X, y, bias=True)
        theirs = Perceptron(fit_intercept=True, shuffle=False, tol=None, max_iter=500).fit(X / R, y)
        np.testing.assert_allclose(ours.w, R * theirs.coef_[0], rtol=1e-12, atol=1e-12)
        assert ours.b == pytest.approx(R**2 * theirs.intercept_[0], rel=1e-12, abs=1e-12)


def test_updates_stay_within_theorem1_bound_on_random_data():
    for X, y, through_origin in random_sets():
        for bias in (True, False) if through_origin else (True,):
            for shuffle in (None, 3):
                result = pc.bound_run(X, y, bias, shuffle)
                assert result["converged"] and result["updates"] <= result["bound"]
                assert result["norm_slack"] >= -1e-12 and result["progress_slack"] >= -1e-9


def test_novikoff_bound_values():
    assert pc.novikoff_bound(2.0, 0.5) == pytest.approx(16.0)
    assert pc.novikoff_bound(2.0, 0.5, bias=True) == pytest.approx(64.0)
    assert pc.novikoff_bound(2.0, 0.5, bias=True, b=2.0) == pytest.approx(64.0)  # |b| = R: eq. 22 = eq. 24
    assert pc.novikoff_bound(2.0, 0.5, bias=True, b=0.0) == pytest.approx(32.0)


@pytest.mark.parametrize("bias", [False, True])
def test_max_margin_solves_the_primal(bias):
    """Against SciPy's SLSQP on min |w|^2/2 s.t. y_n (w.x_n + b) >= 1."""
    X, y = pc.separable_data(15, 3, 0.3, seed=4, offset=0.5 if bias else 0.0)
    svm = pc.max_margin(X, y, bias=bias)
    s = pc.signs(y)
    d = X.shape[1]

    def margins(v):
        return s * (X @ v[:d] + (v[d] if bias else 0.0)) - 1

    start = np.r_[svm.w * 2, 0.0] if bias else svm.w * 2
    ref = minimize(lambda v: v[:d] @ v[:d] / 2, start, constraints=[{"type": "ineq", "fun": margins}],
                   method="SLSQP", options={"ftol": 1e-14, "maxiter": 500})
    np.testing.assert_allclose(svm.w, ref.x[:d], rtol=1e-6, atol=1e-7)
    assert svm.kkt < 1e-9 and svm.gamma == pytest.approx(1 / np.linalg.norm(svm.w))
    if bias:
        assert svm.b == pytest.approx(ref.x[d], abs=1e-6)


def test_asymptote_of_two_support_vectors():
    """z1 = (1, 0), z2 = (0, 2): w_hat = (1, 1/2), alpha = (1, 1/4); exp(-z.w_tilde) = alpha gives
    w_tilde = (0, ln 2)."""
    X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    a = pc.asymptote(X, np.ones(3, int))
    np.testing.assert_allclose(a.w_hat, [1.0, 0.5], atol=1e-10)
    np.testing.assert_allclose(a.alpha, [1.0, 0.25, 0.0], atol=1e-10)
    np.testing.assert_allclose(a.w_tilde, [0.0, np.log(2)], atol=1e-9)
    assert a.determined and a.loss_constant == pytest.approx(1.25)
    assert a.second_margin == pytest.approx(4.5) and a.rate == pytest.approx(1.0)  # eigenvalues of diag(1, 1): 1


@pytest.mark.parametrize("loss", ["bce", "exponential"])
def test_gradient_descent_equals_the_training_engine(loss):
    """The engine averages the loss, so its step P eta on the mean is our step eta on the sum."""
    X, y = pc.separable_data(10, 3, 0.2, seed=1)
    w0 = np.array([0.3, -0.2, 0.1])
    ours = pc.gradient_descent(X, y, 0.05, 200, loss, w0=w0, record=np.arange(201))
    data = Dataset(X, ((y + 1) // 2).astype(np.int64), 2, "separable")
    engine = trajectory(Network((3, 1), "linear", bias=False), GradientDescent(0.05 * len(X), loss=loss), data, 200,
                        [w0.reshape(3, 1)])
    np.testing.assert_allclose(ours.w, engine, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.loss, pc.margin_loss(pc.fold(X, y), engine, loss), rtol=1e-12)
    assert ours.increases == 0


def test_gradient_descent_counts_loss_increases():
    """From a start that misclassifies z2, one large step of the exponential loss overshoots."""
    X = np.array([[1.0, 0.0], [-1.0, 0.1]])
    run = pc.gradient_descent(X, np.ones(2, int), 1.0, 3, "exponential", w0=np.array([3.0, 0.0]))
    assert run.increases >= 1 and run.largest_increase > 1


def test_step_size_bound():
    X, _ = pc.separable_data(10, 2, 0.2, seed=0)
    sigma = np.linalg.svd(X, compute_uv=False)[0]
    assert pc.step_size_bound(X) == pytest.approx(8 / sigma**2)
    assert pc.step_size_bound(X, "exponential", level=10.0) == pytest.approx(2 / (10 * sigma**2))
    with pytest.raises(ValueError, match="sublevel"):
        pc.step_size_bound(X, "exponential")


def test_bad_arguments():
    with pytest.raises(ValueError, match="update_on"):
        pc.perceptron(HAND_X, HAND_Y, update_on="<<")
    with pytest.raises(ValueError, match="sign"):
        pc.perceptron(HAND_X, HAND_Y, sign=2)
    with pytest.raises(ValueError, match="labels"):
        pc.perceptron(HAND_X, np.array([1, 2, 3]))
