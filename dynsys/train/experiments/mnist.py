"""The MNIST study of Minnorm sec. 4 (Table 1, Fig. 6, 7) on the MNIST images dynsys ships.

Four methods train the paper's network (2 hidden layers of 800 ReLU units):
vanilla SGD and weight decay with App. D's settings, Minnorm with full batch
and Minnorm with minibatches (Alg. 2). Each run records its metrics per
epoch; the stopping epoch is the one with the smallest validation error, and
the table reports the errors there as mean +- standard deviation over seeds.
Weight decay's coefficient is chosen on validation from App. D.2's grid (with
the first seed), then trained with every seed.

Full-batch Minnorm runs with App. D.3's settings as printed. Minibatch
Minnorm with App. D.4's (``rho = 0, eta = 1e-5, s = 7.8125``) diverged here in
the second epoch when tuned (each study runs it again and reports what
happened): a multiplier changes only when its example
is visited, once per epoch, so within an epoch the stale multipliers keep
pushing the outputs of a whole batch the same way; with ``rho = 0`` nothing
damps the resulting oscillation (sec. 3.2 of the paper makes the same point
about ``rho``). The minibatch settings below were tuned on the validation
split (seed 0, up to 20 epochs): with ``rho = 0`` every ``(eta, s)`` tried
(``eta`` 1e-5 to 1e-4, ``s`` 1e-3 to 7.8) diverged or stalled near chance;
with ``rho = 0.3, eta = 1e-3``, ``s = 0.01`` underfits, ``s = 0.1`` and
``0.3`` train to below 0.5 % training error, and ``s >= 1`` (or ``rho = 0.1``)
diverges, so ``s = 0.1`` keeps a margin from instability. The table says
which settings came from where.
"""

import dataclasses
import functools
import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

from ..algorithms import GradientDescent, MinnormClassification, WeightDecay
from ..backend import get_backend
from ..datasets import mnist_directory, mnist_split
from ..history import History
from ..loop import train
from ..network import Network

PAPER = "minnorm"
NOTE = ("The data differ from the paper's: it trains on 50K MNIST training images with 10K for validation and 10K "
        "for test; dynsys ships only the official 10K MNIST test images and splits them {0:,} / {1:,} / {2:,} "
        "(stratified, seed 0). Compare the ranking of the methods, not the numbers.")
WIDTHS = (784, 800, 800, 10)
SPLIT_SIZES = (6000, 2000, 2000)
WEIGHT_DECAY_GRID = (1e-3, 5e-3, 1e-4, 5e-4, 1e-5, 5e-5)  # App. D.2
PAPER_TEST_ERROR = {"sgd": (1.82, 0.056), "weight_decay": (1.74, 0.051), "minnorm_bgd": (1.52, 0.054),
                    "minnorm_sgd": (1.46, 0.063)}  # Table 1, test error in %
MINNORM_SGD = {"eta": 1e-3, "s": 0.1, "rho": 0.3}  # tuned: App. D.4's settings diverge on these data
MINNORM_BGD = {"eta": 1e-3, "s": 2e-4, "rho": 0.0}  # App. D.3 as printed
PRINTED_MINNORM_SGD = {"eta": 1e-5, "s": 7.8125, "rho": 0.0}  # App. D.4, run once per study to report its fate
PRINTED_EPOCHS = 3


@dataclass(frozen=True)
class Method:
    """One row of Table 1: how to build its algorithm, its batch size, where its settings come from."""

    name: str
    label: str
    batch_size: int
    source: str

    def algorithm(self, weight_decay=None):
        if self.name == "sgd":
            return GradientDescent(0.1, loss="softmax_ce")
        if self.name == "weight_decay":
            return WeightDecay(0.1, weight_decay, loss="softmax_ce")
        return MinnormClassification(**(MINNORM_BGD if self.name == "minnorm_bgd" else MINNORM_SGD))


