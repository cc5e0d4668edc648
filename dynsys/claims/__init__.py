"""Every checkable statement of the seeds as a claim whose status is computed (``dynsys verify``)."""

from .core import PAPERS, REGISTRY, STATUSES, Check, Claim, Outcome, claim, evaluate

__all__ = ["PAPERS", "REGISTRY", "STATUSES", "Check", "Claim", "Outcome", "claim", "evaluate"]
