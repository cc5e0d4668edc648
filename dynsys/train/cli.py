"""The ``dynsys train`` command (``dynsys.cli`` only wires it here).

``dynsys train mnist`` runs the MNIST study (Minnorm sec. 4, Table 1);
``dynsys train fit --data NAME --algorithm A ...`` trains one network with
one algorithm and records it per epoch.
"""

import json
import os
import sys

from ..io import atomic_open, check_writable, prepare_directory

FIT_DATA_FRACTIONS = (0.6, 0.2, 0.2)  # train / validation / test split of the data sets other than MNIST


def user_errors():
    """The exception types of the training engine that are a user's mistake (exit 2, one line)."""
    from .algorithms import AlgorithmError
    from .backend import BackendError
    from .datasets import DataError
    from .experiments import ExperimentError
    from .loop import TrainingError
    from .losses import LossError
    from .network import NetworkError

    return AlgorithmError, BackendError, DataError, ExperimentError, TrainingError, LossError, NetworkError


def add_arguments(parser):
    """The arguments of ``dynsys train``."""
    from .algorithms import ALGORITHMS
    from .datasets import DATASETS
    from .experiments import EXPERIMENTS
    from .losses import LOSSES
    from .network import ACTIVATIONS

    parser.add_argument("experiment", metavar="EXPERIMENT",
                        help=f"{', '.join(EXPERIMENTS)}, or fit (one network, one algorithm)")
    parser.add_argument("--backend", default="numpy", metavar="numpy|cupy|auto",
                        help="array module (default numpy; auto: CuPy when a GPU works)")
    parser.add_argument("--quick", action="store_true", help="mnist: fewer epochs and seeds (minutes on a laptop)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (initialisation and batch order)")
    parser.add_argument("--seeds", type=int, metavar="N", help="mnist: number of seeds (default 5, quick 2)")
    parser.add_argument("--out", metavar="PATH",
                        help="mnist: a directory for the table and every run's record; fit: FILE.npz or FILE.nc")
    parser.add_argument("--progress", action="store_true",
                        help="progress bars with running metrics on stderr (the default when stderr is a terminal)")
    fit = parser.add_argument_group("fit")
    fit.add_argument("--data", default="digits", help=f"data set: {', '.join(DATASETS)} (default digits)")
    fit.add_argument("--algorithm", default="gd", help=f"{', '.join(ALGORITHMS)} (default gd)")
    fit.add_argument("--loss", help=f"gd / weight_decay: {', '.join(LOSSES)} (default: softmax_ce for classes, "
                                    "bce for two, squared for regression)")
    fit.add_argument("--eta", type=float, default=0.1, help="learning rate (default 0.1)")
    fit.add_argument("--s", type=float, default=0.01, help="Minnorm multiplier step (default 0.01)")
    fit.add_argument("--rho", type=float, default=0.0, help="Minnorm augmented Lagrangian coefficient")
    fit.add_argument("--weight-decay", type=float, default=1e-4, help="weight_decay's gamma (default 1e-4)")
    fit.add_argument("--batch-size", type=int, metavar="Q", help="minibatch size (default: full batch)")
    fit.add_argument("--epochs", type=int, default=20)
    fit.add_argument("--hidden", default="100", metavar="N,N,...", help="hidden widths (default 100; '' for none)")
    fit.add_argument("--activation", default="relu", help=f"{', '.join(ACTIVATIONS)}")
    fit.add_argument("--no-bias", action="store_true")
    fit.add_argument("--sigma-w", type=float, help="initial weight scale (default: He's sqrt 2 for ReLU, else 1)")
    fit.add_argument("--record-multipliers", action="store_true", help="keep Minnorm's alpha after every epoch")


def run(args, error):
    """Run ``args.experiment``; return the JSON document (or print and return None)."""
    from .backend import get_backend
    from .experiments import EXPERIMENTS, get

    args.progress = args.progress or sys.stderr.isatty()
    try:
        backend = get_backend(args.backend)
        if args.experiment == "fit":
            return _fit(args, backend, error)
        if args.experiment not in EXPERIMENTS:
            get(args.experiment)  # the unknown-experiment error
        return _study(args, backend, error)
    except user_errors() as exc:
        raise error(str(exc)) from None


