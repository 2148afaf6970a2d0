"""The pieces the API's JSON Schemas are built from, one definition for every schema module."""

from __future__ import annotations

from typing import Any

TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"anyOf": [TIME, {"type": "null"}]}
NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}
NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
NULLABLE_NUMBER = {"anyOf": [{"type": "number"}, {"type": "null"}]}
COUNT = {"type": "integer", "minimum": 0}


def object_schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with `properties`; `required` None means all of them (an answer), [] none (an
    input whose fields are all optional)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
