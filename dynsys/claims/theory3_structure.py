"""Claims of Theory III on the structure of the rho/V flows (sec. 4.5, 4.8, 10.1-10.3, 11.2, eq. 71-75).

The flows are those of :mod:`dynsys.models.theory3` (one layer, Fig. 2's data)
and :mod:`dynsys.models.theory3_multilayer` (a two-layer linear network, the
weight normalisation of eq. 52-53), each derived from its own definition. A
printed equation is compared with them symbolically (identities on the unit
spheres ``|V_k| = 1`` are proved by reducing the numerator modulo ``|V_k|^2 -
1``, the exponentials treated as independent symbols) and numerically (our
integrators against SciPy's, finite differences, random points).
"""

import functools
import warnings

import numpy as np
import sympy
from scipy.optimize import brentq, root

from dynsys import models
from dynsys.claims.core import Check, claim
from dynsys.fits import fit_line
from dynsys.integrate import solve_ivp
from dynsys.models import theory3_multilayer as ml
from dynsys.models.theory3 import EXAMPLE_LABELS, EXAMPLE_X, directions, rho
from dynsys.symbolic import Model
from dynsys.train.perceptron import max_margin

PAPER = "theory3"
Z_FIG2 = np.array(EXAMPLE_X, float)  # Fig. 2's examples, both labelled +1, so z_n = y_n x_n = x_n
W0_FIG2 = np.array([0.5, -0.5])
TOL = dict(rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- symbolic helpers


def on_spheres(expr, spheres):
    """The remainder of ``expr``'s numerator modulo ``|V|^2 - 1`` for each ``V`` in ``spheres``: 0 iff ``expr = 0`` there.

    Powers of ``|V|^2`` are set to 1 first; exponentials become powers of
    independent symbols (``exponential_symbols``); the sphere polynomials, in
    disjoint variables, are a Groebner basis, so the remainder is canonical.
    A zero remainder proves the identity.
    """
    spheres = [list(V) for V in spheres]
    for V in spheres:
        squared = sum(v**2 for v in V)
        expr = expr.replace(lambda e, s=squared: e.is_Pow and e.base == s, lambda e: sympy.Integer(1))
    numerator, _ = sympy.fraction(sympy.together(exponential_symbols(expr)))
    variables = [v for V in spheres for v in V]
    others = sorted(numerator.free_symbols - set(variables), key=str)
    basis = [sum(v**2 for v in V) - 1 for V in spheres]
    _, remainder = sympy.reduced(sympy.expand(numerator), basis, *variables, *others, order="lex")
    return remainder


def exponential_symbols(expr):
    """``expr`` with every ``exp(sum_i c_i m_i)`` (rational ``c_i``, monomials ``m_i``) written ``prod_i E_i^(c_i q_i)``.

    ``E_i`` stands for ``exp(m_i / q_i)``, ``q_i`` the least common denominator
    of the coefficients of ``m_i`` anywhere in ``expr``: the powers are
    integers, and equal exponentials, however SymPy arranged them, become
    equal monomials in the ``E_i``.
    """
    def terms(argument):
        return [term.as_coeff_Mul() for term in sympy.Add.make_args(sympy.expand(argument))]

    denominators = {}
    for e in expr.atoms(sympy.exp):
        for c, m in terms(e.args[0]):
            denominators[m] = sympy.ilcm(denominators.get(m, 1), sympy.Rational(c).q)
    names = {m: sympy.Symbol(f"E{i}") for i, m in enumerate(sorted(denominators, key=str))}
    return expr.replace(sympy.exp, lambda a: sympy.Mul(*(names[m] ** (c * denominators[m]) for c, m in terms(a))))


def _column(terms, size):
    """The sum of a list of ``size x 1`` SymPy columns."""
    return sum(terms, sympy.zeros(size, 1))


def _fmt(values):
    """A list of residuals for the evidence."""
    return "[" + ", ".join(str(v) for v in values) + "]"


# ---------------------------------------------------------------- numerical helpers


def evaluate(model, y):
    """The compiled right-hand side of ``model`` at ``y``."""
    flow = model.compile()
    out = np.empty(len(y))
    flow.rhs(0.0, np.asarray(y, float), flow.params, out)
    return out


@functools.cache
def _lambdified(model):
    """``model``'s right-hand side as a NumPy function of ``(state, params)``."""
    return sympy.lambdify([model.state, model.params], list(model.rhs), "numpy")


def evaluate_lambdified(model, y):
    """``model``'s right-hand side at ``y`` through ``sympy.lambdify`` (no compile, no Jacobian: for pointwise checks)."""
    params = [model.defaults[p.name] for p in model.params]
    return np.array(_lambdified(model)(list(y), params), float)


def solve(model, y0, t, method="dop853"):
    """``model``'s flow from ``y0`` on the output times ``t`` (our DOP853 or ``scipy:DOP853``)."""
    flow = model.compile()
    sol = solve_ivp(flow, (0.0, t[-1]), np.asarray(y0, float), method=method, t_eval=t, args=(flow.params,), **TOL)
    if sol.status < 0:
        raise RuntimeError(f"{model.id}: {sol.message}")
    return sol.y


def unit(x):
    """``x / |x|``."""
    return x / np.linalg.norm(x)


def polar_start(w0):
    """``(|w0|, w0/|w0|)``: the (rho, V) start of a flow lifted from ``w0``."""
    return np.r_[np.linalg.norm(w0), unit(w0)]


def angle_between(a, b):
    """Angle between two vectors, accurate for tiny angles."""
    a, b = unit(np.asarray(a, float)), unit(np.asarray(b, float))
    return float(2 * np.arctan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))


def fd_gradient(fun, W, h=1e-6):
    """Central finite-difference gradient of the scalar ``fun`` at the array ``W``."""
    grad = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = h
        grad[index] = (fun(W + step) - fun(W - step)) / (2 * h)
    return grad


def _two_layer_point(rng, hidden=2, d=2):
    """A random state ``(rho1, V1, rho2, v2)`` with ``|V1|_F = |v2| = 1``."""
    return np.r_[rng.uniform(0.3, 3), unit(rng.normal(size=hidden * d)), rng.uniform(0.3, 3), unit(rng.normal(size=hidden))]


@functools.cache
def _two_layer(kind):
    """The two-layer models of eq. 17-22 on ``theory3_multilayer``'s example (two examples, labels +1 and -1)."""
    if kind == "gd":
        return ml.two_layer_linear()
    if kind == "lift":
        return ml.two_layer_rho_v()
    return ml.two_layer_constrained(variant=kind)


def _two_layer_spheres():
    """The direction variables of the two layers, one list per unit sphere."""
    V1, v2 = ml.direction_symbols(2, 2)
    return list(V1), list(v2)


# ---------------------------------------------------------------- sec. 4.5.1: relations 1-6, eq. 17-21


def _s_residuals(d=3):
    """Relations 1-5 of sec. 4.5.1 as residuals that must vanish, for a symbolic ``w`` in ``R^d``."""
    w = sympy.Matrix(sympy.symbols(f"w1:{d + 1}", real=True))
    norm = sympy.sqrt((w.T * w)[0])
    v = w / norm
    S = sympy.eye(d) - v * v.T
    lam = sympy.Symbol("lambda")
    return {
        "1 (d|w|/dw - v)": sympy.Matrix([norm.diff(x) for x in w]) - v,
        "3 (dv/dw - S/rho)": v.jacobian(w) - S / norm,
        "4 (S w, S v)": sympy.Matrix.vstack(S * w, S * v),
        "5 (S^2 - S)": S * S - S,
        "2 (charpoly - lambda (lambda - 1)^(d-1))": sympy.Matrix([S.charpoly(lam).as_expr() - lam * (lam - 1)**(d - 1)]),
    }


@claim("theory3.S_properties", paper=PAPER, where="sec. 4.5.1, relations 1-5",
       statement="For w = rho v, rho = |w|: (1) d|w|/dw = v; (2) S = I - v v^T = I - w w^T/|w|^2 has at most one zero "
                 "eigenvalue and S >= 0; (3) dv/dw = S/rho; (4) S w = S v = 0; (5) S^2 = S.")
def _(quick):
    residuals = {k: sympy.simplify(r) for k, r in _s_residuals().items()}
    yield Check(all(r.is_zero_matrix for r in residuals.values()),
                "SymPy, w in R^3 symbolic: residuals of relations " + ", ".join(
                    f"{k} = {'0' if r.is_zero_matrix else list(r)}" for k, r in residuals.items()))
    rng = np.random.default_rng(0)
    eig_error, fd_error, zero_counts = 0.0, 0.0, set()
    for d in range(2, 9):
        for _ in range(3 if quick else 20):
            w = rng.normal(size=d) * np.exp(rng.normal())
            rho_, v = np.linalg.norm(w), unit(w)
            S = np.eye(d) - np.outer(v, v)
            eigenvalues = np.linalg.eigvalsh(S)
            zero_counts.add(int(np.sum(np.abs(eigenvalues) < 1e-12)))
            eig_error = max(eig_error, np.abs(eigenvalues - np.r_[0.0, np.ones(d - 1)]).max())
            jac = np.column_stack([(unit(w + h) - unit(w - h)) / 2e-7 for h in 1e-7 * np.eye(d)])
            grad = fd_gradient(np.linalg.norm, w, 1e-7)
            fd_error = max(fd_error, np.abs(grad - v).max(), rho_ * np.abs(jac - S / rho_).max())
    yield Check(zero_counts == {1} and eig_error < 1e-12 and fd_error < 1e-6,
                f"random w, d = 2..8: numpy eigvalsh(S) = (0, 1, ..., 1) within {eig_error:.1e}, exactly one "
                f"eigenvalue below 1e-12 every time, none negative; finite differences of |w| and w/|w| against v and "
                f"S/rho: max error {fd_error:.1e} (relative to 1/rho)")


def linear_chain_symbols(shapes):
    """Symbolic weight matrices ``W_k`` of the given shapes and ``V_k`` alike, for ``f = W_K ... W_1 x``."""
    def matrices(prefix):
        return [sympy.Matrix(r, c, lambda i, j, k=k: sympy.Symbol(f"{prefix}{k + 1}_{i + 1}{j + 1}", real=True))
                for k, (r, c) in enumerate(shapes)]
    return matrices("W"), matrices("V")


def chain_output(weights, x):
    """``W_K ... W_1 x``, a deep linear network (1-homogeneous in each layer), scalar output."""
    out = sympy.Matrix(x)
    for W in weights:
        out = W * out
    return out[0]


