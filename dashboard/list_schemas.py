"""JSON Schemas of the call-list API (uploads, import status, DNC imports), beside what the
views return (ImportStatus.to_json, DncImportResult.to_json), as in dashboard.api_schemas."""

from __future__ import annotations

from typing import Any

from campaigns.contact_import.status import ImportPhase, ImportState
from dashboard.schema_parts import (
    COUNT,
    NULLABLE_INT,
    NULLABLE_STRING,
    NULLABLE_TIME,
    TIME,
    object_schema,
)

_FILE = {"type": "string", "contentMediaType": "application/octet-stream"}


_IMPORT_STATUS = object_schema(
    {
        "import_id": {"type": "integer"},
        "campaign_id": {"type": "integer"},
        "list_id": NULLABLE_INT,
        "filename": {"type": "string"},
        "state": {"type": "string", "enum": [s.value for s in ImportState]},
        "phase": {"anyOf": [{"type": "string", "enum": [p.value for p in ImportPhase]},
                            {"type": "null"}]},
        "progress": {"type": "number", "minimum": 0, "maximum": 1},
        "rows": COUNT,
        "imported": {**COUNT, "description": "stored and dialable"},
        "duplicates": {**COUNT, "description": "same E.164 earlier in the file or campaign"},
        "invalid": COUNT,
        "dnc": {**COUNT, "description": "stored as not dialable: on a DNC list"},
        "skipped_recent": COUNT,
        "rejected_rows": {**COUNT, "description": "rows in the rejects CSV"},
        "error": NULLABLE_STRING,
        "started_at": TIME,
        "finished_at": NULLABLE_TIME,
        "updated_at": TIME,
    },
    ["import_id", "campaign_id", "state", "progress", "rows", "imported", "duplicates",
     "invalid", "dnc", "skipped_recent", "rejected_rows", "error"],
)  # fmt: skip

_LIST_UPLOAD = object_schema(
    {
        "file": {**_FILE, "description": "CSV (any delimiter and encoding) or XLSX"},
        "options": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": 'JSON object, every key optional: mapping ({"phones": ["Mobile", '
            '{"header": "Home", "label": "home"}], "first_name": "First", "last_name": ..., '
            '"postal_code": ..., "time_zone": ..., "country": ...}), mapping_template, '
            "save_mapping (a name), region (ISO country), list_name, skip_dialed_days, "
            "has_header, sheet (XLSX: the sheet's name; default the first). Unmapped columns are "
            "kept as custom fields.",
        },
    },
    ["file"],
)

_DNC_UPLOAD = object_schema(
    {
        "file": {**_FILE, "description": "CSV or XLSX with a phone column"},
        "campaign_id": {"type": "string", "description": "a campaign's id; absent: global list"},
        "source": {"type": "string", "description": "where the list comes from (file name)"},
        "region": {"type": "string", "description": "country for national numbers"},
    },
    ["file"],
)

_DNC_RESULT = object_schema(
    {
        "rows": COUNT,
        "numbers": {**COUNT, "description": "distinct valid numbers in the file"},
        "added": {**COUNT, "description": "numbers not on the list before"},
        "invalid": COUNT,
        "blocked": {**COUNT, "description": "existing contacts blocked by it now"},
    },
    ["rows", "numbers", "added", "invalid", "blocked"],
)

LIST_SCHEMAS: dict[str, dict[str, Any]] = {
    "ImportStatus": _IMPORT_STATUS,
    "ListUpload": _LIST_UPLOAD,
    "DncUpload": _DNC_UPLOAD,
    "DncImportResult": _DNC_RESULT,
    "RejectsCsv": {"type": "string", "description": "CSV: row, reason, the file's columns"},
}
