"""Theory III sec. 16: rates of convergence of a linear network's direction, and the rescaled flows of eq. 81.

The flows are those of :mod:`dynsys.models.theory3` on data folded into the
examples (``z_n = y_n x_n``, every label +1), ``f(x) = rho V.x``, exponential
loss, ``tau = 1``:

* ``iris_data``: scikit-learn's bundled IRIS, setosa (+1) against versicolor
  and virginica (-1), the four raw features in cm, no bias and no constant
  feature (eq. 76 has none; the classes are separable through the origin);
  one example (the first, a setosa) or all 150;
* ``single_example(variant)``: one example ``x`` of norm ``a``, reduced to the
  plane of ``x`` and ``W(0)`` and to the unit circle: state ``(rho, s)`` with
  ``s = sin`` of the angle between ``v`` and ``x``, derived from the loss
  ``exp(-a w1)`` by the polar lift (GD, eq. 76-77) or the weight-normalised
  gradient (eq. 80), then restricted to ``|v| = 1``; each carries its first
  integral (``rho s`` for GD, ``s exp(rho^2/2)`` for weight normalisation);
* ``scaled_model``: eq. 81's flows, ``rho`` replaced in the ``V`` equation
  by a prescribed ``alpha(t)`` (Fig. 7: "rho set as several functions of
  t"), or eq. 81 as printed;
* ``rho_v_rhs`` / ``scaled_rhs`` and their Jacobians: the same flows
  vectorised over the data for numba (150 examples make the symbolic
  right-hand sides slow to build: about 100 s for the polar lift's proof),
  checked against the symbolic models by the tests; ``rho_v_flow`` /
  ``scaled_flow`` wrap them as ``Flow`` objects with the data in ``p``, so one
  compiled kernel serves every data set.

The last section holds what the claims and the figures share: solves from the
common start ``W(0) = V0``, the max-margin direction, the closed form of GD on
one example and the derived weight-normalisation law, the minimiser ``V*`` of
``L(scale V)`` on the sphere, and the local rate ``d log|eps| / d log t``.
"""

import functools
import inspect
import time
from dataclasses import dataclass

import numpy as np
import sympy
from numba import njit

from dynsys.integrate.flow import Flow
from dynsys.symbolic import Descent, Model, ModelError, t

from .theory3 import _tangent, directions, linear_exponential, linear_rho_v, rho

a = sympy.Symbol("a", positive=True)
s = sympy.Symbol("s", real=True)
c = sympy.Symbol("c", real=True)
w1, w2 = sympy.symbols("w1 w2", real=True)

VARIANTS = ("gd", "weight_norm")
FORMS = ("gd", "weight_norm", "eq81")
ALPHAS = {"1/log t": 1 / sympy.log(t), "log t": sympy.log(t), "log log t": sympy.log(sympy.log(t)),
          "exp t": sympy.exp(t)}
ALPHA_CODES = {name: k for k, name in enumerate(ALPHAS)}
IRIS_POSITIVE = "setosa"


@functools.lru_cache(maxsize=None)
def _iris():
    from sklearn.datasets import load_iris

    data = load_iris()
    labels = np.where(data.target == list(data.target_names).index(IRIS_POSITIVE), 1, -1)
    return data.data.astype(float), labels


def iris_data(examples="all"):
    """``(Z, what)``: IRIS examples folded with their labels, ``z_n = y_n x_n`` (setosa +1, the others -1).

    ``examples`` is "all" (150), "one" (the first example, a setosa, as in
    Theory III Fig. 4) or a count ``k`` (the first ``k`` of each class, for
    the tests). Raw features, no bias: the hard-margin SVM through the origin
    separates them (``dynsys.train.perceptron.max_margin``).
    """
    X, y = _iris()
    Z = X * y[:, None]
    if examples == "all":
        return Z, "IRIS, setosa (+1) vs versicolor and virginica (-1), 150 examples, 4 raw features, no bias"
    if examples == "one":
        x = ", ".join(f"{v:g}" for v in X[0])
        return Z[:1], f"IRIS example 1 (setosa) x = ({x}), |x| = {np.linalg.norm(X[0]):.4f}"
    k = int(examples)
    chosen = np.r_[np.flatnonzero(y == 1)[:k], np.flatnonzero(y == -1)[:k]]
    first = "the first example" if k == 1 else f"the first {k} examples"
    return Z[chosen], f"IRIS, {first} of each class (folded), no bias"


