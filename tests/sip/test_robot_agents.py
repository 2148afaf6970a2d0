"""`dialer softphone --robot` as the agent: it answers through the real workers, talks (speech
both ways), hangs up, and records its disposition through the real agent API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from dialer.softphone.provision import RobotAgent, provision_robots

from .agent_floor import AGENT_CONNECT_AT, AGENT_ID, ANSWER_AT, OUTCOME, Floor, between
from .audio_check import SPEECH_RMS
from .audio_check import rms as wav_rms
from .live_dashboard import api_url
from .rtp_capture import RtpCapture, rms
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, running_workers, wait_ended

__all__ = ["api_url"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]


@pytest.fixture
def robot_phone(api_url: str) -> Iterator[Callable[..., SoftphoneProcess]]:
    started: list[SoftphoneProcess] = []

    def start(robot: RobotAgent, *options: str) -> SoftphoneProcess:
        phone = SoftphoneProcess(
            "--robot", "--token", robot.token, "--api-url", api_url, "--talk-cv", "0",
            "--wrap-seconds", "0.2", *options,
        )  # fmt: skip
        started.append(phone)
        return phone

    yield start
    for phone in started:
        phone.stop()


def wait_disposed(db: Connection, attempt: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = db.execute(
            "SELECT disposition FROM call_attempts WHERE id = %s", (attempt,)
        ).fetchone()
        if row and row[0]:
            return str(row[0])
        time.sleep(0.2)
    raise AssertionError(f"attempt {attempt} got no disposition")


def test_robot_agent_talks_with_the_customer_both_ways_and_records_its_disposition(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    robot_phone: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    [robot] = provision_robots(db, 1, (floor.campaign.id,))
    heard = tmp_path / "heard"
    phone = robot_phone(robot, "--talk-mean", "4", "--dispositions", "sale", "--record", str(heard))
    assert phone.ready_uris() == [robot.sip_uri]  # it listens where the dialer rings the agent
    floor.wait_state(robot.agent_id, AgentState.READY)  # logged in and ready through the API
    with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550171")
        enqueue(workers.redis_url, [attempt])
        row = wait_ended(db, [attempt])[attempt]
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == robot.agent_id
    assert between(row, ANSWER_AT, AGENT_CONNECT_AT) < 2.0
    assert wait_disposed(db, attempt) == "sale"
    floor.wait_state(robot.agent_id, AgentState.READY)  # out of wrap-up, ready for the next
    [recording] = heard.glob("*.wav")
    assert wav_rms(recording) > SPEECH_RMS, "the customer's voice did not reach the robot"
    [port] = customer.answered_media_ports()
    assert rms(capture.audio_to(port)) > SPEECH_RMS, "the robot's voice did not reach the carrier"
    assert phone.stop() == 0
    report = json.loads(phone.wait_for("REPORT").split(" ", 1)[1])
    assert (report["calls"], report["dispositions"], report["refused_while_busy"]) == (1, 1, 0)
    assert floor.service.status(robot.agent_id).state is AgentState.LOGGED_OUT


def _zone_where_it_is_midday(at: datetime) -> str:
    """An Etc/GMT zone in which ``at`` falls at about noon (inside every calling window)."""
    offset = (12 - at.hour + 12) % 24 - 12  # local = UTC + offset, offset in -12..11
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # Etc/GMT signs are inverted


def test_robot_callback_disposition_schedules_the_contact_at_that_time(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    robot_phone: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    [robot] = provision_robots(db, 1, (floor.campaign.id,))
    later = timedelta(hours=2)
    phone = robot_phone(
        robot, "--talk-mean", "1", "--dispositions", "callback", "--callback-after", "7200"
    )
    phone.ready_uris()
    floor.wait_state(robot.agent_id, AgentState.READY)
    zone = _zone_where_it_is_midday(datetime.now(UTC) + later)
    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550172", zone=zone)
        enqueue(workers.redis_url, [attempt])
        wait_ended(db, [attempt])
    assert wait_disposed(db, attempt) == "callback"
    row = db.execute(
        "SELECT c.state, c.next_eligible_at, a.disposition_at FROM contacts c"
        " JOIN call_attempts a ON a.contact_id = c.id WHERE a.id = %s",
        (attempt,),
    ).fetchone()
    assert row is not None
    state, next_at, disposed_at = row
    assert state == "callback"
    asked = disposed_at + later
    assert abs((next_at - asked).total_seconds()) < 10, (next_at, asked)
