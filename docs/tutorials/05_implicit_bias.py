# %% [markdown]
# # Implicit bias: gradient descent finds the max-margin direction, slowly
#
# On linearly separable data the logistic loss has no minimum: gradient descent
# drives `|w|` to infinity. Soudry et al. (2018; the slides' Theorem 3) show
# that the direction it takes is the hard-margin SVM's,
# `w(t) = w_hat log t + rho(t)` with `rho` bounded, so the angle to `w_hat`
# decays only like `1/log t`. Minnorm (App. A) reaches the same SVM by dual
# ascent, exponentially fast. This tutorial measures both on one data set, and
# starts with the perceptron, whose update rule the slides print wrongly.
#
# Run it as a script (`python docs/tutorials/05_implicit_bias.py`) or open it as
# a notebook with jupytext.

# %%
import numpy as np

from dynsys.integrate import solve_ivp
from dynsys.models.shallow import shallow_classifier, shallow_minnorm_classifier
from dynsys.train import perceptron as pc

seed, X, labels = pc.theorem3_data()   # separable_2d(12, 0.3, seed): separable through the origin
Z = pc.fold(X, labels)                 # z_n = y_n x_n: the labels folded into the examples
print(f"separable_2d(12, margin 0.3, seed {seed}): {len(X)} points in the plane")

# %% [markdown]
# ## The perceptron: the update the proof needs
# The slides print `w <- w - eta y_i x_i if y_i w^T x_i < 0` and start at
# `w_0 = 0`. At zero every `y_i w^T x_i` is 0, so the strict rule never fires;
# and the minus sign makes each update worse for its own example. The rule
# that the gradient of `-y_i w^T x_i` gives, and that the proof of Theorem 1
# uses (eq. 11, 14), is `w <- w + eta y_i x_i if y_i w^T x_i <= 0`.

# %%
printed = pc.perceptron(X, labels, update_on="<")
wrong_sign = pc.perceptron(X, labels, sign=-1, max_epochs=100)
correct = pc.perceptron(X, labels)
svm = pc.max_margin(X, labels)                        # scikit-learn's SVC, no bias, polished on its KKT system
R = pc.input_radius(X)
print(f"as printed ('<'): {printed.updates} updates, w = {printed.w}")
print(f"printed sign ('-'): converged after 100 epochs? {wrong_sign.converged}")
print(f"corrected: {correct.updates} updates in {correct.epochs} epochs; bound (R/gamma)^2 = "
      f"{pc.novikoff_bound(R, svm.gamma):.1f}")
assert printed.updates == 0 and not wrong_sign.converged
assert correct.converged and correct.updates <= pc.novikoff_bound(R, svm.gamma)

# %% [markdown]
# ## The SVM and the asymptote it predicts
# `w_hat` solves `min |w|^2 s.t. w^T z_n >= 1` (eq. 4); its dual coefficients
# `alpha_n` are nonzero on the support vectors. Inserting
# `w = w_hat log t + w_tilde` into the flow of the exponential tail,
# `dw/dt = sum_n exp(-w^T z_n) z_n`, gives `exp(-z_n^T w_tilde) = alpha_n`
# on the support vectors, and a loss `sum_n alpha_n / t = |w_hat|^2 / t`.

# %%
a = pc.asymptote(X, labels)
print("w_hat =", a.w_hat.round(5), " support vectors:", a.support, " alpha =", a.alpha[a.support].round(4))
print("w_tilde =", a.w_tilde.round(4), " predicted loss constant |w_hat|^2 =", round(a.loss_constant, 5))
print("margins z_n.w_hat:", np.sort(Z @ a.w_hat).round(4))
assert np.allclose(np.exp(-Z[a.support] @ a.w_tilde), a.alpha[a.support])

# %% [markdown]
# ## Logistic regression to t = 1e8
# The flow `dW/dt = -dL/dW` of `L = sum_n log(1 + exp(-y_n W.x_n))` is derived
# by `shallow_classifier` (with `tau = 1`, so that gradient descent with step
# `eta` is at `t = eta k` after `k` steps) and integrated with log-spaced
# output. The angle to `w_hat` is computed as `2 atan2(|u - v|, |u + v|)` for
# unit vectors, which keeps its accuracy when it is tiny.

# %%
flow = shallow_classifier(X, labels, loss="bce", tau_value=1.0).compile()
t = np.geomspace(1.0, 1e8, 321)
sol = solve_ivp(flow, (0.0, 1e8), np.zeros(2), method="dop853", t_eval=t, args=(flow.params,),
                rtol=1e-10, atol=1e-12)
W = sol.y.T


