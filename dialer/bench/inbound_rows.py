"""Inbound calls of the synthetic history: each on-call interval of a queue's agents is an answered
call (offered after a short queue wait), plus callers who hung up in the queue, overflow to
voicemail or callback, and a few calls rejected at the door."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dialer.bench.agent_days import Workload, simulate_shift
from dialer.bench.history_setup import Setup
from dialer.bench.outbound_rows import NULL, CopyWriter, format_state, ts

SHIFT_LOCAL_HOURS = (8, 18)
# Per answered call: how many other callers abandoned, went to voicemail, asked for a callback,
# or were rejected.
OTHER_OUTCOMES = {"abandoned": 0.07, "voicemail": 0.02, "callback": 0.01, "rejected": 0.005}


def inbound_history(
    writer: CopyWriter, setup: Setup, end: datetime, days: int, rng: random.Random
) -> None:
    load = Workload(idle_mean_s=60, talk_median_s=180, wrap_max_s=40)
    for queue_id, campaign_id, timezone, agent_ids in setup.queues:
        zone = ZoneInfo(timezone)
        did = f"+1800555{queue_id:04d}"
        calls: list[str] = []
        states: list[str] = []
        first = (end - timedelta(days=days)).astimezone(zone).date() + timedelta(days=1)
        for i in range(days):
            day = first + timedelta(days=i)
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
            if midnight + timedelta(days=1) > end or day.weekday() == 6:
                continue
            start = midnight.timestamp() + SHIFT_LOCAL_HOURS[0] * 3600
            stop = midnight.timestamp() + SHIFT_LOCAL_HOURS[1] * 3600
            answered = 0
            for agent_id in agent_ids:
                shift = simulate_shift(rng, start, stop, load)
                for span in shift.spans:
                    states.append(format_state(agent_id, campaign_id, span, None))
                for call in shift.calls:
                    wait = min(rng.expovariate(1 / 14), 280.0)
                    calls.append(
                        _line(
                            queue_id,
                            did,
                            rng,
                            agent_id=agent_id,
                            offered=call.answered - wait,
                            answered=call.answered,
                            abandoned=None,
                            ended=call.hung_up,
                            outcome="answered",
                            wrapped=call.wrapped,
                        )
                    )
                    answered += 1
            for outcome, share in OTHER_OUTCOMES.items():
                for _ in range(round(answered * share * rng.uniform(0.5, 1.5))):
                    offered = rng.uniform(start, stop)
                    wait = rng.uniform(5, 120)
                    gave_up = offered + wait if outcome == "abandoned" else None
                    ended = offered + (wait if outcome != "rejected" else 0.2)
                    calls.append(
                        _line(
                            queue_id,
                            did,
                            rng,
                            agent_id=None,
                            offered=offered,
                            answered=None,
                            abandoned=gave_up,
                            ended=ended,
                            outcome=outcome,
                            wrapped=None,
                        )
                    )
        writer.copy("inbound", calls)
        writer.copy("states", states)
        writer.conn.commit()


def _line(
    queue_id: int,
    did: str,
    rng: random.Random,
    *,
    agent_id: int | None,
    offered: float,
    answered: float | None,
    abandoned: float | None,
    ended: float,
    outcome: str,
    wrapped: float | None,
) -> str:
    caller = f"+1{rng.randint(201, 989)}{rng.randint(2_000_000, 9_999_999)}"
    disposition = rng.choice(("resolved", "sale", "follow_up")) if wrapped else None
    return "\t".join(
        (
            str(queue_id),
            did,
            caller,
            str(agent_id) if agent_id else NULL,
            ts(offered),
            ts(answered),
            ts(abandoned),
            ts(ended),
            outcome,
            disposition or NULL,
            ts(wrapped - 1 if wrapped else None),
        )
    )
