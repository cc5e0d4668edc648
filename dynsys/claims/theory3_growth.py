"""Claims of Theory III sec. 12.1-12.2: the growth of the layer norms of a deep network under the exponential loss.

The flows are those of ``dynsys.models.theory3_deep``, derived from ``L =
exp(-f_V prod_k w_k)`` (one example, K scalar layers) or from ``L = sum_n
exp(-y_n W_K ... W_1 x_n)`` (matrices), and reduced by proved reductions.
Every printed formula is compared with the derived one in SymPy and along
solutions of the full K-layer flow, integrated by our DOP853 to ``t = 1e10``
(SciPy's DOP853 the second witness), and in log time ``s = log t`` to ``t =
1e100`` where a claim is asymptotic. Unless stated, the layers start equal at
``rho_k(0) = 1`` (so ``prod_k rho_k(0) = 1`` and ``R(0) = exp(f_V)``).
"""

import functools

import numpy as np
import sympy

from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.integrate import solve_ivp
from dynsys.models import theory3_deep as deep
from dynsys.models.theory3_deep import K, R, f_V, gamma, r, rho

PAPER = "theory3"
DEPTHS = (1, 2, 3, 4, 5)
T_END = 1e10
LATE = 1e6
LOG_TIMES = (1e10, 1e20, 1e30, 1e50, 1e70, 1e100)  # where the log-time law is read
RTOL, ATOL = 1e-12, 1e-14
STEP = 1e-3  # relative step of the central differences d/dt in t


# ---------------------------------------------------------------- solutions


@functools.cache
def _flow(kind, depth=None):
    build = {"layers": deep.deep_exponential, "law": deep.deep_exponential_law, "tied": deep.deep_exponential_tied,
             "eq62": deep.deep_exponential_eq62, "law_log": lambda: deep.in_log_time(deep.deep_exponential_law())}
    return (build[kind](depth) if depth else build[kind]()).compile()


def _times(quick, end=T_END, start=1.0):
    return np.geomspace(start, end, 81 if quick else 321)


@functools.cache
def _solve(kind, depth, params, start, times, method="dop853"):
    """``y`` (n_state x n_t) of a compiled flow at ``times`` (tuples, for caching); fails loudly."""
    flow = _flow(kind, depth)
    times = np.array(times)
    sol = solve_ivp(flow, (0.0, times[-1]), np.array(start, float), method=method, t_eval=times,
                    args=(np.array(params, float),), rtol=RTOL, atol=ATOL)
    if sol.status != 0:
        raise RuntimeError(f"{kind} K = {depth}: {sol.message}")
    return sol.y


def layers(depth, f, times, method="dop853", start=None):
    """The K layer weights of the full flow (``deep_exponential(K)``) at ``times``, from ``start`` (default all 1)."""
    start = (1.0,) * depth if start is None else tuple(start)
    return _solve("layers", depth, (f,), start, tuple(times), method)


def law(depth, f, times, method="dop853", printed=False):
    """``rho(t)`` of the equal-layer law (K a parameter): derived (``deep_exponential_law``) or printed (eq. 63)."""
    return _solve("tied" if printed else "law", None, (f, float(depth)), (1.0,), tuple(times), method)[0]


def _derivative(depth, f, times, observable, start=None):
    """``d observable(y)/dt`` along the full flow by central differences at ``t (1 +- STEP)`` of the dense output."""
    times = np.asarray(times)
    grid = np.concatenate([times * (1 - STEP), times * (1 + STEP)])
    order = np.argsort(grid)
    y = np.empty((depth, grid.size))
    y[:, order] = layers(depth, f, grid[order], start=start)
    values = observable(y)
    n = times.size
    return (values[..., n:] - values[..., :n]) / (2 * STEP * times)


def _product(y):
    return np.prod(y, axis=0)


def _max_rel(a, b):
    return float(np.max(np.abs(np.asarray(a) / np.asarray(b) - 1)))


# ---------------------------------------------------------------- sec. 12.1


@claim("theory3.growth.eq58_60", paper=PAPER, where="sec. 12.1, eq. 58-60",
       statement="Under gradient descent on the exponential loss, d|W_k|^2/dt = 2 sum_n y_n f(W; x_n) "
                 "exp(-y_n f(W; x_n)) for every layer k (eq. 60; eq. 59: d|W_k|/dt = (1/|W_k|) sum_n y_n f_n "
                 "exp(-y_n f_n)): the rate of growth of |W_k|^2 is the same for all layers, so the differences "
                 "|W_k|^2 - |W_j|^2 are conserved.")
