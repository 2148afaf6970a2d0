import pytest

from dialer.telephony import CancelReason, EndCause, Outcome, classify

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (486, Outcome.BUSY),
        (600, Outcome.BUSY),
        (480, Outcome.NO_ANSWER),
        (408, Outcome.NO_ANSWER),
        (603, Outcome.REJECTED),
        (404, Outcome.INVALID_NUMBER),
        (484, Outcome.INVALID_NUMBER),
        (503, Outcome.FAILED),
        (500, Outcome.FAILED),
        (403, Outcome.FAILED),
    ],
)
def test_carrier_final_responses_map_to_outcomes(status: int, outcome: Outcome) -> None:
    got = classify(
        answered=False, sip_status=status, cause=EndCause.REMOTE_REJECTED, cancel_reason=None
    )
    assert got is outcome


def test_our_ring_timeout_cancel_is_no_answer() -> None:
    got = classify(
        answered=False,
        sip_status=487,
        cause=EndCause.LOCAL_HANGUP,
        cancel_reason=CancelReason.RING_TIMEOUT,
    )
    assert got is Outcome.NO_ANSWER


def test_our_own_transaction_timeout_is_a_failure_not_a_no_answer() -> None:
    got = classify(answered=False, sip_status=408, cause=EndCause.TIMEOUT, cancel_reason=None)
    assert got is Outcome.FAILED


def test_transport_error_is_a_failure() -> None:
    got = classify(
        answered=False, sip_status=503, cause=EndCause.TRANSPORT_ERROR, cancel_reason=None
    )
    assert got is Outcome.FAILED


def test_cancel_on_shutdown_is_cancelled_not_no_answer() -> None:
    got = classify(
        answered=False,
        sip_status=487,
        cause=EndCause.LOCAL_HANGUP,
        cancel_reason=CancelReason.SHUTDOWN,
    )
    assert got is Outcome.CANCELLED


def test_an_answered_leg_is_answered_whoever_hung_up() -> None:
    got = classify(answered=True, sip_status=200, cause=EndCause.REMOTE_HANGUP, cancel_reason=None)
    assert got is Outcome.ANSWERED


def test_a_carrier_silent_even_to_our_cancel_is_a_failure() -> None:
    got = classify(
        answered=False,
        sip_status=408,
        cause=EndCause.TIMEOUT,
        cancel_reason=CancelReason.RING_TIMEOUT,
    )
    assert got is Outcome.FAILED
