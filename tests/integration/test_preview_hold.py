"""Preview holds past the campaign's limit on real PostgreSQL and Redis: the sweep gives the
contact back untouched and pauses the agent; a fresh hold is kept; a Dial racing the sweep either
dials or is told the preview expired, never both."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import redis

from campaigns.agents import AgentState
from campaigns.campaign import Campaign, CampaignState, DialMode
from campaigns.storage import campaign_store, claim_store, preview_store
from campaigns.storage.db import Connection, open_pool
from dialer.agents.service import AgentService
from dialer.preview import Dialed, PreviewExpired, PreviewService, release_expired_previews
from dialer.scheduler.leader import LeaderLease
from dialer.scheduler.loop import Scheduler
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]

LIMIT = timedelta(seconds=300)


class Sent:
    def __init__(self) -> None:
        self.dials: list[int] = []

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.dials.append(attempt_id)


@pytest.fixture
def pool(database_url: str) -> Iterator[Any]:
    pool = open_pool(database_url, max_size=6, name="preview-hold-test")
    yield pool
    pool.close()


@pytest.fixture
def service(agents: AgentService) -> PreviewService:
    return PreviewService(agents.db, agents, Sent())


def _dials(service: PreviewService) -> list[int]:
    assert isinstance(service.sender, Sent)
    return service.sender.dials


def _campaign(db: Connection, name: str = "Preview", **spec: object) -> Campaign:
    campaign = make_campaign(
        db, name, trunk_uri="sip:{number}@127.0.0.1:5999", dial_mode=DialMode.PREVIEW, **spec
    )
    return campaign_store.set_campaign_state(db, campaign.id, CampaignState.RUNNING)


def _ready(agents: AgentService, db: Connection, name: str, campaign: Campaign) -> int:
    agent = make_agent(db, name, [campaign])
    agents.login(agent.id, T0, [campaign.id])
    agents.ready(agent.id, T0)
    return agent.id


def _attempt(db: Connection, attempt_id: int | None) -> tuple[Any, ...]:
    """State, outcome, reason and whether a Dial gave it an expiry."""
    row = db.execute(
        "SELECT state, outcome, sip_reason, expires_at IS NOT NULL FROM call_attempts"
        " WHERE id = %s",
        (attempt_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def _contact(db: Connection, contact_id: int) -> tuple[Any, ...]:
    row = db.execute("SELECT state, attempts FROM contacts WHERE id = %s", (contact_id,)).fetchone()
    assert row is not None
    return tuple(row)


def test_a_preview_held_past_its_limit_goes_back_untouched_and_the_agent_is_paused(
    db: Connection, agents: AgentService, service: PreviewService, caplog: Any
) -> None:
    campaign = _campaign(db)
    [contact] = make_contacts(db, campaign, ["+12025550101"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    assert shown is not None

    with caplog.at_level("INFO", logger="dialer.preview"):
        released = release_expired_previews(db, agents, T0 + LIMIT)

    assert [hold.attempt_id for hold in released] == [shown]
    assert _attempt(db, shown) == (
        "ended",
        "cancelled",
        "preview expired: not dialed or skipped within 300 s",
        False,
    )
    # No attempt counted, no retry used: back in line at once, for anyone.
    assert _contact(db, contact) == ("dialable", 0)
    assert db.execute(
        "SELECT next_eligible_at FROM contacts WHERE id = %s", (contact,)
    ).fetchone() == (T0 + LIMIT,)
    status = agents.status(agent_id)
    assert (status.state, status.reason, status.attempt_id) == (
        AgentState.PAUSED,
        "preview_expired",
        None,
    )
    assert f"preview attempt {shown}" in caplog.text and "released" in caplog.text
    # The console's next Dial says so rather than "nothing to dial".
    with pytest.raises(PreviewExpired, match="expired"):
        service.dial(agent_id, T0 + LIMIT)
    assert _dials(service) == []


def test_a_fresh_preview_is_kept_and_each_campaign_has_its_own_limit(
    db: Connection, agents: AgentService, service: PreviewService
) -> None:
    quick = _campaign(db, "Quick", preview_timeout_s=60)
    slow = _campaign(db, "Slow")
    make_contacts(db, quick, ["+12025550201"])
    make_contacts(db, slow, ["+12025550202"])
    ann = _ready(agents, db, "ann", quick)
    bob = _ready(agents, db, "bob", slow)
    ann_card, bob_card = service.current(ann, T0), service.current(bob, T0)

    assert release_expired_previews(db, agents, T0 + timedelta(seconds=59)) == []
    released = release_expired_previews(db, agents, T0 + timedelta(seconds=60))

    assert [hold.attempt_id for hold in released] == [ann_card]
    assert agents.status(bob).attempt_id == bob_card
    assert _attempt(db, bob_card) == ("queued", None, None, False)
    assert release_expired_previews(db, agents, T0 + timedelta(seconds=299)) == []


def test_dial_after_the_limit_but_before_the_sweep_is_refused_as_expired(
    db: Connection, agents: AgentService, service: PreviewService
) -> None:
    campaign = _campaign(db)
    [contact] = make_contacts(db, campaign, ["+12025550301"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    assert shown is not None

    with pytest.raises(PreviewExpired, match="within 300 s"):
        service.dial(agent_id, T0 + LIMIT)

    assert _dials(service) == []
    assert _attempt(db, shown)[:2] == ("ended", "cancelled")
    assert _contact(db, contact) == ("dialable", 0)
    assert agents.status(agent_id).reason == "preview_expired"
    assert release_expired_previews(db, agents, T0 + LIMIT) == []  # nothing left to release


def test_a_dial_that_won_is_never_released_by_the_sweep(
    db: Connection, agents: AgentService, service: PreviewService
) -> None:
    campaign = _campaign(db)
    [contact] = make_contacts(db, campaign, ["+12025550401"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)

    assert service.dial(agent_id, T0 + LIMIT - timedelta(seconds=1)) == Dialed(shown or 0)
    assert release_expired_previews(db, agents, T0 + LIMIT + timedelta(seconds=5)) == []

    assert _attempt(db, shown) == ("queued", None, None, True)
    assert _contact(db, contact)[0] == "in_flight"
    assert agents.status(agent_id).attempt_id == shown
    assert _dials(service) == [shown]


def test_a_dial_waiting_on_the_sweeps_lock_is_told_the_preview_expired(
    db: Connection, pool: Any, agents: AgentService, service: PreviewService
) -> None:
    campaign = _campaign(db)
    make_contacts(db, campaign, ["+12025550501"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    hold = preview_store.held_preview(db, agent_id)
    assert hold is not None and hold.attempt_id == shown

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        with pool.connection() as sweep, sweep.transaction():
            assert preview_store.release_expired(sweep, hold, T0 + LIMIT)
            # The agent clicks Dial one second before the limit, while the sweep's row lock
            # is held: the Dial's compare-and-set waits for the sweep's commit.
            clicked = executor.submit(service.dial, agent_id, T0 + LIMIT - timedelta(seconds=1))
            time.sleep(0.5)
            assert not clicked.done()
        with pytest.raises(PreviewExpired, match="preview expired: not dialed or skipped"):
            clicked.result(timeout=10)

    assert _dials(service) == []
    assert _attempt(db, hold.attempt_id)[:2] == ("ended", "cancelled")


def test_dial_racing_the_sweep_exactly_one_wins(
    db: Connection, pool: Any, agents: AgentService, service: PreviewService
) -> None:
    campaign = _campaign(db)
    rounds = 12
    contacts = make_contacts(db, campaign, [f"+1202555{600 + i:04d}" for i in range(rounds)])
    agent_ids = [_ready(agents, db, f"agent{i}", campaign) for i in range(rounds)]
    shown: dict[int, int | None] = {}

    outcomes: dict[int, str] = {}
    for round_no, agent_id in enumerate(agent_ids):
        # One hold at a time, so the sweep of this round has only this one to release.
        held_at = T0 + timedelta(minutes=10 * round_no)
        shown[agent_id] = service.current(agent_id, held_at)
        assert shown[agent_id] is not None
        dial_at, sweep_at = held_at + LIMIT - timedelta(milliseconds=1), held_at + LIMIT
        start = threading.Barrier(2)

        def click(
            agent_id: int = agent_id, start: threading.Barrier = start, at: datetime = dial_at
        ) -> str:
            start.wait()
            try:
                service.dial(agent_id, at)
            except PreviewExpired:
                return "expired"
            return "dialed"

        # The sweep starts a little later each round: early rounds it wins, late rounds the
        # Dial does, and in between both reach the row together.
        def sweep(
            start: threading.Barrier = start, at: datetime = sweep_at, lag: float = 0.002 * round_no
        ) -> int:
            with pool.connection() as conn:
                start.wait()
                time.sleep(lag)
                return len(release_expired_previews(conn, agents, at))

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
            clicked, swept = executor.submit(click), executor.submit(sweep)
            outcomes[agent_id] = clicked.result(timeout=10)
            released = swept.result(timeout=10)
        attempt = _attempt(db, shown[agent_id])
        if outcomes[agent_id] == "dialed":
            assert attempt == ("queued", None, None, True)
            assert agents.status(agent_id).state is AgentState.RESERVED
        else:
            assert released == 1 and attempt[:2] == ("ended", "cancelled")
            assert agents.status(agent_id).reason == "preview_expired"

    dialed = [shown[a] for a, outcome in outcomes.items() if outcome == "dialed"]
    assert _dials(service) == dialed  # every dial handed to a worker was never released
    # Every contact is either on its way to a worker or back in line, none used up.
    states = db.execute(
        "SELECT state, count(*) FROM contacts WHERE id = ANY(%s) AND attempts = 0 GROUP BY state",
        (contacts,),
    ).fetchall()
    assert dict(states) == {
        state: count
        for state, count in (("in_flight", len(dialed)), ("dialable", rounds - len(dialed)))
        if count
    }


def test_the_scheduler_tick_releases_expired_holds(
    db: Connection, pool: Any, redis_url: str, agents: AgentService, service: PreviewService
) -> None:
    campaign = _campaign(db)
    [contact] = make_contacts(db, campaign, ["+12025550701"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def allocate(leader: str) -> int:
        with pool.connection() as conn:
            return claim_store.next_fencing_token(conn, leader)

    clock = [T0 + timedelta(seconds=10)]
    scheduler = Scheduler(
        pool,
        client,
        agents,
        Sent(),
        LeaderLease(client, allocate, lease_ms=5000),
        now=lambda: clock[0],
    )
    scheduler.step()
    assert _attempt(db, shown) == ("queued", None, None, False)

    clock[0] = T0 + LIMIT
    scheduler.timers.reap_at = 0.0  # the reaper's 5 s period, without waiting for it
    scheduler.step()

    assert _attempt(db, shown)[:2] == ("ended", "cancelled")
    assert _contact(db, contact) == ("dialable", 0)
    assert agents.status(agent_id).reason == "preview_expired"


def test_a_dial_between_the_sweeps_commit_and_the_agents_release_is_told_it_expired(
    db: Connection, agents: AgentService, service: PreviewService
) -> None:
    campaign = _campaign(db)
    make_contacts(db, campaign, ["+12025550801"])
    agent_id = _ready(agents, db, "ann", campaign)
    service.current(agent_id, T0)
    hold = preview_store.held_preview(db, agent_id)
    assert hold is not None
    # The sweep has closed the attempt; the agent is still reserved for it, for a moment.
    assert preview_store.release_expired(db, hold, T0 + LIMIT)
    assert agents.status(agent_id).state is AgentState.RESERVED

    with pytest.raises(PreviewExpired, match="expired"):
        service.dial(agent_id, T0 + LIMIT)
    assert _dials(service) == []
