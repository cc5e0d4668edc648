"""Point functions for the sweep tests (``callable`` targets ``sweep_points:NAME``; tests put this folder on sys.path).

``counted`` logs every call as a file in ``log_dir`` and can be made to stop a
sweep part-way: with a file ``log_dir/interrupt`` holding ``N``, the call after
the N-th raises KeyboardInterrupt (``mode`` "interrupt") or ends the process at
once with ``os._exit`` (``mode`` "exit"), before it logs or computes anything.
"""

import os
import uuid

import numpy as np

STOP = "interrupt"


def quadratic(values, seed, scale=1.0):
    """``y = scale * x**2``, a uniform draw from the point's seed, a small array and a label."""
    x = values["x"]
    return {"y": scale * x ** 2, "u": np.random.default_rng(seed).uniform(), "pair": np.array([x, -x]),
            "label": f"x={x:g}"}


def failing(values, seed):
    """``quadratic`` that raises for x > 0.5 (a failing point does not stop the sweep)."""
    if values["x"] > 0.5:
        raise ValueError(f"x = {values['x']:g} is too large")
    return {"y": values["x"] ** 2}


def calls(log_dir):
    """The points ``counted`` computed, one ``(x, seed)`` per call."""
    out = []
    for name in os.listdir(log_dir):
        if name.startswith("call-"):
            x, seed, _ = name[len("call-"):].split("_")
            out.append((float(x), int(seed)))
    return out


def counted(values, seed, log_dir, mode="interrupt"):
    """``quadratic``, logging each call in ``log_dir``; stops the sweep as the module docstring says."""
    limit = os.path.join(log_dir, STOP)
    if os.path.exists(limit):
        with open(limit) as handle:
            if len(calls(log_dir)) >= int(handle.read()):
                if mode == "exit":
                    os._exit(3)
                raise KeyboardInterrupt
    with open(os.path.join(log_dir, f"call-{values['x']!r}_{seed}_{uuid.uuid4().hex}"), "w"):
        pass
    return quadratic(values, seed)
