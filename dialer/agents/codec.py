"""How the agents' live state is laid out in Redis, and each agent's hash to and from a status.

Every key starts with one hash tag, `{agents}`, so that all of them live in one slot: the claim
script touches an agent's hash and every ready queue that agent is in, which a Redis Cluster only
allows within one slot.

- `agent:<id>` hash: the agent's LiveStatus and profile (username, display name, SIP URI)
- `campaign:<id>:ready` sorted set: ready agents working the campaign, scored by idle-since
- `campaign:<id>:agents` set: logged-in agents working the campaign (the pacing's read)
- `campaign:<id>:inbound_waiting` sorted set: inbound calls waiting in the campaign's queues,
  scored by the Unix second their waiting process last said it was alive plus a few seconds
  (dialer.inbound.waiting_line writes it; the claim and the pacing count it)
- `campaign:<id>:answers_waiting` sorted set: outbound answers waiting for an agent, scored by
  the last moment each may claim one (the claim serves them earliest deadline first)
- `logged_in` set: every logged-in agent
- `wrap_up` sorted set: agents in wrap-up, scored by the end of their wrap-up limit
- `built` string: present once the live state was built from PostgreSQL (see rebuild)
- `history_backlog` list: history rows PostgreSQL refused for the moment, written later

Times are integer microseconds since the Unix epoch: exact in Redis scores and in Lua numbers
(both doubles, exact to 2**53 us, the year 2255).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campaigns.agent_history import StateChange
from campaigns.agents import AgentState
from dialer.agents.model import NEVER, AfterCall, LiveStatus

PREFIX = "dialer:{agents}:"
LOGGED_IN = f"{PREFIX}logged_in"
WRAP_UP = f"{PREFIX}wrap_up"
BUILT = f"{PREFIX}built"
REBUILD_LOCK = f"{PREFIX}rebuild_lock"
HISTORY_BACKLOG = f"{PREFIX}history_backlog"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def agent_key(agent_id: int) -> str:
    return f"{PREFIX}agent:{agent_id}"


def ready_key(campaign_id: int) -> str:
    return f"{PREFIX}campaign:{campaign_id}:ready"


def campaign_agents_key(campaign_id: int) -> str:
    return f"{PREFIX}campaign:{campaign_id}:agents"


def inbound_waiting_key(campaign_id: int) -> str:
    return f"{PREFIX}campaign:{campaign_id}:inbound_waiting"


def answers_waiting_key(campaign_id: int) -> str:
    return f"{PREFIX}campaign:{campaign_id}:answers_waiting"


def micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int | str) -> datetime:
    return _EPOCH + timedelta(microseconds=int(value))


@dataclass(frozen=True)
class AgentProfile:
    """What a worker needs to ring the agent and what pages show; copied from PostgreSQL."""

    agent_id: int
    username: str
    display_name: str
    sip_uri: str

    def fields(self) -> dict[str, str]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "sip_uri": self.sip_uri,
        }


def encode(status: LiveStatus) -> dict[str, str]:
    """Every status field, empty strings for None, so one HSET replaces the whole status."""
    after = status.after_call
    return {
        "state": status.state.value,
        "since": str(micros(status.since)),
        "seq": str(status.seq),
        "campaigns": ",".join(str(c) for c in sorted(status.campaigns)),
        "reason": status.reason or "",
        "attempt": _text(status.attempt_id),
        "call_campaign": _text(status.call_campaign_id),
        "idle_since": "" if status.idle_since is None else str(micros(status.idle_since)),
        "wrap_up_until": "" if status.wrap_up_until is None else str(micros(status.wrap_up_until)),
        "after_state": after.state.value if after else "",
        "after_reason": (after.reason or "") if after else "",
    }


def decode(agent_id: int, fields: Mapping[str, str]) -> LiveStatus:
    """The status in an agent's hash; a missing hash is an agent never logged in."""
    if not fields.get("state"):
        return LiveStatus(agent_id, seq=int(fields.get("seq") or 0))
    after_state = fields.get("after_state")
    return LiveStatus(
        agent_id=agent_id,
        state=AgentState(fields["state"]),
        since=from_micros(fields["since"]) if fields.get("since") else NEVER,
        seq=int(fields.get("seq") or 0),
        campaigns=parse_ids(fields.get("campaigns", "")),
        reason=fields.get("reason") or None,
        attempt_id=_int(fields.get("attempt")),
        call_campaign_id=_int(fields.get("call_campaign")),
        idle_since=_time(fields.get("idle_since")),
        wrap_up_until=_time(fields.get("wrap_up_until")),
        after_call=(
            AfterCall(AgentState(after_state), fields.get("after_reason") or None)
            if after_state
            else None
        ),
    )


def decode_profile(agent_id: int, fields: Mapping[str, str]) -> AgentProfile:
    return AgentProfile(
        agent_id=agent_id,
        username=fields.get("username", ""),
        display_name=fields.get("display_name", ""),
        sip_uri=fields.get("sip_uri", ""),
    )


def change_to_json(change: StateChange) -> str:
    """A history row waiting in the backlog."""
    return json.dumps(
        {
            "agent_id": change.agent_id,
            "seq": change.seq,
            "state": change.state.value,
            "at": change.at.isoformat(),
            "campaigns": sorted(change.campaigns),
            "reason": change.reason,
            "attempt_id": change.attempt_id,
            "call_campaign_id": change.call_campaign_id,
        }
    )


def change_from_json(text: str) -> StateChange:
    data = json.loads(text)
    return StateChange(
        agent_id=int(data["agent_id"]),
        seq=int(data["seq"]),
        state=AgentState(data["state"]),
        at=datetime.fromisoformat(data["at"]),
        campaigns=frozenset(int(c) for c in data["campaigns"]),
        reason=data["reason"],
        attempt_id=data["attempt_id"],
        call_campaign_id=data["call_campaign_id"],
    )


def parse_ids(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part)


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def _time(text: str | None) -> datetime | None:
    return from_micros(text) if text else None
