"""The wallboard's API answer and its JSON Schema, side by side as in dashboard.api_schemas."""

from __future__ import annotations

from typing import Any

from campaigns.agents import AgentState
from campaigns.attempt import AttemptState
from campaigns.calling_window import BlockReason
from campaigns.campaign import DialMode
from campaigns.report_metrics import ratio
from dashboard.schema_parts import (
    COUNT,
    NULLABLE_INT,
    NULLABLE_NUMBER,
    NULLABLE_STRING,
    NULLABLE_TIME,
    TIME,
    object_schema,
)
from dialer.wallboard import AbandonLevel, Wallboard

_WORKING_STATES = [s.value for s in AgentState if s is not AgentState.LOGGED_OUT]
_OPEN_STATES = [s.value for s in AttemptState if s is not AttemptState.ENDED]


def _counts(keys: list[str]) -> dict[str, Any]:
    return object_schema(dict.fromkeys(keys, COUNT))


def wallboard_json(board: Wallboard) -> dict[str, Any]:
    campaign, f = board.campaign, board.figures
    spec = campaign.spec
    pacing = board.pacing or {}
    return {
        "campaign": {
            "id": campaign.id,
            "name": campaign.name,
            "state": campaign.state.value,
            "dial_mode": spec.dial_mode.value,
            "rule_set": spec.rules.name.value,
        },
        "server_time": board.at,
        "agents": [
            {
                "id": a.agent_id,
                "username": a.username,
                "display_name": a.display_name,
                "state": a.state.value,
                "since": a.since,
                "seconds_in_state": round(max(0.0, (board.at - a.since).total_seconds()), 1),
                "reason": a.reason,
                "call_campaign_id": a.call_campaign_id,
                "attempt_id": a.attempt_id,
            }
            for a in board.agents
        ],
        "agents_by_state": {s.value: n for s, n in board.agents_by_state().items()},
        "calls": {s.value: n for s, n in board.calls.items()},
        "last_15_minutes": {
            "dials": f.dials_15m,
            "answers": f.answers_15m,
            "answer_rate": ratio(f.answers_15m, f.dials_15m),
        },
        "dial_ratio": {
            # Calls in flight per ready agent, as the scheduler last saw them.
            "current": pacing.get("dial_level"),
            "configured": spec.dial_ratio if spec.dial_mode is DialMode.RATIO else None,
            "decided_at": pacing.get("at"),
            "reason": pacing.get("reason"),
            "calls_in_flight": pacing.get("calls_in_flight"),
            "ready_agents": pacing.get("ready_agents"),
        },
        "abandonment": {
            "target": f.target,
            "cap": f.cap,
            "window_days": f.window_days,
            "today": {
                "live_answers": f.live_today,
                "abandoned": f.abandoned_today,
                "rate": f.rate_today,
                "level": board.level_today.value,
            },
            "window": {
                "live_answers": f.live_window,
                "abandoned": f.abandoned_window,
                "rate": f.rate_window,
                "level": board.level_window.value,
            },
            # Published by the scheduler: AMD's estimated false positives (null without AMD).
            "amd_false_positives": pacing.get("amd_false_positives"),
        },
        "contacts": {
            "total": board.dialability.total,
            "dialable_now": board.dialability.dialable_now,
            "blocked": board.dialability.blocked,
            "counted_at": board.dialability.counted_at,
        },
        "lines": {
            "workers": board.lines.workers,
            "total": board.lines.total,
            "in_use": board.lines.in_use,
        },
        "queues": [
            {
                "id": q.queue_id,
                "name": q.name,
                "waiting": q.waiting,
                "longest_wait_s": q.longest_wait_s,
                "estimated_wait_s": q.estimated_wait_s,
                "handle_s": q.handle_s,
                "handled_last_hour": q.handled,
                "callers": [
                    {
                        "call_id": c.call_id,
                        "position": c.position + 1,
                        "waited_s": c.waited_s,
                        "estimated_wait_s": c.estimated_wait_s,
                    }
                    for c in q.callers
                ],
            }
            for q in board.queues
        ],
    }


_RATE = object_schema(
    {
        "live_answers": COUNT,
        "abandoned": COUNT,
        "rate": NULLABLE_NUMBER,
        "level": {"type": "string", "enum": [level.value for level in AbandonLevel]},
    }
)