def _study(args, backend, error):
    from .experiments import mnist

    if args.seeds is not None and args.seeds < 1:
        raise error(f"--seeds must be at least 1, got {args.seeds}")
    if args.out:
        prepare_directory(args.out, ("mnist_table.json",))
    count = args.seeds or len((mnist.QUICK if args.quick else mnist.FULL).seeds)
    study = mnist.cached_run(quick=args.quick, seeds=range(args.seed, args.seed + count), backend=backend,
                             progress=args.progress)
    document = mnist.document(study)
    if args.out:
        document["out"] = _save_study(study, document, args.out)
    if args.json:
        return document
    print(mnist.format_table(document))
    if args.out:
        print(f"wrote {document['out']}")
    return None


def _save_study(study, document, out_dir):
    """Each run's record as ``mnist_METHOD_seedS.npz`` and the table as ``mnist_table.json``; the table's path."""
    for method, histories in study.histories.items():
        for history in histories:
            history.save(os.path.join(out_dir, f"mnist_{method}_seed{history.settings['seed']}.npz"))
    path = os.path.join(out_dir, "mnist_table.json")
    with atomic_open(path) as handle:
        handle.write(json.dumps(document, indent=2).encode())
    return path


def _hidden(text, error):
    try:
        return tuple(int(n) for n in text.split(",") if n.strip())
    except ValueError:
        raise error(f"--hidden takes comma-separated integers, got {text!r}") from None


def _default_loss(dataset):
    if dataset.n_classes is None:
        return "squared"
    return "bce" if dataset.n_classes == 2 else "softmax_ce"


def _fit(args, backend, error):
    from .algorithms import get_algorithm
    from .datasets import load, split
    from .loop import train
    from .network import Network

    if args.out:
        if os.path.splitext(args.out)[1] not in (".npz", ".nc"):
            raise error(f"--out must end in .npz or .nc, got {args.out!r}")
        check_writable(args.out)
    dataset = load(args.data)
    sizes = [int(f * dataset.n_examples) for f in FIT_DATA_FRACTIONS]
    data = split(dataset, sizes, seed=0) if dataset.n_classes else dataset
    settings = {"eta": args.eta}
    if args.algorithm in ("gd", "weight_decay"):
        settings["loss"] = args.loss or _default_loss(dataset)
    if args.algorithm == "weight_decay":
        settings["weight_decay"] = args.weight_decay
    if args.algorithm.startswith("minnorm"):
        settings.update(s=args.s, rho=args.rho)
    algorithm = get_algorithm(args.algorithm, **settings)
    widths = (dataset.n_inputs, *_hidden(args.hidden, error), dataset.n_outputs)
    network = Network(widths, args.activation, bias=not args.no_bias)
    history = train(network, algorithm, data, args.epochs, args.batch_size, backend=backend, seed=args.seed,
                    sigma_w=args.sigma_w, record_multipliers=args.record_multipliers, progress=args.progress)
    if args.out:
        history.save(args.out)
    last = history.at(history.epochs[-1])
    parts = (data.train, data.validation, data.test) if hasattr(data, "train") else (data,)
    document = {"experiment": "fit", "backend": history.backend, "data": dataset.name, "widths": list(widths),
                "examples": [part.n_examples for part in parts],
                "status": history.status, "message": history.message,
                "rows": [{"method": algorithm.name, **algorithm.settings(), "epoch": history.epochs[-1], **last}],
                "seconds": round(history.seconds, 3), "out": args.out}
    args.exit_status = 0 if history.status == "done" else 1
    if args.json:
        return document
    names = [name for name in history.metrics if name.endswith(("_loss", "_error"))
             or name in ("weight_norm", "nonzero_multipliers")]
    print(f"{algorithm.name} on {dataset.name}, network {widths}, backend {history.backend}")
    labels = [n.replace("validation", "val") for n in names]
    widths = [max(11, len(label)) for label in labels]
    print(f"{'epoch':>5s} " + " ".join(f"{label:>{w}s}" for label, w in zip(labels, widths)))
    for i, epoch in enumerate(history.epochs):
        print(f"{epoch:5d} " + " ".join(f"{history.metrics[n][i]:{w}.5g}" for n, w in zip(names, widths)))
    print(history.message + (f"; wrote {args.out}" if args.out else ""))
    return None



