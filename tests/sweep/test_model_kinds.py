"""The sweep kinds ``simulate`` and ``stability`` (dynsys.sweep.model_kinds): executors agree point by point,
numbers against closed forms (Minnorm eq. 18, the harmonic oscillator) and the library's own classifier,
bad input, and the stability map rebuilt on them unchanged."""

import numpy as np
import pytest
import sympy

from dynsys.figures import chain_stability_map
from dynsys.integrate import ensemble
from dynsys.models import get
from dynsys.stability import classified_fixed_points
from dynsys.sweep import SweepError, build, run_sweep
from dynsys.sweep import kinds as sweep_kinds
from dynsys.sweep.model_kinds import classes, decay
from dynsys.symbolic.analysis.stability import classify_eigenvalues

CHAIN = "chain_minnorm_balanced"
NEAR = {"delta": [1e-3, 1e-3], "t1": 120}  # start 1e-3 from the fixed point (1, 1) of eq. 17


def assert_same(a, b):
    """Every variable of two sweep Datasets equal, NaN where NaN (the error texts aside: see below)."""
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        if name == "error":  # the point executors prefix the exception type: compare which points failed
            assert np.array_equal(a[name].values != "", b[name].values != "")
            continue
        x, y = a[name].values, b[name].values
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert np.array_equal(x, y), name


@pytest.fixture(scope="module")
def simulate_spec():
    # rho = 0: a centre (no decay, class 'none'); max_steps = 400 fails the slowest points
    return build("simulate", CHAIN, ["rho=0:2:4", "r=log:0.05:4:3"], options={**NEAR, "max_steps": 400})


@pytest.fixture(scope="module")
def simulate_ensemble(simulate_spec):
    return run_sweep(simulate_spec, executor="ensemble")


def test_kinds_registered_with_batches():
    for name in ("simulate", "stability"):
        kind = sweep_kinds.get(name)
        assert kind.batch is not None and kind.check is not None


def test_simulate_serial_processes_ensemble_equal_point_by_point(simulate_spec, simulate_ensemble):
    serial = run_sweep(simulate_spec, executor="serial")
    processes = run_sweep(simulate_spec, executor="processes", workers=2)
    assert_same(serial, simulate_ensemble)
    assert_same(processes, simulate_ensemble)
    # the grid covers what the comparison must cover: solves that fail, centres, decays
    success = simulate_ensemble["success"].values
    assert 0 < success.sum() < success.size
    assert np.isfinite(simulate_ensemble["rate"].values).sum() >= 3
    assert "none" in simulate_ensemble["class"].values


def test_stability_serial_processes_ensemble_equal_point_by_point():
    spec = build("stability", "chain_minnorm", ["y=-1,1", "rho=0,0.5", "r=0.2,4"], options={"point": 1})
    ensemble_ = run_sweep(spec, executor="ensemble")
    assert_same(run_sweep(spec, executor="serial"), ensemble_)
    assert_same(run_sweep(spec, executor="processes", workers=2), ensemble_)


def test_dask_two_workers_equal_to_ensemble():
    pytest.importorskip("distributed", reason="Dask (distributed) is not installed: the dask executor is optional")
    spec = build("simulate", CHAIN, ["rho=0.5,1.5", "r=0.3,2"], options=NEAR)
    assert_same(run_sweep(spec, executor="dask", workers=2), run_sweep(spec, executor="ensemble"))


def test_simulate_ensemble_member_equals_the_engine_directly(simulate_spec, simulate_ensemble):
    """The final state of one point is that of ``ensemble`` called by hand with the same inputs."""
    flow = get(CHAIN).compile()
    p = np.array([1.0, 1.0, 1.0, 2.0 / 3.0, 0.05])  # x, y, tau, rho, r: the point rho = 2/3, r = 0.05
    result = ensemble(flow, (0.0, 120.0), np.array([1.001, 1.001]), params=p, method="dop853",
                      t_eval=np.linspace(0, 120, 201), rtol=1e-10, atol=1e-12, max_steps=400)
    point = simulate_ensemble.sel(rho=2 / 3, r=0.05, method="nearest")
    assert float(point.rho) == pytest.approx(2 / 3) and float(point.r) == 0.05
    np.testing.assert_array_equal([point.wbar, point.alpha], result.y[0, :, -1])
    assert int(point.status) == result.status[0]