METHODS = {
    "sgd": Method("sgd", "Vanilla SGD", 128, "App. D.1: Q = 128, eta = 0.1 (softmax cross-entropy)"),
    "weight_decay": Method("weight_decay", "Weight decay", 128,
                           "App. D.2: Q = 128, eta = 0.1, gamma from the App. D.2 grid chosen on validation"),
    "minnorm_bgd": Method("minnorm_bgd", "Minnorm, BGD", None,
                          "App. D.3: full batch, rho = 0, eta = 0.001, s = 0.0002; one step per epoch"),
    "minnorm_sgd": Method("minnorm_sgd", "Minnorm, SGD", 128,
                          f"tuned: Q = 128, eta = {MINNORM_SGD['eta']:g}, s = {MINNORM_SGD['s']:g}, "
                          f"rho = {MINNORM_SGD['rho']:g} (App. D.4: rho = 0, eta = 1e-5, s = 7.8125; "
                          "how those run here is reported below the table)"),
}


@dataclass(frozen=True)
class Settings:
    """How long and how often: epochs of the minibatch methods, full-batch steps, seeds, the decay grid."""

    epochs: int
    full_batch_epochs: int
    full_batch_record_every: int
    seeds: tuple
    weight_decay_grid: tuple
    split: tuple = SPLIT_SIZES


FULL = Settings(epochs=30, full_batch_epochs=300, full_batch_record_every=10, seeds=(0, 1, 2, 3, 4),
                weight_decay_grid=WEIGHT_DECAY_GRID)
QUICK = Settings(epochs=5, full_batch_epochs=30, full_batch_record_every=5, seeds=(0, 1),
                 weight_decay_grid=(5e-4, 1e-4), split=(2000, 1000, 1000))


@dataclass
class Study:
    """The runs of the study: ``histories[method]`` one History per seed, and weight decay's selection."""

    settings: Settings
    backend: str
    quick: bool = False
    histories: dict = field(default_factory=dict)
    weight_decay_scores: dict = field(default_factory=dict)
    weight_decay: float = None
    printed_minnorm_sgd: str = ""
    seconds: float = 0.0


class StudyError(ValueError):
    """A run of the study that cannot be set up (a user error)."""


def data(quick=False):
    """The study's split of the MNIST images dynsys ships: 6,000 / 2,000 / 2,000 (quick: 2,000 / 1,000 / 1,000),
    stratified, seed 0."""
    return mnist_split(seed=0, sizes=(QUICK if quick else FULL).split)


def _split(sizes):
    return _split_in(tuple(sizes), mnist_directory())


@functools.lru_cache(maxsize=2)
def _split_in(sizes, directory):
    return mnist_split(seed=0, sizes=sizes)


def _run(method, split, settings, seed, backend, progress, weight_decay=None):
    full_batch = method.batch_size is None
    return train(Network(WIDTHS), method.algorithm(weight_decay), split,
                 settings.full_batch_epochs if full_batch else settings.epochs, method.batch_size,
                 backend=backend, seed=seed, dtype=np.float32, record_multipliers=False,
                 record_every=settings.full_batch_record_every if full_batch else 1,
                 progress=progress, label=f"{method.name} seed {seed}")


def train_seed(method, seed, settings=FULL, weight_decay=None, backend="numpy", progress=False):
    """One run of Table 1: ``method`` (a key of :data:`METHODS`) trained with ``seed`` on the split of
    ``settings`` for its epochs; weight decay needs its coefficient ``weight_decay``. A History."""
    if method not in METHODS:
        raise StudyError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    if method == "weight_decay" and weight_decay is None:
        raise StudyError("the weight_decay method needs its coefficient weight_decay (the study chooses it on "
                         "validation from App. D.2's grid)")
    return _run(METHODS[method], _split(tuple(settings.split)), settings, seed, backend, progress, weight_decay)


TABLE_METRICS = ("validation_error", "train_error", "test_error", "weight_norm", "capacity", "nonzero_multipliers")
RECORDED = ("train_loss", "train_error", "validation_loss", "validation_error", "test_loss", "test_error",
            "weight_norm", "capacity", "nonzero_multipliers")  # what the loop records on a split


