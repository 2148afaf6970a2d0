"""The live pacing bench's analysis: buckets and the steady-state summary from stored rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialer.bench.live_pacing_analysis import (
    AttemptRow,
    PacingSample,
    StateInterval,
    abandoned_with_an_agent_ready,
    analyse,
    samples_from_buckets,
)

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def call(dial: float, outcome: str, answer: float | None = None, hangup: float | None = None,
         false_positive: bool = False) -> AttemptRow:  # fmt: skip
    return AttemptRow(
        at(dial),
        None if answer is None else at(answer),
        at(hangup if hangup is not None else dial + 20),
        outcome,
        false_positive,
    )


def state(agent: int, name: str, start: float, end: float | None) -> StateInterval:
    return StateInterval(agent, name, at(start), None if end is None else at(end))


def run(attempts, intervals, samples=(), seconds=60.0, **kw):  # type: ignore[no-untyped-def]
    return analyse(
        list(attempts),
        list(intervals),
        list(samples),
        start=T0,
        end=at(seconds),
        abandon_target=0.025,
        abandon_cap=0.03,
        **kw,
    )


def test_counts_dials_by_dial_time_and_live_answers_by_answer_time() -> None:
    attempts = [
        call(5, "connected", answer=25, hangup=50),
        call(10, "abandoned", answer=35),
        call(12, "machine", answer=20),
        call(40, "no_answer"),
    ]
    buckets, summary = run(attempts, [])
    assert [b.dials for b in buckets] == [3, 1]
    assert [b.live_answers for b in buckets] == [1, 1]
    assert [b.abandoned for b in buckets] == [0, 1]
    assert (summary.dials, summary.live_answers, summary.abandoned) == (4, 2, 1)
    assert summary.abandon_rate == 0.5


def test_an_amd_false_positive_is_an_abandoned_live_answer() -> None:
    _, summary = run([call(1, "machine", answer=5, false_positive=True)], [], seconds=30)
    assert (summary.live_answers, summary.abandoned) == (1, 1)


def test_a_machine_an_agent_took_is_not_a_live_answer() -> None:
    machine = AttemptRow(at(1), at(5), at(20), "connected", False, agent_heard_machine=True)
    _, summary = run([machine, call(2, "abandoned", answer=6)], [], seconds=30)
    assert (summary.live_answers, summary.abandoned) == (1, 1)


def test_an_abandon_while_an_agent_stood_ready_is_a_missed_hand_off() -> None:
    def dropped(answer: float, message: float) -> AttemptRow:
        return AttemptRow(at(answer - 5), at(answer), at(message + 10), "abandoned", False,
                          message_start_at=at(message))  # fmt: skip

    missed, in_time, unlucky = dropped(10, 12), dropped(30, 32), dropped(50, 52)
    intervals = [
        state(1, "on_call", 0, 11),
        state(1, "ready", 11, 11.5),  # ready half a second of the first wait: a claim missed it
        state(1, "reserved", 11.5, 30),
        state(1, "on_call", 30, 51.9),
        state(1, "ready", 51.9, 52.5),  # ready as the message started: too late to be claimed
    ]
    connected = call(1, "connected", answer=11.2, hangup=40)
    found = abandoned_with_an_agent_ready([missed, in_time, unlucky, connected], intervals, at(60))
    assert found == [missed]


def test_an_attempt_never_dialed_is_not_a_dial() -> None:
    expired = AttemptRow(None, None, None, "expired", False)
    buckets, summary = run([expired], [], seconds=30)
    assert summary.dials == 0
    assert buckets[0].lines_per_agent is None


def test_occupancy_counts_reserved_talk_and_wrap_over_those_and_ready() -> None:
    intervals = [
        state(1, "ready", 0, 10),
        state(1, "reserved", 10, 12),
        state(1, "on_call", 12, 25),
        state(1, "wrap_up", 25, 30),
        state(2, "paused", 0, 20),  # pauses count in neither part
        state(2, "ready", 20, 30),
    ]
    buckets, _ = run([], intervals, seconds=30)
    assert buckets[0].occupancy == 20 / 40
    assert buckets[0].agents_logged_in == round(40 / 30, 2)


def test_a_state_still_open_lasts_until_the_end_of_the_run() -> None:
    buckets, _ = run([], [state(1, "on_call", 0, None), state(2, "ready", 0, None)])
    assert [b.occupancy for b in buckets] == [0.5, 0.5]


def test_lines_per_agent_is_calls_in_progress_per_logged_in_agent() -> None:
    # Two calls up for the whole bucket, one agent logged in all along.
    attempts = [call(0, "no_answer", hangup=30), call(0, "no_answer", hangup=30)]
    buckets, _ = run(attempts, [state(1, "ready", 0, 30)], seconds=30)
    assert buckets[0].lines_per_agent == 2.0


def test_the_last_bucket_is_as_long_as_the_run_lets_it_be() -> None:
    buckets, _ = run([], [state(1, "on_call", 0, 45), state(1, "ready", 45, 75)], seconds=75)
    assert [b.start_s for b in buckets] == [0, 30, 60]
    assert buckets[1].occupancy == 0.5
    assert buckets[2].occupancy == 0.0


def test_scheduler_samples_give_reasons_dial_level_and_when_predictive_began() -> None:
    samples = [
        PacingSample(at(1), "warming_up", 1.0),
        PacingSample(at(20), "warming_up", 1.0),
        PacingSample(at(40), "predictive", 2.0),
        PacingSample(at(50), "predictive", None),
    ]
    buckets, summary = run([], [], samples)
    assert buckets[0].reasons == {"warming_up": 2}
    assert buckets[1].reasons == {"predictive": 2}
    assert buckets[1].dial_level == 2.0
    assert summary.predictive_from_s == 40


def ramp(occupancies: list[float]) -> list[StateInterval]:
    """One agent per 30-second bucket, busy for the given share of it and ready the rest."""
    intervals = []
    for index, share in enumerate(occupancies):
        start = index * 30
        intervals += [
            state(1, "on_call", start, start + 30 * share),
            state(1, "ready", start + 30 * share, start + 30),
        ]
    return intervals


def test_steady_state_starts_at_the_first_bucket_near_the_second_halfs_level() -> None:
    occupancies = [0.2, 0.5, 0.75, 0.8, 0.9, 0.8, 0.85, 0.8]
    _, summary = run([], ramp(occupancies), seconds=240)
    assert summary.steady_level == 0.825
    assert summary.steady_from_s == 60  # 0.75 is within 10 points of 0.825; 0.5 is not
    assert summary.steady_occupancy is not None
    assert abs(summary.steady_occupancy - sum(occupancies[2:]) / 6) < 1e-9


def test_abandonment_over_the_steady_part_is_judged_against_target_and_cap() -> None:
    occupancies = [0.1, 0.8, 0.8, 0.8]
    # An abandoned call during the ramp, then 1 abandoned in 40 live answers: 2.5 %.
    attempts = [call(1, "abandoned", answer=5)]
    attempts += [call(31, "connected", answer=32 + i) for i in range(39)]
    attempts += [call(61, "abandoned", answer=62)]
    _, summary = run(attempts, ramp(occupancies), seconds=120)
    assert summary.steady_from_s == 30
    assert (summary.steady_live_answers, summary.steady_abandoned) == (40, 1)
    assert summary.steady_abandon_rate == 0.025
    assert summary.steady_within_target is True
    assert summary.steady_within_cap is True
    assert summary.abandon_rate == 2 / 41
    assert summary.total_within_cap is False


def test_a_run_without_agents_has_no_steady_state() -> None:
    buckets, summary = run([call(1, "no_answer")], [])
    assert summary.steady_from_s is None
    assert summary.steady_occupancy is None
    assert summary.steady_abandon_rate is None
    assert summary.steady_within_target is None
    assert len(buckets) == 2


def test_the_figure_draws_from_the_result_json_alone() -> None:
    import json
    from dataclasses import asdict

    from dialer.bench.live_pacing_chart import live_pacing_figure

    buckets, summary = run([call(1, "abandoned", answer=5)], ramp([0.5, 0.8]))
    result = json.loads(
        json.dumps(
            {
                "agents": 1,
                "answer_rate": 0.3,
                "summary": asdict(summary),
                "buckets": [asdict(b) for b in buckets],
            }
        )
    )
    figure = live_pacing_figure(result)
    names = [trace.name for trace in figure.data]
    assert names == [
        "dials",
        "live answers",
        "occupancy",
        "lines per agent",
        "abandoned / live, per bucket",
    ]


def test_the_predictive_phase_runs_from_the_bucket_of_the_first_predictive_decision() -> None:
    attempts = [call(5, "abandoned", answer=6), call(40, "connected", answer=45)]
    attempts += [call(70, "abandoned", answer=75)]
    samples = [PacingSample(at(10), "warming_up", 1.0), PacingSample(at(40), "predictive", 3.0)]
    _, summary = run(attempts, ramp([0.2, 0.6, 0.9]), samples, seconds=90)
    assert summary.predictive_from_s == 40
    assert summary.predictive_buckets == 2
    assert (summary.predictive_live_answers, summary.predictive_abandoned) == (2, 1)
    assert summary.predictive_abandon_rate == 0.5
    assert summary.predictive_occupancy is not None
    assert abs(summary.predictive_occupancy - 0.75) < 1e-6


def test_without_a_predictive_decision_there_is_no_predictive_phase() -> None:
    _, summary = run([], ramp([0.5]), [PacingSample(at(1), "warming_up", 1.0)], seconds=30)
    assert summary.predictive_from_s is None
    assert summary.predictive_buckets == 0
    assert summary.predictive_occupancy is None


def test_samples_rebuilt_from_bucket_counts_give_the_same_buckets_and_predictive_start() -> None:
    samples = [
        PacingSample(at(3), "warming_up", 1.0),
        PacingSample(at(20), "warming_up", 1.0),
        PacingSample(at(44.5), "warming_up", 2.0),
        PacingSample(at(47.25), "predictive", 3.0),
        PacingSample(at(61), "near_cap", 1.0),
    ]
    buckets, summary = run([], [], samples, seconds=62)
    as_json = [{"start_s": b.start_s, "reasons": b.reasons, "dial_level": b.dial_level}
               for b in buckets]  # fmt: skip
    rebuilt = samples_from_buckets(as_json, T0, at(62), summary.predictive_from_s)
    again, summary_again = run([], [], rebuilt, seconds=62)
    seen = [(b.reasons, b.dial_level) for b in buckets]
    assert [(b.reasons, b.dial_level) for b in again] == seen
    assert summary_again.predictive_from_s == 47.25
