"""What the scheduler (or the simulator) observes about a campaign at one instant.

Agents and calls are columnar (one array of seconds-in-state per state) because `decide()` runs
every second and on every agent-free or call-failed event: a few array operations per decision
instead of one Python object per agent keeps it cheap for a floor of hundreds of agents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

Seconds = npt.NDArray[np.float64]


def _seconds(values: Iterable[float]) -> Seconds:
    return np.fromiter(values, dtype=np.float64)


def _no_seconds() -> Seconds:
    return np.zeros(0, dtype=np.float64)


class AgentState(StrEnum):
    READY = "ready"
    # claimed for an answered call that is being connected: busy, and its talk has not started
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class CallPhase(StrEnum):
    RINGING = "ringing"
    # answered by a person, no agent yet: it takes the next free agent or is abandoned
    WAITING_FOR_AGENT = "waiting_for_agent"


@dataclass(frozen=True)
class AgentObservation:
    state: AgentState
    seconds_in_state: float
    # the call held (reserved, on call, wrap-up) is an inbound caller's: it frees up at the pace
    # of the inbound queues' calls, not of the outbound ones
    inbound: bool = False


@dataclass(frozen=True)
class CallObservation:
    phase: CallPhase
    seconds_since_dial: float


@dataclass(frozen=True, eq=False)
class AgentFloor:
    """The campaign's logged-in agents, grouped by state."""

    ready: int = 0
    paused: int = 0
    # seconds since each busy agent's talk started (a reserved agent counts as 0 s into a talk)
    on_call_seconds: Seconds = field(default_factory=_no_seconds)
    wrap_up_seconds: Seconds = field(default_factory=_no_seconds)
    # the same for the agents busy with inbound callers
    inbound_on_call_seconds: Seconds = field(default_factory=_no_seconds)
    inbound_wrap_up_seconds: Seconds = field(default_factory=_no_seconds)

    @classmethod
    def of(cls, agents: Iterable[AgentObservation]) -> AgentFloor:
        listed = list(agents)

        def talking(inbound: bool) -> Seconds:
            return _seconds(
                0.0 if a.state is AgentState.RESERVED else a.seconds_in_state
                for a in listed
                if a.state in (AgentState.ON_CALL, AgentState.RESERVED) and a.inbound is inbound
            )

        def wrapping(inbound: bool) -> Seconds:
            return _seconds(
                a.seconds_in_state
                for a in listed
                if a.state is AgentState.WRAP_UP and a.inbound is inbound
            )

        return cls(
            ready=sum(1 for a in listed if a.state is AgentState.READY),
            paused=sum(1 for a in listed if a.state is AgentState.PAUSED),
            on_call_seconds=talking(inbound=False),
            wrap_up_seconds=wrapping(inbound=False),
            inbound_on_call_seconds=talking(inbound=True),
            inbound_wrap_up_seconds=wrapping(inbound=True),
        )

    @property
    def working(self) -> int:
        """Agents taking calls now or soon: everyone logged in except the paused."""
        return self.ready + self.busy

    @property
    def busy(self) -> int:
        """Agents holding a call, in either direction (reserved, on call, wrap-up)."""
        return (
            len(self.on_call_seconds)
            + len(self.wrap_up_seconds)
            + len(self.inbound_on_call_seconds)
            + len(self.inbound_wrap_up_seconds)
        )


@dataclass(frozen=True, eq=False)
class CallsInFlight:
    """Calls that may still need an agent (known machines and failures are left out)."""

    ringing_seconds: Seconds = field(default_factory=_no_seconds)
    waiting: int = 0

    @classmethod
    def of(cls, calls: Iterable[CallObservation]) -> CallsInFlight:
        listed = list(calls)
        return cls(
            ringing_seconds=_seconds(
                c.seconds_since_dial for c in listed if c.phase is CallPhase.RINGING
            ),
            waiting=sum(1 for c in listed if c.phase is CallPhase.WAITING_FOR_AGENT),
        )

    @property
    def count(self) -> int:
        return len(self.ringing_seconds) + self.waiting


@dataclass(frozen=True)
class InboundDemand:
    """Inbound callers that will take the campaign's agents before any outbound answer does
    (inbound calls come first: an outbound hand-off passes over the agents they will be given).

    Agents busy with inbound calls (reserved, on call, wrap-up) are in the `AgentFloor` like any
    busy agent; this adds the callers who have no agent yet and those expected to call.
    """

    # callers waiting in the campaign's inbound queues now
    waiting: int = 0
    # callers offered to the campaign's queues per second lately: each one arriving before an
    # agent frees up for a new outbound answer takes that agent first
    arrivals_per_second: float = 0.0

    def arrivals_within(self, seconds: Seconds) -> Seconds:
        """Expected arrivals (a Poisson count: its variance is its mean) within each `seconds`."""
        return self.arrivals_per_second * seconds


@dataclass(frozen=True)
class AbandonmentCounts:
    """Abandoned and live-answered calls of the campaign in each window the rules count."""

    abandoned_today: int = 0
    live_answers_today: int = 0
    abandoned_30_days: int = 0
    live_answers_30_days: int = 0
    # live answers the campaign should still get before the day ends, looked at most an hour
    # ahead (the scheduler's estimate from its schedule and the recent answer rate; 0 if unsure).
    # The day's rate is judged when the day ends: an early abandon among few answers is not yet
    # a breach, but only an hour's worth of answers may be borrowed against.
    live_answers_expected: float = 0.0
    # MACHINE verdicts of answering-machine detection that nobody heard (hung up, or given the
    # voicemail message) in each window, and the estimated share of people among them
    # (campaigns.amd_false_positives, from agent dispositions). The rules count those people as
    # abandoned live answers, but the attempts say `machine`: the estimate adds them back. The
    # simulator, which knows whom it hung up on, counts them directly and leaves these at 0.
    amd_machine_hangups_today: int = 0
    amd_machine_hangups_30_days: int = 0
    amd_person_given_machine: float = 0.0

    @property
    def amd_people_hung_up_today(self) -> float:
        return self.amd_machine_hangups_today * self.amd_person_given_machine

    @property
    def amd_people_hung_up_30_days(self) -> float:
        return self.amd_machine_hangups_30_days * self.amd_person_given_machine

    def amd_false_positive_share(self, min_live_answers: int) -> float:
        """Estimated share of the 30 days' people that AMD hung up on; 0 until `min_live_answers`
        (a campaign's first answers say too little to call the cap unreachable)."""
        people = self.amd_people_hung_up_30_days
        live = self.live_answers_30_days + people
        if self.live_answers_30_days < min_live_answers or live <= 0:
            return 0.0
        return people / live
