"""Ensemble benchmark: a 100 x 100 parameter grid of a damped pendulum to t = 200.

Target (DESIGN): under 1 s on 2 cores once compiled. Run with
``NUMBA_NUM_THREADS=2 python benchmarks/bench_ensemble.py``.
"""

import time

import numpy as np
from numba import njit

from dynsys.integrate import Flow, ensemble
from dynsys.integrate.flow import RHS_SIGNATURE


@njit(RHS_SIGNATURE, cache=True)
def pendulum(t, y, p, out):
    out[0] = y[1]
    out[1] = -p[0] * y[1] - p[1] * np.sin(y[0])


def main(repeats=3):
    flow = Flow(rhs=pendulum, n_state=2, param_names=("gamma", "omega2"), params=np.array([0.1, 1.0]))
    gamma, omega2 = np.meshgrid(np.linspace(0.05, 1.0, 100), np.linspace(0.5, 2.0, 100))
    params = np.column_stack([gamma.ravel(), omega2.ravel()])
    start = time.perf_counter()
    ensemble(flow, (0, 200), [1.0, 0.0], params[:2])
    print(f"first call (compile or load from cache): {time.perf_counter() - start:.2f} s")
    for _ in range(repeats):
        start = time.perf_counter()
        result = ensemble(flow, (0, 200), [1.0, 0.0], params)
        seconds = time.perf_counter() - start
        print(f"{len(params)} members: {seconds:.3f} s, {result.nfev.sum() / seconds / 1e6:.1f} M rhs/s, "
              f"all succeeded: {bool(result.success.all())}")


if __name__ == "__main__":
    main()