def test_decay_rates_against_eq18():
    """Measured rates within 7 % (median 1 %) of -Re(lambda_max) from eq. 18 away from the spiral/node boundary
    (a slow spiral's log distance oscillates over the fit window: the figure's test allows 6 %), convergence
    times within 25 % of ln(1/eps)/rate, and every point converges to (1, 1) as eq. 17 says."""
    spec = build("simulate", CHAIN, ["rho=0.3:2.5:12", "r=0.2:3:12"], options={**NEAR, "t1": 150, "n_eval": 601})
    result = run_sweep(spec, executor="ensemble")
    R, P = np.meshgrid(result.r.values, result.rho.values)
    predicted = chain_stability_map.predicted_rate(P, R)
    away = np.abs(2 * R / P**2 - 1) > 0.3
    assert away.sum() > 100
    rate = result["rate"].values
    assert np.all(np.isfinite(rate[away]))
    np.testing.assert_allclose(rate[away], predicted[away], rtol=0.07)
    assert np.median(np.abs(rate[away] / predicted[away] - 1)) < 0.01
    np.testing.assert_allclose(result["t_converged"].values[away], np.log(1e4) / predicted[away], rtol=0.25)
    assert np.all(result["fixed_point"].values == 0)
    np.testing.assert_allclose(result["wbar"].values, 1.0, atol=1e-8)
    spiral = R > P**2 / 2
    assert np.all(result["class"].values[spiral] == "stable spiral")
    assert np.all(result["class"].values[R < P**2 / 2 * 0.99] == "stable node")


def test_stability_against_eq18_closed_form():
    """Fixed point (y/x, 1/x) (eq. 17); at x = tau = 1 the Jacobian there has trace -2 rho y and determinant
    2 r y, so lambda = y (-rho +- sqrt(rho^2 - 2r/y)): eq. 18 (y = 1) with r -> r/y, scaled by y."""
    spec = build("stability", CHAIN, ["rho=0:3:13", "r=0.1:3:13", "y=1,2"])
    result = run_sweep(spec, executor="ensemble")
    P, R, Y = np.meshgrid(result.rho.values, result.r.values, result.y.values, indexing="ij")
    np.testing.assert_allclose(result["max_real"].values, -Y * chain_stability_map.predicted_rate(P, R / Y),
                               atol=1e-12)
    np.testing.assert_array_equal(result["wbar"].values, Y)
    np.testing.assert_array_equal(result["alpha"].values, 1.0)
    assert np.all(result["n_fixed_points"].values == 1)
    cls = result["class"].values
    assert np.all(cls[P == 0] == "centre")
    assert np.all(cls[(P > 0) & (R / Y > P**2 / 2 * 1.001)] == "stable spiral")
    assert np.all(cls[(P > 0) & (R / Y < P**2 / 2 * 0.999)] == "stable node")
    assert {"centre", "stable spiral", "stable node"} <= set(cls.ravel())


@pytest.mark.parametrize("model, axes", [("chain_minnorm", ["y=-1,1", "rho=0,0.5"]), ("chain_l2", ["gamma=0.05,2"]),
                                         ("van_der_pol", ["mu=0,0.5,3"]), ("chain_gd", ["x=1,-2"])])
def test_stability_counts_and_classes_equal_classified_fixed_points(model, axes):
    """Counts, and the class of each index, equal the library's classifier run per point (classified_fixed_points
    solves SymPy at the numeric parameters; the kind solves once symbolically and evaluates vectorised)."""
    m = get(model)
    for k in range(3):
        result = run_sweep(build("stability", model, axes, options={"point": k}), executor="ensemble")
        for index in np.ndindex(result["class"].shape):
            values = {d: float(result[d].values[i]) for d, i in zip(result["class"].dims, index)}
            reference = classified_fixed_points(m, m.param_values(**values))
            assert int(result["n_fixed_points"].values[index]) == len(reference)
            expected = reference[k]["class"] if k < len(reference) else "none"
            assert result["class"].values[index] == expected, (model, k, values)


def test_simulate_final_state_against_the_harmonic_closed_form():
    """x(t) = x0 cos(w t) + v0/w sin(w t): the final state of y0_x and omega axes; a centre: class 'none'."""
    result = run_sweep(build("simulate", "harmonic", ["omega=0.5,2", "y0_x=0.3,1"], options={"t1": 7, "y0_v": 0.4}),
                       executor="ensemble")
    W, X0 = np.meshgrid(result.omega.values, result.y0_x.values, indexing="ij")
    np.testing.assert_allclose(result["x"].values, X0 * np.cos(W * 7) + 0.4 / W * np.sin(W * 7), atol=1e-9)
    np.testing.assert_allclose(result["v"].values, -X0 * W * np.sin(W * 7) + 0.4 * np.cos(W * 7), atol=1e-9)
    assert np.all(result["class"].values == "none") and np.all(result["fixed_point"].values == -1)
    assert np.all(np.isnan(result["rate"].values))


