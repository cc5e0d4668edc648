"""Issue 10's fault-tolerance test: a Dask worker killed while a sweep runs loses no point and repeats none.

A LocalCluster on the loopback interface with two worker processes runs a
40-point sweep of 0.2-s points (``fault_points.slow_square``) through
``run_sweep(..., executor="dask", scheduler=...)``. As soon as the first result
reaches the sweep, a thread SIGKILLs one worker process. The sweep must finish
with every point recorded exactly once, with its correct value, and none failed.
"""

import collections
import logging
import os
import signal
import threading

import numpy as np
import pytest

from dynsys.sweep import build, replicate_seed, run_sweep
from dynsys.sweep import store as store_module

distributed = pytest.importorskip("distributed")

POINTS, DELAY, ROOT_SEED = 40, 0.2, 7
DEADLINE = 60  # seconds: the whole test ends (failing) by then instead of hanging


class Deadline(Exception):
    pass


def _alarm(signum, frame):
    raise Deadline(f"the sweep did not finish within {DEADLINE} s")


@pytest.fixture
def deadline():
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(DEADLINE)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def arrivals(monkeypatch):
    """Counts of the points the sweep records, by flat index, and an event set at the first one."""
    counts, first = collections.Counter(), threading.Event()
    original = store_module.Store.add

    def add(self, index, outcome):
        counts[index] += 1
        first.set()
        return original(self, index, outcome)

    monkeypatch.setattr(store_module.Store, "add", add)
    return counts, first


def test_a_killed_worker_loses_and_repeats_no_point(arrivals, deadline):
    counts, first = arrivals
    spec = build("callable", "fault_points:slow_square", [f"x=0:{POINTS - 1}:{POINTS}"], root_seed=ROOT_SEED,
                 options={"delay": DELAY})
    killed = {}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
            distributed.Client(cluster, timeout=30) as client:
        client.wait_for_workers(2, timeout=30)
        pids = sorted(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids

        def kill():
            if first.wait(DEADLINE):
                killed["done_before"] = len(counts)
                os.kill(pids[0], signal.SIGKILL)
                killed["pid"] = pids[0]

        thread = threading.Thread(target=kill, daemon=True)
        thread.start()
        dataset = run_sweep(spec, executor="dask", scheduler=cluster.scheduler_address)
        thread.join(timeout=5)
        after = sorted(client.run(os.getpid).values())

    assert killed.get("pid") == pids[0], "the worker was not killed"
    assert killed["done_before"] < POINTS // 2, f"killed after {killed['done_before']} points: too late to matter"
    assert pids[0] not in after  # the worker is gone (its nanny started a new one)
    assert sorted(counts) == list(range(POINTS)) and set(counts.values()) == {1}, counts
    assert not dataset["failed"].any()
    x = np.linspace(0, POINTS - 1, POINTS)
    np.testing.assert_array_equal(dataset["y"].values, x ** 2 + replicate_seed(ROOT_SEED, 0) % 1000)
    np.testing.assert_array_equal(dataset["x"].values, x)
    survivors = set(dataset["pid"].values.tolist()) - {pids[0]}
    assert survivors and survivors <= set(pids) | set(after)  # the rest ran on the surviving or restarted worker