_AMD_FALSE_POSITIVES = {
    **object_schema(
        {
            "person_given_machine": {"type": "number"},
            "machine_given_human": {"type": "number"},
            "machine_checked": COUNT,
            "human_checked": COUNT,
            "mostly_prior": {"type": "boolean"},
            "people_hung_up_today": {"type": "number"},
            "people_hung_up_30_days": {"type": "number"},
        }
    ),
    "description": "Share of MACHINE verdicts agents said were people (pacing counts that share "
    "of the machines hung up as abandoned) and of HUMAN verdicts that were machines, from "
    "dispositions over the rule set's window, shrunk towards the bench's prior when few "
    "(docs/amd.md).",
}

WALLBOARD_SCHEMAS: dict[str, dict[str, Any]] = {
    "Wallboard": object_schema(
        {
            "campaign": object_schema(
                {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "state": {"type": "string"},
                    "dial_mode": {"type": "string", "enum": [m.value for m in DialMode]},
                    "rule_set": {"type": "string"},
                }
            ),
            "server_time": TIME,
            "agents": {
                "type": "array",
                "description": "Logged-in agents working the campaign, longest in state first.",
                "items": object_schema(
                    {
                        "id": {"type": "integer"},
                        "username": {"type": "string"},
                        "display_name": {"type": "string"},
                        "state": {"type": "string", "enum": _WORKING_STATES},
                        "since": TIME,
                        "seconds_in_state": {"type": "number"},
                        "reason": NULLABLE_STRING,
                        "call_campaign_id": NULLABLE_INT,
                        "attempt_id": {
                            **NULLABLE_INT,
                            "description": "The call the agent holds (an inbound call's id "
                            "negated): listen, whisper or barge on an outbound one with "
                            "POST /api/v1/attempts/{id}/supervise.",
                        },
                    }
                ),
            },
            "agents_by_state": _counts(_WORKING_STATES),
            "calls": {
                **_counts(_OPEN_STATES),
                "description": "Attempts in progress by state (answered: waiting for an agent "
                "or hearing the abandonment message).",
            },
            "last_15_minutes": object_schema(
                {"dials": COUNT, "answers": COUNT, "answer_rate": NULLABLE_NUMBER}
            ),
            "dial_ratio": {
                **object_schema(
                    {
                        "current": NULLABLE_NUMBER,
                        "configured": NULLABLE_NUMBER,
                        "decided_at": NULLABLE_TIME,
                        "reason": NULLABLE_STRING,
                        "calls_in_flight": NULLABLE_INT,
                        "ready_agents": NULLABLE_INT,
                    }
                ),
                "description": "current: calls in flight per ready agent at the scheduler's "
                "last decision (null when it made none in the last minute); configured: the "
                "ratio of a ratio-mode campaign.",
            },
            "abandonment": object_schema(
                {
                    "target": {"type": "number"},
                    "cap": {"type": "number"},
                    "window_days": {"type": "integer"},
                    "today": _RATE,
                    "window": _RATE,
                    "amd_false_positives": {"anyOf": [_AMD_FALSE_POSITIVES, {"type": "null"}]},
                }
            ),
            "contacts": object_schema(
                {
                    "total": COUNT,
                    "dialable_now": COUNT,
                    "blocked": _counts([r.value for r in BlockReason]),
                    "counted_at": TIME,
                }
            ),
            "lines": object_schema({"workers": COUNT, "total": COUNT, "in_use": COUNT}),
            "queues": {
                "type": "array",
                "description": "The campaign's inbound queues. estimated_wait_s: for a caller "
                "joining now, (callers ahead - ready agents + 1) x handle_s / agents serving "
                "(0 while a ready agent is free; null with no handle time in the last hour or no "
                "agent serving). handle_s: mean talk plus wrap-up of the last hour's answered "
                "calls. callers: the first 20 in line, position 1 being the next served.",
                "items": object_schema(
                    {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "waiting": COUNT,
                        "longest_wait_s": NULLABLE_NUMBER,
                        "estimated_wait_s": NULLABLE_NUMBER,
                        "handle_s": NULLABLE_NUMBER,
                        "handled_last_hour": COUNT,
                        "callers": {
                            "type": "array",
                            "items": object_schema(
                                {
                                    "call_id": {"type": "integer"},
                                    "position": {"type": "integer", "minimum": 1},
                                    "waited_s": {"type": "number"},
                                    "estimated_wait_s": NULLABLE_NUMBER,
                                }
                            ),
                        },
                    }
                ),
            },
        }
    )
}
