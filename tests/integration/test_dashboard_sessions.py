"""Signing in: hashed passwords, throttling, safe redirects, and sessions that end when they
should (idle, too old, password changed, user disabled)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from flask import Flask

from campaigns.storage import user_store
from campaigns.users import Role, User
from tests.dashboard_fixtures import TEST_PASSWORD, DashboardClient


@pytest.fixture
def boss(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN, "boss")


def test_passwords_are_stored_as_argon2id_hashes(boss: User, db: psycopg.Connection[Any]) -> None:
    stored = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored is not None and stored[0].startswith("$argon2id$")
    assert TEST_PASSWORD not in stored[0]


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    anonymous: DashboardClient, boss: User
) -> None:
    wrong = anonymous.login("boss", "not the password")
    unknown = anonymous.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.get_data(as_text=True)
    assert "Wrong username or password" in unknown.get_data(as_text=True)


def test_login_goes_to_next_when_it_is_a_local_path(anonymous: DashboardClient, boss: User) -> None:
    token = anonymous.csrf_token()
    response = anonymous.post(
        "/login",
        data={
            "username": "boss",
            "password": TEST_PASSWORD,
            "next": "/dnc?x=1",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/dnc?x=1"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
     "\\\\evil.example", "/ok\r\nSet-Cookie: x=1"],
)  # fmt: skip
def test_login_never_redirects_off_site(
    anonymous: DashboardClient, boss: User, target: str
) -> None:
    token = anonymous.csrf_token()
    response = anonymous.post(
        "/login",
        data={"username": "boss", "password": TEST_PASSWORD, "next": target, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/campaigns"


def test_a_page_asked_for_before_login_is_where_login_leads(
    anonymous: DashboardClient, boss: User
) -> None:
    redirect = anonymous.get("/agents/pause-codes")
    assert redirect.headers["Location"] == "/login?next=%2Fagents%2Fpause-codes"


def test_logins_are_throttled_per_username_even_with_the_right_password(
    anonymous: DashboardClient, boss: User
) -> None:
    for _ in range(5):
        assert anonymous.login("boss", "guess").status_code == 401
    throttled = anonymous.login("boss")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0


def test_a_successful_login_clears_the_username_counter(
    anonymous: DashboardClient, boss: User
) -> None:
    for _ in range(4):
        anonymous.login("boss", "guess")
    assert anonymous.login("boss").status_code == 302
    anonymous.post_form("/logout")
    for _ in range(4):
        assert anonymous.login("boss", "guess").status_code == 401


def test_changing_the_password_ends_every_other_session(dashboard_app: Flask, boss: User) -> None:
    desk, phone = dashboard_app.test_client(), dashboard_app.test_client()
    for client in (desk, phone):
        assert client.login("boss").status_code == 302  # type: ignore[attr-defined]
        client.user = boss  # type: ignore[attr-defined]
    changed = desk.post_form(  # type: ignore[attr-defined]
        "/account/password",
        {
            "current": TEST_PASSWORD,
            "new": "a brand new passphrase",
            "repeat": "a brand new passphrase",
        },
    )
    assert changed.status_code == 302
    assert desk.get("/campaigns").status_code == 200
    assert phone.get("/campaigns").status_code == 302
    fresh = dashboard_app.test_client()
    assert fresh.login("boss", "a brand new passphrase").status_code == 302  # type: ignore[attr-defined]


def test_a_password_change_from_the_cli_or_admin_ends_sessions_too(
    admin: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    assert admin.user is not None
    user_store.set_password(db, admin.user.id, "$argon2id$whatever")
    db.commit()
    assert admin.get("/campaigns").status_code == 302


def test_a_disabled_user_is_signed_out_at_once(
    admin: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    assert admin.user is not None
    db.execute("UPDATE users SET disabled = true WHERE id = %s", (admin.user.id,))
    db.commit()
    assert admin.get("/campaigns").status_code == 302
    assert admin.login("admin").status_code == 401


def test_an_idle_session_expires(admin: DashboardClient, dashboard_app: Flask) -> None:
    idle = dashboard_app.config["DIALER_SESSION_IDLE_S"]
    with admin.session_transaction() as session:
        session["seen_at"] = int(time.time()) - idle - 1
    assert admin.get("/campaigns").status_code == 302


def test_a_session_ends_after_the_absolute_limit_even_while_used(
    admin: DashboardClient, dashboard_app: Flask
) -> None:
    limit = dashboard_app.config["DIALER_SESSION_MAX_AGE_S"]
    with admin.session_transaction() as session:
        session["login_at"] = int(time.time()) - limit - 1
    assert admin.get("/campaigns").status_code == 302


def test_logout_ends_the_session(admin: DashboardClient) -> None:
    assert admin.post_form("/logout").status_code == 302
    assert admin.get("/campaigns").status_code == 302


def test_the_session_cookie_is_http_only_and_same_site(
    anonymous: DashboardClient, boss: User
) -> None:
    response = anonymous.login("boss")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_forbid_framing_and_foreign_scripts(admin: DashboardClient) -> None:
    headers = admin.get("/campaigns").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
