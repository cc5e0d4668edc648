"""The claims of Minnorm App. A (``dynsys.claims.minnorm_appendix_a``): both printed updates are refuted."""

import numpy as np
import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import minnorm_appendix_a as appendix


@pytest.mark.parametrize("claim_id", ["minnorm.appA.eq40", "minnorm.appA.eq41"])
def test_printed_update_is_refuted_and_its_correction_checked(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=True)
    assert outcome.status == "refuted", outcome.evidence
    assert REGISTRY[claim_id].correction
    corrections = [c for c in outcome.checks if c.about == "correction"]
    assert corrections and all(c.holds for c in corrections)
    assert not all(c.holds for c in outcome.checks if c.about == "statement")


def test_printed_eq40_stops_at_a_feasible_point_that_is_not_the_maximum_margin_one():
    """Without the norm term the iteration halts once every margin is >= 1, at a larger norm than the SVM's."""
    X, labels, signs = appendix._symmetric_data()
    w_svm, _ = appendix._svm(X, labels)
    w, taken = appendix._printed_run(X, signs, 4000, lambda w, a: w + appendix.ETA * X.T @ (a * signs),
                                     lambda f: 1 - signs * f)
    assert taken == 4000
    assert np.min(signs * (X @ w)) > 1 - 1e-3  # feasible
    assert np.linalg.norm(w) > 1.1 * np.linalg.norm(w_svm)  # but not minimum norm
    assert np.min(signs * (X @ w_svm)) == pytest.approx(1.0, abs=1e-3)
