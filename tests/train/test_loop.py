"""The training loop (dynsys.train.loop), its record (History) and the backends."""

import json
import os

import numpy as np
import pytest

from dynsys.io import OutputPathError
from dynsys.train import (BackendError, GradientDescent, MinnormClassification, MinnormRegression, Network,
                          TrainingError, get_backend, train, trajectory)
from dynsys.train.backend import gpu_unavailable_reason
from dynsys.train.datasets import Dataset, Split


def classification_data(P=24, n_in=4, n_classes=3, seed=0, name="blobs"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((P, n_in))
    y = rng.integers(0, n_classes, size=P).astype(np.int64)
    X[np.arange(P), y % n_in] += 1.5  # a little structure, so training makes progress
    return Dataset(X, y, n_classes, name)


def regression_data(P=16, n_in=3, n_out=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((P, n_in))
    return Dataset(X, X @ rng.standard_normal((n_in, n_out)), None, "linear targets")


# ---------------------------------------------------------------- the reference metrics


def ref_forward(network, params, X):
    step = 2 if network.bias else 1
    h = X
    for layer in range(network.depth):
        z = h @ params[step * layer] + (params[step * layer + 1] if network.bias else 0)
        h = z if layer == network.depth - 1 else {"relu": lambda v: np.maximum(v, 0), "linear": lambda v: v,
                                                   "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[network.activation](z)
    return h


def ref_softmax_ce(f, y):
    return np.log(np.exp(f).sum(axis=1)) - f[np.arange(len(y)), y]


def ref_weights(network, params):
    return params[::2] if network.bias else params


def ref_capacity(weights):
    spectral = [np.linalg.norm(W, 2) ** 2 for W in weights]
    frobenius = [np.linalg.norm(W, "fro") ** 2 for W in weights]
    return np.sqrt(np.prod(spectral) * sum(f / s for f, s in zip(frobenius, spectral)))


def test_epoch_zero_metrics_equal_the_metrics_by_hand():
    parts = {name: classification_data(P, seed=k, name=name)
             for k, (name, P) in enumerate([("train", 24), ("validation", 10), ("test", 12)])}
    network = Network((4, 6, 5, 3), activation="relu", bias=True)
    history = train(network, GradientDescent(0.1, loss="softmax_ce"), Split(**parts), epochs=2, batch_size=8,
                    seed=3)
    params = network.init(np, seed=3)
    row = history.at(0)
    assert history.epochs == [0, 1, 2]
    for name, data in parts.items():
        f = ref_forward(network, params, data.X)
        assert row[f"{name}_loss"] == pytest.approx(ref_softmax_ce(f, data.y).mean(), rel=1e-12)
        assert row[f"{name}_error"] == pytest.approx(np.mean(f.argmax(axis=1) != data.y), abs=1e-15)
    weights = ref_weights(network, params)
    assert row["weight_norm"] == pytest.approx(sum((W ** 2).sum() for W in weights), rel=1e-12)
    assert row["capacity"] == pytest.approx(ref_capacity(weights), rel=1e-10)
    # and after training, the last row describes the final parameters
    last, final = history.at(2), history.final_params
    f = ref_forward(network, final, parts["validation"].X)
    assert last["validation_loss"] == pytest.approx(ref_softmax_ce(f, parts["validation"].y).mean(), rel=1e-12)
    assert last["capacity"] == pytest.approx(ref_capacity(ref_weights(network, final)), rel=1e-10)
    assert history.best_epoch("train_loss") == int(np.argmin(history["train_loss"]))


def test_binary_minnorm_metrics_by_hand():
    """One output: error from the sign; Minnorm records the hinge loss and the fraction of active multipliers."""
    data = classification_data(20, n_in=3, n_classes=2, seed=4)
    network = Network((3, 4, 1), activation="sigmoid", bias=False)
    history = train(network, MinnormClassification(0.1, s=0.5), data, epochs=3, seed=5, record_multipliers=True)
    for epoch, params in [(0, network.init(np, seed=5))] + [(3, history.final_params)]:
        row = history.at(epoch)
        f = ref_forward(network, params, data.X)[:, 0]
        signs = 2 * data.y - 1
        assert row["train_loss"] == pytest.approx(np.maximum(1 - signs * f, 0).mean(), rel=1e-12)
        assert row["train_error"] == pytest.approx(np.mean((f > 0) != (data.y == 1)), abs=1e-15)
    assert history.at(0)["nonzero_multipliers"] == 0.0
    alpha = history.final_multipliers
    assert history.at(3)["nonzero_multipliers"] == pytest.approx(np.mean(alpha[:, 0] != 0))
    assert history.at(3)["nonzero_multipliers"] > 0


def test_regression_records_the_squared_loss_and_no_error():
    data = regression_data()
    network = Network((3, 2), activation="linear", bias=True)
    history = train(network, MinnormRegression(0.05, s=0.2), data, epochs=1, seed=1)
    f = ref_forward(network, network.init(np, seed=1), data.X)
    assert history.at(0)["train_loss"] == pytest.approx((0.5 * ((f - data.y) ** 2).sum(axis=1)).mean(), rel=1e-12)
    assert "train_error" not in history.metrics


# ---------------------------------------------------------------- epochs, batches, seeds


@pytest.mark.parametrize("algorithm", [GradientDescent(0.3, loss="bce", weight_decay=0.01),
                                       MinnormClassification(0.1, s=0.5, rho=0.2)], ids=["gd", "minnorm"])
@pytest.mark.parametrize("batch_size", [None, 20])
def test_full_batch_is_one_step_per_epoch(algorithm, batch_size):
    data = classification_data(20, n_in=3, n_classes=2, seed=6)
    network = Network((3, 4, 1), activation="relu", bias=True)
    history = train(network, algorithm, data, epochs=5, batch_size=batch_size, seed=2, record_params=True,
                    record_multipliers=True)
    rows = trajectory(network, algorithm, data, 5, network.init(np, seed=2))
    assert rows.shape[0] == 6 and len(history.params) == 6
    for k in range(6):
        flat = [np.ravel(p) for p in history.params[k]]
        if algorithm.multipliers:
            flat.append(np.ravel(history.multipliers[k]))
        np.testing.assert_allclose(np.concatenate(flat), rows[k], rtol=1e-13, atol=1e-15)


class Recording(GradientDescent):
    """Gradient descent that keeps the minibatches it is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []

    def step(self, xp, network, state, index, X, y):
        self.batches.append((np.array(index), np.array(X), np.array(y)))
        super().step(xp, network, state, index, X, y)


@pytest.mark.parametrize("P, Q", [(12, 4), (13, 5), (7, 7), (5, 1)])
def test_each_epoch_is_a_permutation_cut_into_batches(P, Q):
    data = classification_data(P, n_in=2, n_classes=2, seed=P)
    algorithm = Recording(0.1, loss="hinge")
    epochs = 3
    train(Network((2, 1), activation="linear", bias=False), algorithm, data, epochs=epochs, batch_size=Q, seed=4)
    per_epoch = -(-P // Q)
    assert len(algorithm.batches) == epochs * per_epoch
    sizes = [Q] * (P // Q) + ([P % Q] if P % Q else [])
    orders = []
    for e in range(epochs):
        batches = algorithm.batches[e * per_epoch:(e + 1) * per_epoch]
        assert [len(index) for index, _, _ in batches] == sizes
        order = np.concatenate([index for index, _, _ in batches])
        assert sorted(order) == list(range(P))
        for index, X, y in batches:  # the rows handed over are those the indices name
            np.testing.assert_array_equal(X, data.X[index])
            np.testing.assert_array_equal(y, data.y[index])
        orders.append(order)
    if Q < P and P > 2:
        assert any(not np.array_equal(orders[0], o) for o in orders[1:])  # reshuffled every epoch


def test_a_seed_reproduces_a_run_exactly_and_another_seed_differs():
    data = classification_data(30, seed=7)
    network = Network((4, 8, 3), activation="relu", bias=True)

    def run(seed, params=None):
        return train(network, GradientDescent(0.2, loss="softmax_ce"), data, epochs=4, batch_size=7, seed=seed,
                     params=params)

    first, again = run(11), run(11)
    for name in first.metrics:
        np.testing.assert_array_equal(first[name], again[name])
    for p, q in zip(first.final_params, again.final_params):
        np.testing.assert_array_equal(p, q)
    other = run(12)
    assert not np.array_equal(first["train_loss"], other["train_loss"])
    # the same start, another seed: only the shuffling differs, and that is enough to differ
    start = network.init(np, seed=0)
    a, b = run(11, start), run(12, start)
    assert a.at(0) == b.at(0)
    assert not np.array_equal(a.final_params[0], b.final_params[0])
    # given parameters are not modified in place
    np.testing.assert_array_equal(start[0], network.init(np, seed=0)[0])


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, 31, True, "8"])
def test_bad_batch_sizes_are_refused(batch_size):
    data = classification_data(30, seed=8)
    with pytest.raises(TrainingError) as error:
        train(Network((4, 3)), GradientDescent(0.1), data, epochs=1, batch_size=batch_size)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("epochs", [-1, 1.5, None])
def test_bad_epochs_are_refused(epochs):
    with pytest.raises(TrainingError):
        train(Network((4, 3)), GradientDescent(0.1), classification_data(10), epochs=epochs)


def test_data_of_the_wrong_width_is_refused():
    with pytest.raises(TrainingError):
        train(Network((5, 3)), GradientDescent(0.1), classification_data(10, n_in=4), epochs=1)


def test_a_diverging_run_stops_and_says_when():
    data = regression_data(P=20, n_in=3, n_out=1, seed=9)
    network = Network((3, 5, 1), activation="relu", bias=True)
    history = train(network, GradientDescent(50.0, loss="squared"), data, epochs=200, seed=1)
    assert history.status == "diverged"
    last = history.epochs[-1]
    assert history.epochs == list(range(last + 1)) and last < 199
    assert f"epoch {last + 1}" in history.message and "\n" not in history.message
    for name, values in history.metrics.items():
        assert np.all(np.isfinite(values)), name
    assert history["train_loss"][-1] > 1e3 * history["train_loss"][0]
    done = train(network, GradientDescent(1e-3, loss="squared"), data, epochs=2, seed=1)
    assert done.status == "done"


def test_record_every_keeps_the_last_epoch():
    history = train(Network((4, 3)), GradientDescent(0.1), classification_data(12), epochs=7, record_every=3)
    assert history.epochs == [0, 3, 6, 7]


@pytest.mark.parametrize("n_out, classes", [(1, 2), (3, 3)])
def test_recorded_multipliers_have_one_row_per_example(n_out, classes):
    data = classification_data(15, n_classes=classes, seed=10)
    history = train(Network((4, 5, n_out)), MinnormClassification(0.1, s=0.5), data, epochs=3, batch_size=4,
                    record_multipliers=True)
    assert len(history.multipliers) == 4
    assert all(a.shape == (15, n_out) for a in history.multipliers)
    assert history.arrays()["multipliers"].shape == (4, 15, n_out)
    np.testing.assert_array_equal(history.multipliers[-1], history.final_multipliers)
    np.testing.assert_array_equal(history.multipliers[0], 0)
    # an example is active when any of its multipliers is nonzero (Minnorm Fig. 6C)
    active = [np.mean(np.any(alpha != 0, axis=1)) for alpha in history.multipliers]
    np.testing.assert_allclose(history["nonzero_multipliers"], active, rtol=1e-15)
    plain = train(Network((4, 5, n_out)), MinnormClassification(0.1, s=0.5), data, epochs=1)
    assert plain.multipliers == [] and "multipliers" not in plain.arrays()


@pytest.mark.parametrize("algorithm", [GradientDescent(0.2, loss="bce"),
                                       MinnormClassification(0.1, s=0.5, rho=0.1)], ids=["gd", "minnorm"])
def test_float32_runs_stay_float32_and_follow_float64(algorithm):
    data = classification_data(20, n_in=3, n_classes=2, seed=13)
    network = Network((3, 6, 1), activation="sigmoid", bias=True)
    runs = {dtype: train(network, algorithm, data, epochs=4, batch_size=5, seed=1, dtype=dtype)
            for dtype in (np.float32, np.float64)}
    assert all(p.dtype == np.float32 for p in runs[np.float32].final_params)
    if algorithm.multipliers:
        assert runs[np.float32].final_multipliers.dtype == np.float32
    assert runs[np.float32].settings["dtype"] == "float32"
    np.testing.assert_allclose(runs[np.float32]["train_loss"], runs[np.float64]["train_loss"], rtol=1e-4)
    for p, q in zip(runs[np.float32].final_params, runs[np.float64].final_params):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- saving


def _small_history():
    return train(Network((4, 5, 1)), MinnormClassification(0.1, s=0.5), classification_data(10, n_classes=2),
                 epochs=3, record_multipliers=True, seed=2)


def test_history_round_trips_through_npz(tmp_path):
    history = _small_history()
    path = history.save(tmp_path / "run.npz")
    assert os.listdir(tmp_path) == ["run.npz"]  # no temporary file left behind
    with np.load(path) as saved:
        np.testing.assert_array_equal(saved["epoch"], history.epochs)
        for name in history.metrics:
            np.testing.assert_array_equal(saved[name], history[name])
        np.testing.assert_array_equal(saved["multipliers"], np.stack(history.multipliers))
        assert json.loads(str(saved["settings"])) == history.settings
        assert str(saved["status"]) == "done" and str(saved["backend"]) == "numpy"


def test_history_round_trips_through_netcdf(tmp_path):
    xr = pytest.importorskip("xarray")
    history = _small_history()
    path = history.save(tmp_path / "run.nc")
    assert os.listdir(tmp_path) == ["run.nc"]
    with xr.open_dataset(path) as saved:
        np.testing.assert_array_equal(saved["epoch"].values, history.epochs)
        for name in history.metrics:
            np.testing.assert_array_equal(saved[name].values, history[name])
        np.testing.assert_array_equal(saved["multipliers"].values, np.stack(history.multipliers))
        assert json.loads(saved.attrs["settings"]) == history.settings
        assert saved.attrs["status"] == "done"


@pytest.mark.parametrize("name", ["run.csv", "run.json", "run", "run.npz.txt"])
def test_history_refuses_other_extensions(tmp_path, name):
    with pytest.raises(OutputPathError):
        _small_history().save(tmp_path / name)
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- backends


def test_numpy_backend():
    backend = get_backend("numpy")
    assert backend.name == "numpy" and backend.xp is np
    assert get_backend(backend) is backend


def test_unknown_backend_is_refused():
    with pytest.raises(BackendError):
        get_backend("bogus")
    with pytest.raises(BackendError):
        train(Network((4, 3)), GradientDescent(0.1), classification_data(10), epochs=1, backend="bogus")


def test_auto_backend_is_cupy_exactly_when_a_gpu_works():
    reason = gpu_unavailable_reason()
    assert get_backend("auto").name == ("cupy" if reason is None else "numpy")
    if reason is not None:
        assert "\n" not in reason
        with pytest.raises(BackendError):
            get_backend("cupy")


@pytest.mark.parametrize("algorithm", [GradientDescent(0.2, loss="softmax_ce", weight_decay=0.01),
                                       MinnormClassification(0.1, s=0.5, rho=0.1)], ids=["gd", "minnorm"])
def test_cupy_training_matches_numpy(algorithm):
    reason = gpu_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    data = classification_data(40, seed=12)
    network = Network((4, 16, 3), activation="relu", bias=True)
    runs = [train(network, algorithm, data, epochs=5, batch_size=8, seed=3, backend=name, record_multipliers=True)
            for name in ("numpy", "cupy")]
    assert [run.backend for run in runs] == ["numpy", "cupy"]
    for name in runs[0].metrics:
        np.testing.assert_allclose(runs[1][name], runs[0][name], rtol=1e-10, atol=1e-12)
    for p, q in zip(runs[1].final_params, runs[0].final_params):
        assert isinstance(p, np.ndarray)
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(runs[1].final_multipliers, runs[0].final_multipliers, rtol=1e-10, atol=1e-12)
