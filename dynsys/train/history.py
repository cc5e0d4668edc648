"""The record of one training run, saved atomically as ``.npz`` or netCDF."""

import io
import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..io import OutputPathError, atomic_open

FORMATS = (".npz", ".nc")


@dataclass
class History:
    """Metrics per recorded epoch (``metrics[name]`` aligned with ``epochs``), settings and outcome.

    ``status`` is ``"done"`` or ``"diverged"`` (``message`` says at which epoch).
    ``multipliers`` (epochs x P x n_out) and ``params`` (per epoch, a list of
    arrays) are kept only when asked for.
    """

    settings: dict
    backend: str
    epochs: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    multipliers: list = field(default_factory=list)
    params: list = field(default_factory=list)
    status: str = "done"
    message: str = "finished all epochs"
    seconds: float = 0.0
    final_params: list = None
    final_multipliers: np.ndarray = None

    def append(self, epoch, row, multipliers=None, params=None):
        self.epochs.append(epoch)
        for name, value in row.items():
            self.metrics.setdefault(name, []).append(value)
        if multipliers is not None:
            self.multipliers.append(multipliers)
        if params is not None:
            self.params.append(params)

    def stop(self, message):
        self.status, self.message = "diverged", message

    def __getitem__(self, name):
        """The metric ``name`` as an array over the recorded epochs."""
        return np.asarray(self.metrics[name])

    def best_epoch(self, metric="validation_error"):
        """The recorded epoch where ``metric`` is smallest (the first such; early stopping)."""
        return int(self.epochs[int(np.argmin(self[metric]))])

    def at(self, epoch):
        """All metrics at a recorded ``epoch``, as a dict of floats."""
        i = self.epochs.index(epoch)
        return {name: float(values[i]) for name, values in self.metrics.items()}

    def arrays(self):
        """Plain arrays: ``epoch``, one per metric, and ``multipliers`` when recorded."""
        out = {"epoch": np.asarray(self.epochs)}
        out.update({name: np.asarray(values) for name, values in self.metrics.items()})
        if self.multipliers:
            out["multipliers"] = np.stack(self.multipliers)
        return out

    def to_xarray(self):
        """An ``xarray.Dataset`` over ``epoch`` (needs the ``distributed`` extra's xarray)."""
        import xarray as xr

        arrays = self.arrays()
        epoch = arrays.pop("epoch")
        variables = {name: ("epoch", values) for name, values in arrays.items() if name != "multipliers"}
        if "multipliers" in arrays:
            variables["multipliers"] = (("epoch", "example", "output"), arrays["multipliers"])
        return xr.Dataset(variables, coords={"epoch": epoch}, attrs=self._attributes())

    def _attributes(self):
        return {"settings": json.dumps(self.settings), "backend": self.backend, "status": self.status,
                "message": self.message, "seconds": self.seconds}

    def save(self, path):
        """Write to ``path`` (``.npz`` or ``.nc``) atomically; returns the path."""
        path = os.fspath(path)
        extension = os.path.splitext(path)[1]
        if extension not in FORMATS:
            raise OutputPathError(f"cannot save a training record as {extension or 'no extension'!r}; "
                                  f"use {' or '.join(FORMATS)}")
        if extension == ".nc":
            try:
                payload = self.to_xarray().to_netcdf(engine="scipy")
            except ImportError:
                raise OutputPathError("saving .nc needs xarray: pip install 'dynsys[distributed]'") from None
            with atomic_open(path) as handle:
                handle.write(bytes(payload))
            return path
        buffer = io.BytesIO()
        np.savez(buffer, **self.arrays(), **{k: np.asarray(v) for k, v in self._attributes().items()})
        with atomic_open(path) as handle:
            handle.write(buffer.getvalue())
        return path
