"""The claims of Minnorm sec. 3.2 / App. B (``dynsys.claims.minnorm_chain``): each one's computed status."""

import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import minnorm_chain  # noqa: F401  (registers the claims)

# The paper's misprints, each refuted with a derived correction (see the module docstring).
REFUTED = ["minnorm.chain.eq13_14", "minnorm.chain.eq16", "minnorm.chain.spiral", "minnorm.chain.fig3d"]
CONFIRMED = [
    "minnorm.chain.eq9",
    "minnorm.chain.eq10",
    "minnorm.chain.eq11",
    "minnorm.chain.eq12",
    "minnorm.chain.eq15",
    "minnorm.chain.balanced",
    "minnorm.chain.eq17",
    "minnorm.chain.fixed_point",
    "minnorm.chain.eq49_51",
    "minnorm.chain.eq18",
    "minnorm.chain.stable",
    "minnorm.chain.centre",
    "minnorm.chain.eq19",
    "minnorm.chain.eq53_54",
    "minnorm.chain.fig3a",
    "minnorm.chain.time",
]
EXPECTED = {**{c: "confirmed" for c in CONFIRMED}, **{c: "refuted" for c in REFUTED}}


def _ours():
    return sorted(c for c in REGISTRY if c.startswith("minnorm.chain."))


def test_the_expectations_cover_every_claim_of_the_module():
    assert _ours() == sorted(EXPECTED)
    for claim_id in _ours():
        claim = REGISTRY[claim_id]
        assert claim.paper == "minnorm" and claim.where and claim.statement
        assert bool(claim.correction) == (claim_id in REFUTED)


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=True)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence
    assert outcome.checks and all(c.evidence for c in outcome.checks)
    report = outcome.as_json()
    if outcome.status == "refuted":
        corrections = [c for c in outcome.checks if c.about == "correction"]
        assert corrections and all(c.holds for c in corrections)
        assert report["correction"] == REGISTRY[claim_id].correction != ""
    else:
        assert report["correction"] == ""
