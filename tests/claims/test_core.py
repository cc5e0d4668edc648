"""Claim status is computed from the checks: each rule of dynsys.claims.core, and that it can fail."""

import pytest

from dynsys.claims import Check, Claim, evaluate


def make(checks, correction=""):
    def run(quick):
        for item in checks:
            if isinstance(item, Exception):
                raise item
            yield item
    return Claim("test.claim", "minnorm", "eq. 0", "a statement", run, correction)


@pytest.mark.parametrize("checks, status", [
    ([Check(True, "a"), Check(True, "b")], "confirmed"),
    ([Check(True, "a"), Check(False, "b")], "refuted"),
    ([], "unverified"),
    ([Check(True, "only about the correction", about="correction")], "unverified"),
    ([Check(False, "a"), Check(False, "the correction fails", about="correction")], "error"),
    ([Check(True, "a"), ZeroDivisionError("boom")], "error"),
])
def test_status_rules(checks, status):
    assert evaluate(make(checks)).status == status


def test_a_false_statement_is_refuted_and_carries_its_correction():
    outcome = evaluate(make([Check(1 + 1 == 3, "computed 1 + 1 = 2"),
                             Check(1 + 1 == 2, "computed 1 + 1 = 2", about="correction")], "1 + 1 = 2"))
    document = outcome.as_json()
    assert document["status"] == "refuted" and document["correction"] == "1 + 1 = 2"
    assert "computed 1 + 1 = 2" in document["evidence"]


def test_a_confirmed_claim_shows_no_correction_and_a_crash_its_message():
    assert evaluate(make([Check(True, "ok")], "unused")).as_json()["correction"] == ""
    crashed = evaluate(make([ValueError("bad input")]))
    assert crashed.status == "error" and "ValueError: bad input" in crashed.evidence


def test_check_validates_its_role():
    with pytest.raises(ValueError):
        Check(True, "x", about="something else")
