"""The ``dynsys`` command: parses, calls the library, prints.

Every subcommand takes ``--json`` and then prints exactly one JSON document.
User errors print one line on stderr and exit with status 2. A handler may set
``args.exit_status`` (``verify``: 1 when a claim's check crashed).
"""

import argparse
import json
import math
import os
import sys

import numpy as np

USER_ERROR = 2


class UserError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UserError(message)


def _finite(text):
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{text} is not finite")
    return number


def _key_value(text):
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    try:
        return name.strip(), _finite(value)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{name}: {error}") from None


def _interval(text):
    lo, sep, hi = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected LO:HI, got {text!r}")
    lo, hi = _finite(lo), _finite(hi)
    if lo >= hi:
        raise argparse.ArgumentTypeError(f"LO must be below HI, got {text}")
    return lo, hi


def _positive(text):
    number = _finite(text)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return number


def _params(pairs):
    params = {}
    for name, value in pairs or ():
        if name in params:
            raise UserError(f"parameter '{name}' given twice")
        params[name] = value
    return params


def _model(args):
    """The model a command works on: ``args.model_file`` (``--model-file F``) or the registered ``args.id``.

    Commands get both arguments from ``_model_arguments``.
    """
    from dynsys.models import get

    model_id, path = getattr(args, "id", None), getattr(args, "model_file", None)
    if path is None:
        if model_id is None:
            raise UserError("give a model ID or --model-file FILE")
        return get(model_id)
    from dynsys.models.user import load_model_file

    model = load_model_file(path)
    if model_id is not None and model_id != model.id:
        raise UserError(f"{path} defines model '{model.id}', not '{model_id}'")
    return model


def _model_arguments(parser):
    """The model of a command: a registered ID, or --model-file F (the ID is then optional)."""
    parser.add_argument("id", nargs="?", help="a model id (see `dynsys models`); optional with --model-file")
    parser.add_argument("--model-file", metavar="FILE", help="your own model, a .toml or .py file (docs/models/)")


# ----------------------------------------------------------------- commands


def cmd_models(args):
    from dynsys.models import get, list_models

    rows = []
    for entry in list_models():
        model = get(entry.id)
        rows.append({
            "id": entry.id,
            "family": entry.family,
            "state": [s.name for s in model.state],
            "params": [s.name for s in model.params],
            "description": entry.description,
        })
    if args.json:
        return rows
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        print(f"{r['id']:{width}s}  state ({', '.join(r['state'])}), params ({', '.join(r['params'])})")
        print(f"{'':{width}s}  {r['description']}")
    return None


def cmd_derive(args):
    import sympy

    from dynsys.symbolic import ModelError

    model = _model(args)
    text = sympy.latex if args.json else sympy.sstr
    document = {
        "id": model.id,
        "equations": model.equations,
        "rhs": {s.name: text(f) for s, f in zip(model.state, model.rhs)},
        "jacobian": text(model.jacobian()),
        "fixed_points": [],
        "eigenvalues": [],
        "conditions": {},
        "invariants": [],
        "proofs": [{"kind": p.kind, "statement": p.statement, "holds": bool(p.holds)} for p in model.proofs],
    }
    try:
        points = model.fixed_points()
    except ModelError as error:
        document["fixed_points_note"] = str(error)
        points = []
    for fixed_point in points:
        entry = {"point": {v.name: text(fixed_point.point[v]) for v in model.state}, "note": fixed_point.note}
        if "family" not in fixed_point.note:
            try:
                entry["eigenvalues"] = [text(e) for e in model.eigenvalues(fixed_point)]
            except ModelError as error:
                entry["eigenvalues_note"] = str(error)
            entry["conditions"] = {k: text(c) for k, c in model.stability_conditions(fixed_point).items()}
            if not document["conditions"]:
                document["eigenvalues"] = entry.get("eigenvalues", [])
                document["conditions"] = entry["conditions"]
        document["fixed_points"].append(entry)
    H = model.first_integral if model.first_integral is not None else model.find_first_integral()
    if H is not None:
        document["invariants"].append({"kind": "first integral", "H": text(H)})
    if args.json:
        return document
    print(f"{model.id}  ({model.equations})")
    for name, expr in document["rhs"].items():
        print(f"  d{name}/dt = {expr}")
    if "fixed_points_note" in document:
        print(f"  fixed points: {document['fixed_points_note']}")
    for entry in document["fixed_points"]:
        point = ", ".join(f"{k} = {v}" for k, v in entry["point"].items())
        print(f"  fixed point ({point})  [{entry['note']}]")
        for e in entry.get("eigenvalues", []):
            print(f"    eigenvalue {e}")
        for name, condition in entry.get("conditions", {}).items():
            print(f"    {name}: {condition}")
    for invariant in document["invariants"]:
        print(f"  {invariant['kind']}: H = {invariant['H']}")
    for proof in document["proofs"]:
        print(f"  proof [{proof['kind']}] {proof['statement']}: {'holds' if proof['holds'] else 'FAILS'}")
    return None


