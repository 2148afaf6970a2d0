"""The claim statement: every compliance rule inside it, and no contact claimed twice."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.calling_window import BlockReason, ContactFacts, block_reason
from campaigns.campaign import Campaign, CampaignState
from campaigns.retry import ContactState
from campaigns.rules import RuleSetName
from campaigns.storage import campaign_store
from campaigns.storage.claim_store import (
    FencedOut,
    claim_dialable_contacts,
    dialability_counts,
)
from campaigns.storage.db import Connection, connect
from tests.factories import make_campaign, make_contacts

# A Wednesday, 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles (closed under US rules).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NY, LA = "America/New_York", "America/Los_Angeles"


def _running(db: Connection, **spec: object) -> Campaign:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999", **spec)
    return campaign_store.set_campaign_state(db, campaign.id, CampaignState.RUNNING)


def _claim(
    db: Connection, campaign: Campaign, n: int, now: datetime = NOW, token: int = 1
) -> list[str]:
    with db.transaction():
        claimed = claim_dialable_contacts(db, campaign, n, now, fencing_token=token, leader="t")
    return [c.phone_e164 for c in claimed]


def _numbers(count: int, start: int = 100) -> list[str]:
    return [f"+1202555{start + i:04d}" for i in range(count)]


def test_claims_only_contacts_whose_every_zone_is_inside_the_window(db: Connection) -> None:
    campaign = _running(db)
    make_contacts(db, campaign, ["+12025550101"], time_zones=[NY])
    make_contacts(db, campaign, ["+13105550102"], time_zones=[LA])
    make_contacts(db, campaign, ["+13105550103"], time_zones=[NY, LA])
    assert _claim(db, campaign, 10) == ["+12025550101"]


def test_never_claims_a_number_on_the_global_or_the_campaign_dnc_list(db: Connection) -> None:
    campaign = _running(db)
    make_contacts(db, campaign, _numbers(3))
    db.execute(
        "INSERT INTO dnc_entries (phone_e164, source) VALUES (%s, 'national registry')",
        (_numbers(3)[0],),
    )
    db.execute(
        "INSERT INTO dnc_entries (campaign_id, phone_e164, source)"
        " VALUES (%s, %s, 'customer asked')",
        (campaign.id, _numbers(3)[1]),
    )
    db.commit()
    assert _claim(db, campaign, 10) == [_numbers(3)[2]]


def test_a_stopped_campaign_claims_nothing(db: Connection) -> None:
    campaign = _running(db)
    make_contacts(db, campaign, _numbers(2))
    campaign_store.set_campaign_state(db, campaign.id, CampaignState.PAUSED)
    assert _claim(db, campaign, 10) == []


def test_callbacks_come_first_then_retries_then_fresh_contacts(db: Connection) -> None:
    campaign = _running(db)
    [fresh] = make_contacts(db, campaign, ["+12025550301"])
    [retry] = make_contacts(db, campaign, ["+12025550302"])
    [callback] = make_contacts(db, campaign, ["+12025550303"])
    db.execute(
        "UPDATE contacts SET attempts = 1, next_eligible_at = %s WHERE id = %s",
        (NOW - timedelta(hours=1), retry),
    )
    db.execute(
        "UPDATE contacts SET state = 'callback', next_eligible_at = %s WHERE id = %s",
        (NOW - timedelta(minutes=1), callback),
    )
    db.commit()
    assert _claim(db, campaign, 3) == ["+12025550303", "+12025550302", "+12025550301"]
    assert fresh


def test_due_contacts_of_a_closed_region_do_not_hold_back_the_open_ones(db: Connection) -> None:
    # Los Angeles is closed at 07:00: its 300 retries, all due before anyone else's, must not be
    # stepped over (or stand in the way); the open zones' retries come out in due order across
    # zones, then the fresh contacts in list order, whatever their zone.
    campaign = _running(db)
    closed = make_contacts(db, campaign, _numbers(300, start=1000), time_zones=[LA])
    chicago = make_contacts(db, campaign, _numbers(2, start=2000), time_zones=["America/Chicago"])
    new_york = make_contacts(db, campaign, _numbers(2, start=3000), time_zones=[NY])
    fresh_ny = make_contacts(db, campaign, _numbers(1, start=4000), time_zones=[NY])
    fresh_chi = make_contacts(db, campaign, _numbers(1, start=5000), time_zones=["America/Chicago"])
    due = {
        **{c: NOW - timedelta(days=30, minutes=i) for i, c in enumerate(closed)},
        chicago[0]: NOW - timedelta(hours=4),
        new_york[0]: NOW - timedelta(hours=3),
        chicago[1]: NOW - timedelta(hours=2),
        new_york[1]: NOW - timedelta(hours=1),
    }
    for contact, at in due.items():
        db.execute(
            "UPDATE contacts SET attempts = 1, next_eligible_at = %s WHERE id = %s", (at, contact)
        )
    db.commit()

    assert _claim(db, campaign, 6) == [
        "+12025552000",
        "+12025553000",
        "+12025552001",
        "+12025553001",
        "+12025554000",
        "+12025555000",
    ]
    assert fresh_ny[0] < fresh_chi[0]


def test_retries_wait_for_their_time_and_capped_contacts_wait_forever(db: Connection) -> None:
    campaign = _running(db, max_attempts=2)
    [later, capped] = make_contacts(db, campaign, _numbers(2))
    db.execute(
        "UPDATE contacts SET attempts = 1, next_eligible_at = %s WHERE id = %s",
        (NOW + timedelta(minutes=5), later),
    )
    db.execute("UPDATE contacts SET attempts = 2 WHERE id = %s", (capped,))
    db.commit()
    assert _claim(db, campaign, 10) == []
    assert _claim(db, campaign, 10, now=NOW + timedelta(minutes=6)) == [_numbers(2)[0]]


def test_uk_rules_keep_an_abandoned_number_back_for_72_hours(db: Connection) -> None:
    campaign = _running(db, rule_set=RuleSetName.UK)
    [contact] = make_contacts(db, campaign, ["+12025550401"])
    db.execute(
        "UPDATE contacts SET last_abandoned_at = %s WHERE id = %s",
        (NOW - timedelta(hours=71), contact),
    )
    db.commit()
    assert _claim(db, campaign, 1) == []
    assert _claim(db, campaign, 1, now=NOW + timedelta(hours=2)) == ["+12025550401"]


def test_a_number_already_in_a_call_in_another_campaign_waits(db: Connection) -> None:
    first = _running(db)
    second = _running(db, name="Other")
    make_contacts(db, first, ["+12025550501"])
    make_contacts(db, second, ["+12025550501"])
    assert _claim(db, first, 1) == ["+12025550501"]
    from campaigns.storage import attempt_store

    [contact_id] = [
        r[0] for r in db.execute("SELECT id FROM contacts WHERE campaign_id = %s", (first.id,))
    ]
    attempt_store.create_attempts(
        db, first.id, [contact_id], now=NOW, expires_at=NOW + timedelta(minutes=1)
    )
    db.commit()
    assert _claim(db, second, 1) == []


def test_two_schedulers_never_claim_the_same_contact(db: Connection, database_url: str) -> None:
    campaign = _running(db)
    make_contacts(db, campaign, _numbers(200))

    def claim_some(_: int) -> list[str]:
        claimed: list[str] = []
        with connect(database_url) as conn:
            for _round in range(10):
                with conn.transaction():
                    found = claim_dialable_contacts(
                        conn, campaign, 7, NOW, fencing_token=1, leader="x"
                    )
                claimed += [c.phone_e164 for c in found]
        return claimed

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(claim_some, range(4)))
    everything = [number for claimed in results for number in claimed]
    assert len(everything) == len(set(everything)) == 200


def test_a_fenced_out_leader_cannot_claim(db: Connection) -> None:
    campaign = _running(db)
    make_contacts(db, campaign, _numbers(5))
    assert len(_claim(db, campaign, 1, token=7)) == 1
    with pytest.raises(FencedOut):
        _claim(db, campaign, 1, token=6)
    assert len(_claim(db, campaign, 1, token=8)) == 1


def test_status_counts_every_contact_under_exactly_one_reason(db: Connection) -> None:
    campaign = _running(db, max_attempts=3)
    ids = make_contacts(db, campaign, _numbers(6))
    make_contacts(db, campaign, ["+13105550999"], time_zones=[LA])
    db.execute(
        "INSERT INTO dnc_entries (phone_e164, source) VALUES (%s, 'registry')", (_numbers(6)[0],)
    )
    db.execute("UPDATE contacts SET attempts = 3 WHERE id = %s", (ids[1],))
    db.execute("UPDATE contacts SET state = 'done' WHERE id = %s", (ids[2],))
    db.execute(
        "UPDATE contacts SET attempts = 1, next_eligible_at = %s WHERE id = %s",
        (NOW + timedelta(hours=1), ids[3]),
    )
    db.commit()
    counts = dialability_counts(db, campaign, NOW)
    assert counts.total == 7
    assert counts.dialable_now == 2
    assert counts.blocked[BlockReason.DNC] == 1
    assert counts.blocked[BlockReason.EXHAUSTED] == 1
    assert counts.blocked[BlockReason.DONE] == 1
    assert counts.blocked[BlockReason.WAITING_RETRY] == 1
    assert counts.blocked[BlockReason.OUTSIDE_HOURS] == 1
    assert counts.dialable_now + sum(counts.blocked.values()) == counts.total


ZONES = [NY, LA, "America/Chicago", "Europe/London", "Asia/Kolkata", "Australia/Sydney"]
contact_strategy = st.fixed_dictionaries(
    {
        "zones": st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True),
        "attempts": st.integers(0, 6),
        "retry_in_h": st.integers(-48, 48),
        "abandoned_h_ago": st.one_of(st.none(), st.integers(0, 100)),
        "dnc": st.booleans(),
    }
)


@pytest.mark.parametrize("rule_set", [RuleSetName.US, RuleSetName.UK, RuleSetName.CA])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    contacts=st.lists(contact_strategy, min_size=1, max_size=12),
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
)
def test_the_claim_takes_exactly_the_contacts_the_pure_rule_allows(
    db: Connection, rule_set: RuleSetName, contacts: list[dict[str, object]], now: datetime
) -> None:
    db.execute(
        "TRUNCATE call_attempts, contacts, contact_lists, dnc_entries, dispositions, campaigns,"
        " trunks RESTART IDENTITY CASCADE"
    )
    db.commit()
    campaign = _running(db, rule_set=rule_set, max_attempts=5)
    expected = set()
    for i, spec in enumerate(contacts):
        number = f"+1202555{1000 + i:04d}"
        [cid] = make_contacts(db, campaign, [number], time_zones=spec["zones"])  # type: ignore[arg-type]
        retry_at = now + timedelta(hours=spec["retry_in_h"])  # type: ignore[arg-type]
        abandoned = (
            None
            if spec["abandoned_h_ago"] is None
            else now - timedelta(hours=spec["abandoned_h_ago"])
        )  # type: ignore[arg-type]
        db.execute(
            "UPDATE contacts SET attempts = %s, next_eligible_at = %s, last_abandoned_at = %s"
            " WHERE id = %s",
            (spec["attempts"], retry_at, abandoned, cid),
        )
        if spec["dnc"]:
            db.execute(
                "INSERT INTO dnc_entries (phone_e164, source) VALUES (%s, 'test')", (number,)
            )
        facts = ContactFacts(
            state=ContactState.DIALABLE,
            time_zones=tuple(spec["zones"]),  # type: ignore[arg-type]
            attempts=spec["attempts"],  # type: ignore[arg-type]
            next_eligible_at=retry_at,
            last_abandoned_at=abandoned,
            on_dnc=bool(spec["dnc"]),
        )
        if block_reason(facts, campaign.spec, now) is None:
            expected.add(number)
    db.commit()
    assert set(_claim(db, campaign, 100, now=now)) == expected
