"""The Calls page (/attempts): supervisors find a call by campaign, day, outcome, disposition,
agent, number or recording, in the campaign's time zone, and open it."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from campaigns.agents import Agent
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from tests.attempt_factories import evening_calls, evening_inbound_calls
from tests.dashboard_fixtures import DashboardClient


def _listed(page: Any, marker: str = "data-attempt") -> list[int]:
    """The calls a list page shows, by the id on each row."""
    assert page.status_code == 200, page.text
    return [int(part.split('"', 1)[0]) for part in page.text.split(f'{marker}="')[1:]]


def test_supervisors_find_calls_by_campaign_day_outcome_and_recording(
    db: Connection,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
) -> None:
    alice = make_agent("alice")
    campaign, sale, busy, machine = evening_calls(db, alice.id)
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    day = f"/attempts?campaign_id={campaign}&from=2026-11-02&to=2026-11-02"

    # The campaign's own evening (New York), newest first, only its calls.
    assert sorted(_listed(boss.get(day))) == sorted([sale, busy, machine])
    assert _listed(boss.get(f"/attempts?campaign_id={campaign}&from=2026-11-03")) == []
    page = boss.get(day)
    assert "2026-11-02 23:30:00" in page.text and "America/New_York" in page.text
    assert _listed(boss.get(day + "&outcome=busy")) == [busy]
    assert _listed(boss.get(day + "&disposition=sale")) == [sale]
    assert _listed(boss.get(day + f"&agent_id={alice.id}")) == [sale]
    assert _listed(boss.get(day + "&number=%2B12025550103")) == [machine]
    recorded = boss.get(day + "&recorded=true")
    assert _listed(recorded) == [sale]
    assert f"/attempts/{sale}#recording" in recorded.text and "Alice" in recorded.text
    assert "42 s" in recorded.text  # talk: agent connected to hang-up
    assert " s</td>" not in boss.get(day + "&outcome=busy").text  # no agent, no talk
    assert sorted(_listed(boss.get(day + "&recorded=false"))) == sorted([busy, machine])
    # Every campaign, in UTC: the same evening is the 3rd there.
    everything = _listed(boss.get("/attempts?from=2026-11-03&to=2026-11-03"))
    assert len(everything) == 4

    # The call itself: its agent by name, a way back to its campaign's calls.
    shown = boss.get(f"/attempts/{sale}")
    assert "Alice" in shown.text and f"/attempts?campaign_id={campaign}" in shown.text
    assert "2026-11-02 23:30:05" in shown.text  # answered, in the campaign's zone


def test_bad_filters_are_named_and_agents_are_refused(
    db: Connection,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
) -> None:
    alice = make_agent("alice")
    evening_calls(db, alice.id)
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    for query, problem in (
        ("outcome=sold", "outcome: one of"),
        ("campaign_id=999999", "campaign_id: no campaign 999999"),
        ("from=yesterday", "from: 'yesterday' is not a date"),
        ("recorded=maybe", "recorded: expected true or false"),
        ("tz=Mars/Olympus", "tz: 'Mars/Olympus' is not a time zone"),
        ("disposition=" + "x" * 33, "disposition: at most 32 characters"),
    ):
        answer = boss.get(f"/attempts?{query}")
        assert answer.status_code == 400, query
        assert problem in html.unescape(answer.text), query
    assert sign_in(alice).get("/attempts").status_code == 403


def test_the_api_lists_recorded_calls_and_says_which_are(
    db: Connection,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    check: Any,
) -> None:
    _, sale, busy, _ = evening_calls(db, make_agent("alice").id)
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    recorded = check("GET", "/attempts", boss.get("/api/v1/attempts?recorded=true"))
    assert [a["id"] for a in recorded["items"]] == [sale]
    assert recorded["items"][0]["recorded"] is True
    assert (
        check("GET", "/attempts/{attempt_id}", boss.get(f"/api/v1/attempts/{busy}"))["recorded"]
        is False
    )
    db.execute("UPDATE call_attempts SET recording_deleted_at = now() WHERE id = %s", (sale,))
    db.commit()
    assert boss.get("/api/v1/attempts?recorded=true").json["items"] == []


def test_inbound_calls_are_found_by_their_queue_s_campaign_and_opened(
    db: Connection,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
) -> None:
    alice = make_agent("alice")
    campaign, *_ = evening_calls(db, alice.id)
    answered, abandoned, lost = evening_inbound_calls(db, alice.id, campaign)
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    day = f"/inbound-calls?campaign_id={campaign}&from=2026-11-02&to=2026-11-02"

    def listed(url: str) -> list[int]:
        return _listed(boss.get(url), "data-inbound-call")

    assert sorted(listed(day)) == sorted([answered, abandoned])  # not the queue without campaign
    assert sorted(listed("/inbound-calls?from=2026-11-03")) == sorted([answered, abandoned, lost])
    assert listed(day + "&outcome=abandoned") == [abandoned]
    assert listed(day + f"&agent_id={alice.id}&disposition=sale") == [answered]
    assert listed(day + "&caller=%2B12125550002") == [abandoned]
    recorded = boss.get(day + "&recorded=true")
    assert f"/inbound-calls/{answered}#recording" in recorded.text
    assert "12 s" in recorded.text and "180 s" in recorded.text  # waited, talked
    assert boss.get("/inbound-calls?outcome=sold").status_code == 400
    help_desk = db.execute("SELECT id FROM inbound_queues WHERE name = 'Help'").fetchone()
    assert help_desk is not None
    by_queue = f"/inbound-calls?queue_id={help_desk[0]}&from=2026-11-03"
    assert sorted(listed(by_queue)) == sorted([answered, abandoned])
    assert f'<option value="{help_desk[0]}" selected>Help</option>' in boss.get(
        by_queue
    ).text.replace("  ", " ")

    shown = boss.get(f"/inbound-calls/{answered}")
    assert shown.status_code == 200
    assert "2026-11-02 23:30:12" in shown.text  # answered, in the campaign's zone
    assert f'src="/api/v1/inbound-calls/{answered}/recording"' in shown.text
    assert "Alice" in shown.text and "Help" in shown.text
    assert "Not recorded" in boss.get(f"/inbound-calls/{abandoned}").text
    assert boss.get("/inbound-calls/999999").status_code == 404
    assert sign_in(alice).get(f"/inbound-calls/{answered}").status_code == 403