def _(quick):
    nets = [((2, 1), 2), ((2, 2, 1), 2), ((2, 2, 2, 1), 2)] + ([] if quick else [((3, 2, 1), 3), ((2, 2, 2, 2, 1), 2)])
    proofs = {(w, n): deep.frobenius_proofs(w, n) for w, n in nets}
    yield Check(all(p.holds for ps in proofs.values() for p in ps),
                "SymPy (expanded, identically in weights, data x_n and labels y_n): d|W_k|^2/dt - 2 sum_n y_n f_n "
                "exp(-y_n f_n) = 0 for every layer of the linear networks "
                + ", ".join(f"{'-'.join(map(str, w))} with N = {n}" for w, n in nets))
    gaps = {k: deep.layer_gaps(deep.deep_exponential(k)) for k in DEPTHS}
    yield Check(all(p.holds for ps in gaps.values() for p in ps),
                "SymPy: w_k^2 - w_1^2 is a first integral of the scalar K-layer flow for K = 2..5")
    widths = (2, 2, 2, 1)
    model = deep.deep_linear_exponential(widths, 2)
    flow = model.compile()
    y0 = np.random.default_rng(1).normal(scale=0.5, size=len(model.state))
    times = np.geomspace(1e-2, 1e8, 41 if quick else 161)
    drift, ends, statuses = [], [], []
    for method in ("dop853", "scipy:DOP853"):
        sol = solve_ivp(flow, (0, times[-1]), y0, method=method, t_eval=times, args=(flow.params,),
                        rtol=RTOL, atol=ATOL)
        statuses.append(sol.status)
        squares = deep.frobenius_norms(widths, np.c_[y0, sol.y]) ** 2
        gaps_ = squares - squares[0]
        drift.append(np.abs(gaps_ - gaps_[:, :1]).max())
        ends.append(squares[:, -1])
    growth = ends[0] - deep.frobenius_norms(widths, y0[:, None])[:, 0] ** 2
    yield Check(max(drift) < 1e-9 and statuses == [0, 0],
                f"2-2-2-1 linear network, x1 = (1, 1/2) label +1, x2 = (-1/2, 1) label -1, random start (seed 1, "
                f"scale 0.5), to t = 1e8: each |W_k|^2 grew by {', '.join(f'{g:.4f}' for g in growth)} while the "
                f"differences |W_k|^2 - |W_1|^2 drifted by at most {drift[0]:.1e} (dop853), {drift[1]:.1e} "
                f"(scipy:DOP853)")


@claim("theory3.growth.balanced", paper=PAPER, where="sec. 12.1 (after eq. 60), sec. 12.2 (before eq. 63)",
       statement="If |W_1| = |W_2| = ... = |W_K| initially, they remain equal while growing throughout training; "
                 "if the weights are small at initialisation, the layers keep approximately equal norms.")
def _(quick):
    proofs = [p for k in DEPTHS[1:] for p in deep.deep_exponential_balanced(k).proofs if p.kind == "invariant manifold"]
    yield Check(all(p.holds for p in proofs) and len(proofs) == sum(k - 1 for k in DEPTHS[1:]),
                f"SymPy: the line w_1 = ... = w_K is invariant for K = 2..5 ({len(proofs)} defining functions, "
                "each with d/dt = 0 on it)")
    widths = (2, 2, 2, 1)
    flow = deep.deep_linear_exponential(widths, 2).compile()
    rng = np.random.default_rng(2)
    times = np.geomspace(1e-2, 1e8, 41 if quick else 161)
    equal = rng.normal(size=10)
    norms = deep.frobenius_norms(widths, equal[:, None])[:, 0]
    equal = equal * np.repeat(1.0 / norms, [4, 4, 2])
    sol = solve_ivp(flow, (0, times[-1]), equal, method="dop853", t_eval=times, args=(flow.params,),
                    rtol=RTOL, atol=ATOL)
    n = deep.frobenius_norms(widths, sol.y)
    spread = float(np.max(np.ptp(n, axis=0) / n.mean(axis=0)))
    yield Check(spread < 1e-9, f"2-2-2-1 network from random matrices scaled to |W_k| = 1: to t = 1e8 the norms grow "
                               f"to {n[0, -1]:.4f} with relative spread at most {spread:.1e}")
    small = rng.normal(scale=0.1, size=10)
    sol = solve_ivp(flow, (0, times[-1]), small, method="dop853", t_eval=times, args=(flow.params,),
                    rtol=RTOL, atol=ATOL)
    n0 = deep.frobenius_norms(widths, small[:, None])[:, 0]
    n = deep.frobenius_norms(widths, sol.y)
    before, after = np.ptp(n0) / n0.mean(), np.ptp(n[:, -1]) / n[:, -1].mean()
    yield Check(after < 0.01 < before, f"from a small random start (entries N(0, 0.01)) the layer norms "
                                       f"{', '.join(f'{v:.3f}' for v in n0)} (relative spread {before:.2f}) become "
                                       f"{', '.join(f'{v:.4f}' for v in n[:, -1])} at t = 1e8 (spread {after:.1e}): "
                                       "the conserved gaps shrink relative to the growing norms")


