"""Claims of Minnorm sec. 3.3: the shallow classifier with one example per class, BCE against Minnorm.

The flows are those of ``dynsys.models.shallow`` (derived from the loss and the
Lagrangian, reduced by proved reductions); each printed equation is compared
with them symbolically and numerically (our integrator against SciPy's).
"""

import numpy as np
import sympy

from dynsys import models
from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.integrate import solve_ivp
from dynsys.models.shallow import X, alpha1, r, tau, w1, w2, wpar, wperp

PAPER = "minnorm"


def _sigma(u):
    return 1 / (1 + sympy.exp(-u))


def _proofs_hold(model):
    return all(p.holds for p in model.proofs), "; ".join(f"{p.kind}: {'holds' if p.holds else 'FAILS'}"
                                                        for p in model.proofs)


@claim("minnorm.shallow.eq22_24", paper=PAPER, where="sec. 3.3.1, eq. 20-24",
       statement="Gradient descent on the BCE loss gives tau dW/dt = 2 sigma(-W x1) x1 (eq. 22), i.e. "
                 "tau dw_par/dt = 2 sigma(-w_par) and tau dw_perp/dt = 0 (eq. 23-24).")
def _(quick):
    model = models.get("shallow_bce")
    W = sympy.Matrix([w1, w2])
    printed = 2 * _sigma(-(W.T * X[0])[0]) * X[0] / tau
    residual = sympy.simplify(model.rhs - printed)
    yield Check(residual == sympy.zeros(2, 1), f"SymPy: derived flow - eq. 22 = {list(residual)}")
    reduced = models.get("shallow_bce_reduced")
    holds, proofs = _proofs_hold(reduced)
    residual = sympy.simplify(reduced.rhs - sympy.Matrix([2 * _sigma(-wpar), 0]) / tau)
    yield Check(holds and residual == sympy.zeros(2, 1),
                f"rotation to (w_par, w_perp) proved ({proofs}); derived - eq. 23-24 = {list(residual)}")
    flow = model.compile()
    start = [1 / np.sqrt(2), -1 / np.sqrt(2)]
    ours = solve_ivp(flow, (0, 100.0), start, method="dop853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    ref = solve_ivp(flow, (0, 100.0), start, method="scipy:DOP853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    perp = (ours.y[0] - ours.y[1]) / np.sqrt(2)
    yield Check(np.abs(ours.y[:, -1] - ref.y[:, -1]).max() < 1e-8 and np.ptp(perp) < 1e-10,
                f"from Fig. 4's start, tau = 0.1, to t = 100: dop853 vs scipy:DOP853 "
                f"{np.abs(ours.y[:, -1] - ref.y[:, -1]).max():.1e}; w_perp varies by {np.ptp(perp):.1e}")


@claim("minnorm.shallow.eq27", paper=PAPER, where="sec. 3.3.1, eq. 25-27",
       statement="The time for w_par to grow from w0 to wf is t = tau/2 [wf - w0 + exp(wf) - exp(w0)] (eq. 27).")
def _(quick):
    model = models.get("shallow_bce_reduced")
    flow = model.compile()
    w0 = 0.0
    errors = []
    for wf in (1.0, 5.0, 10.0):
        t_f = flow.params[0] / 2 * (wf - w0 + np.exp(wf) - np.exp(w0))
        sol = solve_ivp(flow, (0, t_f), [w0, 0.3], method="dop853", args=(flow.params,), rtol=1e-11, atol=1e-12)
        errors.append(abs(sol.y[0, -1] - wf))
    yield Check(max(errors) < 1e-7, f"tau = {flow.params[0]:g}, w0 = 0: |w_par(t from eq. 27) - wf| for wf = 1, 5, "
                                    f"10: {', '.join(f'{e:.1e}' for e in errors)}")


@claim("minnorm.shallow.eq31_35", paper=PAPER, where="sec. 3.3.2, eq. 29-35",
       statement="Minnorm's flow decomposes into tau dw_par/dt = -w_par + alpha1 + alpha2, tau dw_perp/dt = "
                 "-w_perp, tau dalpha_mu/dt = r (1 - w_par) (eq. 31-33); with equal multipliers, tau dw_par/dt = "
                 "-w_par + 2 alpha, tau dalpha/dt = r (1 - w_par) (eq. 34-35), fixed point (w_par, alpha) = (1, 1/2).")
def _(quick):
    model = models.get("shallow_minnorm_reduced")
    holds, proofs = _proofs_hold(model)
    residual = sympy.simplify(model.rhs - sympy.Matrix([-wpar + 2 * alpha1, r * (1 - wpar)]) / tau)
    yield Check(holds and residual == sympy.zeros(2, 1),
                f"reductions proved ({proofs}); derived - eq. 34-35 = {list(residual)}")
    rotated = models.get("shallow_minnorm").change_variables(
        {wpar: (w1 + w2) / sympy.sqrt(2), wperp: (w1 - w2) / sympy.sqrt(2)},
        inverse={w1: (wpar + wperp) / sympy.sqrt(2), w2: (wpar - wperp) / sympy.sqrt(2)})
    a1, a2 = rotated.state[2:]
    residual = sympy.simplify(rotated.rhs - sympy.Matrix([-wpar + a1 + a2, -wperp, r * (1 - wpar),
                                                          r * (1 - wpar)]) / tau)
    yield Check(residual == sympy.zeros(4, 1), f"rotated 4-D flow - eq. 31-33 = {list(residual)}")
    points = [fp.point for fp in model.fixed_points()]
    yield Check(points == [{wpar: 1, alpha1: sympy.Rational(1, 2)}], f"fixed points in closed form: {points}")


@claim("minnorm.shallow.eigenvalues", paper=PAPER, where="sec. 3.3.2 (after eq. 35)",
       statement="At the fixed point the eigenvalues are (-1 ± sqrt(1 - 8r))/(2 tau): always stable for r > 0, "
                 "a stable spiral decaying like exp(-t/(2 tau)) if 8r > 1, critically damped at r = 1/8.")
def _(quick):
    model = models.get("shallow_minnorm_reduced")
    point = model.fixed_points()[0].point
    got = model.eigenvalues(point)
    printed = [(-1 + sympy.sqrt(1 - 8 * r)) / (2 * tau), (-1 - sympy.sqrt(1 - 8 * r)) / (2 * tau)]
    same = all(any(sympy.simplify(g - p) == 0 for p in printed) for g in got) and len(got) == 2
    yield Check(same, f"SymPy eigenvalues {got}")
    conditions = model.stability_conditions(point)
    yield Check(bool(conditions["stable"] == sympy.true or conditions["stable"] is True)
                and conditions["oscillatory"] == (r > sympy.Rational(1, 8))
                and conditions["critically damped"] == sympy.Eq(r, sympy.Rational(1, 8)),
                f"Routh-Hurwitz and discriminant: {conditions}")
    classes = {rv: model.classify({"r": rv, "tau": 1.0}, point).class_ for rv in (0.05, 1.0)}
    flow = model.compile()
    params = flow.params.copy()
    params[list(flow.param_names).index("r")] = 1.0
    t = np.linspace(20, 40, 200)
    sol = solve_ivp(flow, (0, 40), [0.0, 0.0], method="dop853", t_eval=t, args=(params,), rtol=1e-11, atol=1e-13)
    distance = np.hypot(sol.y[0] - 1, sol.y[1] - 0.5)
    peaks = np.flatnonzero((distance[1:-1] > distance[:-2]) & (distance[1:-1] > distance[2:])) + 1
    rate = -np.polyfit(t[peaks], np.log(distance[peaks]), 1)[0] if len(peaks) >= 2 else float("nan")
    yield Check(classes[0.05] == "stable node" and classes[1.0] == "stable spiral"
                and abs(rate - 0.5) < 0.02,
                f"classified: r = 0.05 {classes[0.05]!r}, r = 1 {classes[1.0]!r}; measured decay rate of the "
                f"envelope at r = 1, tau = 1: {rate:.4f} (1/(2 tau) = 0.5)")


def _angle(w):
    """Angle (radians) between weight columns ``w`` (2 x n) and the max-margin direction x1 = (1, 1)/sqrt 2."""
    return np.arctan2(np.abs(w[0] - w[1]), w[0] + w[1])  # accurate for tiny angles, unlike arccos


@claim("minnorm.shallow.angle_bce", paper=PAPER, where="sec. 3.3.1, eq. 28, Fig. 4D",
       statement="Under BCE, w_par grows like log t and the angle to the max-margin direction decays like 1/log t.")
def _(quick):
    model = models.get("shallow_bce")
    flow = model.compile()
    t = np.geomspace(1e2, 1e8, 200)
    start = [1 / np.sqrt(2), -1 / np.sqrt(2)]  # Fig. 4: w_par = 0, w_perp = 1
    sol = solve_ivp(flow, (0, 1e8), start, method="dop853", t_eval=t, args=(flow.params,), rtol=1e-10, atol=1e-12)
    theta = _angle(sol.y)
    decay = fit_line(np.log(t), 1 / theta)
    growth = fit_line(np.log(t), (sol.y[0] + sol.y[1]) / np.sqrt(2))
    perp = abs(start[0] - start[1]) / np.sqrt(2)  # constant under BCE (eq. 24)
    predicted = 1 / perp  # w_par ~ log t (eq. 25-27), theta ~ |w_perp| / w_par
    yield Check(sol.status == 0 and decay.contains(predicted, 0.02) and decay.r2 > 0.999
                and growth.contains(1.0, 0.02),
                f"tau = 0.1, solve to t = 1e8 ({sol.nfev} evaluations), 200 log-spaced outputs from t = 100: "
                f"slope of 1/theta against log t {decay.describe()} (1/log t decay: slope 1/|w_perp| = "
                f"{predicted:.4g}); d w_par / d log t = {growth.describe()} (predicted 1, from eq. 27)")


@claim("minnorm.shallow.angle_minnorm", paper=PAPER, where="sec. 3.3.2 (end), Fig. 4C-D",
       statement="Under Minnorm the angle to the max-margin direction converges exponentially, theta = "
                 "O(exp(-t/tau)), with w_perp decaying on the time scale tau.")
def _(quick):
    model = models.get("shallow_minnorm")
    flow = model.compile()
    t = np.linspace(5.0, 25.0, 200)
    start = [1 / np.sqrt(2), -1 / np.sqrt(2), 0.0, 0.0]
    sol = solve_ivp(flow, (0, 25.0), start, method="dop853", t_eval=t, args=(flow.params,), rtol=1e-12, atol=1e-14)
    tau_value = flow.params[list(flow.param_names).index("tau")]
    angle = fit_line(t, np.log(_angle(sol.y[:2])))
    perp = fit_line(t, np.log(np.abs(sol.y[0] - sol.y[1]) / np.sqrt(2)))
    yield Check(angle.contains(-1 / tau_value, 0.05 / tau_value) and perp.contains(-1 / tau_value, 1e-3 / tau_value),
                f"tau = {tau_value:g}, r = {flow.params[list(flow.param_names).index('r')]:g} (Fig. 4), t in "
                f"[5, 25]: slope of log theta {angle.describe()}, of log|w_perp| {perp.describe(6)} "
                f"(-1/tau = {-1 / tau_value:g})")
