"""The driver and state machine against the scripted fake: outcome and timeline per scenario."""

from datetime import timedelta

import pytest

from dialer.call_flow import run_attempt
from dialer.telephony import EndCause, NoFreeLeg, Outcome
from dialer.telephony.fake import Answer, FailToSend, FakeTelephony, Reject, RemoteHangup, Ring

from .call_flow_support import CUSTOMER_URI, Reporter, spec

pytestmark = pytest.mark.unit


def test_answered_call_keeps_dial_ring_answer_and_hangup_times() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Ring(0.1), Answer(3.0), RemoteHangup(10.0))})
    t0 = fake.clock.now()
    reporter = Reporter()
    result = run_attempt(spec(), fake, reporter, clock=fake.clock)
    assert result.outcome is Outcome.ANSWERED
    tl = result.timeline
    assert tl.dialed_at == t0
    assert tl.ringing_at == t0 + timedelta(seconds=0.1)
    assert tl.answered_at == t0 + timedelta(seconds=3.1)
    assert tl.ended_at == t0 + timedelta(seconds=13.1)
    assert tl.sip_call_id == "fake-a1:customer"
    assert reporter.results == [result]
    assert fake.free_legs() == 4


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (486, Outcome.BUSY),
        (600, Outcome.BUSY),
        (603, Outcome.REJECTED),
        (480, Outcome.NO_ANSWER),
        (408, Outcome.NO_ANSWER),
        (404, Outcome.INVALID_NUMBER),
        (484, Outcome.INVALID_NUMBER),
        (503, Outcome.FAILED),
    ],
)
def test_carrier_rejection_becomes_the_attempt_outcome(status: int, outcome: Outcome) -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Ring(0.1), Reject(2.0, status))})
    result = run_attempt(spec(), fake, Reporter(), clock=fake.clock)
    assert result.outcome is outcome
    assert result.timeline.sip_status == status
    assert fake.hangups == []


def test_unanswered_call_is_cancelled_after_the_ring_timeout_and_no_earlier() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Ring(0.2),)})
    t0 = fake.clock.now()
    result = run_attempt(spec(ring=15.0), fake, Reporter(), clock=fake.clock)
    assert result.outcome is Outcome.NO_ANSWER
    assert fake.hangups == ["a1:customer"]
    assert result.timeline.ended_at is not None
    assert result.timeline.ended_at - t0 >= timedelta(seconds=15)
    assert result.timeline.sip_status == 487


def test_ring_timeout_below_fifteen_seconds_is_refused() -> None:
    with pytest.raises(ValueError, match="legal minimum"):
        spec(ring=14.9)


def test_our_transaction_timeout_is_a_failed_attempt() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Reject(32.0, 408, cause=EndCause.TIMEOUT),)})
    result = run_attempt(spec(ring=40), fake, Reporter(), clock=fake.clock)
    assert result.outcome is Outcome.FAILED


def test_an_invite_that_cannot_be_sent_is_a_failed_attempt() -> None:
    fake = FakeTelephony({CUSTOMER_URI: FailToSend(permanent=True)})
    result = run_attempt(spec(), fake, Reporter(), clock=fake.clock)
    assert result.outcome is Outcome.FAILED
    assert fake.free_legs() == 4


def test_early_media_is_recorded_on_the_timeline() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Ring(0.1, 183, early_media=True), Answer(1.0))})
    fake_result = run_attempt(spec(), fake, Reporter(), clock=fake.clock)
    assert fake_result.timeline.early_media
    assert fake_result.outcome is Outcome.ANSWERED


def test_no_attempt_starts_without_the_legs_it_needs() -> None:
    fake = FakeTelephony(max_legs=1)
    with pytest.raises(NoFreeLeg):
        run_attempt(spec(handoff=True), fake, Reporter(), clock=fake.clock)
    assert fake.originated == []
    assert fake.free_legs() == 1


def test_shutdown_cancels_a_ringing_call_as_cancelled() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Ring(0.1),)})
    fake.request_stop(0)  # no inbox yet: nothing happens
    inbox_count_before = len(fake.originated)
    assert inbox_count_before == 0

    class StopOnRing(Reporter):
        def progress(self, attempt_id, milestone, at):  # type: ignore[no-untyped-def]
            super().progress(attempt_id, milestone, at)
            fake.request_stop(30)

    result = run_attempt(spec(), fake, StopOnRing(), clock=fake.clock)
    assert result.outcome is Outcome.CANCELLED
    assert result.timeline.ended_at is not None
    assert result.timeline.ringing_at is not None
    assert result.timeline.ended_at - result.timeline.ringing_at < timedelta(seconds=1)


def test_ring_timeout_without_any_ringing_is_a_failure_not_a_no_answer() -> None:
    fake = FakeTelephony({CUSTOMER_URI: ()})  # the carrier never says anything
    result = run_attempt(spec(ring=15.0), fake, Reporter(), clock=fake.clock)
    assert result.outcome is Outcome.FAILED
    assert fake.hangups == ["a1:customer"]


def test_a_stack_without_a_free_slot_dials_nothing_and_reports_nothing() -> None:
    fake = FakeTelephony({CUSTOMER_URI: FailToSend(no_free_leg=True)})
    reporter = Reporter()
    with pytest.raises(NoFreeLeg):
        run_attempt(spec(), fake, reporter, clock=fake.clock)
    assert reporter.results == [] and reporter.progress_seen == []
    assert fake.free_legs() == 4
