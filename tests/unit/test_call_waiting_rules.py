"""Call waiting's rules: who may be offered a queued call while busy, and what the offer becomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.agents import AgentState
from dialer.agents.call_waiting import (
    OFFER_TIMEOUT,
    Accepted,
    CallWaiting,
    CallWaitingRefused,
    Candidate,
    ConnectWaiting,
    Declined,
    FirstCallEnded,
    HoldFirst,
    NotOffered,
    OfferExpired,
    Phase,
    RequeueReason,
    ResumeFirst,
    ReturnToQueue,
    WaitingCallEnded,
    WithdrawOffer,
    choose_offer,
    step,
    why_not_offered,
)
from dialer.agents.errors import IllegalTransition
from dialer.agents.machine import transition
from dialer.agents.model import AfterCall, LiveStatus, Reserved

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
CAMPAIGN = 7
INBOUND = 41


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def talking(
    agent_id: int = 1, since: float = 0, attempt: int = 900, **changes: object
) -> LiveStatus:
    status = LiveStatus(
        agent_id=agent_id,
        state=AgentState.ON_CALL,
        since=at(since),
        seq=4,
        campaigns=frozenset({CAMPAIGN}),
        attempt_id=attempt,
        call_campaign_id=CAMPAIGN,
    )
    return replace(status, **changes)  # type: ignore[arg-type]


def candidate(status: LiveStatus, **changes: bool) -> Candidate:
    base = Candidate(status=status, call_waiting=True, offered=False, holding=False)
    return replace(base, **changes)


def offer(**changes: object) -> CallWaiting:
    made = choose_offer([candidate(talking())], CAMPAIGN, INBOUND, "Sales", "+15550100", at(10))
    assert made is not None
    return replace(made, **changes)  # type: ignore[arg-type]


# Who is offered.


def test_an_agent_talking_with_call_waiting_on_is_offered_the_queued_call() -> None:
    made = choose_offer([candidate(talking())], CAMPAIGN, INBOUND, "Sales", "+15550100", at(10))
    assert made == CallWaiting(
        agent_id=1,
        first_attempt_id=900,
        inbound_call_id=INBOUND,
        queue_name="Sales",
        caller="+15550100",
        offered_at=at(10),
        expires_at=at(10) + OFFER_TIMEOUT,
    )


def test_call_waiting_is_off_unless_the_agent_turned_it_on() -> None:
    assert why_not_offered(candidate(talking(), call_waiting=False), CAMPAIGN) is (
        NotOffered.DISABLED
    )


@pytest.mark.parametrize(
    "state", [AgentState.RESERVED, AgentState.WRAP_UP, AgentState.READY, AgentState.PAUSED]
)
def test_only_an_agent_in_conversation_is_offered_a_waiting_call(state: AgentState) -> None:
    assert why_not_offered(candidate(talking(state=state)), CAMPAIGN) is NotOffered.NOT_TALKING


def test_an_agent_not_working_the_queues_campaign_is_not_offered_its_call() -> None:
    assert why_not_offered(candidate(talking()), CAMPAIGN + 1) is NotOffered.OTHER_CAMPAIGN


def test_an_agent_who_asked_to_pause_after_this_call_is_not_offered_another() -> None:
    leaving = talking(after_call=AfterCall(AgentState.PAUSED, "lunch"))
    assert why_not_offered(candidate(leaving), CAMPAIGN) is NotOffered.LEAVING


def test_an_agent_talking_to_an_inbound_caller_is_not_offered_a_second_one_yet() -> None:
    """Inbound calls cannot be put on hold (their processes read no call commands)."""
    assert why_not_offered(candidate(talking(attempt=-5)), CAMPAIGN) is NotOffered.CANNOT_HOLD


def test_an_agent_has_at_most_one_waiting_offer_and_one_held_call() -> None:
    assert why_not_offered(candidate(talking(), offered=True), CAMPAIGN) is (
        NotOffered.ALREADY_OFFERED
    )
    assert why_not_offered(candidate(talking(), holding=True), CAMPAIGN) is (
        NotOffered.ALREADY_HOLDING
    )


def test_of_several_busy_agents_the_one_talking_longest_is_offered_the_call() -> None:
    agents = [
        candidate(talking(agent_id=1, since=30, attempt=901)),
        candidate(talking(agent_id=2, since=5, attempt=902)),
        candidate(talking(agent_id=3, since=1, attempt=903), call_waiting=False),
    ]
    made = choose_offer(agents, CAMPAIGN, INBOUND, "Sales", "+15550100", at(40))
    assert made is not None
    assert (made.agent_id, made.first_attempt_id) == (2, 902)


def test_no_offer_when_no_busy_agent_may_take_one() -> None:
    agents = [
        candidate(talking(), offered=True),
        candidate(talking(agent_id=2), call_waiting=False),
    ]
    assert choose_offer(agents, CAMPAIGN, INBOUND, "Sales", "+15550100", at(10)) is None


def test_an_offered_agent_stays_on_call_so_no_claim_can_take_them() -> None:
    """The offer lives beside the agent's state: the claim (ready agents only) refuses them."""
    with pytest.raises(IllegalTransition):
        transition(talking(), Reserved(attempt_id=-INBOUND, campaign_id=CAMPAIGN, at=at(11)))


