"""The explorer, headless (Agg): the sliders drive the portrait and the class text."""

import pytest
import sympy

from dynsys import cli
from dynsys.figures.style import plt
from dynsys.models import get
from dynsys.teach.explore import explore, slider_range


def test_class_text_follows_the_sliders():
    fig, sliders = explore(get("chain_minnorm_balanced"), {"rho": 0.3, "r": 1.0}, starts=2, t1=2.0)
    try:
        assert set(sliders) == {"x", "y", "tau", "rho", "r"}
        assert "stable spiral" in fig.info.get_text() and "-0.3+1.38i" in fig.info.get_text()
        sliders["rho"].set_val(3.0)
        assert fig.portrait.params["rho"] == 3.0
        assert "stable node" in fig.info.get_text() and "-5.65, -0.354" in fig.info.get_text()
        sliders["rho"].set_val(0.0)
        assert "centre" in fig.info.get_text()
        assert fig.portrait.fixed_points[0]["class"] == "centre"
    finally:
        plt.close(fig)


def test_slider_ranges_follow_assumptions():
    model = get("chain_minnorm_balanced")
    ranges = {s.name: slider_range(s, model.defaults[s.name]) for s in model.params}
    assert ranges["rho"] == (0.0, pytest.approx(0.9))  # nonnegative, default 0.3
    assert ranges["r"][0] > 0 and ranges["r"][1] == pytest.approx(6.0)  # positive: starts above 0
    assert ranges["x"] == (-3.0, 3.0)  # real, default 1
    assert slider_range(sympy.Symbol("q", real=True), 0.0) == (-1.0, 1.0)


def test_explore_slice_draws():
    fig, sliders = explore(get("chain_minnorm"), x="w1", y="w2", starts=2, t1=1.0)
    try:
        assert fig.portrait.fixed == {"alpha": pytest.approx(1.0)}
        sliders["r"].set_val(0.5)
        assert fig.portrait.params["r"] == 0.5 and "stable" in fig.info.get_text()
    finally:
        plt.close(fig)


def test_cli_explore_without_display_is_a_user_error(capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert cli.main(["explore", "harmonic"]) == 2
    err = capsys.readouterr().err
    assert "dynsys phase" in err and len(err.strip().splitlines()) == 1


def test_cli_explore_bad_variable(capsys):
    assert cli.main(["explore", "harmonic", "--x", "q"]) == 2
    assert "unknown state variable 'q'" in capsys.readouterr().err
