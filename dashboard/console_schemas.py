"""The agent console's API answers (live status, disposition result, screen pop) and their JSON
Schemas, side by side as in dashboard.api_schemas; the call-control requests' are in
call_control_schemas, the wallboard's in wallboard_schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from campaigns.agents import Agent, AgentState
from campaigns.calling_window import OutsideWindow
from campaigns.disposition_outcome import CallbackOutsideWindow
from campaigns.dispositions import DispositionAction
from campaigns.storage.screen_pop_query import ScreenPop
from dashboard.schema_parts import NULLABLE_INT, NULLABLE_STRING, NULLABLE_TIME, TIME, object_schema
from dialer.agents.dispositions import DispositionDone
from dialer.agents.model import LiveStatus

_STATES = {"type": "string", "enum": [s.value for s in AgentState]}


def live_status_json(
    agent: Agent,
    status: LiveStatus,
    now: datetime,
    campaign_names: dict[int, str],
    call: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The agent's live state with what a console shows beside it. `server_time` lets a page
    run its timers on the server's clock, whatever the agent's PC clock says."""
    logged_in = status.state is not AgentState.LOGGED_OUT
    after = status.after_call
    return {
        "agent": {
            "id": agent.id,
            "username": agent.username,
            "display_name": agent.display_name,
            "sip_uri": agent.spec.sip_uri,
        },
        "state": status.state.value,
        "since": status.since if logged_in else None,
        "seconds_in_state": round(max(0.0, (now - status.since).total_seconds()), 1)
        if logged_in
        else None,
        "reason": status.reason,
        "campaigns": sorted(status.campaigns),
        "attempt_id": status.attempt_id,
        "inbound_call_id": _inbound_id(status.attempt_id),
        "call_campaign_id": status.call_campaign_id,
        "call": call,
        "wrap_up_until": status.wrap_up_until,
        "after_call": None
        if after is None
        else {"state": after.state.value, "reason": after.reason},
        "allowed_campaigns": [
            {"id": cid, "name": campaign_names.get(cid, f"campaign {cid}")}
            for cid in agent.spec.campaign_ids
        ],
        "server_time": now,
    }


def _inbound_id(reference: int | None) -> int | None:
    """The live state holds an inbound call under its id negated (docs/inbound.md)."""
    return -reference if reference is not None and reference < 0 else None


def disposition_json(done: DispositionDone) -> dict[str, Any]:
    recorded = done.recorded
    change = recorded.contact
    return {
        "attempt_id": recorded.attempt_id,
        # An inbound call's reference is its id negated (the agent's live state).
        "inbound_call_id": -recorded.attempt_id if recorded.attempt_id < 0 else None,
        "campaign_id": recorded.campaign_id,
        "contact_id": recorded.contact_id,
        "code": recorded.disposition.code,
        "action": recorded.disposition.action.value,
        "contact": None
        if change is None
        else {
            "state": change.state.value,
            "next_eligible_at": change.next_eligible_at,
            "callback_agent_id": change.callback_agent_id,
            "moved_from": change.moved_from,
            "block_reason": change.block_reason,
        },
        "added_to_dnc": recorded.added_to_dnc,
        "agent_state": done.agent.state.value,
        "agent_reason": done.agent.reason,
    }


def outside_window_json(error: CallbackOutsideWindow) -> dict[str, Any]:
    """The 400 answer to a callback outside the calling hours: which zones refuse it, their
    local time then, and the earliest time every zone allows (what the console offers)."""
    return {
        "error": "callback_outside_window",
        "message": error.problems[0],
        "problems": error.problems,
        "requested": error.requested,
        "earliest": error.earliest,
        "zones": [_zone(zone) for zone in error.zones],
    }


def _zone(zone: OutsideWindow) -> dict[str, Any]:
    return {
        "zone": zone.zone,
        "local_time": zone.local.isoformat() if zone.local else None,
        "window": zone.window.to_json() if zone.window else None,
        "describe": zone.describe(),
    }


def screen_pop_json(pop: ScreenPop) -> dict[str, Any]:
    return {
        "attempt": pop.attempt,
        "campaign": {
            "id": pop.campaign_id,
            "name": pop.campaign_name,
            "recording": pop.campaign_recording,
        },
        "contact": pop.contact,
        "previous": pop.previous,
        "dispositions": [
            {"code": d.code, "label": d.label, "action": d.action.value, "human": d.human}
            for d in pop.dispositions
        ],
        "inbound": pop.inbound,
    }


