"""Gradients of the training engine (dynsys.train) against independent references.

Every objective is written out again here, in plain NumPy (and, for small
networks, in SymPy): its own forward pass, its own losses, its own sign
targets, its own parametrisations. The engine's ``objective_gradient`` must
agree with central finite differences of that scalar in float64, and with
SymPy's exact derivative.
"""

import itertools
import warnings

import numpy as np
import pytest
import sympy as sp

from dynsys.train import (LOSSES, GradientDescent, Identity, MinnormClassification, MinnormRegression, Network,
                          NormDirection)

# ---------------------------------------------------------------- the reference, written independently


def ref_activation(name, z):
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    return z


def ref_forward(widths, activation, bias, params, X):
    """``f`` (P, n_out) and the hidden pre-activations, layer by layer."""
    depth = len(widths) - 1
    step = 2 if bias else 1
    h, hidden = X, []
    for layer in range(depth):
        z = h @ params[step * layer]
        if bias:
            z = z + params[step * layer + 1]
        if layer < depth - 1:
            hidden.append(z)
            h = ref_activation(activation, z)
        else:
            h = z
    return h, hidden


def ref_signs(y, n_out):
    """+-1 targets: 2y - 1 for one output, one-vs-all for several."""
    if n_out == 1:
        return (2.0 * y - 1.0)[:, None]
    return np.where(np.arange(n_out)[None, :] == y[:, None], 1.0, -1.0)


def ref_targets(y, n_out):
    return ref_signs(y, n_out) if y.ndim == 1 else y


def ref_loss(name, f, y):
    """Per-example losses, straight from their textbook formulas."""
    n_out = f.shape[1]
    if name == "squared":
        return 0.5 * ((f - ref_targets(y, n_out)) ** 2).sum(axis=1)
    if name == "softmax_ce":
        return np.log(np.exp(f).sum(axis=1)) - f[np.arange(len(y)), y]
    margin = ref_signs(y, n_out) * f
    if name == "bce":
        return np.log1p(np.exp(-margin)).sum(axis=1)
    if name == "exponential":
        return np.exp(-margin).sum(axis=1)
    if name == "hinge":
        return np.maximum(1.0 - margin, 0.0).sum(axis=1)
    raise AssertionError(name)


def ref_params(kind, variables, mask):
    """Parameters from trained variables: as they are, or ``rho V / |V|_F`` per weight matrix."""
    if kind == "identity":
        return list(variables)
    params, i = [], 0
    for is_weight in mask:
        if is_weight:
            rho, V = variables[i], variables[i + 1]
            params.append(rho * V / np.sqrt((V ** 2).sum()))
            i += 2
        else:
            params.append(variables[i])
            i += 1
    return params


def make_parametrisation(kind):
    return {"identity": Identity(), "weight_norm": NormDirection(False), "rho_v": NormDirection(True)}[kind]


def weight_penalty(params, mask):
    return sum(0.5 * (p ** 2).sum() for p, w in zip(params, mask) if w)


def reference_objective(case, network, variables, X, y, alpha):
    """The scalar each algorithm descends, on the batch ``(X, y)`` with multipliers ``alpha`` of the batch."""
    mask = network.weight_mask()
    params = ref_params(case["parametrisation"], variables, mask)
    f, _ = ref_forward(network.widths, network.activation, network.bias, params, X)
    if case["algorithm"] == "gd":
        return ref_loss(case["loss"], f, y).mean() + case["weight_decay"] * weight_penalty(params, mask)
    rho = case["rho"]
    if case["algorithm"] == "minnorm_regression":
        residual = ref_targets(y, f.shape[1]) - f
        return weight_penalty(params, mask) + (alpha * residual).sum() + 0.5 * rho * (residual ** 2).sum()
    slack = 1.0 - ref_signs(y, f.shape[1]) * f
    return (weight_penalty(params, mask) + (alpha * slack).sum()
            + 0.5 * rho * ((alpha > 0) * slack ** 2).sum())


