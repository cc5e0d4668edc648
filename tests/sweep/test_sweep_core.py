"""The sweep core: axes, grid order, seeds, spec files and fingerprints, the Dataset, chunks and resume (issue 10)."""

import hashlib
import itertools
import json
import os
import pickle
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
import xarray
import xarray.testing

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import sweep_points  # noqa: E402

from dynsys.sweep import Grid, SweepError, build, load, parse_axis, read, run_sweep  # noqa: E402
from dynsys.sweep.executors import Serial  # noqa: E402


def _as_text(dataset):
    """``dataset`` with its string variables as fixed-width str (netCDF reads back object strings so)."""
    return dataset.map(lambda v: v.astype(str) if v.dtype.kind in "OU" else v)


def _parts_points(out):
    """The flat indices persisted in ``out``'s chunk files."""
    indices = []
    for name in sorted(os.listdir(f"{out}.parts")):
        if name.startswith("chunk-"):
            with open(os.path.join(f"{out}.parts", name), "rb") as handle:
                indices.extend(pickle.load(handle))
    return indices


# ---------------------------------------------------------------------------------------------- axes and grid


def test_axes_are_numpy_linspace_geomspace_and_lists():
    assert np.array_equal(parse_axis("rho=0:2:5").values, np.linspace(0, 2, 5))
    log = np.array(parse_axis("r=log:0.05:4:7").values)
    np.testing.assert_allclose(log, 10 ** np.linspace(np.log10(0.05), np.log10(4), 7), rtol=1e-13)
    assert parse_axis(" k = 1, 2,5 ").values == (1.0, 2.0, 5.0)
    assert parse_axis("k=3").values == (3.0,)
    assert parse_axis("t=-1:1:1").values == (-1.0,)


@pytest.mark.parametrize("text, expected", [
    ("rho", "must look like"),
    ("rho=", "has no values"),
    ("rho=0:1", "neither"),
    ("rho=0:1:2:3", "neither"),
    ("rho=0:1:0", "positive integer"),
    ("rho=0:1:2.5", "positive integer"),
    ("rho=a:1:3", "'a' is not a number"),
    ("rho=1,,2", "'' is not a number"),
    ("rho=0:inf:3", "not finite"),
    ("r=log:0:1:3", "positive ends"),
    ("r=log:1:3", "log:start:stop:count"),
    ("1rho=0:1:3", "identifier"),
])
def test_malformed_axes_are_one_line_errors(text, expected):
    with pytest.raises(SweepError) as error:
        parse_axis(text)
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_grid_points_run_in_c_order_with_the_seed_axis_last():
    a, b = parse_axis("a=1,2"), parse_axis("b=0:1:3")
    grid = Grid((a, b), seeds=2, root_seed=7)
    assert grid.dims == ("a", "b", "seed") and grid.shape == (2, 3, 2) and grid.size == 12
    expected = list(itertools.product(a.values, b.values, range(2)))
    for index, (va, vb, s) in enumerate(expected):
        values, seed = grid.point(index)
        assert values == {"a": va, "b": vb}
        assert seed == int(np.random.SeedSequence(7, spawn_key=(s,)).generate_state(1, np.uint32)[0])
    coords = grid.coords()
    assert np.array_equal(coords["b"], np.linspace(0, 1, 3)) and np.array_equal(coords["seed"], [0, 1])


def test_replicates_have_distinct_seeds_that_follow_the_root_seed():
    seeds = {Grid((), seeds=50, root_seed=0).point(i)[1] for i in range(50)}
    assert len(seeds) == 50
    assert Grid((), seeds=3, root_seed=1).point(0)[1] != Grid((), seeds=3, root_seed=0).point(0)[1]


@pytest.mark.parametrize("axes, seeds, expected", [
    ((), 0, "at least one grid axis"),
    ((parse_axis("a=1"), parse_axis("a=2")), 0, "repeat a name"),
    ((parse_axis("seed=1,2"),), 0, "replicate axis"),
    ((parse_axis("a=1"),), -1, "non-negative"),
])
def test_bad_grids(axes, seeds, expected):
    with pytest.raises(SweepError, match=expected):
        Grid(axes, seeds)