_CALL = {
    "anyOf": [
        object_schema(
            {
                "attempt_id": {"type": "integer"},
                "campaign_id": {"type": "integer"},
                "campaign_name": {"type": "string"},
                "called_number": {"type": "string"},
                "contact_name": {"type": "string"},
                "state": {"type": "string"},
                "kind": {"type": "string", "enum": ["auto", "manual", "preview", "inbound"]},
            }
        ),
        {"type": "null"},
    ]
}

_ATTEMPT_SUMMARY = object_schema(
    {
        "id": {"type": "integer"},
        "state": {"type": "string"},
        "outcome": NULLABLE_STRING,
        "called_number": {"type": "string"},
        "agent_id": NULLABLE_INT,
        "agent_name": NULLABLE_STRING,
        "queued_at": TIME,
        "answer_at": NULLABLE_TIME,
        "agent_connect_at": NULLABLE_TIME,
        "hangup_at": NULLABLE_TIME,
        "disposition": NULLABLE_STRING,
        "disposition_label": NULLABLE_STRING,
        "disposition_at": NULLABLE_TIME,
        "notes": NULLABLE_STRING,
        "direction": {"type": "string", "enum": ["outbound", "inbound"]},
    }
)

_INBOUND_CALL = {
    "anyOf": [
        object_schema(
            {
                "id": {"type": "integer"},
                "caller_number": {"type": "string", "description": "E.164 when sent"},
                "did": {"type": "string", "description": "the number called"},
                "queue_id": NULLABLE_INT,
                "queue_name": NULLABLE_STRING,
                "offered_at": TIME,
                "answered_at": NULLABLE_TIME,
                "waited_s": {"type": "number", "description": "in the queue until answered"},
                "known_caller": {"type": "boolean"},
                "transferred_attempt_id": {
                    **NULLABLE_INT,
                    "description": "an outbound attempt whose agent transferred its customer "
                    "to this queue",
                },
            }
        ),
        {"type": "null"},
    ],
    "description": "inbound calls only: the caller, the queue and the wait",
}

