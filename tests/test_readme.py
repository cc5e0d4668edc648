"""The README's promises: two set-up commands first, CI runs the second, the tour's output is real."""

import pathlib
import re
import shlex
import subprocess

import pytest

from dynsys.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
NUMBER = re.compile(r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?")


def code_blocks():
    return re.findall(r"^```(\w*)\n(.*?)^```$", README, flags=re.S | re.M)


def test_readme_starts_with_the_two_setup_commands():
    body = README.split("\n", 1)[1].lstrip()
    blocks = code_blocks()
    assert body.startswith("```bash\n")
    (language1, install_and_run), (language2, install_and_test) = blocks[:2]
    assert language1 == language2 == "bash"
    assert install_and_run.count("\n") == install_and_test.count("\n") == 1
    assert "pip install -e ." in install_and_run and "dynsys " in install_and_run
    assert "pip install -e '.[test]'" in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_second_command_verbatim():
    script = (ROOT / ".ci" / "run").read_text()
    extract = next(line for line in script.splitlines() if line.startswith("command="))[len("command=$("):-1]
    found = subprocess.run(["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert found == code_blocks()[1][1].strip()


def _rounded(text):
    """The text with every number rounded to 2 significant digits (tolerates last-digit noise)."""
    return NUMBER.sub(lambda m: f"{float(m.group()):.2g}", text)


TOUR = [block for language, block in code_blocks() if language == "" and block.startswith("$ dynsys")]


@pytest.mark.parametrize("block", TOUR, ids=[b.splitlines()[0] for b in TOUR])
def test_tour_output_is_what_the_command_prints(capsys, block):
    for session in re.split(r"\n(?=\$ dynsys)", block.strip()):
        command, _, expected = session.partition("\n")
        assert main(shlex.split(command)[2:]) == 0
        printed = capsys.readouterr().out
        assert _rounded(printed.strip()) == _rounded(expected.strip())


def test_readme_images_are_committed_pngs_of_registered_figures():
    from dynsys.figures import FIGURES

    images = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)", README)
    assert len(images) >= 2
    for image in images:
        assert pathlib.Path(image).stem in FIGURES
        with open(ROOT / image, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_readme_claims_summary_is_what_verify_computes():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from update_readme import SUMMARY, claims_summary
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    shown = SUMMARY.search(README)
    assert shown, "README.md lost its claims-summary block"
    # the README is written with the full checks; quick ones must reach the same verdicts
    assert claims_summary(quick=True) in shown.group(0)


def test_python_example_runs():
    """The README's Python block runs as written (its own assert included) and ends near the fixed point."""
    (source,) = [block for language, block in code_blocks() if language == "python"]
    namespace = {}
    exec(compile(source, "README.md", "exec"), namespace)
    assert abs(namespace["ours"].y[:, -1] - 1.0).max() < 1e-5
