"""Phase portraits: the numbers returned equal the analysis; every registry model draws; the CLI."""

import json

import numpy as np
import pytest
import sympy

from dynsys import cli
from dynsys.figures.style import plt
from dynsys.models import get, list_models
from dynsys.symbolic import Model
from dynsys.teach import phase_portrait

BALANCED = {"x": 1.0, "y": 1.0, "tau": 1.0}


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.mark.parametrize("rho, r, expected", [(0.3, 2.0, "stable spiral"), (3.0, 1.0, "stable node"),
                                              (0.0, 2.0, "centre")])
def test_balanced_chain_fixed_points_and_classes_equal_classify(ax, rho, r, expected):
    model = get("chain_minnorm_balanced")
    values = {**BALANCED, "rho": rho, "r": r}
    portrait = phase_portrait(ax, model, values, starts=2, t1=3.0)
    (fp,) = portrait.fixed_points
    assert fp["point"] == pytest.approx({"wbar": 1.0, "alpha": 1.0})
    reference = model.classify(values, model.fixed_points()[0])
    assert fp["class"] == reference.class_ == expected
    np.testing.assert_allclose(np.sort_complex(np.array(fp["eigenvalues"])), np.sort_complex(reference.eigenvalues))
    # default box around (1, 1): wbar clipped above 0 (positive), alpha in [0, 2]
    assert portrait.box[0][0] > 0 and portrait.box[0][1] == pytest.approx(2.0)
    assert portrait.box[1] == pytest.approx((0.0, 2.0))
    if rho == 0:  # the first integral is found on the substituted model and is conserved along trajectories
        assert portrait.first_integral is not None
        h = sympy.lambdify([model.state], portrait.first_integral, "numpy")
        for traj in portrait.trajectories:
            values_h = h(traj)
            assert np.ptp(values_h) < 1e-5 * max(1.0, abs(values_h[0]))
    else:
        assert portrait.first_integral is None
        # stable: trajectories end closer to the fixed point than they started
        for traj in portrait.trajectories:
            assert np.linalg.norm(traj[:, -1] - 1) < np.linalg.norm(traj[:, 0] - 1)


def test_slice_of_chain_minnorm(ax):
    model = get("chain_minnorm")
    portrait = phase_portrait(ax, model, x="w1", y="w2", starts=2, t1=2.0)
    assert (portrait.x, portrait.y) == ("w1", "w2")
    assert portrait.fixed == {"alpha": pytest.approx(1.0)}  # the first fixed point's alpha
    classes = {(round(p["point"]["w1"]), round(p["point"]["w2"])): p["class"] for p in portrait.fixed_points}
    assert classes == {(1, 1): "stable spiral", (-1, -1): "stable spiral"}
    assert all(p["in_plane"] for p in portrait.fixed_points)
    # the other variable evolves: alpha moves away from its fixed start value along the projected trajectories
    assert all(traj.shape == (3, 400) for traj in portrait.trajectories)
    assert max(np.ptp(traj[2]) for traj in portrait.trajectories) > 1e-3
    # fixing alpha elsewhere puts the fixed points off the plane
    off = phase_portrait(ax, model, x="w1", y="w2", fixed={"alpha": 0.5}, starts=2, t1=1.0)
    assert off.fixed == {"alpha": 0.5} and not any(p["in_plane"] for p in off.fixed_points)


def test_overridden_box_and_bad_plane(ax):
    model = get("harmonic")
    portrait = phase_portrait(ax, model, box={"x": (-2, 3), "v": (-1, 1)}, starts=[(1.0, 0.0)], t1=2 * np.pi)
    assert portrait.box == ((-2, 3), (-1, 1))
    assert ax.get_xlim() == (-2, 3)
    np.testing.assert_allclose(portrait.trajectories[0][:, -1], [1.0, 0.0], atol=1e-6)  # one period
    with pytest.raises(ValueError, match="unknown state variable 'q'"):
        phase_portrait(ax, model, x="q")
    with pytest.raises(ValueError, match="different"):
        phase_portrait(ax, model, x="v", y="v")


