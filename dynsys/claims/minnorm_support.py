"""Claims of Minnorm sec. 3.1 and Fig. 2: the multipliers at a fixed point play the role of support vectors.

With the classification Lagrangian of App. A (eq. 38, labels ``y_mu = +-1``),
``L = sum_l |W_l|^2/2 + sum_mu alpha_mu (1 - y_mu f(x_mu))``, a fixed point of
Minnorm has ``W_l = sum_mu alpha_mu y_mu df(x_mu)/dW_l`` for every layer (the
printed eq. 6 is its regression form, from eq. 4-5), ``sum_mu alpha_mu y_mu
df(x_mu)/db_l = 0`` for the unpenalised biases, ``y_mu f(x_mu) = 1`` where
``alpha_mu > 0`` and ``>= 1`` elsewhere (eq. 7 for inequality constraints).
The shallow case is the symbolic flow of ``dynsys.models.shallow``; the deep
networks are the training runs of ``dynsys.train.experiments.support_vectors``.
"""

import numpy as np

from dynsys.claims.core import Check, claim
from dynsys.integrate import solve_ivp
from dynsys.models.shallow import shallow_minnorm_classifier
from dynsys.train.datasets import separable_2d
from dynsys.train.experiments import support_vectors as sv

PAPER = "minnorm"
SHALLOW_DATA = ((12, 0.3, 1), (16, 0.5, 2), (20, 0.2, 3))  # separable_2d(n, margin, seed)
SHALLOW_T = {True: 20000.0, False: 50000.0}
WITNESS_T = {True: 2000.0, False: 20000.0}
SHALLOW_TOL = 1e-6
ALPHA_ZERO = 1e-6  # a multiplier of the integrated flow above this counts as nonzero
EQ6_TOL = 1e-5
SPARSE = 0.25
SEEDS = {True: (0,), False: (0, 1, 2)}


def _shallow_fixed_point(n, margin, seed, quick):
    """The shallow Minnorm flow with a bias (App. A eq. 38, ``f = w.x + b``) integrated from 0, and the SVM."""
    dataset = separable_2d(n, margin, seed)
    flow = shallow_minnorm_classifier(dataset.X, dataset.y, bias=True, r_value=1.0).compile()
    y0 = np.zeros(3 + n)
    witness_t, t1 = WITNESS_T[quick], SHALLOW_T[quick]
    ours = solve_ivp(flow, (0.0, t1), y0, method="dop853", t_eval=[witness_t, t1], args=(flow.params,),
                     rtol=1e-10, atol=1e-12, max_steps=2_000_000)
    ref = solve_ivp(flow, (0.0, witness_t), y0, method="scipy:DOP853", args=(flow.params,), rtol=1e-10, atol=1e-12)
    return ours, ref, sv.svm(dataset)


@claim("minnorm.sec31.shallow_svm", paper=PAPER, where="sec. 3.1; App. A, eq. 37-39",
       statement="In the shallow case (f = w.x + b) the Minnorm multipliers coincide exactly with the SVM's "
                 "support-vector coefficients: the fixed point of Minnorm is the hard-margin SVM, with "
                 "alpha_mu > 0 exactly on its support vectors and alpha_mu equal to its dual coefficients.")
def _(quick):
    for n, margin, seed in SHALLOW_DATA:
        ours, ref, svm = _shallow_fixed_point(n, margin, seed, quick)
        w, b, alpha = ours.y[:2, -1], ours.y[2, -1], ours.y[3:, -1]
        support = np.flatnonzero(alpha > ALPHA_ZERO)
        gaps = (float(np.abs(w - svm.coef).max()), abs(b - svm.intercept), float(np.abs(alpha - svm.alpha).max()))
        witness = float(np.abs(ours.y[:, 0] - ref.y[:, -1]).max())
        same = np.array_equal(support, svm.support)
        yield Check(ours.status == 0 and ref.status == 0 and same and max(gaps) < SHALLOW_TOL and witness < 1e-7,
                    f"separable_2d(n={n}, margin={margin}, seed={seed}), flow integrated to t = {SHALLOW_T[quick]:g} "
                    f"(tau = r = 1, dop853): multipliers > {ALPHA_ZERO:g} on {support.tolist()}, SVC support "
                    f"{svm.support.tolist()} ({'same' if same else 'different'}); |w - w_SVM| = {gaps[0]:.1e}, "
                    f"|b - b_SVM| = {gaps[1]:.1e}, |alpha - |dual_coef|| = {gaps[2]:.1e} (tolerance "
                    f"{SHALLOW_TOL:g}); dop853 vs scipy:DOP853 at t = {WITNESS_T[quick]:g}: {witness:.1e}")


def _numbers(values):
    return ", ".join(f"{v:.1e}" for v in values)


@claim("minnorm.sec31.eq6", paper=PAPER, where="sec. 3.1, eq. 6-7; App. A, eq. 38",
       statement="At a fixed point of Minnorm every weight matrix is a combination of the output's gradients "
                 "with the same multipliers for all layers: W_l = sum_mu alpha_mu y_mu df(x_mu)/dW_l (eq. 6 with "
                 "App. A's labels y_mu = +-1), the unpenalised biases satisfy sum_mu alpha_mu y_mu df(x_mu)/db_l "
                 "= 0, and the constraints hold: y_mu f(x_mu) = 1 where alpha_mu > 0, >= 1 elsewhere (eq. 7).")
