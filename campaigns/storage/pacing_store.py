"""What the scheduler reads each tick to pace a campaign: calls in flight, history, abandonment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row

from campaigns.amd_false_positives import AmdChecks
from campaigns.attempt import AttemptState
from campaigns.storage.db import Connection


@dataclass(frozen=True)
class OpenCall:
    state: AttemptState
    queued_at: datetime
    dial_at: datetime | None
    answer_at: datetime | None
    message_start_at: datetime | None
    trunk_id: int | None


@dataclass(frozen=True)
class EndedAttempt:
    id: int
    outcome: str
    dial_at: datetime | None
    answer_at: datetime | None
    agent_connect_at: datetime | None
    hangup_at: datetime | None


@dataclass(frozen=True)
class EndedWrapUp:
    id: int
    seconds: float
    # the call it followed: an outbound attempt, or an inbound call's id negated
    attempt_id: int | None = None

    @property
    def after_inbound(self) -> bool:
        return self.attempt_id is not None and self.attempt_id < 0


@dataclass(frozen=True)
class InboundTalk:
    """An inbound call of a campaign's queue, from its agent's answer to its end."""

    campaign_id: int
    seconds: float


@dataclass(frozen=True)
class Abandonment:
    abandoned_today: int
    live_answers_today: int
    abandoned_30_days: int
    live_answers_30_days: int
    live_answers_last_hour: int


_OPEN_CALLS = """
SELECT a.state, a.queued_at, a.dial_at, a.answer_at, a.message_start_at, c.trunk_id
FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.state <> 'ended' AND a.campaign_id = %(campaign_id)s
"""

_ENDED = """
SELECT id, outcome, dial_at, answer_at, agent_connect_at, hangup_at
FROM call_attempts WHERE id = %(id)s AND state = 'ended'
"""

_ENDED_SINCE = """
SELECT id, outcome, dial_at, answer_at, agent_connect_at, hangup_at
FROM call_attempts
WHERE campaign_id = %(campaign_id)s AND state = 'ended' AND queued_at >= %(since)s
ORDER BY id DESC LIMIT %(limit)s
"""

_WRAP_UPS_SINCE = """
SELECT id, extract(epoch FROM ended_at - started_at)::float8 AS seconds, attempt_id
FROM agent_state_history
WHERE state = 'wrap_up' AND ended_at IS NOT NULL AND started_at >= %(since)s
  AND (campaign_id = %(campaign_id)s OR %(campaign_id)s = ANY(campaigns))
ORDER BY id DESC LIMIT %(limit)s
"""

_LAST_WRAP_UP = """
SELECT id, extract(epoch FROM ended_at - started_at)::float8 AS seconds, attempt_id
FROM agent_state_history
WHERE agent_id = %(agent_id)s AND state = 'wrap_up' AND ended_at IS NOT NULL
ORDER BY started_at DESC LIMIT 1
"""

# Talks of inbound calls answered by an agent (the wallboard's handle time, without the wrap-up
# that the agents' history gives).
_INBOUND_TALK = """
SELECT q.campaign_id, extract(epoch FROM i.ended_at - i.answered_at)::float8 AS seconds
FROM inbound_calls i JOIN inbound_queues q ON q.id = i.queue_id
WHERE i.outcome = 'answered' AND i.answered_at IS NOT NULL AND i.ended_at IS NOT NULL
  AND q.campaign_id IS NOT NULL
"""

_INBOUND_TALKS_SINCE = f"""{_INBOUND_TALK}
  AND q.campaign_id = %(campaign_id)s AND i.offered_at >= %(since)s
