"""Integrator benchmark: dynsys against solve_ivp and numbalsoda, in one run.

Times one solve (after compilation) of ``chain_minnorm`` (Minnorm eq. 12-14),
of the Arenstorf orbit and of the long solve of ``shallow_bce`` (Minnorm eq.
22) to ``t = 1e8`` behind Fig. 4 (target: under 2 s), for this project's dopri5 and dop853, SciPy's
RK45 and DOP853 with a plain Python right-hand side at the same tolerances,
and numbalsoda's dop853 and lsoda when it is installed; then the ensemble of
100 x 100 (rho, r) points of ``chain_minnorm_balanced`` to t = 200. Prints
times, function evaluations and the ratios against each peer.

    python benchmarks/bench_integrators.py [--repeat N]

numbalsoda needs a Fortran compiler to build (``apt-get install gfortran``,
then ``pip install numbalsoda``); without it those rows are skipped.
"""

import argparse
import os
import time

import numpy as np
import scipy.integrate

from dynsys.integrate import ensemble, solve_ivp
from dynsys.models import get

RTOL, ATOL = 1e-8, 1e-10


def best_time(call, repeat):
    """Smallest wall time of ``repeat`` calls (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def problems():
    """Each problem: name, compiled flow, parameter array, y0, t1, plain Python rhs for SciPy."""
    chain = get("chain_minnorm")
    named = chain.param_values(rho=0.3, r=2.0)
    chain_flow = chain.compile()
    p_chain = np.array([named[s.name] for s in chain.params])
    x, y, rho, r, tau = (named[k] for k in ("x", "y", "rho", "r", "tau"))

    def chain_rhs(t, u):
        w1, w2, alpha = u
        err = w1 * w2 * x - y
        return np.array([(-w1 + alpha * w2 * x - rho * err * w2 * x) / tau,
                         (-w2 + alpha * w1 * x - rho * err * w1 * x) / tau,
                         -r * err / tau])

    arenstorf = get("arenstorf")
    arenstorf_flow = arenstorf.compile()
    p_aren = np.array([arenstorf.param_values()[s.name] for s in arenstorf.params])
    mu = arenstorf.param_values()["mu"]

    def arenstorf_rhs(t, u):
        x1, x2, v1, v2 = u
        d1 = ((x1 + mu) ** 2 + x2 ** 2) ** 1.5
        d2 = ((x1 - 1 + mu) ** 2 + x2 ** 2) ** 1.5
        return np.array([v1, v2,
                         x1 + 2 * v2 - (1 - mu) * (x1 + mu) / d1 - mu * (x1 - 1 + mu) / d2,
                         x2 - 2 * v1 - (1 - mu) * x2 / d1 - mu * x2 / d2])

    bce = get("shallow_bce")
    bce_flow = bce.compile()
    p_bce = np.array([bce.param_values()[s.name] for s in bce.params])
    tau_bce = bce.param_values()["tau"]

    def bce_rhs(t, u):
        push = np.sqrt(2) / (tau_bce * (1 + np.exp((u[0] + u[1]) / np.sqrt(2))))  # 2 sigma(-w_par) x1 / tau
        return np.array([push, push])

    t_arenstorf = 17.0652165601579625588917206249
    y_arenstorf = np.array([0.994, 0.0, 0.0, -2.00158510637908252240537862224])
    return [
        ("chain_minnorm", chain_flow, p_chain, np.array([0.2, 1.5, 0.0]), 50.0, chain_rhs),
        ("arenstorf", arenstorf_flow, p_aren, y_arenstorf, t_arenstorf, arenstorf_rhs),
        ("shallow_bce", bce_flow, p_bce, np.array([1 / np.sqrt(2), -1 / np.sqrt(2)]), 1e8, bce_rhs),
    ]


def numbalsoda_solvers():
    """numbalsoda's dop853 and lsoda, or None when it is not installed."""
    try:
        import numbalsoda
    except ImportError:
        return None
    return {"numbalsoda dop853": numbalsoda.dop853, "numbalsoda lsoda": numbalsoda.lsoda}


