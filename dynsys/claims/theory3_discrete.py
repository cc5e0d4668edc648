"""Claims of Theory III sec. 10-11 and eq. 81 in discrete time: the unit-norm training methods run as algorithms.

Fig. 2's network (``dynsys.models.theory3``): ``f(x) = W.x`` on ``x_1 = (1, 1/4)``,
``x_2 = (1/2, 1)``, both labelled +1, ``L = sum_n exp(-y_n W.x_n)``, trained by
the engine (``dynsys.train``) from ``W_0 = (0.6, -0.8)``: ``rho = 1`` and
``|V| = 1``, where the paper's normalised flows start (``x_2`` misclassified).
The methods are :class:`~dynsys.train.parametrisation.NormDirection` options:

* gradient descent on ``W`` (eq. 23);
* weight normalisation, ``w = g v/|v|`` with steps on ``g`` and ``v`` (eq. 52-53);
* the tangent gradient method, ``V <- V - eta rho S G`` then ``V/|V|`` (sec. 10.3, eq. 50);
* coefficient normalisation, ``V <- V - eta rho G`` then ``V/|V|`` (sec. 10.2, eq. 49);
* the Lagrange multiplier method, ``V <- a V - eta rho G`` with ``a`` from eq. 48 (sec. 10.1).

The engine averages the loss over the ``P = 2`` examples where the flows sum
it, so ``k`` steps of size ``eta`` are the ``tau = 1`` flow at ``t = eta k / 2``
(``iterate_vs_flow(..., objective_scale=1/2)``); ``T`` below counts ``eta k``.
Fig. 7 (eq. 81) is run on scikit-learn's iris, setosa (+1) against the rest,
on the four raw features without a constant: eq. 81's network ``f = rho V.x``
has no bias, and the classes are separable through the origin (hard-margin SVM
margin 0.743, three support vectors).
"""

import functools
import itertools
import math

import numpy as np
import sympy
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.models import get
from dynsys.models.theory3 import EXAMPLE_X
from dynsys.train import GradientDescent, Identity, Network, NormDirection, trajectory
from dynsys.train.datasets import Dataset
from dynsys.train.flow_link import iterate_vs_flow
from dynsys.train.parametrisation import DEFAULT_T0, PrescribedNorm
from dynsys.train.perceptron import max_margin, perceptron

PAPER = "theory3"
X = np.array(EXAMPLE_X, dtype=float)
DATA = Dataset(X, np.ones(len(X), dtype=np.int64), 2, "Theory III Fig. 2")
NETWORK = Network((2, 1), "linear", bias=False)
W0 = np.array([[0.6], [-0.8]])
T = 4.0
ETAS = (0.04, 0.02, 0.01, 0.005)
MORE_ETAS = (0.0025, 0.00125)
METHODS = {
    "gd": Identity,
    "weight_norm": lambda: NormDirection(False),
    "tangent": lambda: NormDirection(True),
    "coefficient": lambda: NormDirection(True, project=False),
    "lagrange": lambda: NormDirection(True, project=False, retraction="lagrange"),
}
UNIT_NORM = ("lagrange", "coefficient", "tangent")
ORDER_TOLERANCE = 0.1
AGREEMENT = 1e-8
ROUNDING = 1e-12


def _etas(quick):
    return ETAS if quick else ETAS + MORE_ETAS


def algorithm(method, eta):
    """Gradient descent on the exponential loss in the variables of ``method`` (a key of :data:`METHODS`)."""
    return GradientDescent(eta, loss="exponential", parametrisation=METHODS[method]())


@functools.cache
def iterates(method, eta, steps):
    """The engine's iterates (steps + 1, 2 or 3): ``W``, or ``(rho, v1, v2)``, from :data:`W0`."""
    return trajectory(NETWORK, algorithm(method, eta), DATA, steps, [W0])


def order(etas, distances):
    """The least-squares slope of ``log distance`` against ``log eta``."""
    return fit_line(np.log(etas), np.log(distances)).slope


def _format(values):
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


# ---------------------------------------------------------------- sec. 10: the unit-norm methods agree


def pairwise(etas, steps_of):
    """``{(a, b): max |iterate_a - iterate_b|}`` per eta for the unit-norm methods after ``steps_of(eta)`` steps."""
    out = {}
    for a, b in itertools.combinations(UNIT_NORM, 2):
        out[a, b] = np.array([np.abs(iterates(a, eta, steps_of(eta))[-1] - iterates(b, eta, steps_of(eta))[-1]).max()
                              for eta in etas])
    return out


def _describe_pairs(etas, distances):
    return "; ".join(f"{a} vs {b}: {_format(d)}, order {order(etas, d):.2f}" for (a, b), d in distances.items())


@claim("theory3.discrete.equivalent", paper=PAPER, where="sec. 10, 10.1-10.3 (eq. 42-50)",
       statement="For small values of the step size, the Lagrange multiplier, coefficient normalization and "
                 "tangent gradient methods are equivalent to each other.")
def _(quick):
    etas = np.array(_etas(quick))
    one = pairwise(etas, lambda eta: 1)
    step = np.array([np.abs(np.diff(iterates("tangent", eta, 1), axis=0)).max() for eta in etas])
    yield Check(all(order(etas, d) >= 2 - ORDER_TOLERANCE for d in one.values()),
                f"one step from (rho, V) = (1, {W0[0, 0]:g}, {W0[1, 0]:g}) on Fig. 2's data, eta = "
                f"{_format(etas)}: the step is {_format(step)} (order {order(etas, step):.2f}); the methods differ by "
                f"{_describe_pairs(etas, one)} (O(eta^2) or better: tangent and Lagrange differ only by "
                f"O(eta^3), both being V + g_perp - |g_perp|^2 V/2 + O(eta^3), g = -eta rho G)")
    late = pairwise(etas, lambda eta: int(round(T / eta)))
    yield Check(all(order(etas, d) >= 1 - ORDER_TOLERANCE for d in late.values()),
                f"after eta k = {T:g} (k = {T / etas[0]:.0f}..{T / etas[-1]:.0f} steps): {_describe_pairs(etas, late)}"
                " (the per-step differences add up to O(eta) over a fixed time, O(eta^2) for tangent vs Lagrange)")


# ---------------------------------------------------------------- sec. 11.2: |v| under weight normalisation


@functools.cache
def link(model_id, method, quick):
    """``iterate_vs_flow`` of ``method``'s iterates against the model ``model_id`` (whole paths for weight_norm)."""
    return iterate_vs_flow(get(model_id), NETWORK, lambda eta: algorithm(method, eta), DATA, [W0], T,
                           _etas(quick), objective_scale=1 / len(X), whole_path=method == "weight_norm")


def eq53_orthogonality():
    """SymPy: ``v^T v'`` for eq. 53, ``v' = (g/|v|) S w'``, ``S = I - v v^T/|v|^2``, any ``v``, ``w'`` in R^3."""
    v = sympy.Matrix(sympy.symbols("v1:4", real=True))
    w_dot = sympy.Matrix(sympy.symbols("u1:4", real=True))
    g = sympy.Symbol("g", positive=True)
    norm2 = (v.T * v)[0]
    S = sympy.eye(3) - v * v.T / norm2
    return sympy.simplify((v.T * (g / sympy.sqrt(norm2)) * S * w_dot)[0])


@claim("theory3.discrete.wn_norm_flow", paper=PAPER, where="sec. 11.2, eq. 52-55",
       statement="Under the weight normalization dynamics (eq. 52-53), v^T v' = 0 because v^T S = 0, so ||v||^2 is "
                 "constant in time: if ||v|| = 1 at initialization it will not change, and the dynamics is that of "
                 "eq. 54-55 with g corresponding to rho.")
def _(quick):
    residual = eq53_orthogonality()
    yield Check(residual == 0, f"SymPy: v^T (g/|v|) (I - v v^T/|v|^2) w' simplifies to {residual} for any v, w' in R^3")
    flow = link("theory3_weight_norm", "weight_norm", quick).flow_paths[-1]
    drift = float(np.abs(np.linalg.norm(flow[:, 1:], axis=1) - 1).max())
    yield Check(drift < 1e-9, f"the flow theory3_weight_norm (eq. 54-55) from |V| = 1 on Fig. 2's data: "
                              f"max ||V(t)| - 1| = {drift:.1e} over t in [0, {T / len(X):g}] (DOP853, rtol 1e-11)")


def norm_growth(quick):
    """``|v_K| - 1`` of the weight-normalisation iterates after ``K = T/eta`` steps, per eta."""
    return np.array([np.linalg.norm(iterates("weight_norm", eta, int(round(T / eta)))[-1, 1:]) - 1
                     for eta in _etas(quick)])


