"""Claims of the slides' "2-Layer Linear Networks", "1-hidden layer polynomial network" (eq. 15-17) and "Summary".

The slides (Yuan Yao) take examples as columns: ``X in R^{d,n}``, ``Y in
R^{d',n}``, ``W1 in R^{N,d}``, ``W2 in R^{d',N}``, ``L = |W2 W1 X - Y|^2 / 2``,
``E = W2 W1 X - Y``, ``w = vec(W1^T, W2^T)`` with ``vec`` stacking columns.
Every printed derivative is compared with SymPy's, taken at small symbolic
sizes by :mod:`dynsys.train.experiments.two_layer_linear` (``matrix_gradient``,
``hessian`` in a chosen vec convention), and with finite differences or the
training engine's backward pass. Gradient descent and SGD are the engine's
(``Network((d, N, d'), "linear", bias=False)``, ``GradientDescent(eta,
"squared")``, rows as examples: parameters ``[W1^T, W2^T]``, a full-batch step
at ``eta`` is ``W <- W - (eta / n) grad L``); the printed flows are integrated
by SciPy's DOP853. References: ``numpy.linalg.pinv``/``lstsq``,
``scipy.linalg.null_space``.
"""

import functools

import numpy as np
import sympy
from scipy.integrate import solve_ivp
from scipy.linalg import block_diag, null_space

from dynsys.claims.core import Check, claim
from dynsys.train import GradientDescent, Network, train
from dynsys.train.experiments import two_layer_linear as tl

PAPER = "slides"
SIZES = (6, 4, 8, 2)  # (d, n, N, d'): the slides' N, d >= n >= d'
SYMBOLIC = (2, 3, 3, 2)  # (d, n, N, d') for SymPy: N != d and n != d, so a misplaced factor cannot fit by accident
EXACT = 1e-12  # relative tolerance of identities computed in floating point
CONVERGED = 1e-8  # relative distance counted as reached, after training to machine precision
FD_TOL = 1e-6  # relative tolerance of central differences (h = 1e-6)


# ---------------------------------------------------------------- data and small helpers


def problem(d, n, N, d_out, seed=0):
    """Random ``X (d, n)`` with singular values evenly from 2 to 1, ``Y (d', n)``, ``W1, W2`` ~ N(0, 1/fan_in)."""
    rng = np.random.default_rng(seed)
    k = min(d, n)
    U, _ = np.linalg.qr(rng.standard_normal((d, k)))
    V, _ = np.linalg.qr(rng.standard_normal((n, k)))
    X = U @ np.diag(np.linspace(2.0, 1.0, k)) @ V.T
    Y = rng.standard_normal((d_out, n))
    return X, Y, rng.standard_normal((N, d)) / np.sqrt(d), rng.standard_normal((d_out, N)) / np.sqrt(N)


@functools.lru_cache(maxsize=None)
def symbols(d, n, N, d_out):
    """SymPy matrices ``X, Y, W1, W2`` of real symbols, and the loss ``L``."""
    X, Y = tl.matrix_symbols("X", d, n), tl.matrix_symbols("Y", d_out, n)
    W1, W2 = tl.matrix_symbols("W1", N, d), tl.matrix_symbols("W2", d_out, N)
    return X, Y, W1, W2, tl.loss(W1, W2, X, Y)


def _zero(M):
    """Whether a SymPy matrix (or expression) expands to zero."""
    M = sympy.Matrix(M) if isinstance(M, sympy.MatrixBase) else sympy.Matrix([M])
    return all(sympy.expand(e) == 0 for e in M)