def relu_forward(layers, x, biases=None):
    """A ReLU network without (or with) biases, scalar output: ``f = W_K s(... s(W_1 x + b_1) ...)``."""
    h = x
    for k, W in enumerate(layers):
        h = W @ h + (0.0 if biases is None else biases[k])
        if k < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return float(h[0])


def _random_relu(rng, sizes=(3, 5, 4, 1)):
    """Random layers (scales e^N(0, 1)) and an input at which the output and every layer's gradient are nonzero."""
    while True:
        layers = [rng.normal(size=(sizes[k + 1], sizes[k])) * np.exp(rng.normal()) for k in range(len(sizes) - 1)]
        x = rng.normal(size=sizes[0])
        if abs(relu_forward(layers, x)) > 1e-3 and all(np.abs(_layer_gradient(layers, x, k)).max() > 0
                                                        for k in range(len(layers))):
            return layers, x


def _layer_gradient(layers, x, k, biases=None):
    """``df/dW_k`` of the ReLU network by central differences."""
    def f(Wk):
        return relu_forward(layers[:k] + [Wk] + layers[k + 1:], x, biases)
    return fd_gradient(f, layers[k])


@claim("theory3.multilayer_gradient", paper=PAPER, where="sec. 4.5.1, relation 6",
       statement="In the multilayer case df(x_n; W)/dW_k = (rho/rho_k) df~(V; x_n)/dV_k, with rho = prod_k rho_k, "
                 "rho_k = |W_k|, V_k = W_k/rho_k and f~ the network at the normalised weights.")
def _(quick):
    shapes = [(2, 2), (2, 2), (1, 2)]
    Ws, Vs = linear_chain_symbols(shapes)
    norms = sympy.symbols("rho1:4", positive=True)
    x = sympy.symbols("x1:3", real=True)
    lift = {w: r * v for W, V, r in zip(Ws, Vs, norms) for w, v in zip(W, V)}
    f, f_tilde = chain_output(Ws, x), chain_output(Vs, x)
    total = sympy.Mul(*norms)
    residuals = [sympy.expand(f.diff(w).subs(lift, simultaneous=True) - total / norms[k] * f_tilde.diff(v))
                 for k, (W, V) in enumerate(zip(Ws, Vs)) for w, v in zip(W, V)]
    yield Check(all(r == 0 for r in residuals),
                f"SymPy, f = W3 W2 W1 x (2x2, 2x2, 1x2, x symbolic): df/dW_k - (rho/rho_k) df~/dV_k = 0 for all "
                f"{len(residuals)} weights identically in (rho_k, V_k, x)")
    rng = np.random.default_rng(1)
    errors, with_bias = [], []
    for _ in range(5 if quick else 30):
        layers, x0 = _random_relu(rng)
        norms_ = [np.linalg.norm(W) for W in layers]
        normalised = [W / r for W, r in zip(layers, norms_)]
        biases = [rng.normal(size=W.shape[0]) for W in layers]
        for k in range(len(layers)):
            lhs = _layer_gradient(layers, x0, k)
            rhs = np.prod(norms_) / norms_[k] * _layer_gradient(normalised, x0, k)
            errors.append(np.abs(lhs - rhs).max() / np.abs(lhs).max())
            lhs_b = _layer_gradient(layers, x0, k, biases)
            rhs_b = np.prod(norms_) / norms_[k] * _layer_gradient(normalised, x0, k, biases)
            with_bias.append(np.abs(lhs_b - rhs_b).max() / max(np.abs(lhs_b).max(), 1e-12))
    yield Check(max(errors) < 1e-6,
                f"bias-free ReLU networks 3-5-4-1 (layer scales e^N(0,1)), central differences: max relative error "
                f"{max(errors):.1e} over {len(errors)} layers; with biases (unnormalised) the relation fails "
                f"(median relative error {np.median(with_bias):.2f}): it needs the 1-homogeneity in each layer")


@claim("theory3.structural_lemma", paper=PAPER, where="sec. 4.5.1, after eq. 21",
       statement="Structural lemma: for a network homogeneous of degree 1 in each layer, V_k V_k^T df~/dV_k = V_k f~ "
                 "(i.e. V_k^T df~/dV_k = f~, Euler's identity per layer).")
def _(quick):
    Ws, Vs = linear_chain_symbols([(2, 2), (2, 2), (1, 2)])
    x = sympy.symbols("x1:3", real=True)
    f_tilde = chain_output(Vs, x)
    residuals = []
    for V in Vs:
        column = sympy.Matrix(list(V))
        gradient = sympy.Matrix([f_tilde.diff(v) for v in column])
        residuals += list((column * column.T * gradient - column * f_tilde).expand())
    yield Check(all(r == 0 for r in residuals),
                f"SymPy, f~ = V3 V2 V1 x: V_k V_k^T df~/dV_k - V_k f~ = 0 identically ({len(residuals)} entries)")
    rng = np.random.default_rng(2)
    errors, with_bias = [], []
    for _ in range(5 if quick else 30):
        layers, x0 = _random_relu(rng)
        normalised = [unit(W.ravel()).reshape(W.shape) for W in layers]
        biases = [rng.normal(size=W.shape[0]) for W in layers]
        value, value_b = relu_forward(normalised, x0), relu_forward(normalised, x0, biases)
        for k in range(len(layers)):
            euler = np.sum(normalised[k] * _layer_gradient(normalised, x0, k))
            errors.append(abs(euler - value) / abs(value))
            euler_b = np.sum(normalised[k] * _layer_gradient(normalised, x0, k, biases))
            with_bias.append(abs(euler_b - value_b) / max(abs(value_b), 1e-12))
    yield Check(max(errors) < 1e-6,
                f"bias-free ReLU networks 3-5-4-1, finite differences: |V_k^T df~/dV_k - f~|/|f~| <= {max(errors):.1e} "
                f"over {len(errors)} layers; with biases it fails (median {np.median(with_bias):.2f}): the lemma "
                "needs homogeneity")


def _printed_eq20_21(hidden=2, d=2):
    """Eq. 20-21 on ``theory3_multilayer``'s example: ``rho_k'`` and ``V_k'`` as printed, per layer."""
    rows, signs = ml._data(ml.EXAMPLE_X, ml.EXAMPLE_LABELS)
    V1, v2 = ml.direction_symbols(hidden, d)
    total = ml.rho1 * ml.rho2
    out = {}
    for norm, V in ((ml.rho1, sympy.Matrix(list(V1))), (ml.rho2, v2)):
        def f(x):
            return ml.network(V1, v2, x)
        eq20 = total / norm * sum(y * f(x) * sympy.exp(-total * y * f(x)) for x, y in zip(rows, signs))
        eq21 = total / norm**2 * _column([sympy.exp(-total * y * f(x)) * y *
                                          (sympy.Matrix([f(x).diff(v) for v in V]) - V * f(x))
                                          for x, y in zip(rows, signs)], len(V))
        out[norm] = (eq20, eq21, V)
    return out


def _layer_rates(model, norm, size):
    """``tau rho_k'`` and ``tau V_k'`` of a two-layer (rho, V) model, the layer named by its norm symbol."""
    i = model.state.index(norm)
    return model.rhs[i] * ml.tau, sympy.Matrix(model.rhs[i + 1:i + 1 + size]) * ml.tau


@claim("theory3.eq18_21", paper=PAPER, where="sec. 4.5.1, eq. 17-21",
       statement="Unconstrained gradient descent W_k' = -dL/dW_k (eq. 17) induces rho_k' = V_k^T W_k' (eq. 18) = "
                 "(rho/rho_k) sum_n e^{-rho y_n f~(x_n)} y_n f~(x_n) (eq. 20, the label read into the exponent as in "
                 "eq. 21) and V_k' = S_k W_k'/rho_k (eq. 19) = (rho/rho_k^2) sum_n e^{-rho y_n f~(x_n)} y_n "
                 "(df~/dV_k - V_k f~(x_n)) (eq. 21).")
def _(quick):
    lift = _two_layer("lift")
    yield Check(all(p.holds for p in lift.proofs),
                "two-layer linear network f = w2^T W1 x (W1 2x2), examples (1, 1/4), (-1/2, -1) labelled +1, -1: each "
                "layer's polar lift W_k = rho_k V_k proved (" + "; ".join(
                    f"{p.kind}: {'holds' if p.holds else 'FAILS'}" for p in lift.proofs) + ")")
    printed = _printed_eq20_21()
    spheres = _two_layer_spheres()
    remainders = []
    for norm, (eq20, eq21, V) in printed.items():
        rate, direction_rate = _layer_rates(lift, norm, len(V))
        remainders += [on_spheres(rate - eq20, spheres)] + [on_spheres(e, spheres) for e in direction_rate - eq21]
    yield Check(all(r == 0 for r in remainders),
                f"SymPy: lifted flow - eq. 20-21, reduced modulo |V1|^2 - 1, |v2|^2 - 1: {_fmt(remainders)}")
    gd = _two_layer("gd")
    t = np.geomspace(1e-2, 1e3 if quick else 1e6, 40)
    W0 = np.array([0.6, -0.3, 0.2, 0.5, 0.4, -0.7])
    start = np.r_[polar_start(W0[:4]), polar_start(W0[4:])]
    W = solve(gd, W0, t)
    ours, witness = solve(lift, start, t), solve(lift, start, t, "scipy:DOP853")
    rebuilt = np.vstack([ours[0] * ours[1:5], ours[5] * ours[6:8]])
    deviation = np.abs(rebuilt - W).max() / np.abs(W).max()
    norms = max(np.abs(np.linalg.norm(ours[1:5], axis=0) - 1).max(), np.abs(np.linalg.norm(ours[6:8], axis=0) - 1).max())
    yield Check(deviation < 1e-8 and norms < 1e-9 and np.abs(ours - witness).max() < 1e-7,
                f"from W1 = ((0.6, -0.3), (0.2, 0.5)), w2 = (0.4, -0.7) to t = {t[-1]:.0e}: max |rho_k V_k - W_k| / "
                f"max |W| = {deviation:.1e}; | |V_k| - 1 | <= {norms:.1e}; dop853 vs scipy:DOP853 on the lift "
                f"{np.abs(ours - witness).max():.1e}; rho1^2 - rho2^2 changes by "
                f"{abs((ours[0]**2 - ours[5]**2)[-1] - (ours[0]**2 - ours[5]**2)[0]):.1e} (cf. Theorem 1.6)")


# ---------------------------------------------------------------- sec. 4.5.1-4.5.2: eq. 21 against eq. 22


