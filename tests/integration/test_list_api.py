"""The call-list API (/api/v1 uploads, import status, rejects, DNC import) against real
PostgreSQL and Redis, each JSON answer checked against the OpenAPI document the app serves."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from typing import Any

import jsonschema
import psycopg
import pytest
from openapi_spec_validator import validate
from werkzeug.test import TestResponse

from campaigns.storage import dnc_store
from campaigns.users import Role, User
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts
from tests.list_files import (
    DNC_NUMBER,
    EXPECTED,
    FEBRUARY_NUMBERS,
    MESSY_CSV,
    workbook_bytes,
)

Call = Callable[..., TestResponse]


@pytest.fixture
def document(anonymous: DashboardClient) -> dict[str, Any]:
    found = anonymous.get("/api/v1/openapi.json").json
    assert found is not None
    validate(found)
    return found


def _check(document: dict[str, Any], method: str, template: str, response: TestResponse) -> Any:
    operation = document["paths"][template][method]
    declared = operation["responses"].get(str(response.status_code))
    assert declared, f"{method} {template} answered undeclared {response.status_code}"
    content = declared.get("content", {}).get("application/json")
    if content:
        jsonschema.validate(response.json, {**content["schema"], **document})
    return response.json


@pytest.fixture
def api(
    anonymous: DashboardClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> Call:
    token = api_token(make_user(Role.SUPERVISOR, "integration"))

    def call(method: str, url: str, **kwargs: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {token}"}
        return anonymous.open(url, method=method, headers=headers, **kwargs)

    return call


def _wait(api: Call, import_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status: dict[str, Any] = api("GET", f"/api/v1/imports/{import_id}").json
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} did not end")


def test_a_list_uploaded_through_the_api_is_imported_with_its_summary(
    api: Call, document: dict[str, Any], db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    dnc_store.add_dnc(db, None, DNC_NUMBER, "test", None)
    options = {"mapping": {"phones": ["Téléphone"], "first_name": "Prénom"}, "region": "US"}
    answer = api(
        "POST",
        f"/api/v1/campaigns/{campaign.id}/lists",
        data={"file": (io.BytesIO(MESSY_CSV), "api.csv"), "options": json.dumps(options)},
    )
    assert answer.status_code == 202, answer.json
    queued = _check(document, "post", "/campaigns/{campaign_id}/lists", answer)
    assert queued["state"] in ("queued", "running", "done")

    status = _wait(api, queued["import_id"])
    _check(
        document,
        "get",
        "/imports/{import_id}",
        api("GET", f"/api/v1/imports/{status['import_id']}"),
    )
    assert status["state"] == "done" and {k: status[k] for k in EXPECTED} == EXPECTED
    stored = db.execute(
        "SELECT count(*) FILTER (WHERE state = 'dialable'), count(*) FILTER (WHERE state = 'dnc')"
        " FROM contacts WHERE campaign_id = %s",
        (campaign.id,),
    ).fetchone()
    assert stored == (EXPECTED["imported"], EXPECTED["dnc"])

    rejects = api("GET", f"/api/v1/imports/{status['import_id']}/rejects.csv")
    assert rejects.status_code == 200 and rejects.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(rejects.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 + EXPECTED["rejected_rows"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(cell == "'=2+3" for row in rows for cell in row)


def test_bad_uploads_are_400_with_the_reason_and_store_nothing(
    api: Call, document: dict[str, Any], db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    url = f"/api/v1/campaigns/{campaign.id}/lists"
    for data, needle in [
        ({"file": (io.BytesIO(b""), "empty.csv")}, "empty (0 bytes)"),
        ({}, "choose a CSV or XLSX file"),
        ({"file": (io.BytesIO(MESSY_CSV), "x.csv"), "options": "{nope"}, "not JSON"),
        (
            {
                "file": (io.BytesIO(MESSY_CSV), "x.csv"),
                "options": '{"mapping": {"phones": ["Fax"]}}',
            },
            "'Fax' is not in the file",
        ),
        ({"file": (io.BytesIO(b"\x00garbage\x01" * 40), "x.csv")}, "no column looks like phone"),
    ]:
        answer = api("POST", url, data=data)
        body = _check(document, "post", "/campaigns/{campaign_id}/lists", answer)
        assert answer.status_code == 400 and any(needle in p for p in body["problems"]), body
    assert db.execute("SELECT count(*) FROM list_imports").fetchone() == (0,)
    unknown = api(
        "POST", "/api/v1/campaigns/999/lists", data={"file": (io.BytesIO(MESSY_CSV), "x.csv")}
    )
    assert unknown.status_code == 404
    assert api("GET", "/api/v1/imports/999").status_code == 404


def test_agents_and_strangers_may_not_use_the_list_api(
    agent: DashboardClient, anonymous: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    upload = {"file": (io.BytesIO(MESSY_CSV), "x.csv")}
    agent_answer = agent.post(
        f"/api/v1/campaigns/{campaign.id}/lists",
        data=upload,
        headers={"X-CSRFToken": agent.csrf_token()},
    )
    assert agent_answer.status_code == 403
    assert agent.get("/api/v1/imports/1").status_code == 403
    for method, url in [
        ("POST", f"/api/v1/campaigns/{campaign.id}/lists"),
        ("GET", "/api/v1/imports/1"),
        ("GET", "/api/v1/imports/1/rejects.csv"),
        ("POST", "/api/v1/dnc/import"),
    ]:
        assert anonymous.open(url, method=method).status_code == 401


def test_a_dnc_file_blocks_existing_contacts_through_the_api_and_the_page(
    api: Call, document: dict[str, Any], db: psycopg.Connection[Any], supervisor: DashboardClient
) -> None:
    campaign = make_campaign(db, "Spring")
    make_contacts(db, campaign, ["+12025550143", "+12025550144"])
    dnc_file = b"phone\r\n(202) 555-0143\r\n12345\r\n+1 202 555 0143\r\n"
    answer = api(
        "POST",
        "/api/v1/dnc/import",
        data={"file": (io.BytesIO(dnc_file), "dnc.csv"), "campaign_id": str(campaign.id)},
    )
    body = _check(document, "post", "/dnc/import", answer)
    assert answer.status_code == 200
    assert body == {"rows": 3, "numbers": 1, "added": 1, "invalid": 1, "blocked": 1}
    assert db.execute(
        "SELECT state FROM contacts WHERE phone_e164 = '+12025550143'"
    ).fetchone() == ("dnc",)

    page = supervisor.post(
        "/dnc/import",
        data={
            "file": (io.BytesIO(b"phone\n+12025550144\n"), "more.csv"),
            "campaign_id": "",
            "source": "regulator",
            "csrf_token": supervisor.csrf_token(),
        },
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-count="blocked">1<' in text, text
    assert db.execute(
        "SELECT campaign_id, source FROM dnc_entries WHERE phone_e164 = '+12025550144'"
    ).fetchone() == (None, "regulator")
    empty = supervisor.post(
        "/dnc/import",
        data={"file": (io.BytesIO(b""), "e.csv"), "csrf_token": supervisor.csrf_token()},
    )
    assert empty.status_code == 400 and "empty (0 bytes)" in empty.get_data(as_text=True)
    assert "/dnc/import" in supervisor.get("/dnc").get_data(as_text=True)


def test_a_mapping_saved_by_one_upload_is_used_by_name_by_the_next(
    api: Call, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    url = f"/api/v1/campaigns/{campaign.id}/lists"
    first = {
        "mapping": {"phones": [{"header": "Téléphone", "label": "main"}], "last_name": "Nom"},
        "save_mapping": "crm",
        "list_name": "first",
    }
    answer = api(
        "POST", url, data={"file": (io.BytesIO(MESSY_CSV), "a.csv"), "options": json.dumps(first)}
    )
    assert answer.status_code == 202 and _wait(api, answer.json["import_id"])["state"] == "done"
    other = b"Tel;Name\n+44 20 7946 0018;Smith\n"
    renamed = MESSY_CSV.replace("Téléphone".encode("cp1252"), b"Phone")
    second = {"mapping_template": "crm", "skip_dialed_days": 7, "list_name": "second"}
    wrong = api(
        "POST", url, data={"file": (io.BytesIO(other), "b.csv"), "options": json.dumps(second)}
    )
    assert wrong.status_code == 400 and "'Téléphone' is not in the file" in str(wrong.json)
    bad_type = api(
        "POST",
        url,
        data={"file": (io.BytesIO(renamed), "c.csv"), "options": '{"skip_dialed_days": true}'},
    )
    assert bad_type.status_code == 400 and bad_type.json["problems"] == [
        "options.skip_dialed_days: a whole number or null"
    ]
    again = api(
        "POST", url, data={"file": (io.BytesIO(MESSY_CSV), "d.csv"), "options": json.dumps(second)}
    )
    assert again.status_code == 202
    status = _wait(api, again.json["import_id"])
    # Every number is in the campaign already (or invalid): nothing new, nothing lost.
    assert status["state"] == "done" and status["imported"] == 0 and status["duplicates"] == 4
    labels = db.execute(
        "SELECT DISTINCT phone_label, last_name IS NOT NULL FROM contacts"
    ).fetchall()
    assert labels == [("main", True)]


def test_the_api_imports_the_sheet_named_in_the_options(
    api: Call, document: dict[str, Any], db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    url = f"/api/v1/campaigns/{campaign.id}/lists"
    missing = api(
        "POST",
        url,
        data={"file": (io.BytesIO(workbook_bytes()), "m.xlsx"), "options": '{"sheet": "March"}'},
    )
    assert missing.status_code == 400
    assert "no sheet 'March'" in json.dumps(
        _check(document, "post", "/campaigns/{campaign_id}/lists", missing)
    )
    answer = api(
        "POST",
        url,
        data={
            "file": (io.BytesIO(workbook_bytes()), "m.xlsx"),
            "options": json.dumps({"sheet": "February", "region": "US"}),
        },
    )
    assert answer.status_code == 202, answer.json
    status = _wait(api, answer.json["import_id"])
    assert status["state"] == "done" and status["imported"] == len(FEBRUARY_NUMBERS)
    stored = db.execute(
        "SELECT phone_e164 FROM contacts WHERE campaign_id = %s ORDER BY phone_e164",
        (campaign.id,),
    ).fetchall()
    assert [row[0] for row in stored] == FEBRUARY_NUMBERS
