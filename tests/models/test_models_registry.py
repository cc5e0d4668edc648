"""The model registry."""

import numpy as np
import pytest
import sympy

import dynsys.models as models
from dynsys.symbolic import Model, ModelError

CHAIN = ["chain_gd", "chain_l2", "chain_minnorm", "chain_minnorm_balanced"]
SHALLOW = ["shallow_bce", "shallow_bce_reduced", "shallow_exponential", "shallow_minnorm", "shallow_minnorm_reduced"]
THEORY3 = ["theory3_linear_gd", "theory3_linear_rho_v", "theory3_weight_norm", "theory3_lagrange"]
THEORY3_DEEP = ["theory3_deep_layers", "theory3_deep_balanced", "theory3_deep_tied", "theory3_deep_eq62"]
THEORY3_RATES = ["theory3_single_gd", "theory3_single_weight_norm"]
IDS = CHAIN + SHALLOW + THEORY3 + THEORY3_DEEP + THEORY3_RATES + ["harmonic", "lotka_volterra", "van_der_pol", "arenstorf", "robertson"]


def test_registry_lists_every_model_with_family_and_description():
    entries = models.list_models()
    assert [e.id for e in entries] == IDS
    assert {e.family for e in entries} == {"chain", "classic", "shallow", "theory3", "theory3_deep", "theory3_rates"}
    assert all(e.description and "\n" not in e.description for e in entries)
    assert set(models.REGISTRY) == set(IDS)


@pytest.mark.parametrize("model_id", IDS)
def test_get_builds_and_caches(model_id):
    model = models.get(model_id)
    assert isinstance(model, Model) and model.id == model_id
    assert models.get(model_id) is model
    assert model.description and model.equations
    assert set(model.defaults) == {p.name for p in model.params}


def test_get_with_overrides_changes_defaults_only():
    model = models.get("chain_minnorm", rho=0.0, r=5)
    assert model.defaults["rho"] == 0.0 and model.defaults["r"] == 5.0
    assert models.get("chain_minnorm").defaults["rho"] == 0.3


def test_unknown_model():
    with pytest.raises(ModelError, match="unknown model 'foo'; known: chain_gd, chain_l2"):
        models.get("foo")


def test_unknown_or_invalid_override():
    with pytest.raises(ModelError, match="unknown parameter 'foo' for model 'chain_l2'; parameters: x, y, tau, gamma"):
        models.get("chain_l2", foo=1)
    with pytest.raises(ModelError, match="'r' of model 'chain_minnorm' must be positive"):
        models.get("chain_minnorm", r=0)


@pytest.mark.parametrize("model_id", ["chain_minnorm_balanced", "arenstorf"])
def test_compiled_flow_agrees_with_the_symbolic_rhs(model_id):
    model = models.get(model_id)
    flow = model.compile()
    assert flow.state_names == tuple(s.name for s in model.state)
    assert flow.param_names == tuple(p.name for p in model.params)
    assert list(flow.params) == [model.defaults[p.name] for p in model.params]
    f = sympy.lambdify([model.state, model.params], list(model.rhs), "numpy")
    J = sympy.lambdify([model.state, model.params], model.jacobian(), "numpy")
    rng = np.random.default_rng(3)
    for _ in range(5):
        z = rng.uniform(0.2, 1.5, size=len(model.state))
        out, jac = np.zeros(len(z)), np.zeros((len(z), len(z)))
        flow.rhs(0.0, z, flow.params, out)
        flow.jac(0.0, z, flow.params, jac)
        assert np.allclose(out, f(z, flow.params)) and np.allclose(jac, J(z, flow.params))