def predicted_growth_rate(quick):
    """``(1/2) int_0^T |dv/ds|^2 ds`` (``s = eta k``) along the flow: ``|v_K| - 1 ~ eta`` times this."""
    path = link("theory3_weight_norm", "weight_norm", quick)
    flow, eta = path.flow_paths[-1], path.etas[-1]
    velocity = np.gradient(flow[:, 1:], eta, axis=0)
    return 0.5 * float(np.trapezoid((velocity**2).sum(axis=1), dx=eta))


def step_orthogonality(rows):
    """``max |v_k.(v_{k+1} - v_k)| / (|v_k| |v_{k+1} - v_k|)`` and the largest relative error of
    ``|v_{k+1}|^2 = |v_k|^2 + |v_{k+1} - v_k|^2`` along the weight-normalisation iterates ``rows``."""
    v = rows[:, 1:]
    steps = np.diff(v, axis=0)
    cosine = np.abs((v[:-1] * steps).sum(axis=1)) / (np.linalg.norm(v[:-1], axis=1) * np.linalg.norm(steps, axis=1))
    growth = np.diff((v**2).sum(axis=1))
    return float(cosine.max()), float(np.abs(growth / (steps**2).sum(axis=1) - 1).max())


@claim("theory3.discrete.wn_norm_iterates", paper=PAPER, where="sec. 11.2, eq. 52-53",
       statement="Weight normalization (gradient steps on g and v, w = g v/||v||): if ||v|| = 1 at initialization, "
                 "it will not change (at least in the noiseless case).",
       correction="True of the flow (eq. 52-53), not of the algorithm: the step on v is orthogonal to v, so "
                  "||v_{k+1}||^2 = ||v_k||^2 + eta^2 ||dL/dv||^2 and ||v|| grows at every step, by about "
                  "(eta/2) int_0^T ||dv/ds||^2 ds = O(eta) over a fixed time T = eta k; the iterates still follow "
                  "the flow of eq. 54-55 to O(eta).")
def _(quick):
    etas = np.array(_etas(quick))
    growth = norm_growth(quick)
    yield Check(np.abs(growth).max() < ROUNDING,
                f"full-batch weight normalisation on Fig. 2's data from |v| = 1: |v| - 1 after eta k = {T:g} is "
                f"{_format(growth)} for eta = {_format(etas)}")
    rows = iterates("weight_norm", etas[-1], int(round(T / etas[-1])))
    cosine, identity = step_orthogonality(rows)
    increasing = bool(np.all(np.diff(np.linalg.norm(rows[:, 1:], axis=1)) > 0))
    yield Check(cosine < ROUNDING and identity < 1e-6 and increasing,
                f"each step is orthogonal to v (max |cos| {cosine:.1e}), |v_(k+1)|^2 - |v_k|^2 = |v_(k+1) - v_k|^2 "
                f"to {identity:.1e} (relative), and |v| increases at every one of the {len(rows) - 1} steps "
                f"(eta = {etas[-1]:g})", about="correction")
    fitted, rate = order(etas, growth), predicted_growth_rate(quick)
    yield Check(abs(fitted - 1) < ORDER_TOLERANCE and abs(growth[-1] / etas[-1] / rate - 1) < 0.05,
                f"|v_K| - 1 ~ eta^{fitted:.3f}; (|v_K| - 1)/eta = {_format(growth / etas)} -> (1/2) int |dv/ds|^2 "
                f"ds = {rate:.4g} along the flow theory3_weight_norm", about="correction")
    follow = link("theory3_weight_norm", "weight_norm", quick)
    yield Check(abs(follow.order - 1) < ORDER_TOLERANCE,
                f"the iterates (g, v) against the flow (rho, V) at t = eta k/2: {follow.evidence()}",
                about="correction")


# ---------------------------------------------------------------- which flow each algorithm follows


def first_order(result):
    """Distances that shrink with eta at a fitted order within the tolerance of 1, integrators agreeing."""
    return (bool(np.all(np.diff(result.distances) < 0)) and abs(result.order - 1) < ORDER_TOLERANCE
            and float(np.max(result.agreement)) < AGREEMENT)


@claim("theory3.discrete.gd_wn_flows", paper=PAPER, where="eq. 23, 52-55; sec. 11.1-11.2",
       statement="Gradient descent on W and weight normalization are the discrete algorithms of the flows W' = "
                 "-dL/dW (eq. 23) and rho' = V^T W', V' = rho S W' (eq. 52-55, from ||V|| = 1): after k steps of size "
                 "eta their iterates approach the flow at time eta k as eta -> 0.")
