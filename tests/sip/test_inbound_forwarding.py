"""Call forwarding of inbound queue calls through the real `dialer inbound serve`: a sipp caller
(speaking), Pia claimed for the call, her phone and the desk she forwards to our softphones
(`dialer softphone`). The call stays hers (her inbound call row); the caller's voice is checked
in what the desk recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaigns.agents import AgentState, ForwardMode
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from dialer.agents.dispositions import submit_inbound_disposition
from dialer.carrier import Scenario, SippCarrier

from .agent_floor import Floor
from .audio_check import SPEECH_RMS
from .audio_check import rms as wav_rms
from .inbound_harness import AGENT_ID, OUTCOME, caller, calls, running_inbound
from .softphone_fixtures import softphones
from .softphone_process import SoftphoneProcess
from .test_call_forwarding import MOBILE, forward

__all__ = ["softphones"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
DID = "+18005550100"
CALLER = "+12125550123"


def queue_floor(
    db: Connection,
    redis_url: str,
    carrier: Carrier,
    trunk: SippCarrier | None = None,
    **spec: object,
) -> Floor:
    """The queue's campaign on ``trunk`` (a sipp carrier answering every call by default)."""
    floor = Floor.on(db, redis_url, trunk or carrier(Scenario.ANSWER_AND_WAIT), **spec)
    inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    return floor


def test_an_inbound_caller_pias_phone_does_not_answer_reaches_the_desk_she_forwards_to(
    db: Connection,
    redis_url: str,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    floor = queue_floor(db, redis_url, carrier)
    pia_phone = softphones("pia")  # rings, nobody answers
    heard = tmp_path / "heard"
    desk_phone = softphones("desk", "--auto-answer", "--record", str(heard))
    [pia_uri], [desk_uri] = pia_phone.ready_uris(), desk_phone.ready_uris()
    pia = floor.agent("pia", pia_uri)
    forward(db, pia, ForwardMode.NO_ANSWER, desk_uri)

    with running_inbound(service_env, tmp_path) as inbound:
        call = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=5)
        pia_phone.wait_for("INCOMING CALL", timeout=30)
        desk_phone.wait_for("connected", timeout=30)
        assert call.wait(60) == 0
        call.stop()
        [row] = calls(db)

    assert row[OUTCOME] == "answered" and row[AGENT_ID] == pia.id  # the call is still hers
    assert "connected" not in pia_phone.screen(), "Pia's own phone took the call"
    [recording] = heard.glob("*.wav")
    assert wav_rms(recording) > SPEECH_RMS, "the caller's voice did not reach the desk"


def test_an_inbound_caller_goes_to_the_desk_when_pia_forwards_always_and_to_no_number_off_the_list(
    db: Connection,
    redis_url: str,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    trunk = carrier(Scenario.ANSWER_AND_WAIT)
    floor = queue_floor(db, redis_url, carrier, trunk, transfer_destinations=("+1415555XXXX",))
    pia_phone = softphones("pia", "--auto-answer")
    desk_phone = softphones("desk", "--auto-answer")
    [pia_uri], [desk_uri] = pia_phone.ready_uris(), desk_phone.ready_uris()
    pia = floor.agent("pia", pia_uri)
    forward(db, pia, ForwardMode.ALWAYS, desk_uri)

    with running_inbound(service_env, tmp_path) as inbound:
        call = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=2)
        desk_phone.wait_for("connected", timeout=30)
        assert call.wait(60) == 0
        call.stop()
        [row] = calls(db)
        assert row[OUTCOME] == "answered" and row[AGENT_ID] == pia.id
        assert "INCOMING CALL" not in pia_phone.screen(), "Pia's phone rang"

        # A number the queue's campaign does not allow: Pia's own phone takes the call.
        [(call_id,)] = db.execute("SELECT id FROM inbound_calls").fetchall()
        floor.wait_state("pia", AgentState.WRAP_UP)
        submit_inbound_disposition(floor.service, call_id, pia.id, "sale", datetime.now(UTC))
        floor.wait_state("pia", AgentState.READY)
        forward(db, pia, ForwardMode.ALWAYS, MOBILE)
        call = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=2)
        pia_phone.wait_for("connected", timeout=30)
        assert call.wait(60) == 0
        call.stop()
        calls(db, count=2)
    assert f"{MOBILE} is not on this campaign's list of transfer destinations" in inbound.log()
    assert trunk.invites_received() == 0, "the number off the list was called"


def test_an_inbound_caller_reaches_pias_allowed_number_through_the_campaigns_trunk(
    db: Connection,
    redis_url: str,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    mobile = carrier(Scenario.ANSWER_AND_WAIT)  # the campaign's trunk, answering as her mobile
    floor = queue_floor(db, redis_url, carrier, mobile, transfer_destinations=("+1202555XXXX",))
    pia_phone = softphones("pia", "--auto-answer")
    [pia_uri] = pia_phone.ready_uris()
    pia = floor.agent("pia", pia_uri)
    forward(db, pia, ForwardMode.ALWAYS, MOBILE)

    with running_inbound(service_env, tmp_path) as inbound:
        call = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=3)
        [invite] = mobile.wait_for_requests("INVITE", 1, timeout=30)
        assert call.wait(60) == 0
        call.stop()
        [row] = calls(db)

    assert row[OUTCOME] == "answered" and row[AGENT_ID] == pia.id  # the call is still hers
    assert "INCOMING CALL" not in pia_phone.screen(), "Pia's phone rang"
    request_line, *headers = invite.splitlines()
    assert MOBILE in request_line
    [from_header] = [h for h in headers if h.lower().startswith(("from:", "f:"))]
    assert floor.campaign.spec.caller_id in from_header  # the caller ID outbound forwards use
    assert not any(h.startswith("X-Dialer-Inbound") for h in headers), "screen pop to a carrier"
    assert len(mobile.answered_media_ports()) == 1


def test_an_inbound_caller_goes_to_the_desk_when_pias_busy_phone_refuses(
    db: Connection,
    redis_url: str,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    floor = queue_floor(db, redis_url, carrier)
    busy_phone = carrier(Scenario.BUSY_486)  # Pia's phone, answering every call 486 Busy Here
    desk_phone = softphones("desk", "--auto-answer")
    [desk_uri] = desk_phone.ready_uris()
    pia = floor.agent("pia", f"sip:pia@{busy_phone.host_port}")
    forward(db, pia, ForwardMode.BUSY, desk_uri)

    with running_inbound(service_env, tmp_path) as inbound:
        call = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=2)
        desk_phone.wait_for("connected", timeout=30)
        assert call.wait(60) == 0
        call.stop()
        [row] = calls(db)

    assert row[OUTCOME] == "answered" and row[AGENT_ID] == pia.id
    assert busy_phone.invites_received() == 1