def finite_difference_gradient(objective, variables, h=1e-5):
    """Central differences of ``objective(variables)``, entry by entry, in float64."""
    grads = []
    for k, variable in enumerate(variables):
        grad = np.zeros(np.shape(variable))
        for i in np.ndindex(np.shape(variable)):
            plus = [np.array(v, dtype=np.float64, copy=True) for v in variables]
            minus = [np.array(v, dtype=np.float64, copy=True) for v in variables]
            plus[k][i] += h
            minus[k][i] -= h
            grad[i] = (objective(plus) - objective(minus)) / (2 * h)
        grads.append(grad)
    return grads


def relative_error(grads, reference):
    a = np.concatenate([np.ravel(g) for g in grads])
    b = np.concatenate([np.ravel(g) for g in reference])
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


# ---------------------------------------------------------------- the cases

P = 6
HIDDEN = [(4, 5), (3, 4, 4)]  # hidden widths; the output width comes with the loss
BATCH = np.array([0, 2, 3, 5])  # a minibatch: Minnorm only uses (and only touches) these multipliers

# (loss, label kind, outputs): margin losses with one output (2y - 1) and three (one-vs-all)
GD_LOSSES = [("squared", "float", 3), ("squared", "class", 3), ("bce", "class", 1), ("bce", "class", 3),
             ("softmax_ce", "class", 3), ("exponential", "class", 1), ("exponential", "class", 3),
             ("hinge", "class", 1), ("hinge", "class", 3)]
MINNORM_LABELS = {"minnorm_regression": [("float", 3), ("float", 1), ("class", 1), ("class", 3)],
                  "minnorm": [("class", 1), ("class", 3)]}

CASES = ([{"algorithm": "gd", "loss": loss, "labels": labels, "n_out": n_out, "weight_decay": wd}
          for loss, labels, n_out in GD_LOSSES for wd in (0.0, 0.3)]
         + [{"algorithm": name, "labels": labels, "n_out": n_out, "rho": 0.7}
            for name, kinds in MINNORM_LABELS.items() for labels, n_out in kinds])


def case_id(case):
    if case["algorithm"] == "gd":
        return f"gd-{case['loss']}-{case['labels']}{case['n_out']}-wd{case['weight_decay']}"
    return f"{case['algorithm']}-{case['labels']}{case['n_out']}"


def build_algorithm(case, parametrisation):
    if case["algorithm"] == "gd":
        return GradientDescent(0.1, loss=case["loss"], weight_decay=case["weight_decay"],
                               parametrisation=parametrisation)
    cls = MinnormRegression if case["algorithm"] == "minnorm_regression" else MinnormClassification
    return cls(0.1, s=0.5, rho=case["rho"], parametrisation=parametrisation)


def draw_problem(case, hidden, activation, bias, seed):
    """Random data, labels, parameters (random biases too) and multipliers, away from every kink."""
    network = Network(hidden + (case["n_out"],), activation=activation, bias=bias)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((P, network.widths[0]))
    if case["labels"] == "float":
        y = rng.standard_normal((P, case["n_out"]))
    else:
        y = rng.integers(0, max(2, case["n_out"]), size=P).astype(np.int64)
    params = network.init(np, sigma_w=1.0, seed=seed)
    if bias:
        params = [p if w else rng.standard_normal(p.shape) * 0.5 for p, w in zip(params, network.weight_mask())]
    if case["algorithm"] == "minnorm":
        alpha = rng.uniform(0.2, 1.5, size=(P, case["n_out"]))
        alpha[rng.random(alpha.shape) < 0.35] = 0.0  # inactive multipliers: no augmented term
    else:
        alpha = rng.standard_normal((P, case["n_out"]))
    return network, X, y, params, alpha


def away_from_kinks(case, network, params, X, y):
    f, hidden = ref_forward(network.widths, network.activation, network.bias, params, X)
    if network.activation == "relu" and any(np.abs(z).min() < 1e-3 for z in hidden):
        return False
    if case.get("loss") == "hinge" and np.abs(1 - ref_signs(y, f.shape[1]) * f).min() < 1e-3:
        return False
    return True


