"""The unit-norm parametrisations of Theory III sec. 10-11 and eq. 81: gradients, invariants, schedules, steps by hand.

``NormDirection(unit_directions, project, retraction)`` gives weight normalisation
(eq. 52-53), the tangent gradient (eq. 50), coefficient normalisation (eq. 49)
and the Lagrange multiplier method (eq. 45-48); ``PrescribedNorm(alpha)`` sets
``rho = alpha(t)`` and trains the directions only (eq. 81).
"""

import math

import numpy as np
import pytest

from dynsys.models import get
from dynsys.train import GradientDescent, Network, NormDirection, ParametrisationError, PrescribedNorm, trajectory
from dynsys.train.datasets import Dataset
from dynsys.train.flow_link import flow_parameters, iterate_vs_flow
from dynsys.train.losses import LOSSES
from dynsys.train.parametrisation import DEFAULT_T0

NETWORK = Network((3, 2, 1), "sigmoid", bias=True)
LINEAR = Network((3, 1), "linear", bias=False)
RNG = np.random.default_rng(5)
X = RNG.standard_normal((6, 3))
Y = np.array([1, 0, 1, 1, 0, 0])
INDEX = np.arange(len(Y))

PARAMETRISATIONS = {
    "weight_norm": lambda: NormDirection(False),
    "tangent": lambda: NormDirection(True),
    "coefficient": lambda: NormDirection(True, project=False),
    "lagrange": lambda: NormDirection(True, project=False, retraction="lagrange"),
    "tangent_lagrange": lambda: NormDirection(True, retraction="lagrange"),
    "prescribed_log": lambda: PrescribedNorm("log"),
    "prescribed_coefficient": lambda: PrescribedNorm("inv_log", project=False),
}
UNIT = [name for name in PARAMETRISATIONS if name != "weight_norm"]


def start(parametrisation, network=NETWORK, eta=0.1, params=None):
    algorithm = GradientDescent(eta, loss="exponential", parametrisation=parametrisation)
    params = network.init(np, sigma_w=1.0, seed=4) if params is None else params
    return algorithm, algorithm.start(np, network, params, len(Y))


def mean_loss(network, params, X=X, Y=Y):
    return float(LOSSES["exponential"].value(np, network.forward(np, params, X), Y).mean())


# ---------------------------------------------------------------- gradients against finite differences


def finite_differences(function, variables, h=1e-6):
    """Central differences of ``function(variables)`` in every entry of every variable."""
    out = []
    for variable in variables:
        grad = np.zeros_like(variable, dtype=float)
        for i in np.ndindex(variable.shape):
            saved = variable[i].copy()
            variable[i] = saved + h
            up = function(variables)
            variable[i] = saved - h
            down = function(variables)
            variable[i] = saved
            grad[i] = (up - down) / (2 * h)
        out.append(grad)
    return out


@pytest.mark.parametrize("name", ["weight_norm", "tangent", "tangent_lagrange", "prescribed_log"])
def test_projected_gradients_are_the_gradients_of_the_loss_in_the_variables(name):
    """``dL/dv`` of ``L(p(v))`` for ``p = rho V/|V|`` (or ``alpha(t) V/|V|``), except the clock (its rate -1)."""
    parametrisation = PARAMETRISATIONS[name]()
    algorithm, state = start(parametrisation)
    mask = NETWORK.weight_mask()
    grads = algorithm.objective_gradient(np, NETWORK, state, INDEX, X, Y)
    numeric = finite_differences(lambda v: mean_loss(NETWORK, parametrisation.parameters(np, v, mask)),
                                 state["variables"])
    clock = isinstance(parametrisation, PrescribedNorm)
    for i, (analytic, fd) in enumerate(zip(grads, numeric)):
        if clock and i == 0:
            assert analytic == -1.0
        else:
            np.testing.assert_allclose(analytic, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["coefficient", "lagrange", "prescribed_coefficient"])
def test_unprojected_direction_gradient_is_that_of_the_loss_with_the_direction_free(name):
    """Coefficient normalisation (eq. 49) steps on ``dL(rho V)/dV`` (no 1/|V|), taken at ``|V| = 1``."""
    parametrisation = PARAMETRISATIONS[name]()
    algorithm, state = start(parametrisation)
    mask = NETWORK.weight_mask()
    variables = state["variables"]
    grads = algorithm.objective_gradient(np, NETWORK, state, INDEX, X, Y)
    slots = list(parametrisation._slots(mask))

    def free(v):
        return mean_loss(NETWORK, [parametrisation.norm(np, v, n) * v[s] if w else v[s] for w, n, s in slots])

    numeric = finite_differences(free, variables)
    for is_weight, _, slot in slots:
        np.testing.assert_allclose(grads[slot], numeric[slot], rtol=1e-6, atol=1e-8)
        if is_weight:
            assert abs(np.linalg.norm(variables[slot]) - 1) < 1e-15


