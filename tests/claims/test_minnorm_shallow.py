"""The claims of Minnorm sec. 3.3 (``dynsys.claims.minnorm_shallow``): each one's computed status."""

import numpy as np
import pytest
from scipy.integrate import quad

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import minnorm_shallow  # noqa: F401  (registers the claims)

CONFIRMED = ["minnorm.shallow.eq22_24", "minnorm.shallow.eq27", "minnorm.shallow.eq31_35",
             "minnorm.shallow.eigenvalues", "minnorm.shallow.angle_bce", "minnorm.shallow.angle_minnorm"]


def test_the_expectations_cover_every_claim_of_the_module():
    assert sorted(c for c in REGISTRY if c.startswith("minnorm.shallow.")) == sorted(CONFIRMED)


@pytest.mark.parametrize("claim_id", CONFIRMED)
def test_claim_status(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=True)
    assert outcome.status == "confirmed", outcome.evidence
    assert outcome.checks and all(c.evidence for c in outcome.checks)


def test_eq27_is_the_integral_of_eq25():
    """Independently of the flow code: t = tau int_{w0}^{wf} dw / (2 sigma(-w)) by quadrature."""
    tau, w0, wf = 0.1, -0.5, 4.0
    numeric, _ = quad(lambda w: tau * (1 + np.exp(w)) / 2, w0, wf)
    assert numeric == pytest.approx(tau / 2 * (wf - w0 + np.exp(wf) - np.exp(w0)), rel=1e-12)
