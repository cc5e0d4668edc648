"""``dynsys sweep``: bad input is one line and exit 2; summaries, JSON, spec files, progress, interrupt and resume."""

import importlib.util
import json
import os
import socket
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import sweep_points  # noqa: E402

from dynsys.cli import main  # noqa: E402
from dynsys.sweep import executors, load, read  # noqa: E402

EXAMPLE = os.path.join(HERE, os.pardir, os.pardir, "docs", "sweeps", "example.toml")
QUADRATIC = ["sweep", "callable", "sweep_points:quadratic", "--no-progress"]


def _one_line_error(capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dynsys: error: "), err
    assert expected in err, err
    return err


def _json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _seeds(count, root_seed=0):
    """The seeds of ``count`` replicates, from SeedSequence directly."""
    return [int(np.random.SeedSequence(root_seed, spawn_key=(s,)).generate_state(1, np.uint32)[0])
            for s in range(count)]


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("argv, expected", [
    ([*QUADRATIC, "--grid", "x=0:1"], "grid axis 'x'"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--grid", "x=1,2"], "repeat a name"),
    ([*QUADRATIC, "--grid", "x=log:0:1:3"], "positive ends"),
    ([*QUADRATIC], "at least one grid axis or --seeds"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--seeds", "-1"], "seeds must be a non-negative integer"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--seeds", "two"], "invalid int value"),
    (["sweep", "nosuchkind", "t", "--grid", "x=0:1:3"], "unknown kind 'nosuchkind'"),
    (["sweep", "callable", "sweep_points:nosuch", "--grid", "x=0:1:3"], "cannot import 'sweep_points:nosuch'"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--option", "nosuch=1"], "unexpected keyword argument 'nosuch'"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--option", "scale"], "must look like name=value"),
    (["sweep", "simulate", "chain_minnorm_balanced", "--grid", "nosuch=0:1:3"],
     "grid axis 'nosuch' is not a parameter of model 'chain_minnorm_balanced'"),
    (["sweep", "simulate", "no_such_model", "--grid", "rho=0:1:3"], "unknown model 'no_such_model'"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--executor", "gpu"], "unknown executor 'gpu'"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--executor", "ensemble"], "ensemble executor needs a kind"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler is for the dask"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--executor", "dask", "--scheduler", "no-port"], "bad Dask scheduler"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--executor", "processes", "--workers", "0"], "--workers must be"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--out", "sweep.csv"], "--out must end in .nc"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--out", "/no/such/dir/sweep.nc"], "does not exist"),
    ([*QUADRATIC, "--grid", "x=0:1:3", "--resume"], "--resume needs the --out"),
    (["sweep", "callable", "--grid", "x=0:1:3"], "give KIND TARGET"),
    (["sweep", "--spec", "missing.toml"], "spec file 'missing.toml' does not exist"),
    (["sweep", "callable", "sweep_points:quadratic", "--spec", EXAMPLE], "not both"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, expected):
    _one_line_error(capsys, argv, expected)


def test_zarr_output_without_zarr_is_an_error(capsys):
    if importlib.util.find_spec("zarr") is not None:
        pytest.skip("zarr is installed: .zarr outputs work")
    _one_line_error(capsys, [*QUADRATIC, "--grid", "x=0:1:3", "--out", "sweep.zarr"], "needs zarr")


def test_an_unreachable_scheduler_fails_within_ten_seconds(capsys):
    start = time.monotonic()
    err = _one_line_error(capsys, [*QUADRATIC, "--grid", "x=0:1:3", "--executor", "dask",
                                   "--scheduler", f"tcp://127.0.0.1:{_closed_port()}"], "cannot reach the Dask")
    assert time.monotonic() - start < executors.SCHEDULER_TIMEOUT, err


