"""With no DATABASE_URL / REDIS_URL the command runs on embedded servers it starts and stops."""

from __future__ import annotations

import concurrent.futures
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.cli_runner import run_dialer

NO_SERVICES = {"DATABASE_URL": "", "REDIS_URL": ""}


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir outside pytest's tmp tree: as root, PostgreSQL runs as its own user and must
    traverse the path, and every new pytest session resets pytest-of-root/ to mode 0700."""
    path = Path(tempfile.mkdtemp(prefix="dialer-embedded-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _servers_running(data_dir: Path) -> list[str]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if str(data_dir) in command and ("postgres" in command or "redis-server" in command):
            found.append(command)
    return found


def test_commands_run_on_embedded_servers_and_stop_them_after(data_dir: Path) -> None:
    env = {**NO_SERVICES, "DIALER_DATA_DIR": str(data_dir)}
    created = run_dialer(
        "campaign", "create", "Demo", "--caller-id", "+12025550100", "--json", env=env
    )
    assert created.code == 0, created.err
    listed = run_dialer("campaign", "list", "--json", env=env)
    assert listed.code == 0, listed.err
    assert [c["name"] for c in listed.json()] == ["Demo"]
    assert _servers_running(data_dir) == []
    status = run_dialer("services", "status", "--json", env=env)
    assert status.json()["leases"] == 0


def test_two_commands_at_once_share_the_embedded_servers(data_dir: Path) -> None:
    env = {**NO_SERVICES, "DIALER_DATA_DIR": str(data_dir)}
    names = [f"Campaign{i}" for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda name: run_dialer(
                    "campaign", "create", name, "--caller-id", "+12025550100", env=env
                ),
                names,
            )
        )
    assert [r.code for r in results] == [0, 0, 0, 0], [r.err for r in results]
    listed = run_dialer("campaign", "list", "--json", env=env)
    assert sorted(c["name"] for c in listed.json()) == names
    assert _servers_running(data_dir) == []


def test_a_bad_setting_fails_at_start_with_the_variables_name(data_dir: Path) -> None:
    env = {**NO_SERVICES, "DIALER_DATA_DIR": str(data_dir), "DIALER_SIP_PORT_BASE": "lots"}
    result = run_dialer("campaign", "list", env=env)
    assert result.code == 1
    assert result.err.strip() == "error: DIALER_SIP_PORT_BASE: expected an integer, got 'lots'"


def test_a_dead_database_gives_a_clear_error(data_dir: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/dialer",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DIALER_DATA_DIR": str(data_dir),
    }
    result = run_dialer("campaign", "list", env=env)
    assert result.code == 1
    assert result.err.startswith("error: cannot connect to PostgreSQL")
    assert "Traceback" not in result.err
