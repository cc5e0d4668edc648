"""The claims of Theory III sec. 16 and Fig. 4-7 (``dynsys.claims.theory3_rates``): computed statuses, the checked
corrections, and the SymPy derivations behind them."""

import numpy as np
import pytest
import sympy

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import theory3_rates as module
from dynsys.models import theory3_rates as m
from dynsys.symbolic import t

from expectations import assert_covers, assert_status

EXPECTED = {
    "theory3.rates.eq76": "refuted",
    "theory3.rates.eq77": "confirmed",
    "theory3.rates.eq78": "confirmed",
    "theory3.rates.rho_log": "confirmed",
    "theory3.rates.exp_tail": "confirmed",
    "theory3.rates.eq79_gd": "confirmed",
    "theory3.rates.eq79_derivation": "refuted",
    "theory3.rates.eq80_form": "confirmed",
    "theory3.rates.eq80_rate": "refuted",
    "theory3.rates.wn_faster": "refuted",
    "theory3.rates.fig5": "confirmed",
    "theory3.rates.fig6": "confirmed",
    "theory3.rates.eq81": "refuted",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "theory3", ("theory3.rates.",))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


def test_eq80_rate_evidence_names_the_derived_law_and_the_failed_fits():
    outcome = evaluate(REGISTRY["theory3.rates.eq80_rate"], quick=True)
    a = m.single_start(m.iris_data("one")[0][0])[0]
    assert f"{-1 / (2 * a**2):.6f}" in outcome.evidence
    assert "exp(-log(t)**2/2)" in outcome.evidence
    assert "exp(|x|^2/2)/|x|^2" in outcome.claim.correction


def test_weight_normalisation_law_in_sympy():
    law = module._wn_symbolic()
    assert law["conserved"] and law["residual"] == 0
    assert law["limit"] == -sympy.oo
    a = sympy.Symbol("a", positive=True)
    assert sympy.simplify(law["half"][0] - sympy.exp(a**2 / 2) / a**2) == 0
    f = law["paper_ode"]
    assert sympy.simplify(f.diff(t) + sympy.log(t) / t * f) == 0
    assert law["printed_residual"] != 0


def test_gd_law_in_sympy():
    u_rate, perpendicular, solution, limit = module._gd_symbolic()
    a, K = sympy.symbols("a K", positive=True)
    assert u_rate == 0 and perpendicular == 0 and limit == a * K
    C1 = sympy.Symbol("C1")
    assert sympy.simplify(solution.diff(t) - a**2 * sympy.exp(-solution)) == 0 and C1 in solution.free_symbols


def test_one_example_numbers_against_closed_forms():
    data = module._one(True)
    times = data["t"]
    assert np.abs(data["eps_gd"] / data["exact"][2] - 1).max() < 1e-9
    late = times >= 1e8
    law = m.wn_single_law(times[late], data["a"], data["rho0"], data["s0"])
    assert np.abs(data["eps_weight_norm"][late] / law - 1).max() < 1e-3
    assert data["full_gd"] < 1e-9 and data["full_weight_norm"] < 1e-8