def test_a_scheduler_that_never_answers_fails_in_time(capsys, monkeypatch):
    """A listener that accepts but never speaks: distributed's Client would wait forever."""
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", 3)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        start = time.monotonic()
        _one_line_error(capsys, [*QUADRATIC, "--grid", "x=0:1:3", "--executor", "dask",
                                 "--scheduler", f"tcp://127.0.0.1:{silent.getsockname()[1]}"], "within 3 s")
        assert time.monotonic() - start < 3


def test_resume_into_another_sweeps_output_is_refused(capsys, tmp_path):
    out = str(tmp_path / "a.nc")
    assert main([*QUADRATIC, "--grid", "x=0:1:3", "--out", out]) == 0
    capsys.readouterr()
    _one_line_error(capsys, [*QUADRATIC, "--grid", "x=0:1:4", "--out", out, "--resume"], "belongs to a different sweep")
    _one_line_error(capsys, [*QUADRATIC, "--grid", "x=0:1:3", "--option", "scale=2", "--out", out, "--resume"],
                    "belongs to a different sweep")


def test_json_reports_the_sweep_and_the_file_holds_the_results(capsys, tmp_path):
    out = str(tmp_path / "sweep.nc")
    document = _json(capsys, ["sweep", "callable", "sweep_points:failing", "--grid", "x=0:1:6", "--seeds", "2",
                              "--root-seed", "4", "--executor", "processes", "--workers", "2", "--out", out,
                              "--no-progress"])
    x = np.linspace(0, 1, 6)
    assert document["grid"] == {"dims": ["x", "seed"], "shape": [6, 2], "size": 12,
                                "coords": {"x": x.tolist(), "seed": [0, 1]}}
    assert (document["computed"], document["resumed"], document["failed"]) == (12, 0, 2 * int(np.sum(x > 0.5)))
    assert document["first_error"].startswith(f"x = {x[x > 0.5][0]:g}, seed 0: ValueError")
    assert document["executor"] == "processes" and document["workers"] == 2 and document["out"] == out
    assert document["variables"] == ["y"] and "results" not in document
    dataset = read(out)
    assert dataset.attrs["fingerprint"] == document["fingerprint"]
    expected = np.where(x > 0.5, np.nan, x ** 2)
    np.testing.assert_array_equal(dataset["y"].values, np.repeat(expected, 2).reshape(6, 2))


