"""What pacing learns from history, and how the scheduler keeps it."""

from __future__ import annotations

import numpy as np

from dialer.pacing import PacingModel, PacingStatistics, StatisticsRecorder
from tests.unit.pacing_fixtures import learned_statistics


def test_statistics_survive_a_round_trip_through_json() -> None:
    statistics = learned_statistics(talks=50)
    again = PacingStatistics.from_json(statistics.to_json())
    assert again.completed_talks == statistics.completed_talks
    assert np.allclose(again.talk_durations, statistics.talk_durations, atol=1e-4)
    assert np.allclose(again.live_answer_delays, statistics.live_answer_delays, atol=1e-4)


def test_a_recorder_resumes_from_saved_statistics() -> None:
    statistics = learned_statistics(talks=20)
    recorder = StatisticsRecorder(statistics)
    recorder.talk_ended(100.0)
    assert recorder.snapshot().completed_talks == statistics.completed_talks + 1


def test_the_live_answer_rate_is_learned_from_ring_outcomes() -> None:
    model = PacingModel.from_statistics(learned_statistics(talks=2000, answer_rate=0.3))
    assert abs(model.live_probability - 0.3) < 0.03


def test_old_outcomes_fade_so_a_falling_answer_rate_shows_within_the_hour() -> None:
    recorder = StatisticsRecorder()
    for _ in range(300):
        recorder.ringing_ended(10.0, live=True)
        recorder.ringing_ended(27.0, live=False)
    recorder.decay(3600.0)
    for _ in range(300):
        recorder.ringing_ended(10.0, live=False)
    model = PacingModel.from_statistics(recorder.snapshot())
    assert model.live_probability < 0.2


def test_a_call_that_has_rung_long_is_less_likely_to_be_answered() -> None:
    model = PacingModel.from_statistics(learned_statistics())
    eventually = model.live_within[:, -1]
    assert eventually[3] > eventually[15] > eventually[26]


def test_an_agent_long_into_a_call_is_more_likely_to_free_up_soon_than_one_just_started() -> None:
    model = PacingModel.from_statistics(learned_statistics())
    within_30_s = model.on_call_free_within[:, 30]
    assert within_30_s[300] > within_30_s[5]


def test_chances_only_grow_with_the_time_allowed() -> None:
    model = PacingModel.from_statistics(learned_statistics())
    for table in (model.live_within, model.on_call_free_within, model.wrap_up_free_within):
        assert np.all(np.diff(table, axis=1) >= -1e-12)
        assert np.all((table >= 0.0) & (table <= 1.0))


def _short_talks_finished(n: int = 30, seconds: float = 20.0) -> PacingStatistics:
    recorder = StatisticsRecorder()
    for _ in range(n):
        recorder.talk_ended(seconds)
        recorder.wrap_up_ended(0.5)
    return recorder.snapshot()


def test_without_talks_going_on_the_model_is_the_finished_talks_alone() -> None:
    statistics = learned_statistics()
    alone = PacingModel.from_statistics(statistics)
    with_none = PacingModel.from_statistics(statistics, np.zeros(0))
    assert np.array_equal(alone.on_call_free_within, with_none.on_call_free_within)


def test_talks_still_going_count_so_early_short_talks_do_not_promise_agents_free_soon() -> None:
    # Early in a day only the short talks have ended: 30 of 20 s, while 10 agents are 40 s in.
    statistics = _short_talks_finished()
    finished_only = PacingModel.from_statistics(statistics)
    with_going = PacingModel.from_statistics(statistics, np.full(10, 40.0))
    # From finished talks alone, every talk ends at 20 s, and past it the last row stands in:
    # an agent 30 s in is sure to be free within 5 s. Counting the 10 still going, a quarter of
    # the talks outlast 20 s, and nothing says when those end.
    assert finished_only.on_call_free_within[20, 5] == 1.0
    assert with_going.on_call_free_within[20, 5] == 0.75
    assert finished_only.on_call_free_within[30, 5] == 1.0
    assert with_going.on_call_free_within[30, 5] == 0.0