# ------------------------------------------------------------------------------------------ seeds and executors


def test_a_points_result_depends_on_its_coordinates_only(tmp_path):
    spec = build("callable", "sweep_points:quadratic", ["x=0:1:4"], seeds=3, root_seed=11)
    serial = run_sweep(spec)
    processes = run_sweep(spec, executor="processes", workers=2, batch_points=1)
    xarray.testing.assert_identical(serial, processes)
    # every point again, one at a time in reverse order, from the point function itself
    batches = [[(i, *spec.grid.point(i))] for i in reversed(range(spec.grid.size))]
    function = lambda values, seed: sweep_points.quadratic(values, seed)  # noqa: E731
    for index, (status, result) in (pair for finished in Serial().run(function, batches) for pair in finished):
        position = np.unravel_index(index, spec.grid.shape)
        assert status == "ok"
        assert serial["u"].values[position] == result["u"]
        assert serial["y"].values[position] == spec.grid.point(index)[0]["x"] ** 2
    # the draws follow the seed axis: independent replicates, common to every x
    u = serial["u"].values
    assert len(set(u[0])) == 3 and np.all(u == u[0])
    expected = [np.random.default_rng(int(np.random.SeedSequence(11, spawn_key=(s,)).generate_state(1, np.uint32)[0]))
                .uniform() for s in range(3)]
    assert np.array_equal(u[0], expected)


# ----------------------------------------------------------------------------------------- spec and fingerprint


def test_fingerprint_names_the_grid_values_not_how_they_were_written():
    a = build("callable", "m:f", ["x=0:1:3", "k=1,2"], seeds=2, options={"p": 1, "q": "s"})
    assert a.fingerprint == hashlib.sha256(a.to_json().encode()).hexdigest()[:16]
    assert build("callable", "m:f", ["x=0,0.5,1", "k=1:2:2"], seeds=2, options={"q": "s", "p": 1}).fingerprint \
        == a.fingerprint
    others = [build("callable", "m:f", ["x=0:1:4", "k=1,2"], seeds=2, options={"p": 1, "q": "s"}),
              build("callable", "m:f", ["k=1,2", "x=0:1:3"], seeds=2, options={"p": 1, "q": "s"}),
              build("callable", "m:f", ["x=0:1:3", "k=1,2"], seeds=3, options={"p": 1, "q": "s"}),
              build("callable", "m:f", ["x=0:1:3", "k=1,2"], seeds=2, root_seed=1, options={"p": 1, "q": "s"}),
              build("callable", "m:f", ["x=0:1:3", "k=1,2"], seeds=2, options={"p": 2, "q": "s"}),
              build("callable", "m:g", ["x=0:1:3", "k=1,2"], seeds=2, options={"p": 1, "q": "s"}),
              build("simulate", "m:f", ["x=0:1:3", "k=1,2"], seeds=2, options={"p": 1, "q": "s"})]
    assert len({a.fingerprint, *(o.fingerprint for o in others)}) == 1 + len(others)


TOML = """kind = "callable"
target = "sweep_points:quadratic"
seeds = 2
root_seed = 5
[grid]
x = "0:1:3"
k = [1, 2, 5]
[options]
scale = 2.5
"""

YAML = """kind: callable
target: sweep_points:quadratic
seeds: 2
root_seed: 5
grid:
  x: "0:1:3"
  k: [1, 2, 5]
options:
  scale: 2.5
"""


def test_toml_and_yaml_spec_files_equal_the_command_line(tmp_path):
    (tmp_path / "s.toml").write_text(TOML)
    (tmp_path / "s.yaml").write_text(YAML)
    command_line = build("callable", "sweep_points:quadratic", ["x=0:1:3", "k=1,2,5"], seeds=2, root_seed=5,
                         options={"scale": 2.5})
    for name in ("s.toml", "s.yaml"):
        spec = load(str(tmp_path / name))
        assert spec == command_line and spec.fingerprint == command_line.fingerprint
    assert [a.values for a in command_line.grid.axes] == [(0.0, 0.5, 1.0), (1.0, 2.0, 5.0)]