def _rel(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def _in_col(W1, X):
    """``(W1, W2)``'s ``W1`` with its rows projected onto ``Col(X)``."""
    return W1 - W1 @ tl.null_projector(X)


def _global_min(X, Y):
    """``min_A L = |Y (I - X^+ X)|^2 / 2``."""
    return 0.5 * float(np.sum((Y - tl.min_norm(X, Y) @ X) ** 2))


def _seeds(quick):
    return range(2) if quick else range(6)


# ---------------------------------------------------------------- global minima


@claim("slides.linear2.global_minima", paper=PAPER,
       where="2-Layer Linear Networks, 'GD and SGD converge to the minimum norm solution'",
       statement="With N, d >= n >= d': dL/dA* = (A* X - Y) X^T = 0 iff A* in {Y X^T (X X^T)^+ + B_X : B_X X = 0}; "
                 "the minimum-norm solution, the global minimum with no row element in Null(X^T), is A*_min = "
                 "Y X^T (X X^T)^+; since every A factors as W2 W1 (overparametrisation), the global minima in A and in "
                 "w are the same.")
def _(quick):
    d, n, _, d_out = SYMBOLIC
    A = tl.matrix_symbols("A", d_out, d)
    X, Y = symbols(*SYMBOLIC)[:2]
    L_A = sum(e**2 for e in (A * X - Y)) / 2
    derived = tl.matrix_gradient(L_A, A)
    yield Check(_zero(derived - (A * X - Y) * X.T),
                f"SymPy, d = {d}, n = {n}, d' = {d_out}: dL/dA - (AX - Y)X^T expands to 0")
    rows = []
    for seed in _seeds(quick):
        X, Y, _, _ = problem(*SIZES, seed)
        A_min = tl.min_norm(X, Y)
        lstsq = np.linalg.lstsq(X.T, Y.T, rcond=None)[0].T  # LAPACK's minimum-norm least-squares solution
        stationary = [null_space(np.kron(X @ X.T, np.eye(len(Y)))), null_space(np.kron(X.T, np.eye(len(Y))))]
        same_set = np.abs(stationary[0] @ stationary[0].T - stationary[1] @ stationary[1].T).max()
        B = np.random.default_rng(seed).standard_normal(A_min.shape) @ tl.null_projector(X)
        grad = lambda A: (A @ X - Y) @ X.T  # noqa: E731
        pythagoras = abs(np.sum((A_min + B) ** 2) - np.sum(A_min**2) - np.sum(B**2))
        rows.append((_rel(A_min, lstsq), np.abs(grad(A_min)).max(), np.abs(grad(A_min + B)).max(), same_set,
                     np.abs(A_min @ tl.null_projector(X)).max(), pythagoras, np.linalg.norm(B)))
    worst = np.max(rows, axis=0)
    yield Check(max(worst[:6]) < EXACT and min(r[6] for r in rows) > 0.1,
                f"d, n, N, d' = {SIZES}, {len(rows)} random (X, Y): |A*_min - lstsq(X^T, Y^T)^T| / |A*_min| <= "
                f"{worst[0]:.1e}; |(A X - Y) X^T| at A*_min <= {worst[1]:.1e} and at A*_min + B_X (B_X = R P_Null(X^T)) "
                f"<= {worst[2]:.1e}; the null spaces of A -> A X X^T and A -> A X (scipy null_space, projectors) "
                f"differ by <= {worst[3]:.1e}, so the stationary set is exactly A*_min + {{B_X X = 0}}; rows of A*_min "
                f"in Col(X): |A*_min P_Null(X^T)| <= {worst[4]:.1e}; |A*_min + B_X|^2 - |A*_min|^2 - |B_X|^2 <= "
                f"{worst[5]:.1e} with |B_X| >= {min(r[6] for r in rows):.2f}, so A*_min is the unique minimum-norm one "
                f"(tolerance {EXACT:g})")
    yield from _factorisation(quick)


def _factorisation(quick):
    """Every A is W2 W1 (N >= d'), and gradient descent on w reaches min_A L (zero when d >= n, positive when n > d)."""
    d, _, N, d_out = SYMBOLIC
    A = tl.matrix_symbols("A", d_out, d)
    W2 = sympy.Matrix.hstack(sympy.eye(d_out), sympy.zeros(d_out, N - d_out))
    W1 = sympy.Matrix.vstack(A, sympy.zeros(N - d_out, d))
    yield Check(_zero(W2 * W1 - A), f"SymPy, N = {N} >= d' = {d_out}: W2 = [I_d' 0], W1 = [A; 0] give W2 W1 = A "
                                    f"exactly, so min_w L <= min_A L (and >= trivially)")
    rows = []
    for sizes, epochs in ((SIZES, 600), ((3, 5, 4, 2), 4000)):
        X, Y, W1, W2 = problem(*sizes, seed=1)
        path, history = tl.run(X, Y, W1, W2, eta=0.5, epochs=epochs, record_every=epochs)
        rows.append((sizes, tl.loss(*path[-1], X, Y), _global_min(X, Y)))
    yield Check(all(abs(L - L_min) <= 1e-9 * max(1.0, L_min) for _, L, L_min in rows),
                "engine GD on w (full batch, eta = 0.5): " + "; ".join(
                    f"d, n, N, d' = {s}: L = {L:.10g}, min_A L = |Y(I - X^+ X)|^2/2 = {L_min:.10g}"
                    for s, L, L_min in rows) + " (tolerance 1e-9)")


# ---------------------------------------------------------------- the gradient flow


def _flow(X, Y, W1, W2, sign_W2, T):
    """The flow ``W1' = -grad_W1 L``, ``W2' = sign_W2 * grad_W2 L`` (SciPy DOP853): times and (W1, W2) per time."""
    N, d, d_out, n = tl.check_shapes(W1, W2, X, Y)

    def rhs(t, w):
        A, B = w[:N * d].reshape(N, d), w[N * d:].reshape(d_out, N)
        g1, g2 = tl.gradients(A, B, X, Y)
        return np.concatenate([-g1.ravel(), sign_W2 * g2.ravel()])

    t = np.linspace(0.0, T, 201)
    sol = solve_ivp(rhs, (0.0, T), np.concatenate([W1.ravel(), W2.ravel()]), method="DOP853", t_eval=t,
                    rtol=1e-10, atol=1e-12)
    if sol.status != 0:
        raise RuntimeError(f"the flow did not integrate: {sol.message}")
    return sol.t, [(w[:N * d].reshape(N, d), w[N * d:].reshape(d_out, N)) for w in sol.y.T]


@claim("slides.linear2.gradient_flow", paper=PAPER, where="2-Layer Linear Networks, 'Gradient dynamics and Hessian'",
       statement="The gradient dynamics are W1' = -grad_W1 L = -W2^T E X^T = W2^T Y X^T - W2^T W2 W1 X X^T and "
                 "W2' = -Y X^T W1^T + W2 W1 X X^T W1^T.",
       correction="W2' = -grad_W2 L = -E X^T W1^T = Y X^T W1^T - W2 W1 X X^T W1^T: the printed W2' is +grad_W2 L, so "
                  "the printed system descends in W1 and ascends in W2 (it conserves W1 W1^T + W2^T W2 instead of "
                  "W1 W1^T - W2^T W2); W1' is right.")
def _(quick):
    X, Y, W1, W2, L = symbols(*SYMBOLIC)
    E = W2 * W1 * X - Y
    g1, g2 = tl.matrix_gradient(L, W1), tl.matrix_gradient(L, W2)
    yield Check(_zero(-g1 + W2.T * E * X.T) and _zero(-g1 - (W2.T * Y * X.T - W2.T * W2 * W1 * X * X.T)),
                f"SymPy at d, n, N, d' = {SYMBOLIC}: -dL/dW1 - (-W2^T E X^T) and -dL/dW1 - (W2^T Y X^T - W2^T W2 W1 X "
                f"X^T) expand to 0")
    printed = -Y * X.T * W1.T + W2 * W1 * X * X.T * W1.T
    as_ascent = _zero(printed - g2)
    X, Y, W1, W2 = problem(*SIZES)
    T = 20.0
    t, printed_path = _flow(X, Y, W1, W2, +1.0, T)
    _, derived_path = _flow(X, Y, W1, W2, -1.0, T)
    L_printed = np.array([tl.loss(a, b, X, Y) for a, b in printed_path])
    L_derived = np.array([tl.loss(a, b, X, Y) for a, b in derived_path])
    g2_num = tl.gradients(W1, W2, X, Y)[1]
    h = 1e-6
    rate = (tl.loss(W1, W2 + h * g2_num, X, Y) - tl.loss(W1, W2 - h * g2_num, X, Y)) / (2 * h)
    balance = [a @ a.T + b.T @ b for a, b in printed_path]
    drift = max(_rel(B, balance[0]) for B in balance)
    descent = _zero(printed + g2)
    yield Check(descent and rate < 0,
                f"SymPy: printed W2' + dL/dW2 expands to {'0' if descent else 'nonzero'}, printed W2' - dL/dW2 to "
                f"{'0 (the printed rate is +grad)' if as_ascent else 'nonzero'}; numerically (d, n, N, d' = {SIZES}) "
                f"moving W2 along the printed W2' changes L at rate {rate:.4f} (|grad_W2 L|^2 = "
                f"{np.sum(g2_num**2):.4f}); the printed system (DOP853 to t = {T:g}) takes L from {L_printed[0]:.4f} up "
                f"to {L_printed.max():.4f} at t = {t[np.argmax(L_printed)]:.1f}, its least value after t = 0 is "
                f"{L_printed[1:].min():.4f} (min L = {_global_min(X, Y):.1e}), and it keeps W1 W1^T + W2^T W2 to {drift:.1e}")
    yield from _corrected_w2(derived_path, L_derived, T)


def _corrected_w2(derived_path, L_derived, T):
    """The derived W2' (SymPy), the derived flow's descent and invariant, one engine step against the closed form."""
    X, Y, W1, W2, L = symbols(*SYMBOLIC)
    derived = Y * X.T * W1.T - W2 * W1 * X * X.T * W1.T
    E = W2 * W1 * X - Y
    symbolic = _zero(derived + tl.matrix_gradient(L, W2)) and _zero(derived + E * X.T * W1.T)
    X, Y, W1, W2 = problem(*SIZES)
    n = X.shape[1]
    eta = 0.1
    path, _ = tl.run(X, Y, W1, W2, eta, 1)
    g1, g2 = tl.gradients(W1, W2, X, Y)
    step = max(_rel(path[-1][0], W1 - eta / n * g1), _rel(path[-1][1], W2 - eta / n * g2))
    monotone = np.diff(L_derived).max()
    balance = [a @ a.T - b.T @ b for a, b in derived_path]
    drift = max(_rel(B, balance[0]) for B in balance)
    yield Check(symbolic and monotone <= 1e-12 and L_derived[-1] < 1e-6 * L_derived[0] and step < EXACT
                and drift < 1e-6,
                f"SymPy: (Y X^T W1^T - W2 W1 X X^T W1^T) + dL/dW2 and + E X^T W1^T expand to "
                f"{'0' if symbolic else 'nonzero'}; the derived flow's L falls monotonically (largest increase "
                f"{monotone:.1e}) from {L_derived[0]:.4f} to {L_derived[-1]:.1e} at t = {T:g}, keeping W1 W1^T - "
                f"W2^T W2 to {drift:.1e}; one engine GD step "
                f"(eta = {eta}, mean loss) equals W - (eta/n)(W2^T E X^T, E X^T W1^T) to {step:.1e}",
                about="correction")


# ---------------------------------------------------------------- the Hessian

CONVENTIONS = {"w = vec(W1^T), vec(W2^T) (as stated)": lambda W1, W2: [W1.T, W2.T],
               "w = vec(W1), vec(W2)": lambda W1, W2: [W1, W2]}


def printed_hessian_blocks(W1, W2, X, Y):
    """The slide's blocks ``{"H11", "C", "H22"}`` (SymPy); ``None`` for a block whose products do not fit.

    ``H11 = W2^T W2 (x) X X^T``, ``C = [W2^T (x) X X^T W1^T] + [I_N (x) X (E^T)_.1, ..., I_N (x) X (E^T)_.d']``,
    ``H22 = I_d' (x) X X^T W1 X X^T W1`` (defined only when ``N = d``).
    """
    kron = sympy.kronecker_product
    N, d, d_out, _ = tl.check_shapes(W1, W2, X, Y)
    E = W2 * W1 * X - Y
    G = X * X.T
    C = kron(W2.T, G * W1.T) + sympy.Matrix.hstack(*[kron(sympy.eye(N), X * E.T[:, i]) for i in range(d_out)])
    H22 = kron(sympy.eye(d_out), G * W1 * G * W1) if N == d else None
    return {"H11": kron(W2.T * W2, G), "C": C, "H22": H22}


@functools.lru_cache(maxsize=None)
def hessian_comparison(sizes):
    """For each convention of :data:`CONVENTIONS`: which printed blocks equal SymPy's, and the derived H22's residual."""
    X, Y, W1, W2, L = symbols(*sizes)
    N, d = W1.shape
    printed = printed_hessian_blocks(W1, W2, X, Y)
    out = {}
    for name, blocks in CONVENTIONS.items():
        H = tl.hessian(L, blocks(W1, W2))
        parts = {"H11": H[:N * d, :N * d], "C": H[:N * d, N * d:], "H22": H[N * d:, N * d:]}
        out[name] = {k: printed[k] is not None and printed[k].shape == v.shape and _zero(printed[k] - v)
                     for k, v in parts.items()}
        kron, G = sympy.kronecker_product, W1 * X * X.T * W1.T
        if name.endswith("(as stated)"):
            out["derived H22"] = _zero(parts["H22"] - kron(sympy.eye(W2.rows), G))
            out["printed H22 symmetric"] = None if printed["H22"] is None else _zero(printed["H22"] - printed["H22"].T)
        else:
            out["column blocks"] = (_zero(parts["H11"] - kron(X * X.T, W2.T * W2))
                                    and _zero(parts["H22"] - kron(G, sympy.eye(W2.rows))))
    return out


def _table(comparisons, block):
    return "; ".join(f"d, n, N, d' = {sizes}, {name}: {'holds' if result[name][block] else 'fails'}"
                     for sizes, result in comparisons for name in CONVENTIONS)


@claim("slides.linear2.hessian", paper=PAPER, where="2-Layer Linear Networks, 'Gradient dynamics and Hessian'",
       statement="In w = vec(W1^T, W2^T), grad^2 L = [[W2^T W2 (x) X X^T, C], [C^T, I_d' (x) X X^T W1 X X^T W1]] with "
                 "C = [W2^T (x) X X^T W1^T] + [I_N (x) X (E^T)_.1, ..., I_N (x) X (E^T)_.d'].",
       correction="The lower-right block is I_d' (x) W1 X X^T W1^T (N d' x N d'); the printed I_d' (x) X X^T W1 X "
                  "X^T W1 is undefined unless N = d and is not even symmetric then. The blocks W2^T W2 (x) X X^T and "
                  "C are right in the stated convention w = vec(W1^T), vec(W2^T) (vec stacking columns); in vec(W1), "
                  "vec(W2) the diagonal blocks read X X^T (x) W2^T W2 and W1 X X^T W1^T (x) I_d' instead.")
def _(quick):
    comparisons = [(sizes, hessian_comparison(sizes)) for sizes in (SYMBOLIC, (2, 3, 2, 2))]
    stated = next(iter(CONVENTIONS))
    for block in ("H11", "C"):
        yield Check(all(result[stated][block] for _, result in comparisons),
                    f"printed {block} against SymPy's Hessian of L: {_table(comparisons, block)}")
    square = comparisons[1][1]["printed H22 symmetric"]
    yield Check(all(result[stated]["H22"] for _, result in comparisons),
                f"printed H22 = I_d' (x) X X^T W1 X X^T W1: at N = {SYMBOLIC[2]} != d = {SYMBOLIC[0]} the product X X^T "
                f"W1 ({SYMBOLIC[0]}x{SYMBOLIC[0]} times {SYMBOLIC[2]}x{SYMBOLIC[0]}) is undefined; "
                f"{_table(comparisons, 'H22')}; at N = d it is {'' if square else 'not '}symmetric")
    X, Y, W1, W2 = problem(*SIZES, seed=2)
    N, d = W1.shape

    def engine_gradient(w):
        A = w[:N * d].reshape(d, N, order="F").T  # w = vec(W1^T), vec(W2^T): W1^T = reshape in column order
        B = w[N * d:].reshape(N, -1, order="F").T
        g1, g2 = tl.engine_gradients(A, B, X, Y)
        return np.concatenate([tl.vec(g1.T), tl.vec(g2.T)])

    w = np.concatenate([tl.vec(W1.T), tl.vec(W2.T)])
    fd = tl.finite_difference_jacobian(engine_gradient, w)
    H = tl.full_hessian(W1, W2, X, Y)
    error = _rel(H, fd)
    yield Check(all(result["derived H22"] and result["column blocks"] for _, result in comparisons) and error < FD_TOL,
                f"SymPy: H22 - I_d' (x) W1 X X^T W1^T expands to 0 at d, n, N, d' = {SYMBOLIC} and (2, 3, 2, 2), and in "
                f"vec(W1), vec(W2) the diagonal blocks are X X^T (x) W2^T W2 and W1 X X^T W1^T (x) I_d'; the "
                f"corrected Hessian ({H.shape[0]}x{H.shape[1]} at d, n, N, d' = {SIZES}) against central differences "
                f"(h = 1e-6) of the engine's backward-pass gradient: relative error {error:.1e} (tolerance {FD_TOL:g})",
                about="correction")


# ---------------------------------------------------------------- Lemma 4


def _null_drift(path, X, start):
    """``max_k |W1_k P - W1_0 P| / |W1_0 P|`` with ``P`` the projector onto ``Null(X^T)``."""
    P = tl.null_projector(X)
    reference = start @ P
    return max(np.linalg.norm(W1 @ P - reference) for W1, _ in path) / np.linalg.norm(reference)


BATCHES = (None, 1, 2, 3)  # full batch, and minibatches of n = 4 examples (3 does not divide 4)
ETAS = {None: 0.5, 1: 0.1, 2: 0.25, 3: 0.25}


@claim("slides.linear2.lemma4", paper=PAPER, where="2-Layer Linear Networks, Lemma 4 and its proof",
       statement="For GD and SGD with any mini-batch size, no iteration adds an element of Null(X^T) to the rows of W1 "
                 "(dL/dW1 = W2^T E X^T, and W2^T E_t X_t^T for a mini-batch); hence if the rows of W1 have no element "
                 "in Null(X^T) at some time (e.g. at initialisation), the sequence converges to a minimum-norm solution "
                 "if it converges to a solution.")
def _(quick):
    sizes = (3, 2, 2, 2)  # d > n, so Null(X^T) is a line: v = x_1 x x_2
    X, Y, W1, W2, L = symbols(*sizes)
    v = X[:, 0].cross(X[:, 1])
    residuals = [_zero(X.T * v)]
    for columns in ([0], [1], [0, 1]):
        Xb, Yb = X[:, columns], Y[:, columns]
        gradient = tl.matrix_gradient(tl.loss(W1, W2, Xb, Yb), W1)
        residuals += [_zero(gradient - W2.T * (W2 * W1 * Xb - Yb) * Xb.T), _zero(gradient * v)]
    yield Check(all(residuals),
                f"SymPy at d, n, N, d' = {sizes}: v = x_1 x x_2 spans Null(X^T) (X^T v expands to 0); for each "
                f"mini-batch {{1}}, {{2}}, {{1, 2}} the derived dL_t/dW1 equals W2^T E_t X_t^T and dL_t/dW1 v expands "
                f"to 0: every update is orthogonal to Null(X^T)")
    drifts = []
    for seed in _seeds(quick):
        X, Y, W1, W2 = problem(*SIZES, seed)
        for batch in BATCHES:
            path, _ = tl.run(X, Y, W1, W2, ETAS[batch], 100, batch_size=batch, seed=seed)
            drifts.append(_null_drift(path, X, W1))
    yield Check(max(drifts) < EXACT,
                f"engine, d, n, N, d' = {SIZES}, W1 started with its Null(X^T) part, {len(drifts)} runs of 100 epochs "
                f"(full batch, mini-batches 1, 2, 3, reshuffled): max_k |W1_k P - W1_0 P| / |W1_0 P| <= "
                f"{max(drifts):.1e} (tolerance {EXACT:g})")
    rows = []
    for seed in _seeds(quick):
        X, Y, W1, W2 = problem(*SIZES, seed)
        A_min = tl.min_norm(X, Y)
        for batch in BATCHES:
            in_col = tl.run(X, Y, _in_col(W1, X), W2, ETAS[batch], 400, batch_size=batch, seed=seed,
                            record_every=400)[0][-1]
            free = tl.run(X, Y, W1, W2, ETAS[batch], 400, batch_size=batch, seed=seed, record_every=400)[0][-1]
            offset = free[1] @ W1 @ tl.null_projector(X)  # the limit's B_X = W2(inf) W1(0) P
            rows.append((_rel(in_col[1] @ in_col[0], A_min), _rel(free[1] @ free[0] - A_min, offset),
                         _rel(free[1] @ free[0], A_min), tl.loss(*free, X, Y)))
    rows = np.array(rows)
    yield Check(rows[:, 0].max() < CONVERGED and rows[:, 1].max() < CONVERGED and rows[:, 3].max() < 1e-20,
                f"{len(rows)} runs of 400 epochs: with the rows of W1 started in Col(X), |W2 W1 - A*_min| / |A*_min| <= "
                f"{rows[:, 0].max():.1e}; started with a Null(X^T) part the runs also interpolate (L <= "
                f"{rows[:, 3].max():.1e}) but end at A*_min + W2(end) W1(0) P_Null(X^T) (to {rows[:, 1].max():.1e}), "
                f"{rows[:, 2].min():.2f} to {rows[:, 2].max():.2f} of |A*_min| away from it (tolerance {CONVERGED:g})")


# ---------------------------------------------------------------- Lemma 5


def stationary_W1(W2, X, Y, seed=0):
    """A random point of ``{W1 : W2^T (W2 W1 X - Y) X^T = 0}``: ``W2^+ Y X^+ + Z - W2^+ W2 Z X X^+``."""
    Z = np.random.default_rng(seed).standard_normal((W2.shape[1], X.shape[0]))
    W2p, Xp = np.linalg.pinv(W2), np.linalg.pinv(X)
    return W2p @ Y @ Xp + Z - W2p @ W2 @ Z @ X @ Xp


def _projector(M):
    Q = null_space(M.T)  # Col(M) is the orthogonal complement of Null(M^T)
    return np.eye(M.shape[0]) - Q @ Q.T


def random_W2(d_out, N, kind, seed):
    """A nonzero ``W2 (d', N)``: ``"full"`` (Gaussian, full row rank), ``"sparse"`` (one nonzero entry), ``"rank one"``."""
    rng = np.random.default_rng(100 + seed)
    if kind == "full":
        return rng.standard_normal((d_out, N))
    if kind == "sparse":
        W2 = np.zeros((d_out, N))
        W2[0, seed % N] = rng.uniform(0.5, 2.0)
        return W2
    return np.outer(rng.standard_normal(d_out), rng.standard_normal(N))


def _lemma5_rows(kind, sizes, seeds):
    """Per seed, for ``W2 = random_W2(..., kind)``: |P_Col(D) - P_Col(I (x) X^T)| (``D = W2 (x) X^T``), over three
    random W1-stationary points the largest |grad_W1 L| and ``L - min_A L``, and the ranks of W2, D, X."""
    rows = []
    for seed in seeds:
        X, Y, _, _ = problem(*sizes, seed)
        W2 = random_W2(sizes[3], sizes[2], kind, seed)
        D = np.kron(W2, X.T)
        gap = np.abs(_projector(D) - _projector(np.kron(np.eye(len(W2)), X.T))).max()
        points = [stationary_W1(W2, X, Y, seed + k) for k in range(3)]
        grad = max(np.abs(tl.gradients(W1, W2, X, Y)[0]).max() for W1 in points)
        excess = max(tl.loss(W1, W2, X, Y) - _global_min(X, Y) for W1 in points)
        rows.append((gap, grad, excess, np.linalg.matrix_rank(W2), np.linalg.matrix_rank(D), np.linalg.matrix_rank(X)))
    return np.array(rows)


@claim("slides.linear2.lemma5", paper=PAPER, where="2-Layer Linear Networks, Lemma 5 and its proof",
       statement="If W2 != 0, every stationary point w.r.t. W1 is a global minimum (proof: L = |D vec(W1^T) - "
                 "vec(Y^T)|^2/2 with D = W2 (x) X^T, a stationary point projects vec(Y^T) onto Col(D), and W2 != 0 "
                 "gives Col(D) = Col(X^T)).",
       correction="Col(D) = Col(W2) (x) Col(X^T), which is Col(I_d' (x) X^T) iff W2 has full row rank d'. So: if W2 has "
                  "rank d' (needs N >= d'; for d' = 1 this is W2 != 0), every stationary point w.r.t. W1 is a global "
                  "minimum. For d' > 1 and rank W2 < d', a W1-stationary point leaves the part of the projected targets "
                  "Y X^+ X outside Col(W2): L = min L + |(I - P_Col(W2)) Y X^+ X|^2 / 2.")
def _(quick):
    X, Y, W1, W2, _ = symbols(*SYMBOLIC)
    D = sympy.kronecker_product(W2, X.T)
    yield Check(_zero(tl.vec((X.T * W1.T * W2.T)) - D * tl.vec(W1.T)),
                f"SymPy at d, n, N, d' = {SYMBOLIC}: vec(X^T W1^T W2^T) - (W2 (x) X^T) vec(W1^T) expands to 0 (the "
                f"proof's rewriting of L)")
    seeds = _seeds(quick)
    rows = np.vstack([_lemma5_rows(kind, sizes[:3] + (1,), seeds)
                      for kind in ("full", "sparse") for sizes in (SIZES, (3, 5, 4))])
    yield Check(rows[:, 0].max() < EXACT and rows[:, 1].max() < EXACT and rows[:, 2].max() < EXACT,
                f"d' = 1, d, n, N = {SIZES[:3]} and (3, 5, 4), {len(rows)} W2 != 0 (dense and with one nonzero entry): "
                f"|P_Col(D) - P_Col(X^T)| <= {rows[:, 0].max():.1e}; at 3 random W1-stationary points each (W2^+ Y "
                f"X^+ + Z - W2^+ W2 Z X X^+), |grad_W1 L| <= {rows[:, 1].max():.1e} and L - min L <= "
                f"{rows[:, 2].max():.1e} (tolerance {EXACT:g})")
    yield from _lemma5_rank_one(quick)
    for d_out in (2, 3):
        for sizes in (SIZES[:3] + (d_out,), (3, 5, 4, d_out)):
            rows = _lemma5_rows("full", sizes, seeds)
            yield Check(rows[:, 0].max() < EXACT and rows[:, 1].max() < EXACT and rows[:, 2].max() < EXACT
                        and rows[:, 3].min() == d_out,
                        f"W2 of full row rank {d_out}, d, n, N = {sizes[:3]}: |P_Col(D) - P_Col(I (x) X^T)| <= "
                        f"{rows[:, 0].max():.1e}; W1-stationary points: |grad_W1 L| <= {rows[:, 1].max():.1e}, "
                        f"L - min L <= {rows[:, 2].max():.1e} (min L = {_global_min(*problem(*sizes)[:2]):.4f})",
                        about="correction")


def _lemma5_rank_one(quick):
    """d' = 2, ``W2 = u v^T != 0``: SymPy shows ``u_perp (x) X^T c`` orthogonal to Col(D); the loss gap, numerically."""
    d, n, N, _ = SYMBOLIC
    X = symbols(*SYMBOLIC)[0]
    u, v, c = tl.matrix_symbols("u", 2, 1), tl.matrix_symbols("v", N, 1), tl.matrix_symbols("c", d, 1)
    D = sympy.kronecker_product(u * v.T, X.T)
    r = sympy.kronecker_product(sympy.Matrix([-u[1], u[0]]), X.T * c)
    symbolic = _zero(D.T * r)
    rows, predicted = _lemma5_rows("rank one", SIZES[:3] + (2,), _seeds(quick)), []
    for seed in _seeds(quick):
        X_, Y_, _, _ = problem(*SIZES[:3], 2, seed)
        W2 = random_W2(2, SIZES[2], "rank one", seed)
        P_perp = np.eye(2) - W2 @ np.linalg.pinv(W2)
        predicted.append(0.5 * np.sum((P_perp @ Y_ @ np.linalg.pinv(X_) @ X_) ** 2))
    gap = np.max(np.abs(rows[:, 2] - predicted))
    ranks = {name: sorted(set(rows[:, i].astype(int).tolist())) for name, i in (("D", 4), ("X", 5))}
    L_min = _global_min(*problem(*SIZES[:3], 2)[:2])
    yield Check(not symbolic and rows[:, 2].max() < EXACT,
                f"d' = 2, W2 = u v^T != 0: SymPy, D^T (u_perp (x) X^T c) expands to {'0' if symbolic else 'nonzero'} "
                f"with u_perp = (-u_2, u_1), so Col(D) misses the u_perp (x) Col(X^T) part of Col(I (x) X^T); "
                f"numerically (d, n, N = {SIZES[:3]}), rank D = {ranks['D']}, rank X = {ranks['X']}, rank (I (x) X^T) "
                f"= {2 * int(rows[0, 5])}, |P_Col(D) - P_Col(I (x) X^T)| >= {rows[:, 0].min():.2f}; at W1-stationary "
                f"points (|grad_W1 L| <= {rows[:, 1].max():.1e}) L - min L = "
                f"{', '.join(f'{e:.4f}' for e in rows[:, 2])} (min L = {L_min:.1e}), equal to |(I - P_Col(W2)) Y X^+ X|^2/2 "
                f"to {gap:.1e}")


# ---------------------------------------------------------------- Theorem 2

THEOREM2_EPOCHS = 400


def _converged(X, Y, W1, W2, batch, seed=0, epochs=THEOREM2_EPOCHS):
    """The engine's ``(W1, W2)`` after ``epochs`` at the step of :data:`ETAS` (mini-batch ``batch``)."""
    return tl.run(X, Y, W1, W2, ETAS[batch], epochs, batch_size=batch, seed=seed, record_every=epochs)[0][-1]


def saddle_start():
    """A start satisfying Theorem 2's hypotheses that GD and SGD carry to a saddle (d = 4, n = 3, N = 4, d' = 2).

    ``x_3`` is orthogonal to ``x_1, x_2`` (exactly, in floating point), the second output fits only example 3
    (``Y_2 = e_3^T``, ``Y_1`` vanishes there), the rows of ``W1`` lie in ``span(x_1, x_2)`` (in Col(X), none in
    Null(X^T)) and ``W2 = [w^T; 0] != 0``. Then ``W1 x_3 = 0`` and the zero row of ``W2`` stay exactly: both updates
    of them are multiples of ``W1 x_3`` and of ``E_1 X^T x_3 = 0``, for any mini-batch.
    """
    X = np.array([[1.0, 0.5, 0.0], [0.3, 1.0, 0.0], [0.0, 0.0, 1.5], [0.2, -0.4, 0.0]])
    Y = np.array([[1.0, -0.5, 0.0], [0.0, 0.0, 1.0]])
    rng = np.random.default_rng(1)
    W1 = 0.5 * rng.standard_normal((4, 2)) @ X[:, :2].T
    W2 = np.vstack([0.5 * rng.standard_normal(4), np.zeros(4)])
    return X, Y, W1, W2


def restricted_basis(X, N, d_out):
    """An orthonormal basis (columns) of ``{w : rows of W1 in Col(X)}`` in ``w = vec(W1^T), vec(W2^T)``.

    ``vec(W1^T) = (I_N (x) Q) vec(B^T)`` for ``W1 = B Q^T``, ``Q`` an orthonormal basis of Col(X); W2 is free.
    """
    Q = null_space(tl.null_projector(X))
    return block_diag(np.kron(np.eye(N), Q), np.eye(d_out * N))


@claim("slides.linear2.theorem2", paper=PAPER, where="2-Layer Linear Networks, Theorem 2",
       statement="If the rows of W1 are initialised with no element in Null(X^T) and W2 != 0, gradient descent (and "
                 "stochastic gradient descent) converges to a minimum-norm solution, W2 W1 -> A*_min = Y X^T (X X^T)^+ "
                 "(by Lemmas 4 and 5).",
       correction="For d' = 1 (W2 != 0 at the limit), and for d' > 1 when the limit has W2 of full row rank d' (the "
                  "corrected Lemma 5), a limit of GD/SGD started with the rows of W1 in Col(X) is the minimum-norm "
                  "solution A*_min with the rows of W1 in Col(X). W2 != 0 at the start does not suffice for d' > 1: "
                  "a start with a zero row of W2 and W1 x_j = 0 for the examples that row alone must fit stays on a "
                  "strict saddle with L > min L; random starts, and that start perturbed by 1e-6, reach A*_min.")
def _(quick):
    rows = []
    for seed in _seeds(quick):
        for d_out in (1, 2):
            X, Y, W1, W2 = problem(*SIZES[:3], d_out, seed)
            A_min = tl.min_norm(X, Y)
            for batch in (None, 1, 2):
                W1_end, W2_end = _converged(X, Y, _in_col(W1, X), W2, batch, seed)
                rows.append((_rel(W2_end @ W1_end, A_min), np.abs(W1_end @ tl.null_projector(X)).max(),
                             tl.loss(W1_end, W2_end, X, Y), np.linalg.svd(W2_end, compute_uv=False)[-1]))
    rows = np.array(rows)
    yield Check(rows[:, 0].max() < CONVERGED and rows[:, 1].max() < EXACT,
                f"d, n, N = {SIZES[:3]}, d' = 1 and 2, {len(rows)} random starts with the rows of W1 projected onto "
                f"Col(X), GD (eta = {ETAS[None]}) and SGD (batches 1, 2; eta = {ETAS[1]}, {ETAS[2]}), "
                f"{THEOREM2_EPOCHS} epochs: |W2 W1 - A*_min| / |A*_min| <= {rows[:, 0].max():.1e}, |W1 P_Null(X^T)| <= "
                f"{rows[:, 1].max():.1e}, L <= {rows[:, 2].max():.1e} (tolerance {CONVERGED:g})")
    X, Y, W1, W2 = saddle_start()
    A_min = tl.min_norm(X, Y)
    ends = {batch: _converged(X, Y, W1, W2, batch) for batch in (None, 1, 2)}
    gaps = {batch: tl.loss(*end, X, Y) - _global_min(X, Y) for batch, end in ends.items()}
    grads = max(np.abs(g).max() for end in ends.values() for g in tl.gradients(*end, X, Y))
    distances = ", ".join(f"{_rel(W2e @ W1e, A_min):.3f}" for W1e, W2e in ends.values())
    yield Check(max(_rel(W2e @ W1e, A_min) for W1e, W2e in ends.values()) < CONVERGED,
                f"start of saddle_start() (d, n, N, d' = 4, 3, 4, 2; |W1 P_Null(X^T)| = "
                f"{np.abs(W1 @ tl.null_projector(X)).max():.1e}, |W2| = {np.linalg.norm(W2):.2f}): GD and SGD (batches "
                f"1, 2) end at stationary points (|grad| <= {grads:.1e}) with L - min L = "
                f"{', '.join(f'{g:.4f}' for g in gaps.values())} (min L = {_global_min(X, Y):.1e}) and "
                f"|W2 W1 - A*_min| / |A*_min| = {distances}")
    yield from _theorem2_correction(rows, ends)


def _theorem2_correction(rows, ends):
    """The saddle's limits against the corrected hypothesis (rank W2 < d', strict saddle, escape when perturbed)."""
    X, Y, W1, W2 = saddle_start()
    A_min = tl.min_norm(X, Y)
    basis = restricted_basis(X, *W2.T.shape)
    curvature = min(np.linalg.eigvalsh(basis.T @ tl.full_hessian(*end, X, Y) @ basis)[0] for end in ends.values())
    ranks = {int(np.linalg.matrix_rank(end[1])) for end in ends.values()}
    rng = np.random.default_rng(7)
    kick = 1e-6 * rng.standard_normal(W2.shape)
    escaped = [_rel(W2e @ W1e, A_min) for W1e, W2e in
               (_converged(X, Y, W1, W2 + kick, batch, epochs=2000) for batch in (None, 1, 2))]
    yield Check(ranks == {1} and curvature < 0 and max(escaped) < CONVERGED and rows[:, 3].min() > 1e-3,
                f"the saddle_start() limits have rank W2 = {sorted(ranks)} < d' = 2 (outside the corrected hypothesis) "
                f"and are strict saddles within the hypotheses' subspace (least eigenvalue of the Hessian restricted to "
                f"rows of W1 in Col(X): {curvature:.3f}); perturbing W2 by 1e-6 (2000 epochs) gives |W2 W1 - A*_min| / "
                f"|A*_min| = {', '.join(f'{e:.1e}' for e in escaped)} (GD, SGD 1, 2); the random starts' limits have "
                f"least singular value of W2 >= {rows[:, 3].min():.3f} (full row rank) and are A*_min",
                about="correction")


# ---------------------------------------------------------------- the final remark: any loss L(W^T X)

MARGIN_LOSSES = {"bce": 0.5, "exponential": 0.1}  # loss -> eta
MARGIN_EPOCHS = {True: 150, False: 600}


def _labels(n, seed):
    """Binary labels 0/1 with both classes (separable by a linear map when d >= n)."""
    labels = np.random.default_rng(seed).integers(0, 2, n)
    labels[:2] = (0, 1)
    return labels


def _margin_runs(quick):
    """Null(X^T) drift, weight growth and final loss under the margin losses: one layer ``f = W^T x``, two layers."""
    rows, epochs = [], MARGIN_EPOCHS[quick]
    for seed in _seeds(quick):
        X, _, W1, W2 = problem(*SIZES[:3], 1, seed)
        labels = _labels(X.shape[1], seed)
        P = tl.null_projector(X)
        W = np.random.default_rng(seed).standard_normal((X.shape[0], 1))
        for loss_name, eta in MARGIN_LOSSES.items():
            for batch in (None, 1):
                history = train(Network((X.shape[0], 1), activation="linear", bias=False),
                                GradientDescent(eta, loss=loss_name), tl.dataset(X, labels=labels), epochs, batch,
                                seed=seed, params=[W], record_params=True)
                path = [p[0] for p in history.params]
                drift = max(np.linalg.norm(P @ (Wk - W)) for Wk in path) / np.linalg.norm(P @ W)
                rows.append(("one layer", loss_name, batch, drift, np.linalg.norm(path[-1]) / np.linalg.norm(W),
                             history["train_loss"][-1]))
                path2, history2 = tl.run(X, None, W1, W2, eta, epochs, batch_size=batch, seed=seed, labels=labels,
                                         loss_name=loss_name)
                rows.append(("two layers", loss_name, batch, _null_drift(path2, X, W1),
                             np.linalg.norm(path2[-1][0]) / np.linalg.norm(W1), history2["train_loss"][-1]))
    return rows


@claim("slides.linear2.any_loss", paper=PAPER, where="2-Layer Linear Networks, final remark after Theorem 2",
       statement="The analysis holds for any loss of the form L(W^T X), not only the square loss: grad_W L(W^T X) = "
                 "X^T grad_Z L(Z), so the update to W is in the span of the data X and does not change the projection "
                 "of W on the null space of X; a small null-space component stays small.")
def _(quick):
    d, n, k = 3, 2, 2
    X, W, Z = tl.matrix_symbols("X", d, n), tl.matrix_symbols("W", d, k), tl.matrix_symbols("Z", k, n)
    F = sympy.Function("F")(*Z)  # an arbitrary differentiable loss of all the entries of Z
    at = dict(zip(list(Z), list(W.T * X)))
    G = tl.matrix_gradient(F, Z).subs(at)
    residual = (tl.matrix_gradient(F.subs(at), W) - X * G.T).applyfunc(lambda e: sympy.simplify(e.doit()))
    v = X[:, 0].cross(X[:, 1])
    yield Check(_zero(residual) and _zero(v.T * X * G.T),
                f"SymPy, d = {d}, n = {n}, W in R^{{{d},{k}}}, L = F(W^T X) with F an undefined function of the "
                f"{k * n} entries of Z: grad_W L - X (grad_Z L)^T simplifies to 0 (the slide's X^T grad_Z L is this "
                f"with Z read as X^T W, examples as rows), and v^T X (grad_Z L)^T = 0 for v = x_1 x x_2 spanning "
                f"Null(X^T)")
    rows = _margin_runs(quick)
    parts = []
    for name in ("one layer", "two layers"):
        for loss in MARGIN_LOSSES:
            mine = np.array([r[3:] for r in rows if r[:2] == (name, loss)])
            parts.append(f"{name}, {loss} (eta = {MARGIN_LOSSES[loss]}): the Null(X^T) part of "
                         f"{'W' if name == 'one layer' else 'the rows of W1'} moves by <= {mine[:, 0].max():.1e} of its "
                         f"size while |W| grows x{mine[:, 1].min():.2f} to x{mine[:, 1].max():.2f} and the mean loss "
                         f"falls to <= {mine[:, 2].max():.1e}")
    yield Check(max(r[3] for r in rows) < EXACT,
                f"engine, d, n = {SIZES[:2]}, random labels (separable as d >= n), GD and SGD (batch 1), {MARGIN_EPOCHS[quick]} "
                f"epochs: "
                + "; ".join(parts) + f" (tolerance {EXACT:g})")


# ---------------------------------------------------------------- the polynomial network, eq. 15-17

POLY_SIZES = (3, 8, 5, 2)  # (d, n, N, d'): n > d, "the case of interest"


@functools.lru_cache(maxsize=None)
def polynomial_derivatives(m, sizes=SYMBOLIC):
    """SymPy at ``sizes``: ``(dL/dW1 - [m (W1 X)^(m-1) o (W2^T E)] X^T == 0, dL/dW2 - E ((W1 X)^m)^T == 0,
    shape of E' = m (W1 X)^(m-1) o (W2^T E))`` for ``L = |W2 (W1 X)^m - Y|^2 / 2``."""
    X, Y, W1, W2, _ = symbols(*sizes)
    L = tl.loss(W1, W2, X, Y, m)
    g1, g2 = tl.gradients(W1, W2, X, Y, m)
    E = tl.error(W1, W2, X, Y, m)
    E_prime = m * (W1 * X).applyfunc(lambda e: e ** (m - 1)).multiply_elementwise(W2.T * E)
    return _zero(tl.matrix_gradient(L, W1) - g1), _zero(tl.matrix_gradient(L, W2) - g2), E_prime.shape


def _polynomial_fd(m, seed=0):
    """Relative errors of eq. 16 (bracketed) and eq. 17 against central differences at :data:`POLY_SIZES`, and of the
    other grouping ``m (W1 X)^(m-1) o ((W2^T E) X^T)`` at ``n = d`` (where its shapes fit)."""
    X, Y, W1, W2 = problem(*POLY_SIZES, seed)
    g1, g2 = tl.gradients(W1, W2, X, Y, m)
    fd1 = tl.finite_difference_gradient(lambda w: tl.loss(w.reshape(W1.shape), W2, X, Y, m), W1.ravel())
    fd2 = tl.finite_difference_gradient(lambda w: tl.loss(W1, w.reshape(W2.shape), X, Y, m), W2.ravel())
    Xs, Ys, W1s, W2s = problem(4, 4, 5, 2, seed)
    E = tl.error(W1s, W2s, Xs, Ys, m)
    other = m * (W1s @ Xs) ** (m - 1) * ((W2s.T @ E) @ Xs.T)
    return _rel(g1.ravel(), fd1), _rel(g2.ravel(), fd2), _rel(other, tl.gradients(W1s, W2s, Xs, Ys, m)[0])


@claim("slides.polynomial.eq16", paper=PAPER, where="1-hidden layer polynomial network, eq. 15-16",
       statement="For P_m(X) = W2 (W1 X)^m (entrywise power) and E = P_m(X) - Y: grad_W1 L = m (W1 X)^(m-1) o "
                 "(W2^T E) X^T = E' X^T with E' in R^{d',d}.",
       correction="grad_W1 L = E' X^T with E' = m (W1 X)^(m-1) o (W2^T E) in R^{N,n} (the Hadamard product taken "
                  "before the product with X^T); E' cannot be d' x d, and the other grouping m (W1 X)^(m-1) o "
                  "((W2^T E) X^T) multiplies an N x n by an N x d matrix, undefined unless n = d and wrong then.")
def _(quick):
    d, n, N, d_out = SYMBOLIC
    results = {m: polynomial_derivatives(m) for m in (2, 3)}
    yield Check(all(r[0] for r in results.values()),
                f"SymPy at d, n, N, d' = {SYMBOLIC}, m = 2, 3: dL/dW1 - [m (W1 X)^(m-1) o (W2^T E)] X^T expands to "
                f"{', '.join('0' if r[0] else 'nonzero' for r in results.values())}")
    shapes = {r[2] for r in results.values()}
    yield Check(shapes == {(d_out, d)},
                f"the E' that makes grad_W1 L = E' X^T is m (W1 X)^(m-1) o (W2^T E), of shape {sorted(shapes)} = "
                f"(N, n) (grad_W1 L is N x d = {N} x {d} and X^T is n x d), not (d', d) = {(d_out, d)}")
    errors = {m: _polynomial_fd(m) for m in ((2,) if quick else (2, 3, 4))}
    yield Check(all(e[0] < FD_TOL and e[2] > 0.1 for e in errors.values()),
                f"numerically at d, n, N, d' = {POLY_SIZES}: [m (W1 X)^(m-1) o (W2^T E)] X^T against central "
                f"differences (h = 1e-6): relative error "
                f"{', '.join(f'{e[0]:.1e} (m = {m})' for m, e in errors.items())} (tolerance {FD_TOL:g}); the other "
                f"grouping, computable only when n = d (d = n = 4, N = 5, d' = 2), is off by "
                f"{', '.join(f'{e[2]:.2f}' for e in errors.values())} (relative)",
                about="correction")


@claim("slides.polynomial.eq17", paper=PAPER, where="1-hidden layer polynomial network, eq. 17",
       statement="grad_W2 L = E ((W1 X)^m)^T.")
def _(quick):
    results = {m: polynomial_derivatives(m) for m in (2, 3)}
    yield Check(all(r[1] for r in results.values()),
                f"SymPy at d, n, N, d' = {SYMBOLIC}, m = 2, 3: dL/dW2 - E ((W1 X)^m)^T expands to "
                f"{', '.join('0' if r[1] else 'nonzero' for r in results.values())}")
    errors = {m: _polynomial_fd(m) for m in ((2, 3) if quick else (2, 3, 4))}
    yield Check(all(e[1] < FD_TOL for e in errors.values()),
                f"at d, n, N, d' = {POLY_SIZES} against central differences (h = 1e-6): relative error "
                f"{', '.join(f'{e[1]:.1e} (m = {m})' for m, e in errors.items())} (tolerance {FD_TOL:g})")


# ---------------------------------------------------------------- Summary: the restricted strongly convex subspace


def _one_layer_convexity(X, Y, seed=0, pairs=200):
    """One layer ``L(W) = |W X - Y|^2 / 2``: ``lambda_min^+``, the least curvature over random pairs with rows in Col(X),
    the least eigenvalue of the Hessian ``I (x) X X^T`` and of its restriction to Col(X), and the engine's GD
    contraction against ``max |1 - (eta/n) lambda|``."""
    rng = np.random.default_rng(seed)
    P = tl.null_projector(X)
    lam = np.linalg.eigvalsh(X @ X.T)
    mu = lam[lam > 1e-10 * lam[-1]].min()

    def loss(W):
        return 0.5 * np.sum((W @ X - Y) ** 2)

    ratios = []
    for _ in range(pairs):
        W, V = (M - M @ P for M in rng.standard_normal((2, len(Y), X.shape[0])))
        slope = np.sum(((W @ X - Y) @ X.T) * (V - W))
        ratios.append(2 * (loss(V) - loss(W) - slope) / np.sum((V - W) ** 2))

    Q = null_space(P)
    restricted = np.kron(np.eye(len(Y)), Q.T @ X @ X.T @ Q)  # the Hessian I_d' (x) X X^T in Col(X) coordinates
    n, eta, epochs = X.shape[1], 0.5, 60
    W_star = tl.min_norm(X, Y)
    history = train(Network((X.shape[0], len(Y)), activation="linear", bias=False), GradientDescent(eta, "squared"),
                    tl.dataset(X, Y), epochs, params=[np.zeros((X.shape[0], len(Y)))], record_params=True)
    distances = [np.linalg.norm(p[0].T - W_star) for p in history.params]
    measured = (distances[-1] / distances[-11]) ** 0.1
    predicted = np.abs(1 - eta / n * lam[lam > 1e-10 * lam[-1]]).max()
    unrestricted = np.linalg.eigvalsh(np.kron(np.eye(len(Y)), X @ X.T))[0]
    return mu, min(ratios), unrestricted, np.linalg.eigvalsh(restricted)[0], measured, predicted


def _two_layer_curvature(X, Y, W1, W2):
    """Least eigenvalues of the Hessian restricted to rows of W1 in Col(X): at the origin and at the GD limit from
    ``(W1, W2)`` (rows projected), with the Hessian applied to the rescaling direction ``(W1, -W2)`` there."""
    basis = restricted_basis(X, *W2.T.shape)
    zero = np.linalg.eigvalsh(basis.T @ tl.full_hessian(0 * W1, 0 * W2, X, Y) @ basis)[0]
    W1_end, W2_end = _converged(X, Y, _in_col(W1, X), W2, None)
    H = tl.full_hessian(W1_end, W2_end, X, Y)
    at_min = np.linalg.eigvalsh(basis.T @ H @ basis)
    rescale = np.concatenate([tl.vec(W1_end.T), -tl.vec(W2_end.T)])
    return zero, at_min[0], at_min[np.abs(at_min).argmin()], np.linalg.norm(H @ rescale) / np.linalg.norm(rescale)


@claim("slides.linear2.summary_convex", paper=PAPER, where="Summary, first bullet",
       statement="For overparametric multilinear networks (linear models) with square loss and appropriate initial "
                 "conditions, GD evolves in a restricted strongly convex subspace (the column space of X', read: "
                 "weights whose rows lie in Col(X)), so its limit is the minimum-norm global minimum.",
       correction="For one layer L(W) = |W X - Y|^2/2 is lambda_min^+(X X^T)-strongly convex on {W : rows in Col(X)} "
                  "(not on all W), and GD from there converges linearly with factor max |1 - eta lambda| over the "
                  "nonzero eigenvalues lambda of X X^T. For two layers L(W1, W2) restricted to {rows of W1 in Col(X)} "
                  "is not convex: negative curvature at the saddle W1 = W2 = 0 and a singular Hessian at every global "
                  "minimum (the rescaling W1 -> c W1, W2 -> W2 / c). What carries over is that GD keeps the rows of W1, "
                  "hence of A = W2 W1, in Col(X) (Lemma 4), where L as a function of A is strongly convex with the same "
                  "modulus: L(A) - min L >= lambda_min^+ |A - A*_min|^2 / 2 along the path.")
def _(quick):
    rows = [_one_layer_convexity(*problem(*SIZES, seed)[:2], seed) for seed in _seeds(quick)]
    mu = [r[0] for r in rows]
    yield Check(all(r[1] >= r[0] * (1 - 1e-9) and abs(r[3] / r[0] - 1) < 1e-9 and abs(r[4] / r[5] - 1) < 1e-6
                    for r in rows),
                f"one layer, d, n, d' = {SIZES[0]}, {SIZES[1]}, {SIZES[3]}: lambda_min^+(X X^T) = "
                f"{', '.join(f'{m:.4f}' for m in mu)}; over 200 random pairs with rows in Col(X) the least "
                f"2 (L(V) - L(W) - <grad L(W), V - W>) / |V - W|^2 is {', '.join(f'{r[1]:.4f}' for r in rows)}, and the "
                f"Hessian restricted to Col(X) has least eigenvalue {', '.join(f'{r[3]:.4f}' for r in rows)} (= "
                f"lambda_min^+); without the restriction the Hessian's least eigenvalue is "
                f"{max(r[2] for r in rows):.1e} (flat along Null(X^T)); engine GD (eta = 0.5, mean loss) contracts "
                f"|W_k - A*_min| by "
                f"{', '.join(f'{r[4]:.6f}' for r in rows)} per step, max |1 - (eta/n) lambda| = "
                f"{', '.join(f'{r[5]:.6f}' for r in rows)}")
    two = [_two_layer_curvature(*problem(*SIZES, seed)) for seed in _seeds(quick)]
    yield Check(all(t[0] > 0 and t[1] > 1e-8 for t in two),
                f"two layers, d, n, N, d' = {SIZES}, Hessian restricted to rows of W1 in Col(X): least eigenvalue at "
                f"W1 = W2 = 0 {', '.join(f'{t[0]:.4f}' for t in two)}; at the GD limit "
                f"(A*_min) least eigenvalue {', '.join(f'{t[1]:.1e}' for t in two)}, the one nearest 0 is "
                f"{', '.join(f'{t[2]:.1e}' for t in two)}, and |H (W1, -W2)| / |(W1, -W2)| = "
                f"{', '.join(f'{t[3]:.1e}' for t in two)} (the rescaling direction)")
    yield from _summary_correction(quick, rows, two)


def _summary_correction(quick, rows, two):
    ratios = []
    for seed in _seeds(quick):
        X, Y, W1, W2 = problem(*SIZES, seed)
        lam = np.linalg.eigvalsh(X @ X.T)
        mu = lam[lam > 1e-10 * lam[-1]].min()
        A_min, L_min = tl.min_norm(X, Y), _global_min(X, Y)
        path, _ = tl.run(X, Y, _in_col(W1, X), W2, ETAS[None], 200)
        for W1k, W2k in path:
            gap = np.sum((W2k @ W1k - A_min) ** 2)
            if gap > 1e-20:
                ratios.append(2 * (tl.loss(W1k, W2k, X, Y) - L_min) / gap / mu)
    yield Check(min(ratios) >= 1 - 1e-9 and all(t[0] < 0 and abs(t[2]) < 1e-8 for t in two)
                and all(abs(r[4] / r[5] - 1) < 1e-6 for r in rows),
                f"along {len(ratios)} two-layer GD iterates (rows of W1 started in Col(X)), (L - min L) / "
                f"(lambda_min^+ |W2 W1 - A*_min|^2 / 2) >= {min(ratios):.6f} (>= 1: strong convexity in A on the "
                f"subspace); the restricted Hessian of L(W1, W2) has least eigenvalue <= {max(t[0] for t in two):.3f} "
                f"at 0 and an eigenvalue within {max(abs(t[2]) for t in two):.1e} of 0 at the limit; the one-layer GD "
                f"rate matches max |1 - (eta/n) lambda| to {max(abs(r[4] / r[5] - 1) for r in rows):.1e}",
                about="correction")