ORDER BY i.id DESC LIMIT %(limit)s
"""

_ENDED_INBOUND_TALK = f"{_INBOUND_TALK} AND i.id = %(id)s"


@dataclass(frozen=True)
class AmdVerdictCounts:
    """A campaign's AMD verdicts: the dispositioned ones over the rule set's window (for the
    false-positive estimate) and the MACHINE verdicts nobody heard in each abandonment window."""

    machine_checked: int
    machine_was_person: int
    human_checked: int
    human_was_machine: int
    machine_hangups_today: int
    machine_hangups_30_days: int

    @property
    def checks(self) -> AmdChecks:
        return AmdChecks(
            self.machine_checked,
            self.machine_was_person,
            self.human_checked,
            self.human_was_machine,
        )


# A MACHINE verdict passed to an agent ends `connected` and gets a disposition; one hung up, or
# given the voicemail message, ends `machine`. The disposition's `human` flag is the agent's word.
_AMD_VERDICTS = """
SELECT
    count(*) FILTER (WHERE a.amd_result = 'machine' AND d.code IS NOT NULL
                     AND a.queued_at >= %(estimate_since)s),
    count(*) FILTER (WHERE a.amd_result = 'machine' AND d.human
                     AND a.queued_at >= %(estimate_since)s),
    count(*) FILTER (WHERE a.amd_result = 'human' AND d.code IS NOT NULL
                     AND a.queued_at >= %(estimate_since)s),
    count(*) FILTER (WHERE a.amd_result = 'human' AND NOT d.human
                     AND a.queued_at >= %(estimate_since)s),
    count(*) FILTER (WHERE a.amd_result = 'machine' AND a.outcome = 'machine'
                     AND a.queued_at >= %(day_start)s),
    count(*) FILTER (WHERE a.amd_result = 'machine' AND a.outcome = 'machine'
                     AND a.queued_at >= %(thirty_days_ago)s)
FROM call_attempts a
LEFT JOIN dispositions d ON d.campaign_id = a.campaign_id AND d.code = a.disposition
WHERE a.campaign_id = %(campaign_id)s AND a.amd_result IN ('machine', 'human')
  AND a.queued_at >= least(%(estimate_since)s, %(thirty_days_ago)s)
"""

# A person is abandoned the moment the message starts, not when the call ends (the message and
# the hang-up take about 20 s more), and connected the moment an agent is bridged: the live run
# (dialer bench live-pacing) kept dialing predictively through four abandonments because none
# had ended yet. Open attempts count as soon as either is stored.
_ABANDONED = "(outcome = 'abandoned' OR (state = 'answered' AND message_start_at IS NOT NULL))"
# A machine an agent heard (AMD off, a HUMAN verdict on voicemail, a machine passed to agents)
# and dispositioned as nobody there is not a live answer (COMPLIANCE.md); the reports drop it
# the same way (campaigns.storage.reports.scope.AGENT_HEARD_MACHINE). The campaign's codes that
# say so are read once per statement, not joined per attempt.
_AGENT_HEARD_MACHINE = """((outcome = 'connected' OR state = 'connected')
    AND disposition = ANY(ARRAY(SELECT code FROM dispositions
                                WHERE campaign_id = %(campaign_id)s AND NOT human)))"""
_ABANDONMENT = f"""
SELECT
    count(*) FILTER (WHERE {_ABANDONED} AND queued_at >= %(day_start)s),
    count(*) FILTER (WHERE queued_at >= %(day_start)s),
    count(*) FILTER (WHERE {_ABANDONED}),
    count(*),
    count(*) FILTER (WHERE queued_at >= %(hour_ago)s)
FROM call_attempts
WHERE campaign_id = %(campaign_id)s AND queued_at >= %(thirty_days_ago)s
  AND (outcome IN ('connected', 'abandoned') OR state = 'connected' OR {_ABANDONED})
  AND NOT coalesce({_AGENT_HEARD_MACHINE}, false)
"""

# Calls offered to the campaign's inbound queues (a call refused by a full or stopping process
# was never offered: the carrier or the proxy tries it elsewhere).
_INBOUND_OFFERED = """
SELECT count(*) FROM inbound_calls i JOIN inbound_queues q ON q.id = i.queue_id
WHERE q.campaign_id = %(campaign_id)s AND i.offered_at >= %(since)s
  AND i.outcome IS DISTINCT FROM 'rejected'
