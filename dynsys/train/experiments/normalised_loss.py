"""Theory III Fig. 1 and Fig. 8 on small networks: the cross-entropy of normalised networks across initialisations.

Theory III (Poggio et al.) trains networks from Gaussian initialisations of
different standard deviations to zero training error and compares their losses
(Fig. 1): test against training cross-entropy is scattered for the networks as
trained (left) but lies on a line of slope 1 with a positive intercept for the
*normalised* networks, each layer's weight matrix divided by its Frobenius norm
(right). Fig. 8 plots the normalised test loss against the test error, a linear
relation, and scales the normalised network by ``rho`` to see where the
relation disappears ("around rho = 4").

Here the networks are fully connected ReLU networks without biases,
``64 - 128 - 128 - 10``, on scikit-learn's 8 x 8 digits (1,000 training / 797
test images, stratified, seed 0), not the paper's 3-layer convolutional
networks on CIFAR-10. Biases are left out because the normalisation rests on
positive homogeneity: for ``f(x) = W_3^T s(W_2^T s(W_1^T x))`` with ReLU ``s``
and ``W_k = rho_k V_k``, ``f(W) = prod_k rho_k f(V)``, so the normalised
network is ``f / prod_k |W_k|_F``; a bias would break the identity (and
``rho`` would not be a scale of the network). Each network is initialised with
He's standard deviation ``sqrt(2 / n_in)`` multiplied by a factor (0.5 to 8,
so the outputs at initialisation differ by a factor up to ``16^3``) and a seed,
and trained by minibatch SGD on the softmax cross-entropy (``eta = 0.05``,
batches of 32) for a fixed budget of epochs; every run records whether and by
which epoch it reached zero training error. The study keeps, per network, the
weights, their Frobenius norms and the outputs (logits) on the training and
test sets, as trained and normalised; the losses, errors and the scaled
networks ``rho f_normalised`` are computed from them, and the fits use the
networks at zero training error, as Fig. 1 does. :func:`study` trains once per
process and keeps the result on disk (:func:`cache_path`), so the claims and
the figure share one study.
"""

import dataclasses
import functools
import hashlib
import inspect
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...fits import fit_line
from ...io import atomic_open
from ..algorithms import GradientDescent
from ..datasets import load_digits, split
from ..losses import classification_error, get_loss
from ..loop import train
from ..network import Network

PAPER = "theory3"
NOTE = ("The data and networks differ from the paper's: it trains 3-layer convolutional networks on CIFAR-10; here "
        "bias-free fully connected ReLU networks {widths} on scikit-learn's 8x8 digits ({train:,} training / "
        "{test:,} test images).")
LINEAR_R2 = 0.9
PAPER_RHO = 4.0
VERSION = 1


@dataclass(frozen=True)
class Settings:
    """The networks (widths, initialisation factors of He's scale, seeds), the training budget and the data split."""

    widths: tuple = (64, 128, 128, 10)
    factors: tuple = (0.5, 0.71, 1.0, 1.41, 2.0, 2.83, 4.0, 5.66, 8.0)
    seeds: tuple = (0, 1, 2)
    epochs: int = 300
    batch_size: int = 32
    eta: float = 0.05
    split: tuple = (1000, 797)
    record_every: int = 10
    rhos: tuple = tuple(float(r) for r in np.round(10 ** (np.arange(-4, 41) / 8), 6))


FULL = Settings()
QUICK = Settings(factors=(0.5, 1.0, 2.0, 4.0, 8.0), seeds=(0, 1), epochs=200, split=(600, 600), record_every=10)


@dataclass
class Study:
    """Per network ``i``: its initialisation ``factors[i]``, ``seeds[i]``; its weights and their Frobenius norms;
    logits on the training and test sets as trained and normalised; the first recorded epoch with zero training
    error (-1 if none; every ``settings.record_every`` epochs); and the labels."""

    settings: Settings
    factors: np.ndarray
    seeds: np.ndarray
    weights: list
    norms: np.ndarray
    train_logits: np.ndarray
    test_logits: np.ndarray
    normalised_train_logits: np.ndarray
    normalised_test_logits: np.ndarray
    zero_error_epoch: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    seconds: float = 0.0
    from_cache: bool = False

    @property
    def network(self):
        return Network(self.settings.widths, "relu", bias=False)

    @property
    def reached_zero(self):
        """Whether each network, as trained (its final epoch), has zero training error."""
        return errors(self.train_logits, self.y_train) == 0


def data(settings):
    """The digits split ``settings.split = (train, test)``, stratified, seed 0 (no validation part)."""
    n_train, n_test = settings.split
    return split(load_digits(), (n_train, 0, n_test), seed=0)


def sigma_w(factor):
    """The initialisation scale: He's ``sqrt 2`` (weights ``N(0, sigma_w^2 / n_in)``) times ``factor``."""
    return float(np.sqrt(2.0) * factor)


def normalise(weights):
    """Theory III's normalised network: each layer's weight matrix divided by its Frobenius norm; with the norms."""
    norms = np.array([np.linalg.norm(W) for W in weights])
    return [W / rho for W, rho in zip(weights, norms)], norms


def _first_zero_error(history):
    errors = history["train_error"]
    hits = np.flatnonzero(errors == 0)
    return int(history.epochs[hits[0]]) if hits.size else -1


def _train_one(network, parts, settings, factor, seed):
    history = train(network, GradientDescent(settings.eta, loss="softmax_ce"), parts, settings.epochs,
                    settings.batch_size, seed=seed, sigma_w=sigma_w(factor), record_every=settings.record_every)
    if history.status != "done":
        raise RuntimeError(f"factor {factor}, seed {seed}: {history.message}")
    return history


def run(quick=False, settings=None):
    """Train every (factor, seed) network of ``settings`` (default FULL or QUICK) and return the :class:`Study`."""
    settings = settings or (QUICK if quick else FULL)
    parts = data(settings)
    network = Network(settings.widths, "relu", bias=False)
    started = time.perf_counter()
    grid = [(f, s) for f in settings.factors for s in settings.seeds]
    weights, zero = [], []
    for factor, seed in grid:
        history = _train_one(network, parts, settings, factor, seed)
        weights.append(history.final_params)
        zero.append(_first_zero_error(history))
    return _study(settings, grid, weights, zero, parts, time.perf_counter() - started)


def _study(settings, grid, weights, zero, parts, seconds, from_cache=False):
    network = Network(settings.widths, "relu", bias=False)
    normalised, norms = zip(*(normalise(w) for w in weights))

    def logits(params, X):
        return np.stack([network.forward(np, p, X) for p in params])

    return Study(settings, np.array([f for f, _ in grid]), np.array([s for _, s in grid]), weights,
                 np.array(norms), logits(weights, parts.train.X),
                 logits(weights, parts.test.X), logits(normalised, parts.train.X), logits(normalised, parts.test.X),
                 np.asarray(zero), parts.train.y, parts.test.y, seconds, from_cache)


# ---------------------------------------------------------------- the cache


def cache_dir():
    """``$DYNSYS_CACHE_DIR/experiments``, else ``$XDG_CACHE_HOME/dynsys/experiments``, else ``~/.cache/...``."""
    root = os.environ.get("DYNSYS_CACHE_DIR")
    if not root:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                            "dynsys")
    return Path(root) / "experiments"


def _source_stamp():
    """A hash of the code the trained networks depend on: the training engine's modules and this module's training
    functions (the analysis below them may change without invalidating the cache)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*.py")):
        digest.update(path.read_bytes())
    for function in (data, sigma_w, normalise, _first_zero_error, _train_one, run, _study):
        digest.update(inspect.getsource(function).encode())
    return digest.hexdigest()[:16]


def cache_path(settings):
    """The ``.npz`` file of ``settings``' study, named by a hash of the settings and of the training sources."""
    key = json.dumps({"settings": dataclasses.asdict(settings), "version": VERSION, "numpy": np.__version__,
                      "source": _source_stamp()}, sort_keys=True)
    return cache_dir() / f"theory3_normalised_{hashlib.sha256(key.encode()).hexdigest()[:20]}.npz"


def save(study, path):
    """Write the trained weights and the run record of ``study`` to ``path`` (``.npz``) atomically."""
    arrays = {"factors": study.factors, "seeds": study.seeds, "zero_error_epoch": study.zero_error_epoch,
              "seconds": np.asarray(study.seconds)}
    for k in range(len(study.settings.widths) - 1):
        arrays[f"W{k + 1}"] = np.stack([w[k] for w in study.weights])
    arrays.update(train_logits=study.train_logits, test_logits=study.test_logits)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    os.makedirs(os.path.dirname(os.fspath(path)), exist_ok=True)
    with atomic_open(path) as handle:
        handle.write(buffer.getvalue())
    return path


def load(settings, path):
    """The :class:`Study` saved at ``path`` (logits recomputed from the weights and checked against the saved)."""
    with np.load(path) as saved:
        depth = len(settings.widths) - 1
        stacked = [saved[f"W{k + 1}"] for k in range(depth)]
        weights = [[stacked[k][i] for k in range(depth)] for i in range(len(saved["factors"]))]
        grid = list(zip(saved["factors"].tolist(), saved["seeds"].tolist()))
        study = _study(settings, grid, weights, saved["zero_error_epoch"], data(settings), float(saved["seconds"]),
                       from_cache=True)
        if not np.allclose(study.test_logits, saved["test_logits"], rtol=1e-10, atol=1e-10):
            raise ValueError(f"{path}: saved logits do not match the saved weights")
    return study


@functools.cache
def study(quick=False, use_cache=True):
    """:func:`run` once per process (claims and figure share it); with ``use_cache`` read or written on disk."""
    settings = QUICK if quick else FULL
    path = cache_path(settings)
    if use_cache and path.is_file():
        try:
            return load(settings, path)
        except (OSError, ValueError, KeyError):
            pass
    result = run(settings=settings)
    if use_cache:
        try:
            save(result, path)
        except OSError:
            pass
    return result