def test_simulate_reaches_a_family_and_classifies_it_degenerate():
    """chain_gd converges to the hyperbola w1 w2 = y/x, where the Jacobian's eigenvalues are 0 and
    -x^2 (w1^2 + w2^2)/tau (SymPy, at the point reached): class degenerate, rate w1^2 + w2^2 at x = tau = 1."""
    result = run_sweep(build("simulate", "chain_gd", ["y0_w1=0.5,2"], options={"t1": 40, "y0_w2": 0.3}),
                       executor="ensemble")
    w1, w2 = result["w1"].values, result["w2"].values
    np.testing.assert_allclose(w1 * w2, 1.0, atol=1e-9)
    assert list(result["class"].values) == ["degenerate", "degenerate"]
    assert list(result["fixed_point"].values) == [0, 0]
    m = get("chain_gd")
    for a, b, rate in zip(w1, w2, result["rate"].values):
        J = m.jacobian().subs({**m.symbol_values(), m.state[0]: a, m.state[1]: b})
        eigenvalues = sorted(float(sympy.re(e)) for e in J.eigenvals())
        assert eigenvalues[1] == pytest.approx(0.0, abs=1e-8)
        assert -eigenvalues[0] == pytest.approx(a**2 + b**2, rel=1e-8)
        assert rate == pytest.approx(a**2 + b**2, rel=0.03)


def test_classes_vectorised_equal_classify_eigenvalues():
    rng = np.random.default_rng(1)
    stacks = [rng.standard_normal((300, 3, 3)), rng.standard_normal((100, 2, 2))]
    special = np.array([[[0, 1], [-1, 0]], [[0, 1], [0, 0]], [[-1, 0], [0, -1]], [[1, 0], [0, -1]],
                        [[0, 0], [0, -1]], [[-1, 1], [0, -1]], [[1e-12, 1], [-1, 1e-12]]], float)
    for J in stacks + [special]:
        eig = np.linalg.eigvals(J)
        scale = np.max(np.abs(J), axis=(1, 2))
        expected = [classify_eigenvalues(e, scale=s).class_ for e, s in zip(eig, scale)]
        assert list(classes(eig, scale)) == expected
    assert set(classes(np.linalg.eigvals(special), 1.0)) >= {"centre", "degenerate", "saddle", "stable node"}
    assert classes(np.array([[np.nan, 1.0]]), 1.0)[0] == "none"


def test_decay_fit_equals_polyfit_and_exact_exponential():
    t = np.linspace(0, 20, 401)
    y = np.stack([np.exp(-0.7 * t), 2 * np.exp(-0.7 * t)])[None]  # |y| = sqrt(5) exp(-0.7 t)
    noisy = y * np.exp(0.01 * np.sin(5 * t))
    rates, times = decay(t, np.concatenate([y, noisy]), np.zeros((2, 2)), (1e-1, 1e-5), 1e-3)
    assert rates[0] == pytest.approx(0.7, rel=1e-12)
    d = np.linalg.norm(noisy[0], axis=0) / np.linalg.norm(noisy[0, :, 0])
    window = (t > t[np.argmax(d < 1e-1)] - 1e-12) & (t < t[np.argmax(d < 1e-5)] - 1e-12)
    assert rates[1] == pytest.approx(-np.polyfit(t[window], np.log(d[window]), 1)[0], rel=1e-12)
    assert times[0] == t[np.argmax(np.exp(-0.7 * t) < 1e-3)]


def test_options_from_the_command_line_as_strings_equal_lists():
    a = run_sweep(build("simulate", CHAIN, ["rho=1"], options={"y0": "1.2,0.9", "t1": 10}), executor="ensemble")
    b = run_sweep(build("simulate", CHAIN, ["rho=1"], options={"y0": [1.2, 0.9], "t1": 10}), executor="ensemble")
    assert a["wbar"].item() == b["wbar"].item() and a["wbar"].item() != 1.2


BAD = [
    ("simulate", "no_such_model", ["rho=1"], {}, "unknown model 'no_such_model'"),
    ("simulate", CHAIN, ["bogus=1,2"], NEAR, "grid axis 'bogus' is not a parameter"),
    ("stability", CHAIN, ["y0_wbar=1"], {}, "grid axis 'y0_wbar' is not a parameter"),
    ("simulate", CHAIN, ["r=-1,1"], NEAR, "'r' .* must be positive"),
    ("simulate", CHAIN, ["rho=1"], {}, "needs initial values"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "t1": -1}, "t1 must be a positive number"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "method": "rk45"}, "method must be one of"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "y0": [1, 2]}, "either y0 or delta"),
    ("simulate", CHAIN, ["rho=1"], {"y0": [1, 2, 3]}, "y0 needs 2 numbers"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "window": [1e-5, 1e-1]}, "window must be"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "rho": 2}, "both a grid axis and an option"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "colour": 2}, "unknown option 'colour'"),
    ("simulate", CHAIN, ["rho=1"], {**NEAR, "n_eval": 1}, "n_eval must be at least 2"),
    ("simulate", "shallow_bce_reduced", ["tau=1"], {"delta": 1e-3}, "no closed-form fixed points"),
    ("stability", CHAIN, ["rho=1"], {"point": "a,b"}, "point must be a number or a list"),
    ("stability", CHAIN, ["rho=1"], {"point": -1}, "index >= 0"),
    ("stability", CHAIN, ["rho=1"], {"t1": 3}, "unknown option 't1'"),
]


