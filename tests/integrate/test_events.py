"""Events located on the dense output, as SciPy's: times, direction, terminal counts, boundaries."""

import numpy as np
import pytest
from numba import njit

from dynsys.integrate import EventSet, Flow, solve_ivp
from dynsys.integrate.flow import RHS_SIGNATURE

ZEROS_OF_COS = (np.arange(10) + 0.5) * np.pi


def oscillator(t, y):
    return np.array([y[1], -y[0]])


def position(t, y):
    return y[0]


def falling(t, y):
    return y[0]


falling.direction = -1


def rising(t, y):
    return y[0]


rising.direction = 1


def second_zero(t, y):
    return y[0]


second_zero.terminal = 2


@pytest.mark.parametrize("method", ["dopri5", "dop853", "rk4"])
def test_zero_crossings_of_cos_at_known_times(method):
    kwargs = {"first_step": 0.01} if method == "rk4" else {"rtol": 1e-10, "atol": 1e-12}
    res = solve_ivp(oscillator, (0, 10), [1.0, 0.0], method=method, events=position, **kwargs)
    assert res.status == 0
    assert len(res.t_events) == 1 and res.y_events[0].shape == (3, 2)
    assert np.abs(res.t_events[0] - ZEROS_OF_COS[:3]).max() < (1e-8 if method == "rk4" else 1e-9)
    assert np.abs(res.y_events[0][:, 0]).max() < 1e-8
    assert np.allclose(res.y_events[0][:, 1], [-1, 1, -1], atol=1e-6)  # y' = -sin t there


def test_direction_filters_crossings():
    res = solve_ivp(oscillator, (0, 10), [1.0, 0.0], events=[falling, rising, position], rtol=1e-10, atol=1e-12)
    down, up, both = res.t_events
    assert np.allclose(down, ZEROS_OF_COS[[0, 2]], atol=1e-9)
    assert np.allclose(up, ZEROS_OF_COS[[1]], atol=1e-9)
    assert len(both) == 3


def test_terminal_after_the_kth_occurrence():
    res = solve_ivp(oscillator, (0, 10), [1.0, 0.0], events=second_zero, rtol=1e-10, atol=1e-12)
    assert res.status == 1 and "termination event" in res.message
    assert np.allclose(res.t_events[0], ZEROS_OF_COS[:2], atol=1e-9)
    assert res.t[-1] == res.t_events[0][-1]  # without t_eval the last row is the event point
    assert np.array_equal(res.y[:, -1], res.y_events[0][-1])


def ball(t, y, g):
    return np.array([y[1], -g])


def ground(t, y, g):
    return y[0]


ground.terminal = True
ground.direction = -1


def test_t_eval_with_a_terminal_event_stops_the_output_at_the_event():
    t_eval = np.linspace(0, 5, 51)
    res = solve_ivp(ball, (0, 5), [10.0, 0.0], args=(9.81,), events=ground, t_eval=t_eval)
    t_hit = np.sqrt(2 * 10.0 / 9.81)
    assert res.status == 1
    assert res.t_events[0] == pytest.approx([t_hit], abs=1e-12)
    assert res.y_events[0][0] == pytest.approx([0.0, -9.81 * t_hit], abs=1e-9)
    assert np.array_equal(res.t, t_eval[t_eval <= t_hit])
    assert np.allclose(res.y[0], 10.0 - 9.81 * res.t ** 2 / 2, atol=1e-12)


def constant_speed(t, y):
    return np.array([1.0])


def half_past(t, y):
    return t - 0.5


def test_event_exactly_on_a_step_boundary_is_counted_once():
    # steps of 0.125 are exact in binary, so the root t = 0.5 is the end of the fourth step
    res = solve_ivp(constant_speed, (0, 1), [0.0], method="rk4", first_step=0.125, events=half_past)
    assert 0.5 in res.t
    assert res.t_events[0].tolist() == [0.5]


def test_event_at_t1_is_found_and_a_zero_at_t0_is_not():
    res = solve_ivp(constant_speed, (0, 0.5), [0.0], events=half_past)
    assert res.t_events[0].tolist() == [0.5]
    res = solve_ivp(constant_speed, (0.5, 1.0), [0.0], events=half_past)
    assert res.t_events[0].size == 0


def fast_oscillator(t, y):
    return np.array([y[1], -400.0 * y[0]])


def test_more_occurrences_than_the_initial_room():
    res = solve_ivp(fast_oscillator, (0, 20), [1.0, 0.0], events=position, rtol=1e-10, atol=1e-12)
    expected = (np.arange(200) + 0.5) * np.pi / 20
    expected = expected[expected <= 20]
    assert len(res.t_events[0]) == len(expected) > 64
    assert np.abs(res.t_events[0] - expected).max() < 1e-8


def threshold(t, y, level):
    return y[0] - level


def decay(t, y, level):
    return -y


def test_events_receive_args():
    res = solve_ivp(decay, (0, 5), [1.0], args=(0.25,), events=threshold, rtol=1e-10, atol=1e-12)
    assert res.t_events[0] == pytest.approx([np.log(4.0)], abs=1e-9)


@njit(RHS_SIGNATURE, cache=True)
def two_events(t, y, p, out):
    out[0] = y[0] - p[0]
    out[1] = y[1]


@njit(RHS_SIGNATURE, cache=True)
def oscillator_flow(t, y, p, out):
    out[0] = y[1]
    out[1] = -y[0]


def test_compiled_event_set_with_a_flow():
    flow = Flow(rhs=oscillator_flow, n_state=2, param_names=("level",), params=np.array([0.5]))
    events = EventSet(two_events, 2, terminal=[0, 3], direction=[-1.0, 0.0])
    res = solve_ivp(flow, (0, 20), [1.0, 0.0], events=events, rtol=1e-10, atol=1e-12)
    assert res.status == 1
    # y = cos t falls through 0.5 at pi/3 and 7 pi/3; y' = -sin t vanishes at k pi (not at t0)
    assert np.allclose(res.t_events[1], [np.pi, 2 * np.pi, 3 * np.pi], atol=1e-9)
    assert np.allclose(res.t_events[0], [np.pi / 3, 2 * np.pi + np.pi / 3], atol=1e-9)
    assert res.t[-1] == pytest.approx(3 * np.pi)