# ---------------------------------------------------------------- sec. 12.2, eq. 61-62


@claim("theory3.growth.eq61", paper=PAPER, where="sec. 12.2, eq. 61",
       statement="For one example (N = 1): rho_k drho_k/dt = f_V(x) prod_i rho_i exp(-prod_i rho_i f_V(x)) for "
                 "every layer k.")
def _(quick):
    residuals = []
    for k in DEPTHS:
        w, P = deep.layers(k), deep.product(k)
        rhs = deep.deep_exponential(k).rhs
        residuals += [sympy.simplify(wi * rhs[i] - f_V * P * sympy.exp(-P * f_V)) for i, wi in enumerate(w)]
    yield Check(all(res == 0 for res in residuals),
                f"SymPy: w_k dw_k/dt - f_V P exp(-P f_V) = 0 for every layer of the derived flow, K = 1..5 "
                f"({len(residuals)} identities)")
    times = _times(True, 1e8, 1e-2)
    start, f = (1.5, 0.7, 1.2), 0.5
    y = layers(3, f, times, start=start)
    rate = _derivative(3, f, times, lambda w: w**2 / 2, start)
    P = _product(y)
    error = _max_rel(rate, f * P * np.exp(-f * P))
    yield Check(error < 1e-5, f"3 layers from (1.5, 0.7, 1.2), f_V = 1/2: central differences of rho_k^2/2 along "
                              f"the solution against f_V P exp(-P f_V), t in [1e-2, 1e8]: max relative error "
                              f"{error:.1e} (difference step {STEP:g} t)")


@claim("theory3.growth.eq62", paper=PAPER, where="sec. 12.2, eq. 62",
       statement="For K = 2, with r^2 = rho_1^2 + rho_2^2 and gamma = exp(rho_1 rho_2 f_V): dgamma/dt = f_V^2 r^2 "
                 "and r dr/dt = 2 log(gamma)/gamma.")
def _(quick):
    model = deep.deep_exponential_eq62()
    printed = sympy.Matrix([2 * sympy.log(gamma) / (gamma * r), f_V**2 * r**2])
    residual = sympy.simplify(model.rhs - printed)
    proof = model.proofs[-1]
    yield Check(proof.holds and residual == sympy.zeros(2, 1),
                f"SymPy: the change of variables is exact ({proof.statement}: "
                f"{'holds' if proof.holds else 'FAILS'}); derived (r', gamma') - printed = {list(residual)}")
    times, f, start = _times(quick, T_END, 1e-2), 0.5, (1.5, 0.5)
    y = layers(2, f, times, start=start)
    r0, g0 = np.hypot(*start), np.exp(f * start[0] * start[1])
    reduced = _solve("eq62", None, (f,), (r0, g0), tuple(times))
    r_err = _max_rel(reduced[0], np.hypot(*y))
    g_err = float(np.abs(np.log(reduced[1]) - f * _product(y)).max() / (f * _product(y)).max())
    yield Check(max(r_err, g_err) < 1e-8,
                f"(w1, w2) from (1.5, 1/2), f_V = 1/2, against eq. 62 integrated from the mapped start, t in "
                f"[1e-2, 1e10] (gamma reaches {reduced[1, -1]:.2e}): max relative error of r {r_err:.1e}, of "
                f"log gamma {g_err:.1e}")


# ---------------------------------------------------------------- eq. 63-65


@claim("theory3.growth.eq63", paper=PAPER, where="sec. 12.2, eq. 63",
       statement="With equal layers rho = rho_1 = ... = rho_K: drho/dt = f_V K rho^(K-1) exp(-rho^K f_V).",
       correction="drho/dt = f_V rho^(K-1) exp(-rho^K f_V), without the factor K (eq. 61 with rho_i = rho: rho rho' "
                  "= f_V rho^K exp(-rho^K f_V)). The printed right side is gradient descent on one weight shared by "
                  "all K layers (its gradient sums the K equal partial derivatives): the true flow run K times "
                  "faster, rho_printed(t) = rho(K t).")