def test_without_out_the_results_are_printed(capsys):
    document = _json(capsys, ["sweep", "callable", "sweep_points:failing", "--grid", "x=0,0.5,1", "--no-progress"])
    assert document["out"] is None and document["results"]["y"] == [0.0, 0.25, None]
    assert document["results"]["failed"] == [False, False, True]
    assert main(["sweep", "callable", "sweep_points:failing", "--grid", "x=0,0.5,1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "3 computed, 0 resumed, 1 failed" in out and "first failure at x = 1: ValueError" in out
    assert "<xarray.Dataset>" in out


def test_progress_bar_on_stderr_unless_no_progress(capsys, tmp_path):
    assert main(["sweep", "callable", "sweep_points:quadratic", "--grid", "x=0:1:4", "--out",
                 str(tmp_path / "a.nc")]) == 0
    captured = capsys.readouterr()
    assert "4/4" in captured.err and "sweep callable sweep_points:quadratic (serial)" in captured.err
    assert "wrote" in captured.out
    assert main([*QUADRATIC, "--grid", "x=0:1:4", "--out", str(tmp_path / "b.nc")]) == 0
    assert capsys.readouterr().err == ""


def test_a_spec_file_with_command_line_overrides_and_resume_across_both_forms(capsys, tmp_path):
    spec_file = tmp_path / "s.toml"
    spec_file.write_text('kind = "callable"\ntarget = "sweep_points:quadratic"\n'
                         '[grid]\nx = "0:1:3"\nz = [7]\n[options]\nscale = 2.0\n')
    out = str(tmp_path / "s.nc")
    document = _json(capsys, ["sweep", "--spec", str(spec_file), "--grid", "x=1,2", "--option", "scale=3",
                              "--out", out, "--no-progress"])
    assert document["grid"]["coords"] == {"x": [1.0, 2.0], "z": [7.0]} and document["options"] == {"scale": 3}
    np.testing.assert_array_equal(read(out)["y"].values, [[3.0], [12.0]])
    # the same sweep written on the command line is the same sweep: nothing left to compute
    document = _json(capsys, [*QUADRATIC, "--grid", "x=1:2:2", "--grid", "z=7", "--option", "scale=3",
                              "--out", out, "--resume"])
    assert (document["computed"], document["resumed"]) == (0, 2)


def test_interrupt_then_resume_from_the_command_line(capsys, tmp_path):
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    (log_dir / sweep_points.STOP).write_text("5")
    out = str(tmp_path / "sweep.nc")
    argv = ["sweep", "callable", "sweep_points:counted", "--grid", "x=0:1:4", "--seeds", "3",
            "--option", f"log_dir={log_dir}", "--out", out, "--no-progress"]
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted after" in err and "--resume" in err, err
    assert not os.path.exists(out) and os.path.isdir(f"{out}.parts")
    first = set(sweep_points.calls(log_dir))
    for name in os.listdir(log_dir):
        os.unlink(log_dir / name)
    document = _json(capsys, [*argv, "--resume"])
    second = set(sweep_points.calls(log_dir))
    everything = {(x, s) for x in np.linspace(0, 1, 4) for s in _seeds(3)}
    assert document["resumed"] + document["computed"] == 12 and document["computed"] == len(second)
    assert first | second == everything and len(first & second) <= 1  # at most the point cut short
    u = read(out)["u"].values
    assert np.array_equal(u, np.tile([np.random.default_rng(s).uniform() for s in _seeds(3)], (4, 1)))


def test_the_example_spec_file_runs(capsys, tmp_path):
    from dynsys.figures.chain_stability_map import predicted_rate

    spec = load(EXAMPLE)
    assert (spec.kind, spec.target, spec.grid.dims) == ("simulate", "chain_minnorm_balanced", ("rho", "r"))
    np.testing.assert_allclose(spec.grid.axes[0].values, np.linspace(0.1, 3, 30), rtol=1e-15)
    np.testing.assert_allclose(spec.grid.axes[1].values, np.geomspace(0.05, 4, 30), rtol=1e-13)
    out = str(tmp_path / "map.nc")
    document = _json(capsys, ["sweep", "--spec", EXAMPLE, "--grid", "rho=1,2", "--grid", "r=0.2,3",
                              "--executor", "ensemble", "--out", out, "--no-progress"])
    assert document["computed"] == 4 and document["failed"] == 0
    dataset = read(out)
    rho, r = np.meshgrid([1.0, 2.0], [0.2, 3.0], indexing="ij")
    # nodes to 1e-3; a spiral's log distance oscillates over the one or two periods of the fit window,
    # which biases the fitted slope by a few per cent
    spiral = rho ** 2 < 2 * r
    np.testing.assert_allclose(dataset["rate"].values[~spiral], predicted_rate(rho, r)[~spiral], rtol=1e-3)
    np.testing.assert_allclose(dataset["rate"].values[spiral], predicted_rate(rho, r)[spiral], rtol=3e-2)
    assert np.array_equal(dataset["class"].values == "stable spiral", spiral)


def test_dask_local_cluster_gives_the_serial_results(capsys, tmp_path):
    pytest.importorskip("distributed", reason="the dask executor needs dask[distributed]")
    argv = [*QUADRATIC, "--grid", "x=0:1:3", "--seeds", "2"]
    dask = _json(capsys, [*argv, "--executor", "dask", "--workers", "2", "--out", str(tmp_path / "d.nc")])
    serial = _json(capsys, [*argv, "--out", str(tmp_path / "s.nc")])
    assert dask["computed"] == serial["computed"] == 6 and dask["fingerprint"] == serial["fingerprint"]
    d, s = read(str(tmp_path / "d.nc")), read(str(tmp_path / "s.nc"))
    assert all(np.array_equal(d[name].values, s[name].values) for name in s.data_vars)
