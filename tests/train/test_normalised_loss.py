"""The normalised-loss study of Theory III Fig. 1 and Fig. 8 (``dynsys.train.experiments.normalised_loss``):
the normalisation, the losses against independent references, the fits, the disk cache."""

import dataclasses

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.metrics import log_loss

from dynsys.fits import LineFit
from dynsys.train.experiments import normalised_loss as nl

TINY = dataclasses.replace(nl.QUICK, factors=(1.0, 4.0), seeds=(0,), epochs=3, split=(100, 80))


@pytest.fixture(scope="module")
def quick():
    return nl.study(True)


def _forward(weights, X):
    """A bias-free ReLU network written out: ``h <- max(h W_k, 0)``, the last layer linear."""
    h = X
    for W in weights[:-1]:
        h = np.maximum(h @ W, 0.0)
    return h @ weights[-1]


def _reference_loss(logits, y):
    return float(-log_softmax(logits, axis=1)[np.arange(len(y)), y].mean())


def test_normalised_network_is_the_network_over_the_product_of_frobenius_norms(quick):
    """Theory III: for a bias-free ReLU net f(W) = prod_k rho_k f(V), V_k = W_k / |W_k|_F."""
    X = nl.data(quick.settings).test.X
    for i, weights in enumerate(quick.weights):
        normalised, norms = nl.normalise(weights)
        assert all(np.linalg.norm(V) == pytest.approx(1.0, abs=1e-14) for V in normalised)
        np.testing.assert_allclose(norms, [np.sqrt((W ** 2).sum()) for W in weights], rtol=1e-14)
        f, f_normalised = _forward(weights, X), _forward(normalised, X)
        np.testing.assert_allclose(quick.test_logits[i], f, rtol=1e-12, atol=1e-12 * np.abs(f).max())
        np.testing.assert_allclose(quick.normalised_test_logits[i], f_normalised, rtol=1e-12,
                                   atol=1e-12 * np.abs(f_normalised).max())
        np.testing.assert_allclose(f, np.prod(norms) * f_normalised, rtol=0, atol=1e-12 * np.abs(f).max())


def test_losses_match_scipy_and_sklearn(quick):
    values = nl.losses(quick)
    for i in range(len(quick.factors)):
        for name, logits, y in (("train_loss", quick.train_logits, quick.y_train),
                                ("test_loss", quick.test_logits, quick.y_test),
                                ("normalised_train_loss", quick.normalised_train_logits, quick.y_train),
                                ("normalised_test_loss", quick.normalised_test_logits, quick.y_test)):
            assert values[name][i] == pytest.approx(_reference_loss(logits[i], y), rel=1e-12, abs=1e-15)
        probabilities = np.exp(log_softmax(quick.normalised_test_logits[i], axis=1))
        assert values["normalised_test_loss"][i] == pytest.approx(
            log_loss(quick.y_test, probabilities, labels=range(10)), rel=1e-9)
        assert values["test_error"][i] == np.mean(quick.test_logits[i].argmax(axis=1) != quick.y_test)


def test_normalised_losses_sit_just_below_log_k(quick):
    """The normalised logits are tiny, so the normalised cross-entropy is just below ln 10 (uniform guess)."""
    values = nl.losses(quick)
    for name in ("normalised_train_loss", "normalised_test_loss"):
        assert np.all(values[name] < np.log(10)) and np.all(values[name] > np.log(10) - 0.1)


def test_scaled_losses_are_the_cross_entropy_of_rho_times_the_normalised_logits(quick):
    rhos = [0.5, 4.0, 3000.0]
    scaled = nl.scaled_test_losses(quick, rhos)
    for k, rho in enumerate(rhos):
        for i in range(len(quick.factors)):
            assert scaled[k, i] == pytest.approx(_reference_loss(rho * quick.normalised_test_logits[i], quick.y_test),
                                                 rel=1e-12)
    fits = nl.linearity(quick, rhos)
    error = nl.losses(quick)["test_error"]
    for fit, loss in zip(fits, scaled):
        assert fit.r2 == pytest.approx(np.corrcoef(error, loss)[0, 1] ** 2, rel=1e-9)


def test_disappearance_reads_the_r2_curve():
    def fits(r2):
        return [LineFit(1.0, 0.0, 0.0, 0.0, v, 3) for v in r2]

    rhos = [1, 2, 4, 8, 16, 32]
    where = nl.disappearance(rhos, fits([0.3, 0.92, 0.97, 0.91, 0.5, 0.95]))
    assert where == {"rho_peak": 4.0, "r2_peak": 0.97, "rho_on": 2.0, "rho_off": 16.0, "linear_from": 2.0,
                     "linear_to": 8.0}
    never = nl.disappearance(rhos, fits([0.3, 0.5, 0.6, 0.5, 0.4, 0.2]))
    assert never["rho_on"] is None and never["rho_off"] is None and never["rho_peak"] == 4.0
    stays = nl.disappearance(rhos, fits([0.3, 0.5, 0.6, 0.95, 0.96, 0.97]))
    assert stays["rho_on"] == 8.0 and stays["rho_off"] is None and stays["linear_to"] == 32.0


def test_quick_study_trains_every_network_to_zero_training_error(quick):
    settings = nl.QUICK
    assert len(quick.factors) == len(settings.factors) * len(settings.seeds)
    assert quick.reached_zero.all()
    assert np.all(nl.losses(quick)["train_error"] == 0)
    assert quick.train_logits.shape == (len(quick.factors), settings.split[0], 10)
    assert quick.test_logits.shape == (len(quick.factors), settings.split[1], 10)
    summary = nl.summary(quick)
    assert summary["keep"].all() and len(summary["fits"]) == len(settings.rhos)


def test_the_cache_round_trips_and_is_keyed_on_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNSYS_CACHE_DIR", str(tmp_path))
    path = nl.cache_path(TINY)
    assert path.parent == tmp_path / "experiments" and path != nl.cache_path(dataclasses.replace(TINY, epochs=4))
    fresh = nl.run(settings=TINY)
    nl.save(fresh, path)
    loaded = nl.load(TINY, path)
    assert loaded.from_cache and not fresh.from_cache
    np.testing.assert_array_equal(loaded.factors, fresh.factors)
    np.testing.assert_array_equal(loaded.zero_error_epoch, fresh.zero_error_epoch)
    np.testing.assert_array_equal(loaded.normalised_test_logits, fresh.normalised_test_logits)
    for a, b in zip(loaded.weights, fresh.weights):
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_a_corrupted_cache_is_rejected(tmp_path):
    fresh = nl.run(settings=TINY)
    path = tmp_path / "study.npz"
    nl.save(fresh, path)
    with np.load(path) as saved:
        arrays = dict(saved)
    arrays["W1"] = arrays["W1"] * 1.5
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="do not match"):
        nl.load(TINY, path)


def test_note_names_the_papers_data_and_ours():
    text = nl.note(nl.FULL)
    assert "CIFAR-10" in text and "convolutional" in text and "64-128-128-10" in text and "1,000" in text
