"""Hold, mute, DTMF and recording on real calls, asked for as the console asks (call commands).

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
carrier (speech, RFC 2833 offered), baresip as the agent's phone playing a 1 kHz tone. What the
carrier heard is captured off the loopback interface and cut at the moments the commands went,
so each stretch of the call is checked for what it should carry: the agent's tone, the music on
hold's notes, silence while muted, the digits as telephone events.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from campaigns.campaign import RecordingMode
from campaigns.storage.db import Connection
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import AGENT_TONE_HZ, band_share, recorded_mix, tone
from .call_features_harness import (
    assert_every_feature_heard,
    assert_recording_of_both_parties,
    connected_call,
    through_every_feature,
)
from .rtp_capture import RtpCapture
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]


def test_hold_plays_music_to_the_customer_resume_restores_the_agent_and_dtmf_reaches_the_carrier(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, recording=RecordingMode.ON_DEMAND)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550171")
            heard = through_every_feature(call)
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            digits = capture.telephone_events_to(call.port)
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
    assert_every_feature_heard(heard, digits, "customer")

    [stored] = db.execute(
        "SELECT recording_path FROM call_attempts WHERE id = %s", (call.attempt,)
    ).fetchone() or (None,)
    assert stored == f"recordings/campaign-{floor.campaign.id}/attempt-{call.attempt}.wav"
    assert_recording_of_both_parties(Path(service_env["DIALER_DATA_DIR"]) / stored, "customer")


def test_a_campaign_that_never_records_refuses_to_start_a_recording(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, recording=RecordingMode.NEVER)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 30), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550172")
            call.command(CallCommand.RECORD_START)
            still_talking = call.stretch(1.0)
            call.hang_up()
            wait_ended(db, [call.attempt])
    assert band_share(still_talking, (AGENT_TONE_HZ,)) > 0.8, "the refusal disturbed the call"
    [stored] = db.execute(
        "SELECT recording_path FROM call_attempts WHERE id = %s", (call.attempt,)
    ).fetchone() or (None,)
    assert stored is None
    assert not list((Path(service_env["DIALER_DATA_DIR"]) / "recordings").glob("**/*.wav"))
    assert "never records calls" in (tmp_path / "workers.log").read_text()


def test_a_campaign_that_always_records_records_every_connected_call_without_being_asked(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, recording=RecordingMode.ALWAYS)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 30), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550173")
            call.command(CallCommand.RECORD_STOP)  # refused: 'always' records the whole call
            call.stretch(3.0)
            call.hang_up()
            wait_ended(db, [call.attempt])
    mix = recorded_mix(db, service_env, call.attempt)
    assert mix.size > 8000 * 3, "the recording stopped before the call ended"
    agent_share = band_share(mix, (AGENT_TONE_HZ,))
    assert 0.1 < agent_share < 0.95, f"agent tone share {agent_share:.2f}: one party is missing"
    assert "records every call in full" in (tmp_path / "workers.log").read_text()