def _(quick):
    ratios = []
    for k in DEPTHS:
        derived = deep.deep_exponential_balanced(k).rhs[0]
        printed = f_V * k * rho ** (k - 1) * sympy.exp(-(rho**k) * f_V)
        ratios.append(sympy.simplify(derived / printed))
    yield Check(all(q == 1 for q in ratios),
                f"SymPy: the derived flow restricted to equal layers (proved invariant) divided by the printed "
                f"right side, K = 1..5: {', '.join(map(str, ratios))}")
    tied = deep.deep_exponential_tied().rhs[0]
    yield Check(sympy.simplify(tied - f_V * K * rho ** (K - 1) * sympy.exp(-(rho**K) * f_V)) == 0,
                "SymPy: the printed right side is exactly the flow of one weight rho shared by K layers, "
                "rho' = -d/drho exp(-rho^K f_V)", about="correction")
    times, f = _times(quick, T_END, 1e-2), 1.0
    printed_error, derived_error, rescaled_error, witness = [], [], [], []
    for k in DEPTHS[1:]:
        full = layers(k, f, times)[0]
        printed_error.append(_max_rel(law(k, f, times, printed=True), full))
        derived_error.append(_max_rel(law(k, f, times), full))
        witness.append(_max_rel(law(k, f, times, method="scipy:DOP853"), full))
        rescaled_error.append(_max_rel(law(k, f, times / k, printed=True), full))
    yield Check(max(printed_error) < 1e-6,
                f"full K-layer flow from rho_k(0) = 1, f_V = 1, t in [1e-2, 1e10], against the printed eq. 63 "
                f"integrated: max relative error of rho {', '.join(f'{e:.3f}' for e in printed_error)} for K = 2..5")
    yield Check(max(derived_error + witness + rescaled_error) < 1e-9,
                f"against the derived law: {max(derived_error):.1e} (dop853), {max(witness):.1e} (scipy:DOP853); "
                f"the printed flow at t/K: {max(rescaled_error):.1e} (all K = 2..5)", about="correction")


@claim("theory3.growth.eq64", paper=PAPER, where="sec. 12.2, eq. 64",
       statement="With equal layers, d/dt exp(rho^K f_V) = f_V^2 K^2 rho^(2K-2).",
       correction="d/dt exp(rho^K f_V) = f_V^2 K rho^(2K-2) (the printed K^2 inherits the extra K of the printed "
                  "eq. 63).")
def _(quick):
    derived = []
    for k in DEPTHS:
        model = deep.deep_exponential_balanced(k)
        rate = sympy.diff(sympy.exp(rho**k * f_V), rho) * model.rhs[0]
        derived.append(sympy.simplify(rate / (f_V**2 * rho ** (2 * k - 2))))
    yield Check(all(q == k**2 for q, k in zip(derived, DEPTHS)),
                f"SymPy: d/dt exp(rho^K f_V) / (f_V^2 rho^(2K-2)) along the derived equal-layer flow, K = 1..5: "
                f"{', '.join(map(str, derived))} (printed: K^2 = 1, 4, 9, 16, 25)")
    times, f = _times(True, T_END, 1e2), 0.5
    to_printed, to_derived = [], []
    for k in DEPTHS[1:] if not quick else (2, 3, 5):
        measured = _derivative(k, f, times, lambda y: np.exp(f * _product(y)))
        rho_ = layers(k, f, times)[0]
        base = f**2 * rho_ ** (2 * k - 2)
        to_printed.append(measured / (k**2 * base))
        to_derived.append(measured / (k * base))
    yield Check(max(_max_rel(q, 1.0) for q in to_printed) < 1e-4,
                f"central differences of exp(f_V rho_1 ... rho_K) along the full flow, f_V = 1/2, t in [1e2, 1e10]: "
                f"measured / printed in [{min(q.min() for q in to_printed):.4f}, "
                f"{max(q.max() for q in to_printed):.4f}] "
                f"(1/K = {', '.join(f'{1 / k:.3f}' for k in (DEPTHS[1:] if not quick else (2, 3, 5)))})")
    yield Check(max(_max_rel(q, 1.0) for q in to_derived) < 1e-5,
                f"measured / derived: max deviation from 1 {max(_max_rel(q, 1.0) for q in to_derived):.1e}",
                about="correction")


