"""Disk caching of compiled kernels that follows every module they compile in.

numba keys a cached function on its own source file only, but a kernel
compiles in the numba functions and constants of the modules it imports
(``_output``, ``flow``, ...): after an edit there, the cached kernel would be
silently stale. ``njit_cached`` keys the cache on ``source_stamp`` instead, a
hash of the source text of the function's module and of every module of its
package (``dynsys``) that it imports, directly or not (read from the import
statements, so a new import is followed without being declared). Only the
kernels and the ensemble driver are cached: a numba helper cached on its own
would be stale in the same way, so helpers are compiled into the kernel that
calls them.
"""

import ast
import hashlib
import importlib.util
import sys
import threading
from pathlib import Path

from numba import njit
from numba.core.caching import FunctionCache

NOTICE_AFTER = 1.0  # seconds of compiling before the user is told


def _module_spec(name):
    """The spec of module ``name``, or None when ``name`` is not a module (a name imported from one)."""
    try:
        return importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None


def _imported(tree, package):
    """The modules of ``package``'s top-level package named by the import statements in ``tree``
    (the source of a module of ``package``)."""
    root = package.split(".")[0]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            if base.split(".")[0] == root:  # `from a import b`: module a.b if it is one, else a
                names += [f"{base}.{alias.name}" if _module_spec(f"{base}.{alias.name}") else base
                          for alias in node.names]
    return [name for name in names if name.split(".")[0] == root]


def dependencies(*modules):
    """``{name: source path}`` of the named modules and every module of their packages they import."""
    found = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        spec = _module_spec(name)
        found[name] = spec.origin
        todo += _imported(ast.parse(Path(spec.origin).read_bytes()), spec.parent)
    return found


def source_stamp(*functions):
    """A hash of the functions' qualified names and the sources of every module they compile in."""
    functions = [getattr(function, "py_func", function) for function in functions]  # dispatchers too
    digest = hashlib.sha256()
    for function in functions:
        digest.update(f"{function.__module__}.{function.__qualname__}\n".encode())
    for name, path in sorted(dependencies(*{function.__module__ for function in functions}).items()):
        digest.update(f"{name}\n".encode() + Path(path).read_bytes())
    return digest.hexdigest()


class _StampedCache(FunctionCache):
    """numba's per-function disk cache, its entries keyed on a source stamp.

    The stamp replaces the hash of the bytecode and of the closure's pickled
    cells, which numba uses in the key besides the signature and the target:
    it covers the function's whole module and, when the function calls a
    kernel it closes over, that kernel's name and sources. An edit to a
    dependency adds an entry to the function's index; numba starts the index
    afresh when the function's own file changes.
    """

    def __init__(self, py_func, stamp):
        super().__init__(py_func)
        self._stamp = stamp

    def _index_key(self, sig, codegen):
        return sig, codegen.magic_tuple(), self._stamp


def njit_cached(function, signature, calls=(), **options):
    """``njit(signature, cache=True, **options)(function)``, its cache keyed on ``source_stamp``.

    ``calls`` lists the compiled functions ``function`` closes over and calls
    (the ensemble driver's kernel), so that the key follows them too.
    """
    dispatcher = njit(**options)(function)
    dispatcher._cache = _StampedCache(function, source_stamp(function, *calls))
    # A load from the disk cache takes milliseconds; a compilation takes seconds: say so.
    notice = threading.Timer(NOTICE_AFTER, print, (f"dynsys: compiling {function.__name__} (first use only; "
                                                   "cached on disk afterwards) ...",), {"file": sys.stderr,
                                                                                        "flush": True})
    notice.daemon = True
    notice.start()
    try:
        dispatcher.compile(signature)
    finally:
        notice.cancel()
    dispatcher.disable_compile()
    return dispatcher
