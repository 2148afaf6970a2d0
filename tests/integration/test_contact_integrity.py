"""Contacts and their lists (migration 0006): what the foreign keys guaranteed, set-based."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

Db = psycopg.Connection[tuple[Any, ...]]


@pytest.fixture
def two_campaigns(db: Db) -> Db:
    db.execute(
        "INSERT INTO campaigns (id, name, caller_id, calling_hours, retry_policy)"
        " OVERRIDING SYSTEM VALUE VALUES"
        " (1, 'A', '+12025550100', '{}', '{}'), (2, 'B', '+12025550100', '{}', '{}')"
    )
    db.execute(
        "INSERT INTO contact_lists (id, campaign_id, name, default_region)"
        " OVERRIDING SYSTEM VALUE VALUES (10, 1, 'a', 'US'), (20, 2, 'b', 'US')"
    )
    db.commit()
    return db


def _add(db: Db, campaign: int, list_id: int, phone: str) -> None:
    db.execute(
        "INSERT INTO contacts (campaign_id, list_id, phone_e164, time_zones)"
        " VALUES (%s, %s, %s, '{UTC}')",
        (campaign, list_id, phone),
    )


def test_a_contact_must_name_an_existing_list_of_its_campaign(two_campaigns: Db) -> None:
    db = two_campaigns
    _add(db, 1, 10, "+12125550100")
    db.commit()
    for campaign, list_id in ((1, 99), (1, 20)):
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            _add(db, campaign, list_id, "+12125550101")
        db.rollback()
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute("UPDATE contacts SET list_id = 20 WHERE phone_e164 = '+12125550100'")
    db.rollback()
    db.execute("UPDATE contacts SET state = 'done' WHERE phone_e164 = '+12125550100'")
    db.commit()


def test_deleting_a_list_or_its_campaign_deletes_its_contacts(two_campaigns: Db) -> None:
    db = two_campaigns
    _add(db, 1, 10, "+12125550100")
    _add(db, 2, 20, "+12125550101")
    db.execute("DELETE FROM contact_lists WHERE id = 10")
    assert db.execute("SELECT phone_e164 FROM contacts").fetchall() == [("+12125550101",)]
    db.execute("DELETE FROM campaigns WHERE id = 2")
    assert db.execute("SELECT count(*) FROM contacts").fetchone() == (0,)
    db.commit()


def test_a_list_with_contacts_keeps_its_campaign(two_campaigns: Db) -> None:
    db = two_campaigns
    _add(db, 1, 10, "+12125550100")
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute("UPDATE contact_lists SET campaign_id = 2 WHERE id = 10")
    db.rollback()
