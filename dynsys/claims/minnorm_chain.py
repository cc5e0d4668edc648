"""Claims of Minnorm sec. 3.2 and App. B: the linear chain of three neurons.

Each claim states what the paper prints (re-read from the garbled PDF text and
re-derived) and checks it by computation: a symbolic residual simplified to
zero on the models of ``dynsys.models.chain`` (whose flows are derived from
eq. 3 and eq. 8, never typed in), and where it applies a numeric witness
(our DOP853 against SciPy's, a fitted rate, a measured period, the discrete
iterates of Alg. 1).

Refuted here: eq. 13-14 (44-45) print ``alpha w2`` where the derivation gives
``alpha w2 x``; eq. 16 (47) drops ``x`` from the ``alpha`` and ``rho`` terms;
the spiral condition ``r >= rho^2/2`` includes ``r = rho^2/2``, a critically
damped node.
"""

import numpy as np
import sympy

from dynsys import models
from dynsys.integrate import solve_ivp
from dynsys.models.chain import alpha, gamma, r, rho, tau, w1, w2, wbar, x, y, yhat
from dynsys.symbolic.analysis import jacobian_at
from dynsys.symbolic.analysis.linear import lam
from dynsys.train import MinnormRegression
from dynsys.train.chain import CHAIN, minnorm
from dynsys.train.datasets import Dataset
from dynsys.train.flow_link import iterate_vs_flow

from .core import Check, claim

PAPER = "minnorm"
ONE = {"x": 1, "y": 1}  # eq. 17: the example (x, y) = (1, 1)
POINT = {"wbar": 1, "alpha": 1}  # the fixed point of eq. 17
Delta = (w2**2 - w1**2) / 2  # the weight gap of eq. 10 and 15


# ---------------------------------------------------------------- helpers


def _zero(expr):
    """``(True, 0)`` when ``expr`` (an expression or a list) simplifies to zero, else ``(False, residual)``."""
    exprs = list(expr) if isinstance(expr, (list, tuple, sympy.MatrixBase)) else [expr]
    residual = [sympy.simplify(e) for e in exprs]
    return all(e == 0 for e in residual), (residual if len(residual) > 1 else residual[0])


def _identity(derived, printed, what, about="statement"):
    """A check that ``derived - printed`` simplifies to zero (``what`` names the identity)."""
    derived = list(derived) if isinstance(derived, (list, tuple, sympy.MatrixBase)) else [derived]
    printed = list(printed) if isinstance(printed, (list, tuple, sympy.MatrixBase)) else [printed]
    holds, residual = _zero([d - p for d, p in zip(derived, printed)])
    said = "simplified to 0" if holds else f"is {residual}, not 0"
    return Check(holds, f"{what}: symbolic residual (derived - printed) {said}", about)


def _params(model, **overrides):
    """The model's parameter vector (defaults updated by ``overrides``) in its order."""
    values = model.param_values(**overrides)
    return np.array([values[p.name] for p in model.params])


def _solve(model, y0, t1, params, t_eval=None, rtol=1e-10, atol=1e-12):
    """Solve with our DOP853 and SciPy's; returns (our result, check that the two agree)."""
    flow = model.compile()
    t_eval = np.linspace(0.0, t1, 400) if t_eval is None else t_eval
    p = _params(model, **params)
    kw = dict(t_eval=t_eval, rtol=rtol, atol=atol, args=(p,))
    ours = solve_ivp(flow, (0.0, t1), y0, method="dop853", **kw)
    ref = solve_ivp(flow, (0.0, t1), y0, method="scipy:DOP853", **kw)
    ok = ours.status == 0 and ref.status == 0
    diff = float(np.max(np.abs(ours.y - ref.y))) if ok else np.inf
    scale = max(1.0, float(np.max(np.abs(ref.y)))) if ok else 1.0
    agree = Check(ok and diff < 1e-6 * scale,
                  f"{model.id} at {params}: dop853 and scipy:DOP853 agree to max |diff| {diff:.1e}")
    return ours, agree


def _fitted_rate(t, q):
    """``c`` of a least-squares fit ``log|q| = a - c t`` over the points where ``|q| > 1e-9``."""
    keep = np.abs(q) > 1e-9
    return -np.polyfit(t[keep], np.log(np.abs(q[keep])), 1)[0]


