"""`dialer user`: the first admin, passwords, tokens; `dialer dashboard`'s gunicorn line."""

from __future__ import annotations

import io
from typing import Any

import psycopg
import pytest

from campaigns import passwords
from dialer.dashboard_process import gunicorn_command
from tests.cli_runner import run_cli

pytestmark = pytest.mark.usefixtures("db", "service_env")


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_the_first_admin_is_created_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: psycopg.Connection[Any]
) -> None:
    _stdin(monkeypatch, "a long passphrase\n")
    created = run_cli(
        capsys, "user", "create", "root", "--role", "admin", "--password-stdin", "--json"
    )
    assert created.code == 0, created.err
    assert created.json()["role"] == "admin"
    stored = db.execute("SELECT password_hash FROM users WHERE username = 'root'").fetchone()
    assert stored is not None and passwords.verify_password(stored[0], "a long passphrase")
    listed = run_cli(capsys, "user", "list", "--json")
    assert [u["username"] for u in listed.json()] == ["root"]
    assert "password_hash" not in listed.out


def test_short_passwords_bad_names_and_duplicates_are_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "short\n")
    short = run_cli(capsys, "user", "create", "root", "--role", "admin", "--password-stdin")
    assert short.code == 1 and "at least 10" in short.err
    _stdin(monkeypatch, "a long passphrase\n")
    bad_name = run_cli(capsys, "user", "create", "ro ot", "--role", "admin", "--password-stdin")
    assert bad_name.code == 1 and "username" in bad_name.err
    for expected in (0, 1):
        _stdin(monkeypatch, "a long passphrase\n")
        result = run_cli(capsys, "user", "create", "root", "--role", "admin", "--password-stdin")
        assert result.code == expected
    assert "already exists" in result.err


def test_passwd_changes_the_hash_and_moves_the_session_epoch(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: psycopg.Connection[Any]
) -> None:
    _stdin(monkeypatch, "a long passphrase\n")
    run_cli(capsys, "user", "create", "sam", "--role", "supervisor", "--password-stdin")
    _stdin(monkeypatch, "another passphrase\n")
    changed = run_cli(capsys, "user", "passwd", "sam", "--password-stdin")
    assert changed.code == 0, changed.err
    row = db.execute("SELECT password_hash, session_epoch FROM users").fetchone()
    assert row is not None and row[1] == 1
    assert passwords.verify_password(row[0], "another passphrase")


def test_a_token_is_printed_once_and_only_its_digest_is_stored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: psycopg.Connection[Any]
) -> None:
    _stdin(monkeypatch, "a long passphrase\n")
    run_cli(capsys, "user", "create", "sam", "--role", "supervisor", "--password-stdin")
    issued = run_cli(capsys, "user", "token", "sam", "--name", "crm-sync")
    assert issued.code == 0, issued.err
    token = issued.out.strip()
    assert token.startswith("dlr_") and "shown once" in issued.err
    stored = db.execute("SELECT token_hash, name FROM api_tokens").fetchone()
    assert stored == (passwords.token_digest(token), "crm-sync")
    assert run_cli(capsys, "user", "token", "nobody", "--name", "x").code == 1


def test_the_dashboard_runs_under_gunicorn_with_threads_for_streams() -> None:
    command = gunicorn_command("0.0.0.0", 9000, workers=3, threads=40)
    assert command[-1] == "dashboard.wsgi:create_wsgi_app()"
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--threads") + 1] == "40"
    assert command[command.index("--bind") + 1] == "0.0.0.0:9000"


def test_an_admin_sets_and_clears_a_supervisors_softphone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: psycopg.Connection[Any]
) -> None:
    _stdin(monkeypatch, "a long passphrase\n")
    run_cli(capsys, "user", "create", "sue", "--role", "supervisor", "--password-stdin")
    set_ = run_cli(capsys, "user", "phone", "sue", "sip:sue@192.0.2.20:5070")
    assert set_.code == 0, set_.err
    stored = db.execute("SELECT sip_uri FROM users WHERE username = 'sue'").fetchone()
    assert stored == ("sip:sue@192.0.2.20:5070",)
    bad = run_cli(capsys, "user", "phone", "sue", "+15550100")
    assert bad.code != 0 and "SIP URI" in bad.err
    assert run_cli(capsys, "user", "phone", "sue", "--clear").code == 0
    assert db.execute("SELECT sip_uri FROM users WHERE username = 'sue'").fetchone() == (None,)
