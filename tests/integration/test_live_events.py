"""The live events stream in a real Redis: late readers catch up, new readers read on."""

from __future__ import annotations

from datetime import UTC, datetime

from dialer import live_events
from dialer.bootstrap import redis_client
from dialer.live_events import CallAnswered, CallConnected, CallEnded, EventType

AT = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_a_late_reader_catches_up_and_then_reads_only_what_is_new(redis_url: str) -> None:
    client = redis_client(redis_url)
    live_events.publish(client, CallAnswered(attempt_id=7, campaign_id=1, at=AT))
    live_events.publish(client, CallConnected(attempt_id=7, campaign_id=1, agent_id=3, at=AT))
    caught_up = live_events.latest(client)
    assert [e.type for e in caught_up] == [EventType.CALL_ANSWERED, EventType.CALL_CONNECTED]
    assert caught_up[1].data == {
        "type": "call_connected", "attempt_id": 7, "campaign_id": 1, "agent_id": 3,
        "at": AT.isoformat(),
    }  # fmt: skip
    live_events.publish(client, CallEnded(attempt_id=7, campaign_id=1, outcome="connected", at=AT))
    newer = live_events.read_after(client, caught_up[-1].id)
    assert [(e.type, e.data["outcome"]) for e in newer] == [(EventType.CALL_ENDED, "connected")]
    assert live_events.read_after(client, newer[-1].id) == []


def test_the_stream_keeps_only_its_recent_past(redis_url: str) -> None:
    client = redis_client(redis_url)
    with client.pipeline(transaction=False) as pipe:
        for _ in range(live_events.STREAM_LENGTH + 500):
            pipe.xadd(live_events.STREAM, {"type": "call_answered", "data": "{}"})
        pipe.execute()
    live_events.publish(client, CallAnswered(attempt_id=1, campaign_id=1, at=AT))
    # Trimmed approximately (whole internal nodes): near the cap, never unbounded.
    assert client.xlen(live_events.STREAM) < live_events.STREAM_LENGTH + 200
