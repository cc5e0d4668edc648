"""The MNIST study (Minnorm sec. 4, Table 1): the quick run end to end, the table against its records."""

import json

import numpy as np
import pytest

from dynsys.cli import main
from dynsys.train import MinnormClassification, Network, train
from dynsys.train.experiments import mnist


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """``dynsys train mnist --quick --json --out DIR`` once for the module: (document, out dir)."""
    out = tmp_path_factory.mktemp("mnist")
    assert main(["train", "mnist", "--quick", "--json", "--out", str(out)]) == 0
    with open(out / "mnist_table.json") as handle:
        return json.load(handle), out


def test_document_says_the_data_differ_and_names_every_method(quick):
    document, _ = quick
    assert document["experiment"] == "mnist" and document["backend"] == "numpy"
    assert "data differ" in document["note"] and "ranking" in document["note"]
    assert [r["method"] for r in document["rows"]] == list(mnist.METHODS)
    assert all(r["seeds"] == len(mnist.QUICK.seeds) and not r["diverged"] for r in document["rows"])
    printed = document["printed_minnorm_sgd"]  # App. D.4 as printed: what happened is computed, not written
    assert printed.startswith("App. D.4") and (": diverged, diverged at epoch" in printed or ": done," in printed)
    sources = {r["method"]: r["settings"] for r in document["rows"]}
    assert sources["sgd"].startswith("App. D.1") and sources["minnorm_sgd"].startswith("tuned")


def test_table_rows_are_the_records_at_the_validation_chosen_epoch(quick):
    document, out = quick
    for row in document["rows"]:
        records = [np.load(out / f"mnist_{row['method']}_seed{seed}.npz") for seed in mnist.QUICK.seeds]
        stops = [int(r["epoch"][np.argmin(r["validation_error"])]) for r in records]
        assert row["stopping_epoch"] == stops
        for metric in ("validation_error", "train_error", "test_error"):
            values = [100 * r[metric][list(r["epoch"]).index(e)] for r, e in zip(records, stops)]
            assert row[metric]["mean"] == pytest.approx(np.mean(values), abs=1e-12)
            assert row[metric]["std"] == pytest.approx(np.std(values, ddof=1), abs=1e-12)
        if row["method"].startswith("minnorm"):
            assert 0 <= row["nonzero_multipliers"] <= 1
    ranked = sorted(document["rows"], key=lambda r: r["test_error"]["mean"])
    assert document["ranking"] == [r["method"] for r in ranked]
    assert document["ranking_agrees"] == (document["ranking"] == document["paper_ranking"])


def test_weight_decay_is_the_grid_value_with_the_smallest_validation_error(quick):
    document, _ = quick
    scores = {float(g): e for g, e in document["weight_decay_validation_error"].items()}
    assert set(scores) == set(mnist.QUICK.weight_decay_grid)
    row = next(r for r in document["rows"] if r["method"] == "weight_decay")
    assert row["weight_decay"] == min(scores, key=scores.get)


def test_every_method_learns_something(quick):
    """Chance is 90 % error on ten balanced classes; every method must do clearly better within the quick run."""
    document, _ = quick
    for row in document["rows"]:
        assert row["train_error"]["mean"] < 60, row


def test_app_d4_minibatch_settings_diverge_here_in_the_second_epoch():
    """The module's reason for tuning Minnorm SGD: App. D.4 as printed (rho = 0, eta = 1e-5, s = 7.8125)."""
    split = mnist.data()
    history = train(Network(mnist.WIDTHS), MinnormClassification(1e-5, s=7.8125), split.train, 3, 128,
                    dtype=np.float32)
    assert history.status == "diverged" and history.message.startswith("diverged at epoch 2")
    assert history.epochs == [0, 1]