NO_FIXED_POINT = {"shallow_bce", "shallow_bce_reduced", "shallow_exponential", "theory3_linear_gd",
                  "theory3_linear_rho_v", "theory3_weight_norm", "theory3_lagrange", "theory3_deep_eq62",
                  "theory3_single_gd", "theory3_single_weight_norm"}


@pytest.mark.parametrize("entry", list_models(), ids=lambda e: e.id)
def test_every_registry_model_draws(ax, entry):
    model = get(entry.id)
    if len(model.state) == 1:  # a one-dimensional flow (e.g. Theory III eq. 63) has no phase plane
        with pytest.raises(ValueError, match="needs 2 or more"):
            phase_portrait(ax, model)
        return
    portrait = phase_portrait(ax, model, starts=2, t1=1.0, n_grid=15, n_t=50, max_steps=5000)
    if entry.id in NO_FIXED_POINT:
        assert not portrait.fixed_points  # separable data: |w| grows like log t (Minnorm eq. 23), no equilibrium
    else:
        assert portrait.fixed_points, "every other registry model has a fixed point"
    values = model.param_values()
    for p in portrait.fixed_points:
        if "family" in p:
            assert p["class"] == "degenerate"
        else:
            assert p["class"] == model.classify(values, p["point"]).class_
    assert len(ax.lines) > 0 and len(portrait.trajectories) == 4


def _run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_phase_json(capsys, tmp_path):
    out = tmp_path / "p.png"
    status, stdout, _ = _run(capsys, "phase", "chain_minnorm_balanced", "--param", "rho=3", "--param", "r=1",
                             "--out", str(out), "--json")
    assert status == 0
    doc = json.loads(stdout)
    assert set(doc) >= {"id", "params", "x", "y", "fixed_points", "out"}
    assert (doc["x"], doc["y"], doc["out"]) == ("wbar", "alpha", str(out))
    (fp,) = doc["fixed_points"]
    assert fp["class"] == "stable node" and fp["point"] == {"wbar": 1.0, "alpha": 1.0}
    np.testing.assert_allclose(sorted(e[0] for e in fp["eigenvalues"]), [-(3 + np.sqrt(7)), -(3 - np.sqrt(7))])
    assert plt.imread(out).ndim == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_cli_phase_slice_pdf_text(capsys, tmp_path):
    out = tmp_path / "s.pdf"
    status, stdout, _ = _run(capsys, "phase", "chain_minnorm", "--x", "w2", "--y", "alpha", "--fix", "w1=1",
                             "--out", str(out))
    assert status == 0 and "stable spiral" in stdout and out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("argv, message", [
    (["phase", "harmonic", "--x", "q"], "unknown state variable 'q'"),
    (["phase", "harmonic", "--x", "v", "--y", "v"], "different"),
    (["phase", "harmonic", "--out", "/no/such/dir/p.png"], "does not exist"),
    (["phase", "harmonic", "--out", "p.txt"], ".png or .pdf"),
    (["phase", "chain_minnorm", "--fix", "beta=1"], "unknown state variable 'beta'"),
    (["phase", "no_such_model"], "unknown model"),
])
def test_cli_phase_user_errors(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, stdout, err = _run(capsys, *argv)
    assert status == 2 and stdout == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_phase_one_dimensional_model(capsys, tmp_path, monkeypatch):
    u = sympy.Symbol("u", real=True)
    k = sympy.Symbol("k", positive=True)
    one = Model("decay", (u,), (k,), {"k": 1.0}, rhs=[-k * u])
    monkeypatch.setattr(cli, "_model", lambda _id: one)
    status, _, err = _run(capsys, "phase", "decay", "--out", str(tmp_path / "p.png"))
    assert status == 2 and "needs 2 or more" in err