"""

# Queued for a worker; a preview still waiting for its agent's click (no expiry yet) takes no line.
_QUEUED = (
    "SELECT count(*) FROM call_attempts WHERE state = 'queued'"
    " AND NOT (kind = 'preview' AND expires_at IS NULL)"
)


@dataclass(frozen=True)
class CampaignLoad:
    """Everything a pacing decision counts in PostgreSQL, read in one statement (one round trip
    instead of five: at 10 million contacts the tick's budget is 20 ms, the claim takes half)."""

    abandonment: Abandonment
    # attempts of every campaign queued for a worker: they will take a worker line
    queued_attempts: int
    trunk_max_lines: int
    # open attempts of every campaign on the campaign's trunk
    calls_on_trunk: int
    # inbound calls offered to the campaign's queues since `inbound_since` (the arrival rate)
    inbound_offered: int


_CAMPAIGN_LOAD = f"""
SELECT ab.*,
    ({_QUEUED}),
    (SELECT max_lines FROM trunks WHERE id = %(trunk_id)s),
    (SELECT count(*) FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
     WHERE a.state <> 'ended' AND c.trunk_id = %(trunk_id)s),
    ({_INBOUND_OFFERED})
FROM ({_ABANDONMENT}) ab
"""


def campaign_load(
    conn: Connection,
    campaign_id: int,
    trunk_id: int,
    *,
    day_start: datetime,
    hour_ago: datetime,
    thirty_days_ago: datetime,
    inbound_since: datetime,
) -> CampaignLoad:
    row = conn.execute(
        _CAMPAIGN_LOAD,
        {
            "campaign_id": campaign_id,
            "trunk_id": trunk_id,
            "day_start": day_start,
            "hour_ago": hour_ago,
            "thirty_days_ago": thirty_days_ago,
            "since": inbound_since,
        },
    ).fetchone()
    assert row is not None
    *counts, queued, max_lines, on_trunk, inbound = (int(value or 0) for value in row)
    return CampaignLoad(Abandonment(*counts), queued, max_lines, on_trunk, inbound)


def open_calls(conn: Connection, campaign_id: int) -> list[OpenCall]:
    with conn.cursor(row_factory=class_row(OpenCall)) as cur:
        return cur.execute(_OPEN_CALLS, {"campaign_id": campaign_id}).fetchall()


def ended_attempt(conn: Connection, attempt_id: int) -> EndedAttempt | None:
    with conn.cursor(row_factory=class_row(EndedAttempt)) as cur:
        return cur.execute(_ENDED, {"id": attempt_id}).fetchone()


def ended_attempts_since(
    conn: Connection, campaign_id: int, since: datetime, limit: int = 20_000
) -> list[EndedAttempt]:
    """The campaign's most recent ended attempts (statistics warm-up after a scheduler start)."""
    with conn.cursor(row_factory=class_row(EndedAttempt)) as cur:
        params = {"campaign_id": campaign_id, "since": since, "limit": limit}
        return cur.execute(_ENDED_SINCE, params).fetchall()


def wrap_ups_since(
    conn: Connection, campaign_id: int, since: datetime, limit: int = 20_000
) -> list[EndedWrapUp]:
    with conn.cursor(row_factory=class_row(EndedWrapUp)) as cur:
        params = {"campaign_id": campaign_id, "since": since, "limit": limit}
        return cur.execute(_WRAP_UPS_SINCE, params).fetchall()


def last_wrap_up(conn: Connection, agent_id: int) -> EndedWrapUp | None:
    with conn.cursor(row_factory=class_row(EndedWrapUp)) as cur:
        return cur.execute(_LAST_WRAP_UP, {"agent_id": agent_id}).fetchone()


def inbound_talks_since(
    conn: Connection, campaign_id: int, since: datetime, limit: int = 20_000
) -> list[InboundTalk]:
    """The talks of the campaign's queues' calls offered since then (statistics warm-up)."""
    with conn.cursor(row_factory=class_row(InboundTalk)) as cur:
        params = {"campaign_id": campaign_id, "since": since, "limit": limit}
        return cur.execute(_INBOUND_TALKS_SINCE, params).fetchall()


def ended_inbound_talk(conn: Connection, inbound_call_id: int) -> InboundTalk | None:
    """One ended inbound call's talk; None if no agent answered it or its queue has no campaign."""
    with conn.cursor(row_factory=class_row(InboundTalk)) as cur:
        return cur.execute(_ENDED_INBOUND_TALK, {"id": inbound_call_id}).fetchone()


def abandonment(
    conn: Connection,
    campaign_id: int,
    *,
    day_start: datetime,
    hour_ago: datetime,
    thirty_days_ago: datetime,
) -> Abandonment:
    row = conn.execute(
        _ABANDONMENT,
        {
            "campaign_id": campaign_id,
            "day_start": day_start,
            "hour_ago": hour_ago,
            "thirty_days_ago": thirty_days_ago,
        },
    ).fetchone()
    assert row is not None
    return Abandonment(*(int(value) for value in row))


def amd_verdicts(
    conn: Connection,
    campaign_id: int,
    *,
    estimate_since: datetime,
    day_start: datetime,
    thirty_days_ago: datetime,
) -> AmdVerdictCounts:
    row = conn.execute(
        _AMD_VERDICTS,
        {
            "campaign_id": campaign_id,
            "estimate_since": estimate_since,
            "day_start": day_start,
            "thirty_days_ago": thirty_days_ago,
        },
    ).fetchone()
    assert row is not None
    return AmdVerdictCounts(*(int(value) for value in row))
