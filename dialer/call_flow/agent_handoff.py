"""The hand-off of an answered call: an agent claimed, rung (or their forward destination),
bridged when they answer; or, when none can be connected in time, the abandonment message.

Part of the attempt's pure state machine (``machine.transition``), as ``third_party`` is for
transfers and three-way calls.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dialer.call_flow import forwarding
from dialer.call_flow.effects import (
    Bridge,
    CancelTimer,
    ClaimAgent,
    Effect,
    Hangup,
    Notify,
    Originate,
    PlayMessage,
    ReleaseAgent,
    StartTimer,
)
from dialer.call_flow.model import CLAIM_RETRY, AgentRef, AgentRelease, Milestone, Phase, Timer
from dialer.call_flow.state import AttemptState, Step, ending, maybe_finish, offer_headers
from dialer.telephony.events import LegId


def person_on_the_line(
    answered: AttemptState, at: datetime, window_from: datetime, effects: tuple[Effect, ...]
) -> Step:
    """Talk (no hand-off asked for) or find an agent, who must be connected within the window
    counted from ``window_from`` (the answer, or the end of the greeting with AMD)."""
    state = answered
    handoff = state.spec.handoff
    if handoff is None:
        deadline = at + state.spec.max_talk
        talking = replace(answered, phase=Phase.TALKING, hangup_deadline=deadline)
        return talking, (*effects, StartTimer(Timer.MAX_TALK, deadline))
    claim_until, abandon_at = handoff.deadlines(window_from, at)
    seeking = replace(answered, phase=Phase.SEEKING_AGENT, claim_until=claim_until)
    return seeking, (
        *effects,
        StartTimer(Timer.ABANDON, abandon_at),
        ClaimAgent(state.spec.attempt_id, until=claim_until),
    )


def call_agent(state: AttemptState, agent: AgentRef, at: datetime) -> Step:
    tried = (*state.timeline.agents_tried, agent.agent_id)
    leg = state.spec.agent_leg(len(tried))
    request, timers = forwarding.first_offer(state.spec, agent, leg, offer_headers(state.spec), at)
    if agent.forward is not None and request.uri != agent.sip_uri:
        agent = replace(agent, forward=None)  # forwarded at once (always): nothing more to do
    return replace(
        state,
        phase=Phase.AGENT_RINGING,
        agent=agent,
        agent_leg=leg,
        live_legs=state.live_legs | {leg},
        timeline=replace(state.timeline, agents_tried=tried),
    ), (Originate(request), *timers)


def forward(state: AttemptState) -> Step:
    """Offer the call to the agent's forward destination instead (once), the agent's phone
    having ended (busy, rejected, or rung off when it did not answer in time)."""
    agent = state.agent
    assert agent is not None and agent.forward is not None
    leg = state.spec.forward_leg(len(state.timeline.agents_tried))
    request = forwarding.forward_request(state.spec, agent.forward, leg, offer_headers(state.spec))
    return replace(
        state,
        agent=replace(agent, forward=None),
        agent_leg=leg,
        live_legs=state.live_legs | {leg},
    ), (CancelTimer(Timer.FORWARD_NO_ANSWER), Originate(request, may_take_free_leg=True))


def agent_answered(state: AttemptState, at: datetime) -> Step:
    assert state.agent_leg is not None
    deadline = at + state.spec.max_talk
    return replace(
        state,
        phase=Phase.TALKING,
        talked_with=state.agent,
        hangup_deadline=deadline,
        timeline=replace(state.timeline, agent_connected_at=at),
    ), (
        Bridge(state.customer, state.agent_leg),
        CancelTimer(Timer.ABANDON),
        StartTimer(Timer.MAX_TALK, deadline),
        Notify(Milestone.AGENT_CONNECTED, at),
    )


def agent_leg_ended(state: AttemptState, leg: LegId, at: datetime) -> Step:
    remaining = replace(state, live_legs=state.live_legs - {leg})
    if leg != state.agent_leg or state.agent is None:
        return maybe_finish(remaining, at, ())
    cleared = replace(remaining, agent=None, agent_leg=None)
    if state.phase is Phase.AGENT_RINGING:
        # The agent's phone failed or rejected: report it, try another agent while time remains.
        release = ReleaseAgent(state.agent, AgentRelease.NOT_ANSWERING)
        seeking = replace(cleared, phase=Phase.SEEKING_AGENT)
        return seeking, (release, ClaimAgent(state.spec.attempt_id, until=seeking.claim_until))
    release = ReleaseAgent(state.agent, release_reason(state))
    if state.phase is Phase.TALKING:
        return ending(cleared, at, (release, Hangup(state.customer)))
    return maybe_finish(cleared, at, (release,))


def release_reason(state: AttemptState) -> AgentRelease:
    return AgentRelease.TALKED if state.talked_with is not None else AgentRelease.UNUSED


def no_agent_yet(state: AttemptState, at: datetime) -> Step:
    """Nobody is ready now: ask again shortly while an agent claimed then could still be
    connected in time, else play the message at once. Abandoning at the first refusal threw away
    the agents freeing up within the window that pacing counts on: a live run abandoned 4.3 % of
    its answers where the simulation of the same pacing, whose answers wait, abandoned 2.8 %."""
    retry_at = at + CLAIM_RETRY
    if state.claim_until is None or retry_at > state.claim_until:
        return abandon(state, at)
    return state, (StartTimer(Timer.RECLAIM, retry_at),)


def no_slot_for_agent(state: AttemptState, leg: LegId, at: datetime) -> Step:
    """Our process cannot place the agent leg: hand the agent back untouched and abandon."""
    assert state.agent is not None
    release = ReleaseAgent(state.agent, AgentRelease.UNUSED)
    cleared = replace(state, live_legs=state.live_legs - {leg}, agent=None, agent_leg=None)
    abandoned, effects = abandon(cleared, at)
    return abandoned, (release, *effects)


def abandon(state: AttemptState, at: datetime) -> Step:
    effects: list[Effect] = []
    if state.agent is not None and state.agent_leg is not None:
        effects += [Hangup(state.agent_leg), ReleaseAgent(state.agent, AgentRelease.NOT_ANSWERING)]
    assert state.spec.handoff is not None
    effects += [
        CancelTimer(Timer.ABANDON),
        PlayMessage(state.customer, state.spec.handoff.abandon_message),
        Notify(Milestone.ABANDONED, at),
    ]
    return replace(
        state,
        phase=Phase.ABANDONING,
        agent=None,
        timeline=replace(state.timeline, message_started_at=at),
    ), tuple(effects)