CONSOLE_SCHEMAS: dict[str, dict[str, Any]] = {
    "AgentLiveStatus": object_schema(
        {
            "agent": object_schema(
                {
                    "id": {"type": "integer"},
                    "username": {"type": "string"},
                    "display_name": {"type": "string"},
                    "sip_uri": {"type": "string"},
                }
            ),
            "state": _STATES,
            "since": NULLABLE_TIME,
            "seconds_in_state": {"anyOf": [{"type": "number"}, {"type": "null"}]},
            "reason": {**NULLABLE_STRING, "description": "the pause code, when paused"},
            "campaigns": {"type": "array", "items": {"type": "integer"}},
            "attempt_id": {
                **NULLABLE_INT,
                "description": "the call held (reserved to wrap-up); an inbound call's id negated",
            },
            "inbound_call_id": {**NULLABLE_INT, "description": "the inbound call held"},
            "call_campaign_id": NULLABLE_INT,
            "call": _CALL,
            "wrap_up_until": NULLABLE_TIME,
            "after_call": {
                "anyOf": [
                    object_schema({"state": _STATES, "reason": NULLABLE_STRING}),
                    {"type": "null"},
                ],
                "description": "a pause or log-out asked for during a call, applied after it",
            },
            "allowed_campaigns": {
                "type": "array",
                "items": object_schema({"id": {"type": "integer"}, "name": {"type": "string"}}),
            },
            "server_time": TIME,
        }
    ),
    "AgentLoginInput": object_schema(
        {
            "campaign_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "absent: every campaign the agent may work",
            },
            "agent_id": {"type": "integer", "description": "managers: the agent to act for"},
        },
        [],
    ),
    "AgentActionInput": object_schema(
        {"agent_id": {"type": "integer", "description": "managers: the agent to act for"}}, []
    ),
    "AgentPauseInput": object_schema(
        {
            "reason": {"type": "string", "description": "a pause code"},
            "agent_id": {"type": "integer", "description": "managers: the agent to act for"},
        },
        ["reason"],
    ),
    "AttemptDispositionInput": object_schema(
        {
            "code": {"type": "string", "description": "a disposition of the call's campaign"},
            "notes": {"type": "string"},
            "callback_at": {**TIME, "description": "callback dispositions: when (with a zone)"},
            "callback_for_me": {"type": "boolean", "description": "only this agent calls back"},
            "move_callback_into_window": {
                "type": "boolean",
                "description": "outside the calling hours: move to the earliest allowed time",
            },
            "pause_reason": {"type": "string", "description": "pause afterwards, not ready"},
            "agent_id": {"type": "integer", "description": "managers: whose call it was"},
        },
        ["code"],
    ),
    "DispositionResult": object_schema(
        {
            "attempt_id": {"type": "integer", "description": "inbound: the call's id negated"},
            "inbound_call_id": NULLABLE_INT,
            "campaign_id": {"type": "integer"},
            "contact_id": NULLABLE_INT,
            "code": {"type": "string"},
            "action": {"type": "string", "enum": [a.value for a in DispositionAction]},
            "contact": {
                "anyOf": [
                    object_schema(
                        {
                            "state": {"type": "string"},
                            "next_eligible_at": NULLABLE_TIME,
                            "callback_agent_id": NULLABLE_INT,
                            "moved_from": NULLABLE_TIME,
                            "block_reason": NULLABLE_STRING,
                        }
                    ),
                    {"type": "null"},
                ]
            },
            "added_to_dnc": {"type": "boolean"},
            "agent_state": _STATES,
            "agent_reason": NULLABLE_STRING,
        }
    ),
    "CallbackOutsideWindow": object_schema(
        {
            "error": {"type": "string", "const": "callback_outside_window"},
            "message": {"type": "string"},
            "problems": {"type": "array", "items": {"type": "string"}},
            "requested": TIME,
            "earliest": {**NULLABLE_TIME, "description": "null: no allowed time within a week"},
            "zones": {
                "type": "array",
                "items": object_schema(
                    {
                        "zone": {"type": "string"},
                        "local_time": NULLABLE_STRING,
                        "window": {
                            "anyOf": [
                                {"type": "array", "items": {"type": "string"}},
                                {"type": "null"},
                            ]
                        },
                        "describe": {"type": "string"},
                    }
                ),
            },
        }
    ),
    "ScreenPop": object_schema(
        {
            "attempt": _ATTEMPT_SUMMARY,
            "campaign": object_schema(
                {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "recording": {
                        "type": "string",
                        "enum": ["never", "on_demand", "always"],
                        "description": "never: no Record button; always: recorded from the "
                        "agent's answer, cannot be stopped",
                    },
                }
            ),
            "contact": {
                "anyOf": [
                    object_schema(
                        {
                            "id": {"type": "integer"},
                            "phone_e164": {"type": "string"},
                            "phone_type": {"type": "string"},
                            "phone_label": NULLABLE_STRING,
                            "first_name": {"type": "string"},
                            "last_name": {"type": "string"},
                            "postal_code": NULLABLE_STRING,
                            "time_zones": {"type": "array", "items": {"type": "string"}},
                            "custom_fields": {"type": "object"},
                            "state": {"type": "string"},
                            "attempts": {"type": "integer"},
                            "list_name": {"type": "string"},
                        }
                    ),
                    {"type": "null"},
                ],
                "description": "null when the contact was deleted since",
            },
            "previous": {"type": "array", "items": _ATTEMPT_SUMMARY},
            "dispositions": {
                "type": "array",
                "items": object_schema(
                    {
                        "code": {"type": "string"},
                        "label": {"type": "string"},
                        "action": {"type": "string"},
                        "human": {"type": "boolean"},
                    }
                ),
            },
            "inbound": _INBOUND_CALL,
        }
    ),
    "PreviewCard": object_schema(
        {
            "attempt_id": NULLABLE_INT,
            "screen_pop": {"anyOf": [{"$ref": "#/components/schemas/ScreenPop"}, {"type": "null"}]},
        }
    ),
    "PreviewDialed": object_schema({"attempt_id": {"type": "integer"}}),
    "PreviewSkipInput": {
        "type": "object",
        "properties": {
            "reason": {"type": "string", "maxLength": 80},
            "agent_id": {"type": "integer", "description": "managers: the agent"},
        },
    },
    "WrapUpEnded": object_schema({"attempt_id": {"type": "integer"}, "state": _STATES}),
    "EventStream": {
        "type": "string",
        "description": "Server-sent events: `id` (resume with Last-Event-ID), `event` "
        "(agent_state, call_answered, call_connected, call_abandoned, call_ended) and `data` (the "
        "event's JSON object); comment lines keep the connection alive.",
    },
}


def still_open_json(message: str) -> dict[str, Any]:
    return {"error": "attempt_still_open", "message": message, "retry": True, "retry_after_s": 1}
