"""The array module the training engine runs on: NumPy, or CuPy on a GPU.

Every algorithm is written once against ``xp`` (the NumPy API that CuPy
mirrors); a :class:`Backend` bundles that module with the two conversions the
engine needs at its edges (host arrays in, host numbers out).
"""

from dataclasses import dataclass
from types import ModuleType

import numpy as np

BACKENDS = ("numpy", "cupy", "auto")


class BackendError(ValueError):
    """A backend that was asked for and cannot run here (a user error)."""


@dataclass(frozen=True)
class Backend:
    """An array module ``xp`` and its name (``"numpy"`` or ``"cupy"``)."""

    name: str
    xp: ModuleType

    def asarray(self, array, dtype=None):
        """``array`` (NumPy or this backend's) on this backend's device."""
        return self.xp.asarray(array, dtype=dtype)

    def to_numpy(self, array):
        """``array`` as a NumPy array on the host."""
        if self.name == "cupy":
            return self.xp.asnumpy(array)
        return np.asarray(array)

    def synchronize(self):
        """Wait for queued device work (for timing); a no-op on NumPy."""
        if self.name == "cupy":
            self.xp.cuda.Device().synchronize()


def _cupy():
    """CuPy if it imports and a GPU runs a kernel, else a BackendError saying why."""
    try:
        import cupy
    except ImportError:
        raise BackendError("backend 'cupy' needs CuPy: pip install 'dynsys[gpu]'") from None
    try:
        cupy.cuda.runtime.getDeviceCount()
        float((cupy.arange(3.0) ** 2).sum())
    except Exception as error:  # CUDA raises its own error types, and they vary by version
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BackendError(f"backend 'cupy': no working GPU ({first_line})") from None
    return cupy


def get_backend(name="numpy"):
    """The backend called ``name``: ``numpy``, ``cupy`` (an error if no GPU works) or ``auto``.

    ``auto`` is CuPy when it works and NumPy otherwise; the returned name says which ran.
    """
    if isinstance(name, Backend):
        return name
    if name not in BACKENDS:
        raise BackendError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")
    if name == "numpy":
        return Backend("numpy", np)
    try:
        return Backend("cupy", _cupy())
    except BackendError:
        if name == "auto":
            return Backend("numpy", np)
        raise


def gpu_unavailable_reason():
    """None when the CuPy backend runs here, else the one-line reason it does not (for test skips)."""
    try:
        _cupy()
    except BackendError as error:
        return str(error)
    return None
