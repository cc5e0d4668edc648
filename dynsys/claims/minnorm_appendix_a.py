"""Claims of Minnorm App. A: the projected gradient updates of binary Minnorm classification (eq. 38-41).

The Lagrangian (38) is ``L = sum_l |W_l|^2/2 + sum_mu alpha_mu (1 - y_mu f(x_mu))``;
the paper's projected gradient descent-ascent on it is printed as eq. 40 (the
weight step) and eq. 41 (the multiplier step). Each printed step is checked
against the derivative of (38) in SymPy and by running it on separable data,
where the corrected pair (the training engine's ``MinnormClassification``)
must reach the hard-margin SVM of scikit-learn.
"""

import numpy as np
import sympy

from dynsys.claims.core import Check, claim
from dynsys.train import MinnormClassification, Network, trajectory
from dynsys.train.datasets import Dataset, separable_2d

PAPER = "minnorm"
ETA, S = 0.05, 0.05


def _symmetric_data():
    """Separable 2-D points and their mirror images with the opposite label: the SVM passes through 0."""
    half = separable_2d(n=20, margin=0.3, seed=1)
    X = np.vstack([half.X, -half.X])
    labels = np.concatenate([half.y, 1 - half.y])
    return X, labels, 2.0 * labels - 1


def _svm(X, labels):
    """The hard-margin SVM weights (scikit-learn, C large; its intercept is ~0 on mirrored data)."""
    from sklearn.svm import SVC

    svm = SVC(kernel="linear", C=1e8).fit(X, labels)
    return svm.coef_[0], float(svm.intercept_[0])


LIMIT = 1e6  # a weight beyond this counts as diverged


def _printed_run(X, signs, steps, weight_step, multiplier_margin):
    """Projected descent-ascent for ``f = w.x`` with a chosen weight step and multiplier residual.

    Returns ``(w, steps taken)``; stops early once ``|w|`` passes ``LIMIT``.
    """
    w, alpha = np.array([0.1, 0.0]), np.zeros(len(X))
    for step in range(1, steps + 1):
        w = weight_step(w, alpha)
        alpha = np.maximum(alpha + S * multiplier_margin(X @ w), 0.0)
        if not np.abs(w).max() < LIMIT:
            return w, step
    return w, steps


def _lagrangian_gradient():
    """SymPy: (-dL/dw of eq. 38, the printed direction of eq. 40, dL/dalpha, the printed residual of eq. 41)."""
    w = sympy.Matrix(sympy.symbols("w1 w2", real=True))
    x = sympy.Matrix(sympy.symbols("x1 x2", real=True))
    alpha, y = sympy.symbols("alpha y", real=True)
    f = (w.T * x)[0]
    lagrangian = (w.T * w)[0] / 2 + alpha * (1 - y * f)
    descent = -sympy.Matrix([lagrangian.diff(v) for v in w])
    printed40 = alpha * y * sympy.Matrix([f.diff(v) for v in w])
    return w, descent, printed40, lagrangian.diff(alpha), 1 - f, y, f


@claim("minnorm.appA.eq40", paper=PAPER, where="App. A, eq. 38, 40",
       statement="Projected gradient descent on the Lagrangian (38) steps the weights as "
                 "W_{t+1} = W_t + eta sum_mu alpha_t^mu y^mu dW f(x^mu, W_t) (eq. 40).",
       correction="W_{t+1} = W_t - eta (W_t - sum_mu alpha_t^mu y^mu dW f(x^mu, W_t)): the norm term "
                  "sum_l |W_l|^2/2 of (38) adds -eta W_t. Without it the iteration stops at the first "
                  "separating weights with margin >= 1 it reaches, not at the minimum-norm (maximum-margin) one.")
