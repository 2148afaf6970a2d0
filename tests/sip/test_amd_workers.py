"""AMD through the whole worker path: a campaign with AMD on, `dialer workers` (Celery, pjsua2,
one analysis thread per process), sipp playing greetings, the verdict stored on the attempt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from tests.factories import make_campaign, make_contacts
from tests.sip.workers_harness import enqueue, queue_attempts, running_workers, wait_ended

from . import amd_greetings

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]


def _amd_columns(db: Connection, attempt: int) -> tuple[object, ...]:
    row = db.execute(
        "SELECT outcome, amd_result, amd_cause, amd_decision_ms, answer_at, amd_decided_at,"
        " speech_end_at, agent_connect_at, message_start_at FROM call_attempts WHERE id = %s",
        (attempt,),
    ).fetchone()
    assert row is not None
    return tuple(row)


# "strict": the campaign's own thresholds (max_words=1) make the same voicemail a machine by
# another rule, which shows its thresholds, not the defaults, reached the worker's classifier.
@pytest.mark.parametrize("greeting", ["voicemail", "hello", "strict"])
def test_a_campaign_with_amd_stores_the_verdict_on_each_attempt(
    db: Connection, service_env: dict[str, str], tmp_path: Path, greeting: str
) -> None:
    workdir = tmp_path / "carrier"
    if greeting in ("voicemail", "strict"):
        amd_greetings.voicemail_with_beep(workdir)
    else:
        amd_greetings.human_hello(workdir)
    sipp = SippCarrier(Scenario.ANSWER_GREETING, workdir).start()
    try:
        campaign = make_campaign(db, trunk_uri=sipp.uri_template)
        thresholds = {"thresholds": {"max_words": 1}} if greeting == "strict" else {}
        with db.transaction():
            db.execute(
                "UPDATE campaigns SET amd = %s WHERE id = %s",
                (json.dumps({"action": "on", "machine": "hang_up", **thresholds}), campaign.id),
            )
        contacts = make_contacts(db, campaign, ["+12025550131"])
        with running_workers(service_env, lines=2, tmp=tmp_path) as workers:
            attempts = queue_attempts(db, campaign.id, contacts)
            enqueue(workers.redis_url, attempts)
            wait_ended(db, attempts, timeout=60)
    finally:
        sipp.stop()
    outcome, result, cause, decision_ms, answer, decided, speech_end, connect, message = (
        _amd_columns(db, attempts[0])
    )
    assert answer is not None and decided is not None and speech_end is not None
    # the strict campaign decides at the voicemail's second word, well before a long greeting
    earliest = 300 if greeting == "strict" else 1000
    assert isinstance(decision_ms, int) and earliest < decision_ms < 5000
    if greeting == "voicemail":
        assert (outcome, result, cause) == ("machine", "machine", "long greeting")
        assert message is None and connect is None  # hung up: no abandonment message
    elif greeting == "strict":
        assert (outcome, result, cause) == ("machine", "machine", "max words")
    else:
        # A person, and no agent logged in: the abandonment message, within 2 s of their hello.
        assert (outcome, result) == ("abandoned", "human")
        assert cause in {"human: short hello then silence", "human: short greeting then silence"}
        assert connect is None and message is not None
        assert (message - speech_end).total_seconds() <= 2.0  # type: ignore[operator]
    assert sipp.invites_received() == 1