def _direction_ratio(constrained, lift, rng, count):
    """Per layer, ``|V_k' constrained| / |V_k' lift|`` divided by ``rho_k^2`` and by ``rho^2``, and the angle between."""
    by_rho_k, by_rho, angles = [], [], []
    for _ in range(count):
        y = _two_layer_point(rng)
        a, b = evaluate_lambdified(constrained, y), evaluate_lambdified(lift, y)
        for norm_index, block in ((0, slice(1, 5)), (5, slice(6, 8))):
            ratio = np.linalg.norm(a[block]) / np.linalg.norm(b[block])
            by_rho_k.append(ratio / y[norm_index] ** 2)
            by_rho.append(ratio / (y[0] * y[5]) ** 2)
            angles.append(angle_between(a[block], b[block]))
    return np.array(by_rho_k), np.array(by_rho), np.array(angles)


def _factor_remainders(power_of):
    """``V_k'`` of eq. 22 minus ``factor_k`` times ``V_k'`` of eq. 21 (the lift), reduced on the spheres."""
    lift, tangent = _two_layer("lift"), _two_layer("tangent")
    spheres = _two_layer_spheres()
    remainders = []
    for norm, size in ((ml.rho1, 4), (ml.rho2, 2)):
        _, lifted = _layer_rates(lift, norm, size)
        _, constrained = _layer_rates(tangent, norm, size)
        remainders += [on_spheres(e, spheres) for e in constrained - power_of(norm) * lifted]
    return remainders


@claim("theory3.eq21_22_factor", paper=PAPER, where="sec. 4.5.1 (after eq. 21), eq. 21-22",
       statement="The dynamics of unconstrained gradient descent (eq. 21) and of constrained gradient descent (eq. 22) "
                 "differ by a rho^2 factor in the V equations.",
       correction="They differ by a factor rho_k^2 per layer: V_k'(eq. 22) = rho_k^2 V_k'(eq. 21) (the ratio of "
                  "rho to rho/rho_k^2); this is rho^2 only for one layer (rho_k = rho). The direction fields are "
                  "parallel with a positive factor, so the zero sets agree either way.")
def _(quick):
    one_layer = models.get("theory3_weight_norm"), models.get("theory3_linear_rho_v")
    V = list(directions(2))
    one = [on_spheres(a - rho**2 * b, [V]) for a, b in zip(one_layer[0].rhs[1:], one_layer[1].rhs[1:])]
    yield Check(all(r == 0 for r in one),
                f"one layer (Fig. 2's network): V'(weight normalisation = eq. 22) - rho^2 V'(lift = eq. 21) on |V| = 1: "
                f"{_fmt(one)}")
    total = ml.rho1 * ml.rho2
    by_rho = _factor_remainders(lambda norm: total**2)
    yield Check(all(r == 0 for r in by_rho),
                f"two layers: V_k'(eq. 22) - rho^2 V_k'(eq. 21) on the spheres is not zero "
                f"({sum(r != 0 for r in by_rho)} of {len(by_rho)} entries nonzero)")
    by_rho_k = _factor_remainders(lambda norm: norm**2)
    yield Check(all(r == 0 for r in by_rho_k),
                f"two layers: V_k'(eq. 22) - rho_k^2 V_k'(eq. 21) on the spheres: {_fmt(by_rho_k)}", about="correction")
    ratio_k, ratio, angles = _direction_ratio(_two_layer("tangent"), _two_layer("lift"), np.random.default_rng(3),
                                              5 if quick else 50)
    yield Check(np.abs(ratio_k - 1).max() < 1e-12 and angles.max() < 1e-7,
                f"numerically at {len(ratio)} random (layer, state) pairs: |V_k'(22)| / |V_k'(21)| / rho_k^2 = 1 within "
                f"{np.abs(ratio_k - 1).max():.1e}, angle between them <= {angles.max():.1e}, while the same ratio / rho^2 "
                f"ranges over [{ratio.min():.3g}, {ratio.max():.3g}]", about="correction")


@claim("theory3.eq22", paper=PAPER, where="sec. 4.5.2, eq. 22",
       statement="Constrained gradient descent with Lagrange multipliers (|V_k| = 1) gives rho_k' = (rho/rho_k) sum_n "
                 "e^{-rho y_n f_V} y_n f_V, V_k' = rho sum_n y_n e^{-rho y_n f_V} (df_V/dV_k - V_k f_V) (eq. 22); "
                 "tangent gradient gives the same dynamical system; rho_k' is that of unconstrained descent (eq. 20).")
def _(quick):
    tangent, lagrange = _two_layer("tangent"), _two_layer("lagrange")
    same = sympy.expand(tangent.rhs - lagrange.rhs)
    yield Check(same.is_zero_matrix, f"SymPy, two layers: Lagrange multipliers (lambda_k from V_k.V_k' = 0) - tangent "
                                     f"gradient = {list(same)}")
    spheres = _two_layer_spheres()
    remainders = []
    for norm, (eq20, eq21, V) in _printed_eq20_21().items():
        rate, direction_rate = _layer_rates(tangent, norm, len(V))
        printed22 = eq21 * norm**2
        remainders += [on_spheres(rate - eq20, spheres)] + [on_spheres(e, spheres) for e in direction_rate - printed22]
    yield Check(all(r == 0 for r in remainders),
                f"SymPy: derived - eq. 22 (rho_k' = eq. 20's, V_k'), on the spheres: {_fmt(remainders)}")
    t = np.geomspace(1e-2, 1e3 if quick else 1e6, 30)
    start = np.r_[polar_start(np.array([0.6, -0.3, 0.2, 0.5])), polar_start(np.array([0.4, -0.7]))]
    ours, witness = solve(tangent, start, t), solve(tangent, start, t, "scipy:DOP853")
    drift = max(np.abs(np.linalg.norm(ours[1:5], axis=0) - 1).max(), np.abs(np.linalg.norm(ours[6:8], axis=0) - 1).max())
    yield Check(np.abs(ours - witness).max() < 1e-7 and drift < 1e-9,
                f"eq. 22 integrated, dop853 vs scipy:DOP853, to t = {t[-1]:.0e}: max difference "
                f"{np.abs(ours - witness).max():.1e}; | |V_k| - 1 | <= {drift:.1e}")


# ---------------------------------------------------------------- sec. 4.6: eq. 23-25, lambda, the Hessian


def _generic_linear(n=2, d=2):
    """Symbols for eq. 23-25: examples ``x_n`` (labels folded in), ``v``, ``lambda``; the Lagrangian and loss terms."""
    xs = [sympy.Matrix(sympy.symbols(f"x{k + 1}_1:{d + 1}", real=True)) for k in range(n)]
    v = sympy.Matrix(directions(d))
    lam = sympy.Symbol("lambda", real=True)
    margins = [(v.T * x)[0] for x in xs]
    exps = [sympy.exp(-rho * m) for m in margins]
    lagrangian = sum(exps) + lam * ((v.T * v)[0] - 1)
    return xs, v, lam, margins, exps, lagrangian


def _lagrange_reading(t, y, Z, reading):
    """Eq. 24-25 typed in NumPy, ``lambda = c sum_n e^{-rho v.x_n} v.x_n``, ``c = rho/2`` (``reading[0] == 1``) or ``rho^2``."""
    rho_ = y[0]
    v = y[1:]
    margins = Z @ v
    weights = np.exp(-rho_ * margins)
    s = np.sum(weights * margins)
    lam = 0.5 * rho_ * s if reading[0] == 1.0 else rho_ ** 2 * s
    out = np.empty_like(y)
    out[0] = s
    out[1:] = rho_ * (Z.T @ weights) - 2.0 * lam * v
    return out


@claim("theory3.eq24_25_lambda", paper=PAPER, where="sec. 4.6, eq. 23-25",
       statement="For the linear network with L = sum_n e^{-rho v^T x_n} + lambda(|v|^2 - 1): rho' = sum_n "
                 "e^{-rho v^T x_n} v^T x_n (eq. 24), v' = rho sum_n e^{-rho v^T x_n} x_n - 2 lambda v (eq. 25), and the "
                 "value of lambda that keeps |v| = 1 is lambda = 'rho2' sum_n e^{-rho v^T x_n} v^T x_n (garbled print; "
                 "read as rho/2, the value the Hessian after eq. 25 uses: 2 lambda = rho sum_n e^{-rho v^T x_n} v^T x_n).")
def _(quick):
    xs, v, lam, margins, exps, lagrangian = _generic_linear()
    eq24 = sum(e * m for e, m in zip(exps, margins))
    eq25 = _column([rho * e * x for e, x in zip(exps, xs)], 2) - 2 * lam * v
    residual = sympy.simplify(sympy.Matrix([-lagrangian.diff(rho), *(-lagrangian.diff(c) for c in v)])
                              - sympy.Matrix([eq24, *eq25]))
    constraint = (v.T * eq25)[0]
    solved = -constraint.subs(lam, 0) / constraint.diff(lam)
    derived = on_spheres(solved - rho / 2 * eq24, [v])
    squared = on_spheres(((v.T * eq25)[0]).subs(lam, rho**2 * eq24), [v])
    yield Check(residual.is_zero_matrix and derived == 0 and squared != 0,
                f"SymPy, two generic examples in R^2: -dL/drho, -dL/dv - eq. 24-25 = {list(residual)}; lambda solving "
                f"v.v' = 0 on |v| = 1 minus (rho/2) sum_n e^(-rho v.x_n) v.x_n: {derived}; the reading rho^2 instead "
                f"gives v.v' = {sympy.factor(squared)} on the sphere (not 0)")
    model = models.get("theory3_lagrange")
    t = np.linspace(0, 20, 21)
    start = polar_start(W0_FIG2)
    ours = solve(model, start, t)
    witness = solve_ivp(_lagrange_reading, (0, t[-1]), start, method="scipy:DOP853", t_eval=t, args=(Z_FIG2, [1.0]),
                        **TOL).y
    squared_run = solve_ivp(_lagrange_reading, (0, t[-1]), start, method="scipy:DOP853", t_eval=t, args=(Z_FIG2, [2.0]),
                            **TOL).y
    drift = np.abs(np.linalg.norm(ours[1:], axis=0) - 1).max()
    wrong = np.abs(np.linalg.norm(squared_run[1:], axis=0) - 1).max()
    yield Check(drift < 1e-10 and np.abs(ours - witness).max() < 1e-8 and wrong > 1e-2,
                f"Fig. 2's network from W0 = (0.5, -0.5) to t = 20: with lambda = (rho/2) sum ..., | |v| - 1 | <= "
                f"{drift:.1e} (theory3_lagrange, dop853; the same equations typed in numpy, scipy:DOP853, agree to "
                f"{np.abs(ours - witness).max():.1e}); with rho^2 instead |v| leaves 1 by {wrong:.2f}")