def angle(W, v):
    """Angle between the rows of ``W`` and ``v``."""
    u = W / np.linalg.norm(W, axis=1, keepdims=True)
    v = v / np.linalg.norm(v)
    return 2 * np.arctan2(np.linalg.norm(u - v, axis=1), np.linalg.norm(u + v, axis=1))


theta = angle(W, a.w_hat)
rho = W - np.outer(np.log(t), a.w_hat)
for at in (1e2, 1e4, 1e6, 1e8):
    i = np.argmin(abs(t - at))
    print(f"t = {at:7.0e}: |w| = {np.linalg.norm(W[i]):7.3f}, angle = {np.degrees(theta[i]):6.3f} deg, "
          f"rho = {rho[i].round(4)}")
assert sol.status == 0 and np.linalg.norm(rho[-1] - a.w_tilde) < 1e-3

# %% [markdown]
# ## The direction converges like 1/log t
# With `rho -> w_tilde`, the small angle is `|P w_tilde| / (|w_hat| log t +
# w_hat.w_tilde/|w_hat|)`, `P` the projection across `w_hat`: `1/theta` is a
# straight line in `log t` with slope `|w_hat| / |P w_tilde|`. A fit over the
# last two decades, with the slope's standard error from `np.polyfit(cov=True)`:

# %%
late = t >= 1e6
(slope, intercept), cov = np.polyfit(np.log(t[late]), 1 / theta[late], 1, cov=True)
unit = a.w_hat / np.linalg.norm(a.w_hat)
across = np.linalg.norm(a.w_tilde - (a.w_tilde @ unit) * unit)
predicted = np.linalg.norm(a.w_hat) / across
print(f"1/theta = ({slope:.4f} +- {1.96 * np.sqrt(cov[0, 0]):.4f}) log t + {intercept:.3f}; "
      f"predicted slope {predicted:.4f}")
print(f"so after t = 1e8 the angle is still {np.degrees(theta[-1]):.2f} degrees")
assert abs(slope / predicted - 1) < 0.01

# %% [markdown]
# ## Minnorm on the same data: exponential convergence
# `shallow_minnorm_classifier(X, labels, bias=False)` derives Minnorm's flow
# from the Lagrangian `|W|^2/2 + sum_n alpha_n (1 - y_n W.x_n)`: the weights
# descend it, the multipliers ascend it at rate `r` and stay non-negative. Its
# fixed point is the SVM itself, `W = sum_n alpha_n z_n`. Near it the
# multipliers of the non-support vectors sit at 0, and the flow is linear in
# `(W, alpha_S)` with matrix `[[-I, Z_S^T], [-r Z_S, 0]] / tau`: its slowest
# eigenvalue predicts the rate.

# %%
r_rate = 2.0
minnorm = shallow_minnorm_classifier(X, labels, bias=False, tau_value=1.0, r_value=r_rate)
mflow = minnorm.compile()
tm = np.linspace(0.0, 40.0, 801)
msol = solve_ivp(mflow, (0.0, 40.0), np.zeros(2 + len(X)), method="dop853", t_eval=tm, args=(mflow.params,),
                 rtol=1e-12, atol=1e-14)
distance = np.linalg.norm(msol.y[:2].T - a.w_hat, axis=1)
S = a.support
J = np.block([[-np.eye(2), Z[S].T], [-r_rate * Z[S], np.zeros((len(S), len(S)))]])
print("eigenvalues of the linearisation:", np.linalg.eigvals(J).round(4))
rate = -np.linalg.eigvals(J).real.max()
window = (tm >= 10) & (tm <= 30)
fitted = -np.polyfit(tm[window], np.log(distance[window]), 1)[0]
print(f"Minnorm at t = 40: W = {msol.y[:2, -1].round(8)}, |W - w_hat| = {distance[-1]:.1e}")
print(f"multipliers: {msol.y[2:, -1].round(5)} (SVM: {a.alpha.round(5)})")
print(f"fitted decay rate of |W - w_hat| on [10, 30]: {fitted:.4f}; linearisation: {rate:.4f}")
assert distance[-1] < 1e-6 and np.allclose(msol.y[2:, -1], a.alpha, atol=1e-5)
assert abs(fitted / rate - 1) < 0.1

# %% [markdown]
# Gradient descent needed `t = 1e8` to bring the angle down to about a degree
# and a half; Minnorm lands on the SVM itself, weights and multipliers, by
# `t = 40`. The
# claims `slides.soudry.*` (`dynsys verify --paper slides`) check the same
# asymptotics for the exponential loss, the loss rate `|w_hat|^2 / t`, and
# discrete gradient descent below the step bound `2 / (beta sigma_max^2)`.