def iris_model(variant="gd", examples="one"):
    """Theory III eq. 76-77 (``variant`` gd) or eq. 80 (weight_norm) on IRIS, derived symbolically
    (``dynsys.models.theory3.linear_rho_v``); slow to build for all 150 examples."""
    Z, what = iris_data(examples)
    return linear_rho_v(Z, [1] * len(Z), variant, id=f"theory3_iris_{examples}_{variant}",
                        description=f"{inspect.getdoc(iris_model).splitlines()[0]} {what}")


def _single_base():
    """Gradient descent on ``L = exp(-a w1)``: one example ``x = (a, 0)`` of norm ``a`` (labels folded)."""
    return Model("theory3_single_w", (w1, w2), (a,), {"a": 1.0}, objective=sympy.exp(-a * w1),
                 groups=(Descent((w1, w2), 1),), description=inspect.getdoc(_single_base),
                 equations="Theory III eq. 23 (N = 1)")


def _single_weight_norm(base):
    """``rho' = -dL/drho``, ``V' = -S dL/dV`` on ``L(rho V)`` (Theory III eq. 22, 80), ``V = (c, s)``."""
    V = sympy.Matrix([c, s])
    loss = base.objective.subs({w1: rho * c, w2: rho * s}, simultaneous=True)
    rate = -_tangent(sympy.Matrix([loss.diff(c), loss.diff(s)]), V)
    return Model("theory3_single_weight_norm_lifted", (rho, c, s), base.params, base.defaults,
                 rhs=[-loss.diff(rho), *rate], equations="Theory III eq. 22, 80")


FIRST_INTEGRALS = {"gd": rho * s, "weight_norm": s * sympy.exp(rho**2 / 2)}


def single_example(variant="gd"):
    """One example of norm ``a`` in ``(rho, s)``, ``s = sin angle(v, x)``: GD (Theory III eq. 76-79) or weight
    normalisation (eq. 80), restricted to ``|v| = 1`` (``c = sqrt(1 - s^2)``, the side ``v.x > 0``)."""
    if variant not in VARIANTS:
        raise ModelError(f"unknown variant '{variant}'; known: {', '.join(VARIANTS)}")
    base = _single_base()
    lifted = base.polar([w1, w2], rho, [c, s]) if variant == "gd" else _single_weight_norm(base)
    equations = "Theory III eq. 76-79 (N = 1)" if variant == "gd" else "Theory III eq. 80 (N = 1)"
    reduced = lifted.restrict({c: sympy.sqrt(1 - s**2)}, id=f"theory3_single_{variant}",
                              description=inspect.getdoc(single_example), equations=equations)
    return reduced.rebuild(rhs=[sympy.simplify(f) for f in reduced.rhs], first_integral=FIRST_INTEGRALS[variant])


def theory3_single_gd():
    """One example of norm a, gradient descent in (rho, s = sin angle(v, x)): rho s is conserved (Theory III eq. 79)."""
    return single_example("gd").rebuild(description=inspect.getdoc(theory3_single_gd))


def theory3_single_weight_norm():
    """One example of norm a, weight normalisation in (rho, s): s exp(rho^2/2) is conserved (Theory III eq. 80)."""
    return single_example("weight_norm").rebuild(description=inspect.getdoc(theory3_single_weight_norm))


def scaled_model(X, labels, alpha, form="gd", id=None):
    """Theory III eq. 81 with a prescribed ``alpha(t)`` (a SymPy expression in ``dynsys.symbolic.t``).

    ``form`` gd: eq. 77 with ``rho`` set to ``alpha(t)``, ``V' = S W'(alpha V) / alpha``
    (Fig. 7: "rho set as several functions of t"); weight_norm: eq. 80 with
    ``rho = alpha(t)``, ``V' = alpha S W'(alpha V)``; eq81: eq. 81 as printed,
    state ``(rho, V)``, ``rho' = V.W'(rho V)`` (eq. 76 as derived) and ``V' =
    (alpha / rho) S W'(alpha rho V)``. ``W'(W) = -dL/dW`` is derived from the
    loss (``linear_exponential``), ``S = I - V V^T``.
    """
    if form not in FORMS:
        raise ModelError(f"unknown form '{form}'; known: {', '.join(FORMS)}")
    base = linear_exponential(X, labels)
    weights = list(base.state)
    V = sympy.Matrix(directions(len(weights)))
    alpha = sympy.sympify(alpha)
    descent = base.rhs.subs(base.symbol_values(tau=1.0))

    def velocity(scale):
        return sympy.Matrix(descent.subs(dict(zip(weights, scale * V)), simultaneous=True))

    name = id or f"{base.id}_scaled_{form}"
    meta = dict(description=inspect.getdoc(scaled_model).splitlines()[0], equations="Theory III eq. 81")
    if form == "eq81":
        radial = (V.T * velocity(rho))[0]
        return Model(name, (rho, *V), (), {}, rhs=[radial, *(alpha / rho * _tangent(velocity(alpha * rho), V))],
                     **meta)
    factor = 1 / alpha if form == "gd" else alpha
    return Model(name, tuple(V), (), {}, rhs=list(factor * _tangent(velocity(alpha), V)), **meta)


