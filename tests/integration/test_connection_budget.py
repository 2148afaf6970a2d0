"""The connection budget read from the real server, and `dialer workers` refusing to start more
workers than it can connect."""

from __future__ import annotations

import pytest

from campaigns.storage.db import Connection
from campaigns.storage.server_store import connection_slots
from tests.cli_runner import run_cli


def test_the_server_reports_its_limit_and_the_connections_open(db: Connection) -> None:
    limit = db.execute("SHOW max_connections").fetchone()
    assert limit is not None

    slots = connection_slots(db)

    assert slots.max_connections == int(limit[0])
    assert 1 <= slots.in_use < slots.max_connections
    assert slots.free == slots.max_connections - slots.reserved - slots.in_use


@pytest.mark.usefixtures("service_env")
def test_dialer_workers_refuses_lines_the_database_cannot_connect(
    capsys: pytest.CaptureFixture[str], db: Connection
) -> None:
    slots = connection_slots(db)
    lines = 2 * (slots.max_connections + 1)

    result = run_cli(capsys, "workers", "--lines", str(lines))

    assert result.code != 0
    assert f"{lines // 2} worker processes need at least" in result.err
    assert "raise max_connections" in result.err
