"""Theory III sec. 12: the growth of the layer norms of a deep homogeneous network under the exponential loss.

One example (``N = 1``, label +1) and K layers of one weight each: ``f = (prod_k
w_k) f_V`` with ``f_V = f_V(x) > 0`` the normalised network's output, a
parameter. Gradient descent on ``L = exp(-f)`` (Theory III eq. 58 with unit
time scale: ``dW/dt = -dL/dW``) gives eq. 61, ``rho_k rho_k' = f_V P
exp(-P f_V)`` with ``P = prod_k rho_k`` and ``rho_k = |w_k|`` (the orthant of
positive weights is invariant). The flows below are derived from that loss
and reduced by reductions that prove themselves:

* ``deep_exponential(K)``: the K weights (eq. 58, 61); the gaps ``w_k^2 -
  w_j^2`` are first integrals (eq. 60, ``layer_gaps``);
* ``deep_exponential_balanced(K)``: restricted to the invariant line of equal
  layers, in ``rho`` (eq. 63 as derived: ``rho' = f_V rho^(K-1) exp(-rho^K f_V)``);
* ``deep_exponential_R(K)``: the same in ``R = exp(rho^K f_V)`` (eq. 64-65 as
  derived: ``R' = K f_V^(2/K) (log R)^(2 - 2/K)``);
* ``deep_exponential_eq62()``: ``K = 2`` in ``r = sqrt(w1^2 + w2^2)``,
  ``gamma = exp(w1 w2 f_V)`` (eq. 62);
* ``deep_exponential_law()`` and ``deep_exponential_tied()``: the balanced
  flow with ``K`` a parameter, i.e. one weight ``rho`` for every layer moving
  on ``exp(-rho^K f_V)`` at time scale ``K`` (equal to the restrictions, see
  ``law_proofs``), and at time scale 1 (the printed eq. 63: K layers sharing
  one weight, whose gradient sums the K equal partial derivatives);
* ``deep_linear_exponential(widths, N)``: a linear network of matrices with
  symbolic data and labels, for eq. 58-60 beyond scalars (``frobenius_proofs``).

The closed forms of the derived laws (``one_layer_rho``, ``growth_rate``,
``log_growth_integral``, ``law_R_log``, ``li``, ``L``) are numerical references
computed by quadrature and root finding, independent of the flows. The
registrable models, each built by the function of its id, are
``theory3_deep_layers`` (K = 3), ``theory3_deep_balanced`` (the derived law,
K a parameter), ``theory3_deep_tied`` (the printed eq. 63),
``theory3_deep_eq62`` and ``theory3_deep_linear`` (2-2-2-1, two examples).
Time is unscaled throughout (``tau = 1``: eq. 58 has none).
"""

import inspect

import numpy as np
import sympy
from scipy import integrate, optimize, special

from dynsys.symbolic import Descent, Model, ModelError, Proof, t
from dynsys.symbolic.analysis.invariants import time_derivative

f_V = sympy.Symbol("f_V", positive=True)
rho = sympy.Symbol("rho", positive=True)
R = sympy.Symbol("R", positive=True)
r = sympy.Symbol("r", positive=True)
gamma = sympy.Symbol("gamma", positive=True)
K = sympy.Symbol("K", positive=True)
DEFAULTS = {"f_V": 1.0}


def layers(depth):
    """The scalar layer weights ``w1 .. wK``."""
    if int(depth) != depth or depth < 1:
        raise ModelError(f"the depth K must be a positive integer, got {depth!r}")
    return sympy.symbols(f"w1:{int(depth) + 1}", real=True)


def product(depth):
    """``P = prod_k w_k``, the product of the layer weights (``prod_k rho_k`` for positive weights)."""
    return sympy.Mul(*layers(depth))


def deep_exponential(depth):
    """K scalar layers, one example, exponential loss (Theory III eq. 58, 61).

    ``dw_k/dt = -dL/dw_k`` with ``L = exp(-f_V prod_k w_k)``. Its proofs: each
    gap ``w_k^2 - w_1^2`` is conserved (eq. 60, ``layer_gaps``); the first
    integral carried is ``w1^2 - w2^2``.
    """
    w = layers(depth)
    model = Model(
        f"theory3_deep_K{depth}",
        w,
        (f_V,),
        DEFAULTS,
        objective=sympy.exp(-f_V * product(depth)),
        groups=(Descent(w, 1),),
        description=inspect.getdoc(deep_exponential),
        equations="Theory III eq. 58, 60, 61",
        first_integral=w[0] ** 2 - w[1] ** 2 if depth > 1 else None,
    )
    return model.rebuild(proofs=layer_gaps(model))


