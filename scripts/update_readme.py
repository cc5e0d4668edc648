"""Rerun every ``$ dynsys ...`` command shown in README.md and put its real output under it.

    python scripts/update_readme.py

tests/test_readme.py checks that the README shows what the commands print.
"""

import contextlib
import io
import pathlib
import re
import shlex

from dynsys.cli import main
from dynsys.io import atomic_open

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


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


def update():
    text = README.read_text()
    updated = re.sub(r"^```\n(\$ dynsys.*?)^```$", lambda m: "```\n" + refresh(m.group(1)) + "```",
                     text, flags=re.S | re.M)
    with atomic_open(str(README), "w") as handle:
        handle.write(updated)


if __name__ == "__main__":
    update()