def _rate_check(model, y0, gap, predicted, cases, quick):
    """Fit the decay rate of ``gap(state)`` along solves at each parameter case; compare with ``predicted(p)``."""
    checks, errors = [], []
    for params in cases[:2] if quick else cases:
        p = model.param_values(**params)
        expected = predicted(p)
        sol, agree = _solve(model, y0, 6.0 / expected, params)
        checks.append(agree)
        errors.append(abs(_fitted_rate(sol.t, gap(sol.y)) / expected - 1))
    worst = max(errors)
    checks.append(Check(worst < 1e-5, f"rate fitted to log|Delta(t)| matches the predicted rate at "
                                      f"{len(errors)} parameter sets, max relative error {worst:.1e}"))
    return checks


def _balanced():
    return models.get("chain_minnorm_balanced")


def _eigen_formula(p):
    """Eq. 18: ``(-2 rho ± sqrt(4 rho^2 - 8 r)) / (2 tau)`` at numeric parameters ``p``."""
    root = np.sqrt(complex(4 * p["rho"] ** 2 - 8 * p["r"]))
    return np.array([(-2 * p["rho"] + s * root) / (2 * p["tau"]) for s in (1, -1)])


def _numeric_eigenvalues(model, point, params):
    """numpy eigenvalues of the compiled flow's Jacobian at ``point`` (state values in order)."""
    flow = model.compile()
    J = np.zeros((len(point), len(point)))
    flow.jac(0.0, np.asarray(point, float), _params(model, **params), J)
    return np.linalg.eigvals(J)


def _same_set(a, b):
    return float(np.max(np.abs(np.sort_complex(np.asarray(a)) - np.sort_complex(np.asarray(b)))))


# ------------------------------------------------- sec. 3.2.1: weight decay


@claim("minnorm.chain.eq9", paper=PAPER, where="sec. 3.2.1, eq. 8-9",
       statement="Gradient descent on l = (y - w2 w1 x)^2/2 + gamma/2 (w2^2 + w1^2) (eq. 8) has the continuous-time "
                 "limit tau dw1/dt = (y - w2 w1 x) w2 x - gamma w1, tau dw2/dt = (y - w2 w1 x) w1 x - gamma w2 (eq. 9).")
def _(quick):
    """Eq. 9 is ``tau dw/dt = -dl/dw`` of eq. 8 (chain_l2 derives it)."""
    model = models.get("chain_l2")
    printed = [(y - yhat) * w2 * x - gamma * w1, (y - yhat) * w1 * x - gamma * w2]
    yield _identity(tau * model.rhs, printed, "tau * (-dl/dw of eq. 8) vs eq. 9")


@claim("minnorm.chain.eq10", paper=PAPER, where="sec. 3.2.1, eq. 10",
       statement="The weight gap Delta = (w2^2 - w1^2)/2 obeys dDelta/dt = -(2 gamma/tau) Delta: it decays "
                 "exponentially with timescale tau/(2 gamma).")
def _(quick):
    """Eq. 10 by ``decay_law`` on chain_l2, and the rate fitted along solves."""
    model = models.get("chain_l2")
    law = model.decay_law(Delta, "Delta")
    yield _identity(law.timescale, tau / (2 * gamma), f"decay_law: dDelta/dt = {law.closed}, timescale")
    cases = [dict(gamma=0.05, tau=2.0), dict(gamma=0.2, tau=1.0, x=2.0, y=0.5), dict(gamma=0.01, tau=0.5)]
    yield from _rate_check(model, [0.3, 1.5], lambda z: (z[1] ** 2 - z[0] ** 2) / 2,
                           lambda p: 2 * p["gamma"] / p["tau"], cases, quick)


@claim("minnorm.chain.eq11", paper=PAPER, where="sec. 3.2.1, eq. 11",
       statement="The fixed points satisfy (y - w2 w1 x) = gamma w1/(w2 x) and (y - w2 w1 x) = gamma w2/(w1 x) "
                 "(eq. 11); for gamma > 0 this gives w2 = w1, so the fixed point has training error "
                 "y - yhat = gamma/x (printed 'y - yhat = gamma x': an inline fraction that the PDF text "
                 "flattens, as it flattens 1/2 rho^2 to '12 rho2').")
