# %% [markdown]
# # Training networks: the discrete witness
#
# `dynsys.train` runs the papers' algorithms on real networks, written once
# against an array module (NumPy here; `backend="cupy"` on a GPU). This
# tutorial trains a linear classifier with gradient descent and with Minnorm
# (App. A), compares both with the maximum-margin SVM, trains a small ReLU
# network on scikit-learn's digits, and checks that the iterates follow the
# derived flow as the step shrinks.
#
# Run it as a script (`python docs/tutorials/04_training_networks.py`) or
# open it as a notebook with jupytext.

# %%
import numpy as np
from sklearn.svm import SVC

from dynsys.models import get
from dynsys.train import GradientDescent, MinnormClassification, MinnormRegression, Network, train, trajectory
from dynsys.train.datasets import Dataset, load_digits, separable_2d, split
from dynsys.train.flow_link import iterate_vs_flow

# %% [markdown]
# ## Gradient descent finds the max-margin direction slowly, Minnorm fast
# Mirrored separable points (so the SVM passes through the origin) and a
# linear model `f = w.x` without bias. Gradient descent on the logistic loss
# grows `|w|` without bound and, after a transient, turns towards the SVM
# direction only logarithmically in time (Soudry et al. 2018, Minnorm
# sec. 3.3); Minnorm's dual ascent converges to the SVM weights themselves.

# %%
half = separable_2d(n=20, margin=0.3, seed=1)
data = Dataset(np.vstack([half.X, -half.X]), np.concatenate([half.y, 1 - half.y]), 2, "mirrored")
w_svm = SVC(kernel="linear", C=1e8).fit(data.X, data.y).coef_[0]
linear = Network((2, 1), activation="linear", bias=False)
w0 = [np.array([[0.1], [0.0]])]


def angle(w):
    """Degrees between ``w`` and the SVM direction."""
    cosine = w @ w_svm / (np.linalg.norm(w) * np.linalg.norm(w_svm))
    return np.degrees(np.arccos(np.clip(cosine, -1, 1)))


gd = trajectory(linear, GradientDescent(0.5, loss="bce"), data, 4000, w0)
mn = trajectory(linear, MinnormClassification(0.05, s=0.05), data, 4000, w0)
for k in (10, 100, 1000, 4000):
    print(f"step {k:5d}: GD {angle(gd[k, :2]):6.3f} deg, |w| = {np.linalg.norm(gd[k, :2]):6.3f};  "
          f"Minnorm {angle(mn[k, :2]):6.3f} deg, |w| = {np.linalg.norm(mn[k, :2]):6.3f}")
print("SVM |w| =", round(float(np.linalg.norm(w_svm)), 3))
assert angle(mn[-1, :2]) < 0.01 < angle(gd[-1, :2])
assert np.abs(mn[-1, :2] - w_svm).max() < 1e-3

# %% [markdown]
# Only the support vectors keep a nonzero multiplier: the multipliers are the
# last `P` entries of each row of the trajectory.

# %%
alpha = mn[-1, 2:]
margins = (2 * data.y - 1) * (data.X @ mn[-1, :2])
print("examples with alpha > 0:", np.flatnonzero(alpha > 0), "their margins:", np.round(margins[alpha > 0], 4))
assert np.allclose(margins[alpha > 0], 1, atol=1e-3)

# %% [markdown]
# ## A ReLU network on digits
# `train` runs epochs of shuffled minibatches and records, after each epoch,
# the losses and errors on the training, validation and test parts, the
# weight norm, the capacity measure of Minnorm Fig. 6E and, for Minnorm, the
# fraction of examples with a nonzero multiplier. `History.save("run.nc")`
# writes it all (or `.npz`).

# %%
parts = split(load_digits(), (1078, 359, 360), seed=0)
network = Network((64, 100, 10), activation="relu")
runs = {
    "SGD": train(network, GradientDescent(0.1, loss="softmax_ce"), parts, 15, 64, seed=0),
    "Minnorm": train(network, MinnormClassification(1e-3, s=0.01, rho=0.3), parts, 15, 64, seed=0),
}
for name, history in runs.items():
    best = history.best_epoch("validation_error")
    at = history.at(best)
    print(f"{name:8s} best validation epoch {best:2d}: test error {100 * at['test_error']:.1f} %, "
          f"weight norm {at['weight_norm']:.1f}, capacity {at['capacity']:.1f}")
print("Minnorm examples with nonzero alpha after each epoch:", np.round(runs["Minnorm"]["nonzero_multipliers"], 2))
assert all(h.at(h.best_epoch("validation_error"))["test_error"] < 0.1 for h in runs.values())

# %% [markdown]
# ## The iterates follow the flow
# For the linear chain of Minnorm sec. 3.2, `k = T/eta` steps of Alg. 1 land
# next to the derived flow at `t = k` (with `tau = 1/eta`, `r = s/eta`), and
# the distance halves with eta: Euler's first order.

# %%
chain = Network((1, 1, 1), activation="linear", bias=False)
example = Dataset(np.array([[1.5]]), np.array([[0.8]]), None, "one example")
link = iterate_vs_flow(get("chain_minnorm"), chain, lambda eta: MinnormRegression(eta, s=2.0 * eta, rho=0.3),
                       example, [np.array([[0.5]]), np.array([[1.2]])], T=2.0, etas=[0.04, 0.02, 0.01],
                       alpha0=0.1, params={"x": 1.5, "y": 0.8, "rho": 0.3})
print("distances:", np.array(link.distances).round(6), "fitted order:", round(float(link.order), 3))
assert abs(link.order - 1) < 0.1
