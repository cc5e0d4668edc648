"""The ``train`` kind: one training run of an experiment per point (issue 10).

Targets:

``frozen_subspace``
    Minnorm sec. 3.4, Fig. 5C (:mod:`dynsys.train.experiments.frozen_subspace`):
    the deep linear student on the student-teacher task. Settings ``method``,
    ``sigma_w``, ``eta``, ``s``, ``rho`` come from a grid axis or an option,
    ``steps`` from an option. A ``method`` axis holds the index into
    ``frozen_subspace.METHODS`` (0 = BGD, 1 = Minnorm; axes are numeric), the
    option its name. Returns the final ``test_error``, ``pruned_test_error``,
    ``min_norm_test_error`` and ``train_error``.
``mnist``
    Minnorm sec. 4, Table 1 (:mod:`dynsys.train.experiments.mnist`): one method
    trained with one seed, returning what the study reports per seed (errors
    as fractions at the validation-chosen epoch, ``stopping_epoch``, norms,
    ``diverged``). ``method`` (axis: index into ``mnist.METHODS``, 0 = sgd,
    1 = weight_decay, 2 = minnorm_bgd, 3 = minnorm_sgd; or option: name) and
    ``weight_decay`` (weight decay's coefficient) come from an axis or an
    option; options ``quick`` (the quick study's settings), ``epochs``,
    ``full_batch_epochs``, ``full_batch_record_every``, ``split`` (overriding
    them), ``backend``, and ``record`` (also the run's curves and final
    multipliers, from which ``mnist.history_from_record`` rebuilds its History).

Seeds: both experiments define their runs by number (run ``i`` of Fig. 5C is
``frozen_subspace.run(method, sigma_w, i)``, on ``task(i)`` from weights seeded
``i + 10000``; ``dynsys train mnist --seed S --seeds N`` trains seeds
``S .. S+N-1``), so this kind numbers its runs: a point's seed is
``root_seed + replicate`` (``Kind.numbered_runs``), not a SeedSequence-derived
seed, and a sweep reproduces the studies' runs exactly.
"""

import dataclasses
import functools

from .grid import SweepError
from .kinds import Kind, register

REQUIRED = object()


def _setting(name, values, options, default=REQUIRED):
    """Setting ``name`` of a point: its grid axis value, else its option, else ``default``."""
    if name in values:
        return values[name]
    if name in options:
        return options[name]
    if default is REQUIRED:
        raise SweepError(f"the point needs '{name}': give a grid axis or an option {name}=...")
    return default


def _method(values, options, methods):
    """A method's name from a ``method`` axis (an index into ``methods``) or option (a name)."""
    if "method" in values:
        index = values["method"]
        if index != int(index) or not 0 <= index < len(methods):
            raise SweepError(f"a method axis holds indices 0..{len(methods) - 1} into "
                             f"({', '.join(methods)}), got {index!r}")
        return methods[int(index)]
    name = _setting("method", values, options)
    if name not in methods:
        raise SweepError(f"unknown method {name!r}; choose from {', '.join(methods)}")
    return name


def _check_options(target, options, allowed):
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise SweepError(f"train {target}: unknown options {', '.join(unknown)}; choose from {', '.join(allowed)}")
    if "steps" in options and (not isinstance(options["steps"], int) or isinstance(options["steps"], bool)
                               or options["steps"] < 1):
        raise SweepError(f"train {target}: steps must be a positive integer, got {options['steps']!r}")


FROZEN_SUBSPACE_OPTIONS = ("method", "sigma_w", "steps", "eta", "s", "rho")


def frozen_subspace_point(values, seed, **options):
    """Run ``seed`` of Fig. 5C at the point's settings: the final errors of ``frozen_subspace.run``."""
    from dynsys.train.experiments import frozen_subspace as fs

    settings = {name: float(_setting(name, values, options, getattr(fs, name.upper())))
                for name in ("eta", "s", "rho")}
    result = fs.run(_method(values, options, fs.METHODS), float(_setting("sigma_w", values, options)), seed,
                    steps=int(options.get("steps", fs.STEPS)), **settings)
    return {"test_error": result.final_test_error, "pruned_test_error": float(result.pruned_test_error[-1]),
            "min_norm_test_error": result.min_norm_test_error, "train_error": float(result.train_error[-1])}


MNIST_OVERRIDES = ("epochs", "full_batch_epochs", "full_batch_record_every", "split")
MNIST_OPTIONS = ("method", "weight_decay", "quick", "backend", "record") + MNIST_OVERRIDES


def _flag(name, value):
    """An option that is true or false (``--option quick=true`` arrives as the string 'true')."""
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise SweepError(f"option {name} must be true or false, got {value!r}")


def _mnist_options(options):
    options = dict(options)
    for name in ("quick", "record"):
        if name in options:
            options[name] = _flag(name, options[name])
    if "split" in options:
        split = options["split"]
        try:
            split = [int(n) for n in (split.split(",") if isinstance(split, str) else split)]
        except (TypeError, ValueError):
            split = None
        if split is None or len(split) != 3 or min(split) < 1:
            raise SweepError(f"option split must be three positive sizes train,validation,test, got "
                             f"{options['split']!r}")
        options["split"] = split
    return options


def mnist_point(values, seed, quick=False, backend="numpy", record=False, **options):
    """Seed ``seed`` of one method of the MNIST study: ``mnist.seed_errors`` (and ``history_record``)."""
    from dynsys.train.experiments import mnist

    overrides = {name: options[name] for name in MNIST_OVERRIDES if name in options}
    if "split" in overrides:
        overrides["split"] = tuple(overrides["split"])
    settings = dataclasses.replace(mnist.QUICK if quick else mnist.FULL, **overrides)
    weight_decay = _setting("weight_decay", values, options, None)
    history = mnist.train_seed(_method(values, options, tuple(mnist.METHODS)), seed, settings,
                               None if weight_decay is None else float(weight_decay), backend)
    out = mnist.seed_errors(history)
    if record:
        out.update(mnist.history_record(history, settings))
    return out


TARGETS = {"frozen_subspace": (frozen_subspace_point, FROZEN_SUBSPACE_OPTIONS, dict),
           "mnist": (mnist_point, MNIST_OPTIONS, _mnist_options)}


def _point(target, options):
    if target not in TARGETS:
        raise SweepError(f"unknown train experiment {target!r}; choose from {', '.join(TARGETS)}")
    function, allowed, normalise = TARGETS[target]
    _check_options(target, options, allowed)
    return functools.partial(function, **normalise(options))


register(Kind("train", f"one training run per point of an experiment ({', '.join(TARGETS)}); seeds are run numbers",
              _point, numbered_runs=True))
