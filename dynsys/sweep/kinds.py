"""What a sweep's point computes: a kind turns ``(target, options)`` into a function of one point.

A point function takes ``(values, seed)`` (the grid values by axis name and
the point's seed) and returns named scalars or small arrays. A kind may also
offer ``batch(target, options, points) -> [outcome]`` to compute many points
in one call (the ``ensemble`` executor). ``callable`` runs any importable
function ``module:function``, called as ``function(values, seed, **options)``.
"""

import functools
import importlib
import inspect
from dataclasses import dataclass

from .grid import SweepError


@dataclass(frozen=True)
class Kind:
    """A kind of sweep: ``point(target, options)`` gives the point function; ``batch`` is optional.

    ``numbered_runs``: the point's seed is the run number ``root_seed + replicate``
    (see :meth:`Grid.point`), for experiments whose run ``i`` is defined by ``i``.
    ``check(target, options, grid)`` (optional) raises ``SweepError`` for a sweep the kind cannot run (an
    unknown axis name, a bad option) before any point runs.
    """

    name: str
    description: str
    point: object
    batch: object = None
    numbered_runs: bool = False
    check: object = None


def _callable(target, options):
    module_name, _, name = str(target).partition(":")
    if not module_name or not name:
        raise SweepError(f"a callable target is module:function, got {target!r}")
    try:
        function = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as error:
        raise SweepError(f"cannot import {target!r}: {error}") from None
    if not callable(function):
        raise SweepError(f"{target!r} is not callable")
    try:
        inspect.signature(function).bind(None, None, **options)  # an unknown option fails here, not in every point
    except TypeError as error:
        raise SweepError(f"{target!r} cannot be called as function(values, seed, **options): {error}") from None
    except ValueError:  # no signature to check (a builtin)
        pass
    return functools.partial(function, **options) if options else function


KINDS = {"callable": Kind("callable", "any importable function(values, seed, **options)", _callable)}


def register(kind):
    """Add ``kind`` to :data:`KINDS` (the built-in kinds register themselves on import)."""
    KINDS[kind.name] = kind
    return kind


def get(name):
    if name not in KINDS:  # the built-in kinds import the models and the engine: only when needed
        _load_builtin()
    if name not in KINDS:
        raise SweepError(f"unknown kind {name!r}; choose from {', '.join(KINDS)}")
    return KINDS[name]


def _load_builtin():
    for module in ("model_kinds", "train_kinds"):
        try:
            importlib.import_module(f"{__package__}.{module}")
        except ModuleNotFoundError as error:
            if error.name != f"{__package__}.{module}":
                raise
