"""Small builders for test data in a real database (no mocks: plain SQL through the stores)."""

from __future__ import annotations

from typing import Any

from campaigns.campaign import Campaign, CampaignSpec, validate_spec
from campaigns.storage import campaign_store, trunk_store
from campaigns.storage.db import Connection
from campaigns.trunk import TrunkSpec


def make_campaign(
    conn: Connection, name: str = "Demo", trunk_uri: str | None = None, **spec: Any
) -> Campaign:
    trunk_name = None
    if trunk_uri is not None:
        trunk_name = f"{name}-trunk"
        trunk_store.insert_trunk(conn, TrunkSpec(name=trunk_name, uri_template=trunk_uri))
    return campaign_store.insert_campaign(
        conn,
        validate_spec(CampaignSpec(name=name, caller_id="+12025550100", trunk=trunk_name, **spec)),
    )


def make_contacts(
    conn: Connection,
    campaign: Campaign,
    numbers: list[str],
    time_zones: list[str] | None = None,
    **columns: Any,
) -> list[int]:
    """Insert contacts (one list) and return their ids, in the order of `numbers`."""
    with conn.transaction():
        list_row = conn.execute(
            "INSERT INTO contact_lists (campaign_id, name, default_region)"
            " VALUES (%s, 'test', 'US') RETURNING id",
            (campaign.id,),
        ).fetchone()
        assert list_row is not None
        ids = []
        for number in numbers:
            row = conn.execute(
                "INSERT INTO contacts (campaign_id, list_id, phone_e164, time_zones, first_name,"
                " state, next_eligible_at)"
                " VALUES (%(campaign)s, %(list)s, %(number)s, %(zones)s, %(first_name)s,"
                " %(state)s, %(next)s) RETURNING id",
                {
                    "campaign": campaign.id,
                    "list": list_row[0],
                    "number": number,
                    "zones": time_zones or ["America/New_York"],
                    "first_name": columns.get("first_name", "Test"),
                    "state": columns.get("state", "dialable"),
                    "next": columns.get("next_eligible_at", "-infinity"),
                },
            ).fetchone()
            assert row is not None
            ids.append(int(row[0]))
    return ids
