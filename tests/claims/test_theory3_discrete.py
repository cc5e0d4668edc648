"""The claims of Theory III sec. 10-11 and eq. 81 in discrete time (``dynsys.claims.theory3_discrete``): statuses."""

import numpy as np
import pytest

from dynsys.claims import theory3_discrete as module

from expectations import assert_covers, assert_status

EXPECTED = {
    "theory3.discrete.equivalent": "confirmed",
    "theory3.discrete.wn_norm_flow": "confirmed",
    "theory3.discrete.wn_norm_iterates": "refuted",
    "theory3.discrete.gd_wn_flows": "confirmed",
    "theory3.discrete.unit_norm_flow": "confirmed",
    "theory3.discrete.fig7": "confirmed",
}
QUICK_SECONDS = 10.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "theory3", ("theory3.discrete.",))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS, warm=False)


def test_eq53_keeps_the_norm_symbolically():
    assert module.eq53_orthogonality() == 0


def test_weight_norm_growth_is_first_order_and_predicted_by_the_flow():
    etas = np.array(module.ETAS)
    growth = module.norm_growth(True)
    assert np.all(growth > 0)
    assert module.order(etas, growth) == pytest.approx(1, abs=0.05)
    assert growth[-1] / etas[-1] == pytest.approx(module.predicted_growth_rate(True), rel=0.01)


def test_the_iris_problem_is_separable_through_the_origin():
    data, Z = module.iris()
    assert data.X.shape == (150, 4) and set(np.unique(data.y)) == {0, 1}
    svm, result = module.svm_direction()
    assert (Z @ result.w).min() == pytest.approx(1, abs=1e-8)
    assert (Z @ module.start_direction()).min() > 0
