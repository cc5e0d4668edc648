"""The slides' two-layer linear and polynomial networks (``dynsys.claims.slides_linear_networks``): computed statuses,
and the helpers of ``dynsys.train.experiments.two_layer_linear`` against finite differences, SymPy and LAPACK."""

import numpy as np
import pytest
import sympy

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import slides_linear_networks as module
from dynsys.train.experiments import two_layer_linear as tl

from expectations import assert_covers, assert_status

EXPECTED = {
    "slides.linear2.global_minima": "confirmed",
    "slides.linear2.gradient_flow": "refuted",
    "slides.linear2.hessian": "refuted",
    "slides.linear2.lemma4": "confirmed",
    "slides.linear2.lemma5": "refuted",
    "slides.linear2.theorem2": "refuted",
    "slides.linear2.any_loss": "confirmed",
    "slides.linear2.summary_convex": "refuted",
    "slides.polynomial.eq16": "refuted",
    "slides.polynomial.eq17": "confirmed",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "slides", ("slides.linear2.", "slides.polynomial."))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


@pytest.mark.parametrize("claim_id, fragment", [
    ("slides.linear2.gradient_flow", "Y X^T W1^T - W2 W1 X X^T W1^T"),
    ("slides.linear2.hessian", "I_d' (x) W1 X X^T W1^T"),
    ("slides.linear2.lemma5", "full row rank d'"),
    ("slides.polynomial.eq16", "in R^{N,n}"),
])
def test_corrections_name_the_derived_formula(claim_id, fragment):
    assert fragment in REGISTRY[claim_id].correction


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status_full(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=False)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence


# ---------------------------------------------------------------- helpers


def _random(d=3, n=5, N=4, d_out=2, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((d, n)), rng.standard_normal((d_out, n)), rng.standard_normal((N, d)),
            rng.standard_normal((d_out, N)))


def test_finite_differences_of_a_known_function():
    w = np.linspace(-1.0, 2.0, 5)
    np.testing.assert_allclose(tl.finite_difference_gradient(lambda v: np.sum(np.sin(v)), w), np.cos(w), rtol=1e-9)
    np.testing.assert_allclose(tl.finite_difference_jacobian(np.sin, w), np.diag(np.cos(w)), atol=1e-9)


@pytest.mark.parametrize("m", [1, 2, 3])
def test_gradients_against_finite_differences(m):
    X, Y, W1, W2 = _random()
    g1, g2 = tl.gradients(W1, W2, X, Y, m)
    fd1 = tl.finite_difference_gradient(lambda w: tl.loss(w.reshape(W1.shape), W2, X, Y, m), W1.ravel())
    fd2 = tl.finite_difference_gradient(lambda w: tl.loss(W1, w.reshape(W2.shape), X, Y, m), W2.ravel())
    np.testing.assert_allclose(g1.ravel(), fd1, rtol=1e-6, atol=1e-6 * np.abs(fd1).max())
    np.testing.assert_allclose(g2.ravel(), fd2, rtol=1e-6, atol=1e-6 * np.abs(fd2).max())


def test_engine_gradients_are_the_closed_form():
    X, Y, W1, W2 = _random(seed=1)
    for mine, engine in zip(tl.gradients(W1, W2, X, Y), tl.engine_gradients(W1, W2, X, Y)):
        np.testing.assert_allclose(engine, mine, rtol=1e-12, atol=1e-12)


def test_hessian_blocks_against_finite_differences_in_the_stated_convention():
    X, Y, W1, W2 = _random(seed=2)
    N, d = W1.shape

    def gradient(w):  # w = vec(W1^T), vec(W2^T)
        g1, g2 = tl.gradients(w[:N * d].reshape(d, N, order="F").T, w[N * d:].reshape(N, -1, order="F").T, X, Y)
        return np.concatenate([tl.vec(g1.T), tl.vec(g2.T)])

    H = tl.full_hessian(W1, W2, X, Y)
    fd = tl.finite_difference_jacobian(gradient, np.concatenate([tl.vec(W1.T), tl.vec(W2.T)]))
    np.testing.assert_allclose(H, fd, atol=1e-6 * np.abs(H).max())
    np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_symbolic_hessian_evaluates_to_the_numeric_one():
    """SymPy's Hessian in w = vec(W1^T), vec(W2^T), at random numbers, against the closed-form blocks."""
    X, Y, W1, W2, L = module.symbols(2, 3, 3, 2)
    H = tl.hessian(L, [W1.T, W2.T])
    Xn, Yn, W1n, W2n = _random(2, 3, 3, 2, seed=3)
    numeric = sympy.lambdify([list(M) for M in (X, Y, W1, W2)], H, "numpy")(*(M.ravel() for M in (Xn, Yn, W1n, W2n)))
    np.testing.assert_allclose(numeric, tl.full_hessian(W1n, W2n, Xn, Yn), atol=1e-10)


def test_vec_stacks_columns():
    M = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(tl.vec(M), [0, 3, 1, 4, 2, 5])
    S = tl.matrix_symbols("M", 2, 3)
    assert list(tl.vec(S)) == [S[0, 0], S[1, 0], S[0, 1], S[1, 1], S[0, 2], S[1, 2]]
    assert tl.matrix_gradient(sum(e**2 for e in S) / 2, S) == S


def test_min_norm_and_null_projector_against_lapack():
    X, Y, _, _ = _random(d=6, n=4)
    np.testing.assert_allclose(tl.min_norm(X, Y), np.linalg.lstsq(X.T, Y.T, rcond=None)[0].T, atol=1e-12)
    P = tl.null_projector(X)
    np.testing.assert_allclose(P @ P, P, atol=1e-12)
    np.testing.assert_allclose(X.T @ P, 0, atol=1e-12)
    assert round(np.trace(P)) == 6 - 4


def test_stationary_points_and_the_saddle_start():
    X, Y, _, _ = _random(d=6, n=4, N=8, d_out=1)
    W2 = module.random_W2(1, 8, "sparse", 0)
    assert np.count_nonzero(W2) == 1
    W1 = module.stationary_W1(W2, X, Y, seed=4)
    assert np.abs(tl.gradients(W1, W2, X, Y)[0]).max() < 1e-10
    X, Y, W1, W2 = module.saddle_start()
    assert np.all(W1 @ X[:, 2] == 0) and np.all(W2[1] == 0) and np.any(W2[0])
    assert np.abs(W1 @ tl.null_projector(X)).max() < 1e-12


def test_run_steps_the_mean_loss():
    X, Y, W1, W2 = _random(seed=5)
    path, history = tl.run(X, Y, W1, W2, eta=0.01, epochs=2)
    assert len(path) == 3 and history.status == "done"
    g1, g2 = tl.gradients(W1, W2, X, Y)
    n = X.shape[1]
    np.testing.assert_allclose(path[1][0], W1 - 0.01 / n * g1, atol=1e-14)
    np.testing.assert_allclose(path[1][1], W2 - 0.01 / n * g2, atol=1e-14)


@pytest.mark.parametrize("call", [
    lambda: tl.check_shapes(np.ones((3, 2)), np.ones((1, 4)), np.ones((2, 5))),
    lambda: tl.check_shapes(np.ones((3, 2)), np.ones((1, 3)), np.ones((2, 5)), np.ones((2, 5))),
    lambda: tl.loss(np.ones((3, 2)), np.ones((1, 3)), np.ones((2, 5)), np.ones((1, 5)), m=0),
    lambda: tl.dataset(np.ones((2, 5))),
    lambda: tl.hessian(sympy.Integer(1), [sympy.Matrix([[1, 2]])]),
])
def test_bad_input_raises_a_value_error(call):
    with pytest.raises(tl.TwoLayerError) as info:
        call()
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)
