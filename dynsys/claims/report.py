"""Running the claims and writing ``verify.json`` and ``verify.md`` (``dynsys verify``)."""

import json
import os

from dynsys.io import atomic_open

from .core import PAPERS, STATUSES, evaluate

REPORTS = ("verify.json", "verify.md")


def run(claims, quick=False, progress=True):
    """Evaluate each claim in turn, with a tqdm bar on stderr whose description is the claim id."""
    from tqdm.auto import tqdm

    outcomes = []
    with tqdm(claims, unit="claim", disable=not progress) as bar:
        for claim in bar:
            bar.set_description(claim.id)
            outcomes.append(evaluate(claim, quick=quick))
    return outcomes


def summary(outcomes):
    """How many outcomes have each status."""
    return {status: sum(o.status == status for o in outcomes) for status in STATUSES}


def document(outcomes):
    """The ``verify.json`` document: every claim's fields and the summary."""
    return {"claims": [o.as_json() for o in outcomes], "summary": summary(outcomes)}


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


def markdown(outcomes):
    """The ``verify.md`` report: the summary, then a table per paper; refuted claims in bold."""
    counts = summary(outcomes)
    lines = ["# dynsys verify", "", ", ".join(f"{n} {status}" for status, n in counts.items()), ""]
    for paper in PAPERS:
        rows = [o.as_json() for o in outcomes if o.claim.paper == paper]
        if not rows:
            continue
        lines += [f"## {paper}", "", "| where | id | statement | status | evidence | correction |",
                  "|---|---|---|---|---|---|"]
        for row in rows:
            status = "**REFUTED**" if row["status"] == "refuted" else row["status"]
            lines.append("| " + " | ".join([_cell(row["where"]), f"`{row['id']}`", _cell(row["statement"]), status,
                                             _cell(row["evidence"]), _cell(row["correction"])]) + " |")
        lines.append("")
    return "\n".join(lines)


def write_reports(outcomes, out_dir):
    """Write ``verify.json`` and ``verify.md`` into ``out_dir``, each atomically; return their paths."""
    json_path, md_path = (os.path.join(out_dir, name) for name in REPORTS)
    with atomic_open(json_path) as handle:
        handle.write((json.dumps(document(outcomes), indent=2) + "\n").encode())
    with atomic_open(md_path) as handle:
        handle.write(markdown(outcomes).encode())
    return json_path, md_path
