"""The scheduler learns from the live events: a call's end (ring time, answer, talk), an
agent's wrap-up ending, an inbound call's talk. Each event updates the statistics of the
campaigns it concerns, and the campaigns with a newly ready agent get an early decision."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from campaigns.storage import pacing_store
from dialer import live_events
from dialer.scheduler.pacer import CampaignPacer


def learn(
    event: live_events.StreamedEvent, pool: ConnectionPool, pacers: dict[int, CampaignPacer]
) -> set[int]:
    """Feed the running campaigns' statistics with one live event; return the campaigns worth
    an early decision."""
    data = event.data
    kind = event.type
    if kind is live_events.EventType.CALL_ENDED:
        pacer = pacers.get(int(data["campaign_id"]))
        if pacer is None:
            return set()
        with pool.connection() as conn:
            ended = pacing_store.ended_attempt(conn, int(data["attempt_id"]))
        if ended is not None:
            pacer.learn_attempt(ended)
        return {pacer.campaign.id}
    if kind is live_events.EventType.AGENT_STATE:
        campaigns = {int(c) for c in data.get("campaigns") or []}
        _learn_inbound_talk(data, pool, pacers)
        if data.get("previous") == "wrap_up":
            with pool.connection() as conn:
                wrap = pacing_store.last_wrap_up(conn, int(data["agent_id"]))
            if wrap is not None:
                for campaign_id in campaigns & set(pacers):
                    pacers[campaign_id].learn_wrap_up(
                        wrap.seconds, after_inbound=wrap.after_inbound
                    )
        if data.get("state") == "ready":
            return campaigns & set(pacers)
    return set()


def _learn_inbound_talk(
    data: dict[str, object], pool: ConnectionPool, pacers: dict[int, CampaignPacer]
) -> None:
    """An agent left an inbound call for its wrap-up: the call's end is stored by then (the
    inbound process releases the agent after writing it), so its talk is learnt now."""
    attempt = data.get("attempt_id")
    if not (
        data.get("state") == "wrap_up"
        and data.get("previous") == "on_call"
        and isinstance(attempt, int)
        and attempt < 0
    ):
        return
    with pool.connection() as conn:
        talk = pacing_store.ended_inbound_talk(conn, -attempt)
    pacer = pacers.get(talk.campaign_id) if talk else None
    if talk is not None and pacer is not None:
        pacer.learn_inbound_talk(talk.seconds)