# ---------------------------------------------------------------- losses and fits


def cross_entropy(logits, y):
    """Mean softmax cross-entropy of ``logits`` (P, K) or (n, P, K) against labels ``y``: one value per network."""
    loss = get_loss("softmax_ce")
    logits = np.asarray(logits)
    if logits.ndim == 2:
        return float(loss.value(np, logits, y).mean())
    return np.array([loss.value(np, f, y).mean() for f in logits])


def errors(logits, y):
    """Classification error (arg-max) of each network's ``logits`` (n, P, K)."""
    return np.array([classification_error(np, f, y) for f in logits])


def losses(study):
    """Per network: training and test cross-entropy as trained and normalised, training and test error."""
    return {"train_loss": cross_entropy(study.train_logits, study.y_train),
            "test_loss": cross_entropy(study.test_logits, study.y_test),
            "normalised_train_loss": cross_entropy(study.normalised_train_logits, study.y_train),
            "normalised_test_loss": cross_entropy(study.normalised_test_logits, study.y_test),
            "train_error": errors(study.train_logits, study.y_train),
            "test_error": errors(study.test_logits, study.y_test)}


def scaled_test_losses(study, rhos=None, keep=None):
    """Test cross-entropy of the scaled normalised networks ``rho f_normalised`` (Theory III Fig. 8): (n_rho, n).

    ``keep`` (a boolean mask over networks) selects networks; all by default.
    """
    rhos = study.settings.rhos if rhos is None else rhos
    logits = study.normalised_test_logits if keep is None else study.normalised_test_logits[keep]
    return np.array([cross_entropy(rho * logits, study.y_test) for rho in rhos])


def linearity(study, rhos=None, keep=None):
    """Per ``rho``: the line fit (``dynsys.fits.fit_line``) of test loss against test error across networks."""
    rhos = study.settings.rhos if rhos is None else rhos
    logits = study.normalised_test_logits if keep is None else study.normalised_test_logits[keep]
    error = errors(logits, study.y_test)
    return [fit_line(error, loss) for loss in scaled_test_losses(study, rhos, keep)]


def disappearance(rhos, fits, threshold=LINEAR_R2):
    """Where the linear relation of Fig. 8 holds along the ``rho`` grid: ``R^2 >= threshold``.

    Returns ``rho_peak`` (largest ``R^2``), ``rho_on`` (the first ``rho`` with ``R^2 >= threshold``),
    ``rho_off`` (the first ``rho`` above the peak with ``R^2 < threshold``: where the relation disappears),
    ``linear_from`` / ``linear_to`` (the stretch around the peak where it holds); None where there is none.
    """
    rhos = np.asarray(rhos, float)
    r2 = np.array([f.r2 for f in fits])
    peak = int(np.argmax(r2))
    linear = r2 >= threshold
    out = {"rho_peak": float(rhos[peak]), "r2_peak": float(r2[peak]), "rho_on": None, "rho_off": None,
           "linear_from": None, "linear_to": None}
    if linear.any():
        out["rho_on"] = float(rhos[np.argmax(linear)])
    if linear[peak]:
        start, end = peak, peak
        while start > 0 and linear[start - 1]:
            start -= 1
        while end + 1 < len(r2) and linear[end + 1]:
            end += 1
        out["linear_from"], out["linear_to"] = float(rhos[start]), float(rhos[end])
        if end + 1 < len(r2):
            out["rho_off"] = float(rhos[end + 1])
    return out


def logit_scale(study, keep=None):
    """The median over networks of the RMS of the normalised test logits: ``rho`` times it is the logits' size."""
    logits = study.normalised_test_logits if keep is None else study.normalised_test_logits[keep]
    return float(np.median(np.sqrt((logits ** 2).mean(axis=(1, 2)))))


def summary(study):
    """The numbers the claims and the figure report, over the networks that reached zero training error (as in
    Theory III Fig. 1): the Fig. 1 fits, the Fig. 8 curve ``R^2(rho)`` and where it changes."""
    keep = study.reached_zero
    values = {name: value[keep] for name, value in losses(study).items()}
    fits = linearity(study, keep=keep)
    return {"keep": keep, "losses": values,
            "normalised_fit": fit_line(values["normalised_train_loss"], values["normalised_test_loss"]),
            "unnormalised_fit": fit_line(values["train_loss"], values["test_loss"]),
            "gap": values["normalised_test_loss"] - values["normalised_train_loss"],
            "rhos": np.asarray(study.settings.rhos), "fits": fits, "r2": np.array([f.r2 for f in fits]),
            "where": disappearance(study.settings.rhos, fits), "logit_scale": logit_scale(study, keep)}


def note(settings):
    return NOTE.format(widths="-".join(map(str, settings.widths)), train=settings.split[0], test=settings.split[1])
