"""The demo's data, made idempotently: a trunk to the simulated carrier, the campaign, its list
and DNC entries, and an admin login (the robot agents come from dialer.softphone.provision).

Run again, it keeps the data (reports grow across runs) and only refreshes what belongs to this
run: the carrier's address. `prepare_fresh` makes the same campaign and list under a new name, for
runs that must start without history (`dialer bench live-pacing`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from campaigns import passwords
from campaigns.campaign import Campaign, CampaignSpec, DialMode, validate_spec
from campaigns.contact_import.dnc_import import import_dnc_file
from campaigns.contact_import.service import import_file
from campaigns.errors import NotFound
from campaigns.rules import CallingHours, RuleSetName, Window
from campaigns.storage import campaign_store, trunk_store, user_store
from campaigns.storage.db import Connection
from campaigns.trunk import TrunkSpec
from campaigns.users import Role
from dialer.demo.call_list import write_demo_list

CAMPAIGN = "Demo"
TRUNK = "demo-carrier"
ADMIN = "admin"


@dataclass(frozen=True)
class DemoSetup:
    campaign: Campaign
    admin_password: str
    imported: int | None


def admin_password(data_dir: Path) -> str:
    """Generated once per data directory and kept there (mode 0600), so it survives runs."""
    path = data_dir / "demo-admin-password"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(9))
    return path.read_text().strip()


def ensure_trunk(conn: Connection, carrier_uri: str) -> None:
    spec = TrunkSpec(name=TRUNK, uri_template=carrier_uri, max_lines=200, max_cps=20)
    found = {t.name: t for t in trunk_store.list_trunks(conn)}
    if TRUNK in found:
        trunk_store.update_trunk(conn, found[TRUNK].id, spec)
    else:
        trunk_store.insert_trunk(conn, spec)


def campaign_spec(name: str) -> CampaignSpec:
    # A custom rule set with 08:00-21:00 every day: with numbers on several continents some
    # are always inside their window, so the demo dials whatever the hour.
    window = Window(time(8), time(21))
    return validate_spec(
        CampaignSpec(
            name=name,
            caller_id="+12025550100",
            trunk=TRUNK,
            dial_mode=DialMode.PREDICTIVE,
            rule_set=RuleSetName.CUSTOM,
            calling_hours=CallingHours(window, window, window),
            min_agents_predictive=2,
            wrapup_limit_s=30,
        )
    )


def _campaign(conn: Connection) -> Campaign:
    try:
        return campaign_store.find_campaign(conn, CAMPAIGN)
    except NotFound:
        return campaign_store.insert_campaign(conn, campaign_spec(CAMPAIGN))


def import_demo_list(database_url: str, directory: Path, campaign_id: int, numbers: int) -> int:
    """Write the demo's list and DNC file into `directory` and import both; the imported count."""
    made = write_demo_list(directory, numbers)
    import_dnc_file(database_url, made.dnc_path, None, source="demo national registry copy")
    return import_file(database_url, campaign_id, made.path).counts.imported


def _admin(conn: Connection, password: str) -> None:
    try:
        user = user_store.find_user(conn, ADMIN)
        user_store.set_password(conn, user.id, passwords.hash_password(password))
    except NotFound:
        user_store.insert_user(
            conn, ADMIN, Role.ADMIN, passwords.hash_password(password), "Demo admin"
        )


def prepare(
    conn: Connection,
    database_url: str,
    data_dir: Path,
    *,
    carrier_uri: str,
    numbers: int,
) -> DemoSetup:
    ensure_trunk(conn, carrier_uri)
    campaign = _campaign(conn)
    password = admin_password(data_dir)
    _admin(conn, password)
    imported = None
    has_list = conn.execute(
        "SELECT 1 FROM contact_lists WHERE campaign_id = %s", (campaign.id,)
    ).fetchone()
    if not has_list:
        imported = import_demo_list(database_url, data_dir / "demo", campaign.id, numbers)
    return DemoSetup(campaign_store.get_campaign(conn, campaign.id), password, imported)


def prepare_fresh(
    conn: Connection,
    database_url: str,
    data_dir: Path,
    *,
    name: str,
    carrier_uri: str,
    numbers: int,
) -> DemoSetup:
    """A new campaign like the demo's (no attempts, no pacing history) with its own list."""
    ensure_trunk(conn, carrier_uri)
    campaign = campaign_store.insert_campaign(conn, campaign_spec(name))
    password = admin_password(data_dir)
    _admin(conn, password)
    imported = import_demo_list(database_url, data_dir / "demo", campaign.id, numbers)
    return DemoSetup(campaign_store.get_campaign(conn, campaign.id), password, imported)
