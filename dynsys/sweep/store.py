"""Where a sweep's results live while it runs, and the labelled Dataset they end as.

Finished points are written in chunks to ``OUT.parts/`` (each chunk one file,
written atomically), beside ``spec.json`` that names the sweep. A sweep that is
interrupted loses at most the points of the chunk it was filling; ``resume``
reads the chunks back and computes only the missing points. When every point
is done the results become one xarray Dataset, written to ``OUT`` (netCDF, or
zarr for a ``.zarr`` name) atomically, and the parts are removed.
"""

import glob
import importlib.util
import json
import os
import pickle
import shutil
import time

import numpy as np

from dynsys.io import atomic_open

from .grid import SweepError

CHUNK_SECONDS = 5.0  # a chunk is written at least this often while points finish


class Store:
    """The finished points of ``spec``'s sweep, persisted under ``out`` (``None``: kept in memory only)."""

    def __init__(self, spec, out=None, resume=False, chunk_points=256):
        self.spec, self.out, self.chunk_points = spec, out, int(chunk_points)
        self.results = {}  # flat index -> ("ok", dict) or ("error", message)
        self._pending, self._last = [], time.monotonic()
        self.complete = False  # resumed from an output that is already finished
        if out is None:
            return
        if os.fspath(out).endswith(".zarr") and importlib.util.find_spec("zarr") is None:
            raise SweepError("a .zarr output needs zarr (pip install zarr); or write netCDF (.nc)")
        self.parts = os.fspath(out) + ".parts"
        directory = os.path.dirname(os.path.abspath(self.parts))
        if not os.path.isdir(directory):
            raise SweepError(f"output directory {directory!r} does not exist")
        if resume:
            self._resume()
        else:
            shutil.rmtree(self.parts, ignore_errors=True)
        if self.complete:
            return
        os.makedirs(self.parts, exist_ok=True)
        with atomic_open(os.path.join(self.parts, "spec.json"), "w") as handle:
            handle.write(spec.to_json())

    def _resume(self):
        if os.path.isdir(self.parts):
            try:
                with open(os.path.join(self.parts, "spec.json")) as handle:
                    written = json.load(handle)
            except (OSError, ValueError):
                written = None
            if written != json.loads(self.spec.to_json()):
                raise SweepError(f"{self.out!r} belongs to a different sweep; resume it with its own spec or "
                                 f"choose another output")
            for path in sorted(glob.glob(os.path.join(self.parts, "chunk-*.pkl"))):
                with open(path, "rb") as handle:
                    self.results.update(pickle.load(handle))
        elif os.path.exists(self.out):
            if _fingerprint(self.out) != self.spec.fingerprint:
                raise SweepError(f"{self.out!r} belongs to a different sweep; resume it with its own spec or "
                                 f"choose another output")
            self.results = {i: None for i in range(self.spec.grid.size)}  # finished: nothing to compute
            self.complete = True

    def missing(self):
        """Flat indices of the points still to compute, in order."""
        return [i for i in range(self.spec.grid.size) if i not in self.results]

    def add(self, index, outcome):
        """Record one finished point; persist a chunk when enough have finished or enough time has passed."""
        self.results[index] = outcome
        self._pending.append(index)
        if len(self._pending) >= self.chunk_points or time.monotonic() - self._last > CHUNK_SECONDS:
            self.flush()

    def flush(self):
        if self.out is None or self.complete or not self._pending:
            self._pending.clear()
            return
        existing = len(glob.glob(os.path.join(self.parts, "chunk-*.pkl")))
        path = os.path.join(self.parts, f"chunk-{existing:06d}.pkl")
        with atomic_open(path, "wb") as handle:
            pickle.dump({i: self.results[i] for i in self._pending}, handle)
        self._pending.clear()
        self._last = time.monotonic()

    def dataset(self, attrs):
        """The results as an xarray Dataset over the grid's coordinates (needs every point)."""
        import xarray

        grid = self.spec.grid
        outcomes = [self.results[i] for i in range(grid.size)]
        first = next((o[1] for o in outcomes if o[0] == "ok"), {})
        variables = {}
        for name in first:
            sample = np.asarray(first[name])
            fill = np.nan if sample.dtype.kind in "fc" else ("" if sample.dtype.kind in "US" else -1)
            dtype = float if sample.dtype.kind in "fcb" else (object if sample.dtype.kind in "US" else sample.dtype)
            values = np.full((grid.size, *sample.shape), fill, dtype=dtype)
            for i, (status, result) in enumerate(outcomes):
                if status == "ok":
                    values[i] = str(result[name]) if dtype is object else np.asarray(result[name])
            extra = tuple(f"{name}_{k}" for k in range(sample.ndim))
            variables[name] = (grid.dims + extra, values.reshape(grid.shape + sample.shape))
        failed = np.array([o[0] != "ok" for o in outcomes]).reshape(grid.shape)
        errors = np.array([o[1] if o[0] != "ok" else "" for o in outcomes], dtype=object).reshape(grid.shape)
        variables["failed"] = (grid.dims, failed)
        variables["error"] = (grid.dims, errors)
        return xarray.Dataset(variables, coords=grid.coords(), attrs=attrs)

    def write(self, dataset):
        """Write ``dataset`` to ``out`` atomically (netCDF; zarr for ``.zarr``), then remove the parts."""
        if self.out is None:
            return
        self.flush()
        out = os.fspath(self.out)
        if out.endswith(".zarr"):
            temporary = out + ".tmp"
            shutil.rmtree(temporary, ignore_errors=True)
            dataset.to_zarr(temporary, mode="w")
            shutil.rmtree(out, ignore_errors=True)
            os.replace(temporary, out)
        else:
            encoded = dataset.copy()
            for name, variable in encoded.data_vars.items():
                if variable.dtype == object:
                    encoded[name] = variable.astype(str)
            with atomic_open(out, "wb") as handle:
                handle.write(encoded.to_netcdf())
        shutil.rmtree(self.parts, ignore_errors=True)


def _fingerprint(path):
    import xarray

    try:
        with xarray.open_dataset(path) as dataset:
            return dataset.attrs.get("fingerprint")
    except Exception:  # not a sweep's output at all
        return None


def read(path):
    """A finished sweep's Dataset, loaded into memory."""
    import xarray

    with xarray.open_dataset(path) as dataset:
        return dataset.load()
