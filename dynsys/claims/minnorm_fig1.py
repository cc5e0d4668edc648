"""Claims of Minnorm Fig. 1 (caption; sec. 1): min-norm fits of a sinusoid by ReLU networks with a random first layer.

The task, the fits and the study over draws are
``dynsys.train.experiments.random_features`` (x in [-1, 1], target sin(pi x),
ten points, units relu(a x + b) with a, b ~ N(0, 1), the second layer fitted by
the pseudo-inverse and trained from zero by the engine). Statements about
"the" network of the figure are checked on the medians over draws of the
training points and of the first layer (20 draws quick, 100 full), with the
fraction of draws where they hold in the evidence; the panels' own network is
draw ``FIGURE_SEED``. Whether the outcome depends on the task's free choices
(the period, the interval, the units' distribution) is measured on
:data:`random_features.VARIANTS`.
"""

import numpy as np
import scipy.linalg

from dynsys.claims.core import Check, claim
from dynsys.train import Network
from dynsys.train.experiments import random_features as rf

PAPER = "minnorm"
B_TO_D = (2, 5, 10)
LARGE = 500
AGREE_TOL = 1e-9  # engine iterate vs the closed form of gradient descent, relative to |w*|
NULL_TOL = 1e-10  # component of the trained weights in the null space of Phi, relative to |w*|
CONVERGED_TOL = 2 * rf.TOL  # engine distance to w* after the steps the closed form needs for rf.TOL
ZERO_TRAIN = 1e-20  # training MSE counted as zero, relative to the mean square target
N_INTERPOLANTS = 1000


def _fraction(mask):
    mask = np.asarray(mask, bool)
    return f"{int(mask.sum())}/{mask.size}"


def _medians(study, name, widths):
    return ", ".join(f"{n}: {study.median(name, n):.3g}" for n in widths)


def _engine_check(d, n, quick):
    Phi = d.phi(n)
    w_star = rf.min_norm_weights(Phi, d.y)
    scale = max(float(np.linalg.norm(w_star)), np.finfo(float).tiny)
    fit = rf.figure_fit(n, quick=quick, seed=d.seed, task=d.task)
    closed = rf.gd_iterate(Phi, d.y, fit.eta, fit.steps)
    agree = float(np.linalg.norm(fit.w - closed)) / scale
    distance = float(np.linalg.norm(fit.w - w_star)) / scale
    null = scipy.linalg.null_space(Phi)
    outside = float(np.linalg.norm(null.T @ fit.w)) / scale if null.size else 0.0
    lstsq = float(np.linalg.norm(np.linalg.lstsq(Phi, d.y, rcond=rf.rcond(Phi))[0] - w_star)) / scale
    lam = rf.spectrum(Phi, d.y).hessian_eigenvalues
    holds = (fit.status == "done" and agree < AGREE_TOL and outside < NULL_TOL and lstsq < AGREE_TOL
             and (distance < CONVERGED_TOL if fit.converged else True))
    reached = (f"converged: |w_k - w*|/|w*| = {distance:.1e} (tolerance {CONVERGED_TOL:g})" if fit.converged else
               f"stopped at the cap: |w_k - w*|/|w*| = {distance:.2g}, the closed form needs "
               f"{fit.steps_needed:,} steps for {rf.TOL:g}")
    return Check(holds, f"Nh = {n} (rank {lam.size}, kappa = lambda_max/lambda_min = "
                        f"{lam.max() / lam.min() if lam.size else 1:.2g}): engine GD from 0, eta = {fit.eta:.3g} "
                        f"(2/lambda_max = {2 / lam.max() if lam.size else np.inf:.3g}), {fit.steps:,} steps; "
                        f"|w_engine - w_k(closed form)|/|w*| = {agree:.1e} (tolerance {AGREE_TOL:g}); null-space "
                        f"component {outside:.1e} (tolerance {NULL_TOL:g}); {reached}; pinv vs numpy lstsq "
                        f"{lstsq:.1e}")


