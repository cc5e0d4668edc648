"""``dynsys verify``: every registered claim runs clean; a false claim is refuted, a crash is an error."""

import json
import pkgutil

import pytest

from dynsys import claims
from dynsys.claims import REGISTRY, STATUSES, Check, Claim
from dynsys.claims.registry import FRAMEWORK, load, select
from dynsys.claims.report import run, write_reports
from dynsys.cli import main


def verify(capsys, *argv):
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def false_claim(quick):
    yield Check(1 + 1 == 3, "computed 1 + 1 = 2")
    yield Check(1 + 1 == 2, "the correction: 1 + 1 = 2", about="correction")


def crashing_claim(quick):
    raise ZeroDivisionError("deliberate")


@pytest.fixture
def registry(monkeypatch):
    """The real claims plus, for this test only, a false claim and a crashing one (removed afterwards)."""
    load()
    monkeypatch.setitem(REGISTRY, "test.false",
                        Claim("test.false", "theory3", "eq. 0", "1 + 1 = 3", false_claim, "1 + 1 = 2"))
    monkeypatch.setitem(REGISTRY, "test.crash",
                        Claim("test.crash", "theory3", "sec. 0", "a check that crashes", crashing_claim))
    return REGISTRY


def test_every_registered_claim_is_confirmed_or_refuted_in_the_quick_setting():
    load()
    outcomes = run(select(), quick=True, progress=False)
    assert [o.claim.id for o in outcomes if o.status in ("error", "unverified")] == []
    # each claim module registers at least one claim (vacuous until the first one lands)
    modules = {f"{claims.__name__}.{m.name}" for m in pkgutil.iter_modules(claims.__path__) if m.name not in FRAMEWORK}
    assert modules <= {c.run_checks.__module__ for c in REGISTRY.values()}


def test_a_false_claim_is_refuted_with_its_correction_and_exit_0(registry, capsys, tmp_path):
    code, out, err = verify(capsys, "--claim", "test.false", "--out", str(tmp_path), "--json")
    assert code == 0, err
    (row,) = json.loads(out)["claims"]
    assert row["status"] == "refuted" and row["correction"] == "1 + 1 = 2"
    assert "computed 1 + 1 = 2" in row["evidence"]
    report = (tmp_path / "verify.md").read_text()
    assert "**REFUTED**" in report and "1 + 1 = 2" in report


def test_a_crashing_check_is_an_error_the_run_goes_on_exit_1(registry, capsys, tmp_path):
    code, out, err = verify(capsys, "--paper", "theory3", "--quick", "--out", str(tmp_path))
    assert code == 1
    assert "ERROR      test.crash" in out and "ZeroDivisionError: deliberate" in out
    assert "REFUTED    test.false" in out  # the claim after the crash still ran
    assert f"wrote {tmp_path / 'verify.json'}" in out
    assert "test.crash" in err  # the progress bar names the claim


def test_json_document_shape_and_summary_from_statuses(registry, capsys, tmp_path):
    code, out, _ = verify(capsys, "--paper", "theory3", "--quick", "--out", str(tmp_path), "--json")
    document = json.loads(out)
    assert code == 1 and set(document) == {"claims", "summary"}
    assert [row["id"] for row in document["claims"]] == [c.id for c in select("theory3")]
    fields = {"id", "paper", "where", "statement", "status", "evidence", "correction"}
    assert all(set(row) == fields and row["status"] in STATUSES for row in document["claims"])
    assert document["summary"] == {s: sum(r["status"] == s for r in document["claims"]) for s in STATUSES}
    assert document["summary"]["refuted"] >= 1 and document["summary"]["error"] == 1
    assert json.loads((tmp_path / "verify.json").read_text()) == document


def test_reports_are_written_grouped_by_paper(registry, tmp_path):
    outcomes = run(select("theory3"), quick=True, progress=False)
    json_path, md_path = write_reports(outcomes, str(tmp_path))
    assert len(json.loads(open(json_path).read())["claims"]) == len(outcomes)
    report = open(md_path).read()
    assert report.startswith("# dynsys verify") and "## theory3" in report
    assert "| sec. 0 | `test.crash` | a check that crashes | error |" in report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["verify.json", "verify.md"]  # no temporaries left


@pytest.mark.parametrize("argv, message", [
    (["--paper", "nope"], "unknown paper 'nope'; papers: minnorm, theory3, slides"),
    (["--claim", "nope"], "unknown claim 'nope'; claims: "),
    (["--paper", "minnorm", "--claim", "test.false"], "belongs to paper 'theory3'"),
    (["--out", "/nonexistent-dir/verify"], "cannot create output directory"),
])
def test_bad_arguments_are_one_line_and_exit_2(registry, capsys, argv, message):
    code, out, err = verify(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_out_that_is_a_file_is_exit_2(registry, capsys, tmp_path):
    (tmp_path / "file").write_text("")
    code, _, err = verify(capsys, "--out", str(tmp_path / "file"))
    assert code == 2 and "cannot create output directory" in err
