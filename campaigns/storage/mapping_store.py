"""Saved column mappings, per campaign: the same vendor's file maps the same way every week."""

from __future__ import annotations

from psycopg.types.json import Jsonb

from campaigns.contact_import.mapping import ColumnMapping
from campaigns.errors import NotFound, ValidationError
from campaigns.storage.db import Connection

_SAVE = """
INSERT INTO mapping_templates (campaign_id, name, mapping)
VALUES (%(campaign_id)s, %(name)s, %(mapping)s)
ON CONFLICT (campaign_id, name) DO UPDATE SET mapping = EXCLUDED.mapping
"""

_GET = (
    "SELECT mapping FROM mapping_templates WHERE campaign_id = %(campaign_id)s AND name = %(name)s"
)

_LIST = """
SELECT name, mapping FROM mapping_templates WHERE campaign_id = %(campaign_id)s ORDER BY name
"""

_DELETE = "DELETE FROM mapping_templates WHERE campaign_id = %(campaign_id)s AND name = %(name)s"


def save_template(conn: Connection, campaign_id: int, name: str, mapping: ColumnMapping) -> None:
    """Create or replace the campaign's template of that name."""
    if not 1 <= len(name.strip()) <= 80:
        raise ValidationError(["name: a template name is 1-80 characters"])
    if not mapping.phones:
        raise ValidationError(["map: a template needs a phone column"])
    with conn.transaction():
        conn.execute(
            _SAVE,
            {"campaign_id": campaign_id, "name": name.strip(), "mapping": Jsonb(mapping.to_json())},
        )


def get_template(conn: Connection, campaign_id: int, name: str) -> ColumnMapping:
    row = conn.execute(_GET, {"campaign_id": campaign_id, "name": name}).fetchone()
    if row is None:
        raise NotFound(f"no mapping template named {name!r} in this campaign")
    return ColumnMapping.from_json(row[0])


def list_templates(conn: Connection, campaign_id: int) -> list[tuple[str, ColumnMapping]]:
    rows = conn.execute(_LIST, {"campaign_id": campaign_id}).fetchall()
    return [(str(name), ColumnMapping.from_json(mapping)) for name, mapping in rows]


def delete_template(conn: Connection, campaign_id: int, name: str) -> None:
    with conn.transaction():
        if conn.execute(_DELETE, {"campaign_id": campaign_id, "name": name}).rowcount == 0:
            raise NotFound(f"no mapping template named {name!r} in this campaign")