def _(quick):
    """Eq. 11 at the closed-form fixed points of chain_l2, and the training error at a converged solve."""
    model = models.get("chain_l2")
    points = [fp.point for fp in model.fixed_points()]
    nonzero = [pt for pt in points if sympy.simplify(pt[w1] * pt[w2]) != 0]
    eq11 = [[(y - yhat) - gamma * w1 / (w2 * x), (y - yhat) - gamma * w2 / (w1 * x)] for _ in nonzero]
    residuals = [e.subs(pt, simultaneous=True) for pt, pair in zip(nonzero, eq11) for e in pair]
    holds, _ = _zero(residuals)
    yield Check(holds, f"eq. 11 holds at all {len(nonzero)} fixed points with w1 w2 != 0 "
                       f"(symbolic residuals simplified to 0); the other one is the origin")
    balanced = [pt for pt in nonzero if sympy.simplify(pt[w1] - pt[w2]) == 0]
    gaps_ok, _ = _zero([(pt[w1] ** 2 - pt[w2] ** 2) for pt in nonzero])
    error_ok, _ = _zero([(y - yhat).subs(pt, simultaneous=True) - gamma / x for pt in balanced])
    real_default = [pt for pt in nonzero
                    if all(sympy.N(v.subs(model.symbol_values())).is_real for v in pt.values())]
    yield Check(gaps_ok and error_ok and len(balanced) == 2
                and all(pt in balanced for pt in real_default),
                "w1^2 = w2^2 at every such fixed point; the real ones at the defaults have w2 = w1 (the w2 = -w1 "
                "pair needs x y < -gamma), and there y - x w1 w2 - gamma/x simplifies to 0")
    params = dict(x=2.0, y=1.0, gamma=0.05, tau=1.0)
    sol, agree = _solve(model, [0.3, 1.5], 200.0 if quick else 400.0, params)
    yield agree
    error = params["y"] - params["x"] * sol.y[0, -1] * sol.y[1, -1]
    off = abs(error - params["gamma"] / params["x"])
    yield Check(off < 1e-6, f"converged solve at x = 2, gamma = 0.05: training error {error:.8f}, gamma/x = "
                            f"{params['gamma'] / params['x']}, |diff| {off:.1e} (gamma*x would be "
                            f"{params['gamma'] * params['x']})")


# ------------------------------------------------- sec. 3.2.2: Minnorm flow


@claim("minnorm.chain.eq12", paper=PAPER, where="sec. 3.2.2, eq. 12, 43",
       statement="Dual ascent on the augmented Lagrangian (eq. 3) gives tau dalpha/dt = r (y - yhat), "
                 "with r = tau s = s/eta.")
def _(quick):
    """Eq. 12: ``tau dalpha/dt = r dL/dalpha`` on eq. 3 (chain_minnorm's Ascent group)."""
    model = models.get("chain_minnorm")
    yield _identity(tau * model.rhs[2], r * (y - yhat), "tau * r dL/dalpha / tau vs eq. 12")


_EQ13 = -w1 + alpha * w2 - rho * (yhat - y) * w2 * x
_EQ14 = -w2 + alpha * w1 - rho * (yhat - y) * w1 * x


@claim("minnorm.chain.eq13_14", paper=PAPER, where="sec. 3.2.2, eq. 13-14, 44-45",
       statement="Descent on the augmented Lagrangian (eq. 3) gives tau dw1/dt = -w1 + alpha w2 - rho (yhat - y) w2 x "
                 "and tau dw2/dt = -w2 + alpha w1 - rho (yhat - y) w1 x.",
       correction="tau dw1/dt = -w1 + alpha w2 x - rho (yhat - y) w2 x, tau dw2/dt = -w2 + alpha w1 x - rho (yhat - y) "
                  "w1 x: the multiplier term carries x (d yhat/dw1 = w2 x); the printed form is the x = 1 case.")
def _(quick):
    """Eq. 13-14 against ``tau dw/dt = -dL/dw`` of eq. 3."""
    model = models.get("chain_minnorm")
    derived = tau * model.rhs[:2, 0]
    yield _identity(derived, [_EQ13, _EQ14], "tau * (-dL/dw of eq. 3) vs eq. 13-14, general x")
    yield _identity(derived.subs(x, 1), [_EQ13.subs(x, 1), _EQ14.subs(x, 1)], "the same at x = 1")
    corrected = [_EQ13 + alpha * w2 * (x - 1), _EQ14 + alpha * w1 * (x - 1)]
    yield _identity(derived, corrected, "tau * (-dL/dw) vs the corrected eq. 13-14", about="correction")


@claim("minnorm.chain.eq15", paper=PAPER, where="sec. 3.2.2, eq. 15, 46",
       statement="Under the Minnorm flow the weight gap obeys dDelta/dt = -2 Delta/tau: it decays exponentially "
                 "with timescale tau/2, independent of rho and r.")
