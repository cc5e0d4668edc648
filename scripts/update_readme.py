"""Rerun every ``$ dynsys ...`` command shown in README.md and put its real output under it; regenerate
the README's figures (``docs/images/*.png``) and its claims summary line from the library.

    python scripts/update_readme.py

tests/test_readme.py checks that the README shows what the commands print and what verify computes.
"""

import contextlib
import io
import pathlib
import re
import shlex
import shutil
import tempfile

from dynsys.cli import main
from dynsys.io import atomic_open

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
IMAGES = ROOT / "docs" / "images"
README_FIGURES = ("chain_phase_portrait", "minnorm_fig3", "minnorm_fig6")  # fig. 6: the full MNIST study, ~17 min
SUMMARY = re.compile(r"(<!-- claims-summary:[^\n]*-->\n).*?(\n<!-- /claims-summary -->)", flags=re.S)


def run(command):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(shlex.split(command)[1:])
    if status != 0:
        raise SystemExit(f"{command!r} exited with status {status}")
    return buffer.getvalue().rstrip("\n")


def refresh(block):
    sessions = re.split(r"\n(?=\$ dynsys)", block.strip("\n"))
    return "\n\n".join(f"{s.splitlines()[0]}\n{run(s.splitlines()[0][2:])}" for s in sessions) + "\n"


def figures():
    """Make the README's figures (full settings) and copy their PNGs into docs/images, atomically."""
    from dynsys.figures import make

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in README_FIGURES:
            png = next(f for f in make(name, scratch) if f.endswith(".png"))
            with open(png, "rb") as source, atomic_open(str(IMAGES / f"{name}.png")) as target:
                shutil.copyfileobj(source, target)
            (IMAGES / f"{name}.png").chmod(0o644)  # mkstemp makes 0600


def claims_summary(quick=False):
    """The summary line of the whole verify, computed now."""
    from dynsys.claims.registry import load, select
    from dynsys.claims.report import run as run_claims
    from dynsys.claims.report import summary
    from dynsys.reproduce import summary_line

    load()
    outcomes = run_claims(select(), quick=quick, progress=False)
    return f"Claims checked by `dynsys verify`: {summary_line(summary(outcomes))} (of {len(outcomes)})."


def update():
    text = README.read_text()
    updated = re.sub(r"^```\n(\$ dynsys.*?)^```$", lambda m: "```\n" + refresh(m.group(1)) + "```",
                     text, flags=re.S | re.M)
    figures()
    line = claims_summary(quick=True)
    updated, count = SUMMARY.subn(lambda m: m.group(1) + line + m.group(2), updated)
    if count != 1:
        raise SystemExit("README.md has no <!-- claims-summary: ... --> block")
    with atomic_open(str(README), "w") as handle:
        handle.write(updated)


if __name__ == "__main__":
    update()