@claim("theory3.growth.eq65", paper=PAPER, where="sec. 12.2, eq. 65",
       statement="R = exp(rho^K f_V) obeys dR/dt = f_V^(2/K) K^2 (log R)^(2 - 2/K).",
       correction="dR/dt = K f_V^(2/K) (log R)^(2 - 2/K); integrated, G(R) = int_{R(0)}^{R} dz/(log z)^(2 - 2/K) = "
                  "K f_V^(2/K) t (K = 1: R = R(0) + f_V^2 t). The exponent 2 - 2/K is right; the constant is K times "
                  "too large.")
def _(quick):
    ratios, proved = [], True
    for k in DEPTHS:
        model = deep.deep_exponential_R(k)
        printed = f_V ** sympy.Rational(2, k) * k**2 * sympy.log(R) ** (2 - sympy.Rational(2, k))
        ratios.append(sympy.simplify(model.rhs[0] / printed))
        proved = proved and all(p.holds for p in model.proofs)
    yield Check(all(q == 1 for q in ratios) and proved,
                f"SymPy: the derived flow in R (restriction and two changes of variables, "
                f"{'all proved' if proved else 'a proof FAILS'}) / printed, "
                f"K = 1..5: {', '.join(map(str, ratios))}")
    times = _times(quick, T_END, 1.0)
    late = times >= LATE
    rows, exponents = [], []
    for k in DEPTHS[1:]:
        for f in ((0.5, 2.0) if not quick else (2.0,)):
            u = f * _product(layers(k, f, times))
            G = np.exp(deep.log_growth_integral(u[late], k, f))
            line = fit_line(times[late], G)
            rows.append((k, f, line.slope / deep.growth_rate(k, f), line.slope / deep.growth_rate(k, f, printed=True),
                         _max_rel(G, deep.growth_rate(k, f) * times[late]), line))
        f = 2.0
        rate = _derivative(k, f, times[late], lambda y: np.exp(f * _product(y)))
        u = f * _product(layers(k, f, times[late]))
        exponents.append((k, fit_line(np.log(u), np.log(rate))))
    yield Check(all(abs(row[3] - 1) < 1e-3 for row in rows),
                "G(R(t)) of the full K-layer flow fitted against t over [1e6, 1e10]: slope / printed constant "
                "K^2 f_V^(2/K) = " + ", ".join(f"{row[3]:.6f} (K = {row[0]}, f_V = {row[1]:g})" for row in rows))
    yield Check(all(abs(row[2] - 1) < 1e-6 and row[4] < 1e-6 and row[5].r2 > 1 - 1e-12 for row in rows),
                "slope / derived constant K f_V^(2/K) = " + ", ".join(f"{row[2]:.8f}" for row in rows)
                + f"; max |G(R(t)) / (K f_V^(2/K) t) - 1| = {max(row[4] for row in rows):.1e}", about="correction")
    yield Check(all(line.contains(2 - 2 / k, 1e-3) for k, line in exponents),
                "log(dR/dt) (central differences) against log log R over t in [1e6, 1e10], f_V = 2: exponent "
                + ", ".join(f"{line.describe(5)} (K = {k}, 2 - 2/K = {2 - 2 / k:.4f})" for k, line in exponents)
                + ", as printed; intercepts exp(b) / (K f_V^(2/K)) = "
                + ", ".join(f"{np.exp(line.intercept) / deep.growth_rate(k, 2.0):.5f}" for k, line in exponents))


# ---------------------------------------------------------------- the rates


@claim("theory3.growth.one_layer", paper=PAPER, where="sec. 12 (intro), sec. 12.2 (after eq. 65)",
       statement="For K = 1, R ~ t, so rho ~ log t: in the 1-layer network rho grows like log t asymptotically.")