def _(quick):
    """Eq. 15 by ``decay_law`` on chain_minnorm, and the rate fitted at several (rho, r, tau, x)."""
    model = models.get("chain_minnorm")
    law = model.decay_law(Delta, "Delta")
    yield _identity(law.timescale, tau / 2, f"decay_law: dDelta/dt = {law.closed}, timescale")
    yield Check(not law.timescale.free_symbols & {rho, r, x, y}, "the timescale is free of rho, r, x, y")
    cases = [dict(rho=0.3, r=2.0, tau=1.5), dict(rho=5.0, r=0.1, x=2.0, y=-1.0), dict(rho=0.0, r=10.0, tau=0.5)]
    yield from _rate_check(model, [0.3, 1.5, 0.2], lambda z: (z[1] ** 2 - z[0] ** 2) / 2,
                           lambda p: 2 / p["tau"], cases, quick)


@claim("minnorm.chain.balanced", paper=PAPER, where="sec. 3.2.2 (after eq. 15), App. B (after eq. 46)",
       statement="The balanced condition w2 = w1 = w is a reasonable simplification; in it wbar = w2 w1 = w^2 "
                 "(d w^2/dt = 2 w dw/dt) carries the dynamics.")
def _(quick):
    """The reduction chain_minnorm -> chain_minnorm_balanced: its proofs, and a numeric pushforward."""
    balanced = _balanced()
    for proof in balanced.proofs:
        yield Check(proof.holds, f"{proof.kind}: {proof.statement} (residual simplified to {proof.residual})")
    full = models.get("chain_minnorm")
    params = dict(x=1.5, y=0.7, rho=0.3, r=2.0, tau=1.0)
    w0, a0 = 0.8, 0.2
    sol3, agree3 = _solve(full, [w0, w0, a0], 10.0, params)
    sol2, agree2 = _solve(balanced, [w0**2, a0], 10.0, params)
    yield agree3
    yield agree2
    diff = float(np.max(np.abs(np.vstack([sol3.y[0] * sol3.y[1], sol3.y[2]]) - sol2.y)))
    stay = float(np.max(np.abs(sol3.y[0] - sol3.y[1])))
    yield Check(diff < 1e-8 and stay < 1e-10,
                f"from w1 = w2: (w1 w2, alpha) of the 3-D flow vs the reduced (wbar, alpha): max |diff| {diff:.1e}; "
                f"|w2 - w1| stays <= {stay:.1e}")


_EQ16 = -2 * wbar + 2 * alpha * wbar + 2 * rho * (y - wbar * x) * wbar


@claim("minnorm.chain.eq16", paper=PAPER, where="sec. 3.2.2, eq. 16, 47",
       statement="With w2 = w1 = w and wbar = w^2, eq. 13-14 imply tau dwbar/dt = -2 wbar + 2 alpha wbar "
                 "+ 2 rho (y - yhat) wbar.",
       correction="tau dwbar/dt = -2 wbar + 2 alpha x wbar + 2 rho x (y - yhat) wbar with yhat = wbar x "
                  "(the printed form is the x = 1 case).")
def _(quick):
    """Eq. 16 against the reduced flow of chain_minnorm_balanced (derived from eq. 3)."""
    derived = tau * _balanced().rhs[0]
    yield _identity(derived, _EQ16, "tau dwbar/dt of the reduction vs eq. 16, general x")
    yield _identity(derived.subs(x, 1), _EQ16.subs(x, 1), "the same at x = 1")
    corrected = -2 * wbar + 2 * alpha * x * wbar + 2 * rho * x * (y - wbar * x) * wbar
    yield _identity(derived, corrected, "tau dwbar/dt vs the corrected eq. 16", about="correction")


@claim("minnorm.chain.eq17", paper=PAPER, where="sec. 3.2.2, eq. 17, 48",
       statement="For y = 1, x = 1: tau dwbar/dt = 2 wbar (alpha - 1 + rho (1 - wbar)), tau dalpha/dt = r (1 - wbar).")
def _(quick):
    """Eq. 17: the balanced reduction at x = y = 1."""
    derived = (tau * _balanced().rhs).subs({x: 1, y: 1})
    printed = [2 * wbar * (alpha - 1 + rho * (1 - wbar)), r * (1 - wbar)]
    yield _identity(derived, printed, "tau * (reduced flow at x = y = 1) vs eq. 17")