# ---------------------------------------------------------------- invariants


@pytest.mark.parametrize("name", UNIT)
def test_unit_methods_keep_every_direction_on_the_sphere(name):
    parametrisation = PARAMETRISATIONS[name]()
    algorithm, state = start(parametrisation, eta=0.3)
    mask = NETWORK.weight_mask()
    for _ in range(20):
        algorithm.step(np, NETWORK, state, INDEX, X, Y)
    for is_weight, _, slot in parametrisation._slots(mask):
        if is_weight:
            assert abs(np.linalg.norm(state["variables"][slot]) - 1) < 1e-14
    params = algorithm.parameters(np, NETWORK, state)
    for (is_weight, norm_slot, slot), param in zip(parametrisation._slots(mask), params):
        if is_weight:
            rho = parametrisation.norm(np, state["variables"], norm_slot)
            assert np.linalg.norm(param) == pytest.approx(float(rho), rel=1e-13)


def test_weight_normalisation_grows_the_direction_norm_by_the_square_of_each_step():
    """``|v_{k+1}|^2 = |v_k|^2 + eta^2 |dL/dv|^2``: the step is orthogonal to ``v`` (Theory III sec. 11.2, discrete)."""
    W = np.array([[0.6], [-0.8], [0.0]])
    rows = trajectory(LINEAR, GradientDescent(0.2, loss="exponential", parametrisation=NormDirection(False)),
                      Dataset(X, Y, 2, "random"), 30, [W])
    v = rows[:, 1:]
    steps = np.diff(v, axis=0)
    np.testing.assert_allclose(np.diff((v**2).sum(axis=1)), (steps**2).sum(axis=1), rtol=1e-6, atol=1e-15)
    assert np.abs((v[:-1] * steps).sum(axis=1)).max() < 1e-15
    assert np.all(np.diff(np.linalg.norm(v, axis=1)) > 0)


# ---------------------------------------------------------------- prescribed alpha(t)


@pytest.mark.parametrize("schedule, formula", [("inv_log", lambda t: 1 / math.log(t)), ("log", math.log),
                                               ("log_log", lambda t: math.log(math.log(t))), ("exp", math.exp)])
def test_prescribed_norm_follows_the_schedule_of_t_equals_t0_plus_eta_k(schedule, formula):
    eta, t0 = 0.05, 3.0
    parametrisation = PrescribedNorm(schedule, t0=t0)
    assert parametrisation.name == f"prescribed_{schedule}"
    assert parametrisation.rho(np, np.float64(30.0)) == pytest.approx(formula(30.0), rel=1e-15)
    algorithm, state = start(parametrisation, network=LINEAR, eta=eta, params=[RNG.standard_normal((3, 1))])
    for k in range(1, 8):
        algorithm.step(np, LINEAR, state, INDEX, X, Y)
        assert float(state["variables"][0]) == pytest.approx(t0 + eta * k, rel=1e-14)
        (W,) = algorithm.parameters(np, LINEAR, state)
        assert np.linalg.norm(W) == pytest.approx(formula(t0 + eta * k), rel=1e-13)


def test_prescribed_norm_takes_a_callable_and_rejects_bad_schedules():
    parametrisation = PrescribedNorm(lambda t: 2 + 0 * t, t0=0.0)
    assert parametrisation.schedule == "<lambda>" and float(parametrisation.rho(np, np.float64(3.0))) == 2.0
    assert PrescribedNorm("log_log").rho(np, np.float64(DEFAULT_T0)) == pytest.approx(1.0)
    for bad in [dict(alpha="sqrt"), dict(alpha=3.0), dict(alpha="log_log", t0=2.0), dict(alpha="inv_log", t0=1.0),
                dict(alpha="log", t0=-1.0)]:
        with pytest.raises(ParametrisationError):
            PrescribedNorm(**bad)


def test_norm_direction_rejects_options_without_unit_directions():
    for options in [dict(project=False), dict(retraction="lagrange"), dict(unit_directions=True, retraction="x")]:
        with pytest.raises(ParametrisationError):
            NormDirection(**{"unit_directions": False, **options})
    names = {name: factory().name for name, factory in PARAMETRISATIONS.items()}
    assert names["weight_norm"] == "weight_norm" and names["tangent"] == "rho_v"
    assert names["coefficient"] == "coefficient_norm" and names["lagrange"] == "lagrange"
    with pytest.raises(ParametrisationError):
        NormDirection(True, retraction="lagrange").retract(np, [np.ones(()), np.ones((3, 1))], [True])


