"""Blended campaigns: inbound callers take agents first, so the pacing dials less for them."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.pacing import (
    DecisionReason,
    InboundDemand,
    PacingPolicy,
    PolicyKind,
    decide,
    progressive_calls,
)
from dialer.scheduler.observe import INBOUND_RATE_WINDOW, inbound_demand
from tests.unit.pacing_fixtures import MODEL, inputs

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
