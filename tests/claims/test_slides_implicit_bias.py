"""The claims of the slides on implicit regularization (``dynsys.claims.slides_implicit_bias``): computed statuses,
and the flow integration to t = 1e8 against a closed form."""

import time

import numpy as np
import pytest

from dynsys.claims import REGISTRY, evaluate
from dynsys.claims import slides_implicit_bias as module
from dynsys.integrate import solve_ivp
from dynsys.models.shallow import shallow_classifier

from expectations import assert_covers, assert_status

EXPECTED = {
    "slides.perceptron.update_rule": "refuted",
    "slides.perceptron.bound": "confirmed",
    "slides.soudry.log_growth": "confirmed",
    "slides.soudry.direction": "confirmed",
    "slides.soudry.loss_rate": "confirmed",
    "slides.soudry.step_size": "confirmed",
}
QUICK_SECONDS = 5.0


def test_the_expectations_cover_every_claim_of_the_module():
    assert_covers(module, EXPECTED, "slides", ("slides.perceptron.", "slides.soudry."))


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status(claim_id):
    assert_status(claim_id, EXPECTED[claim_id], seconds=QUICK_SECONDS)


def test_the_refuted_update_rule_carries_a_checked_correction():
    outcome = evaluate(REGISTRY["slides.perceptron.update_rule"], quick=True)
    assert "<= 0" in outcome.claim.correction and "+ eta_t y_i x_i" in outcome.claim.correction
    corrections = [c for c in outcome.checks if c.about == "correction"]
    assert corrections and all(c.holds for c in corrections)
    assert not any(c.holds for c in outcome.checks if c.about == "statement")


@pytest.mark.parametrize("method", ["dop853", "scipy:DOP853"])
def test_flow_to_1e8_matches_the_closed_form_of_one_example(method):
    """One example, exponential loss: dw/dt = x exp(-w.x), so u = w.x obeys u' = |x|^2 e^-u, u(t) = log(e^u0 + |x|^2 t),
    and w moves along x only: w(t) = w0 + x (u(t) - u0) / |x|^2."""
    x = np.array([0.6, -1.3])
    w0 = np.array([-0.5, 0.4])
    flow = shallow_classifier(x[None, :], [1], loss="exponential", tau_value=1.0).compile()
    t = np.geomspace(1e-2, 1e8, 101)
    start = time.perf_counter()
    sol = solve_ivp(flow, (0.0, 1e8), w0, method=method, t_eval=t, args=(flow.params,), rtol=1e-10, atol=1e-12)
    seconds = time.perf_counter() - start
    u0 = w0 @ x
    u = np.log(np.exp(u0) + x @ x * t)
    exact = w0[:, None] + np.outer(x, (u - u0) / (x @ x))
    assert sol.status == 0
    np.testing.assert_allclose(sol.y, exact, rtol=1e-8, atol=1e-9)
    assert seconds < 2.0


def test_asymptote_data_is_the_documented_choice():
    X, y, what = module.data("theorem3")
    a = module.asymptote("theorem3")
    assert a.determined and len(a.support) == 2 and a.second_margin >= 1.5
    assert what.startswith("separable_2d(12")


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_status_full(claim_id):
    outcome = evaluate(REGISTRY[claim_id], quick=False)
    assert outcome.status == EXPECTED[claim_id], outcome.evidence
