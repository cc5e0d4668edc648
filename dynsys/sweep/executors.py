"""Where a sweep's points run: in this process, in local processes, or on a Dask cluster.

Every executor takes the same batches of points and yields each finished
batch, a list of ``(index, outcome)``, in the order the batches finish; a point's outcome is
``("ok", results)`` or ``("error", message)``, computed by :func:`evaluate`
wherever it runs, so the executor never changes a result.
"""

import os
import socket
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed

from .grid import SweepError

EXECUTORS = ("serial", "ensemble", "processes", "dask")
SCHEDULER_TIMEOUT = 10  # seconds to reach a given Dask scheduler


def evaluate(function, batch):
    """``[(index, outcome)]`` for a batch of ``(index, values, seed)``: a failing point is recorded, not raised."""
    from threadpoolctl import threadpool_limits

    out = []
    with threadpool_limits(1):  # one BLAS thread per point: the executor provides the parallelism
        for index, values, seed in batch:
            try:
                out.append((index, ("ok", dict(function(values, seed)))))
            except Exception as error:  # the point's own failure: keep its message, go on
                where = traceback.extract_tb(error.__traceback__)[-1]
                out.append((index, ("error", f"{type(error).__name__}: {error} ({os.path.basename(where.filename)}:"
                                             f"{where.lineno})")))
    return out


class Serial:
    """Every batch in this process, one after the other."""

    name = "serial"
    workers = 1

    def run(self, function, batches):
        for batch in batches:
            yield evaluate(function, batch)

    def close(self):
        pass


class Processes:
    """A local process pool (``workers`` processes, default one per CPU)."""

    name = "processes"

    def __init__(self, workers=None):
        self.workers = int(workers or os.cpu_count() or 1)
        self._pool = ProcessPoolExecutor(self.workers)

    def run(self, function, batches):
        futures = [self._pool.submit(evaluate, function, batch) for batch in batches]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self):
        self._pool.shutdown(cancel_futures=True)


class Dask:
    """A ``distributed`` cluster: a LocalCluster of ``workers`` processes on the loopback interface, or the
    scheduler at ``address``. A batch lost with a worker is recomputed elsewhere (``retries``)."""

    name = "dask"

    def __init__(self, workers=None, address=None, retries=3):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SweepError("the dask executor needs Dask: pip install 'dynsys[distributed]'") from None
        self.retries = retries
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=int(workers or 2), threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address=None, silence_logs=50)
            self.client = Client(self._cluster)
        else:
            deadline = time.monotonic() + SCHEDULER_TIMEOUT - 1  # a second's margin for the client's own teardown
            _probe(address, SCHEDULER_TIMEOUT / 2)
            self.client = _connect(address, max(1.0, deadline - time.monotonic()))
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def run(self, function, batches):
        from distributed import as_completed as completed

        futures = self.client.map(evaluate, [function] * len(batches), batches, pure=False, retries=self.retries)
        try:
            # this client's loop: the default client's (as_completed's default) may be another client's
            for future in completed(futures, loop=self.client.loop):
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self):
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _probe(address, timeout):
    """Fail at once where nothing listens at the scheduler's host and port (``Client`` retries a refused
    connection until its timeout)."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location)
    except ValueError as error:
        raise SweepError(f"bad Dask scheduler address {address!r}: {error}") from None
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        raise SweepError(f"cannot reach the Dask scheduler at {address!r}: {error.strerror or type(error).__name__}"
                         ) from None


def _connect(address, timeout):
    """A ``Client`` of the scheduler at ``address``, or SweepError after ``timeout`` seconds. ``Client``'s own
    timeout does not cover a listener that never answers its handshake, so it connects in a thread, which is
    abandoned (and closes its client, should it still connect) when the time is up."""
    from distributed import Client

    box, lock = {}, threading.Lock()

    def connect():
        try:
            client = Client(address, timeout=timeout)
        except Exception as error:
            box["error"] = error
            return
        with lock:
            if box.get("abandoned"):
                client.close()
            else:
                box["client"] = client

    thread = threading.Thread(target=connect, name="dynsys-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout)
    with lock:
        box["abandoned"] = True
        if "client" in box:
            return box["client"]
    reason = type(box["error"]).__name__ if "error" in box else "no answer"
    raise SweepError(f"cannot reach the Dask scheduler at {address!r} within {SCHEDULER_TIMEOUT} s ({reason})")


def get(name, workers=None, scheduler=None):
    """The executor called ``name`` (``ensemble`` is chosen by the sweep itself, see ``dynsys.sweep.run``)."""
    if name not in EXECUTORS:
        raise SweepError(f"unknown executor {name!r}; choose from {', '.join(EXECUTORS)}")
    if scheduler is not None and name != "dask":
        raise SweepError("--scheduler is for the dask executor")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SweepError(f"workers must be a positive integer, got {workers!r}")
    if name == "processes":
        return Processes(workers)
    if name == "dask":
        return Dask(workers, scheduler)
    return Serial()
