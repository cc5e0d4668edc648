# %% [markdown]
# # Minimum norm: least squares, early stopping, and the frozen subspace of deep linear networks
#
# With more parameters than examples, a least-squares problem has infinitely
# many solutions. Gradient descent started at zero picks the one of minimum
# norm, because its updates never leave the span of the inputs (the slides'
# Lemma 3). Stopped early, it acts like ridge regression. In a deep linear
# network the same fact has a cost: the first layer's weights orthogonal to
# every input never move (the *frozen subspace*, Minnorm sec. 3.4), so the
# initial weights there stay forever, and Minnorm's weight decay removes them.
#
# Run it as a script (`python docs/tutorials/06_min_norm_and_frozen_subspace.py`)
# or open it as a notebook with jupytext.

# %%
import numpy as np
import sympy

from dynsys.models import deep_linear as dl
from dynsys.train.experiments import frozen_subspace as fs
from dynsys.train.experiments import least_squares as ls

problem = ls.generate(n=20, d=40, sigma=0.5, seed=0)
X, y = problem.X, problem.y
print(problem.describe())

# %% [markdown]
# ## Gradient descent from zero ends at the pseudo-inverse
# The engine's gradient descent on `L(w) = |Xw - y|^2 / (2n)`, 2000 steps of a
# step below `2 / mu_max`. Started at zero it converges to `w_+ = X^+ y`;
# started elsewhere, the part of the start in `ker X` is still there at the end.

# %%
eta = 0.9 * ls.step_bound(X)
w_plus = np.linalg.pinv(X) @ y
from_zero = ls.gd_engine(X, y, eta, 2000)[-1]
w0 = np.random.default_rng(1).standard_normal(X.shape[1])
from_w0 = ls.gd_engine(X, y, eta, 2000, w0=w0)[-1]
kernel = np.eye(X.shape[1]) - np.linalg.pinv(X) @ X
print(f"|w(zero start) - X^+ y| = {np.linalg.norm(from_zero - w_plus):.1e}")
print(f"|w(w0 start) - (X^+ y + P_ker w0)| = {np.linalg.norm(from_w0 - w_plus - kernel @ w0):.1e}")
assert np.linalg.norm(from_zero - w_plus) < 1e-8 and np.linalg.norm(from_w0 - w_plus - kernel @ w0) < 1e-8

# %% [markdown]
# ## Early stopping is a spectral filter, like ridge
# On the eigenvalues `mu` of `X^T X / n`, `k` steps of size `eta` keep the
# fraction `1 - (1 - eta mu)^k` of each direction of the data; ridge with
# `lambda` keeps `mu / (mu + lambda)`. Both pass the large `mu` and cut the
# small ones; they match best near `lambda = c / (eta k)`.

# %%
mu = ls.spectrum(X).mu
for k in (10, 100, 1000):
    gd = ls.filter_gd(mu, eta, k)
    ridge = ls.filter_ridge(mu, 1 / (eta * k))
    print(f"k = {k:4d}: early stopping keeps {gd.min():.3f}..{gd.max():.3f}, ridge(1/(eta k)) "
          f"{ridge.min():.3f}..{ridge.max():.3f}; largest difference {np.abs(gd - ridge).max():.3f}")

# %% [markdown]
# ## A deep linear network: the flow, and what it conserves
# `deep_linear` derives the gradient flow of `f(x) = x W_1 W_2 W_3` from the
# squared error, and Minnorm's from its Lagrangian. Gradient descent conserves
# the balancedness `W_(l+1) W_(l+1)^T - W_l^T W_l`; Minnorm's weight decay
# makes it decay like `exp(-2t/tau)`: both are proved symbolically here.

# %%
widths = (3, 2, 2, 1)
X_small, Y_small = [[1, 0.5, -1], [0.25, 2, 1]], [[1], [-0.5]]
balance = dl.balancedness(dl.weight_matrices(widths))
for method, decay in (("gd", 0), ("minnorm", -2 / dl.tau)):
    rates = dl.balancedness_rate(dl.deep_linear(widths, X_small, Y_small, method), widths)
    proved = all((rate - decay * B).applyfunc(sympy.expand).is_zero_matrix for rate, B in zip(rates, balance))
    print(f"{method}: dB_l/dt = {decay} * B_l for l = 1, 2: {proved}")
    assert proved

# %% [markdown]
# ## The frozen subspace (Minnorm Fig. 5, at a small size)
# A teacher labels 20 inputs in 40 dimensions; the student has three layers
# of 40 units. Batch gradient descent fits the data exactly, but its
# end-to-end map keeps the initial weights' part orthogonal to the inputs:
# its test error is above the pseudo-inverse's. Pruning that part (`W_1 ->
# P_X W_1`) gives the pseudo-inverse back. Minnorm removes it by itself.

# %%
from dynsys.train.datasets import Dataset  # noqa: E402
from dynsys.train.loop import trajectory  # noqa: E402

net = fs.network(n_inputs=40, hidden=40)
task = fs.task(0, n_inputs=40, n_examples=20)
print(f"pseudo-inverse test error: {task.test_error(task.min_norm()):.4f}")
data = Dataset(task.X, task.y, None, "student-teacher")
params = net.init(np, sigma_w=1.0, seed=3)
ends = {}
for method in fs.METHODS:
    path = trajectory(net, fs.algorithm(method, 20), data, 4000, params)
    weights, start = [], 0
    for a, b in zip(net.widths[:-1], net.widths[1:]):
        weights.append(path[-1, start:start + a * b].reshape(a, b))
        start += a * b
    ends[method] = net.end_to_end(np, weights)[:, 0]
    print(f"{method:8s}: training error {task.train_error(ends[method]):.1e}, test error "
          f"{task.test_error(ends[method]):.4f}, pruned {task.test_error(task.row_projector @ ends[method]):.4f}")
assert abs(task.test_error(ends["minnorm"]) - task.test_error(task.min_norm())) < 1e-6
assert task.test_error(ends["bgd"]) > task.test_error(task.min_norm())

# %% [markdown]
# ## But Minnorm needs weights large enough to start
# For three or more layers `W = 0` attracts Minnorm's weights whatever the
# multipliers: the data terms of the Lagrangian's gradient are of order
# `|W|^2`, the weight decay of order `|W|`. From small initial weights the
# network decays to the zero map before the multipliers grow enough
# (claim `minnorm.fig5.init_independence`).

# %%
small = trajectory(net, fs.algorithm("minnorm", 20), data, 4000, net.init(np, sigma_w=0.01, seed=3))
print(f"Minnorm from sigma_w = 0.01: largest weight at the end {np.abs(small[-1, :-20]).max():.1e}, "
      f"test error {task.test_error(np.zeros(40)):.4f} (the zero map)")
assert np.abs(small[-1, :-20]).max() < 1e-6
