"""JSON of the agent phone features kept in the dashboard (speed dial, call forwarding) and their
OpenAPI schemas."""

from __future__ import annotations

from typing import Any

from campaigns.agents import ForwardMode
from campaigns.speed_dial import FIRST_SLOT, LAST_SLOT, MAX_LABEL, Scope, SpeedDialEntry

_SLOT = {"type": "integer", "minimum": FIRST_SLOT, "maximum": LAST_SLOT}


def entry_json(entry: SpeedDialEntry) -> dict[str, Any]:
    return {
        "slot": entry.slot,
        "number": entry.spec.phone_e164,
        "label": entry.spec.label,
        "scope": entry.scope.value,
        "owner_id": entry.owner_id,
    }


PHONE_FEATURE_SCHEMAS: dict[str, dict[str, Any]] = {
    "SpeedDialEntry": {
        "type": "object",
        "properties": {
            "slot": _SLOT,
            "number": {"type": "string", "description": "E.164"},
            "label": {"type": "string"},
            "scope": {"type": "string", "enum": [s.value for s in Scope]},
            "owner_id": {"type": "integer", "description": "the agent's or the campaign's id"},
        },
        "required": ["slot", "number", "label", "scope", "owner_id"],
    },
    "SpeedDialList": {"type": "array", "items": {"$ref": "#/components/schemas/SpeedDialEntry"}},
    "SpeedDialInput": {
        "type": "object",
        "properties": {
            "number": {"type": "string", "description": "any format of the campaign's region"},
            "label": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL},
            "agent_id": {"type": "integer", "description": "managers: the agent"},
        },
        "required": ["number", "label"],
    },
    "AgentCallWaiting": {
        "type": "object",
        "properties": {
            "call_waiting": {"type": "boolean"},
            "offer": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {
                            "inbound_call_id": {"type": "integer"},
                            "queue": {"type": "string"},
                            "caller": {"type": "string"},
                            "phase": {"type": "string", "enum": ["offered", "on_second"]},
                            "expires_at": {"type": "string", "format": "date-time"},
                            "answer": {
                                "anyOf": [
                                    {"type": "string", "enum": ["accept", "decline"]},
                                    {"type": "null"},
                                ]
                            },
                        },
                        "required": ["inbound_call_id", "queue", "caller", "phase"],
                    },
                    {"type": "null"},
                ],
                "description": "the waiting caller offered, or the second call under way",
            },
            "to_dispose": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "inbound_call_id": {"type": "integer"},
                        "caller": {"type": "string"},
                        "queue": {"type": "string"},
                        "ended_at": {"type": "string", "format": "date-time"},
                    },
                    "required": ["inbound_call_id", "caller", "queue", "ended_at"],
                },
                "description": "second calls over (the last 12 hours) without a disposition: "
                "record it with POST /api/v1/inbound-calls/{call_id}/disposition",
            },
        },
        "required": ["call_waiting", "offer", "to_dispose"],
    },
    "AgentCallWaitingSetting": {
        "type": "object",
        "properties": {
            "call_waiting": {"type": "boolean"},
            "agent_id": {"type": "integer", "description": "managers: the agent"},
        },
        "required": ["call_waiting"],
    },
    "AgentCallWaitingDecline": {
        "type": "object",
        "properties": {"agent_id": {"type": "integer", "description": "managers: the agent"}},
    },
    "AgentForwarding": {
        "type": "object",
        "properties": {
            "forward_mode": {"type": "string", "enum": [m.value for m in ForwardMode]},
            "forward_to": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": "a sip: URI (another phone) or an E.164 number",
            },
            "agent_id": {"type": "integer", "description": "managers: the agent"},
        },
        "required": ["forward_mode"],
    },
    "SpeedDialed": {
        "type": "object",
        "properties": {
            "attempt_id": {"type": "integer"},
            "entry": {"$ref": "#/components/schemas/SpeedDialEntry"},
        },
        "required": ["attempt_id", "entry"],
    },
}
