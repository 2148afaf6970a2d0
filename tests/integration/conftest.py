"""Integration fixtures beyond tests/conftest.py: the dashboard's (tests/dashboard_fixtures.py)."""

from tests.dashboard_fixtures import *  # noqa: F403
