"""Sweep benchmark (issue 10): the 100 x 100 (rho, r) stability map of ``chain_minnorm_balanced`` on every
executor, and the per-point overhead of ``dask``.

The map is one ``simulate`` sweep: each point starts 1e-3 from the fixed point (1, 1) (Minnorm eq. 17),
integrates to t = 200 (DOP853, rtol 1e-10), measures its decay rate and classifies the fixed point it
reaches. Target (issue 10): under 1 s with ``ensemble`` once compiled. ``processes`` and ``dask`` run the
same sweep with 2 workers (the per-point ``solve_ivp`` path; Dask on a LocalCluster started beforehand and
warmed up, so its start-up is not counted); the ratios are their times over the ensemble's. The Dask
overhead: tiny points (a callable returning at once) per point, batched as ``run_sweep`` batches them and
one point per task; and 8 points of ``time.sleep(1)`` on 2 workers against the ideal 4 s.

Run with ``python benchmarks/bench_sweep.py`` (``--quick``: a 30 x 30 map and fewer tiny points).
"""

import argparse
import os
import time

import numba

from dynsys.sweep import build, run_sweep

OPTIONS = {"t1": 200, "delta": [1e-3, 1e-3]}
WORKERS = 2


def tiny_point(values, seed):
    return {"y": values["i"]}


def sleep_point(values, seed):
    time.sleep(1.0)
    return {"y": values["i"]}


def timed(spec, repeats=1, **kwargs):
    """The best wall time of ``repeats`` runs of ``spec`` and the last result."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = run_sweep(spec, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def stability_map(n, cluster):
    spec = build("simulate", "chain_minnorm_balanced", [f"rho=0:2:{n}", f"r=0.05:4:{n}"], options=OPTIONS)
    warm = build("simulate", "chain_minnorm_balanced", ["rho=0.5,1", "r=0.5,1"], options=OPTIONS)
    start = time.perf_counter()
    run_sweep(warm, executor="ensemble")
    print(f"first ensemble call (model derivation, compilation or cache load): {time.perf_counter() - start:.2f} s")
    ensemble_s, result = timed(spec, repeats=3, executor="ensemble")
    rates = result["rate"].values
    print(f"{spec.grid.describe()}, ensemble: {ensemble_s:.3f} s (best of 3; target < 1 s); "
          f"{int((result['success'] == 1).sum())} solves succeeded, {int(rates.size - (rates != rates).sum())} "
          f"rates measured, classes {sorted(set(result['class'].values.ravel()))}")
    processes_s, other = timed(spec, executor="processes", workers=WORKERS)
    _check_equal(result, other, "processes")
    run_sweep(warm, executor="dask", scheduler=cluster.scheduler_address)  # the workers build the model once
    dask_s, other = timed(spec, executor="dask", scheduler=cluster.scheduler_address)
    _check_equal(result, other, "dask")
    print(f"processes ({WORKERS} workers): {processes_s:.2f} s = {processes_s / ensemble_s:.1f} x ensemble; "
          f"dask ({WORKERS} workers): {dask_s:.2f} s = {dask_s / ensemble_s:.1f} x ensemble")


def _check_equal(a, b, name):
    same = all(((a[v].values == b[v].values) | ((a[v].values != a[v].values) & (b[v].values != b[v].values))).all()
               for v in a.data_vars if v != "error")
    print(f"  {name} results equal to the ensemble's point by point: {same}")


def dask_overhead(points, cluster):
    target = f"{__name__}:tiny_point"
    spec = build("callable", target, [f"i=0:{points - 1}:{points}"])
    for label, batch in (("batched as run_sweep does", None), ("one point per task", 1)):
        seconds, _ = timed(spec, executor="dask", scheduler=cluster.scheduler_address, batch_points=batch)
        print(f"dask, {points} tiny points ({label}): {seconds:.2f} s, {seconds / points * 1e3:.2f} ms per point")
    spec = build("callable", f"{__name__}:sleep_point", ["i=0:7:8"])
    seconds, _ = timed(spec, executor="dask", scheduler=cluster.scheduler_address, batch_points=1)
    ideal = 8 * 1.0 / WORKERS
    print(f"dask, 8 points of 1 s on {WORKERS} workers: {seconds:.2f} s against the ideal {ideal:.0f} s, "
          f"overhead {(seconds - ideal) / (8 / WORKERS) * 1e3:.0f} ms per point ({(seconds / ideal - 1) * 100:.1f} %)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 30 x 30 map and 200 tiny points")
    args = parser.parse_args()
    from distributed import LocalCluster

    print(f"{os.cpu_count()} CPUs, {numba.config.NUMBA_NUM_THREADS} numba threads")
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=50) as cluster:
        stability_map(30 if args.quick else 100, cluster)
        dask_overhead(200 if args.quick else 2000, cluster)


if __name__ == "__main__":
    main()