def layer_gaps(model):
    """Proofs that every ``w_k^2 - w_1^2`` of ``deep_exponential(K)`` is conserved (Theory III eq. 60)."""
    first, *others = model.state
    return [
        Proof.check("first integral", f"{w}**2 - {first}**2 is conserved: d/dt = 0",
                    time_derivative(model, w**2 - first**2))
        for w in others
    ]


def deep_exponential_balanced(depth):
    """K equal layers, ``rho = w_1 = ... = w_K`` (Theory III eq. 63 as derived).

    The line of equal layers is invariant (proved by ``restrict``); on it
    ``rho' = f_V rho^(K-1) exp(-rho^K f_V)``.
    """
    first, *others = layers(depth)
    model = deep_exponential(depth)
    if others:
        model = model.restrict({w: first for w in others})
    return model.rebuild(first_integral=None).change_variables(
        {rho: first}, inverse={first: rho}, id=f"theory3_deep_balanced_K{depth}",
        description=inspect.getdoc(deep_exponential_balanced), equations="Theory III eq. 60, 63",
    )


def deep_exponential_R(depth):
    """K equal layers in ``R = exp(rho^K f_V)`` (Theory III eq. 64-65 as derived).

    ``R' = K f_V^(2/K) (log R)^(2 - 2/K)``; inverse ``rho = (log R / f_V)^(1/K)``.
    """
    return deep_exponential_balanced(depth).change_variables(
        {R: sympy.exp(rho**depth * f_V)}, inverse={rho: (sympy.log(R) / f_V) ** sympy.Rational(1, depth)},
        id=f"theory3_deep_R_K{depth}", description=inspect.getdoc(deep_exponential_R),
        equations="Theory III eq. 64-65",
    )


def deep_exponential_eq62():
    """Two layers in ``r^2 = w1^2 + w2^2`` and ``gamma = exp(w1 w2 f_V)`` (Theory III eq. 62).

    The derived flow is ``gamma' = f_V^2 r^2``, ``r r' = 2 log(gamma)/gamma``.
    The inverse is the branch ``w1 >= w2 > 0``; the proof of the map holds
    identically in ``(w1, w2)``.
    """
    w1, w2 = layers(2)
    P = sympy.log(gamma) / f_V
    plus, minus = sympy.sqrt(r**2 + 2 * P), sympy.sqrt(r**2 - 2 * P)
    return deep_exponential(2).change_variables(
        {r: sympy.sqrt(w1**2 + w2**2), gamma: sympy.exp(w1 * w2 * f_V)},
        inverse={w1: (plus + minus) / 2, w2: (plus - minus) / 2},
        id="theory3_deep_eq62", description=inspect.getdoc(deep_exponential_eq62), equations="Theory III eq. 62",
    )


def deep_exponential_law(depths=(1, 2, 3, 4, 5)):
    """Equal layers with the depth ``K`` a parameter (Theory III eq. 63 as derived).

    ``K rho' = -d/drho exp(-rho^K f_V)``, i.e. ``rho' = f_V rho^(K-1)
    exp(-rho^K f_V)``. Each of the K equal layers moves by its own partial
    derivative, which is 1/K of the derivative of the loss along the
    diagonal. Its proofs: at each ``K`` of ``depths`` the flow is
    ``deep_exponential_balanced(K)``, the restriction of the K-layer flow.
    """
    law = Model(
        "theory3_deep_balanced", (rho,), (f_V, K), {**DEFAULTS, "K": 2.0},
        objective=sympy.exp(-(rho**K) * f_V), groups=(Descent((rho,), K),),
        description=inspect.getdoc(deep_exponential_law), equations="Theory III eq. 63 (derived)",
    )
    return law.rebuild(proofs=[
        Proof.check("same flow", f"at K = {k} this is the {k}-layer flow restricted to equal layers",
                    law.rhs.subs(K, k) - deep_exponential_balanced(k).rhs)
        for k in depths
    ])


def deep_exponential_tied():
    """One weight shared by all K layers: the printed Theory III eq. 63.

    ``rho' = -d/drho exp(-rho^K f_V) = f_V K rho^(K-1) exp(-rho^K f_V)``. The
    shared weight's gradient sums the K equal partial derivatives; the proof
    carried: this is ``deep_exponential_law`` run K times faster.
    """
    tied = Model(
        "theory3_deep_tied", (rho,), (f_V, K), {**DEFAULTS, "K": 2.0},
        objective=sympy.exp(-(rho**K) * f_V), groups=(Descent((rho,), 1),),
        description=inspect.getdoc(deep_exponential_tied), equations="Theory III eq. 63 (printed)",
    )
    law = deep_exponential_law(depths=())
    return tied.rebuild(proofs=[Proof.check("time rescaling", "rho'(tied) = K rho'(law): the law at time K t",
                                            tied.rhs - K * law.rhs)])


