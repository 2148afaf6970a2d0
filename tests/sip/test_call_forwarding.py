"""Call forwarding for agents on real calls: `dialer workers` (pjsua2) dials the sipp carrier,
the customer answers, and the call offered to Pia goes where her forwarding says. Her phone
and the desk she forwards to are our softphones (`dialer softphone`); a forward to a number
goes out through the campaign's trunk, where the same sipp answers it. Audio is checked: what
the destination's phone recorded, or the RTP each sipp call received (told apart by SSRC)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from campaigns.agents import Agent, AgentState, ForwardMode, validate_agent
from campaigns.storage import agent_store
from campaigns.storage.db import Connection
from dialer.bootstrap import redis_client
from dialer.call_commands import request_hangup
from dialer.carrier import Scenario, SippCarrier

from .agent_floor import AGENT_ID, OUTCOME, Floor, wait_answers
from .audio_check import SPEECH_RMS
from .audio_check import rms as wav_rms
from .rtp_capture import RtpCapture, rms
from .softphone_fixtures import softphones
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, running_workers, wait_ended

__all__ = ["softphones"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
CUSTOMER = "+12025550181"
MOBILE = "+12025550199"  # Pia's mobile, reached through the campaign's trunk
TALK_S = 3.0


def forward(db: Connection, agent: Agent, mode: ForwardMode, to: str) -> None:
    spec = validate_agent(replace(agent.spec, forward_mode=mode, forward_to=to))
    agent_store.update_agent(db, agent.id, agent.display_name, agent.disabled, spec)
    db.commit()


def forwarding_always(
    db: Connection,
    service_env: dict[str, str],
    customer: SippCarrier,
    softphones: Callable[..., SoftphoneProcess],
    allowed: tuple[str, ...],
) -> tuple[Floor, Agent, SoftphoneProcess]:
    """A campaign allowing ``allowed``, Pia ready on an auto-answering phone, forwarding all
    her calls to her mobile."""
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=allowed)
    pia_phone = softphones("pia", "--auto-answer")
    [pia_uri] = pia_phone.ready_uris()
    pia = floor.agent("pia", pia_uri)
    forward(db, pia, ForwardMode.ALWAYS, MOBILE)
    return floor, pia, pia_phone


def streams_heard(capture: RtpCapture, port: int) -> list[float]:
    """The loudness of each RTP stream sipp received on ``port``, in the order they began."""
    return [rms(capture.audio_to(port, ssrc=ssrc)) for ssrc in capture.ssrcs_to(port)]


def test_a_call_pias_phone_does_not_answer_goes_to_the_desk_she_forwards_to(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)  # speaks until our side hangs up
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    pia_phone = softphones("pia")  # rings, nobody answers
    heard = tmp_path / "heard"
    desk_phone = softphones("desk", "--auto-answer", "--record", str(heard))
    [pia_uri], [desk_uri] = pia_phone.ready_uris(), desk_phone.ready_uris()
    pia = floor.agent("pia", pia_uri)
    forward(db, pia, ForwardMode.NO_ANSWER, desk_uri)

    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts(CUSTOMER)
        enqueue(workers.redis_url, [attempt])
        pia_phone.wait_for("INCOMING CALL", timeout=60)
        desk_phone.wait_for("connected", timeout=30)
        floor.wait_state("pia", AgentState.ON_CALL)  # the call is still hers
        time.sleep(TALK_S)
        desk_phone.press("h")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert "connected" not in pia_phone.screen(), "Pia's own phone took the call"
    [recording] = heard.glob("*.wav")
    assert wav_rms(recording) > SPEECH_RMS, "the customer's voice did not reach the desk"


def test_forwarding_always_to_an_allowed_number_goes_out_on_the_campaigns_trunk(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor, pia, pia_phone = forwarding_always(
        db, service_env, customer, softphones, ("+1202555XXXX",)
    )

    with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts(CUSTOMER)
        enqueue(workers.redis_url, [attempt])
        floor.wait_state("pia", AgentState.ON_CALL, timeout=60)
        [port, again] = wait_answers(customer, 2)  # the customer's call, then the mobile's
        time.sleep(TALK_S)
        request_hangup(redis_client(workers.redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert port == again  # sipp answers every call on one media port
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert "INCOMING CALL" not in pia_phone.screen(), "Pia's phone rang"
    customer_heard, mobile_heard = streams_heard(capture, port)
    assert customer_heard > SPEECH_RMS, "the mobile's voice did not reach the customer"
    assert mobile_heard > SPEECH_RMS, "the customer's voice did not reach the mobile"


def test_a_forward_to_a_number_off_the_allow_list_is_refused_and_pias_phone_rings(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor, pia, pia_phone = forwarding_always(
        db, service_env, customer, softphones, ("+1415555XXXX",)
    )

    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts(CUSTOMER)
        enqueue(workers.redis_url, [attempt])
        pia_phone.wait_for("connected", timeout=60)
        request_hangup(redis_client(workers.redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]
        log = (tmp_path / "workers.log").read_text(errors="replace")

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert len(customer.answered_media_ports()) == 1, "the number off the list was called"
    assert f"{MOBILE} is not on this campaign's list of transfer destinations" in log


def test_a_call_pias_busy_phone_refuses_goes_to_the_desk_when_she_forwards_on_busy(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    busy_phone = carrier(Scenario.BUSY_486)  # Pia's phone, answering every call 486 Busy Here
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    heard = tmp_path / "heard"
    desk_phone = softphones("desk", "--auto-answer", "--record", str(heard))
    [desk_uri] = desk_phone.ready_uris()
    pia = floor.agent("pia", f"sip:pia@{busy_phone.host_port}")
    forward(db, pia, ForwardMode.BUSY, desk_uri)

    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts(CUSTOMER)
        enqueue(workers.redis_url, [attempt])
        desk_phone.wait_for("connected", timeout=60)
        time.sleep(TALK_S)
        desk_phone.press("h")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    [recording] = heard.glob("*.wav")
    assert wav_rms(recording) > SPEECH_RMS, "the customer's voice did not reach the desk"