def _(quick):
    tt, rho0, f = sympy.symbols("t rho_0 f_V", positive=True)
    closed = sympy.log(sympy.exp(rho0 * f) + f**2 * tt) / f
    flow = deep.deep_exponential_balanced(1).rhs[0]
    ode = sympy.simplify(sympy.diff(closed, tt) - flow.subs({rho: closed, f_V: f}))
    initial = sympy.simplify(closed.subs(tt, 0) - rho0)
    yield Check(ode == 0 and initial == 0,
                f"SymPy: rho(t) = log(exp(rho0 f_V) + f_V^2 t)/f_V solves the derived flow (residual {ode}) with "
                f"rho(0) = rho0 (residual {initial}): R = exp(f_V rho) = R(0) + f_V^2 t exactly")
    times = _times(quick, T_END, 1e-2)
    late = times >= LATE
    errors, slopes = [], []
    for f in (0.5, 1.0, 2.0):
        y = layers(1, f, times)[0]
        errors.append(float(np.abs(y - deep.one_layer_rho(times, 1.0, f)).max()))
        slopes.append((f, fit_line(np.log(times[late]), y[late]), fit_line(times[late], np.exp(f * y[late]))))
    yield Check(max(errors) < 1e-9 and all(a.contains(1 / f, 1e-6) and b.contains(f**2, 1e-6 * f**2)
                                           for f, a, b in slopes),
                f"from rho(0) = 1 to t = 1e10: max |rho - closed form| {max(errors):.1e} (f_V = 1/2, 1, 2); over "
                "[1e6, 1e10] drho/dlog t = " + ", ".join(f"{a.describe(6)} (1/f_V = {1 / f:g})" for f, a, _ in slopes)
                + "; dR/dt = " + ", ".join(f"{b.slope:.8f} (f_V^2 = {f**2:g})" for f, _, b in slopes))


def _log_time(depth, f, points, method="dop853"):
    """``prod rho_k = rho^K`` of the derived equal-layer law integrated in ``s = log t`` to ``t = 1e100``."""
    s = np.log(points)
    return _solve("law_log", None, (f, float(depth)), (1.0,), tuple(s), method)[0] ** depth


@claim("theory3.growth.faster_than_log", paper=PAPER, where="sec. 12 (intro), sec. 12.2 (after eq. 65), Fig. 3 left",
       statement="For K > 1 the product of the layer norms prod_k rho_k diverges faster than logarithmically (for "
                 "K = 1, rho ~ log t).",
       correction="prod_k rho_k = log(R)/f_V = [log t + (2 - 2/K) log log t + log(K f_V^(2/K)) + o(1)]/f_V: for every "
                  "K the product grows logarithmically, prod_k rho_k / log t -> 1/f_V exactly as for K = 1; only R = "
                  "exp(f_V prod rho_k) grows faster than t (like K f_V^(2/K) t (log t)^(2 - 2/K)), and the product "
                  "exceeds the 1-layer norm only by the additive (2 - 2/K) log log t / f_V.")
def _(quick):
    u, a, alpha = sympy.symbols("u a alpha", positive=True)
    log_t = u - a * sympy.log(u) - sympy.log(alpha)
    limit = sympy.limit(u / log_t, u, sympy.oo)
    lhopital = sympy.limit(sympy.exp(u) * u**-a / sympy.diff(sympy.exp(u) * u**-a, u), u, sympy.oo)
    yield Check(limit != 1,
                f"SymPy: G(R) ~ R/(log R)^a (L'Hopital: G'(R) / d/dR[R (log R)^-a] -> {lhopital}), so with u = "
                f"log R = f_V prod rho_k, log t = u - a log u - log alpha + o(1) and (f_V prod rho_k) / log t -> "
                f"{limit}")
    points = np.array(LOG_TIMES)
    f = 1.0
    ratios, residuals, witness = {}, {}, []
    for k in DEPTHS[1:]:
        P = _log_time(k, f, points)
        witness.append(_max_rel(_log_time(k, f, points, "scipy:DOP853"), P))
        ratios[k] = f * P / np.log(points)
        a_k = 2 - 2 / k
        residuals[k] = f * P - (np.log(points) + a_k * np.log(np.log(points)) + np.log(deep.growth_rate(k, f)))
    full = [_max_rel(f * _product(layers(k, f, np.array([1e10]))), ratios[k][0] * np.log(1e10)) for k in DEPTHS[1:]]
    yield Check(all(np.all(np.diff(q) > 0) for q in ratios.values()),
                f"f_V = 1, rho_k(0) = 1, equal-layer law integrated in s = log t (witness scipy:DOP853 "
                f"{max(witness):.0e}; at t = 1e10 it agrees with the full K-layer flow to {max(full):.0e}): "
                f"f_V prod rho_k / log t at t = 1e10, 1e20, 1e30, 1e50, 1e70, 1e100 is "
                + "; ".join(f"K = {k}: {', '.join(f'{v:.4f}' for v in q)}" for k, q in ratios.items())
                + ": it decreases towards 1 (growing without bound would need it to increase)")
    yield Check(all(abs(res[-1]) < 0.1 and np.all(np.diff(np.abs(res)) < 0) for res in residuals.values()),
                "f_V prod rho_k - [log t + (2 - 2/K) log log t + log(K f_V^(2/K))] at the same times: "
                + "; ".join(f"K = {k}: {', '.join(f'{v:.4f}' for v in res)}" for k, res in residuals.items())
                + " (-> 0 like log log t / log t)", about="correction")


