"""The JSON API against real PostgreSQL, each answer checked against the OpenAPI document the
app serves (so the document stays honest about what the routes return)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import psycopg
from flask import Flask
from openapi_spec_validator import validate

from tests.dashboard_fixtures import DashboardClient

CALLER_ID = "+12025550100"


def test_the_document_is_valid_openapi_and_lists_every_api_route(
    api_document: dict[str, Any], dashboard_app: Flask
) -> None:
    validate(api_document)
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in dashboard_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in api_document["paths"].items() for method in ops}
    assert documented == served
    assert len(served) >= 25


def test_inputs_whose_fields_are_all_optional_require_none(api_document: dict[str, Any]) -> None:
    # An agent logging in to every campaign sends no field; only a manager names the agent. The
    # document once required both, so a client built from it could not log in as itself.
    schemas = api_document["components"]["schemas"]
    for name in ("AgentLoginInput", "AgentActionInput", "CampaignInput", "TrunkInput"):
        jsonschema.validate({}, schemas[name])
    assert schemas["AgentPauseInput"]["required"] == ["reason"]


def test_campaigns_round_trip_through_the_api(token_client: Any, check: Any) -> None:
    created = token_client(
        "POST", "/api/v1/campaigns",
        {"name": "Spring", "caller_id": "(202) 555-0100", "rule_set": "CA",
         "calling_hours": {"sunday": None},
         "retry_policy": {"busy": {"delay_s": 600, "max_attempts": 2}}},
    )  # fmt: skip
    assert created.status_code == 201, created.json
    body = check("POST", "/campaigns", created)
    assert body["caller_id"] == CALLER_ID
    assert body["state"] == "stopped"
    # The CA rule set's hours, but for Sunday, which the request turned off.
    assert body["calling_hours"] == {
        "weekday": ["09:00", "21:30"],
        "saturday": ["10:00", "18:00"],
        "sunday": None,
    }
    campaign_id = body["id"]

    patched = token_client(
        "PATCH", f"/api/v1/campaigns/{campaign_id}", {"dial_mode": "ratio", "dial_ratio": 2}
    )
    assert check("PATCH", "/campaigns/{campaign_id}", patched)["dial_mode"] == "ratio"
    again = token_client("GET", f"/api/v1/campaigns/{campaign_id}")
    assert check("GET", "/campaigns/{campaign_id}", again)["dial_ratio"] == 2.0
    listed = token_client("GET", "/api/v1/campaigns?state=stopped")
    assert [c["name"] for c in check("GET", "/campaigns", listed)] == ["Spring"]


def test_the_api_reports_every_broken_rule_with_400(token_client: Any, check: Any) -> None:
    response = token_client(
        "POST", "/api/v1/campaigns",
        {"name": "Bad", "caller_id": "555", "ring_timeout_s": 5, "abandon_target": 0.2, "turbo": 1},
    )  # fmt: skip
    assert response.status_code == 400
    problems = check("POST", "/campaigns", response)["problems"]
    assert any(p.startswith("turbo") for p in problems)
    fixed = token_client(
        "POST", "/api/v1/campaigns",
        {"name": "Bad", "caller_id": "555", "ring_timeout_s": 5, "abandon_target": 0.2},
    )  # fmt: skip
    fields = {p.split(":")[0] for p in fixed.json["problems"]}
    assert {"caller_id", "ring_timeout_s", "abandon_target"} <= fields
    not_object = token_client("POST", "/api/v1/campaigns", ["a list"])
    assert not_object.status_code == 400


def test_duplicates_conflict_and_missing_things_are_404(token_client: Any, check: Any) -> None:
    token_client("POST", "/api/v1/campaigns", {"name": "One", "caller_id": CALLER_ID})
    duplicate = token_client("POST", "/api/v1/campaigns", {"name": "One", "caller_id": CALLER_ID})
    assert duplicate.status_code == 409
    assert check("POST", "/campaigns", duplicate)["error"] == "conflict"
    missing = token_client("GET", "/api/v1/campaigns/999")
    assert missing.status_code == 404
    assert check("GET", "/campaigns/{campaign_id}", missing)["error"] == "not_found"
    assert token_client("GET", "/api/v1/nothing-here").status_code == 404


def test_a_campaign_starts_only_with_a_trunk(token_client: Any, check: Any) -> None:
    campaign = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    url = f"/api/v1/campaigns/{campaign['id']}/state"
    refused = token_client("POST", url, {"state": "running"})
    assert refused.status_code == 400
    assert "trunk" in refused.json["problems"][0]
    trunk = token_client(
        "POST", "/api/v1/trunks",
        {"name": "carrier", "uri_template": "sip:{number}@127.0.0.1:5060",
         "auth_username": "u", "auth_password": "secret"},
    )  # fmt: skip
    assert trunk.status_code == 201
    assert check("POST", "/trunks", trunk)["auth_password"] == "***"
    token_client("PATCH", f"/api/v1/campaigns/{campaign['id']}", {"trunk": "carrier"})
    for state in ("running", "paused", "stopped"):
        moved = token_client("POST", url, {"state": state})
        assert check("POST", "/campaigns/{campaign_id}/state", moved)["state"] == state
    assert token_client("POST", url, {"state": "flying"}).status_code == 400


def test_trunks_can_be_listed_and_changed_without_revealing_passwords(
    token_client: Any, check: Any
) -> None:
    created = token_client(
        "POST", "/api/v1/trunks",
        {"name": "t1", "uri_template": "sip:{number}@127.0.0.1", "max_cps": 5},
    ).json  # fmt: skip
    changed = token_client("PATCH", f"/api/v1/trunks/{created['id']}", {"max_lines": 30})
    assert check("PATCH", "/trunks/{trunk_id}", changed)["max_lines"] == 30
    listed = check("GET", "/trunks", token_client("GET", "/api/v1/trunks"))
    assert [t["name"] for t in listed] == ["t1"]
    bad = token_client("POST", "/api/v1/trunks", {"name": "t2", "uri_template": "http://x"})
    assert bad.status_code == 400


def test_dnc_entries_are_added_listed_and_removed(token_client: Any, check: Any) -> None:
    campaign = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    glob = token_client("POST", "/api/v1/dnc", {"phone": "202-555-0199", "source": "complaint"})
    assert check("POST", "/dnc", glob)["phone_e164"] == "+12025550199"
    local = token_client(
        "POST", "/api/v1/dnc", {"phone": "+12025550188", "campaign_id": campaign["id"]}
    )
    assert local.status_code == 201
    again = token_client("POST", "/api/v1/dnc", {"phone": "+12025550199"})
    assert again.status_code == 409
    global_page = check("GET", "/dnc", token_client("GET", "/api/v1/dnc"))
    assert [e["phone_e164"] for e in global_page["items"]] == ["+12025550199"]
    campaign_page = token_client(
        "GET", f"/api/v1/dnc?campaign_id={campaign['id']}&phone=1202555018"
    ).json
    assert [e["phone_e164"] for e in campaign_page["items"]] == ["+12025550188"]
    removed = token_client("DELETE", f"/api/v1/dnc/{glob.json['id']}")
    assert check("DELETE", "/dnc/{entry_id}", removed)["id"] == glob.json["id"]
    assert token_client("DELETE", f"/api/v1/dnc/{glob.json['id']}").status_code == 404
    assert token_client("POST", "/api/v1/dnc", {"phone": "12"}).status_code == 400


def test_agents_are_created_with_their_phone_and_campaigns(
    token_client: Any, check: Any, anonymous: DashboardClient
) -> None:
    campaign = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    created = token_client(
        "POST", "/api/v1/agents",
        {"username": "carol", "password": "long enough pass", "sip_uri": "sip:carol@10.0.0.5",
         "campaign_ids": [campaign["id"]]},
    )  # fmt: skip
    assert created.status_code == 201, created.json
    agent = check("POST", "/agents", created)
    assert agent["campaign_ids"] == [campaign["id"]]
    assert agent["call_waiting"] is False, "call waiting is something the agent asks for"
    patched = token_client(
        "PATCH", f"/api/v1/agents/{agent['id']}",
        {"forward_mode": "no_answer", "forward_to": "sip:desk@10.0.0.9", "campaign_ids": []},
    )  # fmt: skip
    assert check("PATCH", "/agents/{agent_id}", patched)["forward_mode"] == "no_answer"
    waiting = token_client("PATCH", f"/api/v1/agents/{agent['id']}", {"call_waiting": True})
    assert check("PATCH", "/agents/{agent_id}", waiting)["call_waiting"] is True
    assert waiting.json["forward_mode"] == "no_answer", "other settings are kept"
    not_bool = token_client("PATCH", f"/api/v1/agents/{agent['id']}", {"call_waiting": "yes"})
    assert not_bool.status_code == 400
    assert check("GET", "/agents", token_client("GET", "/api/v1/agents"))[0]["campaign_ids"] == []
    states = check("GET", "/agent-states", token_client("GET", "/api/v1/agent-states"))
    assert states[0]["state"] == "logged_out"
    assert anonymous.login("carol", "long enough pass").status_code == 302
    bad = token_client(
        "POST", "/api/v1/agents", {"username": "d", "password": "x", "sip_uri": "tel:1"}
    )
    assert bad.status_code == 400


def test_dispositions_are_edited_per_campaign(token_client: Any, check: Any) -> None:
    campaign = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    base = f"/api/v1/campaigns/{campaign['id']}/dispositions"
    defaults = check("GET", "/campaigns/{campaign_id}/dispositions", token_client("GET", base))
    assert "sale" in [d["code"] for d in defaults]
    added = token_client(
        "POST", base, {"code": "survey", "label": "Survey done", "action": "complete"}
    )
    assert check("POST", "/campaigns/{campaign_id}/dispositions", added)["code"] == "survey"
    changed = token_client("PATCH", f"{base}/survey", {"label": "Survey finished"})
    assert (
        check("PATCH", "/campaigns/{campaign_id}/dispositions/{code}", changed)["label"]
        == "Survey finished"
    )
    assert token_client("DELETE", f"{base}/survey").status_code == 204
    assert token_client("PATCH", f"{base}/survey", {"label": "x"}).status_code == 404
    assert (
        token_client(
            "POST", base, {"code": "Bad Code", "label": "x", "action": "complete"}
        ).status_code
        == 400
    )


def _contacts(db: psycopg.Connection[Any], campaign_id: int, count: int) -> None:
    list_id = db.execute(
        "INSERT INTO contact_lists (campaign_id, name, default_region) VALUES (%s, 'L', 'US')"
        " RETURNING id",
        (campaign_id,),
    ).fetchone()[0]  # type: ignore[index]
    for i in range(count):
        db.execute(
            "INSERT INTO contacts (campaign_id, list_id, phone_e164, time_zones, last_name, state)"
            " VALUES (%s, %s, %s, '{America/New_York}', %s, %s)",
            (
                campaign_id,
                list_id,
                f"+1202555{1000 + i}",
                f"N{i:02d}",
                "dnc" if i % 5 == 0 else "dialable",
            ),
        )
    db.commit()


def test_contacts_page_filter_and_sort_by_allow_listed_fields(
    token_client: Any, check: Any, db: psycopg.Connection[Any]
) -> None:
    campaign = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    _contacts(db, campaign["id"], 12)
    first = check(
        "GET", "/contacts", token_client("GET", "/api/v1/contacts?limit=5&sort=-last_name")
    )
    assert [c["last_name"] for c in first["items"]] == ["N11", "N10", "N09", "N08", "N07"]
    assert first["next_offset"] == 5
    last = token_client("GET", "/api/v1/contacts?limit=5&offset=10&sort=-last_name").json
    assert last["next_offset"] is None and len(last["items"]) == 2
    blocked = token_client("GET", f"/api/v1/contacts?campaign_id={campaign['id']}&state=dnc").json
    assert len(blocked["items"]) == 3
    prefix = token_client("GET", "/api/v1/contacts?phone=%2B12025551011").json
    assert [c["phone_e164"] for c in prefix["items"]] == ["+12025551011"]
    assert token_client("GET", "/api/v1/contacts?limit=501").status_code == 400
    assert token_client("GET", "/api/v1/contacts?state=gone").status_code == 400


def test_attempts_filter_by_time_and_outcome(
    token_client: Any, check: Any, db: psycopg.Connection[Any]
) -> None:
    campaign = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    for outcome, when in (("busy", "2026-01-01T10:00Z"), ("no_answer", "2026-01-02T10:00Z")):
        db.execute(
            "INSERT INTO call_attempts (campaign_id, called_number, caller_id, state, outcome,"
            " queued_at) VALUES (%s, '+12025550111', %s, 'ended', %s, %s)",
            (campaign["id"], CALLER_ID, outcome, when),
        )
    db.commit()
    busy = check("GET", "/attempts", token_client("GET", "/api/v1/attempts?outcome=busy"))
    assert [a["outcome"] for a in busy["items"]] == ["busy"]
    later = token_client("GET", "/api/v1/attempts?since=2026-01-02").json
    assert [a["outcome"] for a in later["items"]] == ["no_answer"]
    one = token_client("GET", f"/api/v1/attempts/{busy['items'][0]['id']}")
    assert check("GET", "/attempts/{attempt_id}", one)["outcome"] == "busy"
    assert token_client("GET", "/api/v1/attempts?since=yesterday").status_code == 400


def test_me_and_pause_codes_answer_any_signed_in_user(
    agent: DashboardClient, check: Any, db: psycopg.Connection[Any]
) -> None:
    db.execute("INSERT INTO pause_codes VALUES ('lunch', 'Lunch')")
    db.commit()
    assert check("GET", "/me", agent.get("/api/v1/me"))["role"] == "agent"
    assert check("GET", "/pause-codes", agent.get("/api/v1/pause-codes")) == [
        {"code": "lunch", "label": "Lunch"}
    ]


def test_api_times_are_iso_8601(token_client: Any) -> None:
    created = token_client("POST", "/api/v1/campaigns", {"name": "C", "caller_id": CALLER_ID}).json
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d", created["created_at"])


def test_amd_thresholds_are_read_and_patched_one_at_a_time(token_client: Any, check: Any) -> None:
    created = token_client("POST", "/api/v1/campaigns", {"name": "Amd", "caller_id": CALLER_ID})
    body = check("POST", "/campaigns", created)
    assert body["amd_thresholds"]["greeting_ms"] == 2000  # the tuned default
    patched = token_client(
        "PATCH", f"/api/v1/campaigns/{body['id']}", {"amd_thresholds": {"greeting_ms": 2600}}
    )
    thresholds = check("PATCH", "/campaigns/{campaign_id}", patched)["amd_thresholds"]
    assert (thresholds["greeting_ms"], thresholds["after_greeting_silence_ms"]) == (2600, 900)
    refused = token_client(
        "PATCH", f"/api/v1/campaigns/{body['id']}",
        {"amd_thresholds": {"after_greeting_silence_ms": 1800}},
    )  # fmt: skip
    assert refused.status_code == 400
    [problem] = check("PATCH", "/campaigns/{campaign_id}", refused)["problems"]
    assert problem.startswith("amd_thresholds.after_greeting_silence_ms: must be 300-1500 ms")