@pytest.mark.parametrize("name, text, expected", [
    ("s.toml", "extra = 1\n" + TOML, "unknown keys extra"),
    ("s.toml", TOML.replace('kind = "callable"\n', ""), "needs 'kind'"),
    ("s.toml", "kind = [\n", "cannot be read"),
    ("s.yaml", "kind: [\n", "cannot be read"),
    ("s.yaml", "- 1\n- 2\n", "table of keys"),
    ("s.json", "{}", "must end in .toml"),
    ("s.toml", TOML.replace('x = "0:1:3"', 'x = "0:1"'), "grid axis 'x'"),
])
def test_bad_spec_files(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text)
    with pytest.raises(SweepError) as error:
        load(str(tmp_path / name))
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_a_missing_spec_file(tmp_path):
    with pytest.raises(SweepError, match="does not exist"):
        load(str(tmp_path / "missing.toml"))


# ------------------------------------------------------------------------------------------------- the Dataset


def test_dataset_labels_results_records_failures_and_round_trips_through_netcdf(tmp_path):
    spec = build("callable", "sweep_points:failing", ["x=0:1:5"], seeds=2, root_seed=3)
    out = str(tmp_path / "sweep.nc")
    dataset = run_sweep(spec, out=out)
    x = np.linspace(0, 1, 5)
    assert dict(dataset.sizes) == {"x": 5, "seed": 2}
    assert np.array_equal(dataset["x"], x) and np.array_equal(dataset["seed"], [0, 1])
    too_large = np.repeat(x > 0.5, 2).reshape(5, 2)
    assert np.array_equal(dataset["failed"], too_large)
    assert np.array_equal(np.isnan(dataset["y"]), too_large)
    np.testing.assert_array_equal(dataset["y"].values[~too_large], np.repeat(x ** 2, 2).reshape(5, 2)[~too_large])
    errors = dataset["error"].values
    assert all(e.startswith("ValueError: x = ") and "too large" in e for e in errors[too_large])
    assert all(e == "" for e in errors[~too_large])
    assert json.loads(dataset.attrs["spec"]) == spec.as_dict()
    assert dataset.attrs["fingerprint"] == spec.fingerprint
    assert dataset.attrs["dynsys_version"] == metadata.version("dynsys")
    assert not os.path.exists(f"{out}.parts")
    xarray.testing.assert_identical(_as_text(read(out)), _as_text(dataset))


def test_array_and_string_results_get_their_own_dimensions(tmp_path):
    spec = build("callable", "sweep_points:quadratic", ["x=-1,2"], options={"scale": 3})
    dataset = run_sweep(spec, out=str(tmp_path / "a.nc"))
    assert dataset["pair"].dims == ("x", "pair_0")
    assert np.array_equal(dataset["pair"], [[-1, 1], [2, -2]])
    assert np.array_equal(dataset["y"], [3.0, 12.0])
    assert list(dataset["label"].values) == ["x=-1", "x=2"]


# -------------------------------------------------------------------------------------------- chunks and resume


def _counted_spec(log_dir, mode="interrupt"):
    return build("callable", "sweep_points:counted", ["x=0:1:5"], seeds=2,
                 options={"log_dir": str(log_dir), "mode": mode})


def _interrupt_after(log_dir, calls):
    (log_dir / sweep_points.STOP).write_text(str(calls))


def _clear(log_dir):
    for name in os.listdir(log_dir):
        os.unlink(log_dir / name)


def _all_points(spec):
    return sorted((v["x"], seed) for v, seed in spec.grid.points())


