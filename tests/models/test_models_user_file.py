"""Issue 5: your own model from a TOML or Python file, through ``--model-file``."""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate
import sympy

from dynsys.cli import main
from dynsys.models import get
from dynsys.models.user import ModelFileError, load_model_file
from dynsys.symbolic import ModelError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models"

PENDULUM = """\
id = "damped_pendulum"
description = "Damped pendulum"

[state]
theta = "real"
omega = "real"

[params]
g = { assume = "positive", default = 9.81 }
L = { assume = "positive", default = 1.0 }
b = { assume = "nonnegative", default = 0.5 }

[rhs]
theta = "omega"
omega = "-g/L*sin(theta) - b*omega"
"""


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def same_model(model, reference):
    assert [s.name for s in model.state] == [s.name for s in reference.state]
    assert [p.name for p in model.params] == [p.name for p in reference.params]
    # Symbols of the same name and assumptions are equal, so the difference is 0.
    assert sympy.simplify(model.rhs - reference.rhs) == sympy.zeros(len(model.state), 1)
    assert model.param_values() == reference.param_values()
    points = {tuple(p.point[v] for v in model.state) for p in model.fixed_points()}
    expected = {tuple(p.point[v] for v in reference.state) for p in reference.fixed_points()}
    assert points == expected and len(points) == 4


@pytest.mark.parametrize("name", ["chain_minnorm.toml", "chain_minnorm.py"])
def test_chain_minnorm_from_a_file_is_the_registered_model(name):
    model = load_model_file(DOCS / name)
    same_model(model, get("chain_minnorm"))
    assert model.objective is not None and len(model.groups) == 2


def test_python_file_with_a_model_object(tmp_path):
    path = tmp_path / "chain.py"
    path.write_text("from dynsys.models import get\nmodel = get('chain_minnorm').rebuild(id='mine')\n")
    model = load_model_file(path)
    assert model.id == "mine"
    same_model(model, get("chain_minnorm"))


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.iterdir() if p.suffix in (".toml", ".py")))
def test_shipped_examples_load_and_derive(capsys, name):
    model = load_model_file(DOCS / name)
    document = run_json(capsys, "derive", "--model-file", str(DOCS / name))
    assert document["id"] == model.id
    assert set(document["rhs"]) == {s.name for s in model.state}


def test_shipped_pendulum_is_the_damped_pendulum():
    model = load_model_file(DOCS / "pendulum.toml")
    theta, omega = model.state
    g, L, b = model.params
    assert g.is_positive and L.is_positive and b.is_nonnegative and theta.is_real
    assert sympy.simplify(model.rhs[1] - (-g / L * sympy.sin(theta) - b * omega)) == 0


def test_pendulum_stability_through_the_cli(capsys, tmp_path):
    path = tmp_path / "pendulum.toml"
    path.write_text(PENDULUM)
    document = run_json(capsys, "stability", "--model-file", str(path), "--param", "b=0.5")
    assert document["id"] == "damped_pendulum"
    assert document["params"] == {"g": 9.81, "L": 1.0, "b": 0.5}
    points = {round(p["point"]["theta"] / np.pi): p for p in document["fixed_points"]}
    assert set(points) == {-3, -2, -1, 0, 1, 2, 3}  # theta = k pi in the default box [-10, 10]
    for k, point in points.items():
        assert point["point"]["omega"] == pytest.approx(0.0, abs=1e-9)
        assert point["confirmed_by_simulation"] is True
        eigenvalues = [complex(re, im) for re, im in point["eigenvalues"]]
        # Linearisation: lambda^2 + b lambda +- g/L = 0 (+ at the bottom, - on top).
        expected = sorted(np.roots([1.0, 0.5, 9.81 if k % 2 == 0 else -9.81]), key=lambda z: (z.real, z.imag))
        assert np.allclose(sorted(eigenvalues, key=lambda z: (z.real, z.imag)), expected)
        assert point["class"] == ("stable spiral" if k % 2 == 0 else "saddle")


def test_pendulum_simulate_through_the_cli_matches_scipy(capsys, tmp_path):
    path = tmp_path / "pendulum.toml"
    path.write_text(PENDULUM)
    document = run_json(capsys, "simulate", "damped_pendulum", "--model-file", str(path), "--param", "b=0.3",
                        "--y0", "theta=1.0", "--y0", "omega=0.5", "--t1", "10", "--rtol", "1e-10", "--atol", "1e-12")
    assert document["status"] == 0 and document["t_final"] == 10.0

    def pendulum(t, y):
        return [y[1], -9.81 * np.sin(y[0]) - 0.3 * y[1]]

    reference = scipy.integrate.solve_ivp(pendulum, (0, 10), [1.0, 0.5], method="DOP853", rtol=1e-12, atol=1e-14)
    got = [document["y_final"]["theta"], document["y_final"]["omega"]]
    assert np.allclose(got, reference.y[:, -1], rtol=0, atol=1e-7)


