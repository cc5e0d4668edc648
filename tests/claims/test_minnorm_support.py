"""The claims of Minnorm sec. 3.1 and Fig. 2 (``dynsys.claims.minnorm_support``): each one's computed status.

Independent references: scikit-learn's SVC and the hard-margin SVM of two
points derived by hand, reached by the shallow Minnorm flow.
"""

import numpy as np
import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import minnorm_support  # noqa: F401  (registers the claims)
from dynsys.integrate import solve_ivp
from dynsys.models.shallow import shallow_minnorm_classifier
from dynsys.train.datasets import separable_2d

EXPECTED = {
    "minnorm.sec31.shallow_svm": "confirmed",
    "minnorm.sec31.eq6": "confirmed",
    "minnorm.fig2.support_vectors": "confirmed",
    "minnorm.fig2.sparsity": "confirmed",
}


def test_the_expectations_cover_every_claim_of_the_module():
    assert sorted(c for c in REGISTRY if c.startswith(("minnorm.sec31.", "minnorm.fig2."))) == sorted(EXPECTED)


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=True)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence
    assert outcome.checks and all(c.evidence for c in outcome.checks)


def test_shallow_flow_reaches_the_hand_derived_svm_of_two_points():
    """Two points ``x+``, ``x-``, ``d = x+ - x-``: the flow ends at the SVM derived by hand.

    ``w = 2 d/|d|^2``, ``b = (|x-|^2 - |x+|^2)/|d|^2``, ``alpha = 2/|d|^2`` (``w = alpha d``, both
    multipliers equal by ``sum alpha y = 0``; ``w.x+ + b = 1``, ``w.x- + b = -1``).
    """
    x_plus, x_minus = np.array([1.5, 0.5]), np.array([-0.5, -1.0])
    flow = shallow_minnorm_classifier(np.array([x_plus, x_minus]), np.array([1, 0]), bias=True, r_value=1.0).compile()
    sol = solve_ivp(flow, (0, 2000), np.zeros(5), method="dop853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    d = x_plus - x_minus
    np.testing.assert_allclose(sol.y[:2, -1], 2 * d / (d @ d), atol=1e-7)
    assert sol.y[2, -1] == pytest.approx((x_minus @ x_minus - x_plus @ x_plus) / (d @ d), abs=1e-7)
    np.testing.assert_allclose(sol.y[3:, -1], [2 / (d @ d)] * 2, atol=1e-7)


@pytest.mark.parametrize("n, margin, seed", minnorm_support.SHALLOW_DATA)
def test_shallow_data_sets_have_svms_with_a_few_support_vectors(n, margin, seed):
    """The claim's SVMs solve the hard-margin problem: margins >= 1, = 1 on the support, ``w = sum alpha y x``."""
    from sklearn.svm import SVC

    data = separable_2d(n, margin, seed)
    svm = SVC(kernel="linear", C=1e10, tol=1e-12).fit(data.X, data.y)
    y = 2.0 * data.y - 1
    margins = y * (data.X @ svm.coef_[0] + svm.intercept_[0])
    assert 2 <= len(svm.support_) <= 4
    assert margins.min() > 1 - 1e-6
    np.testing.assert_allclose(margins[svm.support_], 1, atol=1e-6)
    np.testing.assert_allclose(svm.dual_coef_[0] @ data.X[svm.support_], svm.coef_[0], atol=1e-9)
