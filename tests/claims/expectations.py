"""The assertions every claim module's tests share: its expected statuses cover its claims, are computed in time,
and a refuted claim carries a correction whose checks hold while some check of its statement fails."""

import time

from dynsys.claims import REGISTRY, evaluate


def assert_covers(module, expected, paper, prefixes=None):
    """``expected`` names exactly the claims ``module`` registers (and, given ``prefixes``, every registered id
    under them), all on ``paper``."""
    mine = {c.id for c in REGISTRY.values() if c.run_checks.__module__ == module.__name__}
    assert mine == set(expected)
    if prefixes is not None:
        assert {c for c in REGISTRY if c.startswith(tuple(prefixes))} == set(expected)
    assert all(REGISTRY[c].paper == paper for c in expected)


def assert_status(claim_id, status, seconds=None, quick=True, warm=True):
    """Evaluate ``claim_id`` and check its status, evidence, correction and (if ``seconds``) its time.

    ``warm`` evaluates once before timing, so compiled kernels and cached studies do not count.
    """
    if seconds is not None and warm:
        evaluate(REGISTRY[claim_id], quick=quick)
    start = time.perf_counter()
    outcome = evaluate(REGISTRY[claim_id], quick=quick)
    took = time.perf_counter() - start
    assert outcome.status == status, outcome.evidence
    assert outcome.checks and all(c.evidence for c in outcome.checks)
    if seconds is not None:
        assert took < seconds, f"{claim_id} took {took:.1f} s"
    assert bool(outcome.claim.correction) == (status == "refuted")
    if status == "refuted":
        corrections = [c for c in outcome.checks if c.about == "correction"]
        assert corrections and all(c.holds for c in corrections)
        assert not all(c.holds for c in outcome.checks if c.about == "statement")
    return outcome
