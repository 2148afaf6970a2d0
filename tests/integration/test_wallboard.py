"""The wallboard page and its API answer against rows inserted in PostgreSQL and agents put in
states in Redis (through the real AgentService), as a supervisor sees them."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import redis
from flask import Flask

from campaigns.agents import Agent
from campaigns.campaign import Campaign, DialMode
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection, open_pool
from campaigns.storage.inbound_store import InboundOutcome
from dialer import worker_registry
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from dialer.inbound.waiting_line import WaitingLine
from dialer.scheduler.published import PACING_KEY
from dialer.wallboard_contacts import ContactCounter, forget_dialability
from dialer.worker_registry import WorkerStatus
from tests.agent_fixtures import agents
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts
from tests.integration.report_data import attempt

__all__ = ["agents"]  # the fixture, imported for the tests below


def _now() -> datetime:
    return datetime.now(UTC)


def _daytime_zone() -> str:
    """A time zone where it is now between 02:00 and 22:00: "earlier today" stays today."""
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        if 2 <= _now().astimezone(ZoneInfo(zone)).hour < 22:
            return zone
    raise AssertionError("one of those zones is always in its daytime")


@pytest.fixture
def campaign(db: Connection) -> Campaign:
    return make_campaign(
        db,
        "Spring sale",
        dial_mode=DialMode.RATIO,
        dial_ratio=2.0,
        abandon_target=0.02,
        timezone=_daytime_zone(),
    )


@pytest.fixture
def live(redis_url: str) -> redis.Redis:
    return redis_client(redis_url)


def _url(campaign: Campaign) -> str:
    return f"/api/v1/campaigns/{campaign.id}/wallboard"


def _attempts_of_today(db: Connection, campaign: Campaign) -> None:
    """Within the last 15 minutes: 5 dials, 3 answered; earlier today 2 more live answers;
    4 days ago 10 live answers, 1 of them abandoned. Today: 1 of 4 live answers abandoned."""
    now = _now()
    recent = now - timedelta(minutes=5)
    attempt(db, campaign.id, recent, "connected", answered_after_s=3)
    attempt(db, campaign.id, recent, "abandoned", answered_after_s=3)
    attempt(db, campaign.id, recent, "machine", answered_after_s=3)
    attempt(db, campaign.id, recent, "no_answer")
    attempt(db, campaign.id, recent, "busy")
    earlier = now - timedelta(minutes=40)  # today in the campaign's zone (_daytime_zone)
    attempt(db, campaign.id, earlier, "connected", answered_after_s=3)
    attempt(db, campaign.id, earlier, "connected", answered_after_s=3)
    days_ago = now - timedelta(days=4)
    for _ in range(9):
        attempt(db, campaign.id, days_ago, "connected", answered_after_s=3)
    attempt(db, campaign.id, days_ago, "abandoned", answered_after_s=3)


def _open_calls(db: Connection, campaign: Campaign) -> None:
    """Two ringing, one connected, one queued (not dialed yet): 3 more dials, 1 more answer."""
    now = _now() - timedelta(seconds=10)
    for state in ("ringing", "ringing", "connected", "queued"):
        attempt_id = attempt(db, campaign.id, now, None)
        db.execute(
            "UPDATE call_attempts SET state = %s,"
            " dial_at = CASE WHEN %s = 'queued' THEN NULL ELSE dial_at END,"
            " answer_at = CASE WHEN %s = 'connected' THEN dial_at ELSE NULL END WHERE id = %s",
            (state, state, state, attempt_id),
        )


def _contacts(db: Connection, campaign: Campaign) -> None:
    """One on the DNC list, one done, one waiting for a retry, one fresh."""
    make_contacts(db, campaign, ["+12125550101"])
    make_contacts(db, campaign, ["+12125550102"], state="done")
    make_contacts(db, campaign, ["+12125550103"], next_eligible_at=_now() + timedelta(hours=2))
    make_contacts(db, campaign, ["+12125550104"])
    db.execute(
        "INSERT INTO dnc_entries (campaign_id, phone_e164, source) VALUES (NULL, %s, 'test')",
        ("+12125550101",),
    )


def test_a_supervisor_gets_every_figure_of_the_campaign_in_one_answer(
    supervisor: DashboardClient,
    db: Connection,
    campaign: Campaign,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    live: redis.Redis,
) -> None:
    _attempts_of_today(db, campaign)
    _open_calls(db, campaign)
    _contacts(db, campaign)
    other = make_campaign(db, "Other")
    attempt(db, other.id, _now() - timedelta(minutes=1), "abandoned", answered_after_s=2)
    ada, bea, cy = (make_agent(n, (campaign.id,)) for n in ("ada", "bea", "cy"))
    make_agent("dot", (other.id,))
    now = _now()
    for who in (ada, bea, cy):
        agents.login(who.id, now - timedelta(minutes=10))
    agents.ready(ada.id, now - timedelta(seconds=95))
    agents.pause(bea.id, "lunch", now - timedelta(seconds=30))
    agents.logout(cy.id, now - timedelta(seconds=5))
    live.set(
        PACING_KEY + str(campaign.id),
        json.dumps(
            {"at": now.isoformat(), "dial_level": 1.5, "reason": "fixed_ratio",
             "calls_in_flight": 3, "ready_agents": 2}
        ),
    )  # fmt: skip
    worker_registry.publish(live, WorkerStatus("w1", 2, 1, "127.0.0.1:5070", 1))
    worker_registry.publish(live, WorkerStatus("w2", 2, 0, "127.0.0.1:5072", 2))

    response = supervisor.get(_url(campaign))

    assert response.status_code == 200
    board = response.json
    assert board is not None
    assert board["campaign"]["name"] == "Spring sale"
    assert [(a["username"], a["state"], a["reason"]) for a in board["agents"]] == [
        ("ada", "ready", None),
        ("bea", "paused", "lunch"),
    ]
    assert 94 <= board["agents"][0]["seconds_in_state"] <= 120
    assert board["agents_by_state"] == {
        "ready": 1, "reserved": 0, "on_call": 0, "wrap_up": 0, "paused": 1,
    }  # fmt: skip
    assert board["calls"] == {
        "queued": 1, "dialing": 0, "ringing": 2, "answered": 0, "connected": 1,
    }  # fmt: skip
    assert board["last_15_minutes"] == {"dials": 8, "answers": 4, "answer_rate": 0.5}
    assert board["dial_ratio"]["current"] == 1.5
    assert board["dial_ratio"]["configured"] == 2.0
    assert board["dial_ratio"]["reason"] == "fixed_ratio"
    abandonment = board["abandonment"]
    assert (abandonment["target"], abandonment["cap"], abandonment["window_days"]) == (
        0.02,
        0.03,
        30,
    )
    assert abandonment["today"] == {
        "live_answers": 4, "abandoned": 1, "rate": 0.25, "level": "over_cap",
    }  # fmt: skip
    assert abandonment["window"]["live_answers"] == 14
    assert abandonment["window"]["abandoned"] == 2
    contacts = board["contacts"]
    assert contacts["total"] == 4
    blocked = contacts["blocked"]
    assert (blocked["dnc"], blocked["done"], blocked["waiting_retry"]) == (1, 1, 1)
    # The fresh contact is dialable now or outside its calling hours, by the clock.
    assert contacts["dialable_now"] + blocked["outside_hours"] == 1
    assert board["lines"] == {"workers": 2, "total": 4, "in_use": 3}


def test_the_answer_matches_the_openapi_document(
    supervisor: DashboardClient, anonymous: DashboardClient, campaign: Campaign
) -> None:
    document = anonymous.get("/api/v1/openapi.json").json
    assert document is not None
    operation = document["paths"]["/campaigns/{campaign_id}/wallboard"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]

    board = supervisor.get(_url(campaign)).json

    jsonschema.validate(board, {**schema, "components": document["components"]})
    assert board is not None
    # No scheduler decision, no worker, no agent: said as such, not as zeros made up.
    assert board["dial_ratio"]["current"] is None
    assert board["abandonment"]["today"]["rate"] is None
    assert board["abandonment"]["today"]["level"] == "ok"
    assert board["agents"] == []
    assert board["lines"] == {"workers": 0, "total": 0, "in_use": 0}


def test_abandonment_under_the_target_is_ok_and_between_target_and_cap_is_over_target(
    supervisor: DashboardClient, db: Connection, campaign: Campaign
) -> None:
    recent = _now() - timedelta(minutes=2)
    for _ in range(39):
        attempt(db, campaign.id, recent, "connected", answered_after_s=2)
    attempt(db, campaign.id, recent, "abandoned", answered_after_s=2)
    board = supervisor.get(_url(campaign)).json
    assert board is not None
    assert board["abandonment"]["today"]["rate"] == 0.025  # past 2 %, under the 3 % cap
    assert board["abandonment"]["today"]["level"] == "over_target"

    for _ in range(40):
        attempt(db, campaign.id, recent, "connected", answered_after_s=2)
    board = supervisor.get(_url(campaign)).json
    assert board is not None
    assert board["abandonment"]["today"]["level"] == "ok"  # 1 in 80: 1.25 %


def test_dialable_contacts_are_counted_again_after_30_seconds_not_on_every_update(
    supervisor: DashboardClient, db: Connection, campaign: Campaign, live: redis.Redis
) -> None:
    make_contacts(db, campaign, ["+12125550101"], state="done")
    first = supervisor.get(_url(campaign)).json
    make_contacts(db, campaign, ["+12125550102"], state="done")
    kept = supervisor.get(_url(campaign)).json
    assert first is not None and kept is not None
    assert kept["contacts"]["total"] == 1
    assert kept["contacts"]["counted_at"] == first["contacts"]["counted_at"]

    forget_dialability(live, campaign.id)  # as 30 s passing would
    again = supervisor.get(_url(campaign)).json
    assert again is not None
    assert again["contacts"]["total"] == 2


def test_a_stale_count_is_shown_while_one_background_recount_replaces_it(
    db: Connection, campaign: Campaign, live: redis.Redis, database_url: str
) -> None:
    make_contacts(db, campaign, ["+12125550101"], state="done")
    pool = open_pool(database_url, max_size=2, name="wallboard-recount-test")
    counter = ContactCounter(live, pool.connection)
    try:
        old = counter.count(db, campaign, _now() - timedelta(seconds=40))
        make_contacts(db, campaign, ["+12125550102"], state="done")

        shown = counter.read(db, campaign, _now())

        assert (shown.total, shown.counted_at) == (1, old.counted_at)  # no wait for a recount
        deadline = time.monotonic() + 10
        while counter.read(db, campaign, _now()).total != 2:
            assert time.monotonic() < deadline, "the background recount never landed"
            time.sleep(0.05)
        assert counter.read(db, campaign, _now()).counted_at > old.counted_at
    finally:
        pool.close()


def test_a_list_imported_since_the_count_is_counted_at_once_not_after_30_seconds(
    db: Connection, campaign: Campaign, live: redis.Redis, database_url: str
) -> None:
    make_contacts(db, campaign, ["+12125550101"], state="done")
    pool = open_pool(database_url, max_size=2, name="wallboard-import-test")
    counter = ContactCounter(live, pool.connection)
    try:
        old = counter.count(db, campaign, _now() - timedelta(seconds=5))
        assert counter.read(db, campaign, _now()).counted_at == old.counted_at  # fresh: kept
        make_contacts(db, campaign, ["+12125550102"], state="done")
        db.execute(
            "INSERT INTO list_imports (campaign_id, filename, state, finished_at)"
            " VALUES (%s, 'new.csv', 'done', now())",
            (campaign.id,),
        )

        deadline = time.monotonic() + 10
        while counter.read(db, campaign, _now()).total != 2:
            assert time.monotonic() < deadline, "the import did not start a recount"
            time.sleep(0.05)
    finally:
        pool.close()


def test_the_page_is_rendered_with_the_figures_and_the_live_wiring(
    admin: DashboardClient,
    db: Connection,
    campaign: Campaign,
    agents: AgentService,
    make_agent: Callable[..., Agent],
) -> None:
    _attempts_of_today(db, campaign)
    ada = make_agent("ada", (campaign.id,))
    agents.login(ada.id, _now())
    agents.ready(ada.id, _now())

    page = admin.get(f"/wallboard/{campaign.id}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Spring sale" in html
    assert 'data-testid="abandon-today"' in html
    assert 'class="level-over_cap" data-testid="abandon-today"' in html
    assert "25.0 %" in html
    assert 'data-agent="' + str(ada.id) + '"' in html
    assert f'data-events="/api/v1/events?campaign_id={campaign.id}"' in html
    assert f'data-url="/api/v1/campaigns/{campaign.id}/wallboard"' in html
    assert "wallboard.js" in html
    index = admin.get("/wallboard")
    assert index.status_code == 200
    assert f'href="/wallboard/{campaign.id}"' in index.get_data(as_text=True)
    assert 'href="/wallboard"' in index.get_data(as_text=True)  # in the menu


def _answered_inbound(db: Connection, queue_id: int, ago: timedelta, handle_s: float) -> None:
    offered = _now() - ago
    answered = offered + timedelta(seconds=5)
    call_id, _ = inbound_store.offer_call(
        db, queue_id=queue_id, did="+18005550100", caller="+12125550190", campaign_id=None,
        sip_call_id=f"x{ago}", worker="w", at=offered,
    )  # fmt: skip
    inbound_store.record_answered(db, call_id, None, answered)  # type: ignore[arg-type]
    inbound_store.finish_call(
        db, call_id, InboundOutcome.ANSWERED, answered + timedelta(seconds=30)
    )
    db.execute(
        "UPDATE inbound_calls SET disposition = 'sale', disposition_at = %s WHERE id = %s",
        (answered + timedelta(seconds=handle_s), call_id),
    )


def test_inbound_queues_show_callers_waiting_their_places_and_estimated_waits(
    supervisor: DashboardClient,
    anonymous: DashboardClient,
    db: Connection,
    campaign: Campaign,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    live: redis.Redis,
) -> None:
    queue = inbound_store.add_queue(db, "Help line", campaign.id, ["+18005550100"])
    # Handle time (talk and wrap-up until the disposition) of the last hour: 100 s and 200 s;
    # a call of two hours ago does not count.
    _answered_inbound(db, queue, timedelta(minutes=30), 100)
    _answered_inbound(db, queue, timedelta(minutes=20), 200)
    _answered_inbound(db, queue, timedelta(hours=2), 5000)
    # Both agents of the campaign are on calls: nobody ready, two serving.
    now = _now()
    for name, reference in (("ada", -901), ("bea", -902)):
        who = make_agent(name, (campaign.id,))
        agents.login(who.id, now - timedelta(minutes=5))
        agents.ready(who.id, now - timedelta(minutes=5))
        claimed = agents.claim(campaign.id, reference, now - timedelta(minutes=1))
        assert claimed is not None
        agents.connected(claimed.agent_id, reference, now - timedelta(minutes=1))
    line = WaitingLine(live, queue)
    for call_id, waited in ((11, 60), (12, 30), (13, 10)):
        line.join(call_id, (now - timedelta(seconds=waited)).timestamp())

    board = supervisor.get(_url(campaign)).json

    document = anonymous.get("/api/v1/openapi.json").json
    assert board is not None and document is not None
    schema = document["paths"]["/campaigns/{campaign_id}/wallboard"]["get"]["responses"]["200"]
    jsonschema.validate(board, {**schema["content"]["application/json"]["schema"], **document})
    [help_line] = board["queues"]
    assert (help_line["name"], help_line["waiting"], help_line["handled_last_hour"]) == (
        "Help line",
        3,
        2,
    )
    assert help_line["handle_s"] == pytest.approx(150)
    assert 59 <= help_line["longest_wait_s"] <= 65
    # A caller joining now: 3 ahead, no agent ready, 2 serving: 4 x 150 s / 2.
    assert help_line["estimated_wait_s"] == pytest.approx(300)
    assert [(c["call_id"], c["position"], c["estimated_wait_s"]) for c in help_line["callers"]] == [
        (11, 1, 75.0),
        (12, 2, 150.0),
        (13, 3, 225.0),
    ]
    page = supervisor.get(f"/wallboard/{campaign.id}").get_data(as_text=True)
    assert f'data-queue="{queue}"' in page and "Inbound queues" in page


@pytest.mark.parametrize(
    "path", ["/wallboard", "/wallboard/{id}", "/api/v1/campaigns/{id}/wallboard"]
)
def test_agents_get_403_and_strangers_must_sign_in(
    agent: DashboardClient, anonymous: DashboardClient, campaign: Campaign, path: str
) -> None:
    url = path.format(id=campaign.id)
    assert agent.get(url).status_code == 403
    stranger = anonymous.get(url)
    if url.startswith("/api/"):
        assert stranger.status_code == 401
    else:
        assert stranger.status_code == 302
        assert "/login" in stranger.headers["Location"]
    assert 'href="/wallboard"' not in agent.get("/console").get_data(as_text=True)


def test_an_unknown_campaign_is_404(supervisor: DashboardClient) -> None:
    assert supervisor.get("/wallboard/999999").status_code == 404
    assert supervisor.get("/api/v1/campaigns/999999/wallboard").status_code == 404


def test_with_redis_down_the_wallboard_answers_503_and_says_why(
    supervisor: DashboardClient, dashboard_app: Flask, campaign: Campaign
) -> None:
    # A real client to a port nobody listens on: the connection is refused as when Redis dies.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = redis.Redis(port=port, socket_connect_timeout=0.5)
    dashboard_app.extensions["dialer.redis"] = dead

    api = supervisor.get(_url(campaign))
    page = supervisor.get(f"/wallboard/{campaign.id}")

    assert api.status_code == 503 and api.json is not None
    assert api.json["error"] == "live_state_unavailable"
    assert "Redis" in api.json["message"]
    assert api.headers["Retry-After"] == "5"
    assert page.status_code == 503
    assert "Redis" in page.get_data(as_text=True)


def test_the_amd_false_positive_estimate_is_in_the_answer_and_on_the_page(
    supervisor: DashboardClient,
    anonymous: DashboardClient,
    campaign: Campaign,
    live: redis.Redis,
) -> None:
    estimate = {
        "person_given_machine": 0.0123, "machine_given_human": 0.09, "machine_checked": 12,
        "human_checked": 40, "mostly_prior": True, "people_hung_up_today": 0.49,
        "people_hung_up_30_days": 3.2,
    }  # fmt: skip
    live.set(
        PACING_KEY + str(campaign.id),
        json.dumps({"at": _now().isoformat(), "amd_false_positives": estimate}),
    )
    document = anonymous.get("/api/v1/openapi.json").json
    assert document is not None
    operation = document["paths"]["/campaigns/{campaign_id}/wallboard"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]

    board = supervisor.get(_url(campaign)).json

    jsonschema.validate(board, {**schema, "components": document["components"]})
    assert board is not None
    assert board["abandonment"]["amd_false_positives"] == estimate
    html = supervisor.get(f"/wallboard/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="amd-false-positives"' in html
    assert "1.2 %" in html and "mostly the prior" in html
