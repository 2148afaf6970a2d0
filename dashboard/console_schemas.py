"""The agent console's API answers (live status, disposition result, screen pop) and their JSON
Schemas, side by side as in dashboard.api_schemas; the wallboard's are in wallboard_schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from campaigns.agents import Agent, AgentState
from campaigns.calling_window import OutsideWindow
from campaigns.disposition_outcome import CallbackOutsideWindow
from campaigns.dispositions import DispositionAction
from campaigns.storage.screen_pop_query import ScreenPop
from dialer.agents.dispositions import DispositionDone
from dialer.agents.model import LiveStatus

_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"anyOf": [_TIME, {"type": "null"}]}
_NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
_STATES = {"type": "string", "enum": [s.value for s in AgentState]}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


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
        _object(
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

_ATTEMPT_SUMMARY = _object(
    {
        "id": {"type": "integer"},
        "state": {"type": "string"},
        "outcome": _NULLABLE_STRING,
        "called_number": {"type": "string"},
        "agent_id": _NULLABLE_INT,
        "agent_name": _NULLABLE_STRING,
        "queued_at": _TIME,
        "answer_at": _NULLABLE_TIME,
        "agent_connect_at": _NULLABLE_TIME,
        "hangup_at": _NULLABLE_TIME,
        "disposition": _NULLABLE_STRING,
        "disposition_label": _NULLABLE_STRING,
        "disposition_at": _NULLABLE_TIME,
        "notes": _NULLABLE_STRING,
        "direction": {"type": "string", "enum": ["outbound", "inbound"]},
    }
)

_INBOUND_CALL = {
    "anyOf": [
        _object(
            {
                "id": {"type": "integer"},
                "caller_number": {"type": "string", "description": "E.164 when sent"},
                "did": {"type": "string", "description": "the number called"},
                "queue_id": _NULLABLE_INT,
                "queue_name": _NULLABLE_STRING,
                "offered_at": _TIME,
                "answered_at": _NULLABLE_TIME,
                "waited_s": {"type": "number", "description": "in the queue until answered"},
                "known_caller": {"type": "boolean"},
                "transferred_attempt_id": {
                    **_NULLABLE_INT,
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
    "AgentLiveStatus": _object(
        {
            "agent": _object(
                {
                    "id": {"type": "integer"},
                    "username": {"type": "string"},
                    "display_name": {"type": "string"},
                    "sip_uri": {"type": "string"},
                }
            ),
            "state": _STATES,
            "since": _NULLABLE_TIME,
            "seconds_in_state": {"anyOf": [{"type": "number"}, {"type": "null"}]},
            "reason": {**_NULLABLE_STRING, "description": "the pause code, when paused"},
            "campaigns": {"type": "array", "items": {"type": "integer"}},
            "attempt_id": {
                **_NULLABLE_INT,
                "description": "the call held (reserved to wrap-up); an inbound call's id negated",
            },
            "inbound_call_id": {**_NULLABLE_INT, "description": "the inbound call held"},
            "call_campaign_id": _NULLABLE_INT,
            "call": _CALL,
            "wrap_up_until": _NULLABLE_TIME,
            "after_call": {
                "anyOf": [
                    _object({"state": _STATES, "reason": _NULLABLE_STRING}),
                    {"type": "null"},
                ],
                "description": "a pause or log-out asked for during a call, applied after it",
            },
            "allowed_campaigns": {
                "type": "array",
                "items": _object({"id": {"type": "integer"}, "name": {"type": "string"}}),
            },
            "server_time": _TIME,
        }
    ),
    "AgentLoginInput": _object(
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
    "AgentActionInput": _object(
        {"agent_id": {"type": "integer", "description": "managers: the agent to act for"}}, []
    ),
    "AgentPauseInput": _object(
        {
            "reason": {"type": "string", "description": "a pause code"},
            "agent_id": {"type": "integer", "description": "managers: the agent to act for"},
        },
        ["reason"],
    ),
    "AttemptDispositionInput": _object(
        {
            "code": {"type": "string", "description": "a disposition of the call's campaign"},
            "notes": {"type": "string"},
            "callback_at": {**_TIME, "description": "callback dispositions: when (with a zone)"},
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
    "DispositionResult": _object(
        {
            "attempt_id": {"type": "integer", "description": "inbound: the call's id negated"},
            "inbound_call_id": _NULLABLE_INT,
            "campaign_id": {"type": "integer"},
            "contact_id": _NULLABLE_INT,
            "code": {"type": "string"},
            "action": {"type": "string", "enum": [a.value for a in DispositionAction]},
            "contact": {
                "anyOf": [
                    _object(
                        {
                            "state": {"type": "string"},
                            "next_eligible_at": _NULLABLE_TIME,
                            "callback_agent_id": _NULLABLE_INT,
                            "moved_from": _NULLABLE_TIME,
                            "block_reason": _NULLABLE_STRING,
                        }
                    ),
                    {"type": "null"},
                ]
            },
            "added_to_dnc": {"type": "boolean"},
            "agent_state": _STATES,
            "agent_reason": _NULLABLE_STRING,
        }
    ),
    "CallbackOutsideWindow": _object(
        {
            "error": {"type": "string", "const": "callback_outside_window"},
            "message": {"type": "string"},
            "problems": {"type": "array", "items": {"type": "string"}},
            "requested": _TIME,
            "earliest": {**_NULLABLE_TIME, "description": "null: no allowed time within a week"},
            "zones": {
                "type": "array",
                "items": _object(
                    {
                        "zone": {"type": "string"},
                        "local_time": _NULLABLE_STRING,
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
    "ScreenPop": _object(
        {
            "attempt": _ATTEMPT_SUMMARY,
            "campaign": _object(
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
                    _object(
                        {
                            "id": {"type": "integer"},
                            "phone_e164": {"type": "string"},
                            "phone_type": {"type": "string"},
                            "phone_label": _NULLABLE_STRING,
                            "first_name": {"type": "string"},
                            "last_name": {"type": "string"},
                            "postal_code": _NULLABLE_STRING,
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
                "items": _object(
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
    "PreviewCard": _object(
        {
            "attempt_id": _NULLABLE_INT,
            "screen_pop": {"anyOf": [{"$ref": "#/components/schemas/ScreenPop"}, {"type": "null"}]},
        }
    ),
    "PreviewDialed": _object({"attempt_id": {"type": "integer"}}),
    "PreviewSkipInput": {
        "type": "object",
        "properties": {
            "reason": {"type": "string", "maxLength": 80},
            "agent_id": {"type": "integer", "description": "managers: the agent"},
        },
    },
    "HangupRequested": _object(
        {"attempt_id": {"type": "integer"}, "command": {"type": "string", "const": "hangup"}}
    ),
    "CallActionInput": {
        "type": "object",
        "required": ["action"],
        "properties": {
            "action": {
                "type": "string",
                "enum": [
                    "hold",
                    "resume",
                    "mute",
                    "unmute",
                    "dtmf",
                    "record_start",
                    "record_stop",
                    "transfer",
                    "consult",
                    "transfer_complete",
                    "transfer_cancel",
                    "conference",
                    "conference_leave",
                    "conference_drop",
                    "conference_merge",
                    "transfer_agent",
                    "consult_agent",
                    "transfer_queue",
                    "conference_agent",
                ],
            },
            "queue_id": {
                "type": "integer",
                "minimum": 1,
                "description": "transfer_queue: the inbound queue to pass the customer to; one "
                "of the call's campaign's queues with a number (GET "
                "/api/v1/attempts/{attempt_id}/transfer-queues lists them)",
            },
            "to_agent_id": {
                "type": "integer",
                "minimum": 1,
                "description": "transfer_agent, consult_agent and conference_agent: the agent to "
                "pass the customer to (or to add to the call); ready and logged in to the call's "
                "campaign (GET /api/v1/attempts/{attempt_id}/transfer-agents lists them)",
            },
            "destination": {
                "type": "string",
                "pattern": "^\\+[1-9][0-9]{6,14}$",
                "description": "transfer, consult and conference: the E.164 number to pass the "
                "customer to (or to add to the call); it must be on the campaign's "
                "transfer_destinations",
            },
            "digits": {
                "type": "string",
                "pattern": "^[0-9*#A-D]{1,32}$",
                "description": "dtmf only: the digits to send to the customer",
            },
        },
    },
    "SuperviseInput": {
        "type": "object",
        "required": ["mode"],
        "properties": {
            "mode": {
                "type": "string",
                "enum": ["listen", "whisper", "barge", "leave"],
                "description": "listen: you hear the customer and the agent; whisper: the "
                "agent hears you too, the customer does not; barge: everyone hears everyone; "
                "leave: your phone is hung up, the call goes on.",
            }
        },
        "additionalProperties": False,
    },
    "SuperviseRequested": _object(
        {
            "attempt_id": {"type": "integer"},
            "command": {"type": "string"},
            "phone": {"type": "string", "description": "The softphone the worker rings."},
        }
    ),
    "WrapUpEnded": _object({"attempt_id": {"type": "integer"}, "state": _STATES}),
    "TransferAgents": _object(
        {
            "agents": {
                "type": "array",
                "items": _object(
                    {"agent_id": {"type": "integer"}, "display_name": {"type": "string"}}
                ),
            }
        }
    ),
    "TransferQueues": _object(
        {
            "queues": {
                "type": "array",
                "items": _object(
                    {
                        "queue_id": {"type": "integer"},
                        "name": {"type": "string"},
                        "did": {"type": "string", "description": "the number the leg calls"},
                    }
                ),
            }
        }
    ),
    "CallActionRequested": _object(
        {"attempt_id": {"type": "integer"}, "command": {"type": "string"}}
    ),
    "RecordingAudio": {
        "type": "string",
        "format": "binary",
        "description": "The call's conference mix: 8 kHz 16-bit mono PCM WAV.",
    },
    "EventStream": {
        "type": "string",
        "description": "Server-sent events: `id` (resume with Last-Event-ID), `event` "
        "(agent_state, call_answered, call_connected, call_abandoned, call_ended) and `data` (the "
        "event's JSON object); comment lines keep the connection alive.",
    },
}


def still_open_json(message: str) -> dict[str, Any]:
    return {"error": "attempt_still_open", "message": message, "retry": True, "retry_after_s": 1}