@claim("theory3.growth.two_layer_li", paper=PAPER, where="sec. 12.2 (after eq. 65), Fig. 3 left",
       statement="For K = 2, R(t) = li^-1(f_V^(2/K) K^2 t + C) = li^-1(4 f_V t + C), li the logarithmic integral.",
       correction="li(R) = 2 f_V t + li(R(0)), i.e. R(t) = li^-1(2 f_V t + C) with C = li(exp(f_V rho_1(0) rho_2(0))): "
                  "the constant is K f_V^(2/K) = 2 f_V.")
def _(quick):
    derivative = sympy.simplify(sympy.diff(sympy.li(R), R))
    law_R = deep.deep_exponential_R(2).rhs[0]
    yield Check(sympy.simplify(derivative * law_R - 2 * f_V) == 0,
                f"SymPy: d li(R)/dR = {derivative}, so along the derived R' = {law_R}, d li(R)/dt = 2 f_V",
                about="correction")
    times = _times(quick, T_END, 1.0)
    late = times >= LATE
    rows = []
    for f in (0.5, 1.0, 2.0):
        R_ = np.exp(f * _product(layers(2, f, times)))
        line = fit_line(times[late], deep.li(R_[late]))
        exact = np.exp(deep.law_R_log(times[late], 2, f, f))
        printed = np.exp(deep.law_R_log(times[late], 2, f, f, printed=True))
        rows.append((f, line, _max_rel(deep.li(R_[late]) - deep.li(np.exp(f)), 2 * f * times[late]),
                     _max_rel(exact, R_[late]), (R_[late] / printed)[[0, -1]]))
    yield Check(all(line.contains(4 * f, 1e-6 * f) for f, line, *_ in rows),
                "li(R(t)) = scipy.special.expi(log R) of the full 2-layer flow fitted against t over [1e6, 1e10]: "
                "slope / (4 f_V) = " + ", ".join(f"{line.slope / (4 * f):.8f} (f_V = {f:g})" for f, line, *_ in rows)
                + "; R / li^-1(4 f_V t + C) at t = 1e6 and 1e10: "
                + ", ".join(f"{q[0]:.4f} and {q[1]:.4f}" for *_, q in rows))
    yield Check(all(abs(line.slope / (2 * f) - 1) < 1e-8 and dev < 1e-8 and err < 1e-9
                    for f, line, dev, err, _ in rows),
                "slope / (2 f_V) = " + ", ".join(f"{line.slope / (2 * f):.10f}" for f, line, *_ in rows)
                + f"; max |(li(R) - li(R(0))) / (2 f_V t) - 1| {max(r[2] for r in rows):.1e}; R against "
                  f"li^-1(2 f_V t + C) by root finding: max relative error {max(r[3] for r in rows):.1e}",
                about="correction")


@claim("theory3.growth.k_infinity", paper=PAPER, where="sec. 12.2 (after eq. 65)",
       statement="As K -> infinity, R(t) = L^-1(alpha_inf t + C) with alpha_inf = lim_K f_V^(2/K) K^2 and "
                 "L(z) = li(z) - z/log z.",
       correction="alpha_inf = lim_K f_V^(2/K) K^2 is infinite (so is the derived K f_V^(2/K)), so R(t) has no "
                  "limit as K -> infinity at fixed t > 0. The limit holds in the rescaled time s = K f_V^(2/K) t: "
                  "dR/ds = (log R)^(2 - 2/K) -> (log R)^2, solved by L(R) = s + L(R(0)) (L' = 1/(log z)^2); for "
                  "large K, R(t) ~ L^-1(K f_V^(2/K) t + C), L(R) falling short of s by the factor (log R)^(-2/K) "
                  "~ 1 - (2/K) log log R: the limit is not uniform in t.")