def seed_errors(history):
    """What Table 1 takes from one run: the metrics at the validation-chosen epoch (errors as fractions; NaN
    multipliers for methods without them), that ``stopping_epoch``, and whether the run ``diverged``."""
    epoch = history.best_epoch("validation_error")
    at = history.at(epoch)
    return {"stopping_epoch": epoch, **{m: at.get(m, np.nan) for m in TABLE_METRICS},
            "diverged": history.status != "done"}


def history_record(history, settings):
    """``history`` as fixed-shape arrays and strings (a sweep point's results): the curves padded to
    ``max(epochs) + 1`` records, the final multipliers (NaN without). :func:`history_from_record` inverts it."""
    unknown = set(history.metrics) - set(RECORDED)
    if unknown:
        raise StudyError(f"cannot record metrics {', '.join(sorted(unknown))}")
    length, n = max(settings.epochs, settings.full_batch_epochs) + 1, len(history.epochs)
    out = {"recorded": n, "metrics": ",".join(history.metrics), "status": history.status, "message": history.message,
           "settings": json.dumps(history.settings), "backend": history.backend, "seconds": history.seconds,
           "epoch": np.pad(np.asarray(history.epochs, int), (0, length - n), constant_values=-1)}
    for name in RECORDED:
        out[f"curve_{name}"] = np.pad(np.asarray(history.metrics.get(name, []), float),
                                      (0, length - len(history.metrics.get(name, []))), constant_values=np.nan)
    alpha = history.final_multipliers
    out["final_multipliers"] = np.full((settings.split[0], WIDTHS[-1]), np.nan) if alpha is None else alpha
    return out


def history_from_record(record):
    """The History that :func:`history_record` wrote (``record``: its values, e.g. one point of a sweep)."""
    settings = json.loads(str(record["settings"]))
    n = int(record["recorded"])
    history = History(settings, str(record["backend"]), epochs=[int(e) for e in record["epoch"][:n]],
                      metrics={name: [float(v) for v in record[f"curve_{name}"][:n]]
                               for name in str(record["metrics"]).split(",") if name},
                      status=str(record["status"]), message=str(record["message"]), seconds=float(record["seconds"]))
    alpha = np.asarray(record["final_multipliers"])
    if not np.isnan(alpha).all():
        history.final_multipliers = alpha.astype(settings["dtype"])  # float32 -> float64 -> float32 is exact
    return history


def _blocks(seeds):
    """Consecutive seeds as ``(first, count)`` blocks: one sweep each (a sweep numbers its runs consecutively)."""
    blocks = []
    for seed in seeds:
        if blocks and seed == blocks[-1][0] + blocks[-1][1]:
            blocks[-1][1] += 1
        else:
            blocks.append([int(seed), 1])
    return blocks


def _axis(name, values):
    return f"{name}=" + ",".join(repr(float(v)) for v in values)


def _histories(names, seeds, settings, backend, executor, workers, progress, weight_decay=None, grid=()):
    """``{(name, seed, *grid values): History}`` of every method in ``names`` and every seed, from sweeps of the
    ``train`` kind's ``mnist`` target (one per block of consecutive seeds); ``grid``: more axis texts."""
    from dynsys.sweep import build, run_sweep

    order = tuple(METHODS)
    options = {"record": True, "backend": backend, "epochs": settings.epochs,
               "full_batch_epochs": settings.full_batch_epochs,
               "full_batch_record_every": settings.full_batch_record_every, "split": list(settings.split)}
    if weight_decay is not None:
        options["weight_decay"] = weight_decay
    out = {}
    for first, count in _blocks(seeds):
        spec = build("train", "mnist", [_axis("method", [order.index(n) for n in names]), *grid], seeds=count,
                     root_seed=first, options=options)
        dataset = run_sweep(spec, executor=executor, workers=workers, progress=progress)
        if dataset["failed"].any():
            raise RuntimeError(f"a run of the MNIST study failed: {next(e for e in dataset['error'].values.flat if e)}")
        for index in np.ndindex(dataset["failed"].shape):
            point = {name: variable.values[index] for name, variable in dataset.data_vars.items()}
            coords = [dataset[d].values[i] for d, i in zip(dataset["failed"].dims, index)]
            key = (order[int(coords[0])], first + int(coords[-1]), *(float(c) for c in coords[1:-1]))
            out[key] = history_from_record(point)
    return out