def _(quick):
    w, descent, printed, *_ = _lagrangian_gradient()
    residual = sympy.simplify(descent - printed)
    yield Check(residual == sympy.zeros(2, 1),
                f"SymPy, f = w.x: -dL/dw - (printed direction) = {list(residual)} (eq. 40 drops -w)")
    X, labels, signs = _symmetric_data()
    w_svm, intercept = _svm(X, labels)
    steps = 2000 if quick else 8000
    w_printed, _ = _printed_run(X, signs, steps, lambda w, a: w + ETA * X.T @ (a * signs),
                                lambda f: 1 - signs * f)
    gap = float(np.abs(w_printed - w_svm).max())
    yield Check(gap < 1e-3, f"eq. 40 as printed (with eq. 41's residual 1 - y f), {steps} steps on 40 mirrored "
                            f"separable points: w = {np.round(w_printed, 4).tolist()}, |w| = "
                            f"{np.linalg.norm(w_printed):.4f}; SVM w = {np.round(w_svm, 4).tolist()}, |w| = "
                            f"{np.linalg.norm(w_svm):.4f}; max gap {gap:.3g}")
    yield Check(residual + sympy.Matrix(w) == sympy.zeros(2, 1),
                "SymPy: the corrected step W - eta (W - sum alpha y dW f) is exactly -eta dL/dW", about="correction")
    iterates = trajectory(Network((2, 1), "linear", bias=False), MinnormClassification(ETA, s=S),
                          Dataset(X, labels, 2, "mirrored separable"), steps, [np.array([[0.1], [0.0]])])
    w_engine, alpha = iterates[-1, :2], iterates[-1, 2:]
    gap = float(np.abs(w_engine - w_svm).max())
    support = np.abs(np.abs(X @ w_svm) - 1) < 1e-3
    yield Check(gap < 1e-3 and abs(intercept) < 1e-3 and np.array_equal(alpha > 0, support),
                f"corrected pair (dynsys.train MinnormClassification, eta = s = {ETA}), {steps} steps: w = "
                f"{np.round(w_engine, 4).tolist()}, max gap to the SVM {gap:.2g} (SVM intercept {intercept:.1e}); "
                f"nonzero multipliers on exactly the {int(support.sum())} support vectors: "
                f"{np.array_equal(alpha > 0, support)}", about="correction")


@claim("minnorm.appA.eq41", paper=PAPER, where="App. A, eq. 38, 41",
       statement="The multipliers take the projected ascent step alpha_{t+1}^mu = pi+[alpha_t^mu + s(1 - f(x^mu))] "
                 "(eq. 41).",
       correction="alpha_{t+1}^mu = pi+[alpha_t^mu + s(1 - y^mu f(x^mu))]: dL/dalpha_mu of (38) is the constraint "
                  "residual 1 - y^mu f(x^mu). With 1 - f, every example is pushed towards f = +1, so the "
                  "negative class is misclassified.")
def _(quick):
    _, _, _, ascent, printed, y, f = _lagrangian_gradient()
    residual = sympy.factor(ascent - printed)
    yield Check(residual == 0, f"SymPy: dL/dalpha - (printed residual) = {residual} (zero only for y = 1)")
    X, labels, signs = _symmetric_data()
    steps = 2000 if quick else 8000
    w_printed, taken = _printed_run(X, signs, steps, lambda w, a: w - ETA * (w - X.T @ (a * signs)),
                                    lambda f: 1 - f)
    if taken < steps:
        yield Check(False, f"eq. 41 as printed (with the corrected eq. 40) on 40 mirrored separable points: the "
                           f"weights pass |w| = {LIMIT:.0e} after {taken} steps (diverges)")
    else:
        error = float(np.mean((X @ w_printed > 0) != (labels == 1)))
        yield Check(error == 0, f"eq. 41 as printed (with the corrected eq. 40), {steps} steps on 40 mirrored "
                                f"separable points: training error {error:.2f}, w = {np.round(w_printed, 4).tolist()}")
    yield Check(sympy.expand(ascent - (1 - y * f)) == 0, "SymPy: dL/dalpha = 1 - y f exactly", about="correction")
