"""``dynsys train``: bad input is one line and exit 2; a fit records and saves; a diverging run stops and says where."""

import json
import shutil

import numpy as np
import pytest

from dynsys.cli import main
from dynsys.train.backend import gpu_unavailable_reason
from dynsys.train.datasets import MNIST_DIR


def _one_line_error(capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dynsys: error: "), err
    assert expected in err, err
    return err


@pytest.mark.parametrize("argv, expected", [
    (["train", "no_such_experiment"], "unknown experiment 'no_such_experiment'"),
    (["train", "fit", "--backend", "tpu"], "unknown backend 'tpu'"),
    (["train", "fit", "--algorithm", "adam"], "unknown algorithm 'adam'"),
    (["train", "fit", "--eta", "0"], "learning rate eta must be positive"),
    (["train", "fit", "--eta", "-0.1"], "learning rate eta must be positive"),
    (["train", "fit", "--algorithm", "minnorm", "--s", "-1"], "multiplier step s must be positive"),
    (["train", "fit", "--batch-size", "0"], "batch size must be a positive integer"),
    (["train", "fit", "--batch-size", "-5"], "batch size must be a positive integer"),
    (["train", "fit", "--batch-size", "100000"], "larger than the training set"),
    (["train", "fit", "--data", "cifar"], "unknown data set 'cifar'"),
    (["train", "fit", "--loss", "l7"], "unknown loss 'l7'"),
    (["train", "fit", "--activation", "gelu"], "unknown activation 'gelu'"),
    (["train", "fit", "--out", "record.txt"], "--out must end in .npz or .nc"),
    (["train", "mnist", "--seeds", "0"], "--seeds must be at least 1"),
    (["train", "fit", "--data", "student_teacher", "--loss", "softmax_ce"], "needs class labels"),
    (["train", "fit", "--data", "separable_2d", "--loss", "softmax_ce"],
     "loss 'softmax_ce' on 2 classes needs at least 2"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, expected):
    _one_line_error(capsys, argv, expected)


def test_cupy_where_it_cannot_run_is_an_error_not_a_fallback(capsys):
    reason = gpu_unavailable_reason()
    if reason is None:
        pytest.skip("a GPU works here: the CuPy backend runs (tests/train/test_loop.py compares it with NumPy)")
    _one_line_error(capsys, ["train", "fit", "--data", "iris", "--epochs", "1", "--backend", "cupy"], reason)


def test_auto_says_which_backend_ran(capsys):
    assert main(["train", "fit", "--data", "iris", "--hidden", "5", "--epochs", "2", "--backend", "auto",
                 "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["backend"] == ("numpy" if gpu_unavailable_reason() else "cupy")


def test_corrupted_mnist_file_is_a_checksum_error(capsys, tmp_path, monkeypatch):
    corrupt = tmp_path / "mnist"
    shutil.copytree(MNIST_DIR, corrupt)
    labels = corrupt / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(labels.read_bytes())
    data[len(data) // 2] ^= 0xFF
    labels.chmod(0o644)
    labels.write_bytes(bytes(data))
    monkeypatch.setenv("DYNSYS_MNIST_DIR", str(corrupt))
    _one_line_error(capsys, ["train", "mnist", "--quick"], "checksum mismatch")


def test_fit_records_every_epoch_and_saves_netcdf_or_npz(capsys, tmp_path):
    pytest.importorskip("xarray")
    out = tmp_path / "record.nc"
    assert main(["train", "fit", "--data", "iris", "--hidden", "8", "--epochs", "6", "--eta", "0.2",
                 "--out", str(out), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "done" and document["widths"] == [4, 8, 3]
    import xarray

    with xarray.open_dataset(out) as saved:
        assert list(saved["epoch"].values) == list(range(7))
        assert saved["train_loss"].values[-1] == pytest.approx(document["rows"][0]["train_loss"], rel=1e-12)
        assert saved["train_loss"].values[-1] < saved["train_loss"].values[0]
    out = tmp_path / "minnorm.npz"
    assert main(["train", "fit", "--data", "digits", "--algorithm", "minnorm", "--eta", "0.001", "--s", "0.01",
                 "--rho", "0.3", "--batch-size", "64", "--epochs", "3", "--record-multipliers", "--out", str(out),
                 "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    saved = np.load(out)
    assert saved["multipliers"].shape == (4, document["examples"][0], 10)
    assert sum(document["examples"]) <= 1797 and document["examples"][0] == int(0.6 * 1797)
    assert saved["nonzero_multipliers"][-1] == pytest.approx(
        np.mean((saved["multipliers"][-1] != 0).any(axis=1)))


def test_diverging_run_stops_says_where_and_keeps_the_record(capsys, tmp_path):
    out = tmp_path / "diverged.npz"
    status = main(["train", "fit", "--data", "student_teacher", "--hidden", "20", "--eta", "50", "--epochs", "50",
                   "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 1
    assert "diverged at epoch" in captured.out
    saved = np.load(out)
    epoch = int(captured.out.split("diverged at epoch ")[1].split(":")[0])
    assert list(saved["epoch"]) == list(range(epoch))
    assert np.all(np.isfinite(saved["train_loss"]))
    assert str(saved["status"]) == "diverged"