def test_resume_after_an_interruption_computes_only_the_missing_points(tmp_path):
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    spec, out = _counted_spec(log_dir), str(tmp_path / "sweep.nc")
    _interrupt_after(log_dir, 7)
    stats = {}
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out=out, batch_points=2, stats=stats)
    assert not os.path.exists(out)
    kept = _parts_points(out)
    # batches of two: the seventh point's batch was cut short, so six points are kept
    assert sorted(kept) == list(range(6)) and stats == {"resumed": 0, "computed": 6}
    with pytest.raises(SweepError, match="belongs to a different sweep"):
        run_sweep(build("callable", "sweep_points:counted", ["x=0:1:4"], seeds=2,
                        options={"log_dir": str(log_dir), "mode": "interrupt"}), out=out, resume=True)

    _clear(log_dir)
    stats = {}
    resumed = run_sweep(spec, out=out, resume=True, batch_points=2, stats=stats)
    missing = [spec.grid.point(i) for i in range(spec.grid.size) if i not in kept]
    assert sorted(sweep_points.calls(log_dir)) == sorted((v["x"], seed) for v, seed in missing)
    assert stats == {"resumed": 6, "computed": 4}

    _clear(log_dir)
    uninterrupted = run_sweep(spec)
    assert sorted(sweep_points.calls(log_dir)) == _all_points(spec)
    xarray.testing.assert_identical(resumed, uninterrupted)
    xarray.testing.assert_identical(_as_text(read(out)), _as_text(uninterrupted))

    _clear(log_dir)
    stats = {}
    again = run_sweep(spec, out=out, resume=True, stats=stats)  # a finished sweep: nothing to compute
    assert sweep_points.calls(log_dir) == [] and stats == {"resumed": 10, "computed": 0}
    xarray.testing.assert_identical(again, read(out))
    with pytest.raises(SweepError, match="belongs to a different sweep"):
        run_sweep(build("callable", "sweep_points:quadratic", ["x=0:1:5"], seeds=2), out=out, resume=True)


def test_chunks_are_written_while_running_and_a_crash_loses_only_the_open_chunk(tmp_path):
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    spec, out = _counted_spec(log_dir, mode="exit"), str(tmp_path / "sweep.nc")
    _interrupt_after(log_dir, 5)
    script = ("import sys; from dynsys.sweep import build, run_sweep; "
              f"run_sweep(build('callable', 'sweep_points:counted', ['x=0:1:5'], seeds=2, "
              f"options={{'log_dir': {str(log_dir)!r}, 'mode': 'exit'}}), out={out!r}, batch_points=2)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([HERE, os.environ.get("PYTHONPATH", "")])}
    crashed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 3, crashed.stderr  # sweep_points.counted's os._exit
    # the process died in the third batch: the two chunks before it are on disk, nothing else
    chunks = sorted(n for n in os.listdir(f"{out}.parts") if n.startswith("chunk-"))
    assert len(chunks) == 2 and sorted(_parts_points(out)) == [0, 1, 2, 3]
    assert not os.path.exists(out)

    _clear(log_dir)
    resumed = run_sweep(spec, out=out, resume=True)
    assert sorted(sweep_points.calls(log_dir)) == sorted((v["x"], s) for v, s in spec.grid.points()[4:])
    xarray.testing.assert_identical(resumed, run_sweep(spec))


def test_every_finished_batch_is_on_disk_before_the_next_runs(tmp_path, monkeypatch):
    """A sweep never loses a finished point: after each batch its chunk is written, whatever CHUNK_SECONDS is."""
    from dynsys.sweep import store as store_module

    monkeypatch.setattr(store_module, "CHUNK_SECONDS", 1e9)
    seen = []

    def point(values, seed):
        seen.append(len(list((tmp_path / "out.nc.parts").glob("chunk-*.pkl"))))
        return {"y": values["x"]}

    spec = build("callable", "sweep_points:quadratic", ["x=0:1:6"])
    run_sweep(spec, function=point, out=tmp_path / "out.nc", batch_points=2)
    assert seen == [0, 0, 1, 1, 2, 2]