# ---------------------------------------------------------------- vectorised over the data (numba)


@njit(cache=True)
def _descent(Z, w):
    """``W' = -dL/dW = Z^T e`` and ``H = Z^T diag(e) Z`` at ``w``, ``e_n = exp(-z_n.w)`` (Theory III eq. 23)."""
    e = np.exp(-(Z @ w))
    return Z.T @ e, Z.T @ (Z * e[:, None])


@njit(cache=True)
def rho_v_rhs(t, y, Z, weight_norm):
    """``(rho, V)'`` of Theory III eq. 76-77 as derived (``weight_norm`` 0: the polar lift of GD,
    ``rho' = V.W'/|V|^2``, ``V' = (W' - rho' V)/rho``) or eq. 80 (1: ``rho' = V.W'``, ``V' = rho S W'``)."""
    r, v = y[0], np.ascontiguousarray(y[1:])
    g, _ = _descent(Z, r * v)
    out = np.empty_like(y)
    if weight_norm:
        radial = v @ g
        out[0] = radial
        out[1:] = r * (g - radial * v)
    else:
        radial = (v @ g) / (v @ v)
        out[0] = radial
        out[1:] = (g - radial * v) / r
    return out


@njit(cache=True)
def rho_v_jac(t, y, Z, weight_norm):
    """The Jacobian of ``rho_v_rhs``."""
    r, v = y[0], np.ascontiguousarray(y[1:])
    d = v.size
    g, H = _descent(Z, r * v)
    Hv = H @ v
    J = np.empty((d + 1, d + 1))
    if weight_norm:
        radial = v @ g
        d_rho = -(v @ Hv)
        d_v = g - r * Hv
        J[0, 0], J[0, 1:] = d_rho, d_v
        J[1:, 0] = (g - radial * v) + r * (-Hv - d_rho * v)
        J[1:, 1:] = r * (-r * H - np.outer(v, d_v) - radial * np.eye(d))
    else:
        q = v @ v
        radial = (v @ g) / q
        d_rho = -(v @ Hv) / q
        d_v = (g - r * Hv) / q - 2 * radial * v / q
        J[0, 0], J[0, 1:] = d_rho, d_v
        J[1:, 0] = (-Hv - d_rho * v) / r - (g - radial * v) / r**2
        J[1:, 1:] = (-r * H - np.outer(v, d_v) - radial * np.eye(d)) / r
    return J


@njit(cache=True)
def alpha_value(t, kind):
    """``alpha(t)`` of Theory III eq. 81 by its code in ``ALPHA_CODES``: 1/log t, log t, log log t, exp t."""
    if kind == 0:
        return 1.0 / np.log(t)
    if kind == 1:
        return np.log(t)
    if kind == 2:
        return np.log(np.log(t))
    return np.exp(t)


@njit(cache=True)
def scaled_rhs(t, y, Z, kind, form):
    """``scaled_model``'s flow by codes: ``kind`` indexes ``ALPHAS``, ``form`` indexes ``FORMS``."""
    al = alpha_value(t, kind)
    if form == 2:
        r, v = y[0], np.ascontiguousarray(y[1:])
        g, _ = _descent(Z, r * v)
        h, _ = _descent(Z, al * r * v)
        out = np.empty_like(y)
        out[0] = v @ g
        out[1:] = al / r * (h - (v @ h) * v)
        return out
    g, _ = _descent(Z, al * y)
    factor = 1.0 / al if form == 0 else al
    return factor * (g - (y @ g) * y)