def _(quick):
    z, k = sympy.Symbol("z", positive=True), sympy.Symbol("K", positive=True)
    L_ = sympy.li(z) - z / sympy.log(z)
    derivative = sympy.simplify(sympy.diff(L_, z) - 1 / sympy.log(z) ** 2)
    printed_limit = sympy.limit(f_V ** (2 / k) * k**2, k, sympy.oo)
    derived_limit = sympy.limit(f_V ** (2 / k) * k, k, sympy.oo)
    yield Check(derivative == 0, f"SymPy: L'(z) - 1/(log z)^2 = {derivative}: L integrates dR/ds = (log R)^2")
    yield Check(printed_limit.is_finite is True,
                f"SymPy: lim_K f_V^(2/K) K^2 = {printed_limit} (the derived constant: lim_K K f_V^(2/K) = "
                f"{derived_limit})")
    depths = (10, 40, 160) if quick else (10, 20, 40, 80, 160)
    f, R0 = 2.0, np.exp(2.0)
    s = np.geomspace(1.0, 1e6, 25)
    at_one, deviation, estimate, printed = [], [], [], []
    for depth in depths:
        alpha = deep.growth_rate(depth, f)
        times = np.sort(np.r_[s / alpha, 1.0])
        one = np.searchsorted(times, 1.0)
        rho_ = law(depth, f, times)
        at_one.append(f * rho_[one] ** depth)
        R_ = np.exp(f * np.delete(rho_, one) ** depth)
        gap = (deep.L(R_) - deep.L(R0)) / s
        deviation.append(float(np.abs(gap - 1).max()))
        estimate.append(float(1 - np.log(R_[-1]) ** (-2 / depth)))
        printed.append(float(gap[-1] * alpha / deep.growth_rate(depth, f, printed=True)))
    yield Check(np.all(np.diff(at_one) < 0.05),
                "equal-layer law from rho(0) = 1 (R(0) = e^2), f_V = 2: log R(t = 1) = "
                + ", ".join(f"{v:.2f}" for v in at_one) + f" for K = {', '.join(map(str, depths))}: "
                "R at fixed t grows without bound with K")
    trend = fit_line(np.log(depths), np.log(deviation))
    yield Check(trend.contains(-1.0, 0.15) and deviation[-1] < 0.05,
                "in s = K f_V^(2/K) t in [1, 1e6]: max |(L(R) - L(R(0)))/s - 1| = "
                + ", ".join(f"{d:.4f}" for d in deviation) + f" for K = {', '.join(map(str, depths))} (estimate "
                "1 - (log R)^(-2/K) at s = 1e6: " + ", ".join(f"{e:.4f}" for e in estimate)
                + f"), slope against log K {trend.describe(3)} (-> 0 like 1/K); with the printed constant, "
                "(L(R) - L(R(0))) / (K^2 f_V^(2/K) t) at s = 1e6 = " + ", ".join(f"{p:.4f}" for p in printed)
                + " (-> 0 like 1/K)", about="correction")


@claim("theory3.growth.layer_slower", paper=PAPER, where="sec. 12 (intro), sec. 12.2 (end), Fig. 3 right",
       statement="Each individual layer norm diverges slower than in the 1-layer case (where rho ~ log t).")
def _(quick):
    times = _times(quick, T_END, 1e-2)
    rhos = {k: layers(k, 1.0, times)[0] for k in DEPTHS}
    ordered = all(np.all(rhos[k][1:] < rhos[k - 1][1:]) for k in DEPTHS[1:])
    yield Check(ordered, "f_V = 1, all rho_k(0) = 1, full K-layer flows: rho_K(t) < rho_(K-1)(t) for every t in "
                         "(1e-2, 1e10]; at t = 1e10 rho = " + ", ".join(f"{rhos[k][-1]:.4f}" for k in DEPTHS)
                 + " for K = 1..5")
    points = np.array([1e10, 1e30, 1e100])
    exponents = {k: np.log(_log_time(k, 1.0, points)) / k / np.log(np.log(points)) for k in DEPTHS[1:]}
    yield Check(all(np.all(np.abs(q[-1] - 1 / k) < 0.1 / k) for k, q in exponents.items()),
                "log rho_K / log log t at t = 1e10, 1e30, 1e100 (log-time law): "
                + "; ".join(f"K = {k}: {', '.join(f'{v:.4f}' for v in q)} (1/K = {1 / k:.3f})"
                            for k, q in exponents.items())
                + ": rho_K ~ (log t / f_V)^(1/K), against rho_1 ~ log t / f_V")
    f = 0.25
    small = {k: layers(k, f, times)[0] for k in (1, 5)}
    ahead = times[small[5] > small[1]]
    yield Check(small[5][-1] < small[1][-1],
                f"f_V = 1/4: the 5-layer norm is ahead of the 1-layer one at first (until t = {ahead.max():.2g}), "
                f"then behind: {small[5][-1]:.3f} against {small[1][-1]:.3f} at t = 1e10" if ahead.size else
                f"f_V = 1/4: rho_5 < rho_1 throughout, {small[5][-1]:.3f} against {small[1][-1]:.3f} at t = 1e10")
