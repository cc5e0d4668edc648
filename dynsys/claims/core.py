"""Claims: checkable statements of the seeds, each with checks that compute its status.

A claim is registered by decorating a function of ``quick`` (bool: a cheaper
setting for tests) that returns or yields ``Check`` objects::

    @claim("minnorm.chain.eq18", paper="minnorm", where="eq. 18, 52",
           statement="The eigenvalues at (1, 1) are (-2 rho ± sqrt(4 rho^2 - 8 r)) / (2 tau).")
    def _(quick):
        yield Check(holds=..., evidence="symbolic residual 0")

Status is computed, never written: ``error`` when a check raises (or a check
of the correction fails), else ``refuted`` when a check of the statement
fails, ``confirmed`` when all of them hold, ``unverified`` when there are
none. A refuted claim carries its ``correction``, which is trusted only
through checks with ``about="correction"``.
"""

from dataclasses import dataclass, field

PAPERS = ("minnorm", "theory3", "slides")
STATUSES = ("confirmed", "refuted", "unverified", "error")


@dataclass(frozen=True)
class Check:
    """What one check computed (``evidence``, in words with the numbers) and whether it holds."""

    holds: bool
    evidence: str
    about: str = "statement"

    def __post_init__(self):
        if self.about not in ("statement", "correction"):
            raise ValueError(f"Check.about must be 'statement' or 'correction', got {self.about!r}")
        object.__setattr__(self, "holds", bool(self.holds))


@dataclass(frozen=True)
class Claim:
    """A checkable statement of a seed (DESIGN.md's claim fields) and the function that checks it."""

    id: str
    paper: str
    where: str
    statement: str
    run_checks: object
    correction: str = ""


@dataclass
class Outcome:
    """A claim after its checks ran: the status and what supports it."""

    claim: Claim
    status: str
    checks: list = field(default_factory=list)
    error: str = ""

    @property
    def evidence(self):
        parts = [c.evidence for c in self.checks]
        return "; ".join(parts + ([self.error] if self.error else []))

    def as_json(self):
        c = self.claim
        return {"id": c.id, "paper": c.paper, "where": c.where, "statement": c.statement,
                "status": self.status, "evidence": self.evidence,
                "correction": c.correction if self.status == "refuted" else ""}


REGISTRY = {}


def claim(id, *, paper, where, statement, correction=""):
    """Register the decorated check function as the claim ``id``."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; papers: {', '.join(PAPERS)}")

    def register(function):
        if id in REGISTRY:
            raise ValueError(f"claim {id!r} registered twice")
        REGISTRY[id] = Claim(id, paper, where, statement, function, correction)
        return function

    return register


def evaluate(claim, quick=False):
    """Run ``claim``'s checks and compute its status; a crashing check gives status ``error``."""
    try:
        result = claim.run_checks(quick)
        checks = [result] if isinstance(result, Check) else list(result or ())
    except Exception as exc:  # a crash is reported as the claim's status, the run goes on
        return Outcome(claim, "error", [], f"check crashed: {type(exc).__name__}: {exc}")
    statement = [c for c in checks if c.about == "statement"]
    correction = [c for c in checks if c.about == "correction"]
    if not all(c.holds for c in correction):
        return Outcome(claim, "error", checks, "a check of the correction failed")
    if not statement:
        return Outcome(claim, "unverified", checks)
    return Outcome(claim, "confirmed" if all(c.holds for c in statement) else "refuted", checks)
