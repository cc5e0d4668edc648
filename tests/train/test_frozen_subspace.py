"""The student-teacher task of Minnorm sec. 3.4: exact test error, min-norm map, pruning, runs, Fig. 5's numbers."""

import numpy as np
import pytest

from dynsys.train.experiments import frozen_subspace as fs


def test_test_error_is_the_expected_squared_error_of_a_new_example():
    task = fs.task(1, n_inputs=40, n_examples=20, snr=5.0)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(40)
    x = rng.standard_normal((400_000, 40)) / np.sqrt(40)
    y = x @ task.teacher + rng.standard_normal(400_000) / np.sqrt(5.0)
    sampled = np.mean((y - x @ w) ** 2)
    assert abs(sampled - task.test_error(w)) < 0.01 * task.test_error(w)


def test_task_statistics_and_min_norm_map():
    task = fs.task(2)
    assert task.X.shape == (fs.N_EXAMPLES, fs.N_INPUTS) and task.y.shape == (fs.N_EXAMPLES, 1)
    assert abs(np.mean(np.sum(task.X ** 2, axis=1)) - 1) < 0.05  # x ~ N(0, I/N): |x|^2 ~ 1
    w, *_ = np.linalg.lstsq(task.X, task.y[:, 0], rcond=None)  # LAPACK's minimum-norm solution
    np.testing.assert_allclose(task.min_norm(), w, rtol=1e-10, atol=1e-12)
    P = task.row_projector
    np.testing.assert_allclose(P @ P, P, atol=1e-12)
    np.testing.assert_allclose(task.X @ P, task.X, atol=1e-12)
    assert round(np.trace(P)) == fs.N_EXAMPLES
    assert task.train_error(task.min_norm()) < 1e-25


def test_runs_record_and_prune():
    result = fs.run("bgd", 1.0, 0, steps=400, record=[0, 50, 400])
    assert list(result.steps) == [0, 50, 400]
    assert result.train_error[-1] < 1e-16 < result.train_error[0]
    task = fs.task(0)
    np.testing.assert_allclose(result.pruned_test_error, task.test_error(result.end_to_end @ task.row_projector))
    assert abs(result.pruned_test_error[-1] - result.min_norm_test_error) < 1e-8  # zero training error: P_X w = X^+ y


def test_bad_method_or_task_raises():
    with pytest.raises(fs.FrozenSubspaceError, match="unknown method"):
        fs.algorithm("adam", 10)
    with pytest.raises(fs.FrozenSubspaceError, match="snr > 0"):
        fs.task(0, snr=0)


def test_quick_study_shape_and_reference():
    study = fs.scale_study(True)
    assert study.test_error.shape == (2, len(fs.SCALES[True]), fs.RUNS[True])
    for i in range(fs.RUNS[True]):
        assert study.min_norm_test_error[i] == pytest.approx(fs.task(i).test_error(fs.task(i).min_norm()))
    assert np.all(study.train_error[0] < 1e-20)  # BGD interpolates at every scale


def test_study_does_not_depend_on_the_number_of_workers(monkeypatch):
    monkeypatch.setitem(fs.SCALES, True, (1.0,))
    monkeypatch.setitem(fs.RUNS, True, 2)
    monkeypatch.setattr(fs, "STEPS", 50)
    serial = fs.scale_study.__wrapped__(True, workers=1)
    parallel = fs.scale_study.__wrapped__(True, workers=2)
    np.testing.assert_array_equal(serial.test_error, parallel.test_error)


def test_figure_caption_reports_the_computed_errors():
    from dynsys.figures import minnorm_fig5

    text = minnorm_fig5.caption(quick=True)
    runs = fs.dynamics(True)
    assert f"Minnorm {runs['minnorm'].final_test_error:.4f}" in text
    assert f"BGD {runs['bgd'].final_test_error:.4f}" in text
    study = fs.scale_study(True)
    collapsed = study.scales[np.all(study.outcomes("minnorm") == "zero", axis=-1)]
    assert ("ended at the zero map" in text) == bool(collapsed.size)
    assert all(f"{s:g}" in text.split("Every Minnorm run from sigma_w = ")[1] for s in collapsed)


def test_study_summary_skips_diverged_runs_and_classifies_outcomes():
    zero = [fs.task(i).test_error(np.zeros(fs.N_INPUTS)) for i in range(3)]
    min_norm = np.array([fs.task(i).test_error(fs.task(i).min_norm()) for i in range(3)])
    minnorm = np.array([zero, [np.nan, np.nan, np.nan], [np.nan, min_norm[1], min_norm[2]], list(min_norm)])
    bgd = np.tile(min_norm + 0.1, (4, 1))
    study = fs.ScaleStudy(fs.METHODS, np.array([0.01, 0.05, 0.1, 1.0]), np.stack([bgd, minnorm]),
                          np.stack([bgd, bgd]), min_norm, np.zeros((2, 4, 3)))
    mean = study.mean("minnorm")
    assert mean[0] == pytest.approx(np.mean(zero)) and np.isnan(mean[1])
    assert mean[2] == pytest.approx(min_norm[1:].mean()) and mean[3] == pytest.approx(min_norm.mean())
    assert study.sem("minnorm")[2] == pytest.approx(np.std(min_norm[1:], ddof=1) / np.sqrt(2))
    assert study.outcomes("minnorm").tolist() == [["zero"] * 3, ["diverged"] * 3, ["diverged", "min-norm", "min-norm"],
                                                  ["min-norm"] * 3]
    assert (study.outcomes("bgd") == "other").all()
