"""Fixtures for testing the dashboard through `app.test_client()` against the real PostgreSQL
and Redis of the test session (see tests/conftest.py).

Use them from a conftest with `from tests.dashboard_fixtures import *` (they are listed in
__all__), then write tests such as:

    def test_supervisors_see_the_report(supervisor: DashboardClient) -> None:
        page = supervisor.get("/reports/abandonment")
        assert page.status_code == 200

    def test_agents_may_not(agent: DashboardClient) -> None:
        assert agent.get("/reports/abandonment").status_code == 403

`DashboardClient` is Flask's test client plus `login`, `csrf_token`, `post_form` (adds the CSRF
field) and `send_json` (adds the X-CSRFToken header); `make_user`/`make_agent` create accounts
(password TEST_PASSWORD) and `api_token` issues a bearer token. For the JSON API,
`api_document` is the OpenAPI document the app serves, `check(method, template, response)` asserts
an answer matches what it declares, and `token_client(method, url, body)` calls as an admin with a
bearer token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from campaigns import passwords
from campaigns.agents import Agent, AgentSpec
from campaigns.storage import agent_store, user_store
from campaigns.users import Role, User
from dashboard.app import create_app
from dashboard.db import close_pool
from dialer.bootstrap import ServiceUrls
from dialer.settings import load_settings

__all__ = [
    "TEST_PASSWORD",
    "DashboardClient",
    "admin",
    "agent",
    "anonymous",
    "api_document",
    "api_token",
    "check",
    "dashboard_app",
    "make_agent",
    "make_user",
    "sign_in",
    "supervisor",
    "token_client",
]

TEST_PASSWORD = "correct horse battery"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@cache
def password_hash() -> str:
    """Hashed once per test session: argon2 is slow on purpose, tests need not pay it each time."""
    return passwords.hash_password(TEST_PASSWORD)


class DashboardClient(FlaskClient):
    """A test client with the chores of a signed-in browser."""

    user: User | None = None

    def csrf_token(self) -> str:
        # Any signed-in user may open this page; a stranger is sent on to the login page.
        page = self.get("/account/password", follow_redirects=True)
        found = _CSRF_META.search(page.get_data(as_text=True))
        assert found, f"no CSRF token on the page (status {page.status_code})"
        return found[1]

    def login(self, username: str, password: str = TEST_PASSWORD) -> TestResponse:
        token = self.csrf_token()
        return self.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def post_form(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf_token()})

    def send_json(self, method: str, url: str, body: Any = None) -> TestResponse:
        return self.open(url, method=method, json=body, headers={"X-CSRFToken": self.csrf_token()})


@pytest.fixture
def dashboard_app(
    db: psycopg.Connection[Any], database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[Flask]:
    """The real app on the session's emptied database and Redis database."""
    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DIALER_DATA_DIR": str(tmp_path / "data"),
            "DIALER_SECRET_KEY": "test-secret-key-not-for-production",
        }
    )
    app = create_app(settings, ServiceUrls(database_url, redis_url), {"TESTING": True})
    app.test_client_class = DashboardClient
    yield app
    close_pool(app)


@pytest.fixture
def make_user(db: psycopg.Connection[Any]) -> Callable[..., User]:
    def make(role: Role, username: str | None = None, display_name: str = "") -> User:
        name = username or f"{role.value}-{len(user_store.list_users(db)) + 1}"
        user = user_store.insert_user(db, name, role, password_hash(), display_name)
        db.commit()
        return user

    return make


@pytest.fixture
def make_agent(db: psycopg.Connection[Any]) -> Callable[..., Agent]:
    def make(username: str, campaign_ids: tuple[int, ...] = ()) -> Agent:
        spec = AgentSpec(sip_uri=f"sip:{username}@127.0.0.1:5090", campaign_ids=campaign_ids)
        agent = agent_store.insert_agent(db, username, username.title(), password_hash(), spec)
        db.commit()
        return agent

    return make


@pytest.fixture
def api_token(db: psycopg.Connection[Any]) -> Callable[[User], str]:
    def issue(user: User) -> str:
        secret = passwords.new_api_token()
        user_store.insert_token(db, user.id, "tests", passwords.token_digest(secret))
        db.commit()
        return secret

    return issue


def _signed_in(app: Flask, user: User) -> DashboardClient:
    client = app.test_client()
    assert isinstance(client, DashboardClient)
    response = client.login(user.username)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.user = user
    return client


@pytest.fixture
def sign_in(
    dashboard_app: Flask, db: psycopg.Connection[Any]
) -> Callable[[Agent | User], DashboardClient]:
    """A signed-in client for an agent or a user, as many as a test needs."""

    def sign_in(who: Agent | User) -> DashboardClient:
        user = user_store.get_user(db, who.user_id if isinstance(who, Agent) else who.id)
        return _signed_in(dashboard_app, user)

    return sign_in


@pytest.fixture
def anonymous(dashboard_app: Flask) -> DashboardClient:
    client = dashboard_app.test_client()
    assert isinstance(client, DashboardClient)
    return client


@pytest.fixture
def admin(dashboard_app: Flask, make_user: Callable[..., User]) -> DashboardClient:
    return _signed_in(dashboard_app, make_user(Role.ADMIN, "admin"))


@pytest.fixture
def supervisor(dashboard_app: Flask, make_user: Callable[..., User]) -> DashboardClient:
    return _signed_in(dashboard_app, make_user(Role.SUPERVISOR, "super"))


@pytest.fixture
def agent(
    dashboard_app: Flask, make_agent: Callable[..., Agent], db: psycopg.Connection[Any]
) -> DashboardClient:
    created = make_agent("alice")
    return _signed_in(dashboard_app, user_store.get_user(db, created.user_id))


@pytest.fixture
def api_document(anonymous: DashboardClient) -> dict[str, Any]:
    found = anonymous.get("/api/v1/openapi.json").json
    assert found is not None
    return found


@pytest.fixture
def check(api_document: dict[str, Any]) -> Callable[[str, str, TestResponse], Any]:
    """Assert an answer matches what the document declares for (method, path template)."""

    def check(method: str, template: str, response: TestResponse) -> Any:
        operation = api_document["paths"][template][method.lower()]
        declared = operation["responses"].get(str(response.status_code))
        assert declared, f"{method} {template} answered undeclared {response.status_code}"
        content = declared.get("content", {}).get("application/json")
        if content:
            schema = {**content["schema"], "components": api_document["components"]}
            jsonschema.validate(response.json, schema)
        return response.json

    return check


@pytest.fixture
def token_client(
    anonymous: DashboardClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> Callable[..., TestResponse]:
    """(method, url, body=None) as an admin with a bearer token: no session, no CSRF."""
    token = api_token(make_user(Role.ADMIN, "integration"))

    def call(method: str, url: str, body: Any = None) -> TestResponse:
        return anonymous.open(
            url, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
        )

    return call
