"""A call attempt's states and outcomes: the vocabulary shared by storage, workers and reports."""

from __future__ import annotations

from enum import StrEnum


class AttemptState(StrEnum):
    QUEUED = "queued"
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED = "answered"
    CONNECTED = "connected"
    ENDED = "ended"


class Outcome(StrEnum):
    CONNECTED = "connected"  # answered by a person and bridged to an agent
    ABANDONED = "abandoned"  # answered by a person, no agent within the rule set's wait
    ANSWERED = "answered"  # answered, no agent hand-off asked for (e.g. a load test)
    MACHINE = "machine"  # answered by an answering machine
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    REJECTED = "rejected"
    INVALID_NUMBER = "invalid_number"
    FAILED = "failed"  # congestion, 5xx, timeouts, transport errors
    WORKER_LOST = "worker_lost"  # the worker died mid-attempt; closed by the reaper
    EXPIRED = "expired"  # queued but never dialed before its expiry
    CANCELLED = "cancelled"  # stopped by us before an answer (shutdown, campaign stopped)


# Outcomes after which the number must not be tried again by automatic dialing.
FINAL_OUTCOMES = frozenset({Outcome.INVALID_NUMBER})

# Outcomes that never placed a call: they do not use up one of the contact's attempts.
NOT_DIALED_OUTCOMES = frozenset({Outcome.EXPIRED})

# Live answers: the denominator of the abandonment rate (COMPLIANCE.md).
LIVE_ANSWER_OUTCOMES = frozenset({Outcome.CONNECTED, Outcome.ABANDONED})


class RetryableOutcome(StrEnum):
    """Outcomes a campaign's retry policy has an entry for."""

    BUSY = "busy"
    NO_ANSWER = "no_answer"
    MACHINE = "machine"
    ABANDONED = "abandoned"
    REJECTED = "rejected"
    FAILED = "failed"
