"""The dashboard on the sip tier's PostgreSQL and Redis: the app in this process (`dashboard`)
or a running server (`api_url`).

Import the fixtures into a test module and list them in its `__all__`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from dashboard.app import create_app
from dashboard.db import close_pool
from dialer.bootstrap import ServiceUrls
from dialer.settings import load_settings
from tests.dashboard_fixtures import DashboardClient
from tests.dashboard_process import running_dashboard


@pytest.fixture
def dashboard(service_env: dict[str, str], tmp_path: Path) -> Iterator[Flask]:
    """The dashboard app in this process, on the same PostgreSQL and Redis as the workers: its
    Dial sends a real dial task on the real broker."""
    urls = ServiceUrls(service_env["DATABASE_URL"], service_env["REDIS_URL"])
    settings = load_settings(
        {
            "DATABASE_URL": urls.database_url,
            "REDIS_URL": urls.redis_url,
            "DIALER_DATA_DIR": str(tmp_path / "dashboard-data"),
            "DIALER_SECRET_KEY": "test-secret-key-not-for-production",
        }
    )
    app = create_app(settings, urls, {"TESTING": True})
    app.test_client_class = DashboardClient
    yield app
    close_pool(app)


@pytest.fixture(scope="module")
def api_url(
    database_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with running_dashboard(database_url, redis_base_url, tmp_path_factory.mktemp("api")) as url:
        yield url