def _(quick):
    for model_id, method in (("theory3_linear_gd", "gd"), ("theory3_weight_norm", "weight_norm")):
        result = link(model_id, method, quick)
        yield Check(first_order(result), f"{method} vs {model_id}: {result.evidence()}")


@claim("theory3.discrete.unit_norm_flow", paper=PAPER, where="sec. 10, 10.3, 11.2; eq. 24-25, 50, 54-55",
       statement="The Lagrange multiplier, coefficient normalization and tangent gradient methods perform gradient "
                 "descent with a unit norm constraint: the same dynamics as weight normalization, rho' = V^T W', "
                 "V' = rho S W' (eq. 54-55, and eq. 24-25 with the Lagrange multiplier), which is not the standard "
                 "dynamics on W written in rho and V (V' = S W'/rho, eq. 18-21, 76-77).")
def _(quick):
    residual = [sympy.simplify(a - b) for a, b in zip(get("theory3_lagrange").rhs, get("theory3_weight_norm").rhs)]
    yield Check(all(r == 0 for r in residual),
                f"SymPy: the Lagrange flow (eq. 24-25, lambda solving V.V' = 0 on |V| = 1) minus the weight "
                f"normalisation flow (eq. 54-55), theory3_lagrange - theory3_weight_norm: {residual}")
    for method in UNIT_NORM:
        normalised = link("theory3_weight_norm", method, quick)
        standard = link("theory3_linear_rho_v", method, quick)
        apart = standard.distances[-1] > 10 * normalised.distances[-1] and abs(standard.order) < ORDER_TOLERANCE
        yield Check(first_order(normalised) and apart,
                    f"{method}: vs theory3_weight_norm {normalised.evidence()}; vs the polar lift of gradient descent "
                    f"theory3_linear_rho_v: {_format(standard.distances)} (order {standard.order:.3f})")


# ---------------------------------------------------------------- eq. 81, Fig. 7: rho prescribed


SCHEDULES = ("inv_log", "log", "log_log", "exp")
FORMULAS = {"inv_log": "1/log t", "log": "log t", "log_log": "log log t", "exp": "exp t"}
IRIS_ETA = 0.1
IRIS_STEPS = {True: 3_000, False: 100_000}
TRACKING = 1.5  # degrees
LARGE_ALPHAS = (100.0, 200.0, 400.0, 800.0, 1600.0)
SMALL_ALPHA = 1e-3


@functools.cache
def iris():
    """Setosa (+1) against the rest (-1), the 150 raw features without a constant: ``(Dataset, Z = y x)``."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    labels = (bunch.target == 0).astype(np.int64)
    data = Dataset(bunch.data.astype(float), labels, 2, "iris, setosa vs rest")
    return data, (2 * labels - 1)[:, None] * data.X


def angle(a, b):
    """The angle between ``a`` and ``b`` in degrees."""
    cosine = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(min(1.0, max(-1.0, cosine))))


@functools.cache
def svm_direction():
    """The hard-margin SVM through the origin: its unit normal and the :class:`MaxMargin` result."""
    data, _ = iris()
    result = max_margin(data.X, data.y, bias=False)
    return result.w / np.linalg.norm(result.w), result


@functools.cache
def start_direction():
    """The perceptron's separating direction (unit), the common start of every schedule."""
    data, _ = iris()
    w = perceptron(data.X, data.y, bias=False).w
    return w / np.linalg.norm(w)


@functools.cache
def prescribed_run(schedule, quick):
    """Rows ``(t, v1..v4)`` of the tangent gradient with ``rho = alpha(t)``, ``t = e^e + eta k`` (finite rows only)."""
    data, _ = iris()
    method = GradientDescent(IRIS_ETA, loss="exponential", parametrisation=PrescribedNorm(schedule))
    with np.errstate(over="ignore", invalid="ignore"):
        rows = trajectory(Network((4, 1), "linear", bias=False), method, data, IRIS_STEPS[quick],
                          [start_direction()[:, None]])
    return rows[np.all(np.isfinite(rows), axis=1)]


def loss_minimiser(alpha, start):
    """``V*(alpha)``: the unit direction minimising the exponential loss at norm ``alpha`` (log-sum-exp form)."""
    _, Z = iris()

    def objective(w):
        norm = np.linalg.norm(w)
        v = w / norm
        exponent = -alpha * Z @ v
        gradient = -alpha * Z.T @ softmax(exponent)
        return logsumexp(exponent), (gradient - (gradient @ v) * v) / norm

    return minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-10}).x


