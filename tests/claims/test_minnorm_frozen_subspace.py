"""The claims of Minnorm sec. 3.4 and Fig. 5 (``dynsys.claims.minnorm_frozen_subspace``): computed statuses."""

import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import minnorm_frozen_subspace as module

from expectations import assert_covers, assert_status

EXPECTED = {
    "minnorm.sec34.frozen_subspace": "confirmed",
    "minnorm.sec34.init_scale": "confirmed",
    "minnorm.sec34.eq36": "confirmed",
    "minnorm.fig5.exponential_training": "confirmed",
    "minnorm.fig5.reaches_pruned": "confirmed",
    "minnorm.fig5.no_overtraining": "confirmed",
    "minnorm.fig5.init_independence": "refuted",
}


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "minnorm", ("minnorm.sec34.", "minnorm.fig5."))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=15.0)


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status_full(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=False)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence
