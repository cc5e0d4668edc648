"""Run a sweep: every missing point of the grid on one executor, persisted as it goes, as an xarray Dataset."""

import sys
from importlib import metadata

from . import executors, kinds
from .grid import SweepError
from .store import Store, read

BATCHES_PER_WORKER = 8  # batches per worker: large enough to balance the load, small enough to persist often


def _version():
    try:
        return metadata.version("dynsys")
    except metadata.PackageNotFoundError:
        return "unknown"


def _batches(grid, indices, size, numbered=False):
    points = [(i, *grid.point(i, numbered)) for i in indices]
    return [points[k:k + size] for k in range(0, len(points), size)]


def run_sweep(spec, function=None, executor="serial", workers=None, scheduler=None, out=None, resume=False,
              progress=False, batch_points=None, stats=None):
    """Compute ``spec``'s sweep and return its Dataset (also written to ``out`` when given).

    ``function(values, seed)`` replaces the kind's point function (the Python
    API for any callable). ``resume`` computes only the points missing from an
    interrupted run into the same ``out``. A point that raises is recorded in
    ``failed`` / ``error`` and the sweep goes on. A dict passed as ``stats``
    receives ``resumed`` (points read back from ``out``) and ``computed``.
    """
    if executor not in executors.EXECUTORS:
        executors.get(executor)  # the unknown-executor error, before anything is written
    kind = None if function is not None else kinds.get(spec.kind)
    if executor == "ensemble" and (kind is None or kind.batch is None):
        raise SweepError(f"the ensemble executor needs a kind that computes batches (simulate, stability); "
                         f"{spec.kind!r} does not")
    if kind is not None and kind.check is not None:
        kind.check(spec.target, spec.options, spec.grid)
    point = function if function is not None else kind.point(spec.target, spec.options)
    store = Store(spec, out, resume, chunk_points=batch_points or 256)
    missing = store.missing()
    stats = {} if stats is None else stats
    stats.update(resumed=spec.grid.size - len(missing), computed=0)
    # the executor starts (or fails to reach its scheduler) before the progress bar shows
    runner = executors.get(executor, workers, scheduler) if missing and executor != "ensemble" else None
    bar = _progress(spec.grid.size, spec.grid.size - len(missing), spec, executor) if progress else None
    try:
        if executor == "ensemble":
            _run_ensemble(kind, spec, missing, store, bar, batch_points)
        elif runner is not None:
            size = batch_points or max(1, len(missing) // (runner.workers * BATCHES_PER_WORKER))
            numbered = kind is not None and kind.numbered_runs
            for finished in runner.run(point, _batches(spec.grid, missing, size, numbered)):
                for index, outcome in finished:
                    store.add(index, outcome)
                store.flush()  # a finished batch is on disk before the next one is taken
                if bar is not None:
                    bar.update(len(finished))
    finally:
        if runner is not None:
            runner.close()
        store.flush()
        stats["computed"] = spec.grid.size - stats["resumed"] - len(store.missing())
        if bar is not None:
            bar.close()
    if store.complete:
        return read(out)
    attrs = {"spec": spec.to_json(), "fingerprint": spec.fingerprint, "dynsys_version": _version(),
             "kind": spec.kind, "target": spec.target}
    dataset = store.dataset(attrs)
    store.write(dataset)
    return dataset


def _run_ensemble(kind, spec, missing, store, bar, batch_points):
    size = batch_points or len(missing) or 1
    for start in range(0, len(missing), size):
        chunk = missing[start:start + size]
        points = [spec.grid.point(i, kind.numbered_runs) for i in chunk]
        for index, outcome in zip(chunk, kind.batch(spec.target, spec.options, points)):
            store.add(index, outcome)
        store.flush()
        if bar is not None:
            bar.update(len(chunk))


def _progress(total, done, spec, executor):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, desc=f"sweep {spec.kind} {spec.target} ({executor})", unit="point",
                file=sys.stderr)