# every algorithm/loss x activation x bias x parametrisation; the architecture alternates between the two
GRID = [pytest.param(case, activation, bias, parametrisation, HIDDEN[i % 2],
                     id=f"{case_id(case)}-{activation}-{'bias' if bias else 'nobias'}-{parametrisation}"
                        f"-{'-'.join(map(str, HIDDEN[i % 2]))}")
        for i, (case, activation, bias, parametrisation) in enumerate(itertools.product(
            CASES, ["relu", "linear", "sigmoid"], [True, False], ["identity", "weight_norm", "rho_v"]))]


@pytest.mark.parametrize("case, activation, bias, parametrisation, hidden", GRID)
def test_objective_gradient_matches_finite_differences(case, activation, bias, parametrisation, hidden):
    case = {**case, "parametrisation": parametrisation}
    for seed in range(50):
        network, X, y, params, alpha = draw_problem(case, hidden, activation, bias, seed)
        if away_from_kinks(case, network, params, X, y):
            break
    else:
        pytest.fail("no draw away from the ReLU/hinge kinks")
    mask = network.weight_mask()
    algorithm = build_algorithm(case, make_parametrisation(parametrisation))
    state = algorithm.start(np, network, params, P)
    if algorithm.multipliers:
        assert state["alpha"].shape == (P, case["n_out"])
        state["alpha"][...] = alpha
    variables = [np.array(v, copy=True) for v in state["variables"]]
    # the variables stand for the parameters they were made from
    for p, q in zip(ref_params(parametrisation, variables, mask), params):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-14)
    if parametrisation == "rho_v":
        for V in variables[1::3] if bias else variables[1::2]:
            assert abs(np.sqrt((V ** 2).sum()) - 1) < 1e-13

    grads = algorithm.objective_gradient(np, network, state, BATCH, X[BATCH], y[BATCH])
    assert [np.shape(g) for g in grads] == [np.shape(v) for v in variables]
    # the gradient does not move anything
    for v, w in zip(state["variables"], variables):
        np.testing.assert_array_equal(v, w)

    def objective(vs):
        return reference_objective(case, network, vs, X[BATCH], y[BATCH], alpha[BATCH])

    reference = finite_difference_gradient(objective, variables)
    assert relative_error(grads, reference) < 1e-6


# ---------------------------------------------------------------- SymPy, exactly, on small networks


def sym_activation(name, z):
    if name == "relu":
        return sp.Max(0, z)
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    return z


def sym_objective(kind, widths, activation, bias, X, y, alpha, rho, weight_decay):
    """The objective as a SymPy expression in symbolic weight (and bias) entries; returns (expr, symbols)."""
    symbols, weights, biases = [], [], []
    for layer, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        W = sp.Matrix(n_in, n_out, lambda i, j: sp.Symbol(f"W{layer}_{i}{j}"))
        weights.append(W)
        symbols += list(W)  # row-major, as NumPy ravels
        if bias:
            b = sp.Matrix(1, n_out, lambda i, j: sp.Symbol(f"b{layer}_{j}"))
            biases.append(b)
            symbols += list(b)
    n_out = widths[-1]
    norm = sum(sum(w ** 2 for w in W) for W in weights) / 2
    total = 0
    for mu in range(len(X)):
        h = sp.Matrix(1, widths[0], [sp.Float(v, 30) for v in X[mu]])
        for layer, W in enumerate(weights):
            z = h * W
            if bias:
                z = z + biases[layer]
            h = z if layer == len(weights) - 1 else z.applyfunc(lambda e: sym_activation(activation, e))
        f = list(h)
        if kind == "gd_softmax":
            total += sp.log(sum(sp.exp(fi) for fi in f)) - f[int(y[mu])]
            continue
        if kind in ("gd_squared", "minnorm_regression"):
            targets = list(y[mu]) if y.ndim == 2 else list(ref_signs(y[mu:mu + 1], n_out)[0])
        else:
            targets = list(ref_signs(y[mu:mu + 1], n_out)[0])
        for i, (fi, t) in enumerate(zip(f, targets)):
            t = sp.Float(t, 30)
            if kind == "gd_squared":
                total += (fi - t) ** 2 / 2
            elif kind == "gd_bce":
                total += sp.log(1 + sp.exp(-t * fi))
            elif kind == "gd_exponential":
                total += sp.exp(-t * fi)
            elif kind == "gd_hinge":
                total += sp.Max(0, 1 - t * fi)
            elif kind == "minnorm_regression":
                a = sp.Float(alpha[mu, i], 30)
                total += a * (t - fi) + rho * (t - fi) ** 2 / 2
            elif kind == "minnorm":
                a = sp.Float(alpha[mu, i], 30)
                total += a * (1 - t * fi) + (rho * (1 - t * fi) ** 2 / 2 if alpha[mu, i] > 0 else 0)
    if kind.startswith("gd_"):
        return total / len(X) + weight_decay * norm, symbols
    return norm + total, symbols


