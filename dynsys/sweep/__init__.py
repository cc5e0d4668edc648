"""Parameter and seed sweeps, from one process to a Dask cluster, as labelled xarray results.

``run_sweep(build(kind, target, ["rho=0:2:100", ...], seeds=...), executor=...)``
computes every point of the grid (``dynsys.sweep.kinds``) on an executor
(``serial``, ``ensemble``, ``processes``, ``dask``: ``dynsys.sweep.executors``),
persists finished points as it goes (``dynsys.sweep.store``) and returns an
xarray Dataset with the grid's coordinates.
"""

from .executors import EXECUTORS
from .grid import Axis, Grid, SweepError, parse_axis, replicate_seed
from .run import run_sweep
from .spec import Spec, build, load, parse_options
from .store import read

__all__ = ["EXECUTORS", "Axis", "Grid", "Spec", "SweepError", "build", "load", "parse_axis", "parse_options", "read",
           "replicate_seed", "run_sweep"]