def _(quick):
    for name, run in sv.study(quick).items():
        if run.status != "done":
            yield Check(False, f"{name}: training {run.message}")
            continue
        weights, biases = sv.eq6_residuals(run)
        yield Check(max(weights) < EQ6_TOL and max(biases) < EQ6_TOL,
                    f"{name} ReLU net after {run.steps} full-batch steps (eta = {run.eta:g}, s = {run.s:g}, rho = "
                    f"{run.rho:g}), per-example gradients by backpropagation: |W_l - sum alpha y df/dW_l| / |W_l| = "
                    f"{_numbers(weights)} for l = 1..{len(weights)}; |sum alpha y df/db_l| / sum alpha |df/db_l| = "
                    f"{_numbers(biases)} (tolerance {EQ6_TOL:g})")
        margin = sv.margins(run)
        active = run.alpha > 0
        slack = float(np.abs(margin[active] - 1).max())
        least = float(margin[~active].min())
        yield Check(slack < EQ6_TOL and least > 1 - EQ6_TOL,
                    f"{name}: |y f - 1| <= {slack:.1e} on the {int(active.sum())} examples with alpha > 0, "
                    f"y f >= {least:.4f} on the other {int((~active).sum())}; training error {run.train_error:g}")


def _compare(run, svm):
    """Counts of agreement between ``run``'s nonzero multipliers and the SVM's support vectors."""
    ours, theirs = set(run.support.tolist()), set(svm.support.tolist())
    return len(ours & theirs), sorted(ours - theirs), sorted(theirs - ours)


def _scaling(run, svm):
    """``(gap, sum_l |W_l|^2, D |w_SVM|^(2/D))``, gap the largest ``|alpha - |w_SVM|^(2/D - 2) alpha_SVM|``
    relative to ``max |w_SVM|^(2/D - 2) alpha_SVM``.

    A balanced rank-one chain of D layers (one ReLU unit per hidden layer, kept in its linear
    region by the biases) computes the SVM's ``w.x + b`` with ``sum_l |W_l|^2 = D |w|^(2/D)``;
    eq. 6 on its first layer then gives ``sum_mu alpha_mu y_mu x_mu = |w|^(2/D - 2) w``, while the
    SVM has ``sum_mu alpha_SVM y_mu x_mu = w``. D = 1 is the shallow case, where the two coincide.
    """
    D = run.network.depth
    predicted = np.linalg.norm(svm.coef) ** (2 / D - 2) * svm.alpha
    norm = sum(float((W * W).sum()) for W in run.network.weights(run.params))
    return float(np.abs(run.alpha - predicted).max() / predicted.max()), norm, D * np.linalg.norm(svm.coef) ** (2 / D)


def _boundary_agreement(run, svm, n=200):
    """Fraction of a grid over the data's bounding box (padded by 0.5) where ``sign f`` equals the SVM's sign."""
    X = sv.data().X
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    grid = np.stack(np.meshgrid(*(np.linspace(a, b, n) for a, b in zip(low, high))), axis=-1).reshape(-1, 2)
    return float(np.mean(np.sign(run.decision(grid)) == np.sign(svm.decision(grid))))


@claim("minnorm.fig2.support_vectors", paper=PAPER, where="sec. 3.1, Fig. 2",
       statement="Deep nonlinear networks trained with Minnorm (ReLU, 1 hidden layer of 100 units and 3 hidden "
                 "layers of 100) find the same support vectors as the linear SVM on a linearly separable binary "
                 "task: the examples with nonzero alpha_mu at the end of training are the SVM's support vectors.")
def _(quick):
    svm = sv.svm(sv.data())
    for seed in SEEDS[quick]:
        for name, run in sv.study(quick, seed=seed).items():
            if run.status != "done":
                yield Check(False, f"{name}, initialisation seed {seed}: training {run.message}")
                continue
            agree, extra, missing = _compare(run, svm)
            gap, norm, least = _scaling(run, svm)
            yield Check(not extra and not missing,
                        f"{name}, initialisation seed {seed}, {run.steps} steps: nonzero alpha on "
                        f"{run.support.tolist()}, SVC support vectors {svm.support.tolist()}: {agree} of "
                        f"{len(svm.support)} agree, {len(extra)} extra {extra}, {len(missing)} missing {missing}; "
                        f"sum_l |W_l|^2 = {norm:.6f} vs D |w_SVM|^(2/D) = {least:.6f} (D = {run.network.depth}), "
                        f"alpha vs |w_SVM|^(2/D-2) alpha_SVM: largest gap {gap:.1e} of max alpha; sign f = sign "
                        f"f_SVM on {100 * _boundary_agreement(run, svm):.2f} % of a grid over the data")


@claim("minnorm.fig2.sparsity", paper=PAPER, where="Fig. 2 caption; sec. 3.1",
       statement=f"The support-vector-like examples (nonzero alpha_mu at the end of Minnorm training) can be a small "
                 f"fraction of the data set: below {SPARSE:.0%} of the examples for Fig. 2's networks.")
def _(quick):
    for name, run in sv.study(quick).items():
        fraction = float(np.mean(run.alpha > 0))
        yield Check(run.status == "done" and fraction < SPARSE,
                    f"{name}: {int(np.sum(run.alpha > 0))} of {len(run.alpha)} examples ({fraction:.0%}) have "
                    f"nonzero alpha after {run.steps} steps ({run.status})")
