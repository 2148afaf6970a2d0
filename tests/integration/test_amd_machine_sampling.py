"""Sampling MACHINE verdicts to agents: the campaign's share survives PostgreSQL, the draw reaches
each attempt's call flow, and the agents' dispositions of the drawn calls feed the estimate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.amd_false_positives import PRIOR_PERSON_GIVEN_MACHINE, estimate_false_positives
from campaigns.amd_policy import AmdMode, MachineAction, samples_machine_verdict
from campaigns.attempt import Outcome
from campaigns.storage import attempt_query, attempt_store, campaign_store, pacing_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from dialer.dialing import amd_policy
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SHARE = 0.2


def test_drawn_machine_verdicts_reach_agents_and_their_dispositions_move_the_estimate(
    db: Connection,
) -> None:
    campaign = make_campaign(
        db,
        trunk_uri="sip:{number}@127.0.0.1:5999",
        amd=AmdMode.ON,
        amd_on_machine=MachineAction.HANG_UP,
        amd_machine_sample=SHARE,
    )
    assert campaign_store.get_campaign(db, campaign.id).spec.amd_machine_sample == SHARE
    contacts = make_contacts(db, campaign, [f"+1202555{n:04d}" for n in range(60)])
    attempts = attempt_store.create_attempts(
        db, campaign.id, contacts, now=NOW, expires_at=NOW + timedelta(seconds=60)
    )
    db.commit()

    drawn, hung_up = [], []
    for attempt in attempts:
        to_dial = attempt_store.begin_dialing(db, attempt, "w1", NOW)
        assert to_dial is not None
        policy = amd_policy(to_dial)
        assert policy is not None
        assert policy.check_machine == samples_machine_verdict(attempt, SHARE)
        (drawn if policy.check_machine else hung_up).append(attempt)
    assert 0 < len(drawn) < len(attempts)

    # Every call was a MACHINE verdict: the drawn ones reached an agent, who found a person on
    # the first and a machine on the others; the rest were hung up unheard.
    for n, attempt in enumerate(drawn):
        _ended(db, attempt, "connected", "sale" if n == 0 else "answering_machine")
    for attempt in hung_up:
        _ended(db, attempt, "machine", None)

    verdicts = pacing_store.amd_verdicts(
        db,
        campaign.id,
        estimate_since=NOW - timedelta(days=30),
        day_start=NOW - timedelta(hours=15),
        thirty_days_ago=NOW - timedelta(days=30),
    )
    assert (verdicts.machine_checked, verdicts.machine_was_person) == (len(drawn), 1)
    assert verdicts.machine_hangups_today == len(hung_up)
    estimate = estimate_false_positives(verdicts.checks)
    # one person among the checked calls: measured, no longer the bench's prior
    assert estimate.person_given_machine > PRIOR_PERSON_GIVEN_MACHINE
    assert estimate.machine_checked == len(drawn)


def _ended(db: Connection, attempt: int, outcome: str, disposition: str | None) -> None:
    db.execute(
        "UPDATE call_attempts SET state = 'ended', outcome = %s, amd_result = 'machine',"
        " disposition = %s WHERE id = %s",
        (outcome, disposition, attempt),
    )


def test_the_attempt_keeps_whether_its_machine_verdict_was_drawn_for_checking(
    db: Connection,
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    check: Any,
) -> None:
    campaign = make_campaign(
        db, trunk_uri="sip:{number}@127.0.0.1:5999", amd=AmdMode.ON, amd_machine_sample=SHARE
    )
    contacts = make_contacts(db, campaign, ["+12025550101", "+12025550102", "+12025550103"])
    drawn, hung_up, person = attempt_store.create_attempts(
        db, campaign.id, contacts, now=NOW, expires_at=NOW + timedelta(seconds=60)
    )
    db.commit()
    answer = NOW + timedelta(seconds=3)
    for attempt, outcome, verdict, checked in (
        (drawn, Outcome.CONNECTED, "machine", True),
        (hung_up, Outcome.MACHINE, "machine", False),
        (person, Outcome.CONNECTED, "human", None),
    ):
        attempt_store.begin_dialing(db, attempt, "w1", NOW)
        result = AttemptResult(
            outcome,
            sip_status=200,
            amd_result=verdict,
            amd_cause="long greeting" if verdict == "machine" else "human: short greeting",
            amd_decision_ms=3240,
            amd_machine_checked=checked,
            timeline={"answer_at": answer, "amd_decided_at": answer + timedelta(seconds=3.24)},
        )
        assert attempt_store.finish_attempt(db, attempt, result, NOW + timedelta(seconds=9))
    db.commit()

    stored = {a: attempt_query.get_attempt(db, a) for a in (drawn, hung_up, person)}
    assert {a: v.amd_machine_checked for a, v in stored.items() if v} == {
        drawn: True,
        hung_up: False,
        person: None,
    }
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    page = boss.get(f"/attempts/{drawn}")
    assert page.status_code == 200
    assert "machine (long greeting) after 3.24 s" in page.text
    assert "sent to an agent for checking (drawn)" in page.text
    assert "for checking" not in boss.get(f"/attempts/{hung_up}").text
    answer_json = check("GET", "/attempts/{attempt_id}", boss.get(f"/api/v1/attempts/{drawn}"))
    assert (answer_json["amd_result"], answer_json["amd_machine_checked"]) == ("machine", True)
