"""What the API returns, and the JSON Schemas the OpenAPI document declares for it, side by side
so a field added to one is seen missing from the other (the API tests validate real answers)."""

from __future__ import annotations

from typing import Any

from flask import request

from campaigns.agents import Agent, AgentStatus, PauseCode
from campaigns.amd_thresholds import DEFAULT_THRESHOLDS, THRESHOLD_NAMES, SilentAnswer, bounds
from campaigns.dispositions import Disposition, DispositionAction
from campaigns.dnc import DncEntry
from campaigns.errors import ValidationError
from campaigns.storage.attempt_query import AttemptView
from campaigns.storage.contact_query import ContactView
from campaigns.trunk import Trunk
from campaigns.users import User
from dashboard.openapi import page_schema, schema_of
from dashboard.schema_parts import NULLABLE_INT, NULLABLE_STRING, TIME, object_schema


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError(["body: a JSON object (Content-Type: application/json)"])
    return body


def trunk_json(trunk: Trunk) -> dict[str, Any]:
    data: dict[str, Any] = {"id": trunk.id, **trunk.spec.__dict__}
    data["auth_password"] = "***" if trunk.spec.auth_password else None
    return data


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "user_id": agent.user_id,
        "username": agent.username,
        "display_name": agent.display_name,
        "disabled": agent.disabled,
        "sip_uri": agent.spec.sip_uri,
        "forward_mode": agent.spec.forward_mode.value,
        "forward_to": agent.spec.forward_to,
        "call_waiting": agent.spec.call_waiting,
        "campaign_ids": list(agent.spec.campaign_ids),
        "created_at": agent.created_at,
    }


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
    }


_WINDOW = {
    "anyOf": [
        {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
        {"type": "null"},
    ]
}


def amd_thresholds_schema() -> dict[str, Any]:
    """Every threshold with its default and range (campaigns/amd_thresholds.py). A request may
    name only some: the others keep their value."""
    properties: dict[str, Any] = {}
    for name in THRESHOLD_NAMES:
        default = getattr(DEFAULT_THRESHOLDS, name)
        limits = bounds(name)
        if limits is None:
            properties[name] = {
                "type": "string",
                "enum": [s.value for s in SilentAnswer],
                "default": default.value,
                "description": "what a call nobody speaks on is taken for",
            }
            continue
        properties[name] = {
            "type": "integer" if isinstance(default, int) else "number",
            "minimum": limits.low,
            "maximum": limits.high,
            "default": default,
            "description": f"{limits.label} ({limits.unit})" if limits.unit else limits.label,
        }
    return {
        "type": "object",
        "description": "answering-machine detection thresholds; see docs/amd.md",
        "properties": properties,
        "additionalProperties": False,
    }


_CAMPAIGN_SETTINGS: dict[str, Any] = {
    "name": {"type": "string"},
    "caller_id": {"type": "string", "description": "E.164, or national in default_region"},
    "trunk": NULLABLE_STRING,
    "dial_mode": {"type": "string", "enum": ["preview", "progressive", "ratio", "predictive"]},
    "dial_ratio": {"type": "number"},
    "abandon_target": {"type": "number", "description": "a fraction: 0.025 is 2.5 %"},
    "min_agents_predictive": {"type": "integer"},
    "max_lines": NULLABLE_INT,
    "rule_set": {"type": "string", "enum": ["US", "UK", "CA", "custom"]},
    "calling_hours": {
        "type": "object",
        "properties": {"weekday": _WINDOW, "saturday": _WINDOW, "sunday": _WINDOW},
    },
    "ring_timeout_s": {"type": "integer"},
    "max_attempts": {"type": "integer"},
    "retry_policy": {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"delay_s": {"type": "integer"}, "max_attempts": {"type": "integer"}},
        },
    },
    "contact_order": {"type": "array", "items": {"type": "string"}},
    "abandon_message": NULLABLE_STRING,
    "wrapup_limit_s": {"type": "integer"},
    "schedule": {"type": "object"},
    "timezone": {"type": "string"},
    "default_region": {"type": "string"},
    "recording": {"type": "string", "enum": ["never", "on_demand", "always"]},
    "amd": {"type": "string", "enum": ["off", "on"], "description": "answering-machine detection"},
    "amd_on_machine": {"type": "string", "enum": ["hang_up", "leave_message", "to_agent"]},
    "amd_on_not_sure": {"type": "string", "enum": ["to_agent", "hang_up"]},
    "voicemail_message": NULLABLE_STRING,
    "amd_thresholds": amd_thresholds_schema(),
    "amd_machine_sample": {
        "type": "number",
        "minimum": 0,
        "maximum": 0.2,
        "description": "share of MACHINE verdicts connected to an agent anyway, whose "
        "disposition checks the verdict (docs/amd.md); 0: none",
    },
    "recording_retention_days": {"type": "integer", "minimum": 1, "maximum": 3650},
    "preview_timeout_s": {"type": "integer", "minimum": 30, "maximum": 3600},
    "transfer_destinations": {
        "type": "array",
        "items": {"type": "string"},
        "description": "where agents may transfer calls: E.164 numbers, or patterns with X "
        "for one digit and a final * (e.g. +1415555XXXX, +44207*); empty: none",
    },
}
_TRUNK_SETTINGS: dict[str, Any] = {
    "name": {"type": "string"},
    "uri_template": {"type": "string", "description": "sip: URI with {number} once"},
    "outbound_proxy": NULLABLE_STRING,
    "auth_username": NULLABLE_STRING,
    "auth_password": NULLABLE_STRING,
    "auth_realm": NULLABLE_STRING,
    "max_lines": {"type": "integer"},
    "max_cps": {"type": "number"},
}
_AGENT_SETTINGS: dict[str, Any] = {
    "display_name": {"type": "string"},
    "disabled": {"type": "boolean"},
    "sip_uri": {"type": "string"},
    "forward_mode": {"type": "string", "enum": ["off", "always", "busy", "no_answer"]},
    "forward_to": NULLABLE_STRING,
    "call_waiting": {"type": "boolean"},
    "campaign_ids": {"type": "array", "items": {"type": "integer"}},
}


SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": object_schema(
        {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "problems": {"type": "array", "items": {"type": "string"}},
        },
        ["error", "message"],
    ),
    "User": object_schema(
        {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"type": "string", "enum": ["admin", "supervisor", "agent"]},
        },
        ["id", "username", "role"],
    ),
    "Campaign": object_schema(
        {
            "id": {"type": "integer"},
            "state": {"type": "string", "enum": ["stopped", "running", "paused"]},
            **_CAMPAIGN_SETTINGS,
            "created_at": TIME,
            "updated_at": TIME,
        },
        ["id", "state", *_CAMPAIGN_SETTINGS],
    ),
    "CampaignList": {"type": "array", "items": {"$ref": "#/components/schemas/Campaign"}},
    "CampaignInput": {
        **object_schema(_CAMPAIGN_SETTINGS, []),
        "description": "Create: name and caller_id required, the rule set's defaults for the "
        "rest. PATCH: only the settings given change.",
    },
    "CampaignStateInput": object_schema(
        {"state": {"type": "string", "enum": ["running", "paused", "stopped"]}}, ["state"]
    ),
    "Trunk": object_schema(
        {"id": {"type": "integer"}, **_TRUNK_SETTINGS}, ["id", *_TRUNK_SETTINGS]
    ),
    "TrunkList": {"type": "array", "items": {"$ref": "#/components/schemas/Trunk"}},
    "TrunkInput": object_schema(_TRUNK_SETTINGS, []),
    "DncEntry": schema_of(DncEntry),
    "DncPage": page_schema("DncEntry"),
    "DncInput": object_schema(
        {
            "phone": {"type": "string"},
            "campaign_id": {**NULLABLE_INT, "description": "null or absent: the global list"},
            "source": {"type": "string"},
        },
        ["phone"],
    ),
    "Agent": object_schema(
        {
            "id": {"type": "integer"},
            "user_id": {"type": "integer"},
            "username": {"type": "string"},
            **_AGENT_SETTINGS,
            "created_at": TIME,
        },
        ["id", "user_id", "username", *_AGENT_SETTINGS],
    ),
    "AgentList": {"type": "array", "items": {"$ref": "#/components/schemas/Agent"}},
    "AgentInput": object_schema(
        {"username": {"type": "string"}, "password": {"type": "string"}, **_AGENT_SETTINGS},
        [],
    ),
    "AgentStatus": schema_of(AgentStatus),
    "AgentStatusList": {"type": "array", "items": {"$ref": "#/components/schemas/AgentStatus"}},
    "Disposition": schema_of(Disposition),
    "DispositionList": {"type": "array", "items": {"$ref": "#/components/schemas/Disposition"}},
    "DispositionInput": object_schema(
        {
            "code": {"type": "string", "pattern": "^[a-z0-9_]{1,32}$"},
            "label": {"type": "string"},
            "action": {"type": "string", "enum": [a.value for a in DispositionAction]},
            "human": {"type": "boolean"},
            "position": {"type": "integer"},
        },
        [],
    ),
    "PauseCode": schema_of(PauseCode),
    "PauseCodeList": {"type": "array", "items": {"$ref": "#/components/schemas/PauseCode"}},
    "Contact": schema_of(ContactView),
    "ContactPage": page_schema("Contact"),
    "Attempt": schema_of(AttemptView),
    "AttemptPage": page_schema("Attempt"),
}
