"""Blended campaigns: inbound callers take agents first, so the pacing dials less for them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.agents import AgentState as LiveAgentState
from dialer.agents.floor import AgentOnFloor, CampaignFloor
from dialer.pacing import (
    AgentFloor,
    DecisionReason,
    InboundDemand,
    PacingInputs,
    PacingModel,
    PacingPolicy,
    PacingStatistics,
    PolicyKind,
    StatisticsRecorder,
    decide,
    progressive_calls,
)
from dialer.scheduler.observe import INBOUND_RATE_WINDOW, agent_floor, inbound_demand
from tests.unit.pacing_fixtures import MODEL, inputs, learned_statistics

PREDICTIVE = PacingPolicy()
BUSY_FLOOR = {"ready": 3, "on_call": (400.0,) * 20, "wrap_up": (12.0,) * 4}


def test_progressive_leaves_the_agents_that_waiting_inbound_callers_will_take() -> None:
    floor = replace(inputs(ready=5), inbound=InboundDemand(waiting=3))
    assert progressive_calls(floor) == 2
    decision = decide(floor, PacingPolicy(kind=PolicyKind.PROGRESSIVE))
    assert (decision.calls, decision.reason) == (2, DecisionReason.PROGRESSIVE)


def test_no_outbound_call_while_inbound_callers_outnumber_idle_agents() -> None:
    floor = replace(inputs(ready=2, on_call=(1.0,) * 10), inbound=InboundDemand(waiting=4))
    assert decide(floor, PREDICTIVE).calls == 0
    assert decide(floor, PacingPolicy(kind=PolicyKind.PROGRESSIVE)).calls == 0


def test_fixed_ratio_counts_only_idle_agents_left_to_outbound() -> None:
    policy = PacingPolicy(kind=PolicyKind.FIXED_RATIO, ratio=2.0)
    floor = replace(inputs(ready=4), inbound=InboundDemand(waiting=1))
    assert decide(floor, policy).calls == 6


def test_predictive_dials_fewer_calls_for_each_waiting_inbound_caller() -> None:
    alone = decide(inputs(**BUSY_FLOOR), PREDICTIVE)  # type: ignore[arg-type]
    blended = decide(
        replace(inputs(**BUSY_FLOOR), inbound=InboundDemand(waiting=2)),  # type: ignore[arg-type]
        PREDICTIVE,
    )
    assert alone.reason is DecisionReason.PREDICTIVE
    assert blended.calls < alone.calls


def test_predictive_dials_fewer_calls_when_inbound_callers_keep_arriving() -> None:
    floor = inputs(**BUSY_FLOOR)  # type: ignore[arg-type]
    quiet = decide(floor, PREDICTIVE).calls
    busy = decide(replace(floor, inbound=InboundDemand(arrivals_per_second=0.2)), PREDICTIVE)
    assert busy.calls < quiet


@settings(max_examples=60, deadline=None)
@given(
    ready=st.integers(0, 30),
    waiting=st.integers(0, 40),
    rate=st.floats(0.0, 2.0),
    more_waiting=st.integers(0, 10),
    more_rate=st.floats(0.0, 1.0),
    kind=st.sampled_from(list(PolicyKind)),
)
def test_more_inbound_demand_never_places_more_outbound_calls(
    ready: int, waiting: int, rate: float, more_waiting: int, more_rate: float, kind: PolicyKind
) -> None:
    floor = inputs(ready=ready, on_call=(300.0,) * 15, wrap_up=(8.0,) * 3, model=MODEL)
    policy = PacingPolicy(kind=kind, ratio=2.0)
    less = decide(replace(floor, inbound=InboundDemand(waiting, rate)), policy)
    more = decide(
        replace(floor, inbound=InboundDemand(waiting + more_waiting, rate + more_rate)), policy
    )
    assert more.calls <= less.calls


def test_the_scheduler_turns_recent_offers_into_an_arrival_rate() -> None:
    offered = int(INBOUND_RATE_WINDOW.total_seconds() / 10)  # one call every 10 s
    demand = inbound_demand(waiting=3, offered_in_window=offered)
    assert demand.waiting == 3
    assert abs(demand.arrivals_per_second - 0.1) < 1e-9


# -- how soon an agent serving an inbound caller frees up ---------------------------------------


def _with_inbound(
    statistics: PacingStatistics, talk_s: float, wrap_s: float, calls: int = 200
) -> PacingStatistics:
    recorder = StatisticsRecorder(statistics)
    for n in range(calls):
        spread = 0.8 + 0.4 * n / calls  # talks within +-20 % of talk_s
        recorder.inbound_talk_ended(talk_s * spread)
        recorder.inbound_wrap_up_ended(wrap_s * spread)
    return recorder.snapshot()


OUTBOUND = learned_statistics()
SHORT_INBOUND_STATS = _with_inbound(OUTBOUND, talk_s=40.0, wrap_s=5.0)
SHORT_INBOUND = PacingModel.from_statistics(SHORT_INBOUND_STATS)
LONG_INBOUND = PacingModel.from_statistics(_with_inbound(OUTBOUND, talk_s=900.0, wrap_s=60.0))


def _floor(model: PacingModel, *, inbound: bool, ready: int = 3) -> PacingInputs:
    """20 agents 30 s into their calls and 4 in wrap-up, all on calls of one direction."""
    talks, wraps = np.full(20, 30.0), np.full(4, 3.0)
    none = np.zeros(0)
    agents = AgentFloor(
        ready=ready,
        on_call_seconds=none if inbound else talks,
        wrap_up_seconds=none if inbound else wraps,
        inbound_on_call_seconds=talks if inbound else none,
        inbound_wrap_up_seconds=wraps if inbound else none,
    )
    return replace(inputs(model=model), agents=agents)


def test_an_inbound_agent_frees_up_at_the_pace_of_the_inbound_queues_calls() -> None:
    # The inbound tables are the ones the same durations would give outbound calls.
    as_outbound = PacingModel.from_statistics(
        replace(
            OUTBOUND,
            talk_durations=SHORT_INBOUND_STATS.inbound_talk_durations,
            wrap_durations=SHORT_INBOUND_STATS.inbound_wrap_durations,
        )
    )
    assert SHORT_INBOUND.inbound_talk_learned and SHORT_INBOUND.inbound_wrap_learned
    assert np.allclose(SHORT_INBOUND.inbound_on_call_free_within, as_outbound.on_call_free_within)
    assert np.allclose(SHORT_INBOUND.inbound_wrap_up_free_within, as_outbound.wrap_up_free_within)
    # and the outbound tables are untouched by them
    assert np.array_equal(SHORT_INBOUND.on_call_free_within, MODEL.on_call_free_within)


def test_predictive_dials_more_when_inbound_calls_end_sooner_than_outbound_ones() -> None:
    outbound = decide(_floor(MODEL, inbound=False), PREDICTIVE)
    short = decide(_floor(SHORT_INBOUND, inbound=True), PREDICTIVE)
    long = decide(_floor(LONG_INBOUND, inbound=True), PREDICTIVE)
    assert outbound.reason is DecisionReason.PREDICTIVE
    # 40 s inbound talks: agents 30 s in are about to be free; 900 s ones: they are not
    assert long.calls < outbound.calls < short.calls


def test_without_inbound_history_an_inbound_agent_counts_as_an_outbound_one() -> None:
    few = PacingModel.from_statistics(_with_inbound(OUTBOUND, 40.0, 5.0, calls=4))
    assert not (few.inbound_talk_learned or few.inbound_wrap_learned)
    assert few.inbound_on_call_rows == few.on_call_rows
    assert few.inbound_wrap_up_rows == few.wrap_up_rows
    assert len(few.agent_chances) == len(MODEL.agent_chances)


def test_inbound_wrap_ups_alone_are_used_with_the_outbound_talks() -> None:
    recorder = StatisticsRecorder(OUTBOUND)
    for _ in range(50):
        recorder.inbound_wrap_up_ended(90.0)
    model = PacingModel.from_statistics(recorder.snapshot())
    assert model.inbound_wrap_learned and not model.inbound_talk_learned
    as_outbound = PacingModel.from_statistics(
        replace(OUTBOUND, wrap_durations=recorder.snapshot().inbound_wrap_durations)
    )
    assert np.allclose(model.inbound_on_call_free_within, as_outbound.on_call_free_within)
    assert np.allclose(model.inbound_wrap_up_free_within, as_outbound.wrap_up_free_within)


@settings(max_examples=40, deadline=None)
@given(
    ready=st.integers(0, 10),
    talks=st.lists(st.floats(0.0, 2000.0), max_size=25),
    wraps=st.lists(st.floats(0.0, 120.0), max_size=8),
    inbound_share=st.integers(0, 25),
)
def test_with_no_inbound_history_the_direction_of_busy_agents_changes_nothing(
    ready: int, talks: list[float], wraps: list[float], inbound_share: int
) -> None:
    """The fallback: the decision is the one made before inbound durations were learnt."""
    split = min(inbound_share, len(talks))
    wrap_split = min(inbound_share, len(wraps))
    blended = AgentFloor(
        ready=ready,
        on_call_seconds=np.array(talks[split:]),
        wrap_up_seconds=np.array(wraps[wrap_split:]),
        inbound_on_call_seconds=np.array(talks[:split]),
        inbound_wrap_up_seconds=np.array(wraps[:wrap_split]),
    )
    outbound = AgentFloor(
        ready=ready, on_call_seconds=np.array(talks), wrap_up_seconds=np.array(wraps)
    )
    base = inputs(model=MODEL)
    one = decide(replace(base, agents=blended), PREDICTIVE)
    other = decide(replace(base, agents=outbound), PREDICTIVE)
    assert (one.calls, one.reason) == (other.calls, other.reason)
    assert abs(one.risk - other.risk) < 1e-12


def test_inbound_durations_survive_the_statistics_json_and_old_json_still_loads() -> None:
    again = PacingStatistics.from_json(SHORT_INBOUND_STATS.to_json())
    assert again == SHORT_INBOUND_STATS
    old = json.loads(OUTBOUND.to_json())
    del old["inbound_talk_durations"], old["inbound_wrap_durations"]
    loaded = PacingStatistics.from_json(json.dumps(old))
    assert sum(loaded.inbound_talk_durations) == 0
    assert not PacingModel.from_statistics(loaded).inbound_talk_learned


def test_the_scheduler_tells_agents_on_inbound_calls_by_their_negated_call_id() -> None:
    def on_floor(agent_id: int, state: LiveAgentState, attempt: int | None) -> AgentOnFloor:
        return AgentOnFloor(agent_id, state, 12.0, None, attempt, 1, frozenset({1}))

    floor = CampaignFloor(
        1,
        datetime(2026, 1, 1, tzinfo=UTC),
        (
            on_floor(1, LiveAgentState.ON_CALL, 55),
            on_floor(2, LiveAgentState.ON_CALL, -7),
            on_floor(3, LiveAgentState.WRAP_UP, -8),
            on_floor(4, LiveAgentState.RESERVED, -9),
            on_floor(5, LiveAgentState.READY, None),
        ),
    )
    agents = agent_floor(floor)
    assert list(agents.on_call_seconds) == [12.0]
    assert sorted(agents.inbound_on_call_seconds) == [0.0, 12.0]  # reserved: a talk just begun
    assert list(agents.inbound_wrap_up_seconds) == [12.0]
    assert (agents.ready, agents.working, agents.busy) == (1, 5, 4)