# every small network (widths x bias x activation) once, the objectives rotating over them
SMALL_NETWORKS = [(widths, bias, activation) for widths in [(2, 2, 1), (2, 3, 2)] for bias in (True, False)
                  for activation in ("relu", "linear", "sigmoid")]
SYMPY_KINDS = (["gd_squared", "gd_bce", "gd_exponential", "gd_hinge", "minnorm_regression", "minnorm"]
               + ["minnorm", "gd_softmax", "minnorm_regression", "gd_hinge", "gd_squared", "gd_bce"])
SYMPY_CASES = [pytest.param(*net, kind, id=f"{'-'.join(map(str, net[0]))}-{'bias' if net[1] else 'nobias'}-"
                                          f"{net[2]}-{kind}")
               for net, kind in zip(SMALL_NETWORKS, SYMPY_KINDS)]
SYMPY_P = 2  # examples: SymPy's derivatives grow with them


@pytest.mark.parametrize("widths, bias, activation, kind", SYMPY_CASES)
def test_objective_gradient_matches_sympy(widths, bias, activation, kind):
    n_out = widths[-1]
    network = Network(widths, activation=activation, bias=bias)
    rho, weight_decay = 0.6, 0.25
    for seed in range(50):
        rng = np.random.default_rng(100 + seed)
        X = rng.standard_normal((SYMPY_P, widths[0]))
        # regression: float targets on one output, sign targets from class labels on two
        y = (rng.standard_normal((SYMPY_P, n_out)) if kind in ("gd_squared", "minnorm_regression") and n_out == 1
             else rng.integers(0, max(2, n_out), size=SYMPY_P).astype(np.int64))
        params = [p if w else rng.standard_normal(p.shape) for p, w in
                  zip(network.init(np, sigma_w=1.0, seed=seed), network.weight_mask())]
        alpha = rng.uniform(0.1, 1.0, size=(SYMPY_P, n_out))
        alpha[0, 0] = 0.0
        f, hidden = ref_forward(widths, activation, bias, params, X)
        smooth = all(np.abs(z).min() > 1e-3 for z in hidden)
        if kind == "gd_hinge":
            smooth = smooth and np.abs(1 - ref_signs(y, n_out) * f).min() > 1e-3
        if smooth:
            break
    else:
        pytest.fail("no draw away from the ReLU/hinge kinks")
    if kind.startswith("gd_"):
        algorithm = GradientDescent(0.1, loss={"gd_softmax": "softmax_ce"}.get(kind, kind[3:]),
                                    weight_decay=weight_decay)
    elif kind == "minnorm_regression":
        algorithm = MinnormRegression(0.1, s=1.0, rho=rho)
    else:
        algorithm = MinnormClassification(0.1, s=1.0, rho=rho)
    state = algorithm.start(np, network, params, SYMPY_P)
    if algorithm.multipliers:
        state["alpha"][...] = alpha
    grads = algorithm.objective_gradient(np, network, state, np.arange(SYMPY_P), X, y)
    engine = np.concatenate([np.ravel(g) for g in grads])

    expression, symbols = sym_objective(kind, widths, activation, bias, X, y, alpha, rho, weight_decay)
    values = {s: sp.Float(v, 30) for s, v in zip(symbols, np.concatenate([np.ravel(p) for p in params]))}
    assert len(symbols) == engine.size
    exact = np.array([float(sp.diff(expression, s).xreplace(values).evalf(30)) for s in symbols])
    assert np.linalg.norm(engine - exact) <= 1e-10 * max(np.linalg.norm(exact), 1e-12)