@claim("minnorm.chain.fixed_point", paper=PAPER, where="sec. 3.2.2 (after eq. 17), App. B (after eq. 48)",
       statement="The fixed point of eq. 17 is (wbar, alpha) = (1, 1).")
def _(quick):
    """``fixed_points`` of eq. 17 (closed form), and a solve that converges to it."""
    balanced = _balanced()
    points = [fp.point for fp in balanced.substitute(ONE).fixed_points()]
    yield Check(points == [{wbar: 1, alpha: 1}], f"fixed_points of eq. 17: {points} (the only one; for general "
                                                 f"(x, y): {[fp.point for fp in balanced.fixed_points()]})")
    sol, agree = _solve(balanced, [0.3, 0.0], 40.0, dict(ONE, rho=0.5, r=1.0))
    yield agree
    off = float(np.max(np.abs(sol.y[:, -1] - 1)))
    yield Check(off < 1e-6, f"solve from (0.3, 0) at rho = 0.5, r = 1 ends at distance {off:.1e} from (1, 1)")


@claim("minnorm.chain.eq49_51", paper=PAPER, where="App. B, eq. 49-51",
       statement="Linearising eq. 48 at (1, 1): d(dwbar)/dt = (2/tau)(dalpha - rho dwbar), d(dalpha)/dt = -(r/tau) "
                 "dwbar (eq. 49), i.e. T = (1/tau) [[-2 rho, 2], [-r, 0]] (eq. 50), whose eigenvalues satisfy "
                 "lambda tau (lambda tau + 2 rho) + 2 r = 0 (eq. 51).")
def _(quick):
    """Eq. 49-51 from the Jacobian of the balanced flow at (1, 1), x = y = 1."""
    model = _balanced().substitute(ONE)
    J = jacobian_at(model, POINT)
    T = sympy.Matrix([[-2 * rho, 2], [-r, 0]]) / tau
    yield _identity(list(J), list(T), "Jacobian at (1, 1) vs T of eq. 49-50")
    charpoly = J.charpoly(lam).as_expr()
    yield _identity(tau**2 * charpoly, lam * tau * (lam * tau + 2 * rho) + 2 * r,
                    "tau^2 det(lambda I - J) vs eq. 51")


@claim("minnorm.chain.eq18", paper=PAPER, where="sec. 3.2.2, eq. 18, 52",
       statement="The eigenvalues at (1, 1) are lambda = (-2 rho ± sqrt(4 rho^2 - 8 r)) / (2 tau).")
def _(quick):
    """Eq. 18: ``eigenvalues`` symbolically, and numpy's eigenvalues of the compiled Jacobian."""
    model = _balanced()
    derived = model.substitute(ONE).eigenvalues(POINT)
    printed = [(-2 * rho + s * sympy.sqrt(4 * rho**2 - 8 * r)) / (2 * tau) for s in (1, -1)]
    yield _identity(derived, printed, f"eigenvalues {derived} vs eq. 18")
    rng = np.random.default_rng(18)
    n = 5 if quick else 50
    worst = 0.0
    for rho_, r_, tau_ in zip(rng.uniform(0, 3, n), rng.uniform(0.01, 5, n), rng.uniform(0.2, 3, n)):
        p = dict(ONE, rho=rho_, r=r_, tau=tau_)
        worst = max(worst, _same_set(_numeric_eigenvalues(model, [1.0, 1.0], p), _eigen_formula(p)))
    yield Check(worst < 1e-10, f"numpy eigvals of the compiled Jacobian at {n} random (rho, r, tau) vs eq. 18: "
                               f"max |diff| {worst:.1e}")


@claim("minnorm.chain.stable", paper=PAPER, where="sec. 3.2.2 (after eq. 18), App. B (after eq. 52)",
       statement="The fixed point (1, 1) is stable (both eigenvalues have negative real part) for any rho and r "
                 "greater than zero.")
def _(quick):
    """Routh-Hurwitz by ``stability_conditions``, and ``classify`` at random (rho, r)."""
    model = _balanced().substitute(ONE)
    condition = model.stability_conditions(POINT)["stable"]
    yield Check(condition == sympy.Gt(rho, 0), f"stability_conditions: stable iff {condition} (r > 0 assumed: no "
                                               "condition on r)")
    rng = np.random.default_rng(3)
    n = 4 if quick else 30
    classes = {model.classify(dict(rho=a, r=b), POINT).class_ for a, b in zip(rng.uniform(0.01, 3, n),
                                                                              rng.uniform(0.01, 5, n))}
    yield Check(classes <= {"stable node", "stable spiral"}, f"classify at {n} random rho, r > 0: {sorted(classes)}")


