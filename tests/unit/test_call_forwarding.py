"""Call forwarding for agents: where a call offered to an agent goes, against the fake
telephony on its virtual clock, and which destinations a campaign allows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.agents import AgentSpec, ForwardMode, validate_agent
from campaigns.call_forwarding import (
    FORWARD_NO_ANSWER,
    ForwardTarget,
    forward_target,
    inbound_forward_target,
    setting_problem,
)
from campaigns.errors import ValidationError
from dialer.call_flow import AgentRef, AgentRelease, AttemptResult, forwarding, run_attempt
from dialer.telephony import E164, Outcome
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring, Step

from .call_flow_support import CUSTOMER_URI, TRUNK, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

DESK = "sip:desk@127.0.0.1:15090"
MOBILE = "+447700900123"
MOBILE_URI = TRUNK.request_uri(E164(MOBILE))
ALICE_URI = "sip:alice@127.0.0.1:15070"
CUSTOMER_ANSWERS = (Ring(0.1), Answer(2.0), RemoteHangup(60.0))


def alice(mode: ForwardMode, to: str = DESK) -> AgentRef:
    target = (
        ForwardTarget(mode, uri=to) if to.startswith("sip:") else ForwardTarget(mode, number=to)
    )
    return AgentRef("alice", ALICE_URI, target)


def _call(
    agent: AgentRef, script: dict[str, tuple[Step, ...]]
) -> tuple[FakeTelephony, tuple[AttemptResult, Claimer]]:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS, **script})
    claimer = Claimer([agent])
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    return fake, (result, claimer)


def test_forwarding_always_rings_the_destination_and_never_the_agents_phone() -> None:
    fake, (result, claimer) = _call(alice(ForwardMode.ALWAYS), {DESK: (Answer(0.2),)})
    assert result.outcome is Outcome.ANSWERED
    assert [r.uri for r in fake.originated][1:] == [DESK]
    assert fake.bridges == [("a1:customer", "a1:agent1")]
    assert claimer.released == [("alice", AgentRelease.TALKED)]


def test_a_phone_that_does_not_answer_forwards_after_the_delay_within_the_window() -> None:
    fake, (result, _) = _call(
        alice(ForwardMode.NO_ANSWER), {ALICE_URI: (Ring(0.05),), DESK: (Answer(0.2),)}
    )
    assert result.outcome is Outcome.ANSWERED
    assert [r.uri for r in fake.originated][1:] == [ALICE_URI, DESK]
    assert "a1:agent1" in fake.hangups  # the agent's phone stops ringing
    assert fake.bridges == [("a1:customer", "a1:forward1")]
    timeline = result.timeline
    connected = timeline.agent_connected_at - timeline.answered_at
    assert connected == FORWARD_NO_ANSWER + timedelta(seconds=0.2)
    assert connected < timedelta(seconds=2)


def test_a_phone_that_answers_in_time_is_not_forwarded() -> None:
    fake, _ = _call(alice(ForwardMode.NO_ANSWER), {ALICE_URI: (Answer(0.3),)})
    assert fake.bridges == [("a1:customer", "a1:agent1")]
    assert [r.uri for r in fake.originated][1:] == [ALICE_URI]


def test_forwarding_when_busy_forwards_a_busy_phone_only() -> None:
    fake, _ = _call(alice(ForwardMode.BUSY, MOBILE), {ALICE_URI: (Reject(0.1, 486),)})
    assert [r.uri for r in fake.originated][1:] == [ALICE_URI, MOBILE_URI]
    forwarded = fake.originated[2]
    # Through the trunk: no screen pop for the carrier, the forward marked instead.
    assert [h.name for h in forwarded.headers if h.name.startswith("X-")] == ["X-Dialer-Forward"]
    fake, (_, claimer) = _call(alice(ForwardMode.BUSY), {ALICE_URI: (Reject(0.1, 480),)})
    assert [r.uri for r in fake.originated][1:] == [ALICE_URI]
    assert claimer.released == [("alice", AgentRelease.NOT_ANSWERING)]


def test_a_number_is_forwarded_to_only_when_the_campaigns_allow_list_has_it() -> None:
    assert forward_target(ForwardMode.ALWAYS, MOBILE, ("+4477009*",)) == (
        ForwardTarget(ForwardMode.ALWAYS, number=MOBILE),
        None,
    )
    target, why = forward_target(ForwardMode.ALWAYS, MOBILE, ("+1415555XXXX",))
    assert target is None and why is not None
    assert "not on this campaign's list of transfer destinations" in why
    assert forward_target(ForwardMode.ALWAYS, MOBILE, ())[1] == (
        "forwarding refused: this campaign allows no transfers to external numbers"
    )
    assert forward_target(ForwardMode.BUSY, DESK, ()) == (
        ForwardTarget(ForwardMode.BUSY, uri=DESK),
        None,
    )
    assert forward_target(ForwardMode.OFF, MOBILE, ("+4477009*",)) == (None, None)


def test_an_agent_forwards_to_a_sip_uri_or_an_e164_number_only() -> None:
    base = AgentSpec(sip_uri=ALICE_URI, forward_mode=ForwardMode.ALWAYS)
    assert validate_agent(AgentSpec(ALICE_URI, ForwardMode.ALWAYS, MOBILE)).forward_to == MOBILE
    assert validate_agent(AgentSpec(ALICE_URI, ForwardMode.BUSY, DESK)).forward_to == DESK
    for bad in (None, "07700 900123", "tel:+447700900123"):
        with pytest.raises(ValidationError):
            validate_agent(AgentSpec(base.sip_uri, base.forward_mode, bad))


def test_forwarding_to_a_number_no_campaign_of_the_agent_allows_is_refused_when_set() -> None:
    lists = {"Spring": ("+1415555XXXX",), "Autumn": ()}
    problem = setting_problem(ForwardMode.ALWAYS, MOBILE, lists)
    assert problem is not None and "(Autumn, Spring)" in problem
    assert setting_problem(ForwardMode.ALWAYS, MOBILE, {**lists, "UK": ("+447700900*",)}) is None
    assert setting_problem(ForwardMode.BUSY, DESK, {}) is None


def test_an_inbound_queue_call_forwards_to_a_number_on_its_campaigns_list_through_its_trunk() -> (
    None
):
    allowed = ("+447700900*",)
    assert inbound_forward_target(ForwardMode.NO_ANSWER, DESK, (), False) == (
        ForwardTarget(ForwardMode.NO_ANSWER, uri=DESK),
        None,
    )
    assert inbound_forward_target(ForwardMode.ALWAYS, MOBILE, allowed, True) == (
        ForwardTarget(ForwardMode.ALWAYS, number=MOBILE),
        None,
    )
    # Off the queue's campaign's list: the outbound rule and its reason.
    assert inbound_forward_target(ForwardMode.ALWAYS, MOBILE, ("+1415555XXXX",), True) == (
        forward_target(ForwardMode.ALWAYS, MOBILE, ("+1415555XXXX",))
    )
    target, why = inbound_forward_target(ForwardMode.ALWAYS, MOBILE, allowed, False)
    assert target is None and why is not None and "the queue's campaign has no trunk" in why
    assert inbound_forward_target(ForwardMode.OFF, MOBILE, allowed, True) == (None, None)
    assert inbound_forward_target(ForwardMode.BUSY, None, allowed, False) == (None, None)


def test_the_rules_an_inbound_offer_shares_with_the_call_flow() -> None:
    always = ForwardTarget(ForwardMode.ALWAYS, uri=DESK)
    busy = ForwardTarget(ForwardMode.BUSY, uri=DESK)
    no_answer = ForwardTarget(ForwardMode.NO_ANSWER, uri=DESK)
    assert forwarding.forwards_at_once(always) and not forwarding.forwards_at_once(no_answer)
    assert not forwarding.forwards_at_once(None)
    assert forwarding.no_answer_delay(no_answer) == FORWARD_NO_ANSWER
    assert forwarding.no_answer_delay(busy) is None and forwarding.no_answer_delay(None) is None
    assert forwarding.forwards_on_end(busy, 486) and forwarding.forwards_on_end(busy, 600)
    assert not forwarding.forwards_on_end(busy, 480) and not forwarding.forwards_on_end(None, 486)
    assert forwarding.forwards_on_end(no_answer, 487) and forwarding.forwards_on_end(no_answer, 603)
