"""Finding the claims: import every claim module of the package, then select by paper or id."""

import importlib
import pkgutil

from .core import PAPERS, REGISTRY

FRAMEWORK = ("core", "registry", "report")


def load():
    """Import every claim module of ``dynsys.claims`` (each registers its claims on import)."""
    from dynsys import claims

    for module in pkgutil.iter_modules(claims.__path__):
        if module.name not in FRAMEWORK:
            importlib.import_module(f"{claims.__name__}.{module.name}")


def select(paper=None, claim_id=None):
    """The registered claims, by paper in the order of ``PAPERS``, narrowed to ``paper`` and ``claim_id``.

    An unknown paper or claim id raises ``ValueError`` naming the known ones.
    """
    if paper is not None and paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; papers: {', '.join(PAPERS)}")
    if claim_id is not None and claim_id not in REGISTRY:
        raise ValueError(f"unknown claim {claim_id!r}; claims: {', '.join(REGISTRY) or '(none registered)'}")
    if claim_id is not None and paper is not None and REGISTRY[claim_id].paper != paper:
        raise ValueError(f"claim {claim_id!r} belongs to paper {REGISTRY[claim_id].paper!r}, not {paper!r}")
    chosen = [c for c in REGISTRY.values()
              if (paper is None or c.paper == paper) and (claim_id is None or c.id == claim_id)]
    return sorted(chosen, key=lambda c: PAPERS.index(c.paper))
