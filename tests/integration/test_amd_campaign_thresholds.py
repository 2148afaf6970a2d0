"""A campaign's AMD thresholds survive PostgreSQL and reach the classifier of its calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from campaigns.amd_policy import AmdMode
from campaigns.amd_thresholds import DEFAULT_THRESHOLDS, SilentAnswer
from campaigns.storage import attempt_store, campaign_store
from campaigns.storage.db import Connection
from dialer.amd import AmdSettings, BeepSettings, Decision
from dialer.dialing import amd_policy
from tests.factories import make_campaign, make_contacts

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def test_a_campaigns_thresholds_reach_the_detector_of_its_calls(db: Connection) -> None:
    thresholds = replace(
        DEFAULT_THRESHOLDS,
        greeting_ms=2600,
        after_greeting_silence_ms=1100,
        initial_silence_decision=SilentAnswer.NOT_SURE,
        beep_max_wait_ms=25000,
    )
    campaign = make_campaign(
        db, trunk_uri="sip:{number}@127.0.0.1:5999", amd=AmdMode.ON, amd_thresholds=thresholds
    )
    assert campaign_store.get_campaign(db, campaign.id).spec.amd_thresholds == thresholds
    [contact] = make_contacts(db, campaign, ["+12025550111"])
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact], now=NOW, expires_at=NOW + timedelta(seconds=60)
    )
    db.commit()
    to_dial = attempt_store.begin_dialing(db, attempt, "w1", NOW)
    assert to_dial is not None

    policy = amd_policy(to_dial)

    assert policy is not None
    assert policy.settings == AmdSettings(
        greeting_ms=2600, after_greeting_silence_ms=1100, initial_silence_decision=Decision.NOT_SURE
    )
    assert policy.beep == BeepSettings(max_wait_ms=25000)


def test_only_changed_thresholds_are_stored_and_old_rows_read_as_defaults(db: Connection) -> None:
    campaign = make_campaign(db, amd_thresholds=replace(DEFAULT_THRESHOLDS, max_words=6))
    stored = db.execute("SELECT amd -> 'thresholds' FROM campaigns WHERE id = %s", (campaign.id,))
    assert stored.fetchone() == ({"max_words": 6},)
    db.execute("UPDATE campaigns SET amd = amd - 'thresholds' WHERE id = %s", (campaign.id,))
    assert campaign_store.get_campaign(db, campaign.id).spec.amd_thresholds == DEFAULT_THRESHOLDS


def test_the_database_refuses_thresholds_that_are_not_an_object(db: Connection) -> None:
    campaign = make_campaign(db)
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(
            "UPDATE campaigns SET amd = amd || '{\"thresholds\": [1]}' WHERE id = %s",
            (campaign.id,),
        )