def _interpolant_check(d, study):
    Phi = d.phi(LARGE)
    w_star = rf.min_norm_weights(Phi, d.y)
    null = scipy.linalg.null_space(Phi)  # an orthonormal basis from scipy's SVD, independent of pinv
    rng = np.random.default_rng(0)
    others = w_star[:, None] + null @ (rng.standard_normal((null.shape[1], N_INTERPOLANTS))
                                       * np.geomspace(1e-3, 1e1, N_INTERPOLANTS))
    norms = np.linalg.norm(others, axis=0)
    residual = float(np.max(np.abs(Phi @ others - d.y[:, None])))
    train = rf.train_error(Phi, d.y, w_star) / float(np.mean(d.y ** 2))
    orthogonal = float(np.linalg.norm(null.T @ w_star) / np.linalg.norm(w_star))
    excess = float(np.min(norms ** 2 - np.linalg.norm(w_star) ** 2))
    pythagoras = float(np.max(np.abs(norms ** 2 - np.linalg.norm(w_star) ** 2 - np.linalg.norm(others - w_star[:, None],
                                                                                            axis=0) ** 2)))
    interpolating = study.interpolates(LARGE)
    holds = (train < ZERO_TRAIN and orthogonal < NULL_TOL and excess > 0 and residual < 1e-9
             and interpolating.mean() > 0.5)
    return Check(holds, f"Nh = {LARGE} on draw {d.seed}: training MSE / mean y^2 = {train:.1e} (zero below "
                        f"{ZERO_TRAIN:g}); null space of Phi of dimension {null.shape[1]}; |N^T w*|/|w*| = "
                        f"{orthogonal:.1e}; {N_INTERPOLANTS} other interpolants w* + N z (|Phi w - y| <= "
                        f"{residual:.1e}) all have a larger norm: |w|^2 - |w*|^2 >= {excess:.2e} (|w*| = "
                        f"{np.linalg.norm(w_star):.4f}), equal to |N z|^2 within {pythagoras:.1e}; Nh = {LARGE} "
                        f"interpolates in {_fraction(interpolating)} draws of the study")


@claim("minnorm.fig1.min_norm", paper=PAPER, where="Fig. 1 caption; sec. 1",
       statement="The trained second layer is the minimum-norm solution: gradient descent from zero weights converges "
                 "to w* = Phi^+ y (the least-squares fit of smallest norm for few units), and the large network "
                 "(Nh = 500, 50x more parameters than examples) attains zero training error with the lowest norm "
                 "among the infinity of solutions that do.")
def _(quick):
    d = rf.draw(rf.FIGURE_SEED)
    for n in rf.WIDTHS:
        yield _engine_check(d, n, quick)
    yield _interpolant_check(d, rf.study(quick, widths=rf.WIDTHS, ratios=()))


def _progression(study):
    """The criterion of panels B-D on ``study``'s medians: ``(training part holds, test part holds, evidence)``."""
    train = [study.median("train_error", n) for n in B_TO_D]
    test = [study.median("test_error", n) for n in B_TO_D]
    interpolating = study.interpolates(10)
    falls = train[0] > train[1] > train[2]
    zero = interpolating.mean() >= 0.5
    happy = test[1] < test[0] and test[1] < test[2]
    per_seed_happy = (study.column("test_error", 5) < study.column("test_error", 2)) & (
        study.column("test_error", 5) < study.column("test_error", 10))
    evidence = (f"{len(study.seeds)} draws: median training MSE (Nh {_medians(study, 'train_error', B_TO_D)}) "
                f"{'falls' if falls else 'does not fall'}; Nh = 10 interpolates (rank 10) in "
                f"{_fraction(interpolating)} draws (median rank {np.median(study.column('rank', 10)):g}); median "
                f"test MSE (Nh {_medians(study, 'test_error', B_TO_D)}): Nh = 5 below Nh = 2 in "
                f"{_fraction(study.column('test_error', 5) < study.column('test_error', 2))} draws, below Nh = 10 in "
                f"{_fraction(study.column('test_error', 5) < study.column('test_error', 10))}, below both in "
                f"{_fraction(per_seed_happy)}")
    return falls and zero, happy, evidence


def _correction(study):
    """The corrected progression on ``study``: ``(rank deficient at 10, median test error decreasing, evidence)``.

    Rank deficient: ``rank(Phi) < 10`` at Nh = 10 in at least 90 % of the draws and the median threshold above 10.
    """
    test = [study.median("test_error", n) for n in B_TO_D]
    deficient = study.column("rank", 10) < study.task.n_train
    decreasing = test[0] > test[1] > test[2]
    structural = deficient.mean() >= 0.9 and np.median(study.threshold) > 10
    beats = study.column("test_error", 10) < study.column("test_error", 5)
    quartiles = np.percentile(study.threshold, [25, 75])
    return structural, decreasing, (
        f"rank(Phi) < 10 at Nh = 10 in {_fraction(deficient)} draws; median test MSE "
        f"{', '.join(f'{t:.3g}' for t in test)} for Nh = 2, 5, 10 ({'' if decreasing else 'not '}decreasing); "
        f"Nh = 10 beats Nh = 5 in {_fraction(beats)} draws; interpolation threshold Nh* median "
        f"{np.median(study.threshold):g} (quartiles {quartiles[0]:g}-{quartiles[1]:g}), above 10 in "
        f"{_fraction(study.threshold > 10)} draws")