@pytest.mark.parametrize("unit, activation", [(True, "sigmoid")], ids=["rho_v-sigmoid"])
def test_norm_direction_gradient_matches_sympy(unit, activation):
    """``dL/drho`` and ``dL/dV`` of ``L(rho V / |V|)``, exactly, on the (2, 2, 1) network with biases."""
    network = Network((2, 2, 1), activation=activation, bias=True)
    rng = np.random.default_rng(7)
    X = rng.standard_normal((SYMPY_P, 2))
    y = rng.integers(0, 2, size=SYMPY_P).astype(np.int64)
    params = [p if w else rng.standard_normal(p.shape) for p, w in
              zip(network.init(np, sigma_w=1.0, seed=3), network.weight_mask())]
    _, hidden = ref_forward(network.widths, activation, True, params, X)
    assert all(np.abs(z).min() > 1e-3 for z in hidden)
    algorithm = GradientDescent(0.1, loss="bce", weight_decay=0.2, parametrisation=NormDirection(unit))
    state = algorithm.start(np, network, params, SYMPY_P)
    grads = algorithm.objective_gradient(np, network, state, np.arange(SYMPY_P), X, y)
    engine = np.concatenate([np.ravel(g) for g in grads])
    variables = state["variables"]

    # variables [rho1, V1, b1, rho2, V2, b2]
    symbols = []
    layers = []
    for layer, (n_in, n_out) in enumerate([(2, 2), (2, 1)]):
        rho = sp.Symbol(f"rho{layer}")
        V = sp.Matrix(n_in, n_out, lambda i, j: sp.Symbol(f"V{layer}_{i}{j}"))
        b = sp.Matrix(1, n_out, lambda i, j: sp.Symbol(f"b{layer}_{j}"))
        symbols += [rho, *V, *b]
        norm = sp.sqrt(sum(v ** 2 for v in V))
        layers.append((rho * V / norm, b))
    total = 0
    for mu in range(SYMPY_P):
        h = sp.Matrix(1, 2, [sp.Float(v, 30) for v in X[mu]])
        for layer, (W, b) in enumerate(layers):
            z = h * W + b
            h = z if layer == 1 else z.applyfunc(lambda e: sym_activation(activation, e))
        t = 2 * int(y[mu]) - 1
        total += sp.log(1 + sp.exp(-t * h[0]))
    penalty = sum(sum(w ** 2 for w in W) for W, _ in layers) / 2
    objective = total / SYMPY_P + sp.Float(0.2, 30) * penalty
    values = {s: sp.Float(v, 30) for s, v in zip(symbols, np.concatenate([np.ravel(v) for v in variables]))}
    assert len(symbols) == engine.size
    exact = np.array([float(sp.diff(objective, s).xreplace(values).evalf(30)) for s in symbols])
    assert np.linalg.norm(engine - exact) <= 1e-10 * np.linalg.norm(exact)


# ---------------------------------------------------------------- numerical stability of the losses