@claim("minnorm.chain.spiral", paper=PAPER, where="sec. 3.2.2 (after eq. 18), App. B (after eq. 52)",
       statement="The fixed point is a stable spiral (eigenvalues with an imaginary component) when r >= rho^2/2.",
       correction="A stable spiral iff r > rho^2/2 (rho > 0); at r = rho^2/2 the eigenvalue -rho/tau is repeated "
                  "and real: a critically damped (stable) node.")
def _(quick):
    """The discriminant condition from ``stability_conditions``, and ``classify`` at and around r = rho^2/2."""
    model = _balanced().substitute(ONE)
    conditions = model.stability_conditions(POINT)
    oscillatory, critical = conditions["oscillatory"], conditions["critically damped"]
    yield Check(oscillatory == sympy.Ge(r, rho**2 / 2),
                f"stability_conditions: complex eigenvalues iff {oscillatory}; repeated iff {critical}")
    at = model.classify(dict(rho=0.5, r=0.125), POINT)
    yield Check(at.class_ == "stable spiral", f"classify at rho = 0.5, r = rho^2/2: {at.class_} ({at.note}, "
                                              f"eigenvalues {np.round(at.eigenvalues, 12)})")
    yield Check(oscillatory == sympy.Gt(r, rho**2 / 2) and critical == sympy.Eq(r, rho**2 / 2),
                "the discriminant 4 rho^2 - 8 r is negative iff r > rho^2/2, zero iff r = rho^2/2", "correction")
    above = model.classify(dict(rho=0.5, r=0.125 * (1 + 1e-3)), POINT).class_
    below = model.classify(dict(rho=0.5, r=0.125 * (1 - 1e-3)), POINT).class_
    yield Check(above == "stable spiral" and below == "stable node" and at.class_ == "stable node",
                f"classify at r = rho^2/2 (1 ± 1e-3): {above} / {below}; at equality: {at.class_}", "correction")


@claim("minnorm.chain.centre", paper=PAPER, where="sec. 3.2.2 (after eq. 18), App. B (after eq. 52)",
       statement="At rho = 0 the eigenvalues are purely imaginary, lambda = ± i sqrt(2r)/tau: the fixed point is a "
                 "neutrally stable centre and solutions oscillate at a rate proportional to sqrt(r) "
                 "(angular frequency sqrt(2r)/tau).")
def _(quick):
    """Eigenvalues at rho = 0, ``classify`` (nonlinear centre), and the period measured along a solve."""
    model = _balanced()
    derived = model.substitute(dict(ONE, rho=0)).eigenvalues(POINT)
    yield _identity(derived, [sympy.I * sympy.sqrt(2 * r) / tau, -sympy.I * sympy.sqrt(2 * r) / tau],
                    "eigenvalues at rho = 0 vs ± i sqrt(2r)/tau")
    c = model.substitute(ONE).classify(dict(rho=0, r=2.0), POINT)
    yield Check(c.class_ == "centre" and not c.linear_only, f"classify at rho = 0, r = 2: {c.class_} ({c.note})")
    worst, cases = 0.0, [(2.0, 1.0), (0.5, 2.0), (8.0, 0.7)]
    for r_, tau_ in cases[:2] if quick else cases:
        predicted = 2 * np.pi * tau_ / np.sqrt(2 * r_)
        t = np.linspace(0.0, 6 * predicted, 6000)
        sol, agree = _solve(model, [1.0, 1.0 + 1e-4], t[-1], dict(ONE, rho=0.0, r=r_, tau=tau_), t_eval=t)
        yield agree
        a = sol.y[1] - 1
        up = np.nonzero((a[:-1] < 0) & (a[1:] >= 0))[0]
        crossings = t[up] - a[up] * (t[up + 1] - t[up]) / (a[up + 1] - a[up])
        worst = max(worst, abs(np.mean(np.diff(crossings)) / predicted - 1))
    yield Check(worst < 1e-4, f"period measured from upward crossings of alpha = 1 (amplitude 1e-4) vs "
                              f"2 pi tau/sqrt(2r): max relative error {worst:.1e}")


_H19 = sympy.log(wbar) - wbar - 2 / r * (alpha**2 / 2 - alpha)  # eq. 19: H = -c0 is constant