@njit(cache=True)
def scaled_jac(t, y, Z, kind, form):
    """The Jacobian of ``scaled_rhs``."""
    al = alpha_value(t, kind)
    if form == 2:
        r, v = y[0], np.ascontiguousarray(y[1:])
        d = v.size
        g, H = _descent(Z, r * v)
        h, K = _descent(Z, al * r * v)
        Kv = K @ v
        J = np.empty((d + 1, d + 1))
        J[0, 0], J[0, 1:] = -(v @ (H @ v)), g - r * (H @ v)
        dh = -al * Kv
        J[1:, 0] = -(al / r**2) * (h - (v @ h) * v) + (al / r) * (dh - (v @ dh) * v)
        J[1:, 1:] = (al / r) * (-al * r * K - np.outer(v, h - al * r * Kv) - (v @ h) * np.eye(d))
        return J
    g, H = _descent(Z, al * y)
    factor = 1.0 / al if form == 0 else al
    return factor * (-al * H - np.outer(y, g - al * (H @ y)) - (y @ g) * np.eye(y.size))


@njit(cache=True)
def _data_matrix(p, start, d):
    flat = np.ascontiguousarray(p[start:])
    return flat.reshape((flat.size // d, d))


@njit(cache=True)
def _rho_v_kernel(t, y, p, out):
    out[:] = rho_v_rhs(t, y, _data_matrix(p, 1, y.size - 1), int(p[0]))


@njit(cache=True)
def _rho_v_jac_kernel(t, y, p, out):
    out[:, :] = rho_v_jac(t, y, _data_matrix(p, 1, y.size - 1), int(p[0]))


@njit(cache=True)
def _scaled_kernel(t, y, p, out):
    form = int(p[1])
    out[:] = scaled_rhs(t, y, _data_matrix(p, 2, y.size - (form == 2)), int(p[0]), form)


@njit(cache=True)
def _scaled_jac_kernel(t, y, p, out):
    form = int(p[1])
    out[:, :] = scaled_jac(t, y, _data_matrix(p, 2, y.size - (form == 2)), int(p[0]), form)


def rho_v_flow(Z, variant="gd"):
    """``rho_v_rhs`` on the data ``Z`` as a ``Flow`` (compiled once for every data set: ``Z`` travels in ``p``)."""
    Z = np.asarray(Z, float)
    d = Z.shape[1]
    return Flow(rhs=_rho_v_kernel, jac=_rho_v_jac_kernel, n_state=d + 1,
                state_names=("rho", *(f"v{k + 1}" for k in range(d))), params=np.r_[VARIANTS.index(variant), Z.ravel()])


def scaled_flow(Z, alpha_name, form="gd"):
    """``scaled_rhs`` on the data ``Z`` with ``alpha`` named in ``ALPHAS`` as a ``Flow``."""
    Z = np.asarray(Z, float)
    d = Z.shape[1]
    names = (("rho",) if form == "eq81" else ()) + tuple(f"v{k + 1}" for k in range(d))
    return Flow(rhs=_scaled_kernel, jac=_scaled_jac_kernel, n_state=len(names), state_names=names,
                params=np.r_[ALPHA_CODES[alpha_name], FORMS.index(form), Z.ravel()])


# ---------------------------------------------------------------- solutions on IRIS (shared by claims and figures)

V0 = np.array([0.0, 1.0, -1.0, 0.0]) / np.sqrt(2)  # W(0) = RHO0 V0: sepal width - petal length, which separates
RHO0 = 1.0
T0_SCALED = float(np.exp(np.e))  # eq. 81 starts where log log t = 1 (alpha defined and positive for all four)
METHODS = {"gd": "dop853", "weight_norm": "rodas4"}
WITNESSES = {"gd": "scipy:DOP853", "weight_norm": "scipy:LSODA"}


@dataclass(frozen=True)
class MaxMargin:
    """The max-margin direction of folded data: ``v_hat``, margin ``gamma = min_n z_n.v_hat``, the SVM's
    ``alpha`` and ``support``, ``second`` (the smallest other margin over ``gamma``) and ``u_perp``, the part of
    Soudry's ``w_tilde`` (``exp(-z_s.w_tilde) = alpha_s``, in the support span) orthogonal to ``v_hat``."""

    v_hat: np.ndarray
    gamma: float
    alpha: np.ndarray
    support: np.ndarray
    second: float
    u_perp: np.ndarray


@functools.lru_cache(maxsize=None)
def max_margin(examples="all"):
    """``MaxMargin`` of ``iris_data(examples)`` (hard-margin SVM without bias, ``dynsys.train.perceptron``)."""
    from dynsys.train import perceptron as pc

    Z, _ = iris_data(examples)
    asym = pc.asymptote(Z, np.ones(len(Z)))
    norm = np.linalg.norm(asym.w_hat)
    v_hat = asym.w_hat / norm
    u_perp = asym.w_tilde - (asym.w_tilde @ v_hat) * v_hat
    return MaxMargin(v_hat, float(1 / norm), asym.alpha, asym.support, float(asym.second_margin), u_perp)


def direction_error(V, target):
    """``|eps| = |V/|V| - target|`` for each column of ``V`` (d x n_t) (Theory III eq. 79: ``eps = v - x/|x|``)."""
    V = np.asarray(V, float)
    return np.linalg.norm(V / np.linalg.norm(V, axis=0) - np.asarray(target)[:, None], axis=0)


@dataclass(frozen=True)
class Solution:
    """A solve: output times ``t``, states ``y`` (n_state x n_t), the ``method``, wall ``seconds``, ``nfev``;
    ``radial``: whether ``rho`` is the first state variable (the rest is ``V``, or ``s`` for a reduction)."""

    t: np.ndarray
    y: np.ndarray
    method: str
    seconds: float
    nfev: int
    radial: bool = True

    @property
    def rho(self):
        if not self.radial:
            raise AttributeError("this flow has no rho in its state")
        return self.y[0]

    @property
    def V(self):
        return self.y[1:] if self.radial else self.y


def _solve(flow, t0, y0, t, method, rtol, atol, radial=True):
    from dynsys.integrate import solve_ivp

    start = time.perf_counter()
    sol = solve_ivp(flow, (t0, float(t[-1])), np.asarray(y0, float), method=method, t_eval=t, args=(flow.params,),
                    rtol=rtol, atol=atol, max_steps=10**6)
    seconds = time.perf_counter() - start
    if sol.status != 0:
        raise RuntimeError(f"{method} failed: {sol.message}")
    return Solution(sol.t, sol.y, method, seconds, int(sol.nfev), radial)


def solve_rho_v(Z, variant, t, method=None, start=None, rtol=1e-12, atol=1e-14):
    """Theory III eq. 76-77 (gd) or eq. 80 (weight_norm) on ``Z`` from ``start = (rho0, V0)`` at ``t = 0``."""
    rho0, v0 = start if start is not None else (RHO0, V0)
    return _solve(rho_v_flow(Z, variant), 0.0, np.r_[rho0, v0], t, method or METHODS[variant], rtol, atol)


def single_start(x, rho0=RHO0, v0=V0):
    """``(a, rho0, s0)``: one example ``x`` and ``W(0) = rho0 v0`` in the plane of ``x`` and ``v0``."""
    a_value = float(np.linalg.norm(x))
    cosine = float(np.dot(x, v0) / (a_value * np.linalg.norm(v0)))
    if cosine <= 0:
        raise ValueError("the reduction is written for v0.x > 0")
    return a_value, float(rho0), float(np.sqrt(1 - cosine**2))


@functools.lru_cache(maxsize=None)
def _single_flow(variant):
    return single_example(variant).compile()


def solve_single(variant, a_value, rho0, s0, t, method="dop853", rtol=1e-12):
    """The one-example reduction ``(rho, s)`` (``single_example``) from ``t = 0``; ``s`` resolved to ``1e-30``."""
    flow = _single_flow(variant)
    flow = Flow(flow.rhs, flow.n_state, flow.jac, flow.state_names, flow.param_names, np.array([a_value]))
    return _solve(flow, 0.0, [rho0, s0], t, method, rtol, np.array([1e-14, 1e-30]))


def single_error(s_values):
    """``|eps| = |v - x/|x|| = 2 sin(theta/2)`` from ``s = sin theta`` (``theta < pi/2``)."""
    return 2 * np.sin(np.arcsin(np.asarray(s_values, float)) / 2)


def gd_single_exact(t, a_value, rho0, s0):
    """``(rho, s, |eps|)`` of GD on one example in closed form (Theory III eq. 79).

    ``u = W.x`` obeys ``u' = a^2 exp(-u)``, so ``u = log(exp(u0) + a^2 t)``; ``W`` moves along ``x`` only, so
    ``K = rho s = |W_perp|`` is constant, ``rho^2 = (u/a)^2 + K^2`` and ``tan theta = a K / u``.
    """
    t = np.asarray(t, float)
    c0 = np.sqrt(1 - s0**2)
    u = np.logaddexp(a_value * rho0 * c0, np.log(a_value**2 * np.maximum(t, 1e-300)))
    K = rho0 * s0
    theta = np.arctan2(a_value * K, u)
    return np.hypot(u / a_value, K), np.sin(theta), 2 * np.sin(theta / 2)


def wn_single_law(t, a_value, rho0, s0):
    """The derived weight-normalisation law for one example (Theory III eq. 80, corrected).

    ``s exp(rho^2/2) = s0 exp(rho0^2/2)`` exactly, and ``rho = log(a^2 t)/a + o(1)``, so ``|eps| ~ s ~ s0
    exp(rho0^2/2) exp(-(log(a^2 t))^2 / (2 a^2))``.
    """
    t = np.asarray(t, float)
    return s0 * np.exp(rho0**2 / 2 - np.log(a_value**2 * t) ** 2 / (2 * a_value**2))


def solve_scaled(Z, alpha_name, t, start, form="gd", t0=T0_SCALED, method="scipy:LSODA", rtol=1e-10,
                 atol=1e-14):
    """Theory III eq. 81 with ``alpha`` one of ``ALPHAS`` from ``start`` (``V``, or ``(rho, V)`` for form eq81) at
    ``t0``. Stiff (the direction relaxes at rate ~ ``alpha exp(-alpha gamma)`` per unit time, over times ~ t) and
    not autonomous: SciPy's LSODA, with Radau the witness (our Rodas4 takes ~1e6 steps here: its one-sided
    difference for df/dt)."""
    return _solve(scaled_flow(Z, alpha_name, form), t0, start, t, method, rtol, atol, radial=form == "eq81")


def sphere_minimiser(Z, scale, start, tol=1e-13, max_iter=200):
    """``V*(scale)``: the minimiser of ``L(scale V) = sum_n exp(-scale z_n.V)`` on ``|V| = 1`` reached from ``start``.

    The quasi-static state of eq. 77, 80 and 81 at that scale (``S grad L = 0``). Riemannian Newton steps on
    ``log L`` (``logsumexp``, so any scale is representable), the Hessian shifted to be positive definite where it
    is not, with backtracking; stops when the tangent step is below ``tol``.
    """
    from scipy.special import logsumexp, softmax

    Z = np.asarray(Z, float)
    V = np.asarray(start, float) / np.linalg.norm(start)

    def value(V):
        return logsumexp(-scale * (Z @ V))

    for _ in range(max_iter):
        p = softmax(-scale * (Z @ V))
        mean = Z.T @ p
        gradient = -scale * mean
        hessian = scale**2 * (Z.T @ (Z * p[:, None]) - np.outer(mean, mean))
        basis = np.linalg.svd(np.eye(len(V)) - np.outer(V, V))[0][:, :-1]
        riemann = basis.T @ hessian @ basis - (V @ gradient) * np.eye(basis.shape[1])
        lowest = np.linalg.eigvalsh(riemann)[0]
        if lowest <= 0:
            riemann = riemann + (1e-3 * np.abs(riemann).max() - 2 * lowest) * np.eye(basis.shape[1])
        step = basis @ np.linalg.solve(riemann, -basis.T @ gradient)
        length, current = 1.0, value(V)
        while length > 1e-12:
            trial = (V + length * step) / np.linalg.norm(V + length * step)
            if value(trial) <= current:
                break
            length /= 2
        if length <= 1e-12 or length * np.linalg.norm(step) < tol:
            return V if length <= 1e-12 else trial
        V = trial
    raise RuntimeError(f"the minimiser at scale {scale:g} did not converge in {max_iter} Newton steps")


def local_rate(t, y, Z, variant, target):
    """``d log|eps| / d log t`` along a ``(rho, V)`` solution, from the flow itself (no differencing)."""
    Z = np.asarray(Z, float)
    flag = VARIANTS.index(variant)
    rates = np.empty(len(t))
    for k, (tk, yk) in enumerate(zip(t, y.T)):
        V = yk[1:]
        n = np.linalg.norm(V)
        u = V / n
        du = rho_v_rhs(tk, yk, Z, flag)[1:]
        du = (du - (u @ du) * u) / n
        e = u - target
        rates[k] = tk * (e @ du) / (e @ e)
    return rates