def law_proofs(depths=(1, 2, 3, 4, 5)):
    """Proofs that ``deep_exponential_law`` at ``K = k`` is the derived ``deep_exponential_balanced(k)``."""
    return deep_exponential_law(depths).proofs


def in_log_time(model, id=None):
    """``model`` in the time ``s = log t``: ``dx/ds = t dx/dt = exp(s) f(x)`` (for integrating to ``t = 1e100``).

    The time symbol of the result stands for ``s``; ``model`` must be autonomous.
    """
    if t in model.rhs.free_symbols:
        raise ModelError(f"model '{model.id}' is not autonomous: cannot rescale its time")
    return model.rebuild(id=id or f"{model.id}_log_time", rhs=[sympy.exp(t) * f for f in model.rhs],
                         first_integral=None,
                         description=f"{model.description}\n\nIn log time s = log t: dx/ds = exp(s) dx/dt.")


# ---------------------------------------------------------------- matrices (Theory III eq. 58-60)


def matrices(widths):
    """Weight matrices ``W_k`` (``widths[k] x widths[k-1]`` symbols ``W{k}_{i}{j}``) of a linear network."""
    return [sympy.Matrix(n_out, n_in, lambda i, j, k=k: sympy.Symbol(f"W{k}_{i + 1}{j + 1}", real=True))
            for k, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:]), start=1)]


def examples(d, N):
    """Symbolic inputs ``x_n`` (columns of symbols ``x{n}_{i}``) and labels ``y_n``."""
    X = [sympy.Matrix([sympy.Symbol(f"x{n}_{i}", real=True) for i in range(1, d + 1)]) for n in range(1, N + 1)]
    return X, list(sympy.symbols(f"y1:{N + 1}", real=True))


def network_outputs(widths, N):
    """``f(W; x_n) = W_K ... W_1 x_n`` for each example, with the weights and data symbols."""
    if widths[-1] != 1:
        raise ModelError(f"the network needs one output, got widths {widths}")
    Ws = matrices(widths)
    X, y = examples(widths[0], N)
    outputs = []
    for x in X:
        h = x
        for W in Ws:
            h = W * h
        outputs.append(h[0])
    return Ws, X, y, outputs


def deep_linear_exponential(widths=(2, 2, 1), N=2, data=((1.0, 0.5), (-0.5, 1.0)), labels=(1.0, -1.0)):
    """A linear network of matrices, ``f(x) = W_K ... W_1 x``, on N examples (Theory III eq. 58).

    ``dW/dt = -dL/dW`` with ``L = sum_n exp(-y_n f(x_n))``. Data and labels
    are parameters (``x{n}_{i}``, ``y{n}``), so the proofs
    of ``frobenius_proofs`` hold for every data set; ``data`` and ``labels``
    are the default values.
    """
    widths = tuple(widths)
    Ws, X, y, outputs = network_outputs(widths, N)
    weights = [w for W in Ws for w in W]
    params = [s for x in X for s in x] + y
    values = [float(v) for row in data for v in row] + [float(v) for v in labels]
    if len(values) != len(params):
        raise ModelError(f"{N} examples of dimension {widths[0]} need {len(params)} values, got {len(values)}")
    return Model(
        f"theory3_deep_linear_{'_'.join(map(str, widths))}_N{N}", weights, params,
        {p.name: v for p, v in zip(params, values)},
        objective=sum(sympy.exp(-yn * fn) for yn, fn in zip(y, outputs)),
        groups=(Descent(weights, 1),), description=inspect.getdoc(deep_linear_exponential),
        equations="Theory III eq. 58-60",
    )


def frobenius_proofs(widths=(2, 2, 1), N=2):
    """Proofs of Theory III eq. 60 for ``deep_linear_exponential(widths, N)``, one per layer.

    Each states ``d|W_k|^2/dt = 2 sum_n y_n f_n exp(-y_n f_n)``. Checked by
    expansion (the residual is a sum of monomials times the N
    exponentials), identically in weights, data and labels.
    """
    widths = tuple(widths)
    model = deep_linear_exponential(widths, N, data=[[1.0] * widths[0]] * N, labels=[1.0] * N)
    Ws, _, y, outputs = network_outputs(widths, N)
    rate = 2 * sum(yn * fn * sympy.exp(-yn * fn) for yn, fn in zip(y, outputs))
    proofs = []
    for k, W in enumerate(Ws, start=1):
        residual = sympy.expand(time_derivative(model, sum(w**2 for w in W)) - rate)
        proofs.append(Proof(f"layer {k}", f"d|W_{k}|^2/dt = 2 sum_n y_n f_n exp(-y_n f_n)", residual, residual == 0))
    return proofs