@claim("minnorm.chain.eq19", paper=PAPER, where="sec. 3.2.2, eq. 19, 55",
       statement="At rho = 0 (x = y = 1) the trajectories satisfy ln(wbar) - wbar + c0 = (2/r)(alpha^2/2 - alpha), "
                 "c0 a constant fixed by the initial values.")
def _(quick):
    """Eq. 19: ``is_conserved`` of ``ln wbar - wbar - (2/r)(alpha^2/2 - alpha)`` and its drift along a solve."""
    model = _balanced()
    at_zero = model.substitute(dict(ONE, rho=0))
    conserved, residual = at_zero.is_conserved(_H19)
    yield Check(conserved, f"d/dt[ln wbar - wbar - (2/r)(alpha^2/2 - alpha)] along eq. 17 at rho = 0: symbolic "
                           f"residual simplified to {residual}")
    found = at_zero.find_first_integral()
    yield Check(found is not None and sympy.simplify(sympy.diff(found, wbar) / sympy.diff(_H19, wbar)
                                                     - sympy.diff(found, alpha) / sympy.diff(_H19, alpha)) == 0,
                f"find_first_integral (separation, as eq. 53-55) gives {found}: a function of eq. 19's H")
    H = sympy.lambdify([wbar, alpha, r], _H19, "numpy")
    r_ = 2.0
    sol, agree = _solve(model, [0.5, 0.3], 20.0, dict(ONE, rho=0.0, r=r_))
    yield agree
    values = H(sol.y[0], sol.y[1], r_)
    drift = float(np.max(np.abs(values - values[0])))
    swing = float(np.ptp(sol.y[0]))
    yield Check(drift < 1e-8 and swing > 0.5, f"along a solve from (0.5, 0.3), r = 2 (wbar swings over {swing:.2f}): "
                                              f"max |H(t) - H(0)| {drift:.1e}")


@claim("minnorm.chain.eq53_54", paper=PAPER, where="App. B, eq. 53-55",
       statement="At rho = 0: dwbar/dalpha = (1/r) 2 wbar (alpha - 1)/(1 - wbar) (eq. 53), separated as "
                 "dwbar (1 - wbar)/wbar = (2/r) dalpha (alpha - 1) (eq. 54), whose integral is eq. 55.")
def _(quick):
    """Eq. 53 as the ratio of the flow's components; eq. 54 and 55 by differentiation."""
    f1, f2 = _balanced().substitute(dict(ONE, rho=0)).rhs
    yield _identity(f1 / f2, 2 * wbar * (alpha - 1) / (r * (1 - wbar)), "dwbar/dalpha = f_wbar/f_alpha vs eq. 53")
    yield _identity((1 - wbar) / wbar * f1, 2 / r * (alpha - 1) * f2,
                    "eq. 54 along the flow: (1 - wbar)/wbar dwbar/dt vs (2/r)(alpha - 1) dalpha/dt")
    yield _identity([sympy.diff(sympy.log(wbar) - wbar, wbar), sympy.diff(2 / r * (alpha**2 / 2 - alpha), alpha)],
                    [(1 - wbar) / wbar, 2 / r * (alpha - 1)], "eq. 55's two sides differentiated vs eq. 54's")


# --------------------------------------------- Fig. 3A and the time convention


@claim("minnorm.chain.fig3a", paper=PAPER, where="Fig. 3A, sec. 3.2",
       statement="Vanilla gradient descent converges to the zero training error manifold but does not approach a "
                 "low norm solution with balanced weights across layers.")
def _(quick):
    """Plain GD (chain_gd) conserves the weight gap: unbalanced starts stay unbalanced."""
    model = models.get("chain_gd")
    conserved, residual = model.is_conserved(Delta)
    yield Check(conserved, f"d/dt (w2^2 - w1^2)/2 along chain_gd: symbolic residual simplified to {residual}")
    sol, agree = _solve(model, [0.3, 2.0], 40.0, ONE)
    yield agree
    gap = (sol.y[1] ** 2 - sol.y[0] ** 2) / 2
    drift = float(np.max(np.abs(gap - gap[0])))
    error = abs(1 - sol.y[0, -1] * sol.y[1, -1])
    norm = sol.y[0, -1] ** 2 + sol.y[1, -1] ** 2
    yield Check(drift < 1e-8 and error < 1e-8 and norm > 3,
                f"from (0.3, 2.0): gap drift {drift:.1e}, final training error {error:.1e}, final w1^2 + w2^2 = "
                f"{norm:.3f} (minimum norm on w1 w2 = 1 is 2), final w = {np.round(sol.y[:, -1], 4)}")


