"""Preview dialing on real PostgreSQL and Redis: the claim's rules, one contact per agent, skip,
pause and dial."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.agents import AgentState
from campaigns.campaign import Campaign, CampaignState, DialMode
from campaigns.errors import Conflict
from campaigns.storage import campaign_store
from campaigns.storage.claim_store import claim_dialable_contacts
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService, HandBack
from dialer.preview import DialRefused, PreviewService
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents  # noqa: F401
from tests.cli_runner import run_cli
from tests.factories import make_campaign, make_contacts

# T0 is 15:00 UTC on a Thursday: 10:00 in New York, 07:00 in Los Angeles (closed, US rules).
NY, LA = "America/New_York", "America/Los_Angeles"


class Sent:
    def __init__(self) -> None:
        self.dials: list[int] = []

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.dials.append(attempt_id)


def _preview_campaign(db: Connection, name: str = "Preview", **spec: object) -> Campaign:
    campaign = make_campaign(
        db, name, trunk_uri="sip:{number}@127.0.0.1:5999", dial_mode=DialMode.PREVIEW, **spec
    )
    return campaign_store.set_campaign_state(db, campaign.id, CampaignState.RUNNING)


def _ready(agents: AgentService, db: Connection, name: str, campaign: Campaign) -> int:  # noqa: F811
    agent = make_agent(db, name, [campaign])
    agents.login(agent.id, T0, [campaign.id])
    agents.ready(agent.id, T0)
    return agent.id


def _number(db: Connection, attempt_id: int | None) -> str | None:
    if attempt_id is None:
        return None
    row = db.execute("SELECT called_number FROM call_attempts WHERE id = %s", (attempt_id,))
    found = row.fetchone()
    return None if found is None else str(found[0])


@pytest.fixture
def service(agents: AgentService) -> PreviewService:  # noqa: F811
    return PreviewService(agents.db, agents, Sent())


def test_a_preview_never_shows_dnc_out_of_hours_or_capped_contacts(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db, max_attempts=2)
    make_contacts(db, campaign, ["+12025550101"])  # on the DNC list
    make_contacts(db, campaign, ["+13105550102"], time_zones=[LA])  # 07:00 there
    [capped] = make_contacts(db, campaign, ["+12025550103"])
    make_contacts(db, campaign, ["+12025550104"])
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+12025550101', 'registry')")
    db.execute("UPDATE contacts SET attempts = 2 WHERE id = %s", (capped,))
    db.commit()
    agent_id = _ready(agents, db, "ann", campaign)

    shown = service.current(agent_id, T0)

    assert _number(db, shown) == "+12025550104"
    status = agents.status(agent_id)
    assert (status.state, status.attempt_id) == (AgentState.RESERVED, shown)
    row = db.execute(
        "SELECT a.kind, a.agent_id, a.state, k.state FROM call_attempts a"
        " JOIN contacts k ON k.id = a.contact_id WHERE a.id = %s",
        (shown,),
    ).fetchone()
    assert row == ("preview", agent_id, "queued", "in_flight")
    # Asking again shows the same contact, not a second one.
    assert service.current(agent_id, T0) == shown


def test_two_agents_are_never_shown_the_same_contact(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db)
    make_contacts(db, campaign, [f"+1202555{200 + i:04d}" for i in range(3)])
    ids = [_ready(agents, db, f"agent{i}", campaign) for i in range(6)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        shown = list(pool.map(lambda agent_id: service.current(agent_id, T0), ids))

    numbers = [_number(db, s) for s in shown if s is not None]
    assert len(numbers) == 3
    assert len(set(numbers)) == 3


def test_skip_gives_the_contact_back_untouched_and_shows_the_next(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db)
    [first, _] = make_contacts(db, campaign, ["+12025550301", "+12025550302"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    assert _number(db, shown) == "+12025550301"

    service.skip(agent_id, "wrong language", T0)

    assert db.execute(
        "SELECT state, attempts FROM contacts WHERE id = %s", (first,)
    ).fetchone() == ("dialable", 0)
    assert db.execute(
        "SELECT state, outcome, sip_reason FROM call_attempts WHERE id = %s", (shown,)
    ).fetchone() == ("ended", "cancelled", "skipped by the agent: wrong language")
    assert agents.status(agent_id).state is AgentState.READY
    assert _number(db, service.current(agent_id, T0)) == "+12025550302"


def test_pausing_or_logging_out_releases_the_previewed_contact(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db)
    [contact] = make_contacts(db, campaign, ["+12025550401"])
    agent_id = _ready(agents, db, "ann", campaign)
    other = _ready(agents, db, "bob", campaign)
    assert service.current(agent_id, T0) is not None
    assert service.current(other, T0) is None  # the only contact is Ann's

    agents.pause(agent_id, "break", T0)  # noted: Ann is reserved for her preview
    assert service.release(agent_id, T0)

    status = agents.status(agent_id)
    assert (status.state, status.reason) == (AgentState.PAUSED, "break")
    assert db.execute("SELECT state FROM contacts WHERE id = %s", (contact,)).fetchone() == (
        "dialable",
    )
    shown = service.current(other, T0)
    assert _number(db, shown) == "+12025550401"

    agents.logout(other, T0)
    assert service.release(other, T0)
    assert agents.status(other).state is AgentState.LOGGED_OUT


def test_dial_hands_the_attempt_to_a_worker_with_a_short_expiry(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db)
    make_contacts(db, campaign, ["+12025550501"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)

    dialed = service.dial(agent_id, T0)

    assert dialed.attempt_id == shown
    assert isinstance(service.sender, Sent) and service.sender.dials == [shown]
    expires = db.execute("SELECT expires_at FROM call_attempts WHERE id = %s", (shown,)).fetchone()
    assert expires is not None and expires[0] == T0 + timedelta(seconds=15)
    # Still reserved: the worker bridges this agent and no other call reaches them meanwhile.
    assert agents.status(agent_id).attempt_id == shown


def test_dial_is_refused_with_the_reason_when_the_number_reached_the_dnc_list(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db)
    make_contacts(db, campaign, ["+12025550601"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    db.execute(
        "INSERT INTO dnc_entries (campaign_id, phone_e164, source) VALUES (%s, %s, 'asked')",
        (campaign.id, "+12025550601"),
    )
    db.commit()

    with pytest.raises(DialRefused, match="do-not-call"):
        service.dial(agent_id, T0)

    assert isinstance(service.sender, Sent) and service.sender.dials == []
    assert db.execute("SELECT outcome FROM call_attempts WHERE id = %s", (shown,)).fetchone() == (
        "cancelled",
    )
    assert agents.status(agent_id).state is AgentState.READY
    assert service.current(agent_id, T0) is None


def test_the_scheduler_claim_never_takes_a_preview_campaigns_contacts(db: Connection) -> None:
    campaign = _preview_campaign(db)
    make_contacts(db, campaign, ["+12025550701"])
    with db.transaction():
        claimed = claim_dialable_contacts(db, campaign, 5, T0, fencing_token=1, leader="t")
    assert claimed == []


@pytest.mark.usefixtures("service_env")
def test_campaign_status_counts_previewed_contacts_and_says_there_is_no_pacing(
    db: Connection,
    agents: AgentService,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    service = PreviewService(agents.db, agents, Sent())
    campaign = _preview_campaign(db)
    zone = _midday_zone(datetime.now(UTC))
    make_contacts(db, campaign, ["+12025550801", "+12025550802"], time_zones=[zone])
    agent_id = _ready(agents, db, "ann", campaign)
    assert service.current(agent_id, datetime.now(UTC)) is not None

    shown = run_cli(capsys, "campaign", "status", "Preview", "--json").json()
    assert (shown["dial_mode"], shown["previewing"], shown["dialable_now"]) == ("preview", 1, 1)
    assert shown["blocked"]["in_flight"] == 1 and shown["pacing"] is None
    text = run_cli(capsys, "campaign", "status", "Preview").out
    assert "each agent dials the contact shown to them" in text


def _midday_zone(at: datetime) -> str:
    offset = (12 - at.hour + 12) % 24 - 12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


def test_a_preview_whose_agent_lost_the_reservation_goes_back_and_is_never_dialed(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
) -> None:
    campaign = _preview_campaign(db)
    [first] = make_contacts(db, campaign, ["+12025550901"])
    agent_id = _ready(agents, db, "ann", campaign)
    shown = service.current(agent_id, T0)
    assert shown is not None
    # As after a live-state rebuild: the agent is no longer reserved for the preview.
    agents.release(agent_id, shown, HandBack.UNUSED, T0)

    with pytest.raises(Conflict, match="no previewed contact"):
        service.dial(agent_id, T0)

    assert isinstance(service.sender, Sent) and service.sender.dials == []
    assert db.execute("SELECT outcome FROM call_attempts WHERE id = %s", (shown,)).fetchone() == (
        "cancelled",
    )
    # The contact is back in line and shown again, on a fresh reservation.
    again = service.current(agent_id, T0)
    assert again != shown and _number(db, again) == "+12025550901"
    assert agents.status(agent_id).attempt_id == again
    assert first


@pytest.mark.usefixtures("service_env")
def test_a_supervisor_pausing_a_previewing_agent_from_the_cli_gives_the_contact_back(
    db: Connection,
    agents: AgentService,  # noqa: F811
    service: PreviewService,
    capsys: pytest.CaptureFixture[str],
) -> None:
    campaign = _preview_campaign(db)
    zone = _midday_zone(datetime.now(UTC))
    [contact] = make_contacts(db, campaign, ["+12025551001"], time_zones=[zone])
    agent_id = _ready(agents, db, "ann", campaign)
    assert service.current(agent_id, datetime.now(UTC)) is not None

    paused = run_cli(capsys, "agent", "pause", "ann", "--reason", "break", "--json").json()

    assert (paused["state"], paused["reason"]) == ("paused", "break")
    assert db.execute("SELECT state FROM contacts WHERE id = %s", (contact,)).fetchone() == (
        "dialable",
    )
