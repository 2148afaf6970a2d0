"""Queued callers are told their place in line and estimated wait, through the real
`dialer inbound serve`, sipp callers, PostgreSQL and Redis; what each caller heard is captured
off the loopback interface and the spoken sentence found in it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from dialer.carrier import Scenario, SippCarrier
from dialer.inbound import media

from .agent_floor import Floor
from .audio_check import best_match, wav_samples
from .inbound_harness import OUTCOME, caller, calls, media_port, running_inbound
from .rtp_capture import RtpCapture

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
DID = "+18005550100"


def handled_call(db: Connection, queue_id: int, handle_s: float) -> None:
    """A call of the queue answered a few minutes ago and handled in ``handle_s``."""
    answered = datetime.now(UTC) - timedelta(minutes=5)
    call_id, _ = inbound_store.offer_call(
        db, queue_id=queue_id, did=DID, caller="+12125550190", campaign_id=None,
        sip_call_id="earlier", worker="w", at=answered - timedelta(seconds=5),
    )  # fmt: skip
    inbound_store.finish_call(db, call_id, InboundOutcome.ANSWERED, answered)
    db.execute(
        "UPDATE inbound_calls SET answered_at = %s, disposition_at = %s WHERE id = %s",
        (answered, answered + timedelta(seconds=handle_s), call_id),
    )


def test_waiting_callers_hear_their_place_in_line_and_estimated_wait(
    db: Connection, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    trunk = carrier(Scenario.ANSWER_AND_WAIT)  # the campaign's trunk: not dialed here
    floor = Floor.on(db, service_env["REDIS_URL"], trunk)
    queue = inbound_store.add_queue(
        db, "Help line", floor.campaign.id, [DID], max_wait_s=60, announce_place_s=10
    )
    handled_call(db, queue, handle_s=120)
    # One agent serving and busy (on another call): nobody is ready, a call ends every 120 s.
    amy = floor.agent("amy", f"sip:amy@{trunk.host_port}")
    assert floor.service.claim(floor.campaign.id, 999_999, datetime.now(UTC)) is not None
    with RtpCapture() as capture, running_inbound(service_env, tmp_path, calls=4) as inbound:
        first = caller(tmp_path, inbound, DID, "+12125550001", hang_up_after_s=17)
        time.sleep(1)
        second = caller(tmp_path / "2", inbound, DID, "+12125550002", hang_up_after_s=17)
        ports = media_port(first), media_port(second)
        assert first.wait(30) == 0 and second.wait(30) == 0
        first.stop()
        second.stop()
        rows = calls(db, count=3)
        heard = [capture.audio_to(port) for port in ports]
    assert [row[OUTCOME] for row in rows[1:]] == ["abandoned", "abandoned"]
    assert amy.id  # still serving: the estimate counts her
    log = (tmp_path / "inbound.log").read_text()
    told = {
        "You are caller number 1. Your estimated wait is about 2 minutes.": heard[0],
        "You are caller number 2. Your estimated wait is about 4 minutes.": heard[1],
    }
    data_dir = Path(service_env["DIALER_DATA_DIR"])
    for sentence, audio in told.items():
        assert f"told: {sentence}" in log
        # The very prompt the process played (cached by its text) is in what the caller heard.
        prompt = wav_samples(media.prompt(data_dir, sentence))
        assert best_match(audio, prompt) > 0.6, f"the caller did not hear {sentence!r}"
    # The other caller's sentence is not in the first caller's audio.
    other = wav_samples(media.prompt(data_dir, list(told)[1]))
    assert best_match(heard[0], other) < best_match(heard[1], other)
