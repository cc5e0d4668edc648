"""Point function of the Dask fault-tolerance test (``callable`` target ``fault_points:slow_square``).

The test folder is on ``sys.path`` (pytest puts it there; Dask's spawned
workers inherit the parent's ``sys.path``), so the workers import this module
by name.
"""

import os
import time


def slow_square(values, seed, delay=0.2):
    """``y = x**2 + seed % 1000`` after ``delay`` seconds, and the ``pid`` of the worker that computed it."""
    time.sleep(delay)
    return {"y": values["x"] ** 2 + seed % 1000, "pid": os.getpid()}
