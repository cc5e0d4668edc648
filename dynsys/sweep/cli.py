"""The ``dynsys sweep`` command (``dynsys.cli`` only wires it here).

``dynsys sweep KIND TARGET --grid NAME=SPEC ... [--seeds N]`` or
``dynsys sweep --spec FILE.toml`` computes every point of the grid on an
executor and writes the labelled results to ``--out`` (netCDF, or zarr).
With ``--spec``, KIND and TARGET come from the file and must not be given
again; ``--grid``, ``--seeds``, ``--root-seed`` and ``--option`` then add
to the file's or replace its entries of the same name.
"""

import math
import sys
import time

from .executors import EXECUTORS
from .grid import SweepError, parse_axis
from .spec import build, load, parse_options

INTERRUPTED = 130  # the shell's status for a run stopped by Ctrl-C
OUTPUT_SUFFIXES = (".nc", ".zarr")


def add_arguments(parser):
    """The arguments of ``dynsys sweep``."""
    parser.add_argument("kind", nargs="?", metavar="KIND",
                        help="simulate, stability, train or callable (omit with --spec)")
    parser.add_argument("target", nargs="?", metavar="TARGET",
                        help="a model id, an experiment, or module:function for callable (omit with --spec)")
    parser.add_argument("--grid", action="append", metavar="NAME=SPEC",
                        help="an axis: NAME=start:stop:count, NAME=log:start:stop:count or NAME=v1,v2,... "
                             "(repeat for more axes)")
    parser.add_argument("--seeds", type=int, metavar="N", help="replicates per point along a 'seed' axis (default 0)")
    parser.add_argument("--root-seed", type=int, metavar="N",
                        help="the root of the replicates' seeds (SeedSequence(N, spawn_key=(s,)) for replicate s; "
                             "for the train kind the first run number) (default 0)")
    parser.add_argument("--option", action="append", metavar="NAME=VALUE", help="a fixed option of the kind")
    parser.add_argument("--spec", metavar="FILE", help="a TOML or YAML spec file (docs/sweeps/example.toml)")
    parser.add_argument("--executor", default="serial", metavar="|".join(EXECUTORS), help="default serial")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes: pool size (default: one per CPU); dask: LocalCluster workers (default 2)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="dask: an existing scheduler, e.g. tcp://host:8786")
    parser.add_argument("--out", metavar="FILE.nc|FILE.zarr",
                        help="write the Dataset here (without it the results are printed)")
    parser.add_argument("--resume", action="store_true",
                        help="compute only the points an interrupted run of the same sweep into --out left")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def spec_of(args, error):
    """The sweep's :class:`~dynsys.sweep.spec.Spec` from KIND TARGET and the options, or from ``--spec``."""
    options = parse_options(args.option)
    if args.spec is None:
        if args.kind is None or args.target is None:
            raise error("give KIND TARGET (e.g. dynsys sweep simulate chain_minnorm_balanced --grid rho=0:2:50) "
                        "or --spec FILE")
        return build(args.kind, args.target, args.grid or [], args.seeds or 0, args.root_seed or 0, options)
    if args.kind is not None:
        raise error("give KIND TARGET or --spec FILE, not both (the spec file names the kind and target)")
    spec = load(args.spec)
    axes = {axis.name: axis.as_text() for axis in spec.grid.axes}
    for text in args.grid or ():
        axes[parse_axis(text).name] = text
    return build(spec.kind, spec.target, list(axes.values()),
                 spec.grid.seeds if args.seeds is None else args.seeds,
                 spec.grid.root_seed if args.root_seed is None else args.root_seed,
                 {**spec.options, **options})


def _check_arguments(args, error):
    if args.out is not None and not args.out.endswith(OUTPUT_SUFFIXES):
        raise error(f"--out must end in .nc (netCDF) or .zarr, got {args.out!r}")
    if args.resume and args.out is None:
        raise error("--resume needs the --out of the interrupted sweep")
    if args.workers is not None and args.workers < 1:
        raise error(f"--workers must be a positive integer, got {args.workers}")
    if args.executor not in EXECUTORS:
        raise error(f"unknown executor {args.executor!r}; choose from {', '.join(EXECUTORS)}")
    if args.scheduler is not None and args.executor != "dask":
        raise error("--scheduler is for the dask executor (--executor dask)")


def run(args, error):
    """Run the sweep ``args`` describe; return the JSON document (or print and return None)."""
    from .run import run_sweep

    stats = {}
    try:
        _check_arguments(args, error)
        spec = spec_of(args, error)
        start = time.perf_counter()
        dataset = run_sweep(spec, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                            out=args.out, resume=args.resume, progress=not args.no_progress, stats=stats)
    except SweepError as exc:
        raise error(str(exc)) from None
    except KeyboardInterrupt:
        kept = f"; they are kept in {args.out}.parts: run the same command with --resume" if args.out else ""
        print(f"dynsys: interrupted after {stats.get('computed', 0)} new points{kept}", file=sys.stderr)
        args.exit_status = INTERRUPTED
        return None
    document = summary(spec, dataset, args, stats, time.perf_counter() - start)
    if args.json:
        if args.out is None:
            document["results"] = {name: _json_values(variable.values.tolist())
                                   for name, variable in dataset.data_vars.items()}
        return document
    _print_summary(document)
    if args.out is None:
        print(dataset)
    return None


def summary(spec, dataset, args, stats, seconds):
    """The facts of a finished sweep, as a JSON-ready dict."""
    failed = dataset["failed"].values
    grid = spec.grid
    return {
        "kind": spec.kind,
        "target": spec.target,
        "grid": {"dims": list(grid.dims), "shape": list(grid.shape), "size": grid.size,
                 "coords": {name: values.tolist() for name, values in grid.coords().items()}},
        "options": spec.options,
        "root_seed": grid.root_seed,
        "fingerprint": spec.fingerprint,
        "executor": args.executor,
        "workers": args.workers,
        "computed": int(stats.get("computed", 0)),
        "resumed": int(stats.get("resumed", 0)),
        "failed": int(failed.sum()),
        "first_error": _first_error(dataset, grid) if failed.any() else None,
        "seconds": round(seconds, 3),
        "variables": [name for name in dataset.data_vars if name not in ("failed", "error")],
        "out": args.out,
    }


def _first_error(dataset, grid):
    flat = dataset["failed"].values.ravel()
    index = int(flat.argmax())
    values, _ = grid.point(index)
    where = ", ".join(f"{name} = {value:g}" for name, value in values.items())
    if grid.seeds:
        where += (", " if where else "") + f"seed {index % grid.seeds}"
    return f"{where}: {dataset['error'].values.ravel()[index]}"


def _json_values(values):
    """Nested lists with NaN and infinities as null (JSON has no NaN)."""
    if isinstance(values, list):
        return [_json_values(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return None
    return values


def _print_summary(document):
    grid = document["grid"]
    shape = " x ".join(f"{name} ({n})" for name, n in zip(grid["dims"], grid["shape"]))
    workers = f", {document['workers']} workers" if document["workers"] else ""
    print(f"sweep {document['kind']} {document['target']}: {shape} = {grid['size']} points")
    print(f"  executor {document['executor']}{workers}: {document['computed']} computed, {document['resumed']} "
          f"resumed, {document['failed']} failed in {document['seconds']:.2f} s")
    if document["first_error"]:
        print(f"  first failure at {document['first_error']}")
    print(f"  variables: {', '.join(document['variables'])}")
    if document["out"]:
        print(f"  wrote {document['out']}")
