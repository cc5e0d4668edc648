"""The numbers behind Minnorm Fig. 1 (``dynsys.figures.minnorm_fig1``) against independent references."""

import numpy as np
import pytest

from dynsys.figures import minnorm_fig1 as fig
from dynsys.train.experiments import random_features as rf


@pytest.fixture(scope="module")
def values():
    return fig.data(quick=True)


def test_panel_fits_are_lstsq_fits_with_test_errors_on_a_dense_grid(values):
    d = values["draw"]
    x = np.linspace(-1, 1, 100_001)
    for n, fit in values["fits"].items():
        Phi = d.phi(n)
        np.testing.assert_allclose(fit["w"], np.linalg.lstsq(Phi, d.y, rcond=None)[0], rtol=1e-8,
                                   atol=1e-10 * np.linalg.norm(fit["w"]))
        f = np.concatenate([d.features(chunk, n) @ fit["w"] for chunk in np.array_split(x, 20)])
        dense = np.trapezoid((f - np.sin(np.pi * x)) ** 2, x) / 2
        assert fit["test"] == pytest.approx(dense, rel=1e-6, abs=1e-12)
        assert fit["train"] == pytest.approx(np.mean((Phi @ fit["w"] - d.y) ** 2), rel=1e-9, abs=1e-25)


def test_panel_engine_fits_are_the_closed_form_of_gradient_descent(values):
    d = values["draw"]
    for n, fit in values["fits"].items():
        engine = fit["engine"]
        closed = rf.gd_iterate(d.phi(n), d.y, engine.eta, engine.steps)
        np.testing.assert_allclose(engine.w, closed, rtol=1e-8, atol=1e-10 * np.linalg.norm(fit["w"]))
        assert engine.steps == min(engine.steps_needed, rf.STEP_CAP[True])


def test_linear_units_span_at_most_two_dimensions_of_the_data(values):
    """Rank of Phi(10) <= 10 - (units zero on the data) - (units linear on the data beyond two)."""
    for seed in range(10):
        d = rf.draw(seed)
        zero, linear = fig.unit_kinds(d)
        assert np.linalg.matrix_rank(d.phi(10)) <= 10 - zero - max(linear - 2, 0)


def test_study_panels_and_caption_carry_the_computed_medians(values):
    study = values["study"]
    assert len(study.seeds) == rf.SEEDS[True] and set(rf.WIDTHS) <= set(study.widths.tolist())
    d = rf.draw(3)
    for n in rf.WIDTHS:
        assert study.column("test_error", n)[3] == pytest.approx(
            rf.test_error(d, np.linalg.lstsq(d.phi(n), d.y, rcond=None)[0]), rel=1e-6)
    text = fig.caption(quick=True)
    for n in rf.WIDTHS:
        assert f"{n}: {study.median('test_error', n):.2g}" in text
    assert f"median {np.median(study.threshold):g}" in text
