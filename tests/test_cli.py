"""The command-line contract of DESIGN.md: JSON documents, bad input -> one line, exit 2."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from dynsys.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_models_lists_every_registered_model(capsys):
    from dynsys.models import list_models

    rows = run_json(capsys, "models")
    assert [r["id"] for r in rows] == [e.id for e in list_models()]
    chain = next(r for r in rows if r["id"] == "chain_minnorm_balanced")
    assert chain["state"] == ["wbar", "alpha"]
    assert {"rho", "r", "tau", "x", "y"} <= set(chain["params"])


def test_derive_gives_the_minnorm_fixed_point_and_conditions(capsys):
    document = run_json(capsys, "derive", "chain_minnorm_balanced")
    assert set(document["rhs"]) == {"wbar", "alpha"}
    (point,) = document["fixed_points"]
    assert point["point"] == {"wbar": r"\frac{y}{x}", "alpha": r"\frac{1}{x}"}
    assert len(document["eigenvalues"]) == 2
    assert {"stable", "oscillatory"} <= set(document["conditions"])
    assert all(proof["holds"] for proof in document["proofs"]) and len(document["proofs"]) >= 2


def test_stability_classifies_and_confirms_the_spiral(capsys):
    document = run_json(capsys, "stability", "chain_minnorm_balanced", "--param", "rho=0.3", "--param", "r=2")
    (point,) = document["fixed_points"]
    assert point["point"] == pytest.approx({"wbar": 1.0, "alpha": 1.0})
    # Minnorm eq. 18 at tau = 1: (-rho +- sqrt(rho^2 - 2 r)).
    expected = np.roots([1.0, 2 * 0.3, 2 * 2.0])
    got = sorted((complex(re, im) for re, im in point["eigenvalues"]), key=lambda z: z.imag)
    assert np.allclose(got, sorted(expected, key=lambda z: z.imag))
    assert point["class"] == "stable spiral"
    assert point["confirmed_by_simulation"] is True


@pytest.mark.parametrize("rho, r, expected", [(3.0, 1.0, "stable node"), (0.0, 2.0, "centre")])
def test_stability_other_classes_confirmed(capsys, rho, r, expected):
    document = run_json(capsys, "stability", "chain_minnorm_balanced", "--param", f"rho={rho}", "--param", f"r={r}")
    (point,) = document["fixed_points"]
    assert point["class"] == expected
    assert point["confirmed_by_simulation"] is True


def test_stability_saddle_of_van_der_pol_is_unstable(capsys):
    document = run_json(capsys, "stability", "van_der_pol", "--param", "mu=1")
    (point,) = document["fixed_points"]
    assert point["class"] == "unstable spiral"
    assert point["confirmed_by_simulation"] is True


def test_simulate_writes_npz_matching_the_closed_form(capsys, tmp_path):
    out = tmp_path / "harmonic.npz"
    document = run_json(capsys, "simulate", "harmonic", "--param", "omega=2", "--y0", "x=1", "--y0", "v=0",
                        "--t1", "3", "--rtol", "1e-10", "--atol", "1e-12", "--t-eval", "lin:31",
                        "--out", str(out))
    assert document["status"] == 0 and document["out"] == str(out)
    assert document["y_final"]["x"] == pytest.approx(np.cos(6.0), abs=1e-8)
    data = np.load(out)
    assert list(data["state"]) == ["x", "v"]
    assert data["y"].shape == (2, 31)
    assert np.allclose(data["y"][0], np.cos(2 * data["t"]), atol=1e-8)


def test_simulate_failure_is_a_status_not_an_error(capsys):
    """A solve that fails is reported in the JSON status and message, with exit status 0."""
    document = run_json(capsys, "simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1000",
                        "--max-steps", "10")
    assert document["status"] < 0
    assert "max_steps" in document["message"]


BAD = [
    (["stability", "no_such_model"], "unknown model"),
    (["stability", "chain_minnorm_balanced", "--param", "nope=1"], "unknown parameter"),
    (["stability", "chain_minnorm_balanced", "--param", "rho"], "NAME=VALUE"),
    (["stability", "chain_minnorm_balanced", "--param", "rho=abc"], "not a number"),
    (["stability", "chain_minnorm_balanced", "--param", "rho=nan"], "not finite"),
    (["stability", "chain_minnorm_balanced", "--param", "rho=inf"], "not finite"),
    (["stability", "chain_minnorm_balanced", "--param", "tau=0"], "positive"),
    (["stability", "chain_minnorm_balanced", "--param", "tau=-1"], "positive"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1", "--rtol", "0"], "must be > 0"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1", "--atol", "-1"], "must be > 0"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "0"], "t1 must be greater"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t0", "2", "--t1", "1"], "t1 must be greater"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1", "--method", "euler"], "unknown method"),
    (["simulate", "harmonic", "--y0", "x=1", "--t1", "1"], "missing initial value"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--y0", "q=0", "--t1", "1"], "unknown state"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1", "--out", "/no/such/dir/f.npz"],
     "does not exist"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1", "--out", "/proc/f.npz"], "not writable"),
    (["simulate", "harmonic", "--y0", "x=1", "--y0", "v=0", "--t1", "1", "--t-eval", "geo:3"], "--t-eval"),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err, err


def test_console_script_exit_status_and_no_traceback(tmp_path):
    """The installed command itself: status 2, one line, no traceback."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "dynsys.cli", "stability", "nope"], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_first_use_says_it_is_compiling_and_the_second_process_loads_from_disk(tmp_path):
    """A cold kernel compilation is announced on stderr; a second process loads it silently."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "DYNSYS_CACHE_DIR": str(tmp_path / "dynsys")}
    command = [sys.executable, "-m", "dynsys.cli", "simulate", "harmonic", "--y0", "x=1", "--y0", "v=0",
               "--t1", "1", "--method", "rk4", "--json"]
    first = subprocess.run(command, capture_output=True, text=True, env=env)
    second = subprocess.run(command, capture_output=True, text=True, env=env)
    assert first.returncode == second.returncode == 0
    assert "compiling _explicit_rk" in first.stderr
    assert "compiling" not in second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_stability_without_fixed_points(capsys):
    """At x = 0 the multiplier flow is r y / tau != 0 everywhere: there is no fixed point."""
    document = run_json(capsys, "stability", "chain_minnorm_balanced", "--param", "x=0")
    assert document["fixed_points"] == []
    code, out, _ = run(capsys, "stability", "chain_minnorm_balanced", "--param", "x=0")
    assert code == 0 and "no fixed points" in out


def test_simulate_progress_bar_on_stderr_same_result(capsys):
    argv = ["simulate", "lotka_volterra", "--y0", "prey=1", "--y0", "predator=1", "--t1", "200",
            "--t-eval", "lin:50", "--rtol", "1e-9", "--json"]
    plain = run_json(capsys, *argv[:-1])
    code, out, err = run(capsys, *argv, "--progress")
    assert code == 0 and "100%" in err
    with_bar = json.loads(out)
    assert with_bar["y_final"] == pytest.approx(plain["y_final"], rel=1e-6)


def test_figures_command_writes_png_and_pdf(capsys, tmp_path):
    out = tmp_path / "figs"
    document = run_json(capsys, "figures", "chain_stability_map", "--quick", "--out", str(out))
    (row,) = document["figures"]
    assert row["name"] == "chain_stability_map" and row["seconds"] > 0
    assert sorted(os.path.splitext(f)[1] for f in row["files"]) == [".pdf", ".png"]
    assert all(os.path.getsize(f) > 1000 for f in row["files"])


@pytest.mark.parametrize("argv, message", [
    (["figures", "no_such_figure"], "unknown figure"),
    (["figures", "--out", "/no/such/parent/dir"], "cannot create output directory"),
])
def test_figures_bad_input(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_phase_takes_a_model_file(capsys, tmp_path):
    """--model-file reaches every model command, phase included (docs/models/pendulum.toml)."""
    path = os.path.join(os.path.dirname(__file__), "..", "docs", "models", "pendulum.toml")
    document = run_json(capsys, "phase", "--model-file", path, "--out", str(tmp_path / "p.png"))
    classes = {round(p["point"]["theta"] / np.pi): p["class"] for p in document["fixed_points"]}
    assert document["id"] == "pendulum" and classes[0] == "stable spiral"  # damped: b = 0.5 < 2 sqrt(g/L)
    assert os.path.getsize(tmp_path / "p.png") > 1000


def test_box_sets_where_fixed_points_are_searched(capsys, tmp_path):
    """The damped pendulum (no closed form): in [-4, 4] exactly theta = -pi, 0, pi, saddles around a spiral."""
    path = os.path.join(os.path.dirname(__file__), "..", "docs", "models", "pendulum.toml")
    for argv in (["stability", "--model-file", path, "--box=-4:4"],
                 ["phase", "--model-file", path, "--box=-4:4", "--out", str(tmp_path / "p.png")]):
        document = run_json(capsys, *argv)
        thetas = sorted(p["point"]["theta"] for p in document["fixed_points"])
        assert np.allclose(thetas, [-np.pi, 0.0, np.pi], atol=1e-8)
        classes = [p["class"] for p in sorted(document["fixed_points"], key=lambda p: p["point"]["theta"])]
        assert classes == ["saddle", "stable spiral", "saddle"]
    code, out, err = run(capsys, "stability", "chain_gd", "--box", "3:1", "--json")
    assert code == 2 and "LO must be below HI" in err
