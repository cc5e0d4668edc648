"""Closed-form eigenvalues against numpy on a finite-difference Jacobian, at random parameters."""

import numpy as np
import pytest
import sympy

from dynsys.models import get


def finite_difference_jacobian(f, z, p, h=1e-6):
    z = np.asarray(z, float)
    columns = [(np.asarray(f(z + h * e, p)) - np.asarray(f(z - h * e, p))) / (2 * h) for e in np.eye(len(z))]
    return np.column_stack(columns)


def sample(model, rng):
    """Parameter values by name at which the chosen fixed point is real."""
    values = {"x": rng.uniform(0.3, 2), "tau": rng.uniform(0.5, 3), "rho": rng.uniform(0, 2), "r": rng.uniform(0.1, 4)}
    values.update(gamma=rng.uniform(0.01, 0.2), omega=rng.uniform(0.5, 2), mu=rng.uniform(0, 3))
    values.update(a=rng.uniform(0.5, 2), b=rng.uniform(0.5, 2), c=rng.uniform(0.5, 2), d=rng.uniform(0.5, 2))
    values["y"] = rng.uniform(0.5, 2) * np.sign(values["x"])  # x y > gamma: a real balanced point
    return {p.name: values[p.name] for p in model.params}


def positive_point(model):
    """The fixed point with no negative coordinate at the default parameters."""
    for fp in model.fixed_points():
        if all(value.subs(model.symbol_values()).is_nonnegative for value in fp.point.values()):
            return fp.point
    raise AssertionError("no such fixed point")


@pytest.mark.parametrize(
    "model_id", ["chain_l2", "chain_minnorm", "chain_minnorm_balanced", "harmonic", "lotka_volterra", "van_der_pol"]
)
def test_closed_form_eigenvalues_match_numpy(model_id):
    model = get(model_id)
    point = positive_point(model)
    eigenvalues = model.eigenvalues(point)
    f = sympy.lambdify([model.state, model.params], list(model.rhs), "numpy")
    rng = np.random.default_rng(7)
    for _ in range(10):
        values = sample(model, rng)
        subs = {p: values[p.name] for p in model.params}
        z = [float(value.subs(subs)) for value in point.values()]
        p = [values[s.name] for s in model.params]
        expected = np.linalg.eigvals(finite_difference_jacobian(f, z, p))
        closed = np.array([complex(sympy.N(e.subs(subs))) for e in eigenvalues])
        assert np.allclose(np.sort_complex(closed), np.sort_complex(expected), rtol=1e-6, atol=1e-6)