def run(quick=False, seeds=None, methods=None, backend="numpy", progress=False, workers=None):
    """Train every method with every seed on the seeded split (:func:`data`); return a :class:`Study`.

    The seeds (and weight decay's App. D.2 grid on the first seed) run as sweeps of the ``train`` kind
    (:mod:`dynsys.sweep.train_kinds`), in ``workers`` local processes (default one per CPU) on the NumPy
    backend, in this process on CuPy (a CUDA context does not survive a fork) or with ``workers=1``. Every run
    uses one BLAS thread, so its numbers do not depend on the executor or on the machine's number of cores.
    """
    settings = QUICK if quick else FULL
    if seeds is not None:
        settings = dataclasses.replace(settings, seeds=tuple(seeds))
    names = list(methods or METHODS)
    for name in names:
        if name not in METHODS:
            raise StudyError(f"unknown method {name!r}; choose from {', '.join(METHODS)}")
    name = get_backend(backend).name
    workers = int(workers or os.cpu_count() or 1)
    executor = "processes" if name == "numpy" and workers > 1 else "serial"
    _split(tuple(settings.split))  # read and verified here: a bad data set is this call's error, not each run's
    sweep = functools.partial(_histories, settings=settings, backend=name, executor=executor,
                              workers=workers if executor == "processes" else None, progress=progress)
    started = time.perf_counter()
    study = Study(settings, name, quick)
    runs = sweep([n for n in names if n != "weight_decay"], settings.seeds) if set(names) - {"weight_decay"} else {}
    if "weight_decay" in names:
        first = sweep(["weight_decay"], settings.seeds[:1], grid=[_axis("weight_decay", settings.weight_decay_grid)])
        first = {gamma: history for (_, _, gamma), history in first.items()}
        study.weight_decay_scores = {gamma: float(np.min(h["validation_error"])) for gamma, h in first.items()}
        study.weight_decay = min(study.weight_decay_scores, key=study.weight_decay_scores.get)
        runs[("weight_decay", settings.seeds[0])] = first[study.weight_decay]
        if len(settings.seeds) > 1:
            runs.update(sweep(["weight_decay"], settings.seeds[1:], weight_decay=study.weight_decay))
    for method in names:
        study.histories[method] = [runs[(method, seed)] for seed in settings.seeds]
        study.backend = study.histories[method][0].backend
    if "minnorm_sgd" in names:
        printed = train(Network(WIDTHS), MinnormClassification(**PRINTED_MINNORM_SGD), _split(tuple(settings.split)),
                        PRINTED_EPOCHS, 128, backend=backend, seed=settings.seeds[0], dtype=np.float32)
        study.printed_minnorm_sgd = (f"App. D.4's minibatch Minnorm as printed (rho = 0, eta = 1e-5, "
                                     f"s = 7.8125), seed {settings.seeds[0]}, {PRINTED_EPOCHS} epochs: "
                                     f"{printed.status}, {printed.message}")
    study.seconds = time.perf_counter() - started
    return study


_RUNS = {}


def cached_run(quick=False, seeds=None, backend="numpy", progress=True):
    """:func:`run`, once per process for each setting (``dynsys train mnist`` and the figures of Fig. 6 and 7
    share it)."""
    from ..backend import get_backend

    from ..datasets import mnist_directory

    seeds = (QUICK if quick else FULL).seeds if seeds is None else tuple(seeds)
    key = (bool(quick), seeds, get_backend(backend).name, mnist_directory())
    if key not in _RUNS:
        _RUNS[key] = run(quick=quick, seeds=seeds, backend=backend, progress=progress)
    return _RUNS[key]


