"""The claims of Minnorm Fig. 1 (``dynsys.claims.minnorm_fig1``): computed statuses, in time, and what they rest on.

Independent references for the numbers behind them: numpy's matrix rank for
the rank deficiency of ten units, the count of the engine's parameters.
"""

import numpy as np
import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import minnorm_fig1 as module
from dynsys.train.experiments import random_features as rf

from expectations import assert_covers, assert_status

EXPECTED = {
    "minnorm.fig1.min_norm": "confirmed",
    "minnorm.fig1.progression": "refuted",
    "minnorm.fig1.large_best": "confirmed",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "minnorm", ("minnorm.fig1.",))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


def test_ten_random_relu_units_do_not_interpolate_ten_points():
    """What the refutation rests on, with numpy's own rank: no quick draw reaches rank 10 with ten units."""
    ranks = [np.linalg.matrix_rank(rf.draw(seed).phi(10)) for seed in range(rf.SEEDS[True])]
    assert max(ranks) < 10
    outcome = evaluate(REGISTRY["minnorm.fig1.progression"], quick=True)
    assert f"rank(Phi) < 10 at Nh = 10 in {rf.SEEDS[True]}/{rf.SEEDS[True]} draws" in outcome.evidence
    assert "rank(Phi) < 10" in outcome.claim.correction


def test_min_norm_evidence_reports_every_width():
    outcome = evaluate(REGISTRY["minnorm.fig1.min_norm"], quick=True)
    for n in rf.WIDTHS:
        assert f"Nh = {n} (rank {rf.rank(rf.draw(rf.FIGURE_SEED).phi(n))}," in outcome.evidence


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status_full(claim_id):
    outcome = assert_status(claim_id, EXPECTED[claim_id], quick=False)
    if claim_id == "minnorm.fig1.min_norm":
        assert outcome.evidence.count("converged: |w_k - w*|/|w*|") == len(rf.WIDTHS)
