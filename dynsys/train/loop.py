"""The training loop: epochs of shuffled minibatches, metrics recorded after every epoch.

One loop for every algorithm and backend: the data go to the backend's device
once, each epoch steps the algorithm over a seeded permutation cut into
batches of ``Q`` (the last one shorter if ``Q`` does not divide ``P``), and
the metrics of :mod:`dynsys.train.metrics` are recorded before the first step
(epoch 0) and after each epoch. A run whose training loss stops being finite
ends there with status ``diverged``, keeping the epochs recorded before.
"""

import sys
import time

import numpy as np

from .backend import get_backend
from .history import History
from .losses import get_loss, is_classification
from .metrics import evaluate


class TrainingError(ValueError):
    """Training settings that cannot run (a user error)."""


def _parts(data):
    """``{"train": Dataset, "validation": ..., "test": ...}`` from a Split or a single Dataset."""
    if hasattr(data, "train"):
        return {name: getattr(data, name) for name in ("train", "validation", "test")
                if getattr(data, name, None) is not None and getattr(data, name).X.shape[0] > 0}
    return {"train": data}


def default_evaluation_loss(algorithm, y):
    """The loss recorded for ``algorithm``: its own, else squared error (regression) or hinge (Minnorm eq. 58)."""
    if hasattr(algorithm, "loss"):
        return algorithm.loss
    return get_loss("hinge" if is_classification(y) and algorithm.name == "minnorm" else "squared")


def check_labels(loss, y, n_out):
    """A TrainingError unless the labels ``y`` (host array) suit ``loss`` on a network with ``n_out`` outputs."""
    if not loss.classification:
        if not is_classification(y) and y.reshape(len(y), -1).shape[1] != n_out:
            raise TrainingError(f"the network has {n_out} outputs, the targets have {y.reshape(len(y), -1).shape[1]}")
        return
    if not is_classification(y):
        raise TrainingError(f"loss {loss.name!r} needs class labels, the data have regression targets; "
                            "use the squared loss")
    n_classes = int(np.max(y)) + 1 if len(y) else 0
    if n_out == 1 and n_classes > 2 or n_out > 1 and n_classes > n_out or loss.name == "softmax_ce" and n_out < 2:
        raise TrainingError(f"loss {loss.name!r} on {n_classes} classes needs "
                            f"{'at least 2' if loss.name == 'softmax_ce' else 'one output per class, or one for two'}"
                            f" outputs; the network has {n_out}")


def _batch_size(batch_size, n_train):
    if batch_size is None:
        return n_train
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise TrainingError(f"batch size must be a positive integer, got {batch_size!r}")
    if batch_size > n_train:
        raise TrainingError(f"batch size {batch_size} is larger than the training set ({n_train} examples)")
    return int(batch_size)