def frobenius_norms(widths, y):
    """``|W_k|_F`` of each layer along the columns of ``y`` (state in ``deep_linear_exponential``'s order)."""
    bounds = np.cumsum([0] + [a * b for a, b in zip(widths[:-1], widths[1:])])
    y = np.asarray(y, float)
    return np.array([np.sqrt((y[lo:hi] ** 2).sum(axis=0)) for lo, hi in zip(bounds[:-1], bounds[1:])])


# ---------------------------------------------------------------- closed forms of the derived laws


def one_layer_rho(time, rho0=1.0, f=1.0):
    """Theory III eq. 65 at ``K = 1`` solved: ``R = exp(f rho) = exp(f rho0) + f^2 t``, ``rho = log(R) / f``."""
    return np.log(np.exp(rho0 * f) + f**2 * np.asarray(time, float)) / f


def growth_rate(depth, f=1.0, printed=False):
    """``alpha`` of ``R' = alpha (log R)^(2 - 2/K)`` (Theory III eq. 65): ``K f^(2/K)``, printed ``K^2 f^(2/K)``."""
    return (depth**2 if printed else depth) * f ** (2 / depth)


def log_growth_integral(R_log, depth, R0_log):
    """``log G``, ``G = int_{R0}^{R} dz / (log z)^(2 - 2/K)``, from ``log R``, ``log R0 > 0`` (Theory III eq. 65).

    Along the derived law ``G(R(t)) = K f^(2/K) t``. In ``u = log z`` the
    integral is ``int e^u u^(-a) du = e^u int_0^(u - u0) e^(-w) (u - w)^(-a) dw``.
    """
    if R0_log <= 0:
        raise ValueError(f"the law needs R0 > 1 (a positive product of the layers), got log R0 = {R0_log}")
    a = 2 - 2 / depth
    out = []
    for u in np.atleast_1d(np.asarray(R_log, float)):
        value, _ = integrate.quad(lambda w: np.exp(-w) * (u - w) ** -a, 0.0, u - R0_log,
                                  epsabs=0, epsrel=1e-13, limit=200)
        out.append(u + np.log(value))
    return np.array(out) if np.ndim(R_log) else out[0]


def law_R_log(time, depth, f=1.0, R0_log=1.0, printed=False):
    """``log R(t)`` solving ``G(R) = alpha t`` with the derived or the printed ``alpha`` (Theory III eq. 65)."""
    alpha = growth_rate(depth, f, printed)
    out = []
    for tt in np.atleast_1d(np.asarray(time, float)):
        target = np.log(alpha * tt)
        upper = R0_log + 1.0
        while log_growth_integral(upper, depth, R0_log) < target:
            upper = 2 * upper
        out.append(optimize.brentq(lambda u: log_growth_integral(u, depth, R0_log) - target,
                                   R0_log + 1e-12 * (1 + R0_log), upper, xtol=1e-14, rtol=1e-14))
    return np.array(out) if np.ndim(time) else out[0]


def li(x):
    """The logarithmic integral ``li(x) = Ei(log x)`` (principal value), Theory III sec. 12.2."""
    return special.expi(np.log(x))


def L(z):
    """``L(z) = li(z) - z / log z``, whose derivative is ``1/(log z)^2`` (Theory III sec. 12.2, ``K -> infinity``)."""
    return li(z) - z / np.log(z)


# ---------------------------------------------------------------- registrable models (id = builder name)


def theory3_deep_layers():
    """Three scalar layers, one example, exponential loss, f = w1 w2 w3 f_V (Theory III eq. 58, 61)."""
    return deep_exponential(3).rebuild(id="theory3_deep_layers", description=inspect.getdoc(theory3_deep_layers))


def theory3_deep_balanced():
    """K equal layers, K a parameter: rho' = f_V rho^(K-1) exp(-rho^K f_V) (Theory III eq. 63 as derived)."""
    return deep_exponential_law().rebuild(description=inspect.getdoc(theory3_deep_balanced))


def theory3_deep_tied():
    """One weight shared by K layers: rho' = f_V K rho^(K-1) exp(-rho^K f_V), the printed Theory III eq. 63."""
    return deep_exponential_tied().rebuild(description=inspect.getdoc(theory3_deep_tied))


def theory3_deep_eq62():
    """Two scalar layers in r = |w|, gamma = exp(w1 w2 f_V): gamma' = f_V^2 r^2, r r' = 2 log(gamma)/gamma (eq. 62)."""
    return deep_exponential_eq62().rebuild(description=inspect.getdoc(theory3_deep_eq62))


def theory3_deep_linear():
    """A 2-2-2-1 linear network on two examples, exponential loss: equal growth of |W_k|^2 (Theory III eq. 58-60)."""
    return deep_linear_exponential((2, 2, 2, 1), 2).rebuild(
        id="theory3_deep_linear", description=inspect.getdoc(theory3_deep_linear),
        proofs=frobenius_proofs((2, 2, 2, 1), 2))
