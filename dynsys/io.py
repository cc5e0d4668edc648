"""Atomic file output: an interrupted run never leaves a half-written result."""

import contextlib
import os
import tempfile


class OutputPathError(ValueError):
    """An output path that cannot be written (a user error)."""


def check_writable(path):
    """Raise OutputPathError unless ``path`` can be created or replaced."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(directory):
        raise OutputPathError(f"output directory does not exist: {directory}")
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError:
        raise OutputPathError(f"output directory is not writable: {directory}") from None
    if os.path.isdir(path):
        raise OutputPathError(f"output path is a directory: {path}")


def prepare_directory(path, names=()):
    """Create the directory ``path`` if missing (its parent must exist); check ``names`` can be written in it.

    Returns ``path`` as a string; raises OutputPathError with a one-line message otherwise.
    """
    path = os.fspath(path)
    if not os.path.isdir(path):
        try:
            os.mkdir(path)
        except OSError as error:
            raise OutputPathError(f"cannot create output directory {path}: {error.strerror}") from None
    for name in names:
        check_writable(os.path.join(path, name))
    return path


@contextlib.contextmanager
def atomic_open(path, mode="wb"):
    """Open a temporary file beside ``path``; on success rename it over ``path``."""
    check_writable(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
