"""Campaigns and their trunks in PostgreSQL: the SQL of this aggregate, rows into dataclasses."""

from __future__ import annotations

from datetime import time
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from campaigns.amd_policy import AmdMode, MachineAction, NotSureAction
from campaigns.amd_thresholds import thresholds_as_json, thresholds_from_json
from campaigns.attempt import RetryableOutcome
from campaigns.campaign import (
    Campaign,
    CampaignSpec,
    CampaignState,
    ContactKind,
    DialMode,
    RecordingMode,
    RetryRule,
    Schedule,
)
from campaigns.errors import Conflict, NotFound
from campaigns.rules import CallingHours, RuleSetName, Window
from campaigns.storage.db import Connection

# The disposition list every new campaign starts with; supervisors edit it per campaign.
DEFAULT_DISPOSITIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("sale", "Sale", "complete", True),
    ("not_interested", "Not interested", "complete", True),
    ("callback", "Call back at", "callback", True),
    ("wrong_number", "Wrong number", "complete", True),
    ("do_not_call", "Do not call", "dnc", True),
    ("answering_machine", "Answering machine", "retry", False),
    ("no_contact", "No one on the line", "retry", False),
)

_COLUMNS = """
    c.id, c.name, c.state, c.caller_id, c.trunk_id, t.name AS trunk_name, c.dial_mode, c.dial_ratio,
    c.abandon_target, c.min_agents_predictive, c.max_lines, c.rule_set, c.calling_hours,
    c.ring_timeout_s, c.max_attempts, c.retry_policy, c.contact_order, c.abandon_message,
    c.wrapup_limit_s, c.schedule, c.timezone, c.default_region, c.recording, c.amd,
    c.recording_retention_days, c.preview_timeout_s, c.transfer_destinations, c.created_at,
    c.updated_at
"""

_SELECT = f"SELECT {_COLUMNS} FROM campaigns c LEFT JOIN trunks t ON t.id = c.trunk_id"

_INSERT = """
INSERT INTO campaigns (
    name, caller_id, trunk_id, dial_mode, dial_ratio, abandon_target, min_agents_predictive,
    max_lines, rule_set, calling_hours, ring_timeout_s, max_attempts, retry_policy, contact_order,
    abandon_message, wrapup_limit_s, schedule, timezone, default_region, recording, amd,
    recording_retention_days, preview_timeout_s, transfer_destinations)
VALUES (
    %(name)s, %(caller_id)s, %(trunk_id)s, %(dial_mode)s, %(dial_ratio)s, %(abandon_target)s,
    %(min_agents_predictive)s, %(max_lines)s, %(rule_set)s, %(calling_hours)s, %(ring_timeout_s)s,
    %(max_attempts)s, %(retry_policy)s, %(contact_order)s, %(abandon_message)s,
    %(wrapup_limit_s)s, %(schedule)s, %(timezone)s, %(default_region)s, %(recording)s, %(amd)s,
    %(recording_retention_days)s, %(preview_timeout_s)s, %(transfer_destinations)s)
RETURNING id
"""

_UPDATE = """
UPDATE campaigns SET
    name = %(name)s, caller_id = %(caller_id)s, trunk_id = %(trunk_id)s, dial_mode = %(dial_mode)s,
    dial_ratio = %(dial_ratio)s, abandon_target = %(abandon_target)s,
    min_agents_predictive = %(min_agents_predictive)s, max_lines = %(max_lines)s,
    rule_set = %(rule_set)s, calling_hours = %(calling_hours)s, ring_timeout_s = %(ring_timeout_s)s,
    max_attempts = %(max_attempts)s, retry_policy = %(retry_policy)s,
    contact_order = %(contact_order)s, abandon_message = %(abandon_message)s,
    wrapup_limit_s = %(wrapup_limit_s)s, schedule = %(schedule)s, timezone = %(timezone)s,
    default_region = %(default_region)s, recording = %(recording)s, amd = %(amd)s,
    recording_retention_days = %(recording_retention_days)s,
    preview_timeout_s = %(preview_timeout_s)s,
    transfer_destinations = %(transfer_destinations)s, updated_at = now()
WHERE id = %(id)s
"""

_INSERT_DISPOSITION = """
INSERT INTO dispositions (campaign_id, code, label, action, human, position)
VALUES (%(campaign_id)s, %(code)s, %(label)s, %(action)s, %(human)s, %(position)s)
"""

_SET_STATE = "UPDATE campaigns SET state = %(state)s, updated_at = now() WHERE id = %(id)s"

_TRUNK_ID = "SELECT id FROM trunks WHERE name = %(name)s"


def insert_campaign(conn: Connection, spec: CampaignSpec) -> Campaign:
    params = _params(conn, spec)
    try:
        with conn.transaction():
            row = conn.execute(_INSERT, params).fetchone()
            assert row is not None
            campaign_id = int(row[0])
            for position, (code, label, action, human) in enumerate(DEFAULT_DISPOSITIONS):
                conn.execute(
                    _INSERT_DISPOSITION,
                    {
                        "campaign_id": campaign_id,
                        "code": code,
                        "label": label,
                        "action": action,
                        "human": human,
                        "position": position,
                    },
                )
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a campaign named {spec.name!r} already exists") from None
    return get_campaign(conn, campaign_id)


def update_campaign(conn: Connection, campaign_id: int, spec: CampaignSpec) -> Campaign:
    params = _params(conn, spec) | {"id": campaign_id}
    try:
        with conn.transaction():
            if conn.execute(_UPDATE, params).rowcount == 0:
                raise NotFound(f"no campaign with id {campaign_id}")
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a campaign named {spec.name!r} already exists") from None
    return get_campaign(conn, campaign_id)


def get_campaign(conn: Connection, campaign_id: int) -> Campaign:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE c.id = %(id)s", {"id": campaign_id}).fetchone()
    if row is None:
        raise NotFound(f"no campaign with id {campaign_id}")
    return _campaign(row)


def find_campaign(conn: Connection, name: str) -> Campaign:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE c.name = %(name)s", {"name": name}).fetchone()
    if row is None:
        raise NotFound(f"no campaign named {name!r}")
    return _campaign(row)


def list_campaigns(conn: Connection, state: CampaignState | None = None) -> list[Campaign]:
    with conn.cursor(row_factory=dict_row) as cur:
        if state is None:
            rows = cur.execute(f"{_SELECT} ORDER BY c.name").fetchall()
        else:
            rows = cur.execute(
                f"{_SELECT} WHERE c.state = %(state)s ORDER BY c.name", {"state": state}
            ).fetchall()
    return [_campaign(row) for row in rows]


def set_campaign_state(conn: Connection, campaign_id: int, state: CampaignState) -> Campaign:
    with conn.transaction():
        if conn.execute(_SET_STATE, {"id": campaign_id, "state": state}).rowcount == 0:
            raise NotFound(f"no campaign with id {campaign_id}")
    return get_campaign(conn, campaign_id)


def _trunk_id(conn: Connection, name: str | None) -> int | None:
    if name is None:
        return None
    row = conn.execute(_TRUNK_ID, {"name": name}).fetchone()
    if row is None:
        raise NotFound(f"no trunk named {name!r}")
    return int(row[0])


def _params(conn: Connection, spec: CampaignSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "caller_id": spec.caller_id,
        "trunk_id": _trunk_id(conn, spec.trunk),
        "dial_mode": spec.dial_mode,
        "dial_ratio": spec.dial_ratio,
        "abandon_target": spec.abandon_target,
        "min_agents_predictive": spec.min_agents_predictive,
        "max_lines": spec.max_lines,
        "rule_set": spec.rule_set,
        "calling_hours": Jsonb(spec.calling_hours.to_json()),
        "ring_timeout_s": spec.ring_timeout_s,
        "max_attempts": spec.max_attempts,
        "retry_policy": Jsonb(
            {
                str(outcome): {"delay_s": rule.delay_s, "max_attempts": rule.max_attempts}
                for outcome, rule in spec.retry_policy.items()
            }
        ),
        "contact_order": [str(kind) for kind in spec.contact_order],
        "abandon_message": spec.abandon_message,
        "wrapup_limit_s": spec.wrapup_limit_s,
        "schedule": Jsonb(spec.schedule.to_json()),
        "timezone": spec.timezone,
        "default_region": spec.default_region,
        "recording": spec.recording,
        "amd": Jsonb(amd_json(spec)),
        "recording_retention_days": spec.recording_retention_days,
        "preview_timeout_s": spec.preview_timeout_s,
        "transfer_destinations": list(spec.transfer_destinations),
    }


def amd_json(spec: CampaignSpec) -> dict[str, Any]:
    """The campaign's `amd` column: {"action": "off"} or "on" with its choices."""
    # The choices are kept while AMD is off, so switching it back on restores them.
    return {
        "action": spec.amd.value,
        "machine": spec.amd_on_machine.value,
        "not_sure": spec.amd_on_not_sure.value,
        "voicemail_message": spec.voicemail_message,
        # Only the thresholds set apart from the defaults: the others follow retuned defaults.
        "thresholds": thresholds_as_json(spec.amd_thresholds, changed_only=True),
        "machine_sample": spec.amd_machine_sample,
    }


def amd_from_json(value: dict[str, Any]) -> dict[str, Any]:
    """CampaignSpec fields from the `amd` column (rows from before 0007 hold only the action,
    from before 0009 no thresholds: the defaults)."""
    return {
        "amd": AmdMode(value.get("action", "off")),
        "amd_on_machine": MachineAction(value.get("machine", MachineAction.HANG_UP.value)),
        "amd_on_not_sure": NotSureAction(value.get("not_sure", NotSureAction.TO_AGENT.value)),
        "voicemail_message": value.get("voicemail_message"),
        "amd_thresholds": thresholds_from_json(value.get("thresholds")),
        "amd_machine_sample": float(value.get("machine_sample", 0.0)),
    }


def _window(value: list[str] | None) -> Window | None:
    if value is None:
        return None
    return Window(time.fromisoformat(value[0]), time.fromisoformat(value[1]))


def _campaign(row: dict[str, Any]) -> Campaign:
    hours = row["calling_hours"]
    schedule = row["schedule"]
    spec = CampaignSpec(
        name=row["name"],
        caller_id=row["caller_id"],
        trunk=row["trunk_name"],
        dial_mode=DialMode(row["dial_mode"]),
        dial_ratio=float(row["dial_ratio"]),
        abandon_target=float(row["abandon_target"]),
        min_agents_predictive=row["min_agents_predictive"],
        max_lines=row["max_lines"],
        rule_set=RuleSetName(row["rule_set"]),
        calling_hours=CallingHours(
            _window(hours.get("weekday")),
            _window(hours.get("saturday")),
            _window(hours.get("sunday")),
        ),
        ring_timeout_s=row["ring_timeout_s"],
        max_attempts=row["max_attempts"],
        retry_policy={
            RetryableOutcome(outcome): RetryRule(rule["delay_s"], rule["max_attempts"])
            for outcome, rule in row["retry_policy"].items()
        },
        contact_order=tuple(ContactKind(kind) for kind in row["contact_order"]),
        abandon_message=row["abandon_message"],
        wrapup_limit_s=row["wrapup_limit_s"],
        schedule=Schedule(
            days=tuple(schedule.get("days", ())),
            start=time.fromisoformat(schedule["start"]) if schedule.get("start") else None,
            end=time.fromisoformat(schedule["end"]) if schedule.get("end") else None,
        ),
        timezone=row["timezone"],
        default_region=row["default_region"],
        recording=RecordingMode(row["recording"]),
        **amd_from_json(row["amd"]),
        recording_retention_days=row["recording_retention_days"],
        preview_timeout_s=row["preview_timeout_s"],
        transfer_destinations=tuple(row["transfer_destinations"]),
    )
    return Campaign(
        id=row["id"],
        state=CampaignState(row["state"]),
        spec=spec,
        trunk_id=row["trunk_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
