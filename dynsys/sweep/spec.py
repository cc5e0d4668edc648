"""What a sweep computes: its kind, target, grid and fixed options, from the command line or a spec file.

A spec file is TOML (or YAML, when PyYAML is installed)::

    kind = "simulate"
    target = "chain_minnorm_balanced"
    seeds = 0          # replicates per point (0: no seed axis)
    root_seed = 0
    [grid]
    rho = "0.1:3:100"
    r = "log:0.05:4:100"
    [options]
    t1 = 200

``fingerprint`` identifies the sweep: a ``--resume`` into an output written
by another sweep is refused.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field

from .grid import Grid, SweepError, parse_axis


@dataclass(frozen=True)
class Spec:
    """A sweep: ``kind`` (a key of ``dynsys.sweep.kinds.KINDS``), its ``target``, the ``grid`` and ``options``."""

    kind: str
    target: str
    grid: Grid
    options: dict = field(default_factory=dict)

    def as_dict(self):
        return {"kind": self.kind, "target": self.target, "grid": [a.as_text() for a in self.grid.axes],
                "seeds": self.grid.seeds, "root_seed": self.grid.root_seed, "options": self.options}

    def to_json(self):
        return json.dumps(self.as_dict(), sort_keys=True)

    @property
    def fingerprint(self):
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]


def build(kind, target, grid, seeds=0, root_seed=0, options=None):
    """A :class:`Spec` from axis texts (``["rho=0:2:100", ...]``) and option values."""
    if not isinstance(seeds, int) or isinstance(seeds, bool):
        raise SweepError(f"seeds must be an integer, got {seeds!r}")
    if not isinstance(root_seed, int) or isinstance(root_seed, bool) or root_seed < 0:
        raise SweepError(f"root_seed must be a non-negative integer, got {root_seed!r}")
    axes = tuple(parse_axis(text) for text in grid)
    options = dict(options or {})
    try:
        json.dumps(options)
    except TypeError:
        raise SweepError("sweep options must be numbers, strings, booleans or lists of them") from None
    return Spec(str(kind), str(target), Grid(axes, seeds, root_seed), options)


def parse_options(pairs):
    """``{"t1": 200.0, "method": "dop853"}`` from ``["t1=200", "method=dop853"]`` (numbers where they parse)."""
    options = {}
    for pair in pairs or ():
        if "=" not in pair:
            raise SweepError(f"option {pair!r} must look like name=value")
        name, value = (part.strip() for part in pair.split("=", 1))
        try:
            options[name] = int(value) if value.lstrip("-").isdigit() else float(value)
        except ValueError:
            options[name] = value
    return options


def load(path):
    """The :class:`Spec` of a TOML or YAML spec file (see the module docstring)."""
    if not os.path.isfile(path):
        raise SweepError(f"spec file {path!r} does not exist")
    extension = os.path.splitext(path)[1].lower()
    try:
        if extension == ".toml":
            import tomllib

            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        elif extension in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError:
                raise SweepError("YAML spec files need PyYAML (pip install pyyaml); TOML works without it") from None
            with open(path) as handle:
                document = yaml.safe_load(handle)
        else:
            raise SweepError(f"spec file {path!r} must end in .toml, .yaml or .yml")
    except SweepError:
        raise
    except Exception as error:  # a syntax error of the file: one line naming it
        raise SweepError(f"spec file {path!r} cannot be read: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict):
        raise SweepError(f"spec file {path!r} must be a table of keys")
    unknown = set(document) - {"kind", "target", "grid", "seeds", "root_seed", "options"}
    if unknown:
        raise SweepError(f"spec file {path!r}: unknown keys {', '.join(sorted(unknown))}")
    for key in ("kind", "target"):
        if key not in document:
            raise SweepError(f"spec file {path!r} needs '{key}'")
    grid = document.get("grid", {})
    if not isinstance(grid, dict):
        raise SweepError(f"spec file {path!r}: 'grid' must be a table of name = \"values\"")
    axes = [f"{name}={','.join(map(str, values)) if isinstance(values, list) else values}"
            for name, values in grid.items()]
    return build(document["kind"], document["target"], axes, document.get("seeds", 0), document.get("root_seed", 0),
                 document.get("options", {}))
