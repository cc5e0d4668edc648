"""The ``train`` sweep kind, and Fig. 5C's scale study and the MNIST study rebuilt on sweeps (issue 10).

References are the studies' old loops, written out here: direct calls of
``frozen_subspace.run`` and of the training loop, one BLAS thread each (as
the sweep's points run), on reduced settings.
"""

import dataclasses
import re

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from dynsys.sweep import SweepError, build, kinds, parse_options, run_sweep
from dynsys.sweep.train_kinds import TARGETS
from dynsys.train import History, MinnormClassification, Network, train
from dynsys.train.experiments import frozen_subspace as fs
from dynsys.train.experiments import mnist

STEPS = 30
SMALL = dataclasses.replace(mnist.QUICK, epochs=1, full_batch_epochs=2, full_batch_record_every=1, seeds=(0, 1),
                            weight_decay_grid=(5e-4, 1e-2), split=(400, 200, 200))
SMALL_OPTIONS = {"epochs": SMALL.epochs, "full_batch_epochs": SMALL.full_batch_epochs,
                 "full_batch_record_every": SMALL.full_batch_record_every, "split": list(SMALL.split)}


def _final_errors(method, sigma_w, seed, steps=STEPS):
    """The old scale study's per-run function: the final errors of one run, one BLAS thread."""
    with threadpool_limits(1):
        result = fs.run(method, sigma_w, seed, steps=steps)
    return (result.final_test_error, float(result.pruned_test_error[-1]), result.min_norm_test_error,
            float(result.train_error[-1]))


def test_frozen_subspace_points_are_the_numbered_runs():
    spec = build("train", "frozen_subspace", ["sigma_w=0.5,1.0"], seeds=2, root_seed=3,
                 options={"method": "minnorm", "steps": STEPS})
    dataset = run_sweep(spec)
    assert not dataset["failed"].any()
    for i, sigma_w in enumerate((0.5, 1.0)):
        for replicate in range(2):
            expected = _final_errors("minnorm", sigma_w, 3 + replicate)
            got = [float(dataset[name].values[i, replicate])
                   for name in ("test_error", "pruned_test_error", "min_norm_test_error", "train_error")]
            assert got == list(expected)


def test_method_axis_indexes_the_methods_like_the_option():
    axis = run_sweep(build("train", "frozen_subspace", ["method=0,1", "sigma_w=0.3"], seeds=1,
                           options={"steps": 5}))
    for index, name in enumerate(fs.METHODS):
        option = run_sweep(build("train", "frozen_subspace", ["sigma_w=0.3"], seeds=1,
                                 options={"steps": 5, "method": name}))
        assert axis["test_error"].values[index, 0, 0] == option["test_error"].values[0, 0]
    assert axis["test_error"].values[0, 0, 0] != axis["test_error"].values[1, 0, 0]


@pytest.fixture
def reduced_scale_study(monkeypatch):
    monkeypatch.setitem(fs.SCALES, True, (0.1, 1.0))
    monkeypatch.setitem(fs.RUNS, True, 2)
    monkeypatch.setattr(fs, "STEPS", STEPS)


@pytest.mark.parametrize("workers", [1, 2])
def test_scale_study_equals_the_per_run_loop(reduced_scale_study, workers):
    study = fs.scale_study.__wrapped__(True, workers=workers)
    reference = np.array([[[_final_errors(m, sc, i) for i in range(2)] for sc in (0.1, 1.0)] for m in fs.METHODS])
    np.testing.assert_array_equal(study.scales, [0.1, 1.0])
    for j, name in enumerate(("test_error", "pruned_test_error")):
        np.testing.assert_array_equal(getattr(study, name), reference[..., j])
    np.testing.assert_array_equal(study.min_norm_test_error, reference[0, 0, :, 2])
    np.testing.assert_array_equal(study.train_error, reference[..., 3])
    for i in range(2):  # the pseudo-inverse's test error, |W_bar - X^+ y|^2 / N + 1/SNR, from numpy's lstsq
        task = fs.task(i)
        w, *_ = np.linalg.lstsq(task.X, task.y[:, 0], rcond=None)
        assert study.min_norm_test_error[i] == pytest.approx(np.sum((task.teacher - w) ** 2) / fs.N_INPUTS + 0.2,
                                                             rel=1e-10)


def _old_run(method, seed, weight_decay=None, settings=SMALL):
    """The old MNIST study's per-run call (``mnist._run`` before the sweep), one BLAS thread."""
    m = mnist.METHODS[method]
    full_batch = m.batch_size is None
    with threadpool_limits(1):
        return train(Network(mnist.WIDTHS), m.algorithm(weight_decay), mnist.mnist_split(seed=0, sizes=settings.split),
                     settings.full_batch_epochs if full_batch else settings.epochs, m.batch_size, seed=seed,
                     dtype=np.float32, record_every=settings.full_batch_record_every if full_batch else 1)


def test_mnist_points_report_the_errors_at_the_validation_chosen_epoch():
    spec = build("train", "mnist", ["method=0,2"], seeds=2, root_seed=4, options=SMALL_OPTIONS)
    dataset = run_sweep(spec)
    assert not dataset["failed"].any()
    for i, method in enumerate(("sgd", "minnorm_bgd")):
        for replicate in range(2):
            history = _old_run(method, 4 + replicate)
            best = int(np.argmin(history["validation_error"]))
            assert dataset["stopping_epoch"].values[i, replicate] == history.epochs[best]
            for name in ("validation_error", "train_error", "test_error", "weight_norm", "capacity"):
                assert dataset[name].values[i, replicate] == history[name][best]
            multipliers = dataset["nonzero_multipliers"].values[i, replicate]
            assert np.isnan(multipliers) if method == "sgd" else multipliers == history["nonzero_multipliers"][best]
            assert not dataset["diverged"].values[i, replicate]


