"""Speed-dial entries in PostgreSQL: a campaign's (campaign_id set) and an agent's own (agent_id
set), one per slot each; campaigns.speed_dial decides which one an agent dials."""

from __future__ import annotations

from typing import Any

from campaigns.errors import NotFound
from campaigns.speed_dial import Scope, SpeedDialEntry, SpeedDialSpec
from campaigns.storage.db import Connection

_SELECT = "SELECT campaign_id, agent_id, slot, phone_e164, label FROM speed_dial_entries"

_UPSERT = """
INSERT INTO speed_dial_entries (campaign_id, agent_id, slot, phone_e164, label)
VALUES (%(campaign_id)s, %(agent_id)s, %(slot)s, %(phone)s, %(label)s)
ON CONFLICT ({owner}, slot) WHERE {owner} IS NOT NULL
DO UPDATE SET phone_e164 = EXCLUDED.phone_e164, label = EXCLUDED.label, updated_at = now()
"""

_UPSERT_CAMPAIGN = _UPSERT.format(owner="campaign_id")
_UPSERT_AGENT = _UPSERT.format(owner="agent_id")


def _entry(row: Any) -> SpeedDialEntry:
    campaign_id, agent_id, slot, phone, label = row
    scope = Scope.AGENT if agent_id is not None else Scope.CAMPAIGN
    owner = agent_id if agent_id is not None else campaign_id
    return SpeedDialEntry(scope, int(owner), SpeedDialSpec(int(slot), str(phone), str(label)))


def agent_entries(conn: Connection, agent_id: int) -> list[SpeedDialEntry]:
    rows = conn.execute(
        _SELECT + " WHERE agent_id = %(id)s ORDER BY slot", {"id": agent_id}
    ).fetchall()
    return [_entry(row) for row in rows]


def campaign_entries(conn: Connection, campaign_ids: tuple[int, ...]) -> list[SpeedDialEntry]:
    rows = conn.execute(
        _SELECT + " WHERE campaign_id = ANY(%(ids)s) ORDER BY slot, campaign_id",
        {"ids": list(campaign_ids)},
    ).fetchall()
    return [_entry(row) for row in rows]


def put_entry(conn: Connection, scope: Scope, owner_id: int, spec: SpeedDialSpec) -> None:
    """Create or replace the entry on this slot (an unknown owner raises NotFound)."""
    agent = scope is Scope.AGENT
    table = "agents" if agent else "campaigns"
    exists = conn.execute(f"SELECT 1 FROM {table} WHERE id = %(id)s", {"id": owner_id}).fetchone()
    if exists is None:
        raise NotFound(f"no {scope.value} with id {owner_id}")
    conn.execute(
        _UPSERT_AGENT if agent else _UPSERT_CAMPAIGN,
        {
            "campaign_id": None if agent else owner_id,
            "agent_id": owner_id if agent else None,
            "slot": spec.slot,
            "phone": spec.phone_e164,
            "label": spec.label,
        },
    )


def delete_entry(conn: Connection, scope: Scope, owner_id: int, slot: int) -> None:
    owner = "agent_id" if scope is Scope.AGENT else "campaign_id"
    deleted = conn.execute(
        f"DELETE FROM speed_dial_entries WHERE {owner} = %(owner)s AND slot = %(slot)s"
        " RETURNING id",
        {"owner": owner_id, "slot": slot},
    ).fetchone()
    if deleted is None:
        raise NotFound(f"no speed-dial entry on slot {slot}")