def _hessian_printed(xs, lam, exps):
    """The Hessian as printed after eq. 25: ``sum_n e^{-rho v.x_n} rho^2 x_n x_n^T + 2 lambda I``."""
    d = len(xs[0])
    return sum((e * rho**2 * x * x.T for e, x in zip(exps, xs)), sympy.zeros(d, d)) + 2 * lam * sympy.eye(d)


def _random_separable(rng, n, d, margin=0.2):
    """``n`` examples (labels folded in) with ``z_n.u >= margin`` for a random unit ``u``; returns ``(Z, u)``."""
    u = unit(rng.normal(size=d))
    Z = rng.normal(size=(n, d))
    Z += np.maximum(margin - Z @ u, 0.0)[:, None] * u
    return Z, u


def hessian(Z, v, rho_):
    """The Hessian of eq. 25's Lagrangian in v with lambda plugged in: sum_n e^{-rho v.z_n}(rho^2 z_n z_n^T + rho v.z_n I)."""
    weights = np.exp(-rho_ * Z @ v)
    return (rho_**2 * (Z.T * weights) @ Z) + rho_ * np.sum(weights * (Z @ v)) * np.eye(len(v))


@claim("theory3.hessian", paper=PAPER, where="sec. 4.6 (after eq. 25)",
       statement="H_ij = sum_n e^{-rho v^T x_n} rho^2 x_n^i x_n^j + 2 lambda delta_ij; with lambda plugged in, H_ij = "
                 "sum_n e^{-rho v^T x_n}(rho^2 x_n^i x_n^j + rho v^T x_n delta_ij), positive definite since x_n x_n^T "
                 ">= 0 and the data are separable (read: at a v that separates them, v^T x_n > 0).")
def _(quick):
    xs, v, lam, margins, exps, lagrangian = _generic_linear()
    H = sympy.hessian(lagrangian, list(v))
    first = sympy.simplify(H - _hessian_printed(xs, lam, exps))
    plugged = H.subs(lam, rho / 2 * sum(e * m for e, m in zip(exps, margins)))
    second = sympy.simplify(plugged - sum((e * (rho**2 * x * x.T + rho * m * sympy.eye(2))
                                           for e, x, m in zip(exps, xs, margins)), sympy.zeros(2, 2)))
    yield Check(first.is_zero_matrix and second.is_zero_matrix,
                f"SymPy, two generic examples in R^2: d^2L/dv^2 - printed H = {list(first)}; with lambda = (rho/2) "
                f"sum_n e^(-rho v.x_n) v.x_n, minus the second form = {list(second)}")
    rng = np.random.default_rng(4)
    fd_error, smallest, count = 0.0, np.inf, 0
    for _ in range(30 if quick else 300):
        n, d = int(rng.integers(2, 7)), int(rng.integers(2, 5))
        Z, u = _random_separable(rng, n, d)
        v = unit(u + 0.05 * rng.normal(size=d))
        if np.any(Z @ v <= 0):
            continue
        rho_ = rng.uniform(0.1, 5)
        lam_ = rho_ / 2 * np.sum(np.exp(-rho_ * Z @ v) * (Z @ v))

        def gradient(w, Z=Z, rho_=rho_, lam_=lam_):
            return -rho_ * (Z.T @ np.exp(-rho_ * Z @ w)) + 2 * lam_ * w
        numeric = np.column_stack([(gradient(v + h) - gradient(v - h)) / 2e-6 for h in 1e-6 * np.eye(d)])
        exact = hessian(Z, v, rho_)
        fd_error = max(fd_error, np.abs(numeric - exact).max() / np.abs(exact).max())
        smallest = min(smallest, np.linalg.eigvalsh(exact).min() / np.linalg.eigvalsh(exact).max())
        count += 1
    Z, u = _random_separable(np.random.default_rng(5), 2, 3)
    outside = np.linalg.eigvalsh(hessian(Z, -u, 1.0)).min()
    yield Check(fd_error < 1e-6 and smallest > 0,
                f"{count} random separable sets (2-6 examples, d = 2-4) at separating v, rho in [0.1, 5]: finite "
                f"differences of the gradient match H within {fd_error:.1e}; smallest eigenvalue / largest >= "
                f"{smallest:.2e} (positive definite); scope: at a v that does not separate (v = -u, d = 3, two "
                f"examples) the smallest eigenvalue is {outside:.3g}, so 'separable' must mean v^T x_n > 0")


@claim("theory3.eq45_48", paper=PAPER, where="sec. 10.1, eq. 45-48 (remark 1)",
       statement="With g = rho sum_n e^{-rho f_V} df_V/dV and alpha = 1 + 2 lambda, |alpha V + g| = 1 (eq. 47) is solved "
                 "by alpha = sqrt(1 - |g|^2 + (V^T g)^2) - V^T g (eq. 48); lambda goes to zero because g does and "
                 "alpha -> 1.")
def _(quick):
    V = sympy.Matrix(directions(3))
    G = sympy.Matrix(sympy.symbols("g1:4", real=True))
    discriminant = 1 - (G.T * G)[0] + (V.T * G)[0] ** 2
    root_ = sympy.Symbol("s", positive=True)
    alpha = root_ - (V.T * G)[0]
    squared = sympy.expand(((alpha * V + G).T * (alpha * V + G))[0] - 1)
    residual = on_spheres(sympy.rem(squared, root_**2 - discriminant, root_), [V])
    limit = (sympy.sqrt(discriminant) - (V.T * G)[0]).subs({g: 0 for g in G})
    yield Check(residual == 0 and limit == 1,
                f"SymPy, R^3, s = sqrt(1 - |g|^2 + (V.g)^2): |alpha V + g|^2 - 1 reduced modulo s^2 - (...) and "
                f"|V|^2 - 1: {residual}; alpha at g = 0 is {limit} (the other "
                f"root, -sqrt(...) - V.g, tends to -1)")
    rng = np.random.default_rng(6)
    errors, lambdas = [], []
    for scale in np.geomspace(0.5, 1e-6, 8):
        V_ = unit(rng.normal(size=5))
        g_ = scale * unit(rng.normal(size=5))
        a = np.sqrt(1 - g_ @ g_ + (V_ @ g_) ** 2) - V_ @ g_
        errors.append(abs(np.linalg.norm(a * V_ + g_) - 1))
        lambdas.append(abs((a - 1) / 2))
    slope = fit_line(np.log(np.geomspace(0.5, 1e-6, 8)), np.log(lambdas))
    yield Check(max(errors) < 1e-14 and slope.contains(1.0, 0.1),
                f"random V, g in R^5 with |g| from 0.5 to 1e-6: | |alpha V + g| - 1 | <= {max(errors):.1e}; |lambda| = "
                f"|alpha - 1|/2 falls from {lambdas[0]:.2g} to {lambdas[-1]:.2g}, log-log slope {slope.describe(3)} "
                f"(lambda = O(|g|))")


@claim("theory3.eq44_46_sign", paper=PAPER, where="sec. 10.1, eq. 42-46",
       statement="Gradient descent on L = sum_n e^{-rho f_V(x_n) y_n} + sum_k lambda_k(|V_k|_p^p - 1) (eq. 42) gives "
                 "V_k' = rho sum_n e^{-rho f_V} df_V/dV_k + lambda_k p V_k^{p-1} (eq. 44); for p = 2, |V_k + g - "
                 "2 lambda_k V_k| = 1 (eq. 45) is |V_k + g + 2 lambda_k V_k| = 1 (eq. 46), alpha = 1 + 2 lambda_k.",
       correction="Descent on eq. 42 gives V_k' = rho sum_n y_n e^{-rho y_n f_V} df_V/dV_k - lambda_k p sign(V_k) "
                  "|V_k|^{p-1} (minus sign, sign(V_k) for the absolute value); for p = 2 that is eq. 45's "
                  "-2 lambda_k V_k, so eq. 46-47 hold with alpha = 1 - 2 lambda_k. Eq. 48 and lambda -> 0 are unchanged "
                  "(only the sign of lambda flips).")
def _(quick):
    p = sympy.Symbol("p", positive=True)
    lam = sympy.Symbol("lambda", real=True)
    u, s_ = sympy.Symbol("u", real=True), sympy.Symbol("s", positive=True)
    rate = -sympy.diff(lam * (sympy.Abs(u) ** p - 1), u)
    derived = [sympy.simplify((rate + lam * p * sympy.sign(u) * sympy.Abs(u) ** (p - 1)).subs(u, x)) for x in (s_, -s_)]
    printed = sympy.simplify((rate - lam * p * u ** (p - 1)).subs(u, s_))
    yield Check(printed == 0,
                f"SymPy: -d/dV [lambda (|V|^p - 1)] - (+lambda p V^(p-1)) (eq. 44's term) at V = s > 0: {printed}")
    yield Check(all(r == 0 for r in derived),
                f"SymPy: -d/dV [lambda (|V|^p - 1)] + lambda p sign(V) |V|^(p-1) at V = s and V = -s: {derived}",
                about="correction")
    V = sympy.Matrix(directions(2))
    G = sympy.Matrix(sympy.symbols("g1:3", real=True))
    step45 = V + G - 2 * lam * V
    printed46 = sympy.expand(step45 - ((1 + 2 * lam) * V + G))
    corrected = sympy.expand(step45 - ((1 - 2 * lam) * V + G))
    yield Check(printed46.is_zero_matrix,
                f"eq. 45's V + g - 2 lambda V minus eq. 46-47's alpha V + g with alpha = 1 + 2 lambda: {list(printed46)}")
    yield Check(corrected.is_zero_matrix, f"with alpha = 1 - 2 lambda: {list(corrected)}", about="correction")
    rng = np.random.default_rng(13)
    fd, matches, mismatch = 0.0, 0.0, 0.0
    for q in (1.5, 2.0, 3.0):
        x, lam_ = rng.normal(size=4), rng.uniform(0.5, 2)
        descent = -fd_gradient(lambda y, q=q, lam_=lam_: lam_ * (np.sum(np.abs(y) ** q) - 1), x, 1e-7)
        fd = max(fd, np.abs(descent + lam_ * q * np.sign(x) * np.abs(x) ** (q - 1)).max())
    for _ in range(5):
        V_, g_ = unit(rng.normal(size=4)), 0.3 * rng.normal(size=4)
        alpha = np.sqrt(1 - g_ @ g_ + (V_ @ g_) ** 2) - V_ @ g_
        lam45 = brentq(lambda m: np.linalg.norm(V_ + g_ - 2 * m * V_) - 1, (1 - alpha) / 2 - 0.1, (1 - alpha) / 2 + 0.1)
        matches = max(matches, abs(1 - 2 * lam45 - alpha))
        mismatch = max(mismatch, abs(1 + 2 * lam45 - alpha))
    yield Check(fd < 1e-6 and matches < 1e-12 and mismatch > 1e-3,
                f"finite differences: the descent direction of lambda (|V|_p^p - 1) is -lambda p sign(V)|V|^(p-1) within "
                f"{fd:.1e} (p = 1.5, 2, 3); solving eq. 45 for lambda (random V, g in R^4), eq. 48's alpha equals "
                f"1 - 2 lambda within {matches:.1e} and differs from 1 + 2 lambda by up to {mismatch:.2f}",
                about="correction")


