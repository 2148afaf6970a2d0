"""JSON Schemas of the call-control API: hang-up, hold, mute, DTMF, recording, transfers and
conferences (`CallActionInput`), supervision, and what each request answers."""

from __future__ import annotations

from typing import Any

from dashboard.schema_parts import object_schema

CALL_CONTROL_SCHEMAS: dict[str, dict[str, Any]] = {
    "HangupRequested": object_schema(
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
    "SuperviseRequested": object_schema(
        {
            "attempt_id": {"type": "integer"},
            "command": {"type": "string"},
            "phone": {"type": "string", "description": "The softphone the worker rings."},
        }
    ),
    "TransferAgents": object_schema(
        {
            "agents": {
                "type": "array",
                "items": object_schema(
                    {"agent_id": {"type": "integer"}, "display_name": {"type": "string"}}
                ),
            }
        }
    ),
    "TransferQueues": object_schema(
        {
            "queues": {
                "type": "array",
                "items": object_schema(
                    {
                        "queue_id": {"type": "integer"},
                        "name": {"type": "string"},
                        "did": {"type": "string", "description": "the number the leg calls"},
                    }
                ),
            }
        }
    ),
    "CallActionRequested": object_schema(
        {"attempt_id": {"type": "integer"}, "command": {"type": "string"}}
    ),
    "RecordingAudio": {
        "type": "string",
        "format": "binary",
        "description": "The call's conference mix: 8 kHz 16-bit mono PCM WAV.",
    },
}
