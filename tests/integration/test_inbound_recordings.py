"""Inbound calls' recordings: served to supervisors only, swept at the campaign's retention."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from campaigns.agents import Agent
from campaigns.storage import inbound_store, recording_store
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from campaigns.users import Role, User
from dialer import recordings
from dialer.settings import Settings
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _recorded_inbound_call(db: Connection, data_dir: Path, retention_days: int) -> tuple[int, Path]:
    campaign = make_campaign(db, "Help desk")
    db.execute(
        "UPDATE campaigns SET recording = 'always', recording_retention_days = %s WHERE id = %s",
        (retention_days, campaign.id),
    )
    queue = inbound_store.add_queue(db, "Help", campaign.id, ["+18005550100"])
    call_id, _ = inbound_store.offer_call(
        db,
        queue_id=queue,
        did="+18005550100",
        caller="+12125550001",
        campaign_id=None,
        sip_call_id="abc",
        worker="inbound-0",
        at=T0,
    )
    stored = f"recordings/campaign-{campaign.id}/inbound-{call_id}.wav"
    wav = data_dir / stored
    wav.parent.mkdir(parents=True, exist_ok=True)
    wav.write_bytes(b"RIFF....WAVEfmt recorded inbound call")
    inbound_store.finish_call(
        db, call_id, InboundOutcome.ANSWERED, T0 + timedelta(minutes=3), recording_path=stored
    )
    return call_id, wav


def test_supervisors_play_an_inbound_calls_recording_and_agents_get_403(
    db: Connection,
    dashboard_app: Flask,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
) -> None:
    settings: Settings = dashboard_app.config["DIALER_SETTINGS"]
    call_id, wav = _recorded_inbound_call(db, settings.data_dir, retention_days=30)
    url = f"/api/v1/inbound-calls/{call_id}/recording"

    assert sign_in(make_agent("alice")).get(url).status_code == 403
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    played = boss.get(url)
    assert played.status_code == 200 and played.mimetype == "audio/wav"
    assert played.data == wav.read_bytes()
    downloaded = boss.get(url + "?download=1")
    assert "inbound-call-" in downloaded.headers["Content-Disposition"]
    assert boss.get("/api/v1/inbound-calls/999999/recording").status_code == 404


def test_the_sweep_deletes_inbound_recordings_past_the_campaigns_retention(
    db: Connection,
    dashboard_app: Flask,
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    tmp_path: Path,
) -> None:
    call_id, wav = _recorded_inbound_call(db, tmp_path, retention_days=30)
    ended = T0 + timedelta(minutes=3)

    kept = recordings.sweep_expired(db, tmp_path, ended + timedelta(days=29))
    assert (kept.deleted, wav.exists()) == (0, True)
    swept = recordings.sweep_expired(db, tmp_path, ended + timedelta(days=31))
    assert (swept.deleted, wav.exists()) == (1, False)
    found = recording_store.inbound_recording_of(db, call_id)
    assert found is not None and found.deleted_at is not None
    assert recordings.sweep_expired(db, tmp_path, ended + timedelta(days=32)).deleted == 0
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    assert boss.get(f"/api/v1/inbound-calls/{call_id}/recording").status_code == 410