# ---------------------------------------------------------------- sec. 4.8: Theorem 1


def _tangential(theta, rho_, Z):
    """The V flow's tangential component at ``v = (cos theta, sin theta)``, scaled by ``e^{rho min_n v.z_n}``."""
    v = np.array([np.cos(theta), np.sin(theta)])
    t = np.array([-np.sin(theta), np.cos(theta)])
    margins = Z @ v
    return float(t @ (np.exp(-rho_ * (margins - margins.min())) @ Z))


def stationary_angle(rho_, Z, centre, width=0.5):
    """The angle of the stationary V of dynamics (A) at fixed ``rho`` (2-D data): the tangential flow's zero near ``centre``."""
    return brentq(_tangential, centre - width, centre + width, args=(rho_, Z), xtol=1e-15, rtol=1e-15)


def _model_tangential(model, rho_, theta):
    """The tangential component of a compiled (rho, v1, v2) flow's V' at ``v = (cos theta, sin theta)``."""
    rate = evaluate(model, [rho_, np.cos(theta), np.sin(theta)])
    return float(-np.sin(theta) * rate[1] + np.cos(theta) * rate[2])


@functools.cache
def _fig2_runs(t_final):
    """GD (the lift) and weight normalisation (B) from Fig. 2's ``W0`` to ``t_final`` on a log grid."""
    t = np.geomspace(1.0, t_final, 33)
    start = polar_start(W0_FIG2)
    return t, solve(models.get("theory3_linear_rho_v"), start, t), solve(models.get("theory3_weight_norm"), start, t)


def _svm_angle(Z):
    """The hard-margin SVM of 2-D data labelled +1 and the angle of its ``w``."""
    svm = max_margin(Z, np.ones(len(Z)))
    return float(np.arctan2(svm.w[1], svm.w[0])), svm


@claim("theory3.summary2_4", paper=PAPER, where="sec. 4.8, Theorem 1 statements 2 and 4; sec. 4.5.1 (end)",
       statement="The stationary points of the V_k flow are the same for the Lagrange dynamics at fixed rho (A), for "
                 "dynamics (B) in rho and V_k, and for unconstrained gradient descent (the same zero set of "
                 "S_k sum_n e^{-rho y_n f} y_n df/dV_k, since rho > 0); (B) for t -> infinity and the unconstrained "
                 "dynamics approach the limit rho -> infinity of (A).")
def _(quick):
    wn, lagrange, lift = (models.get(m) for m in ("theory3_weight_norm", "theory3_lagrange", "theory3_linear_rho_v"))
    V = list(directions(2))
    exact = sympy.simplify(wn.rhs - lagrange.rhs)
    scaled = [on_spheres(a - rho**2 * b, [V]) for a, b in zip(wn.rhs[1:], lift.rhs[1:])]
    yield Check(exact.is_zero_matrix and all(r == 0 for r in scaled),
                f"SymPy: (B) by Lagrange multipliers = weight normalisation (difference {list(exact)}); one layer: "
                f"V'(B) - rho^2 V'(GD) on |V| = 1 reduces to {_fmt(scaled)} (two layers: rho_k^2, "
                f"theory3.eq21_22_factor): the V fields differ by a positive factor, so they vanish together")
    theta_svm, _ = _svm_angle(Z_FIG2)
    gaps = []
    for rho_ in (0.5, 2.0, 10.0, 50.0):
        zeros = [brentq(lambda th, m=m: _model_tangential(m, rho_, th), theta_svm - 0.5, theta_svm + 0.5, xtol=1e-15)
                 for m in (lift, wn, lagrange)]
        gaps.append(max(zeros) - min(zeros))
    yield Check(max(gaps) < 1e-12,
                f"Fig. 2's data, rho frozen at 0.5, 2, 10, 50 (dynamics A): the zero of the tangential V' of GD, of "
                f"weight normalisation and of the Lagrange flow agree within {max(gaps):.1e} rad")
    t, gd_run, wn_run = _fig2_runs(1e14)
    theta_a = np.array([stationary_angle(r, Z_FIG2, theta_svm) for r in wn_run[0]])
    to_a = {name: np.abs(np.arctan2(y[2], y[1]) - theta_a) for name, y in (("GD", gd_run), ("B", wn_run))}
    to_svm = np.abs(theta_a - theta_svm)
    late = t >= 1e9
    scaled_lag = gd_run[0][late] ** 2 * to_a["GD"][late]
    yield Check(to_a["B"][-1] < 1e-3 * to_svm[-1] and bool(np.all(np.diff(to_a["GD"][late]) < 0))
                and bool(np.all(np.diff(to_a["GD"][late] / to_svm[late]) < 0)) and scaled_lag[-1] / scaled_lag[-2] < 1.05
                and wn_run[0][-1] > 30,
                f"from W0 = (0.5, -0.5) to t = 1e14 (rho = {wn_run[0][-1]:.2f}): |theta(t) - theta_A(rho(t))| = "
                f"{to_a['B'][-1]:.1e} for (B), {to_a['GD'][-1]:.1e} for GD, while theta_A(rho(t)) - theta_SVM = "
                f"{to_svm[-1]:.1e} tends to 0 like c/rho (theory3.summary3): (B) sits on the stationary points of (A); "
                f"GD follows them with a lag that decreases for t >= 1e9 like 1/rho^2 (rho^2 x lag = "
                f"{scaled_lag[0]:.2f} at t = 1e9, {scaled_lag[-1]:.2f} at t = 1e14, levelling off), i.e. a vanishing "
                f"fraction ({to_a['GD'][late][0] / to_svm[late][0]:.3f} -> {to_a['GD'][-1] / to_svm[-1]:.3f}) of the "
                f"distance to the SVM: its V field is rho^2 times weaker")


def _first_order_shift(Z, w):
    """``c`` in ``theta_A(rho) = theta_SVM + c/rho + o(1/rho)`` for two support vectors in the plane (exact in SymPy)."""
    theta = sympy.atan2(w[1], w[0])
    t = sympy.Matrix([-sympy.sin(theta), sympy.cos(theta)])
    a1, a2 = (sympy.nsimplify((t.T * sympy.Matrix(z))[0]) for z in Z)
    c = sympy.Symbol("c")
    (value,) = sympy.solve(a1 * sympy.exp(-c * a1) + a2 * sympy.exp(-c * a2), c)
    return sympy.simplify(value)


@claim("theory3.summary3", paper=PAPER, where="sec. 4.8, Theorem 1 statement 3; sec. 4.5 (summary box)",
       statement="For rho -> infinity in (A) and t -> infinity in (B) the stationary points of V_k are maxima of the "
                 "margin and minimum-norm minimisers (the hard-margin SVM direction).")
def _(quick):
    z1, z2 = (sympy.Matrix([sympy.nsimplify(c) for c in z]) for z in Z_FIG2)
    a1, a2 = sympy.symbols("a1 a2")
    w = a1 * z1 + a2 * z2
    (kkt,) = sympy.solve([(w.T * z1)[0] - 1, (w.T * z2)[0] - 1], [a1, a2], dict=True)
    w_exact = w.subs(kkt)
    theta_svm, svm = _svm_angle(Z_FIG2)
    c = _first_order_shift(Z_FIG2, w_exact)
    yield Check(all(val > 0 for val in kkt.values()) and np.allclose(np.array(w_exact, float).ravel(), svm.w, atol=1e-12),
                f"SymPy, Fig. 2's data: the SVM w = {list(w_exact)} = {kkt[a1]} x1 + {kkt[a2]} x2 (both support "
                f"vectors, alpha > 0; max_margin agrees to 1e-12); stationarity of (A) at theta_SVM + c/rho to first "
                f"order gives c = {c} = {float(c):.6f}")
    rhos = np.geomspace(1e2, 1e4 if quick else 1e6, 7)
    shift = np.array([r * (stationary_angle(r, Z_FIG2, theta_svm, 0.1) - theta_svm) for r in rhos])
    yield Check(abs(shift[-1] - float(c)) < 10 * abs(shift[0] - float(c)) / rhos[-1] * rhos[0] + 1e-3,
                f"numerically rho (theta_A(rho) - theta_SVM) = {shift[0]:.5f}, ..., {shift[-1]:.5f} for rho = "
                f"{rhos[0]:.0e} ... {rhos[-1]:.0e} (-> c = {float(c):.5f}): theta_A -> theta_SVM like c/rho")
    yield from _random_sets_check(quick)


def _stationary_direction(rho_, Z, start):
    """The stationary V of (A) in any dimension: the zero of the tangential flow, by Newton-type root finding on the sphere."""
    d = len(start)
    basis = np.linalg.svd(np.eye(d) - np.outer(start, start))[0][:, :d - 1]

    def residual(a):
        v = unit(start + basis @ a)
        margins = Z @ v
        g_ = np.exp(-rho_ * (margins - margins.min())) @ Z
        return basis.T @ (g_ - (v @ g_) * v) / np.linalg.norm(g_)
    sol = root(residual, np.zeros(d - 1), method="hybr", tol=1e-14)
    return unit(start + basis @ sol.x)


