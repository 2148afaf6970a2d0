"""The management pages: forms that save every setting with the CLI's validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from campaigns.storage import campaign_store
from dashboard.routes.assets import PLOTLY_VERSION
from tests.dashboard_fixtures import DashboardClient

CAMPAIGN_FORM = {
    "name": "Spring sale", "caller_id": "+12025550100", "trunk": "", "timezone": "America/Chicago",
    "default_region": "us", "recording": "on_demand", "recording_retention_days": "45",
    "dial_mode": "ratio", "dial_ratio": "2.5",
    "abandon_target_pct": "2", "min_agents_predictive": "4", "max_lines": "20",
    "ring_timeout_s": "30", "wrapup_limit_s": "90", "contact_order": "fresh,retry,callback",
    "preview_timeout_s": "120", "transfer_destinations": "+1415555xxxx  +44207*",
    "rule_set": "US", "hours_weekday": "09:00-20:00", "hours_saturday": "10:00-14:00",
    "hours_sunday": "", "abandon_message": "", "max_attempts": "6",
    "retry_busy_delay_s": "600", "retry_busy_max_attempts": "2",
    "retry_no_answer_delay_s": "3600", "retry_no_answer_max_attempts": "4",
    "schedule_days": ["0", "1", "2"], "schedule_start": "08:30", "schedule_end": "18:00",
}  # fmt: skip


def test_a_campaign_created_in_the_form_keeps_every_setting(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    response = supervisor.post_form("/campaigns", CAMPAIGN_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    spec = campaign_store.find_campaign(db, "Spring sale").spec
    assert spec.dial_mode.value == "ratio" and spec.dial_ratio == 2.5
    assert spec.abandon_target == 0.02
    assert (spec.min_agents_predictive, spec.max_lines, spec.ring_timeout_s) == (4, 20, 30)
    assert spec.wrapup_limit_s == 90 and spec.max_attempts == 6
    assert [k.value for k in spec.contact_order] == ["fresh", "retry", "callback"]
    assert spec.calling_hours.to_json() == {
        "weekday": ["09:00", "20:00"], "saturday": ["10:00", "14:00"], "sunday": None
    }  # fmt: skip
    assert {o.value: (r.delay_s, r.max_attempts) for o, r in spec.retry_policy.items()} == {
        "busy": (600, 2), "no_answer": (3600, 4)
    }  # fmt: skip
    assert spec.schedule.to_json() == {"days": [0, 1, 2], "start": "08:30", "end": "18:00"}
    assert spec.recording_retention_days == 45 and spec.preview_timeout_s == 120
    assert spec.transfer_destinations == ("+1415555XXXX", "+44207*")
    assert (spec.timezone, spec.default_region, spec.recording.value) == (
        "America/Chicago", "US", "on_demand"
    )  # fmt: skip
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Spring sale" in page and "Created" not in page
    assert spec.amd.value == "off"  # a form without the AMD fields leaves it off


def test_answering_machine_detection_is_set_in_the_form(
    supervisor: DashboardClient, db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    form = {**CAMPAIGN_FORM, "amd": "on", "amd_on_machine": "leave_message",
            "amd_on_not_sure": "hang_up", "voicemail_message": ""}  # fmt: skip
    refused = supervisor.post_form("/campaigns", form)
    assert refused.status_code == 400
    assert "voicemail_message" in refused.get_data(as_text=True)
    wav = tmp_path / "vm.wav"
    wav.write_bytes(b"RIFF")
    form = {**form, "voicemail_message": str(wav), "amd_machine_sample_pct": "2.5"}
    response = supervisor.post_form("/campaigns", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    spec = campaign_store.find_campaign(db, "Spring sale").spec
    assert (spec.amd.value, spec.amd_on_machine.value, spec.amd_on_not_sure.value) == (
        "on", "leave_message", "hang_up"
    )  # fmt: skip
    assert spec.voicemail_message == str(wav)
    assert spec.amd_machine_sample == 0.025  # typed in percent, stored as a share
    edit_page = supervisor.get(response.headers["Location"] + "/edit").get_data(as_text=True)
    assert "Answering machines" in edit_page and 'value="2.5"' in edit_page


def test_amd_thresholds_are_set_in_the_form_and_refused_out_of_range(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    form = {**CAMPAIGN_FORM, "amd_t_greeting_ms": "2600", "amd_t_beep_min_purity": "0.9",
            "amd_t_initial_silence_decision": "not_sure"}  # fmt: skip
    response = supervisor.post_form("/campaigns", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    thresholds = campaign_store.find_campaign(db, "Spring sale").spec.amd_thresholds
    assert (thresholds.greeting_ms, thresholds.beep_min_purity) == (2600, 0.9)
    assert thresholds.initial_silence_decision.value == "not_sure"
    assert thresholds.max_words == 8  # left alone: the default
    edit_page = supervisor.get(response.headers["Location"] + "/edit").get_data(as_text=True)
    assert "AMD thresholds" in edit_page and 'name="amd_t_greeting_ms" value="2600"' in edit_page
    show_page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "greeting_ms=2600" in show_page and "max_words" not in show_page
    refused = supervisor.post_form("/campaigns", {**form, "name": "Other", "amd_t_max_words": "50"})
    assert refused.status_code == 400
    assert "amd_thresholds.max_words: must be 1-20" in refused.get_data(as_text=True)


def test_the_form_shows_every_broken_rule_and_keeps_what_was_typed(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    bad = {**CAMPAIGN_FORM, "caller_id": "555", "ring_timeout_s": "5", "abandon_target_pct": "9",
           "hours_weekday": "21:00-09:00"}  # fmt: skip
    response = supervisor.post_form("/campaigns", bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("caller_id", "ring_timeout_s", "abandon_target", "calling_hours.weekday"):
        assert field in page
    assert 'value="Spring sale"' in page
    assert db.execute("SELECT count(*) FROM campaigns").fetchone() == (0,)


def test_a_campaign_is_edited_started_paused_and_stopped_from_its_page(
    admin: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    admin.post_form("/campaigns", CAMPAIGN_FORM)
    campaign = campaign_store.find_campaign(db, "Spring sale")
    url = f"/campaigns/{campaign.id}"
    refused = admin.post_form(f"{url}/state", {"action": "start"})
    assert "has no trunk" in admin.get(refused.headers["Location"]).get_data(as_text=True)
    trunk = admin.post_form(
        "/trunks", {"name": "carrier", "uri_template": "sip:{number}@127.0.0.1:5060"}
    )
    assert trunk.status_code == 302
    edit_page = admin.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="09:00-20:00"' in edit_page
    saved = admin.post_form(
        f"{url}/edit", {**CAMPAIGN_FORM, "trunk": "carrier", "dial_mode": "predictive"}
    )
    assert saved.status_code == 302
    for action, state in (("start", "running"), ("pause", "paused"), ("stop", "stopped")):
        admin.post_form(f"{url}/state", {"action": action})
        assert campaign_store.get_campaign(db, campaign.id).state.value == state
    assert campaign_store.get_campaign(db, campaign.id).spec.dial_mode.value == "predictive"


def test_dnc_numbers_are_added_found_and_removed(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    supervisor.post_form("/dnc", {"phone": "(202) 555-0177", "source": "asked on call"})
    page = supervisor.get("/dnc?phone=1202").get_data(as_text=True)
    assert "+12025550177" in page and "asked on call" in page
    duplicate = supervisor.post_form("/dnc", {"phone": "+12025550177"})
    assert "already on this" in supervisor.get(duplicate.headers["Location"]).get_data(as_text=True)
    row = db.execute("SELECT id FROM dnc_entries").fetchone()
    assert row is not None
    supervisor.post_form(f"/dnc/{row[0]}/delete")
    assert db.execute("SELECT count(*) FROM dnc_entries").fetchone() == (0,)


def test_an_admin_creates_an_agent_who_can_then_sign_in(
    admin: DashboardClient, anonymous: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    admin.post_form("/campaigns", CAMPAIGN_FORM)
    campaign_id = campaign_store.find_campaign(db, "Spring sale").id
    created = admin.post_form(
        "/agents",
        {"username": "dave", "display_name": "Dave", "password": "dave's passphrase",
         "sip_uri": "sip:dave@192.0.2.20", "forward_mode": "off",
         "campaign_ids": [str(campaign_id)]},
    )  # fmt: skip
    assert created.status_code == 302, created.get_data(as_text=True)
    listing = admin.get("/agents").get_data(as_text=True)
    assert "sip:dave@192.0.2.20" in listing and "Spring sale" in listing
    assert anonymous.login("dave", "dave's passphrase").headers["Location"] == "/console"
    bad = admin.post_form("/agents", {"username": "eve", "password": "short", "sip_uri": "x"})
    assert bad.status_code == 400


def test_pause_codes_and_dispositions_are_managed_on_their_pages(
    admin: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    admin.post_form("/agents/pause-codes", {"code": "lunch", "label": "Lunch break"})
    assert "Lunch break" in admin.get("/agents/pause-codes").get_data(as_text=True)
    admin.post_form("/campaigns", CAMPAIGN_FORM)
    campaign_id = campaign_store.find_campaign(db, "Spring sale").id
    base = f"/campaigns/{campaign_id}/dispositions"
    admin.post_form(
        base, {"code": "survey", "label": "Survey", "action": "complete", "human": "on"}
    )
    admin.post_form(f"{base}/sale", {"label": "Sold!", "action": "complete", "position": "0"})
    admin.post_form(f"{base}/no_contact/delete")
    labels = dict(db.execute("SELECT code, label FROM dispositions").fetchall())
    assert labels["survey"] == "Survey" and labels["sale"] == "Sold!"
    assert "no_contact" not in labels


def test_an_admin_issues_a_token_that_is_shown_once_and_works(
    admin: DashboardClient, anonymous: DashboardClient
) -> None:
    assert admin.user is not None
    page = admin.post_form(f"/users/{admin.user.id}/tokens", {"name": "crm"}).get_data(as_text=True)
    token = page.split('<code class="token">')[1].split("<")[0]
    assert token.startswith("dlr_")
    assert token not in admin.get("/users").get_data(as_text=True)
    me = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json == {
        "id": admin.user.id,
        "username": "admin",
        "display_name": "",
        "role": "admin",
    }


def test_an_admin_cannot_lock_themselves_out(admin: DashboardClient) -> None:
    assert admin.user is not None
    admin.post_form(f"/users/{admin.user.id}", {"role": "supervisor", "display_name": ""})
    assert admin.get("/users").status_code == 200


def test_plotly_js_is_served_from_the_package_for_offline_lans(
    anonymous: DashboardClient,
) -> None:
    script = anonymous.get(f"/static/vendor/plotly-{PLOTLY_VERSION}.min.js")
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert len(script.get_data()) > 1_000_000
    assert anonymous.get("/static/vendor/plotly-0.0.1.min.js").status_code == 404
    assert anonymous.get("/static/app.css").status_code == 200
    assert anonymous.get("/static/../app.py").status_code == 404