def _old_study(settings, methods):
    """The old ``mnist.run`` loop: every method with every seed; weight decay chosen on the first seed."""
    histories, scores = {}, {}
    for name in methods:
        if name == "weight_decay":
            first = {g: _old_run(name, settings.seeds[0], g, settings) for g in settings.weight_decay_grid}
            scores = {g: float(np.min(h["validation_error"])) for g, h in first.items()}
            chosen = min(scores, key=scores.get)
            histories[name] = [first[chosen]] + [_old_run(name, s, chosen, settings) for s in settings.seeds[1:]]
        else:
            histories[name] = [_old_run(name, s, settings=settings) for s in settings.seeds]
    return histories, scores


def _same_history(a, b):
    assert (a.epochs, a.metrics, a.settings, a.status, a.message, a.backend) == \
        (b.epochs, b.metrics, b.settings, b.status, b.message, b.backend)
    if b.final_multipliers is None:
        assert a.final_multipliers is None
    else:
        assert a.final_multipliers.dtype == b.final_multipliers.dtype
        np.testing.assert_array_equal(a.final_multipliers, b.final_multipliers)


def test_mnist_study_on_sweeps_equals_the_per_seed_loop(monkeypatch):
    monkeypatch.setattr(mnist, "QUICK", SMALL)
    methods = ("weight_decay", "minnorm_sgd", "sgd")
    study = mnist.run(quick=True, methods=methods, workers=2)
    histories, scores = _old_study(SMALL, methods)
    assert list(study.histories) == list(methods)
    assert study.weight_decay_scores == scores and study.weight_decay == min(scores, key=scores.get)
    for name in methods:
        assert len(study.histories[name]) == len(SMALL.seeds)
        for got, expected in zip(study.histories[name], histories[name]):
            _same_history(got, expected)
    printed = train(Network(mnist.WIDTHS), MinnormClassification(**mnist.PRINTED_MINNORM_SGD),
                    mnist.mnist_split(seed=0, sizes=SMALL.split), mnist.PRINTED_EPOCHS, 128, seed=0, dtype=np.float32)
    assert study.printed_minnorm_sgd.endswith(f"{printed.status}, {printed.message}")


def test_history_record_round_trip_pads_a_diverged_run():
    settings = dataclasses.replace(SMALL, epochs=4, split=(3, 1, 1))
    history = History({"seed": 2, "dtype": "float32", "widths": [2, 10]}, "numpy", epochs=[0, 1],
                      metrics={"train_loss": [2.5, 1.25], "validation_error": [0.5, 0.25]},
                      status="diverged", message="diverged at epoch 2", seconds=0.5,
                      final_multipliers=np.arange(30, dtype=np.float32).reshape(3, 10) / 7)
    record = mnist.history_record(history, settings)
    assert record["epoch"].tolist() == [0, 1, -1, -1, -1]
    assert np.isnan(record["curve_train_loss"][2:]).all() and np.isnan(record["curve_test_error"]).all()
    _same_history(mnist.history_from_record(record), history)
    history.final_multipliers = None
    assert np.isnan(mnist.history_record(history, settings)["final_multipliers"]).all()
    _same_history(mnist.history_from_record(mnist.history_record(history, settings)), history)


def test_command_line_options_read_as_the_python_ones():
    """``--option split=400,200,200 --option record=false`` arrive as strings: they mean the same as Python values."""
    texts = [f"{name}={','.join(map(str, v)) if isinstance(v, list) else v}" for name, v in SMALL_OPTIONS.items()]
    parsed = kinds.get("train").point("mnist", parse_options(texts + ["record=false", "quick=True"])).keywords
    assert parsed == {**SMALL_OPTIONS, "record": False, "quick": True}


def test_consecutive_seeds_share_a_sweep():
    assert mnist._blocks((0, 1, 2, 5, 6, 9)) == [[0, 3], [5, 2], [9, 1]]
    assert mnist._blocks(range(3, 8)) == [[3, 5]]


@pytest.mark.parametrize("target, options, message", [
    ("resnet", {}, "unknown train experiment 'resnet'; choose from " + ", ".join(TARGETS)),
    ("frozen_subspace", {"lr": 0.1}, "unknown options lr"),
    ("frozen_subspace", {"steps": 0}, "steps must be a positive integer"),
    ("mnist", {"steps": 3}, "unknown options steps"),
    ("mnist", {"quick": "maybe"}, "option quick must be true or false"),
    ("mnist", {"split": "400,200"}, "option split must be three positive sizes"),
])
def test_bad_targets_and_options_are_sweep_errors(target, options, message):
    with pytest.raises(SweepError, match=message):
        run_sweep(build("train", target, ["sigma_w=1"], options=options))


@pytest.mark.parametrize("target, axes, options, message", [
    ("frozen_subspace", ["method=2"], {"sigma_w": 1.0, "steps": 2}, r"a method axis holds indices 0\.\.1"),
    ("frozen_subspace", ["sigma_w=1"], {"method": "adam", "steps": 2}, "unknown method 'adam'"),
    ("frozen_subspace", ["eta=0.01"], {"method": "bgd", "steps": 2}, "the point needs 'sigma_w'"),
    ("mnist", ["method=1"], SMALL_OPTIONS, "the weight_decay method needs its coefficient"),
])
def test_bad_points_fail_with_their_message(target, axes, options, message):
    dataset = run_sweep(build("train", target, axes, seeds=1, options=options))
    assert dataset["failed"].all()
    assert all(re.search(message, e) for e in dataset["error"].values.flat)