def _random_sets_check(quick):
    """Theorem 1.3 on random separable sets in d = 2, 3: the stationary V of (A) against the SVM (two SVM solvers)."""
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(7)
    rhos = np.geomspace(1e2, 1e4 if quick else 1e5, 5)
    slopes, final, witness = [], [], []
    for d in (2, 3, 3):
        Z, _ = _random_separable(rng, 8, d, margin=0.3)
        svm = max_margin(Z, np.ones(len(Z)))
        direction = unit(svm.w)
        angles = [angle_between(_stationary_direction(r, Z, direction), direction) for r in rhos]
        slopes.append(fit_line(np.log(rhos), np.log(angles)))
        final.append(angles[-1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            linear = LinearSVC(loss="hinge", fit_intercept=False, C=1e6, tol=1e-12, max_iter=1_000_000).fit(
                np.vstack([Z, -Z]), np.r_[np.ones(len(Z)), -np.ones(len(Z))])
        witness.append(angle_between(linear.coef_[0], direction))
    yield Check(all(s.slope < -0.85 for s in slopes) and max(final) < 1e-3 and max(witness) < 1e-5,
                f"{len(slopes)} random separable sets of 8 examples in d = 2, 3, 3: the angle between the stationary V of "
                f"(A) and the SVM direction falls like rho^slope with slopes "
                f"{', '.join(f'{s.slope:.3f}' for s in slopes)} (rho = {rhos[0]:.0e}..{rhos[-1]:.0e}), down to <= "
                f"{max(final):.1e} rad at rho = {rhos[-1]:.0e}; the SVM (dynsys max_margin, scikit-learn SVC + KKT) "
                f"agrees with scikit-learn's LinearSVC(hinge, C = 1e6) within {max(witness):.1e} rad")


@claim("theory3.summary5", paper=PAPER, where="sec. 4.8, Theorem 1 statement 5; sec. 4.5.2; sec. 11.2",
       statement="Weight normalisation corresponds to dynamics (B) (gradient descent in rho and V with |V| = 1 kept "
                 "by Lagrange multipliers).")
def _(quick):
    wn = ml.weight_normalisation(EXAMPLE_X, EXAMPLE_LABELS)
    lagrange = models.get("theory3_lagrange")
    V = list(directions(2))
    remainders = [on_spheres(a.subs(ml.g, rho) - b, [V]) for a, b in zip(wn.rhs, lagrange.rhs)]
    yield Check(all(r == 0 for r in remainders),
                f"SymPy, Fig. 2's network: weight normalisation (gradient descent on L(g v/|v|) in (g, v)) minus (B), "
                f"with g = rho on |v| = 1: {_fmt(remainders)}")
    t = np.geomspace(1e-2, 1e3 if quick else 1e6, 30)
    start = polar_start(W0_FIG2)
    ours, witness = solve(wn, start, t), solve(lagrange, start, t, "scipy:DOP853")
    off = np.r_[start[0], 2 * start[1:]]
    scaled = solve(wn, off, t)
    yield Check(np.abs(ours - witness).max() < 1e-7,
                f"from W0 = (0.5, -0.5), |v| = 1, to t = {t[-1]:.0e}: weight normalisation (dop853) vs (B) "
                f"(scipy:DOP853) differ by {np.abs(ours - witness).max():.1e}; from |v| = 2 instead, v/|v| moves 4 "
                f"times slower (v' carries g/|v|^2) and differs from (B) by "
                f"{np.abs(scaled[1:] / 2 - witness[1:]).max():.2f}: the correspondence needs |v(0)| = 1")


# ---------------------------------------------------------------- sec. 11.2: weight normalisation, eq. 52-55


@claim("theory3.weight_norm_eq52_55", paper=PAPER, where="sec. 11.2, eq. 52-55",
       statement="Weight normalisation w = g v/|v| induces g' = v^T w'/|v| (eq. 52), v' = g S w'/|v| with S = I - "
                 "v v^T/|v|^2 (eq. 53); v^T v' = 0, so |v| is constant and stays 1 if it starts at 1; then eq. 52-53 "
                 "are eq. 54-55 (rho' = v^T w', v' = S rho w'), the tangent-gradient dynamics for p = 2; this "
                 "dynamics is not equivalent to the standard dynamics on w.")
def _(quick):
    wn = ml.weight_normalisation(EXAMPLE_X, EXAMPLE_LABELS)
    v = sympy.Matrix(directions(2))
    W = sympy.Matrix(sympy.symbols("W1:3", real=True))
    base = models.get("theory3_linear_gd")
    size = sympy.sqrt((v.T * v)[0])
    at = dict(zip(W, ml.g * v / size))
    w_rate = sympy.Matrix([f.subs(dict(zip(base.state, W))) for f in base.rhs]).subs(at, simultaneous=True)
    S = sympy.eye(2) - v * v.T / size**2
    printed = sympy.Matrix([(v.T * w_rate)[0] / size, *(ml.g * S * w_rate / size)])
    residual = sympy.simplify(wn.rhs - printed)
    conserved = sympy.simplify(v.T * wn.rhs[1:, 0])[0]
    tangent = models.get("theory3_weight_norm")
    on_sphere = [on_spheres(a.subs(ml.g, rho) - b, [list(v)]) for a, b in zip(wn.rhs, tangent.rhs)]
    yield Check(residual.is_zero_matrix and conserved == 0 and all(r == 0 for r in on_sphere),
                f"SymPy, Fig. 2's network: gradient descent on L(g v/|v|) - eq. 52-53 = {list(residual)}; v.v' = "
                f"{conserved} identically (any |v|); on |v| = 1, eq. 52-53 - eq. 54-55 (tangent gradient "
                f"-S dL/dV with rho = g): {_fmt(on_sphere)}")
    induced = (ml.g * v / size).jacobian([ml.g, *v]) * wn.rhs
    P = v * v.T / size**2
    split = sympy.simplify(induced - (P + ml.g**2 / size**2 * S) * w_rate)
    standard = sympy.simplify((induced - w_rate).subs(ml.g, size))
    yield Check(split.is_zero_matrix and standard.is_zero_matrix,
                f"SymPy: the induced flow of w = g v/|v| is w' = P w' + (g^2/|v|^2) S w' (P = v v^T/|v|^2; residual "
                f"{list(split)}): the tangential part is scaled by g^2/|v|^2 = rho^2, the standard flow only where "
                f"g = |v| (residual there {list(standard)})")
    t = np.geomspace(1e-2, 50.0, 30)
    start = np.r_[np.linalg.norm(W0_FIG2), 3 * unit(W0_FIG2)]
    run = solve(wn, start, t)
    witness = solve(wn, start, t, "scipy:DOP853")
    drift = np.abs(np.linalg.norm(run[1:], axis=0) - 3).max()
    w_wn = run[0] * run[1:] / np.linalg.norm(run[1:], axis=0)
    w_gd = solve(base, W0_FIG2, t)
    yield Check(drift < 1e-9 and np.abs(run - witness).max() < 1e-8 and np.abs(w_wn - w_gd).max() > 0.1,
                f"from W0 = (0.5, -0.5) with |v| = 3, to t = 50: | |v| - 3 | <= {drift:.1e} (dop853 vs scipy:DOP853 "
                f"{np.abs(run - witness).max():.1e}); w = g v/|v| differs from gradient descent on w by up to "
                f"{np.abs(w_wn - w_gd).max():.2f}")


# ---------------------------------------------------------------- sec. 10.2-10.3: tangent gradient, small steps


def pnorm(u, p):
    """``|u|_p``."""
    return float(np.sum(np.abs(u) ** p) ** (1.0 / p))


def nu(u, p):
    """``d|u|_p/du = sign(u) (|u|/|u|_p)^(p-1)`` (Theory III eq. 71; Theorem 8's v)."""
    return np.sign(u) * (np.abs(u) / pnorm(u, p)) ** (p - 1)


def projector(u, p):
    """``S_p = I - nu nu^T / |nu|^2`` (Theory III eq. 50, 71)."""
    n = nu(u, p)
    return np.eye(len(u)) - np.outer(n, n) / (n @ n)


Z_POSITIVE = tuple(tuple(sympy.Rational(c) for c in row) for row in
                   (("1", "1/2", "1/4"), ("1/3", "1", "1/2"), ("1/2", "1/4", "1"), ("1", "1", "1/5")))


def _pnorm_direction(V, p):
    """``nu = d|V|_p/dV`` on the positive orthant, derived (Theory III eq. 50, 71)."""
    norm = sum(c**p for c in V) ** (1 / sympy.sympify(p))
    return sympy.Matrix([norm.diff(c) for c in V])


def _exp_loss(W):
    """``L = sum_n e^{-W.z_n}`` on ``Z_POSITIVE`` (labels folded in)."""
    return sum(sympy.exp(-(W.T * sympy.Matrix(z))[0]) for z in Z_POSITIVE)


@functools.cache
def tangent_gradient_model(p):
    """Theorem 8's flow ``u' = S_p g``, ``g = -dL/du``, ``L = sum_n e^{-u.z_n}``, positive orthant (Theory III eq. 50)."""
    u = sympy.Matrix(sympy.symbols("u1:4", positive=True))
    g_ = -sympy.Matrix([_exp_loss(u).diff(c) for c in u])
    n = _pnorm_direction(u, p)
    name = str(p).replace("/", "_")
    return Model(f"theory3_tangent_gradient_p{name}", tuple(u), (), {},
                        rhs=list(g_ - n * (n.T * g_)[0] / (n.T * n)[0]), equations="Theory III eq. 50")


@functools.cache
def pnorm_constrained_model(p):
    """Eq. 72 for ``L = sum_n e^{-W.z_n}``: ``rho' = -dL/drho``, ``V' = -S_p dL/dV`` at ``W = rho V`` (positive orthant)."""
    r = sympy.Symbol("r", positive=True)
    V = sympy.Matrix(sympy.symbols("V1:4", positive=True))
    loss = _exp_loss(r * V)
    gradient = sympy.Matrix([loss.diff(c) for c in V])
    n = _pnorm_direction(V, p)
    name = str(p).replace("/", "_")
    return Model(f"theory3_pnorm_constrained_p{name}", (r, *V), (), {},
                        rhs=[-loss.diff(r), *(-(gradient - n * (n.T * gradient)[0] / (n.T * n)[0]))],
                        equations="Theory III eq. 72")


@claim("theory3.tangent_gradient", paper=PAPER, where="sec. 10.3, Theorem 8, eq. 50 and remarks",
       statement="For a differentiable norm |u|_p and nu = d|u|_p/du, the flow u' = S g = (I - nu nu^T/|nu|^2) g with "
                 "|u(0)|_p = 1 keeps |u(t)|_p = 1; for p = 2, nu = u/|u|_2 and S = I - u u^T/|u|^2; for p = 1, "
                 "nu_j = u_j/|u_j|.")
def _(quick):
    u = sympy.Matrix(sympy.symbols("u1:4", positive=True))
    G = sympy.Matrix(sympy.symbols("g1:4", real=True))
    results = {}
    for q in (1, 2, 3, sympy.Symbol("p", positive=True)):
        norm = sum(c**q for c in u) ** (1 / sympy.sympify(q))
        n = sympy.Matrix([norm.diff(c) for c in u])
        S = sympy.eye(3) - n * n.T / (n.T * n)[0]
        results[str(q)] = sympy.simplify((n.T * S * G)[0])
    two = sympy.Matrix([sum(c**2 for c in u) ** sympy.Rational(1, 2)]).jacobian(u).T - u / sympy.sqrt((u.T * u)[0])
    s_, a = sympy.Symbol("s", real=True), sympy.Symbol("a", positive=True)
    sign_rule = [sympy.simplify((sympy.diff(sympy.Abs(s_), s_) - s_ / sympy.Abs(s_)).subs(s_, x)) for x in (a, -a)]
    yield Check(all(r == 0 for r in results.values()) and sympy.simplify(two).is_zero_matrix
                and all(r == 0 for r in sign_rule),
                "SymPy: d|u|_p/dt = nu^T S g = " + ", ".join(f"{r} (p = {k})" for k, r in results.items())
                + f" identically in g; nu = u/|u| for p = 2 (residual {list(sympy.simplify(two))}); d|u|_1/du_j - "
                f"u_j/|u_j| at u_j = a > 0 and -a: {sign_rule}")
    drifts, witness, positive = {}, 0.0, True
    for q, t_final in ((1, 0.3), (2, 20.0), (3, 20.0), (sympy.Rational(3, 2), 20.0)):
        model = tangent_gradient_model(q)
        start = np.array([0.5, 0.3, 0.2]) / pnorm(np.array([0.5, 0.3, 0.2]), float(q))
        t = np.linspace(0, t_final, 11)
        ours, ref = solve(model, start, t), solve(model, start, t, "scipy:DOP853")
        drifts[float(q)] = max(abs(pnorm(c, float(q)) - 1) for c in ours.T)
        witness = max(witness, np.abs(ours - ref).max())
        positive &= bool(np.all(ours > 0))
    yield Check(max(drifts.values()) < 1e-10 and witness < 1e-8 and positive,
                "u' = S_p g derived in SymPy (g = -dL/du, L = sum_n e^(-u.z_n), 4 positive examples in R^3), our dop853: "
                + ", ".join(f"| |u|_{q:g} - 1 | <= {e:.1e}" for q, e in drifts.items())
                + f" (p = 1 to t = 0.3, inside the positive orthant where nu = (1, 1, 1); others to t = 20); "
                f"scipy:DOP853 agrees within {witness:.1e}")


def _steps(u, g_, eta):
    """One step of each unit-L2-norm technique of sec. 10 from ``u`` along the gradient ``g`` (step ``eta``)."""
    Sg = g_ - (u @ g_) * u
    alpha = np.sqrt(1 - eta**2 * (g_ @ g_) + eta**2 * (u @ g_) ** 2) - eta * (u @ g_)
    size = np.linalg.norm(Sg)
    return {
        "tangent gradient (Euler step of eq. 50)": u + eta * Sg,
        "Lagrange multiplier (eq. 47-48, alpha u + eta g)": alpha * u + eta * g_,
        "coefficient normalisation (eq. 49)": unit(u + eta * g_),
        "true gradient (geodesic step)": np.cos(eta * size) * u + np.sin(eta * size) * Sg / size,
    }


def _pnorm_steps(u, g_, eta, p):
    """Coefficient normalisation in ``|.|_p`` and the Lagrange step ``u + eta (g - lambda nu)`` with ``|.|_p = 1`` solved."""
    n = nu(u, p)
    first = (n @ g_) / (n @ n)
    lam = brentq(lambda m: pnorm(u + eta * (g_ - m * n), p) - 1, first - 5, first + 5, xtol=1e-15, rtol=1e-15)
    return {"tangent": u + eta * projector(u, p) @ g_, "coefficient": (u + eta * g_) / pnorm(u + eta * g_, p),
            "lagrange": u + eta * (g_ - lam * n)}


@claim("theory3.small_step_equivalence", paper=PAPER, where="sec. 10 (unit-norm techniques), eq. 45-50",
       statement="For small values of the step size the Lagrange multiplier, coefficient normalisation and tangent "
                 "gradient methods (unit L2 norm) are equivalent to each other and good approximations of the true "
                 "(geodesic) gradient method.")
def _(quick):
    theta, eta = sympy.symbols("theta eta", real=True)
    g1, g2 = sympy.symbols("g1 g2", real=True)
    u = sympy.Matrix([sympy.cos(theta), sympy.sin(theta)])
    G = sympy.Matrix([g1, g2])
    ug = (u.T * G)[0]
    Sg = G - ug * u
    size = sympy.sqrt((Sg.T * Sg)[0])
    alpha = sympy.sqrt(1 - eta**2 * (G.T * G)[0] + eta**2 * ug**2) - eta * ug
    step = u + eta * G
    steps = {"Lagrange": alpha * u + eta * G, "coefficient": step / sympy.sqrt((step.T * step)[0]),
             "geodesic": sympy.cos(eta * size) * u + sympy.sin(eta * size) * Sg / size}
    tangent = u + eta * Sg
    orders = {}
    for name, s in steps.items():
        difference = s - tangent
        first = sympy.simplify(difference.diff(eta).subs(eta, 0))
        second = sympy.simplify(difference.diff(eta, 2).subs(eta, 0) / 2)
        zeroth = sympy.simplify(difference.subs(eta, 0))
        orders[name] = (zeroth.is_zero_matrix and first.is_zero_matrix, second)
    yield Check(all(ok for ok, _ in orders.values()) and all(not s.is_zero_matrix for _, s in orders.values()),
                "SymPy, u = (cos theta, sin theta), g generic: each step minus the tangent-gradient step u + eta S g "
                "has zero value and zero first derivative at eta = 0, nonzero second-order terms, e.g. Lagrange: "
                f"eta^2 {list(sympy.factor(orders['Lagrange'][1]))}")
    rng = np.random.default_rng(9)
    etas = np.geomspace(1e-1, 1e-4, 7)
    slopes = {}
    for _ in range(3):
        u_, g_ = unit(rng.normal(size=5)), rng.normal(size=5)
        by_eta = [_steps(u_, g_, e) for e in etas]
        for name in by_eta[0]:
            if name.startswith("tangent"):
                continue
            gap = [np.linalg.norm(s[name] - s["tangent gradient (Euler step of eq. 50)"]) for s in by_eta]
            slopes.setdefault(name, []).append(fit_line(np.log(etas), np.log(gap)).slope)
    yield Check(all(abs(s - 2) < 0.05 for v in slopes.values() for s in v),
                "numerically, random u, g in R^5, eta = 1e-1 .. 1e-4: log-log slope of |step - tangent step| "
                + "; ".join(f"{k}: {', '.join(f'{s:.3f}' for s in v)}" for k, v in slopes.items()) + " (O(eta^2))")
    u_, g_ = unit(rng.normal(size=4)), rng.normal(size=4)
    u_ = u_ / pnorm(u_, 3)
    p_steps = [_pnorm_steps(u_, g_, e, 3) for e in etas]
    coefficient = fit_line(np.log(etas), np.log([np.linalg.norm(s["coefficient"] - s["tangent"]) for s in p_steps]))
    lagrange_p = fit_line(np.log(etas), np.log([np.linalg.norm(s["lagrange"] - s["tangent"]) for s in p_steps]))
    eta = 1e-7
    oblique = (_pnorm_steps(u_, g_, eta, 3)["coefficient"] - u_) / eta - (np.eye(4) - np.outer(u_, nu(u_, 3))) @ g_
    yield Check(abs(lagrange_p.slope - 2) < 0.1 and abs(coefficient.slope - 1) < 0.1 and np.abs(oblique).max() < 1e-5,
                f"scope (the section's equivalence is for |.|_2): with |u|_3 = 1 the Lagrange step stays O(eta^2) from "
                f"the S_3 tangent step (slope {lagrange_p.slope:.3f}) but coefficient normalisation by |.|_3 does not "
                f"(slope {coefficient.slope:.3f}): its first-order direction is the oblique (I - u nu^T) g of eq. 73 "
                f"(within {np.abs(oblique).max():.1e}), not S_3 g")


# ---------------------------------------------------------------- eq. 71-75: the p-norm


@claim("theory3.pnorm_eq71_72", paper=PAPER, where="sec. 'Lp norm constraint', eq. 71-72",
       statement="The tangent projector for |W|_p is S_p = I - nu nu^T/|nu|^2 with nu_i = d|W|_p/dW_i = sign(W_i) "
                 "(|W_i|/|W|_p)^{p-1} (eq. 71); constrained gradient descent is rho_k' = V_k^T W_k', V_k' = "
                 "rho_k S_p W_k' (eq. 72), and it keeps |V_k|_p = 1.")
def _(quick):
    p = sympy.Symbol("p", positive=True)
    w = sympy.Matrix(sympy.symbols("w1:4", positive=True))
    norm = sum(c**p for c in w) ** (1 / p)
    n = sympy.Matrix([norm.diff(c) for c in w])
    printed = sympy.Matrix([(c / norm) ** (p - 1) for c in w])
    residual = sympy.simplify(n - printed)
    V = sympy.Matrix(sympy.symbols("V1:4", real=True))
    r = sympy.Symbol("r", positive=True)
    L = sympy.Function("L")
    loss = L(*(r * V))
    grad_w = sympy.Matrix([sympy.Derivative(L(*sympy.symbols("W1:4")), s) for s in sympy.symbols("W1:4")])
    grad_w = grad_w.subs(dict(zip(sympy.symbols("W1:4"), r * V)))
    chain = sympy.simplify(sympy.Matrix([loss.diff(c) for c in V]) - r * grad_w)
    radial = sympy.simplify(loss.diff(r) - (V.T * grad_w)[0])
    yield Check(residual.is_zero_matrix and chain.is_zero_matrix and radial == 0,
                f"SymPy, positive orthant, p symbolic: d|w|_p/dw - eq. 71's nu = {list(residual)}; for L(rho V): "
                f"dL/dV - rho dL/dW = {list(chain)}, dL/drho - V.dL/dW = {radial}, so -S_p dL/dV = rho S_p W' and "
                f"-dL/drho = V^T W' (eq. 72)")
    rng = np.random.default_rng(10)
    errors = []
    for q in (1.5, 3.0, 4.0):
        for _ in range(5):
            x = rng.normal(size=4)
            errors.append(np.abs(fd_gradient(lambda y, q=q: pnorm(y, q), x, 1e-7) - nu(x, q)).max())
    drift, witness = {}, 0.0
    for q in (sympy.Rational(3, 2), 3):
        model = pnorm_constrained_model(q)
        begin = np.r_[1.0, np.array([0.5, 0.3, 0.4]) / pnorm(np.array([0.5, 0.3, 0.4]), float(q))]
        t = np.linspace(0, 20, 11)
        ours, ref = solve(model, begin, t), solve(model, begin, t, "scipy:DOP853")
        drift[float(q)] = max(abs(pnorm(c[1:], float(q)) - 1) for c in ours.T)
        witness = max(witness, np.abs(ours - ref).max())
    yield Check(max(errors) < 1e-7 and max(drift.values()) < 1e-10 and witness < 1e-8,
                f"finite differences of |w|_p (p = 1.5, 3, 4, random signs) against eq. 71's nu: {max(errors):.1e}; "
                f"eq. 72 derived in SymPy for L = sum_n e^(-W.z_n), 4 positive examples in R^3, integrated to t = 20 "
                f"(dop853; scipy:DOP853 within {witness:.1e}): "
                + ", ".join(f"| |V|_{q:g} - 1 | <= {e:.1e}" for q, e in drift.items()))


def _pnorm_jacobians(p):
    """``dV/dW`` of ``V = W/|W|_p`` exactly, as printed in eq. 73 (our reading) and as corrected; with ``nu`` and ``V``."""
    w = sympy.Matrix(sympy.symbols("w1:4", positive=True))
    norm = sum(c**p for c in w) ** (1 / sympy.sympify(p))
    n = sympy.Matrix([(c / norm) ** (p - 1) for c in w])
    V = w / norm
    exact = V.jacobian(w)
    printed = (sympy.eye(3) - n * w.T / norm) / norm ** (p - 1)
    corrected = (sympy.eye(3) - V * n.T) / norm
    return exact, printed, corrected, n, V


@claim("theory3.eq73", paper=PAPER, where="sec. 'Lp norm constraint', eq. 73",
       statement="Reparametrising unconstrained descent by rho_k = |W_k|_p, V_k = W_k/|W_k|_p gives rho_k' = "
                 "sign(W_k) o (|W_k|/|W_k|_p)^{p-1} . W_k' and V_k' = dV_k/dW_k W_k' = [I - sign(W_k) o "
                 "(|W_k|/|W_k|_p)^{p-1} W_k^T/|W_k|_p] W_k' / |W_k|_p^{p-1} (our reading of the garbled print: the "
                 "outer product nu W^T, the norm to the power p-1 below).",
       correction="V_k' = (I - V_k nu^T) W_k' / |W_k|_p, i.e. dV_i/dW_j = (delta_ij - V_i nu_j)/|W|_p with nu = "
                  "sign(W) o (|W|/|W|_p)^{p-1}: the outer product is V nu^T (not nu W^T) and the denominator |W|_p (V "
                  "is homogeneous of degree 0); since nu^T V = |V|_p = 1, nu^T V' = 0 keeps |V|_p = 1. The print "
                  "agrees only at p = 2.")
def _(quick):
    p = sympy.Symbol("p", positive=True)
    exact, printed, corrected, n, V = _pnorm_jacobians(p)
    rho_rate = sympy.simplify(n - sympy.Matrix([sum(c**p for c in sympy.symbols("w1:4", positive=True)) ** (1 / p)]
                                                ).jacobian(sympy.symbols("w1:4", positive=True)).T)
    yield Check(rho_rate.is_zero_matrix, f"SymPy, p symbolic: rho' = nu . W' (eq. 73, first line): d|W|_p/dW - nu = "
                                         f"{list(rho_rate)}")
    at3 = _pnorm_jacobians(3)
    at2 = _pnorm_jacobians(2)
    wrong = sympy.simplify(at3[0] - at3[1])
    yield Check(wrong.is_zero_matrix,
                f"SymPy: dV/dW - printed at p = 3, entry (1, 2): {sympy.factor(wrong[0, 1])} (nonzero); at p = 2 the "
                f"difference is {list(sympy.simplify(at2[0] - at2[1]))}")
    right = sympy.simplify(exact - corrected)
    keeps = sympy.simplify(n.T * corrected)
    yield Check(right.is_zero_matrix and keeps.is_zero_matrix,
                f"SymPy, p symbolic: dV/dW - (I - V nu^T)/|W|_p = {list(right)}; nu^T (I - V nu^T) = {list(keeps)}",
                about="correction")
    rng = np.random.default_rng(11)
    fd_error, printed_error, printed_drift, order_error = 0.0, 0.0, 0.0, 0.0
    for q in (1.5, 3.0, 4.0):
        for _ in range(5):
            W = rng.normal(size=4)
            r = pnorm(W, q)
            n_ = nu(W, q)
            jac = np.column_stack([(W + h) / pnorm(W + h, q) - (W - h) / pnorm(W - h, q) for h in 1e-7 * np.eye(4)]) / 2e-7
            fd_error = max(fd_error, r * np.abs(jac - (np.eye(4) - np.outer(W / r, n_)) / r).max())
            as_printed = (np.eye(4) - np.outer(n_, W) / r) / r ** (q - 1)
            printed_error = max(printed_error, r * np.abs(jac - as_printed).max())
            order_error = max(order_error, r * np.abs(jac - (np.eye(4) - np.outer(n_, W / r)) / r).max())
            printed_drift = max(printed_drift, abs(n_ @ as_printed @ rng.normal(size=4)))
    yield Check(fd_error < 1e-6,
                f"finite differences of W/|W|_p (p = 1.5, 3, 4, random W in R^4) against (I - V nu^T)/|W|_p: "
                f"{fd_error:.1e} (relative to 1/|W|_p); against the printed form: {printed_error:.2f}, and "
                f"{order_error:.2f} even with the denominator |W|_p ((I - nu V^T)/|W|_p: the order of the outer "
                f"product alone is wrong); the printed form moves |V|_p (nu^T V' up to {printed_drift:.2f})",
                about="correction")


@claim("theory3.pnorm_eq71_75", paper=PAPER, where="sec. 'Lp norm constraint', eq. 72-75",
       statement="The constrained (eq. 72) and reparametrised unconstrained (eq. 73) dynamics are clearly different "
                 "for generic p; for p = 2 the one-layer constrained system is weight normalisation rho' = V^T W', "
                 "V' = S rho W' (eq. 74), quite similar to the standard gradient equations rho' = V^T W', V' = S W'/rho "
                 "(eq. 75).")
def _(quick):
    wn, lift = models.get("theory3_weight_norm"), models.get("theory3_linear_rho_v")
    base = models.get("theory3_linear_gd")
    V = sympy.Matrix(directions(2))
    w_rate = base.rhs.subs(dict(zip(base.state, rho * V)), simultaneous=True)
    S = sympy.eye(2) - V * V.T
    eq74 = [on_spheres(e, [V]) for e in wn.rhs - sympy.Matrix([(V.T * w_rate)[0], *(rho * S * w_rate)])]
    eq75 = [on_spheres(e, [V]) for e in lift.rhs - sympy.Matrix([(V.T * w_rate)[0], *(S * w_rate / rho)])]
    yield Check(all(r == 0 for r in eq74 + eq75),
                f"SymPy, Fig. 2's network on |V| = 1: theory3_weight_norm - eq. 74 = {_fmt(eq74)}; theory3_linear_rho_v "
                f"(the proved lift of GD) - eq. 75 = {_fmt(eq75)}: the same rho', V' differing by the factor rho^2")
    rng = np.random.default_rng(12)
    parallel_2, angles, stationary = 0.0, [], []
    for _ in range(20):
        W, w_rate_ = rng.normal(size=4), rng.normal(size=4)
        for q in (2.0, 3.0):
            r = pnorm(W, q)
            Vq, n_ = W / r, nu(W, q)
            constrained = r * projector(W, q) @ w_rate_
            unconstrained = (np.eye(4) - np.outer(Vq, n_)) @ w_rate_ / r
            if q == 2.0:
                parallel_2 = max(parallel_2, np.abs(constrained - r**2 * unconstrained).max() / np.abs(constrained).max())
            else:
                angles.append(angle_between(constrained, unconstrained))
                along_V = (np.eye(4) - np.outer(Vq, n_)) @ Vq
                stationary.append((np.abs(along_V).max(), np.linalg.norm(projector(W, q) @ Vq)))
    yield Check(parallel_2 < 1e-12 and min(angles) > 1e-3,
                f"random W, W' in R^4: at p = 2, V'(72) = rho^2 V'(73) within {parallel_2:.1e}; at p = 3 the angle "
                f"between them is {min(angles):.3f} to {max(angles):.3f} rad, and at W' = V the unconstrained V' "
                f"vanishes ({max(s[0] for s in stationary):.1e}) while the constrained one does not (|S_3 V| >= "
                f"{min(s[1] for s in stationary):.3f}): different directions and different stationary points")


# ---------------------------------------------------------------- Fig. 2


@claim("theory3.fig2", paper=PAPER, where="Fig. 2 (caption); sec. 11.2",
       statement="For a linear network with two parameters, two training examples and the exponential loss, the "
                 "dynamics W' = -dL/dW and its reparametrisation in (rho, V) give the same trajectories; weight "
                 "normalisation gives different ones.")
def _(quick):
    t = np.geomspace(1e-2, 1e4 if quick else 1e8, 60)
    start = polar_start(W0_FIG2)
    W = solve(models.get("theory3_linear_gd"), W0_FIG2, t)
    W_ref = solve(models.get("theory3_linear_gd"), W0_FIG2, t, "scipy:DOP853")
    lift = solve(models.get("theory3_linear_rho_v"), start, t)
    wn = solve(models.get("theory3_weight_norm"), start, t)
    deviation = np.abs(lift[0] * lift[1:] - W).max() / np.abs(W).max()
    apart = np.abs(wn[0] * wn[1:] - W).max()
    yield Check(deviation < 1e-9 and apart > 0.1 and np.abs(W - W_ref).max() < 1e-8 * np.abs(W).max(),
                f"from W0 = (0.5, -0.5) to t = {t[-1]:.0e}: max |rho V - W| / max |W| = {deviation:.1e} (lift vs W flow, "
                f"dop853; W flow dop853 vs scipy:DOP853 {np.abs(W - W_ref).max():.1e}); weight normalisation's rho V "
                f"departs from W by up to {apart:.2f}")