@claim("minnorm.fig1.progression", paper=PAPER, where="Fig. 1 B-D and caption; sec. 1",
       statement="As the number of hidden units goes from Nh = 2 to 5 to 10 (panels B, C, D) the network shows the "
                 "standard progression from underfitting the training data to overfitting, with a happy medium at "
                 "Nh = 5 (C): the training error falls to zero at Nh = 10 while the test error is lowest at Nh = 5.",
       correction="Random ReLU units relu(a x + b) with a, b ~ N(0, 1) do not interpolate ten points with ten units: "
                  "units whose kink -b/a lies outside the data are linear or zero on them and together span only "
                  "{1, x}, so rank(Phi) < 10 at Nh = 10 in nearly every draw and the training error stays positive. "
                  "The median test error falls monotonically from Nh = 2 to 5 to 10 (no overfitting at 10, no happy "
                  "medium at 5); zero training error starts only at the interpolation threshold Nh* (median about "
                  "45 units), and the median test error falls through Nh* as well (no peak). Ten units fall short "
                  "of interpolating for two periods, kinks uniform in the interval and x in [-3, 3] too; with two "
                  "periods on ten points no width up to 10 fits (median test error 0.5 to 0.6, that of f = 0 is "
                  "0.5), so there is no happy medium either.")
def _(quick):
    study = rf.study(quick)
    trained, happy, evidence = _progression(study)
    yield Check(trained, f"criterion (i), training error on the medians: strictly decreasing over Nh = 2, 5, 10 and "
                         f"zero (rank 10) at Nh = 10 in at least half the draws; {evidence}")
    yield Check(happy, f"criterion (ii), test error on the medians: Nh = 5 below both Nh = 2 and Nh = 10 "
                       f"({rf.TASK.describe()})")
    structural, decreasing, evidence = _correction(study)
    aligned = np.nanmedian(study.aligned_error, axis=0)
    at = {r: float(aligned[rf.RATIOS.index(r)]) for r in (0.5, 1.0, 2.0)}
    falls = at[0.5] > at[1.0] > at[2.0]
    yield Check(structural and decreasing and falls,
                f"checked: rank(Phi) < 10 at Nh = 10 in at least 90% of draws, median Nh* > 10, median test MSE "
                f"decreasing over Nh = 2, 5, 10 and over Nh*/2, Nh*, 2 Nh*; {rf.TASK.describe()}: {evidence}; median "
                f"test MSE at Nh*/2, Nh*, 2 Nh* per draw {at[0.5]:.3g}, {at[1.0]:.3g}, {at[2.0]:.3g} "
                f"({'falls' if falls else 'does not fall'})", about="correction")
    for name, task in rf.VARIANTS.items():
        variant = rf.study(quick, task=task, widths=rf.WIDTHS, ratios=())
        trained, happy, evidence = _progression(variant)
        structural, _, corrected = _correction(variant)
        yield Check(structural, f"variant {name} ({task.describe()}), checked: rank(Phi) < 10 at Nh = 10 in at least "
                                f"90% of draws and median Nh* > 10; the statement's criteria (i) "
                                f"{'hold' if trained else 'fail'}, (ii) {'hold' if happy else 'fail'}; {evidence}; "
                                f"{corrected}", about="correction")


@claim("minnorm.fig1.large_best", paper=PAPER, where="Fig. 1 E and caption; sec. 1",
       statement="The large network (Nh = 500, panel E) generalizes best of the four (Nh = 2, 5, 10, 500), although "
                 "it has 50x more parameters than training examples (ten).")
def _(quick):
    study = rf.study(quick, widths=rf.WIDTHS, ratios=())
    medians = {n: study.median("test_error", n) for n in rf.WIDTHS}
    best = min(medians, key=medians.get)
    errors = np.stack([study.column("test_error", n) for n in rf.WIDTHS], axis=1)
    wins = np.argmin(errors, axis=1) == rf.WIDTHS.index(LARGE)
    figure = errors[rf.FIGURE_SEED]
    variants = []
    for name, task in rf.VARIANTS.items():
        other = rf.study(quick, task=task, widths=rf.WIDTHS, ratios=())
        m = {n: other.median("test_error", n) for n in rf.WIDTHS}
        variants.append(f"{name}: median {m[LARGE]:.2g}, lowest {'yes' if min(m, key=m.get) == LARGE else 'no'}")
    yield Check(best == LARGE, f"criterion: the median over {len(study.seeds)} draws of the test MSE is lowest at "
                               f"Nh = {LARGE}; medians {', '.join(f'{n}: {v:.3g}' for n, v in medians.items())}; "
                               f"Nh = {LARGE} lowest of the four in {_fraction(wins)} draws; figure draw "
                               f"{rf.FIGURE_SEED}: {', '.join(f'{e:.3g}' for e in figure)} ({rf.TASK.describe()}); "
                               f"other tasks: {'; '.join(variants)}")
    network = Network((LARGE, 1), "linear", bias=False)
    trained = sum(p.size for p in network.init())
    fixed = 2 * LARGE  # a_j, b_j of the first layer: scalar input and bias term
    ratio = trained / rf.N_TRAIN
    yield Check(ratio == 50, f"trained parameters of the engine's second layer Network(({LARGE}, 1), bias=False): "
                             f"{trained} for {rf.N_TRAIN} examples, {ratio:g}x (the caption's 50x); counting the "
                             f"fixed first layer too ({fixed} weights on x and the bias input) gives "
                             f"{trained + fixed}, {(trained + fixed) / rf.N_TRAIN:g}x")