def _run_summary(schedule, quick, svm):
    rows = prescribed_run(schedule, quick)
    picks = np.unique(np.geomspace(1, len(rows), 4).astype(int) - 1)
    return ", ".join(f"{angle(rows[i, 1:], svm):.2f} deg at t = {rows[i, 0]:.4g}" for i in picks)


@claim("theory3.discrete.fig7", paper=PAPER, where="Fig. 7, eq. 81, sec. 13.1",
       statement="Rates of convergence of v(t) with rho set as several functions of t (alpha(t) = 1/log t, log t, "
                 "log log t, exp t) for a linear network trained on all the training examples on the IRIS dataset.")
def _(quick):
    svm, result = svm_direction()
    start = start_direction()
    finals = {s: prescribed_run(s, quick)[-1] for s in SCHEDULES}
    changes = {s: angle(finals[s][1:], svm) - angle(start, svm) for s in SCHEDULES}
    distinct = min(abs(changes[a] - changes[b]) for a, b in itertools.combinations(SCHEDULES, 2))
    yield Check(distinct > 0.05,
                f"iris setosa vs rest, the 150 examples' 4 raw features without a constant (separable through the "
                f"origin: hard-margin SVM margin {result.gamma:.4f}, {len(result.support)} support vectors); mean "
                f"exponential loss, tangent gradient on V with rho = alpha(t), t = e^e + eta k, eta = {IRIS_ETA:g}, "
                f"{IRIS_STEPS[quick]} steps, from the perceptron's direction ({angle(start, svm):.2f} deg from the "
                f"SVM); angle to the SVM direction: "
                + "; ".join(f"alpha = {FORMULAS[s]}: {_run_summary(s, quick, svm)}" for s in SCHEDULES)
                + f": four different courses (changes {', '.join(f'{changes[s]:+.3f}' for s in SCHEDULES)} deg, "
                f"pairwise apart by >= {distinct:.3f})")
    lags = {s: angle(finals[s][1:], loss_minimiser(float(PrescribedNorm(s).rho(np, finals[s][0])), svm))
            for s in ("inv_log", "log", "log_log")}
    yield Check(max(lags.values()) < TRACKING,
                "v(t) follows V*(alpha(t)), the minimiser of the loss at norm alpha(t) on the sphere: angle(v, V*) "
                "at the end " + ", ".join(f"{FORMULAS[s]} {lags[s]:.3f} deg" for s in lags)
                + ", so the schedule sets the rate through the path of V*(alpha)")
    large = np.array([angle(loss_minimiser(a, svm), svm) for a in LARGE_ALPHAS])
    fit = fit_line(np.log(LARGE_ALPHAS), np.log(large))
    small = loss_minimiser(SMALL_ALPHA, start)
    mean = iris()[1].mean(axis=0)
    yield Check(abs(fit.slope + 1) < ORDER_TOLERANCE and angle(small, mean) < 1.0,
                f"V*(alpha) -> SVM like 1/alpha: angle {_format(large)} deg at alpha = {list(LARGE_ALPHAS)}, slope "
                f"{fit.slope:.3f} in log-log (alpha x angle -> {LARGE_ALPHAS[-1] * large[-1]:.0f} deg), so rho = log t "
                f"converges like 1/log t (eq. 79's rate) and log log t like 1/log log t, far slower; as alpha -> 0, "
                f"V* -> the mean of y_n x_n (angle {angle(small, mean):.2f} deg at alpha = {SMALL_ALPHA:g}), "
                f"{angle(mean, svm):.1f} deg from the SVM and misclassifying (min margin "
                f"{float((iris()[1] @ (mean / np.linalg.norm(mean))).min()):.2f}), so rho = 1/log t does not "
                "converge to the max-margin direction")
    frozen = prescribed_run("exp", quick)
    moved = float(np.abs(frozen[:, 1:] - frozen[0, 1:]).max())
    ended = len(frozen) - 1 < IRIS_STEPS[quick]
    yield Check(moved < ROUNDING,
                f"alpha = exp t: v never moves (max |v_k - v_0| = {moved:g} over {len(frozen) - 1} steps): with all "
                f"margins positive exp(-alpha margin) underflows to 0 from alpha(e^e) = {math.exp(DEFAULT_T0):.3g}"
                + (f"; at t = {frozen[-1, 0] + IRIS_ETA:.1f} the outputs alpha W.x overflow and the run ends (NaN) "
                   f"after {len(frozen) - 1} of {IRIS_STEPS[quick]} steps" if ended else ""))
