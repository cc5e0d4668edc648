"""``dynsys reproduce``: every figure, every claim, and one self-contained page that a browser renders."""

import contextlib
import io
import json
import os
import re
import shutil
import subprocess

import pytest

from dynsys import figures, reproduce
from dynsys.claims.core import PAPERS, REGISTRY, Claim, Outcome
from dynsys.claims.registry import load
from dynsys.cli import main

QUICK_SECONDS = 240.0  # "well under 5 minutes on 2 cores"; about 12 s today


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``dynsys reproduce --quick --out DIR --json``, once for the module: (out dir, status, JSON document)."""
    out = tmp_path_factory.mktemp("reproduce") / "out"  # missing: reproduce creates it
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["reproduce", "--quick", "--out", str(out), "--json"])
    return out, status, json.loads(buffer.getvalue())


def registered_claims():
    load()
    return set(REGISTRY)


def test_json_document_and_every_figure_as_png_and_pdf(run):
    out, status, doc = run
    assert status == 0
    assert set(doc) >= {"out", "figures", "summary", "seconds"}
    assert doc["out"] == str(out)
    assert doc["seconds"] < QUICK_SECONDS
    assert [f["name"] for f in doc["figures"]] == figures.names()
    for row in doc["figures"]:
        assert row["seconds"] > 0
        assert sorted(os.path.splitext(f)[1] for f in row["files"]) == [".pdf", ".png"]
        for ext in ("png", "pdf"):
            path = out / f"{row['name']}.{ext}"
            assert path.stat().st_size > 1000
    assert sum(doc["summary"].values()) == len(registered_claims())
    assert not [p for p in os.listdir(out) if p.startswith(".tmp-")]  # every write was atomic


def test_verify_json_has_one_row_per_registered_claim(run):
    out, _, doc = run
    verify = json.loads((out / "verify.json").read_text())
    ids = [c["id"] for c in verify["claims"]]
    assert ids and len(ids) == len(set(ids))
    assert set(ids) == registered_claims()
    assert verify["summary"] == doc["summary"]
    assert (out / "verify.md").read_text().startswith("# dynsys verify")


def test_report_md_has_captions_claims_and_timings(run):
    out, _, doc = run
    text = (out / "report.md").read_text()
    for name, module in figures.FIGURES.items():
        assert f"### {name}" in text and f"![{name}]({name}.png)" in text
        assert reproduce.figure_caption(module, quick=True) in text
    for claim_id in registered_claims():
        assert f"`{claim_id}`" in text
    assert "## Timings" in text and "**total**" in text


def test_index_html_is_self_contained_with_every_figure_and_claim(run):
    out, _, doc = run
    text = (out / "index.html").read_text()
    assert len(re.findall(r'<img src="data:image/png;base64,', text)) == len(figures.FIGURES)
    assert not re.search(r'(?:src|href)="(?!data:)', text)  # nothing to fetch: the page works when moved
    assert "http://" not in text and "https://" not in text
    rows = re.findall(r'<tr class="claim (\w+)" data-status="(\w+)"', text)
    assert len(rows) == len(registered_claims())
    statuses = [s for s, _ in rows]
    refuted = doc["summary"]["refuted"]
    assert statuses.count("refuted") == refuted
    sections = re.findall(r'<section class="paper" id="(\w+)">(.*?)</section>', text, flags=re.S)
    papers = {REGISTRY[c].paper for c in registered_claims()}
    assert [paper for paper, _ in sections] == [p for p in PAPERS if p in papers]
    for _, section in sections:  # each paper's refuted claims listed first
        shown = re.findall(r'<tr class="claim (\w+)"', section)
        assert shown == sorted(shown, key=lambda s: s != "refuted")
    assert f"{refuted} refuted" in text  # and counted at the top
    for name, module in figures.FIGURES.items():
        assert module.PAPER in PAPERS
        caption = reproduce.figure_caption(module, quick=True)
        assert len(caption) > 80
        assert reproduce.html.escape(caption) in text
    assert '<button class="active" data-status="all">' in text  # the status filter


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="no chromium binary on PATH (Debian: apt-get install chromium)")
def test_index_html_renders_in_headless_chromium(run, tmp_path):
    out, _, _ = run
    common = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=5000"]
    url = (out / "index.html").resolve().as_uri()
    dom = subprocess.run(common + [f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:500]
    data = dict(re.findall(r'data-([\w-]+)="([^"]*)"', body.group(1)))
    assert data.get("checked") == "yes", data  # the page's script ran after every image settled
    assert int(data["images"]) == len(figures.FIGURES)
    assert int(data["images-loaded"]) == len(figures.FIGURES)  # every image decoded: naturalWidth > 0
    assert int(data["claim-rows"]) == len(registered_claims())
    shot = out / "screenshot.png"
    subprocess.run(common + [f"--user-data-dir={tmp_path / 'profile-shot'}", "--hide-scrollbars",
                             f"--screenshot={shot}", "--window-size=1400,2000", url],
                   capture_output=True, timeout=120)
    with open(shot, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # not a blank page


def test_human_output_ends_with_the_index_path(run, capsys):
    out, _, doc = run
    result = reproduce.Reproduction(out=str(out), quick=True, seconds=1.0,
                                    reports=[str(out / n) for n in reproduce.REPORTS])
    reproduce.print_human(result)
    assert capsys.readouterr().out.rstrip("\n").splitlines()[-1] == str(out / "index.html")


@pytest.mark.parametrize("where", ["missing-parent/out", "a-file"])
def test_bad_output_path_is_a_one_line_error(tmp_path, capsys, where):
    (tmp_path / "a-file").write_text("not a directory")
    assert main(["reproduce", "--quick", "--out", str(tmp_path / where)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("dynsys: error: ") and captured.err.count("\n") == 1


def test_exit_status_is_1_when_a_claim_errored(monkeypatch, tmp_path, capsys):
    claim = Claim("x.broken", "minnorm", "eq. 0", "broken", run_checks=None)
    fake = reproduce.Reproduction(out=str(tmp_path), quick=True,
                                  outcomes=[Outcome(claim, "error", error="RuntimeError: boom")],
                                  reports=[str(tmp_path / n) for n in reproduce.REPORTS])
    monkeypatch.setattr(reproduce, "reproduce", lambda out, quick=False: fake)
    assert main(["reproduce", "--out", str(tmp_path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["error"] == 1
    assert main(["reproduce", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == str(tmp_path / "index.html")
