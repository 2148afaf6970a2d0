"""Imports whose process dies: found through their liveness lock, closed as failed, and the
campaign left as it was. Real processes killed with SIGKILL, real PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from campaigns.contact_import import service
from campaigns.contact_import.chunk_writer import CHUNK_LINES
from campaigns.contact_import.options import ImportOptions
from campaigns.contact_import.status import ImportState
from campaigns.storage import import_liveness, import_store
from campaigns.storage.db import connect
from campaigns.users import Role, User
from dialer.bench.list_generator import generate_list
from tests.dashboard_fixtures import DashboardClient
from tests.dashboard_process import running_dashboard
from tests.factories import make_campaign

Db = psycopg.Connection[Any]


def _state(db: Db, import_id: int) -> tuple[str, int, str | None]:
    row = db.execute(
        "SELECT state, rows, error FROM list_imports WHERE id = %s", (import_id,)
    ).fetchone()
    assert row is not None
    return str(row[0]), int(row[1]), row[2]


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent (here, init) can reap it


def _wait_for(check: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.usefixtures("service_env")
def test_an_import_killed_mid_way_is_closed_as_failed_and_stores_nothing(
    db: Db, database_url: str, tmp_path: Path
) -> None:
    campaign = make_campaign(db, "Spring")
    generated = generate_list(tmp_path, 300_000)
    # The CLI as a person runs it, with a worker process, the importing process killed alone
    # like `kill -9 PID`.
    command = [sys.executable, "-m", "dialer", "lists", "import", str(generated.path)]
    process = subprocess.Popen(
        [*command, "--campaign", "Spring", "--workers", "1", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    try:
        import_id = _wait_for(
            lambda: db.execute("SELECT max(id) FROM list_imports").fetchone()[0], "the import"
        )
        # Past the first chunk: its contacts were inserted, uncommitted, in the import's
        # transaction when the process dies.
        _wait_for(
            lambda: _state(db, import_id)[1] > CHUNK_LINES + 10_000, "rows past the first chunk"
        )
        assert _state(db, import_id)[0] == "running"
        assert import_liveness.sweep_dead_imports(db) == []  # alive: nothing to close
        children = _children(process.pid)
        assert children, "the import runs no worker process"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    # Its worker processes end too (their pipes to it break): no orphan keeps a core busy.
    _wait_for(lambda: not any(_alive(pid) for pid in children), "the orphans to exit", 15)

    swept = _wait_for(lambda: import_liveness.sweep_dead_imports(db), "the sweep", timeout=30)
    assert [dead.id for dead in swept] == [import_id]
    state, _, error = _state(db, import_id)
    assert state == "failed" and error == import_liveness.STOPPED_RUNNING
    assert "the importing process stopped" in str(error)
    for table in ("contacts", "contact_lists"):
        count = db.execute(f"SELECT count(*) FROM {table} WHERE campaign_id = %s", (campaign.id,))
        assert count.fetchone() == (0,), table
    rejects = db.execute("SELECT count(*) FROM import_rejects WHERE import_id = %s", (import_id,))
    assert rejects.fetchone() == (0,)
    assert import_liveness.sweep_dead_imports(db) == []  # closed once

    # The campaign's import lock went with the dead transaction: the next import runs.
    small = tmp_path / "small.csv"
    small.write_text("Phone,Name\n(212) 555-0100,Ann\n(212) 555-0101,Bo\n", encoding="utf-8")
    status = service.import_file(
        database_url, campaign.id, small, options=ImportOptions(region="US"), workers=0
    )
    assert status.state is ImportState.DONE and status.counts.imported == 2
    assert db.execute(
        "SELECT count(*) FROM contacts WHERE campaign_id = %s", (campaign.id,)
    ).fetchone() == (2,)


def _queued_import(db: Db, campaign_id: int, tmp_path: Path) -> int:
    path = tmp_path / "list.csv"
    path.write_text("Phone\n(212) 555-0100\n", encoding="utf-8")
    return service.start_import(db, campaign_id, path)


def test_a_running_import_stays_running_while_its_process_holds_it(
    db: Db, database_url: str, supervisor: DashboardClient, tmp_path: Path
) -> None:
    campaign = make_campaign(db, "Spring")
    import_id = _queued_import(db, campaign.id, tmp_path)
    with connect(database_url) as runner:
        import_liveness.hold_alive(runner, import_id)
        assert import_store.claim_import(runner, import_id)
        for _ in range(2):
            status = supervisor.get(f"/api/v1/imports/{import_id}").json
            assert status is not None and status["state"] == "running"
        page = supervisor.get(f"/campaigns/{campaign.id}/lists")
        assert page.status_code == 200
        assert _state(db, import_id)[0] == "running"
    # Its process gone (here: its connection closed), the next read of the status closes it.

    def failed_status() -> dict[str, Any] | None:
        status: dict[str, Any] = supervisor.get(f"/api/v1/imports/{import_id}").json or {}
        return status if status.get("state") == "failed" else None

    status = _wait_for(failed_status, "the status to say failed")
    assert status["error"] == import_liveness.STOPPED_RUNNING
    shown = supervisor.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "the importing process stopped" in shown


def test_an_import_is_dead_only_once_every_connection_of_its_process_is_gone(
    db: Db, database_url: str, tmp_path: Path
) -> None:
    campaign = make_campaign(db, "Spring")
    import_id = _queued_import(db, campaign.id, tmp_path)
    with connect(database_url) as importing:
        with connect(database_url) as status:
            import_liveness.hold_alive(status, import_id)
            assert import_store.claim_import(status, import_id)
            import_liveness.hold_alive(importing, import_id)
        # The status connection went first; the import's transaction may still be rolling back.
        assert import_liveness.sweep_dead_imports(db) == []
    # A closed session's backend exits a moment later.
    swept = _wait_for(lambda: import_liveness.sweep_dead_imports(db), "the sweep", timeout=10)
    assert [dead.id for dead in swept] == [import_id]


def test_a_queued_import_nobody_runs_is_closed_after_a_grace_period(
    db: Db, supervisor: DashboardClient, tmp_path: Path
) -> None:
    campaign = make_campaign(db, "Spring")
    fresh = _queued_import(db, campaign.id, tmp_path)
    old = _queued_import(db, campaign.id, tmp_path)
    db.execute(
        "UPDATE list_imports SET updated_at = now() - interval '5 minutes' WHERE id = %s", (old,)
    )
    supervisor.get("/lists")
    assert _state(db, fresh)[0] == "queued"  # its runner may be about to take it
    state, _, error = _state(db, old)
    assert state == "failed" and error == import_liveness.STOPPED_QUEUED
    # Its runner, late, finds it over and does nothing.
    assert import_store.claim_import(db, old) is False


def _post_file(url: str, token: str, path: Path, options: str) -> dict[str, Any]:
    boundary = "----dialer-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n{options}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body = head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        found: dict[str, Any] = json.load(answer)
    return found


def _get_json(url: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        found: dict[str, Any] = json.load(answer)
    return found


def _gunicorn_workers(url: str) -> list[int]:
    """The gunicorn workers of the dashboard at `url`: its master's children. (The session's
    browser dashboard is a gunicorn too, and the import's worker processes, forked by a gunicorn
    worker, carry gunicorn's command line: the full suite found both.)"""

    def cmdline(pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except FileNotFoundError:
            return ""

    bind = url.removeprefix("http://")
    pending, masters = [os.getpid()], []
    while pending:
        pid = pending.pop()
        for child in _children(pid) if _alive(pid) else []:
            if "gunicorn" in cmdline(child) and bind in cmdline(child):
                if "gunicorn" not in cmdline(pid):
                    masters.append(child)
                continue
            pending.append(child)
    return [worker for master in masters for worker in _children(master)]


def test_an_import_in_a_killed_dashboard_worker_is_closed_when_the_worker_restarts(
    db: Db,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    campaign = make_campaign(db, "Spring")
    token = api_token(make_user(Role.SUPERVISOR, "super"))
    generated = generate_list(tmp_path, 300_000)
    data_dir = tmp_path / "dashboard"
    data_dir.mkdir()
    with running_dashboard(database_url, redis_url, data_dir) as url:
        queued = _post_file(
            f"{url}/api/v1/campaigns/{campaign.id}/lists", token, generated.path, "{}"
        )
        status_url = f"{url}/api/v1/imports/{queued['import_id']}"
        _wait_for(
            lambda: _get_json(status_url, token)["rows"] > CHUNK_LINES + 10_000,
            "rows past the first chunk",
        )
        [worker] = _gunicorn_workers(url)
        os.kill(worker, signal.SIGKILL)  # as gunicorn's master does to a worker past its timeout

        # The master starts a new worker; reading the status closes the dead import.
        def failed() -> dict[str, Any] | None:
            try:
                status = _get_json(status_url, token)
            except (urllib.error.URLError, ConnectionError):
                return None  # between the two workers
            return status if status["state"] == "failed" else None

        status = _wait_for(failed, "the import to be closed as failed")
        assert status["error"] == import_liveness.STOPPED_RUNNING
        assert db.execute(
            "SELECT count(*) FROM contacts WHERE campaign_id = %s", (campaign.id,)
        ).fetchone() == (0,)
        # Its upload is deleted with it.
        uploads = data_dir / "uploads"
        assert not uploads.exists() or not any(uploads.iterdir())

        small = tmp_path / "small.csv"
        small.write_text("Phone\n(212) 555-0100\n(212) 555-0101\n", encoding="utf-8")
        again = _post_file(f"{url}/api/v1/campaigns/{campaign.id}/lists", token, small, "{}")
        again_url = f"{url}/api/v1/imports/{again['import_id']}"
        done = _wait_for(
            lambda: (found := _get_json(again_url, token))["state"] in ("done", "failed") and found,
            "the next import",
        )
        assert done["state"] == "done" and done["imported"] == 2, done
