"""The claims of the slides' linear regression and early stopping (``dynsys.claims.slides_regression``): computed
statuses, in time, and the numbers their evidence reports."""

import re

import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import slides_regression as module
from dynsys.train.experiments import least_squares as ls

from expectations import assert_covers, assert_status

EXPECTED = {
    "slides.regression.min_norm": "confirmed",
    "slides.regression.ridge_limit": "confirmed",
    "slides.regression.corollary1": "confirmed",
    "slides.regression.gradient": "confirmed",
    "slides.regression.sgd_rule": "confirmed",
    "slides.regression.lemma3": "confirmed",
    "slides.early_stopping.tikhonov": "confirmed",
    "slides.early_stopping.polynomials": "confirmed",
    "slides.early_stopping.filters": "confirmed",
    "slides.early_stopping.low_pass": "confirmed",
    "slides.early_stopping.lambda_t": "confirmed",
    "slides.early_stopping.rates_rho": "confirmed",
    "slides.early_stopping.rates_K": "confirmed",
    "slides.early_stopping.saturation": "confirmed",
    "slides.early_stopping.overfitting": "confirmed",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "slides", ("slides.regression.", "slides.early_stopping."))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


def test_rates_evidence_reports_the_saturation_of_tikhonov():
    """r = 2: the fitted Tikhonov exponent is the saturated 1, early stopping's the full 2."""
    outcome = evaluate(REGISTRY["slides.early_stopping.rates_rho"], quick=True)
    r2 = next(c.evidence for c in outcome.checks if "r = 2 (" in c.evidence)
    tik, es = (float(v) for v in re.findall(r"~ (?:lambda|t)\^\((-?[0-9.]+)", r2))
    assert abs(tik - 1) < 0.03 and abs(es + 2) < 0.03


def test_overfitting_evidence_matches_the_risk_study():
    study = module.risk_study(0)
    outcome = evaluate(REGISTRY["slides.early_stopping.overfitting"], quick=True)
    text = outcome.checks[0].evidence
    assert f"test risk {study.min_norm['test']:.3f}" in text
    assert f"{study.gd['test'].min():.3f} for the best early-stopped GD" in text
    assert study.min_norm["test"] > study.ridge["test"].min() > study.gd["test"].min()


def test_the_matching_constant_equioscillates():
    """At the minimax c*, the filter difference x/(x + c*) - (1 - e^-x) reaches +-distance on both sides."""
    import numpy as np

    c_star, distance = ls.matching_constant()
    x = np.geomspace(1e-6, 1e6, 200_001)
    diff = x / (x + c_star) + np.expm1(-x)
    assert abs(diff.max() - distance) < 1e-9 and abs(-diff.min() - distance) < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status_full(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=False)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence
