"""The claims of Theory III Fig. 1 and Fig. 8 (``dynsys.claims.theory3_normalised``): computed statuses, the
homogeneity identity against a direct forward pass."""

import numpy as np
import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import theory3_normalised as module
from dynsys.train import Network

from expectations import assert_covers, assert_status

EXPECTED = {
    "theory3.fig1.homogeneity": "confirmed",
    "theory3.fig1.normalised": "confirmed",
    "theory3.fig1.unnormalised": "confirmed",
    "theory3.fig8.linear": "refuted",
    "theory3.fig8.disappears": "confirmed",
    "theory3.fig8.rho4": "refuted",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "theory3", ("theory3.fig1.", "theory3.fig8."))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


def _direct(weights, X):
    h = X
    for W in weights[:-1]:
        h = np.where(h @ W > 0, h @ W, 0.0)
    return h @ weights[-1]


@pytest.mark.parametrize("widths", [(3, 7, 2), (5, 11, 13, 4), (8, 6, 6, 6, 3)])
def test_homogeneity_against_a_direct_forward_pass(widths):
    """f(W) = prod_k |W_k|_F f(W / |W|_F) for bias-free ReLU nets, whatever the layer scales."""
    rng = np.random.default_rng(len(widths))
    weights = [rng.normal(size=(a, b)) * 10.0 ** rng.uniform(-3, 3) for a, b in zip(widths[:-1], widths[1:])]
    X = rng.normal(size=(40, widths[0]))
    norms = [np.sqrt((W ** 2).sum()) for W in weights]
    f = _direct(weights, X)
    np.testing.assert_allclose(f, np.prod(norms) * _direct([W / n for W, n in zip(weights, norms)], X),
                               rtol=0, atol=1e-12 * np.abs(f).max())
    np.testing.assert_allclose(Network(widths, "relu", bias=False).forward(np, weights, X), f, rtol=1e-13,
                               atol=1e-13 * np.abs(f).max())
    assert module.relative_homogeneity_error(Network(widths, "relu", bias=False), weights, X) <= 1e-12


def test_the_identity_needs_bias_free_networks():
    assert module._with_biases_error() > 1e-3


def test_statuses_follow_the_stated_tolerances():
    summary = module._summary(True)
    fit = summary["normalised_fit"]
    assert fit.r2 >= 0.9 and abs(fit.slope - 1) <= module.SLOPE_TOLERANCE + fit.half_width
    assert summary["gap"].mean() > 0
    assert summary["r2"][0] < 0.9 and summary["where"]["rho_off"] > 100 * 4.0


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status_full(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=False)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence
