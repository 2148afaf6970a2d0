from __future__ import annotations

from tests.dashboard_fixtures import DashboardClient


def test_healthz_answers_without_login_and_says_both_stores_answer(
    anonymous: DashboardClient,
) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "postgres": True, "redis": True}