@pytest.mark.parametrize("kind, target, axes, options, message", BAD, ids=[b[-1][:30] for b in BAD])
@pytest.mark.parametrize("executor", ["serial", "ensemble"])
def test_bad_input_raises_before_any_point_runs(kind, target, axes, options, message, executor, tmp_path):
    out = tmp_path / "out.nc"
    with pytest.raises(SweepError, match=message) as error:
        run_sweep(build(kind, target, axes, options=options), executor=executor, out=out)
    assert "\n" not in str(error.value)
    assert not list(tmp_path.iterdir())  # nothing written: no point ran


def test_a_point_that_is_not_fixed_fails_alone():
    spec = build("stability", CHAIN, ["y=1,2"], options={"point": "1,1"})  # (1, 1) is fixed only where y = x = 1
    for executor in ("serial", "ensemble"):
        result = run_sweep(spec, executor=executor)
        assert list(result["failed"].values) == [False, True]
        assert "is not a fixed point" in result["error"].values[1]
        assert result["class"].values[0] == "stable spiral"


def _reference_class_map(rhos, rs):
    """The map's classes as ``chain_stability_map.class_map`` computed them before the sweep: a loop over
    the grid, the Jacobian by ``sympy.lambdify`` at (1, 1), ``classify_eigenvalues`` of its eigenvalues."""
    model = get(CHAIN)
    J = sympy.lambdify([model.state, model.params], model.jacobian(), "numpy")
    classes_, eigs = np.empty((len(rs), len(rhos)), object), np.empty((len(rs), len(rhos), 2), complex)
    for i, r in enumerate(rs):
        for j, rho in enumerate(rhos):
            eig = np.linalg.eigvals(np.asarray(J(chain_stability_map.POINT, [1.0, 1.0, 1.0, rho, r]), float))
            classes_[i, j], eigs[i, j] = classify_eigenvalues(eig).class_, eig
    return classes_, eigs


def _reference_measured_rates(rho, r, quick):
    """The rates and times as ``measured_rates`` computed them before the sweep: one ``ensemble`` call,
    then per member ``np.polyfit`` over the window and the first time below ``EPS``."""
    c = chain_stability_map
    flow = get(CHAIN).compile()
    params = np.column_stack([np.ones((len(rho), 3)), rho, r])
    t1 = np.log(1 / c.FIT[1]) / float(np.min(c.predicted_rate(rho, r))) * 1.3
    t_eval = np.linspace(0.0, t1, 1500 if quick else 4000)
    res = ensemble(flow, (0.0, t1), c.POINT + c.DELTA, params=params, method="dop853", t_eval=t_eval,
                   rtol=1e-11, atol=1e-15, max_steps=200_000)
    d = np.linalg.norm(res.y - c.POINT[None, :, None], axis=1) / np.linalg.norm(c.DELTA)
    rates, times = np.full(len(rho), np.nan), np.full(len(rho), np.nan)
    for k in range(len(rho)):
        if res.status[k] < 0:
            continue
        start, stop = np.argmax(d[k] < c.FIT[0]), np.argmax(d[k] < c.FIT[1])
        if d[k, start] < c.FIT[0] and d[k, stop] < c.FIT[1] and stop - start >= 5:
            rates[k] = -np.polyfit(t_eval[start:stop], np.log(d[k, start:stop]), 1)[0]
        below = np.nonzero(d[k] < c.EPS)[0]
        if below.size:
            times[k] = t_eval[below[0]]
    return rates, times


def test_stability_map_unchanged_by_the_sweep():
    """Classes, eigenvalues and convergence times identical to the loop the figure ran before; rates equal to
    1e-12 (a closed-form least-squares slope instead of np.polyfit's)."""
    rhos, rs = chain_stability_map.grid(quick=True)
    classes_, eigs = chain_stability_map.class_map(rhos, rs)
    expected_classes, expected_eigs = _reference_class_map(rhos, rs)
    assert np.array_equal(classes_, expected_classes)
    assert np.array_equal(eigs, expected_eigs)
    R, P = np.meshgrid(rs, rhos, indexing="ij")
    rates, times = chain_stability_map.measured_rates(P, R, quick=True)
    expected_rates, expected_times = _reference_measured_rates(P.ravel(), R.ravel(), quick=True)
    assert np.array_equal(times, expected_times, equal_nan=True)
    assert np.array_equal(np.isnan(rates), np.isnan(expected_rates)) and np.isfinite(rates).sum() > 300
    np.testing.assert_allclose(rates, expected_rates, rtol=1e-12)