@pytest.fixture
def strict():
    """Overflow, division by zero and invalid operations raise (underflow to 0 is fine); so does any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_out", [1, 3])
def test_bce_is_stable_at_huge_margins(strict, dtype, n_out):
    big = 1e4
    y = np.array([1, 0, 1, 0], dtype=np.int64) if n_out == 1 else np.array([0, 1, 2, 0], dtype=np.int64)
    signs = ref_signs(y, n_out)
    # margins y_i f_i = +1e4 for the first two examples, -1e4 for the last two
    margin = np.array([big, big, -big, -big])[:, None] * np.ones((1, n_out))
    f = (signs * margin).astype(dtype)
    value = LOSSES["bce"].value(np, f, y)
    grad = LOSSES["bce"].gradient(np, f, y)
    assert value.dtype == dtype and grad.dtype == dtype
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    # log(1 + e^-m) -> e^-m (m >> 0, = 0 in floating point) and -m (m << 0)
    np.testing.assert_allclose(value, [0, 0, n_out * big, n_out * big], rtol=1e-6)
    # d/df log(1 + e^{-s f}) = -s / (1 + e^{s f}): 0 at a large positive margin, -s at a large negative one
    expected = -signs * np.array([0, 0, 1, 1])[:, None]
    np.testing.assert_allclose(grad, expected, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_ce_is_stable_at_huge_logits(strict, dtype):
    big = 1e4
    f = np.array([[big, 0, -big], [big, 0, -big], [-big, big, 0], [0, 0, 0]], dtype=dtype)
    y = np.array([0, 2, 0, 1], dtype=np.int64)
    value = LOSSES["softmax_ce"].value(np, f, y)
    grad = LOSSES["softmax_ce"].gradient(np, f, y)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    # log sum exp f - f_y -> max f - f_y for well separated logits; log 3 when all are equal
    np.testing.assert_allclose(value, [0, 2 * big, 2 * big, np.log(3)], rtol=1e-6)
    np.testing.assert_allclose(grad, [[0, 0, 0], [1, 0, -1], [-1, 1, 0], [1 / 3, -2 / 3, 1 / 3]], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_network_is_finite_at_huge_negative_preactivation(strict, dtype):
    network = Network((1, 1, 1), activation="sigmoid", bias=False)
    params = [np.array([[1e4]], dtype=dtype), np.array([[2.0]], dtype=dtype)]
    X = np.array([[-1.0], [1.0]], dtype=dtype)  # z = -1e4 and +1e4
    f, cache = network.forward(np, params, X, keep=True)
    assert f.dtype == dtype
    np.testing.assert_allclose(f[:, 0], [0.0, 2.0], atol=1e-6)
    grads = network.backward(np, params, cache, np.ones_like(f))
    assert all(np.all(np.isfinite(g)) for g in grads)
    # sigma'(+-1e4) = 0: no gradient reaches W1; dW2 = sum_mu sigma(z_mu)
    np.testing.assert_allclose(grads[0], [[0.0]], atol=1e-6)
    np.testing.assert_allclose(grads[1], [[1.0]], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exponential_loss_underflows_quietly(dtype):
    y = np.array([1, 0], dtype=np.int64)
    f = np.array([[1e4], [-1e4]], dtype=dtype)  # margins +1e4 on both
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            value = LOSSES["exponential"].value(np, f, y)
            grad = LOSSES["exponential"].gradient(np, f, y)
    np.testing.assert_array_equal(value, [0.0, 0.0])
    np.testing.assert_array_equal(grad, [[0.0], [0.0]])


@pytest.mark.parametrize("name", ["bce", "softmax_ce", "exponential", "hinge", "squared"])
def test_loss_values_and_gradients_match_reference_at_moderate_outputs(name):
    """The per-example values and output gradients (central differences) of every loss."""
    rng = np.random.default_rng(11)
    n_out = 3
    f = rng.standard_normal((8, n_out)) * 2
    y = rng.integers(0, n_out, size=8).astype(np.int64)
    if name == "hinge":
        f[np.abs(1 - ref_signs(y, n_out) * f) < 1e-3] += 0.01
    loss = LOSSES[name]
    np.testing.assert_allclose(loss.value(np, f, y), ref_loss(name, f, y), rtol=1e-13, atol=1e-14)
    h = 1e-6
    numeric = np.zeros_like(f)
    for i in np.ndindex(f.shape):
        plus, minus = f.copy(), f.copy()
        plus[i] += h
        minus[i] -= h
        numeric[i] = (ref_loss(name, plus, y)[i[0]] - ref_loss(name, minus, y)[i[0]]) / (2 * h)
    np.testing.assert_allclose(loss.gradient(np, f, y), numeric, rtol=1e-7, atol=1e-8)