def _mean_std(values):
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def table(study):
    """Table 1's analogue: per method, errors (%) at the validation-chosen epoch, mean and std over seeds."""
    rows = []
    for name, histories in study.histories.items():
        method = METHODS[name]
        stops = [h.best_epoch("validation_error") for h in histories]
        at = [h.at(epoch) for h, epoch in zip(histories, stops)]
        row = {"method": name, "label": method.label, "settings": method.source, "seeds": len(histories),
               "stopping_epoch": [int(e) for e in stops]}
        for metric in ("validation_error", "train_error", "test_error"):
            mean, std = _mean_std([100 * a[metric] for a in at])
            row[metric] = {"mean": mean, "std": std}
        for metric in ("weight_norm", "capacity"):
            row[metric] = _mean_std([a[metric] for a in at])[0]
        if "nonzero_multipliers" in at[0]:
            row["nonzero_multipliers"] = _mean_std([a["nonzero_multipliers"] for a in at])[0]
        if name == "weight_decay":
            row["weight_decay"] = study.weight_decay
        row["diverged"] = [h.message for h in histories if h.status != "done"]
        rows.append(row)
    return rows


def ranking(rows):
    """Method names from the smallest mean test error to the largest."""
    return [r["method"] for r in sorted(rows, key=lambda r: r["test_error"]["mean"])]


def document(study):
    """The ``dynsys train mnist --json`` document."""
    rows = table(study)
    ours = ranking(rows)
    paper = [m for m in sorted(PAPER_TEST_ERROR, key=lambda m: PAPER_TEST_ERROR[m][0]) if m in ours]
    return {"experiment": "mnist", "backend": study.backend, "note": NOTE.format(*study.settings.split), "rows": rows,
            "ranking": ours, "paper_ranking": paper, "ranking_agrees": ours == paper,
            "printed_minnorm_sgd": study.printed_minnorm_sgd,
            "weight_decay_validation_error": {f"{g:g}": 100 * e for g, e in study.weight_decay_scores.items()},
            "settings": {"epochs": study.settings.epochs, "full_batch_epochs": study.settings.full_batch_epochs,
                         "seeds": list(study.settings.seeds), "split": list(study.settings.split)},
            "seconds": round(study.seconds, 3)}


def format_table(document):
    """The human table, with the note about the data."""
    lines = [f"MNIST study (Minnorm sec. 4, Table 1) on backend {document['backend']}, "
             f"{len(document['settings']['seeds'])} seeds, {document['seconds']:.0f} s", document["note"], "",
             f"{'method':16s} {'val. error %':>16s} {'train error %':>16s} {'test error %':>16s} "
             f"{'paper test %':>13s}  stop epochs"]
    for r in document["rows"]:
        cells = [f"{r[m]['mean']:7.2f} +- {r[m]['std']:5.2f}" for m in ("validation_error", "train_error",
                                                                          "test_error")]
        paper = PAPER_TEST_ERROR[r["method"]]
        lines.append(f"{r['label']:16s} {cells[0]:>16s} {cells[1]:>16s} {cells[2]:>16s} "
                     f"{paper[0]:6.2f}+-{paper[1]:.2f}  {r['stopping_epoch']}")
    lines += ["", "ranking by test error: " + " < ".join(document["ranking"]),
              "paper's ranking:       " + " < ".join(document["paper_ranking"])
              + ("  (agrees)" if document["ranking_agrees"] else "  (differs)")]
    if document["printed_minnorm_sgd"]:
        lines.append(document["printed_minnorm_sgd"])
    for r in document["rows"]:
        lines.append(f"  {r['label']}: {r['settings']}")
        for message in r["diverged"]:
            lines.append(f"    {message}")
    return "\n".join(lines)