def train(network, algorithm, data, epochs, batch_size=None, *, backend="numpy", seed=0, params=None,
          sigma_w=None, dtype=np.float64, evaluation_loss=None, record_every=1, record_multipliers=False,
          record_params=False, progress=False, label=None):
    """Train ``network`` with ``algorithm`` on ``data`` for ``epochs`` epochs; returns a :class:`History`.

    ``data`` is a Dataset (train only) or a Split (train/validation/test, each
    recorded). ``batch_size=None`` is full batch. ``params`` (NumPy arrays)
    overrides the seeded initialisation ``network.init(sigma_w=..., seed=seed)``.
    Metrics are recorded every ``record_every`` epochs (and at the last);
    ``record_multipliers`` keeps Minnorm's alpha there too, ``record_params``
    the parameters (for small networks and flow comparisons). ``progress``
    shows a bar with the running metrics on stderr, titled ``label``.
    """
    bk = get_backend(backend)
    xp = bk.xp
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise TrainingError(f"epochs must be a non-negative integer, got {epochs!r}")
    host = _parts(data)
    for part in host.values():
        for checked in {getattr(algorithm, "loss", None), evaluation_loss and get_loss(evaluation_loss)} - {None}:
            check_labels(checked, np.asarray(part.y), network.widths[-1])
    parts = {name: (bk.asarray(part.X, dtype), bk.asarray(part.y)) for name, part in host.items()}
    X_train, y_train = parts["train"]
    n_train = X_train.shape[0]
    if X_train.shape[1] != network.widths[0]:
        raise TrainingError(f"the network takes {network.widths[0]} inputs, the data have {X_train.shape[1]}")
    Q = _batch_size(batch_size, n_train)
    if isinstance(record_every, bool) or not isinstance(record_every, (int, np.integer)) or record_every < 1:
        raise TrainingError(f"record_every must be a positive integer, got {record_every!r}")
    if params is None:
        params = network.init(xp, sigma_w=sigma_w, seed=seed, dtype=dtype)
    else:
        params = [bk.asarray(np.array(p, dtype=dtype)) for p in params]
    loss = get_loss(evaluation_loss) if evaluation_loss is not None else default_evaluation_loss(algorithm, y_train)
    state = algorithm.start(xp, network, params, n_train)
    history = History(settings={**algorithm.settings(), "widths": list(network.widths),
                                "activation": network.activation, "bias": network.bias, "epochs": epochs,
                                "batch_size": Q, "seed": seed, "dtype": np.dtype(dtype).name,
                                "evaluation_loss": loss.name},
                      backend=bk.name)
    shuffle = np.random.default_rng([seed, 1])
    started = time.perf_counter()

    def record(epoch, row):
        history.append(epoch, row,
                       multipliers=bk.to_numpy(state["alpha"]).copy() if record_multipliers and "alpha" in state
                       else None,
                       params=[bk.to_numpy(p).copy() for p in current()] if record_params else None)

    def current():
        return algorithm.parameters(xp, network, state)

    def metrics():
        return evaluate(xp, network, current(), parts, loss, state.get("alpha"))

    bar = _progress_bar(epochs, label or algorithm.name) if progress else None
    record(0, metrics())
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below, not warned about
        for epoch in range(1, epochs + 1):
            order = np.arange(n_train) if Q == n_train else shuffle.permutation(n_train)
            for start in range(0, n_train, Q):
                index = bk.asarray(order[start:start + Q])
                algorithm.step(xp, network, state, index, X_train[index], y_train[index])
            if epoch % record_every and epoch != epochs:
                continue
            row = metrics()
            if not np.isfinite(row["train_loss"]):
                history.stop(f"diverged at epoch {epoch}: the training loss is not finite; "
                             f"epochs up to {history.epochs[-1]} recorded")
                break
            record(epoch, row)
            if bar is not None:
                bar.update(epoch - bar.n)
                bar.set_postfix({k: f"{v:.4g}" for k, v in row.items()
                                 if k in ("train_loss", "train_error", "validation_error")})
    if bar is not None:
        bar.close()
    bk.synchronize()
    history.seconds = time.perf_counter() - started
    history.final_params = [bk.to_numpy(p) for p in current()]
    if "alpha" in state:
        history.final_multipliers = bk.to_numpy(state["alpha"])
    return history


def _progress_bar(epochs, name):
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc=name, unit="epoch", file=sys.stderr)


def trajectory(network, algorithm, data, steps, params, *, alpha=None, limit=np.inf, backend="numpy",
               dtype=np.float64):
    """The full-batch iterates ``w_k``, k = 0..steps, as one array (steps + 1, n): variables flattened, then alpha.

    The discrete trajectory that DESIGN.md compares with the flow at ``t = k``;
    no metrics are computed, so it costs one algorithm step per row. ``alpha``
    starts Minnorm's multipliers (P, n_out) elsewhere than at 0. Stops early
    (fewer rows) once an iterate is not finite or exceeds ``limit`` in absolute value.
    """
    bk = get_backend(backend)
    xp = bk.xp
    X, y = bk.asarray(data.X, dtype), bk.asarray(data.y)
    index = xp.arange(X.shape[0])
    state = algorithm.start(xp, network, [bk.asarray(np.array(p, dtype=dtype)) for p in params], X.shape[0])
    if alpha is not None:
        state["alpha"][...] = bk.asarray(np.asarray(alpha, dtype=dtype).reshape(state["alpha"].shape))

    def flat():
        parts = [v.reshape(-1) for v in state["variables"]]
        if "alpha" in state:
            parts.append(state["alpha"].reshape(-1))
        return bk.to_numpy(xp.concatenate(parts))

    rows = [flat()]
    for _ in range(steps):
        algorithm.step(xp, network, state, index, X, y)
        rows.append(flat())
        if not np.abs(rows[-1]).max() <= limit:  # also stops on NaN
            break
    return np.stack(rows)
