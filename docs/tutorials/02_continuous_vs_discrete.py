# %% [markdown]
# # Continuous against discrete: the Euler map of a flow
#
# A training algorithm with step size `eta` is the unit Euler step of its flow
# `tau dz/dt = f(z)` with `tau = 1/eta` (DESIGN.md's convention: continuous time
# counts steps). This tutorial asks when the discrete iteration follows the flow:
# near a fixed point the Euler map `z -> z + h F(z)` is linear with matrix
# `I + h J`, so it is stable iff every eigenvalue `1 + h lambda` lies inside the
# unit circle, a stricter condition than the flow's `Re lambda < 0`.
#
# Run it as a script (`python docs/tutorials/02_continuous_vs_discrete.py`) or
# open it as a notebook with jupytext.

# %%
import numpy as np

from dynsys.integrate import solve_ivp
from dynsys.models import get
from dynsys.train.chain import minnorm

model = get("chain_minnorm_balanced")          # Minnorm eq. 16-17, derived and reduced
values = model.param_values(rho=0.3, r=2.0)    # x = y = 1, tau = 1
point = {"wbar": 1.0, "alpha": 1.0}
J = np.array(model.jacobian().subs(model.symbol_values(**values)).subs(
    {s: point[s.name] for s in model.state}), dtype=float)
lam = np.linalg.eigvals(J)
print("eigenvalues of the flow at (1, 1):", np.round(lam, 4))

# %% [markdown]
# ## Where the Euler map loses stability
# For a complex pair `lambda = a ± ib` (a < 0), `|1 + h lambda| < 1` iff
# `h < -2a / (a^2 + b^2)`. We compute that bound and check it against the
# spectral radius of `I + h J` on a grid of step sizes.

# %%
a, b = lam[0].real, abs(lam[0].imag)
h_critical = -2 * a / (a * a + b * b)
steps = np.linspace(0.01, 0.5, 50)
radius = [max(abs(np.linalg.eigvals(np.eye(2) + h * J))) for h in steps]
measured = steps[np.argmax(np.array(radius) >= 1.0)]
print(f"critical step from the eigenvalues: {h_critical:.4f}; first grid step with radius >= 1: {measured:.4f}")
assert abs(measured - h_critical) <= steps[1] - steps[0]

# %% [markdown]
# ## The iteration itself
# Euler iterates of the flow with a step below and above the bound, from a
# point near the fixed point: the first converges, the second spirals out.

# %%
flow = model.compile()
p = np.array([values[s.name] for s in model.params])


def euler(z0, h, n):
    """``n`` Euler steps of size ``h``; stops early once the iterate is 1e6 away."""
    z, out = np.array(z0, float), np.empty(2)
    for _ in range(n):
        flow.rhs(0.0, z, p, out)
        z = z + h * out
        if np.max(np.abs(z)) > 1e6:
            break
    return z


start = np.array([1.05, 1.0])
for h in (0.5 * h_critical, 1.5 * h_critical):
    end = euler(start, h, int(60 / h))
    print(f"h = {h:.3f}: distance from (1, 1) after t = 60: {np.linalg.norm(end - 1):.3g}")

# %% [markdown]
# ## The discrete algorithm approaches the flow at first order
# Minnorm's Alg. 1 on the chain (weights step `eta`, multiplier step
# `s = r eta`) against the 3-D flow at `t = k` steps: the distance halves when
# `eta` halves.

# %%
chain = get("chain_minnorm")
c_values = chain.param_values(rho=0.3, r=2.0)
distances = []
etas = [0.04, 0.02, 0.01]
for eta in etas:
    k = int(round(2.0 / eta))
    c_values["tau"] = 1 / eta
    pc = np.array([c_values[s.name] for s in chain.params])
    reference = solve_ivp(chain.compile(), (0, k), [0.5, 1.2, 0.1], method="dop853", args=(pc,),
                          rtol=1e-11, atol=1e-13, t_eval=[k]).y[:, -1]
    iterate = minnorm([0.5, 1.2], eta, 0.3, 2.0 * eta, k, alpha0=0.1)[-1]
    distances.append(np.max(np.abs(iterate - reference)))
order = np.polyfit(np.log(etas), np.log(distances), 1)[0]
print("distances:", np.round(distances, 5), f"fitted order {order:.2f}")
assert 0.8 < order < 1.2