# ---------------------------------------------------------------- one step by hand


def one_step(parametrisation, eta, W):
    algorithm, state = start(parametrisation, network=LINEAR, eta=eta, params=[W.copy()])
    algorithm.step(np, LINEAR, state, INDEX, X, Y)
    return state["variables"]


def hand_gradient(W):
    """``G = dL/dW`` of the mean exponential loss of the linear network."""
    s = 2 * Y - 1
    return -(X * (s * np.exp(-s * (X @ W[:, 0])))[:, None]).mean(axis=0)[:, None]


@pytest.mark.parametrize("name", ["tangent", "coefficient", "lagrange"])
def test_one_unit_norm_step_by_hand(name):
    """Sec. 10.1-10.3 with ``g = -eta rho G``: tangent ``(V + S g)/|.|``, coefficient ``(V + g)/|.|``,
    Lagrange ``a V + g`` with ``a = sqrt(1 - |g|^2 + (V.g)^2) - V.g`` (eq. 48); ``rho <- rho - eta <G, V>``."""
    eta = 0.3
    W = np.array([[1.2], [-0.4], [0.5]])
    rho, V = np.linalg.norm(W), W / np.linalg.norm(W)
    G = hand_gradient(W)
    g = -eta * rho * G
    along = float((V * g).sum())
    expected = {"tangent": (V + g - along * V) / np.linalg.norm(V + g - along * V),
                "coefficient": (V + g) / np.linalg.norm(V + g),
                "lagrange": (math.sqrt(1 - (g * g).sum() + along**2) - along) * V + g}[name]
    new_rho, new_V = one_step(PARAMETRISATIONS[name](), eta, W)
    assert float(new_rho) == pytest.approx(rho - eta * float((G * V).sum()), rel=1e-14)
    np.testing.assert_allclose(new_V, expected, rtol=1e-13, atol=1e-15)


def test_one_prescribed_step_by_hand():
    eta, t0 = 0.2, 10.0
    W = np.array([[0.3], [0.9], [-0.2]])
    V = W / np.linalg.norm(W)
    rho = math.log(t0)
    G = hand_gradient(rho * V)
    tangent = V - eta * rho * (G - float((G * V).sum()) * V)
    clock, new_V = one_step(PrescribedNorm("log", t0=t0), eta, W)
    assert float(clock) == pytest.approx(t0 + eta, rel=1e-15)
    np.testing.assert_allclose(new_V, tangent / np.linalg.norm(tangent), rtol=1e-13, atol=1e-15)


def test_the_unit_norm_steps_agree_to_second_order():
    """One step of each of the three methods differs by O(eta^2) (Theory III sec. 10)."""
    W = np.array([[1.2], [-0.4], [0.5]])
    etas = np.array([0.04, 0.02, 0.01])
    spread = [np.abs(np.array([one_step(PARAMETRISATIONS[n](), eta, W)[1] for n in ("tangent", "coefficient",
                                                                                    "lagrange")])
                     - one_step(PARAMETRISATIONS["tangent"](), eta, W)[1]).max() for eta in etas]
    assert np.polyfit(np.log(etas), np.log(spread), 1)[0] == pytest.approx(2, abs=0.1)


# ---------------------------------------------------------------- the flow link with a summed loss


def test_objective_scale_compares_the_mean_loss_with_a_summed_flow():
    """The engine averages over P = 2 examples; Theory III's flow sums: tau = P/eta (objective_scale = 1/2)."""
    model = get("theory3_linear_gd")
    algorithm = GradientDescent(0.01, loss="exponential")
    assert flow_parameters(model, algorithm, 0.01, objective_scale=0.5)["tau"] == pytest.approx(200.0)
    data = Dataset(np.array([[1.0, 0.25], [0.5, 1.0]]), np.array([1, 1]), 2, "Fig. 2")
    link = iterate_vs_flow(model, Network((2, 1), "linear", bias=False),
                           lambda eta: GradientDescent(eta, loss="exponential"), data, [np.array([[0.6], [-0.8]])],
                           2.0, [0.02, 0.01, 0.005], objective_scale=0.5, second_witness=False)
    assert link.order == pytest.approx(1, abs=0.05) and link.distances[-1] < 1e-3
