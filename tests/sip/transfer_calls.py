"""A customer talking with bob on real workers, passed on to a third party or another agent:
the pieces the transfer, conference and queue-transfer sip tests share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import Floor
from .call_audio import AGENT_TONE_HZ, SETTLE_S, tone
from .call_features_harness import Call, connected_call
from .rtp_capture import RtpCapture
from .workers_harness import running_workers, wait_ended

Carrier = Callable[[Scenario], SippCarrier]
ALLOWED = ("+1202555XXXX",)
THIRD_PARTY = "+12025550199"


class CustomerCall(Call):
    """The call, hearing only what the customer's leg receives: sipp answers the third party
    on the same media port, so the streams are told apart by SSRC (the customer's came first)."""

    def __init__(self, call: Call) -> None:  # reuses the call's Redis client
        self.redis, self.attempt = call.redis, call.attempt
        self.capture, self.port = call.capture, call.port
        deadline = time.monotonic() + 5
        while not (streams := self.capture.ssrcs_to(self.port)) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.ssrc = streams[0]

    def stretch(self, seconds: float = 2.0) -> np.ndarray:
        time.sleep(SETTLE_S)
        start = self.capture.packets_to(self.port)
        time.sleep(seconds)
        end = self.capture.packets_to(self.port)
        return self.capture.audio_to(self.port, start, end, ssrc=self.ssrc)


def transfer_row(db: Connection, attempt: int) -> tuple[object, ...]:
    row = db.execute(
        "SELECT transfer_to, transfer_at, transfer_outcome FROM call_attempts WHERE id = %s",
        (attempt,),
    ).fetchone()
    assert row is not None
    return tuple(row)


@contextmanager
def talking_with_bob(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    number: str,
    **campaign: object,
) -> Iterator[tuple[Floor, Call]]:
    """A customer (sipp, speech) talking with bob (baresip, the 1 kHz tone) on real workers,
    the campaign (``campaign``: more of its settings) allowing ALLOWED; the call is hung up
    and ended when the block ends."""
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(
        db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED, **campaign
    )
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, number)
            yield floor, call
            call.hang_up()
            wait_ended(db, [call.attempt])


def decide(redis_url: str, attempt: int, command: CallCommand) -> None:
    call_commands.send(redis_client(redis_url), attempt, command, "agent test", datetime.now(UTC))


def to_agent(redis_url: str, attempt: int, agent_id: int, action: CallCommand) -> None:
    """As the console's Transfer to agent / Consult agent (after the dashboard's check)."""
    call_commands.send(
        redis_client(redis_url), attempt, action, "agent test", datetime.now(UTC), agent_id=agent_id
    )


def wait_outcome(db: Connection, attempt: int, outcome: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while transfer_row(db, attempt)[2] != outcome:
        assert time.monotonic() < deadline, f"the three-way call never became {outcome}"
        time.sleep(0.1)
