"""The registry of models: ``get(ID)`` builds a model once and caches it.

Each model is built by the function of its id in its family's module; the
function's docstring is the model's description.
"""

import functools
import inspect
from dataclasses import dataclass

from dynsys.symbolic import ModelError

from . import chain, classic, shallow, theory3, theory3_deep, theory3_rates


@dataclass(frozen=True)
class Entry:
    """A registered model: ``id``, ``family`` (its module), first line of its description."""

    id: str
    family: str
    description: str
    build: object


def _entries(module, *builders):
    family = module.__name__.rsplit(".", 1)[1]
    return {b.__name__: Entry(b.__name__, family, inspect.getdoc(b).splitlines()[0], b) for b in builders}


REGISTRY = {
    **_entries(chain, chain.chain_gd, chain.chain_l2, chain.chain_minnorm, chain.chain_minnorm_balanced),
    **_entries(shallow, shallow.shallow_bce, shallow.shallow_bce_reduced, shallow.shallow_exponential, shallow.shallow_minnorm,
               shallow.shallow_minnorm_reduced),
    **_entries(theory3, theory3.theory3_linear_gd, theory3.theory3_linear_rho_v, theory3.theory3_weight_norm,
               theory3.theory3_lagrange),
    **_entries(theory3_deep, theory3_deep.theory3_deep_layers, theory3_deep.theory3_deep_balanced,
               theory3_deep.theory3_deep_tied, theory3_deep.theory3_deep_eq62),
    **_entries(theory3_rates, theory3_rates.theory3_single_gd, theory3_rates.theory3_single_weight_norm),
    **_entries(
        classic, classic.harmonic, classic.lotka_volterra, classic.van_der_pol, classic.arenstorf, classic.robertson
    ),
}


def list_models():
    """The registered models, in registry order."""
    return list(REGISTRY.values())


def get(id, **param_overrides):
    """The model ``id``; ``param_overrides`` (by parameter name) change its defaults."""
    model = _build(id)
    return model.with_defaults(**param_overrides) if param_overrides else model


@functools.cache
def _build(id):
    if id not in REGISTRY:
        raise ModelError(f"unknown model '{id}'; known: {', '.join(REGISTRY)}")
    return REGISTRY[id].build()