def test_objective_model_with_projection_and_first_integral(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("""\
id = "proj"
objective = "(w - 2)**2/2 + a*(w - 1)"
first_integral = "w + a"
[state]
w = "real"
a = ["real"]
[params]
[[descent]]
variables = "w"
[[ascent]]
variables = ["a"]
projection = "nonnegative"
""")
    model = load_model_file(path)
    w, a = model.state
    assert list(model.rhs) == [-(w - 2) - a, w - 1]  # tau and rate default to 1
    assert model.projections == {a: "nonnegative"}
    assert model.first_integral == w + a


CHAIN = (DOCS / "chain_minnorm.toml").read_text()


def replace_line(text, old, new):
    """``text`` with the line containing ``old`` replaced by ``new``; and that line's number."""
    lines = text.splitlines()
    (index,) = [i for i, line in enumerate(lines) if old in line]
    lines[index] = new
    return "\n".join(lines) + "\n", index + 1


def case(base, old, new):
    return replace_line(base, old, new)


def without(base, *olds):
    for old in olds:
        base, _ = replace_line(base, old, "")
    return base, 1


ERRORS = {
    "unparsable expression": (case(CHAIN, "objective =", 'objective = "(w1**2 + w2**2/2"'), "cannot parse"),
    "implicit multiplication": (case(CHAIN, "objective =", 'objective = "2w1 + alpha"'), "cannot parse"),
    "undefined symbol": (case(PENDULUM, 'omega = "-g', 'omega = "-k*sin(theta)"'), "undefined symbol 'k'"),
    "undefined symbol in objective": (case(CHAIN, "objective =", 'objective = "beta*w1 + alpha"'),
                                      "undefined symbol 'beta'"),
    "group with an unknown variable": (case(CHAIN, '["w1", "w2"]', 'variables = ["w1", "w3"]'), "'w3'"),
    "group with a parameter": (case(CHAIN, '["alpha"]', 'variables = ["rho"]'), "not a state variable"),
    "bad assumption": (case(CHAIN, 'w2 = "real"', 'w2 = "reel"'), "unknown assumption 'reel'"),
    "bad parameter assumption": (case(CHAIN, "rho = {", 'rho = { assume = "postive", default = 0.3 }'),
                                 "unknown assumption 'postive'"),
    "default against the assumption": (case(CHAIN, "rho = {", 'rho = { assume = "positive", default = -1.0 }'),
                                       "must be positive"),
    "parameter without default": (case(CHAIN, "rho = {", 'rho = "nonnegative"'), "needs a number default"),
    "rhs for an unknown variable": (case(PENDULUM, 'theta = "omega"', 'phi = "omega"'), "'phi'"),
    "unknown key": (case(CHAIN, "equations =", 'equation = "eq. 3"'), "unknown key 'equation'"),
    "invalid TOML": (case(CHAIN, "tau = { assume", "tau = { assume = positive }"), "not valid TOML"),
    "missing state section": (without(CHAIN, "[state]", 'w1 = "real"', 'w2 = "real"', 'alpha = "real"'),
                              "missing [state]"),
    "missing objective and rhs": (without(CHAIN, "objective ="), "missing 'objective'"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_toml_errors_exit_2_with_file_and_line(capsys, tmp_path, name):
    (text, line), needle = ERRORS[name]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ModelFileError) as raised:
        load_model_file(path)
    assert isinstance(raised.value, ModelError) and raised.value.line == line
    assert main(["derive", "--model-file", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"dynsys: error: {path}:{line}: ")
    assert needle in err


PY_ERRORS = {
    "no model": ("import sympy\nx = sympy.Symbol('x')\n", 1, "defines no 'model'"),
    "an error at import": ("import sympy\n\nx = undefined_name + 1\nmodel = None\n", 3, "NameError"),
    "syntax error": ("import sympy\nmodel = (\n", 2, "SyntaxError"),
    "model is no Model": ("import sympy\n\nmodel = 3\n", 3, "not a dynsys.symbolic.Model"),
    "ModelError inside model()": (
        "import sympy\nfrom dynsys.symbolic import Model\n\n\ndef model():\n    x = sympy.Symbol('x')\n"
        "    return Model('m', (x,), (), {}, rhs=[x * sympy.Symbol('k')])\n", 7, "neither state nor parameters: k"),
}


@pytest.mark.parametrize("name", PY_ERRORS)
def test_python_errors_exit_2_with_file_and_line(capsys, tmp_path, name):
    text, line, needle = PY_ERRORS[name]
    path = tmp_path / "bad.py"
    path.write_text(text)
    assert main(["stability", "--model-file", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"dynsys: error: {path}:{line}: ")
    assert needle in err


def test_cli_model_lookup_errors(capsys, tmp_path):
    path = tmp_path / "pendulum.toml"
    path.write_text(PENDULUM)
    for argv, needle in [
        (["derive", "chain_gd", "--model-file", str(path)], "defines model 'damped_pendulum', not 'chain_gd'"),
        (["derive"], "give a model ID or --model-file FILE"),
        (["derive", "--model-file", str(tmp_path / "absent.toml")], "cannot read model file"),
        (["derive", "--model-file", str(tmp_path)], "cannot read model file"),
    ]:
        assert main([*argv, "--json"]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and needle in err, err
    (tmp_path / "m.txt").write_text("x")
    assert main(["derive", "--model-file", str(tmp_path / "m.txt")]) == 2
    assert "expected a .toml or .py file" in capsys.readouterr().err