# What the offer becomes.


def test_accepting_holds_the_first_call_and_connects_the_waiting_caller() -> None:
    after, effects = step(offer(), Accepted(at(12)))
    assert after is not None and after.phase is Phase.ON_SECOND
    assert effects == (HoldFirst(900), ConnectWaiting(INBOUND))


def test_declining_sends_the_caller_back_to_the_queue() -> None:
    assert step(offer(), Declined(at(12))) == (
        None,
        (ReturnToQueue(INBOUND, RequeueReason.DECLINED),),
    )


def test_an_unanswered_offer_expires_and_the_caller_goes_back_to_the_queue() -> None:
    expires = offer().expires_at
    assert step(offer(), OfferExpired(expires)) == (
        None,
        (ReturnToQueue(INBOUND, RequeueReason.TIMED_OUT),),
    )


def test_an_offer_does_not_expire_early() -> None:
    with pytest.raises(CallWaitingRefused):
        step(offer(), OfferExpired(at(11)))


def test_accepting_too_late_is_refused_and_holds_nothing() -> None:
    with pytest.raises(CallWaitingRefused):
        step(offer(), Accepted(offer().expires_at))


def test_a_caller_who_hangs_up_while_offered_withdraws_the_offer() -> None:
    assert step(offer(), WaitingCallEnded(at(12))) == (None, (WithdrawOffer(INBOUND),))


def test_when_the_first_call_ends_first_the_caller_goes_back_to_the_queue() -> None:
    """The agent goes to wrap-up and is claimed the ordinary way; the caller kept their place."""
    assert step(offer(), FirstCallEnded(at(12))) == (
        None,
        (ReturnToQueue(INBOUND, RequeueReason.FIRST_CALL_ENDED),),
    )


def test_the_held_call_is_resumed_when_the_second_call_ends() -> None:
    second, _ = step(offer(), Accepted(at(12)))
    assert second is not None
    assert step(second, WaitingCallEnded(at(60))) == (None, (ResumeFirst(900),))


def test_nothing_is_resumed_when_the_held_customer_hung_up_meanwhile() -> None:
    second, _ = step(offer(), Accepted(at(12)))
    assert second is not None
    gone, effects = step(second, FirstCallEnded(at(30)))
    assert gone is not None and gone.first_gone and effects == ()
    assert step(gone, WaitingCallEnded(at(60))) == (None, ())


@pytest.mark.parametrize("answer", [Accepted(at(20)), Declined(at(20))])
def test_answering_again_during_the_second_call_is_refused(answer: Accepted | Declined) -> None:
    second, _ = step(offer(), Accepted(at(12)))
    assert second is not None
    with pytest.raises(CallWaitingRefused):
        step(second, answer)
