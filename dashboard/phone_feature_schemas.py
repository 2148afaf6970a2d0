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