def cmd_stability(args):
    from dynsys.stability import stability_report

    model = _model(args)
    values = model.param_values(**_params(args.param))
    from dynsys.stability import search_box

    reports = stability_report(model, values, box=search_box(model, args.box) if args.box else None)
    document = {"id": model.id, "params": values, "fixed_points": [r.as_json() for r in reports]}
    if args.json:
        return document
    print(f"{model.id} at " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
    if not reports:
        print("  no fixed points")
    for r in reports:
        point = ", ".join(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}" for k, v in r.point.items())
        eigenvalues = ", ".join(f"{complex(e):.4g}" for e in r.eigenvalues)
        verdict = "confirmed" if r.confirmed_by_simulation else "NOT confirmed"
        print(f"  fixed point ({point}): {r.class_}")
        print(f"    eigenvalues {eigenvalues}" if eigenvalues else f"    {r.note}")
        print(f"    simulation: {verdict}; {r.evidence}")
    return None


def _t_eval(spec, t0, t1):
    if spec is None:
        return None
    kind, _, count = spec.partition(":")
    if kind not in ("log", "lin") or not count.isdigit() or int(count) < 2:
        raise UserError(f"--t-eval must be log:N or lin:N with N >= 2, got {spec!r}")
    n = int(count)
    if kind == "lin":
        return np.linspace(t0, t1, n)
    if t0 < 0:
        raise UserError("--t-eval log:N needs t0 >= 0")
    start = t0 if t0 > 0 else min(1e-3, t1 * 1e-6)
    points = np.geomspace(start, t1, n - (t0 == 0))
    return np.concatenate([[t0], points]) if t0 == 0 else points


def cmd_simulate(args):
    from dynsys.integrate import METHODS, solve_ivp
    from dynsys.io import atomic_open, check_writable

    model = _model(args)
    values = model.param_values(**_params(args.param))
    initial = _params(args.y0)
    names = [s.name for s in model.state]
    unknown = [k for k in initial if k not in names]
    if unknown:
        raise UserError(f"unknown state variable '{unknown[0]}' for model '{model.id}'; state: {', '.join(names)}")
    missing = [k for k in names if k not in initial]
    if missing:
        raise UserError(f"missing initial value --y0 {missing[0]}=... (state: {', '.join(names)})")
    if args.t1 <= args.t0:
        raise UserError(f"t1 must be greater than t0, got t0 = {args.t0:g}, t1 = {args.t1:g}")
    if not (args.method in METHODS or args.method.startswith("scipy:")):
        raise UserError(f"unknown method '{args.method}'; known: {', '.join(METHODS)}, scipy:RK45, scipy:DOP853, "
                        f"scipy:Radau, scipy:LSODA")
    if args.out:
        check_writable(args.out)
    t_eval = _t_eval(args.t_eval, args.t0, args.t1)
    p = np.array([values[s.name] for s in model.params], dtype=float)
    y0 = np.array([initial[k] for k in names], dtype=float)
    result = solve_ivp(model.compile(), (args.t0, args.t1), y0, method=args.method, t_eval=t_eval,
                       rtol=args.rtol, atol=args.atol, args=(p,), max_steps=args.max_steps,
                       progress=args.progress)
    if args.out:
        with atomic_open(args.out) as handle:
            np.savez(handle, t=result.t, y=result.y, state=np.array(names),
                     param_names=np.array([s.name for s in model.params]), params=p,
                     status=result.status, message=result.message)
    y_final = result.y[:, -1] if result.y.shape[1] else y0
    document = {
        "status": int(result.status),
        "message": result.message,
        "nfev": int(result.nfev),
        "t_final": float(result.t[-1]) if len(result.t) else args.t0,
        "y_final": {k: float(v) for k, v in zip(names, y_final)},
        "out": args.out,
    }
    if args.json:
        return document
    print(f"{model.id}, {args.method}: {result.message} (status {result.status}, nfev {result.nfev})")
    print(f"  t = {document['t_final']:.8g}: " + ", ".join(f"{k} = {v:.10g}" for k, v in document["y_final"].items()))
    if args.out:
        print(f"  wrote {args.out}")
    return None


def cmd_verify(args):
    from dynsys.claims.registry import load, select
    from dynsys.claims.report import REPORTS, document, run, write_reports

    load()
    try:
        claims = select(args.paper, args.claim)
    except ValueError as error:
        raise UserError(str(error)) from None
    from dynsys.io import prepare_directory

    prepare_directory(args.out, REPORTS)
    outcomes = run(claims, quick=args.quick)
    paths = write_reports(outcomes, args.out)
    args.exit_status = 1 if any(o.status == "error" for o in outcomes) else 0
    result = document(outcomes)
    if args.json:
        return result
    for o in outcomes:
        print(f"{o.status.upper():10s} {o.claim.id}  ({o.claim.paper}, {o.claim.where})")
        if o.status == "error":
            print(f"{'':10s} {o.error}")
    print(", ".join(f"{n} {status}" for status, n in result["summary"].items()))
    print(f"wrote {paths[0]} and {paths[1]}")
    return None


def cmd_figures(args):
    import time

    from dynsys.figures import FIGURES, make

    names = args.names or list(FIGURES)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise UserError(f"unknown figure '{unknown[0]}'; figures: {', '.join(FIGURES)}")
    from dynsys.io import prepare_directory

    prepare_directory(args.out)
    rows = []
    for name in names:
        start = time.perf_counter()
        files = make(name, args.out, quick=args.quick)
        rows.append({"name": name, "files": [str(f) for f in files], "seconds": round(time.perf_counter() - start, 3)})
        if not args.json:
            print(f"{name}: {rows[-1]['seconds']:.1f} s, " + ", ".join(rows[-1]["files"]), flush=True)
    return {"figures": rows} if args.json else None


def cmd_reproduce(args):
    from dynsys import reproduce

    result = reproduce.reproduce(args.out, quick=args.quick)
    args.exit_status = 1 if result.errored else 0
    if args.json:
        return reproduce.document(result)
    reproduce.print_human(result)
    return None


def cmd_phase(args):
    from dynsys.teach.cli import phase

    return phase(args, _model(args), _params(args.param), _params(args.fix), UserError)


def cmd_explore(args):
    from dynsys.teach.cli import explore

    return explore(args, _model(args), _params(args.param), _params(args.fix), UserError)


def cmd_train(args):
    from dynsys.train.cli import run

    return run(args, UserError)


def cmd_sweep(args):
    from dynsys.sweep.cli import run

    return run(args, UserError)


# ------------------------------------------------------------------- parser


def build_parser():
    parser = _Parser(prog="dynsys", description="Derive, simulate and verify the dynamics of training.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name, handler, help):
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--json", action="store_true", help="print one JSON document")
        sub.set_defaults(handler=handler)
        return sub

    command("models", cmd_models, "list the models")
    derive = command("derive", cmd_derive, "derived flow, fixed points, eigenvalues, conditions, invariants")
    _model_arguments(derive)
    stability = command("stability", cmd_stability, "classify each fixed point and confirm it by simulation")
    _model_arguments(stability)
    stability.add_argument("--param", action="append", type=_key_value, metavar="NAME=VALUE")
    stability.add_argument("--box", type=_interval, metavar="LO:HI",
                           help="search fixed points without a closed form in [LO, HI] per variable (default -10:10; write --box=-4:4)")
    simulate = command("simulate", cmd_simulate, "integrate a model")
    _model_arguments(simulate)
    simulate.add_argument("--param", action="append", type=_key_value, metavar="NAME=VALUE")
    simulate.add_argument("--y0", action="append", type=_key_value, metavar="STATE=VALUE")
    simulate.add_argument("--t0", type=_finite, default=0.0)
    simulate.add_argument("--t1", type=_finite, required=True)
    simulate.add_argument("--method", default="dopri5")
    simulate.add_argument("--rtol", type=_positive, default=1e-6)
    simulate.add_argument("--atol", type=_positive, default=1e-9)
    simulate.add_argument("--max-steps", type=int, default=1_000_000)
    simulate.add_argument("--t-eval", metavar="log:N|lin:N")
    simulate.add_argument("--out", metavar="FILE.npz")
    simulate.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    verify = command("verify", cmd_verify, "check the claims of the seeds; write verify.md and verify.json")
    verify.add_argument("--paper", help="only this paper's claims")
    verify.add_argument("--claim", metavar="ID", help="only this claim")
    verify.add_argument("--out", metavar="DIR", default="verify-out", help="report directory (default verify-out)")
    verify.add_argument("--quick", action="store_true", help="the cheaper setting of each check")
    figures = command("figures", cmd_figures, "regenerate the reproduced figures (PNG and PDF)")
    figures.add_argument("names", nargs="*", metavar="NAME", help="figures to make (default: all)")
    figures.add_argument("--out", metavar="DIR", default="figures-out", help="output directory (default figures-out)")
    figures.add_argument("--quick", action="store_true", help="coarser grids and shorter runs")
    reproduce = command("reproduce", cmd_reproduce, "every figure and the whole verify; report.md and index.html")
    reproduce.add_argument("--quick", action="store_true", help="coarser grids, shorter runs, cheaper checks")
    reproduce.add_argument("--out", metavar="DIR", default="reproduce-out",
                           help="output directory, created if missing (default reproduce-out)")
    phase = command("phase", cmd_phase, "draw a phase portrait (a 2-D slice for larger models)")
    explore = command("explore", cmd_explore, "an interactive phase portrait with one slider per parameter")
    for sub in (phase, explore):
        _model_arguments(sub)
        sub.add_argument("--param", action="append", type=_key_value, metavar="NAME=VALUE")
        sub.add_argument("--x", metavar="VAR", help="state variable on the horizontal axis")
        sub.add_argument("--y", metavar="VAR", help="state variable on the vertical axis")
        sub.add_argument("--fix", action="append", type=_key_value, metavar="VAR=VALUE",
                         help="value of a state variable off the plotted plane")
    phase.add_argument("--out", metavar="FILE.png|FILE.pdf", default="phase.png", help="default phase.png")
    phase.add_argument("--box", type=_interval, metavar="LO:HI",
                       help="plotted range of both axes (default: around the fixed points; write --box=-4:4)")
    train = command("train", cmd_train, "train networks with the papers' discrete algorithms (NumPy or CuPy)")
    from dynsys.train.cli import add_arguments

    add_arguments(train)
    sweep = command("sweep", cmd_sweep, "compute a model, experiment or function over a grid of parameters and "
                                        "seeds (serial, processes or Dask); resumable")
    from dynsys.sweep.cli import add_arguments as add_sweep_arguments

    add_sweep_arguments(sweep)
    return parser


def main(argv=None):
    from dynsys.io import OutputPathError
    from dynsys.symbolic import ModelError

    try:
        args = build_parser().parse_args(argv)
        document = args.handler(args)
    except (UserError, ModelError, OutputPathError) as error:
        print(f"dynsys: error: {error}", file=sys.stderr)
        return USER_ERROR
    if document is not None:
        try:
            json.dump(document, sys.stdout, indent=2)
            sys.stdout.write("\n")
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into head: not an error
            sys.stdout = open(os.devnull, "w")
    return getattr(args, "exit_status", 0)


if __name__ == "__main__":
    sys.exit(main())
