"""The grid of a sweep: named axes, their values, and one seed per replicate.

An axis is written ``name=start:stop:count`` (``count`` points, ends
included), ``name=log:start:stop:count`` (log-spaced, positive ends) or
``name=v1,v2,...`` (an explicit list). ``seeds`` replicates every point
``seeds`` times along a ``seed`` axis; replicate ``s`` draws its random
numbers from ``numpy.random.SeedSequence(root_seed, spawn_key=(s,))``, so a
point's result depends on its coordinates only, never on the executor or on
the order in which points run.
"""

import functools
import re
from dataclasses import dataclass

import numpy as np

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SweepError(ValueError):
    """A sweep that cannot be set up (a user error): the message is one line."""


@dataclass(frozen=True)
class Axis:
    """One named axis of the grid and its values (floats)."""

    name: str
    values: tuple

    def as_text(self):
        return f"{self.name}=" + ",".join(repr(float(v)) for v in self.values)


def _number(text, axis):
    try:
        value = float(text)
    except ValueError:
        raise SweepError(f"grid axis '{axis}': '{text}' is not a number") from None
    if not np.isfinite(value):
        raise SweepError(f"grid axis '{axis}': '{text}' is not finite")
    return value


def _count(text, axis):
    if not re.fullmatch(r"\d+", text.strip()) or int(text) < 1:
        raise SweepError(f"grid axis '{axis}': the number of points must be a positive integer, got '{text}'")
    return int(text)


def parse_axis(text):
    """``Axis`` from ``name=start:stop:count``, ``name=log:start:stop:count`` or ``name=v1,v2,...``."""
    if not isinstance(text, str) or "=" not in text:
        raise SweepError(f"grid axis {text!r} must look like name=start:stop:count, name=log:start:stop:count "
                         f"or name=v1,v2,...")
    name, spec = (part.strip() for part in text.split("=", 1))
    if not _NAME.match(name):
        raise SweepError(f"grid axis name {name!r} must be an identifier")
    if not spec:
        raise SweepError(f"grid axis '{name}' has no values")
    parts = spec.split(":")
    if parts[0] == "log":
        if len(parts) != 4:
            raise SweepError(f"grid axis '{name}': log spacing is log:start:stop:count, got '{spec}'")
        start, stop, count = _number(parts[1], name), _number(parts[2], name), _count(parts[3], name)
        if start <= 0 or stop <= 0:
            raise SweepError(f"grid axis '{name}': log spacing needs positive ends, got {start:g}, {stop:g}")
        values = np.geomspace(start, stop, count)
    elif len(parts) == 3:
        values = np.linspace(_number(parts[0], name), _number(parts[1], name), _count(parts[2], name))
    elif len(parts) == 1:
        values = [_number(v, name) for v in spec.split(",")]
    else:
        raise SweepError(f"grid axis '{name}': '{spec}' is neither start:stop:count, log:start:stop:count nor a list")
    return Axis(name, tuple(float(v) for v in values))


@dataclass(frozen=True)
class Grid:
    """The axes (outer to inner), then ``seed`` when ``seeds`` > 0; points in C order."""

    axes: tuple
    seeds: int = 0
    root_seed: int = 0

    def __post_init__(self):
        names = [a.name for a in self.axes]
        if len(set(names)) != len(names):
            raise SweepError(f"grid axes repeat a name: {', '.join(names)}")
        if "seed" in names:
            raise SweepError("'seed' is the replicate axis; give --seeds N instead of a grid axis named seed")
        if isinstance(self.seeds, bool) or not isinstance(self.seeds, (int, np.integer)) or self.seeds < 0:
            raise SweepError(f"seeds must be a non-negative integer, got {self.seeds!r}")
        if not names and not self.seeds:
            raise SweepError("a sweep needs at least one grid axis or --seeds")

    @property
    def dims(self):
        return tuple(a.name for a in self.axes) + (("seed",) if self.seeds else ())

    @property
    def shape(self):
        return tuple(len(a.values) for a in self.axes) + ((self.seeds,) if self.seeds else ())

    @property
    def size(self):
        return int(np.prod(self.shape))

    def coords(self):
        out = {a.name: np.array(a.values) for a in self.axes}
        if self.seeds:
            out["seed"] = np.arange(self.seeds)
        return out

    def point(self, index, numbered=False):
        """``(values, seed)`` of the point with flat (C-order) ``index``: the axis values by name, and its seed.

        ``numbered``: the seed is the run number ``root_seed + replicate`` instead of
        :func:`replicate_seed` (for experiments that define their runs by number).
        """
        position = np.unravel_index(index, self.shape)
        values = {a.name: a.values[i] for a, i in zip(self.axes, position)}
        replicate = int(position[-1]) if self.seeds else 0
        return values, int(self.root_seed) + replicate if numbered else replicate_seed(self.root_seed, replicate)

    def points(self):
        return [self.point(i) for i in range(self.size)]

    def describe(self):
        parts = [f"{a.name} ({len(a.values)})" for a in self.axes] + ([f"seed ({self.seeds})"] if self.seeds else [])
        return " x ".join(parts) + f" = {self.size} points"


@functools.lru_cache(maxsize=4096)  # a grid asks for the same few seeds once per point
def replicate_seed(root_seed, replicate):
    """The seed of replicate ``replicate``: ``SeedSequence(root_seed, spawn_key=(replicate,))``, as one integer."""
    return int(np.random.SeedSequence(int(root_seed), spawn_key=(int(replicate),)).generate_state(1, np.uint32)[0])
