"""progress=True integrates in chunks behind a tqdm bar and gives the same solve."""

import numpy as np
import pytest

from dynsys.integrate import solve_ivp
from dynsys.integrate.progress import chunk_edges


def oscillator(t, y):
    return np.array([y[1], -y[0]])


def zero(t, y):
    return y[0]


zero.terminal = 5


def decay(t, y):
    return -y / (1.0 + t)


@pytest.mark.parametrize("method", ["dopri5", "dop853", "rk4", "rodas4"])
def test_same_final_state_with_and_without_progress(method, capsys):
    kw = dict(method=method, rtol=1e-9, atol=1e-12, max_steps=20_000)
    plain = solve_ivp(oscillator, (0, 30), [1.0, 0.0], **kw)
    chunked = solve_ivp(oscillator, (0, 30), [1.0, 0.0], progress=True, **kw)
    assert chunked.status == plain.status == 0
    assert chunked.t[0] == 0.0 and chunked.t[-1] == 30.0 and np.all(np.diff(chunked.t) > 0)
    assert np.abs(chunked.y[:, -1] - plain.y[:, -1]).max() < 1e-7
    assert "chunk" in capsys.readouterr().err  # the bar was drawn
    if method == "rk4":  # chunk edges on the step grid: no extra steps
        assert chunked.n_accepted == plain.n_accepted == 20_000


def test_terminal_count_and_events_carry_across_chunks():
    plain = solve_ivp(oscillator, (0, 30), [1.0, 0.0], events=zero, rtol=1e-10, atol=1e-12)
    chunked = solve_ivp(oscillator, (0, 30), [1.0, 0.0], events=zero, rtol=1e-10, atol=1e-12, progress=True)
    assert chunked.status == plain.status == 1
    assert np.allclose(chunked.t_events[0], (np.arange(5) + 0.5) * np.pi, atol=1e-9)
    assert chunked.t[-1] == pytest.approx(4.5 * np.pi, abs=1e-9)


def test_log_spaced_output_in_log_spaced_chunks():
    t_eval = np.geomspace(1e-2, 1e8, 200)
    plain = solve_ivp(decay, (0, 1e8), [1.0], t_eval=t_eval, rtol=1e-8, atol=1e-14)
    chunked = solve_ivp(decay, (0, 1e8), [1.0], t_eval=t_eval, rtol=1e-8, atol=1e-14, progress=True)
    assert np.array_equal(chunked.t, t_eval) and chunked.y.shape == plain.y.shape
    assert np.abs(chunked.y[0] * (1 + t_eval) - 1).max() < 1e-5
    # each chunk starts with the step the previous one proposed: chunking costs little
    # more than a step and a first evaluation per chunk (2010 against 1400 evaluations)
    assert chunked.nfev < 1.5 * plain.nfev
    edges = chunk_edges(0.0, 1e8, t_eval)
    assert edges[0] == 0.0 and edges[-1] == 1e8 and 90 < len(edges) <= 102
    assert edges[-1] / edges[-2] == pytest.approx(edges[-2] / edges[-3], rel=0.1)  # geometric


def test_backwards_chunks():
    edges = chunk_edges(10.0, 0.0)
    assert edges[0] == 10.0 and edges[-1] == 0.0 and np.all(np.diff(edges) < 0)
