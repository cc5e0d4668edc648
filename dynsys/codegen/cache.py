"""Generated modules, cached on disk across processes and in memory within one.

A module is written once to ``<cache_dir()>/dynsys_generated_<sha256>.py``,
the hash taken over its source, the dynsys version and the numba version, and
imported from there; numba's ``cache=True`` keeps the compiled functions in
``__pycache__`` beside it, so another process importing the same source
reloads them instead of compiling. Numba can reload a cached function only if
its module is importable by name, so each module is registered in
``sys.modules`` under its file's stem before it is executed.
"""

import atexit
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import numba

import dynsys

MODULE_PREFIX = "dynsys_generated_"

_loaded = {}
_lock = threading.Lock()


def cache_dir():
    """Where generated modules go: ``$DYNSYS_CACHE_DIR/generated``, else
    ``$XDG_CACHE_HOME/dynsys/generated``, else ``~/.cache/dynsys/generated``."""
    root = os.environ.get("DYNSYS_CACHE_DIR")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(xdg, "dynsys")
    return Path(root) / "generated"


def source_hash(source):
    """The sha256 hex digest naming the module of ``source``."""
    text = "\0".join([source, dynsys.__version__, numba.__version__])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_module(source):
    """The imported module with ``source``; the same object for the same source."""
    name = MODULE_PREFIX + source_hash(source)
    with _lock:
        if name not in _loaded:
            _loaded[name] = _import(name, _module_file(name + ".py", source))
        return _loaded[name]


def _import(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _module_file(filename, source):
    directory = cache_dir()
    try:
        return _write_once(directory / filename, source)
    except OSError as error:
        fallback = _fallback_dir()
        warnings.warn(
            f"dynsys cannot write its code cache {directory} ({error}); using {fallback}, "
            "so other processes will compile these models again",
            RuntimeWarning,
            stacklevel=4,
        )
        return _write_once(fallback / filename, source)


def _write_once(path, source):
    """Write ``source`` to ``path`` unless it is there already; return ``path``.

    An existing file is left untouched, as numba's cache is keyed on its
    modification time. The write goes through a temporary file and
    ``os.replace``, so a concurrent process never imports a partial module.
    """
    try:
        if path.read_text(encoding="utf-8") == source:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o644)  # mkstemp's 0o600 would hide a shared cache from other users
            file.write(source)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


@lru_cache(maxsize=None)
def _fallback_dir():
    directory = Path(tempfile.mkdtemp(prefix="dynsys-generated-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory
