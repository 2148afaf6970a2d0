"""The schema the migrations build is the one committed in schema_snapshot.txt.

After changing a migration on purpose, regenerate the snapshot with
`UPDATE_SCHEMA_SNAPSHOT=1 pytest tests/integration/test_schema.py` and review the diff.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from campaigns.storage import migrate
from tests.conftest import with_database
from tests.integration.report_data import at, attempt, campaign
from tests.integration.rollup_snapshot import _snapshot
from tests.integration.schema_dump import dump_schema

SNAPSHOT = Path(__file__).with_name("schema_snapshot.txt")


def _empty_database(admin_url: str) -> str:
    name = f"dialer_schema_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(admin_url, name)


def _drop(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?", maxsplit=1)[0]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(str(name))))


def test_migrating_an_empty_database_gives_the_committed_schema(postgres_admin_url: str) -> None:
    url = _empty_database(postgres_admin_url)
    try:
        with psycopg.connect(url) as conn:
            applied = migrate.upgrade(conn)
            assert [m.version for m in applied] == list(range(1, len(applied) + 1))
            schema = dump_schema(conn)
    finally:
        _drop(postgres_admin_url, url)
    if os.environ.get("UPDATE_SCHEMA_SNAPSHOT"):
        SNAPSHOT.write_text(schema)
    assert schema == SNAPSHOT.read_text(), (
        "schema differs from schema_snapshot.txt (see module docstring)"
    )


def test_upgrading_twice_changes_nothing(postgres_admin_url: str) -> None:
    url = _empty_database(postgres_admin_url)
    try:
        with psycopg.connect(url) as conn:
            assert migrate.upgrade(conn)
            before = dump_schema(conn)
            assert migrate.upgrade(conn) == []
            assert dump_schema(conn) == before
            assert migrate.current_version(conn) == len(migrate.available_migrations())
    finally:
        _drop(postgres_admin_url, url)


def test_upgrading_recounts_the_hours_of_connected_calls_with_their_dispositions(
    postgres_admin_url: str,
) -> None:
    """0023: hour rows stored before it get the dispositions of connected calls."""
    url = _empty_database(postgres_admin_url)
    try:
        with psycopg.connect(url) as conn:
            migrate.upgrade(conn, up_to=22)
            c = campaign(conn, "Before 0023")
            noon = at("2026-11-02 12:00")
            attempt(conn, c, noon, "connected", disposition="answering_machine")
            attempt(conn, c, noon, "connected", disposition="sale")
            attempt(conn, c, noon, "connected")
            attempt(conn, c, noon, "machine", amd="machine", disposition="sale")
            conn.commit()
            assert [m.version for m in migrate.upgrade(conn)] == [23]
            hours = conn.execute(
                "SELECT outcome, disposition, attempts FROM report_attempt_hours ORDER BY 1, 2"
            ).fetchall()
            upgraded = _snapshot(conn)
            conn.execute("SELECT report_rebuild_rollups()")
            assert _snapshot(conn) == upgraded
    finally:
        _drop(postgres_admin_url, url)
    assert hours == [
        ("connected", "", 1),
        ("connected", "answering_machine", 1),
        ("connected", "sale", 1),
        ("machine", "sale", 1),
    ]