@claim("minnorm.chain.time", paper=PAPER, where="sec. 3.2.1 (after eq. 10), sec. 3.2.2 (after eq. 14)",
       statement="The flows are the continuous-time limit of the discrete updates with tau = 1/eta the inverse "
                 "learning rate and r = tau s = s/eta (printed 'r = tau s = eta s', a flattened fraction).")
def _(quick):
    """Alg. 1 iterates (step eta, multiplier step s = r eta) vs chain_minnorm at t = k steps (tau = 1/eta)."""
    model = models.get("chain_minnorm")
    xv, yv, rho_, r_, T = 1.5, 0.8, 0.3, 2.0, 2.0
    etas = [0.04, 0.02, 0.01] if quick else [0.04, 0.02, 0.01, 0.005, 0.0025]
    link = iterate_vs_flow(model, CHAIN, lambda eta: MinnormRegression(eta, s=r_ * eta, rho=rho_),
                           Dataset(np.array([[xv]]), np.array([[yv]]), None, "one example"),
                           [np.array([[0.5]]), np.array([[1.2]])], T, etas, alpha0=0.1,
                           params=dict(x=xv, y=yv, rho=rho_), rtol=1e-10, atol=1e-12)
    yield Check(float(np.max(link.agreement)) < 1e-6, f"chain_minnorm at tau = 1/eta, r = {r_}: dop853 and "
                                                      f"scipy:DOP853 agree to {float(np.max(link.agreement)):.1e}")
    distances = link.distances
    yield Check(abs(link.order - 1) < 0.1 and distances[-1] < distances[0],
                f"|iterate k - flow(t = k)| at k = {T}/eta for eta = {etas}: {np.array(distances).round(6).tolist()}; "
                f"fitted order {link.order:.3f} (first order: t counts steps)")


FIG3_START = (0.25, 2.0)  # an unbalanced start (the caption does not print one)


def _minnorm_ends_at_minimum_norm(rho_, s, eta, steps):
    """Alg. 1 from ``FIG3_START`` (alpha = 0, x = y = 1): (ends within 1e-3 of (1, 1), what happened)."""
    iterates = minnorm(FIG3_START, eta, rho_, s, steps)
    end = iterates[-1]
    if len(iterates) <= steps:
        return False, f"rho = {rho_:g}, s = {s:g}, eta = {eta:g}: diverged after {len(iterates) - 1} steps"
    distance = float(np.max(np.abs(end[:2] - 1.0)))
    return distance < 1e-3, (f"rho = {rho_:g}, s = {s:g}, eta = {eta:g}: after {steps} steps (w1, w2) = "
                             f"({end[0]:.6g}, {end[1]:.6g}), {distance:.2g} from (1, 1)")


@claim("minnorm.chain.fig3d", paper=PAPER, where="Fig. 3D",
       statement="Minnorm with rho = s = 100, eta = 0.01 needs only 5K epochs to converge to the minimum-norm "
                 "solution on the zero training error manifold.",
       correction="With rho = s = 100, eta = 0.01 the discrete Alg. 1 diverges within a few steps: eta*rho = 1 makes "
                  "the penalty step overshoot (it multiplies the error yhat - y by 1 - eta rho (w1^2 + w2^2), about "
                  "-3 at an unbalanced start and -1 at the solution). The continuous flow at these parameters "
                  "(tau = 100, r = 10^4) does converge; the discrete algorithm needs eta*rho well below 1, e.g. "
                  "rho = 10, s = 1, eta = 0.01, which reaches (1, 1) within 5K steps.")
def _(quick):
    """Alg. 1 with the printed parameters from an unbalanced start, and with parameters that work."""
    holds, evidence = _minnorm_ends_at_minimum_norm(100.0, 100.0, 0.01, 5000)
    yield Check(holds, f"printed parameters: {evidence}")
    holds, evidence = _minnorm_ends_at_minimum_norm(10.0, 1.0, 0.01, 5000)
    yield Check(holds, f"corrected parameters: {evidence}", about="correction")
    model = models.get("chain_minnorm")
    result, agree = _solve(model, [*FIG3_START, 0.0], 5000.0, dict(rho=100.0, r=1e4, tau=100.0))
    yield Check(agree.holds, agree.evidence, about="correction")
    distance = float(np.max(np.abs(result.y[:, -1] - 1.0)))
    yield Check(distance < 1e-6, f"the flow at tau = 100, r = 1e4 ends {distance:.2g} from (1, 1, 1)",
                about="correction")
