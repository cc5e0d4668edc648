# %% [markdown]
# # The linear chain: from the loss to the stability map, with three witnesses
#
# Minnorm sec. 3.2 trains `yhat = w2 w1 x` on one example. This tutorial goes
# from the augmented Lagrangian (eq. 3) to the flow, reduces it to the balanced
# system (eq. 16-17), finds the fixed point, its eigenvalues and stability
# conditions in closed form, and checks them with the three witnesses of
# DESIGN.md: the symbolic analysis, the numba integrators against
# `scipy.integrate.solve_ivp`, and the discrete algorithm.

# %%
import numpy as np

from dynsys.integrate import ensemble, solve_ivp
from dynsys.models import get
from dynsys.stability import stability_report

full = get("chain_minnorm")
print("objective:", full.objective)
for name, f in zip(full.state, full.rhs):
    print(f"d{name}/dt =", f)

# %% [markdown]
# ## The balanced reduction proves itself
# `chain_minnorm_balanced` is `chain_minnorm` restricted to `w2 = w1` (an
# invariant manifold) and written in `wbar = w1^2`; each step records a proof.

# %%
model = get("chain_minnorm_balanced")
for proof in model.proofs:
    print(proof.kind, "|", proof.statement, "| holds:", proof.holds)
assert all(proof.holds for proof in model.proofs)

# %% [markdown]
# ## Fixed point, eigenvalues, conditions (symbolic witness)

# %%
from dynsys.models.chain import x, y  # noqa: E402

unit = model.substitute({x: 1, y: 1})
(fixed,) = unit.fixed_points()
print("fixed point:", fixed.point)
print("eigenvalues:", unit.eigenvalues(fixed))
conditions = unit.stability_conditions(fixed)
print("conditions:", conditions)

# %% [markdown]
# ## Numeric classification, confirmed by simulation

# %%
for rho, r in [(0.3, 2.0), (3.0, 1.0), (0.0, 2.0)]:
    (report,) = stability_report(model, {"rho": rho, "r": r})
    print(f"rho = {rho}, r = {r}: {report.class_}, confirmed by simulation: {report.confirmed_by_simulation}")
    assert report.confirmed_by_simulation

# %% [markdown]
# ## Our integrator against SciPy (second witness)

# %%
flow = model.compile()
p = np.array([model.param_values()[s.name] for s in model.params])
ours = solve_ivp(flow, (0, 40), [0.5, 0.0], method="dop853", args=(p,), rtol=1e-10, atol=1e-12, t_eval=[40])
scipy = solve_ivp(flow, (0, 40), [0.5, 0.0], method="scipy:DOP853", args=(p,), rtol=1e-10, atol=1e-12, t_eval=[40])
print("dop853 vs scipy:DOP853 at t = 40:", np.abs(ours.y - scipy.y).max())
assert np.abs(ours.y - scipy.y).max() < 1e-8

# %% [markdown]
# ## The stability map: measured decay rate against the eigenvalues
# One compiled ensemble call integrates a grid of (rho, r); the measured rate
# of approach to (1, 1) is compared with `-Re lambda_max`, and the spiral region
# with `r > rho^2/2`.

# %%
rho, r = np.meshgrid(np.linspace(0.3, 2.0, 10), np.linspace(0.2, 3.0, 10))
names = [s.name for s in model.params]
params = np.tile(p, (rho.size, 1))
params[:, names.index("rho")] = rho.ravel()
params[:, names.index("r")] = r.ravel()
t_eval = np.linspace(0.0, 150.0, 1501)
result = ensemble(flow, (0.0, 150.0), [1.001, 1.001], params, method="dop853", t_eval=t_eval, rtol=1e-11,
                  atol=1e-15)
distance = np.linalg.norm(result.y - 1.0, axis=1)            # members x times
window = (distance < 1e-2 * distance[:, :1]) & (distance > 1e-5 * distance[:, :1])
measured = np.array([-np.polyfit(t_eval[w], np.log(d[w]), 1)[0] for d, w in zip(distance, window)])
disc = rho.ravel() ** 2 - 2 * r.ravel()
predicted = np.where(disc < 0, rho.ravel(), rho.ravel() - np.sqrt(np.abs(disc)))
away = np.abs(2 * r.ravel() / rho.ravel() ** 2 - 1) > 0.3
error = np.abs(measured - predicted)[away] / predicted[away]
print(f"measured vs predicted decay rate, {away.sum()} points away from r = rho^2/2: max rel. error {error.max():.3f}")
assert error.max() < 0.1
classes = [model.classify({"rho": a, "r": b}, {"wbar": 1.0, "alpha": 1.0}).class_
           for a, b in zip(rho.ravel(), r.ravel())]
spiral = np.array([c == "stable spiral" for c in classes])
print(f"{spiral.sum()} of {rho.size} grid points classify as spirals (numeric eigenvalues)")
assert np.array_equal(spiral, r.ravel() > rho.ravel() ** 2 / 2)
