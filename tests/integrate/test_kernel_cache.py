"""The kernels' disk cache follows every module they compile in (dynsys.integrate._kernel_cache)."""

import os
import subprocess
import sys

from dynsys.integrate._kernel_cache import dependencies

# A package like dynsys.integrate in miniature: a kernel that compiles in a helper
# from another module, and a driver closing over the kernel, as the ensemble's does.
HELPER = "from numba import njit\n\n\n@njit\ndef offset():\n    return {}\n"
KERNELS = """
import sys
from numba import njit, types
from dynsys.integrate._kernel_cache import njit_cached
from .helper import offset

if sys.argv[1] == "more-types":  # numba numbers its types in creation order
    njit(lambda a, b: a[b].sum())(__import__("numpy").ones((2, 3), "int32"), __import__("numpy").int16(1))


def step(x):
    return x + offset()


def make_driver(kernel):
    def drive(x):
        return 10 * kernel(x)
    return drive


kernel = njit_cached(step, types.int64(types.int64))
driver = njit_cached(make_driver(kernel), types.int64(types.int64), calls=(kernel,))
hits = [sum(f.stats.cache_hits.values()) for f in (kernel, driver)]
print(kernel(0), driver(0), *["hit" if n else "compiled" for n in hits])
"""


def _run(root, mode="plain"):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(root / "cache"),
               PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "stamped.kernels", mode], cwd=root, env=env,
                          capture_output=True, text=True, check=True).stdout.split()


def test_an_edit_to_a_compiled_in_module_forces_a_recompile(tmp_path):
    package = tmp_path / "stamped"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "kernels.py").write_text(KERNELS)
    helper = package / "helper.py"
    helper.write_text(HELPER.format(1))
    assert _run(tmp_path) == ["1", "10", "compiled", "compiled"]
    assert _run(tmp_path, "more-types") == ["1", "10", "hit", "hit"]  # the key is the same in every process

    # same size and modification time: only the text tells the edit
    stat = helper.stat()
    helper.write_text(HELPER.format(2))
    os.utime(helper, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _run(tmp_path) == ["2", "20", "compiled", "compiled"]
    assert _run(tmp_path) == ["2", "20", "hit", "hit"]


def test_the_kernels_depend_on_the_modules_they_compile_in():
    for module in ("dynsys.integrate.explicit", "dynsys.integrate.rosenbrock"):
        found = dependencies(module)
        assert {module, "dynsys.integrate._output", "dynsys.integrate.flow",
                "dynsys.integrate._function_values"} <= set(found)
        assert all(name.startswith("dynsys.") for name in found)