def numbalsoda_rhs(name, flow, p):
    """A numbalsoda cfunc for the problem (written for the peer's calling convention)."""
    import numba
    from numbalsoda import lsoda_sig

    named = dict(zip(flow.param_names, p))
    if name == "chain_minnorm":
        x, y, rho, r, tau = (named[k] for k in ("x", "y", "rho", "r", "tau"))

        @numba.cfunc(lsoda_sig)
        def rhs(t, u, du, p):
            err = u[0] * u[1] * x - y
            du[0] = (-u[0] + u[2] * u[1] * x - rho * err * u[1] * x) / tau
            du[1] = (-u[1] + u[2] * u[0] * x - rho * err * u[0] * x) / tau
            du[2] = -r * err / tau
    elif name == "shallow_bce":
        tau = named["tau"]

        @numba.cfunc(lsoda_sig)
        def rhs(t, u, du, p):
            du[0] = du[1] = np.sqrt(2) / (tau * (1 + np.exp((u[0] + u[1]) / np.sqrt(2))))
    else:
        mu = named["mu"]

        @numba.cfunc(lsoda_sig)
        def rhs(t, u, du, p):
            d1 = ((u[0] + mu) ** 2 + u[1] ** 2) ** 1.5
            d2 = ((u[0] - 1 + mu) ** 2 + u[1] ** 2) ** 1.5
            du[0] = u[2]
            du[1] = u[3]
            du[2] = u[0] + 2 * u[3] - (1 - mu) * (u[0] + mu) / d1 - mu * (u[0] - 1 + mu) / d2
            du[3] = u[1] - 2 * u[2] - (1 - mu) * u[1] / d1 - mu * u[1] / d2
    return rhs


def bench_single(repeat):
    peers_nb = numbalsoda_solvers()
    for name, flow, p, y0, t1, plain in problems():
        print(f"\n{name}: t1 = {t1:g}, rtol = {RTOL:g}, atol = {ATOL:g}")
        rows = {}
        for method in ("dopri5", "dop853"):
            res = solve_ivp(flow, (0.0, t1), y0, method=method, rtol=RTOL, atol=ATOL, args=(p,), t_eval=[t1])
            seconds = best_time(lambda: solve_ivp(flow, (0.0, t1), y0, method=method, rtol=RTOL,
                                                  atol=ATOL, args=(p,), t_eval=[t1]), repeat)
            rows[f"dynsys {method}"] = (seconds, res.nfev, res.y[:, -1])
        for method in ("RK45", "DOP853"):
            res = scipy.integrate.solve_ivp(plain, (0.0, t1), y0, method=method, rtol=RTOL, atol=ATOL, t_eval=[t1])
            seconds = best_time(lambda: scipy.integrate.solve_ivp(plain, (0.0, t1), y0, method=method,
                                                                  rtol=RTOL, atol=ATOL, t_eval=[t1]),
                                max(1, repeat // 10))
            rows[f"scipy {method}"] = (seconds, res.nfev, res.y[:, -1])
        if peers_nb:
            rhs = numbalsoda_rhs(name, flow, p)
            t_eval = np.array([0.0, t1])
            for label, solver in peers_nb.items():
                usol, ok = solver(rhs.address, y0, t_eval, rtol=RTOL, atol=ATOL)
                seconds = best_time(lambda: solver(rhs.address, y0, t_eval, rtol=RTOL, atol=ATOL), repeat)
                rows[label] = (seconds, float("nan"), usol[-1])
        reference = rows["scipy DOP853"][2]
        print(f"  {'solver':20s} {'time [ms]':>10s} {'nfev':>7s} {'|y - y_scipyDOP853|':>20s}")
        for label, (seconds, nfev, y_end) in rows.items():
            print(f"  {label:20s} {1e3 * seconds:10.4f} {nfev:7.0f} {np.max(np.abs(y_end - reference)):20.2e}")
        if name == "shallow_bce":
            print(f"  long solve to t = 1e8: dynsys dop853 {rows['dynsys dop853'][0]:.4f} s (target < 2 s)")
        for ours in ("dynsys dopri5", "dynsys dop853"):
            for peer in rows:
                if not peer.startswith("dynsys"):
                    print(f"  ratio {peer} / {ours}: {rows[peer][0] / rows[ours][0]:8.1f}x")


def bench_ensemble(repeat):
    model = get("chain_minnorm_balanced")
    flow = model.compile()
    names = [s.name for s in model.params]
    base = model.param_values()
    rho, r = np.meshgrid(np.linspace(0.05, 3.0, 100), np.linspace(0.05, 5.0, 100))
    params = np.tile([base[name] for name in names], (rho.size, 1))
    params[:, names.index("rho")] = rho.ravel()
    params[:, names.index("r")] = r.ravel()
    y0 = np.array([0.5, 0.0])
    result = ensemble(flow, (0.0, 200.0), y0, params, method="dopri5", rtol=1e-6, atol=1e-9)
    seconds = best_time(lambda: ensemble(flow, (0.0, 200.0), y0, params, method="dopri5",
                                         rtol=1e-6, atol=1e-9), repeat)
    ok = int(np.sum(result.status == 0))
    print(f"\nensemble chain_minnorm_balanced 100 x 100 (rho, r) to t = 200, dopri5 rtol 1e-6: "
          f"{seconds:.3f} s on {os.cpu_count()} cores, {ok}/{rho.size} members succeeded "
          f"(target < 1 s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    bench_single(args.repeat)
    bench_ensemble(max(1, args.repeat // 10))


if __name__ == "__main__":
    main()
