"""Every carrier behaviour ends in the right outcome, with its timeline, over real SIP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from dialer.call_flow import AttemptResult, AttemptSpec, Milestone, run_attempt
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony import DigestCredentials, Outcome, TrunkConfig

from .conftest import CUSTOMER, Reporter, trunk_to

pytestmark = pytest.mark.sip

Carrier = Callable[[Scenario], SippCarrier]


def attempt(
    telephony: object, trunk: TrunkConfig, name: str, ring: float = 15.0
) -> tuple[AttemptResult, Reporter]:
    reporter = Reporter()
    spec = AttemptSpec(name, CUSTOMER, trunk, ring_timeout=timedelta(seconds=ring))
    result = run_attempt(spec, telephony, reporter)  # type: ignore[arg-type]
    assert reporter.results == [result]
    return result, reporter


def test_answered_call_records_dial_ring_answer_hangup_and_call_id(
    telephony: object, carrier: Carrier
) -> None:
    sipp = carrier(Scenario.ANSWER_SPEECH)
    result, reporter = attempt(telephony, trunk_to(sipp), "answered")
    tl = result.timeline
    assert result.outcome is Outcome.ANSWERED
    assert tl.dialed_at and tl.ringing_at and tl.answered_at and tl.ended_at
    assert tl.dialed_at <= tl.ringing_at <= tl.answered_at < tl.ended_at
    assert tl.sip_status == 200
    [invite] = sipp.received_requests("INVITE")
    assert f"Call-ID: {tl.sip_call_id}" in invite
    assert "P-Asserted-Identity: <sip:+14155550100@" in invite
    assert 'From: "Acme Ltd" <sip:+14155550100@' in invite
    assert invite.startswith(f"INVITE sip:{CUSTOMER}@")
    assert [m for m, _ in reporter.progress_seen] == [Milestone.RINGING, Milestone.ANSWERED]


@pytest.mark.parametrize(
    ("scenario", "outcome", "status"),
    [
        (Scenario.BUSY_486, Outcome.BUSY, 486),
        (Scenario.BUSY_600, Outcome.BUSY, 600),
        (Scenario.DECLINE_603, Outcome.REJECTED, 603),
        (Scenario.NO_ANSWER_480, Outcome.NO_ANSWER, 480),
        (Scenario.TIMEOUT_408, Outcome.NO_ANSWER, 408),
        (Scenario.NOT_FOUND_404, Outcome.INVALID_NUMBER, 404),
        (Scenario.INCOMPLETE_484, Outcome.INVALID_NUMBER, 484),
        (Scenario.UNAVAILABLE_503, Outcome.FAILED, 503),
    ],
)
def test_carrier_final_response_becomes_the_outcome(
    telephony: object, carrier: Carrier, scenario: Scenario, outcome: Outcome, status: int
) -> None:
    sipp = carrier(scenario)
    result, _ = attempt(telephony, trunk_to(sipp), f"reject-{status}")
    assert result.outcome is outcome
    assert result.timeline.sip_status == status
    assert result.timeline.answered_at is None
    assert result.timeline.ended_at is not None
    assert sipp.invites_received() == 1


def test_early_media_then_answer_is_answered_with_early_media_on_record(
    telephony: object, carrier: Carrier
) -> None:
    sipp = carrier(Scenario.EARLY_MEDIA_THEN_ANSWER)
    result, _ = attempt(telephony, trunk_to(sipp), "early-media")
    assert result.outcome is Outcome.ANSWERED
    assert result.timeline.early_media
    assert result.timeline.ringing_at is not None and result.timeline.answered_at is not None
    assert result.timeline.ringing_at < result.timeline.answered_at


def test_carrier_that_answers_and_hangs_up_at_once_is_answered(
    telephony: object, carrier: Carrier
) -> None:
    sipp = carrier(Scenario.ANSWER_THEN_HANGUP)
    result, _ = attempt(telephony, trunk_to(sipp), "answer-hangup")
    assert result.outcome is Outcome.ANSWERED
    tl = result.timeline
    assert tl.answered_at is not None and tl.ended_at is not None
    assert tl.answered_at <= tl.ended_at


def test_never_answered_call_is_cancelled_after_the_fifteen_second_minimum(
    telephony: object, carrier: Carrier
) -> None:
    sipp = carrier(Scenario.NEVER_ANSWERS)
    result, _ = attempt(telephony, trunk_to(sipp), "never-answers", ring=15.0)
    tl = result.timeline
    assert result.outcome is Outcome.NO_ANSWER
    assert tl.sip_status == 487
    assert tl.dialed_at is not None and tl.ended_at is not None
    assert tl.ended_at - tl.dialed_at >= timedelta(seconds=15)  # the legal minimum ring
    assert len(sipp.wait_for_requests("CANCEL", 1)) == 1
    assert sipp.invites_received() == 1


def test_silent_and_garbage_carriers_end_as_failed_not_as_no_answer(
    telephony: object, carrier: Carrier
) -> None:
    """Both at once (one endpoint, two threads). Nothing valid ever comes back, so our ring
    timeout gives up, and since no phone ever rang the attempt is a failure."""
    silent, garbage = carrier(Scenario.SILENT), carrier(Scenario.GARBAGE)
    results: dict[str, AttemptResult] = {}

    def run(name: str, sipp: SippCarrier) -> None:
        results[name] = attempt(telephony, trunk_to(sipp), name, ring=15.0)[0]

    threads = [
        threading.Thread(target=run, args=("silent", silent)),
        threading.Thread(target=run, args=("garbage", garbage)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for name in ("silent", "garbage"):
        assert results[name].outcome is Outcome.FAILED, name
        assert results[name].timeline.ringing_at is None, name
        assert results[name].timeline.answered_at is None, name
    assert silent.invites_received() == 1
    assert garbage.invites_received() == 1
    # pjsua keeps both calls' slots until pjsip's INVITE timer (32 s) ends; the leg budget
    # must say so, or the next makeCall fails with PJ_ETOOMANY.
    assert telephony.free_legs() == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("scenario", [Scenario.DIGEST_401, Scenario.DIGEST_407])
def test_digest_authenticated_trunk_answers_the_challenge(
    telephony: object, carrier: Carrier, scenario: Scenario
) -> None:
    sipp = carrier(scenario)
    trunk = trunk_to(sipp, DigestCredentials("dialer", "s3cret"))
    result, _ = attempt(telephony, trunk, f"digest-{scenario.value}")
    assert result.outcome is Outcome.ANSWERED
    assert sipp.invites_received() == 1  # one call...
    assert sipp.invites_received(initial_only=False) == 2  # ...challenged once


def test_wrong_trunk_password_is_refused_by_the_carrier(
    telephony: object, carrier: Carrier
) -> None:
    sipp = carrier(Scenario.DIGEST_401)
    trunk = trunk_to(sipp, DigestCredentials("dialer", "wrong"))
    result, _ = attempt(telephony, trunk, "digest-wrong")
    assert result.outcome is Outcome.FAILED
    assert result.timeline.sip_status == 403
