"""The console's call actions (hold, mute, DTMF, recording) and recordings for supervisors, against
real PostgreSQL and Redis: who may act on which call, what reaches the worker's command list,
who may play a recording, and the retention sweep. Answers are checked against the OpenAPI
document the app serves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from campaigns.agents import Agent
from campaigns.attempt import AttemptState
from campaigns.campaign import RecordingMode
from campaigns.storage import attempt_store, campaign_store, recording_store
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from dialer import recordings
from dialer.agents.service import AgentService
from dialer.settings import Settings
from tests.agent_fixtures import agents
from tests.console_support import PHONE, connected_call, end_call, floor, queued, recent
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]

ACTION = "/attempts/{attempt_id}/call-action"


def test_an_agent_holds_mutes_and_dials_digits_on_their_own_call(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.ON_DEMAND)
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    client = sign_in(alice)
    for body in (
        {"action": "hold"},
        {"action": "resume"},
        {"action": "mute"},
        {"action": "unmute"},
        {"action": "dtmf", "digits": "12#"},
        {"action": "record_start"},
        {"action": "record_stop"},
    ):
        sent = client.send_json("POST", url, body)
        assert sent.status_code == 202, (body, sent.json)
        assert check("POST", ACTION, sent) == {
            "attempt_id": call.attempt_id,
            "command": body["action"],
        }
    pop = client.get(f"/api/v1/attempts/{call.attempt_id}/screen-pop")
    assert check("GET", "/attempts/{attempt_id}/screen-pop", pop)["campaign"]["recording"] == (
        "on_demand"
    )
    commands = queued(redis_url, call.attempt_id)
    assert [c["command"] for c in commands] == [
        "hold", "resume", "mute", "unmute", "dtmf", "record_start", "record_stop"
    ]  # fmt: skip
    assert commands[4]["digits"] == "12#"
    assert {c["requested_by"] for c in commands} == {f"agent {alice.id}"}


def test_an_agent_cannot_act_on_another_agents_call(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    make_user: Callable[..., User],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, bob = floor(db, make_agent, RecordingMode.ON_DEMAND)
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    refused = sign_in(bob).send_json("POST", url, {"action": "hold"})
    assert refused.status_code == 404
    check("POST", ACTION, refused)
    assert queued(redis_url, call.attempt_id) == []
    # A supervisor may act on any live call.
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    assert boss.send_json("POST", url, {"action": "hold"}).status_code == 202
    [command] = queued(redis_url, call.attempt_id)
    assert command["requested_by"].startswith("user ")


def test_bad_actions_and_digits_are_refused_before_reaching_the_worker(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.ON_DEMAND)
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    client = sign_in(alice)
    for body in (
        {"action": "transfer"},
        {"action": "hangup"},  # has its own route
        {"action": "dtmf", "digits": "12x"},
        {"action": "dtmf"},
        {"action": "dtmf", "digits": 12},
    ):
        sent = client.send_json("POST", url, body)
        assert sent.status_code == 400, (body, sent.json)
        check("POST", ACTION, sent)
    assert queued(redis_url, call.attempt_id) == []


def test_recording_setting_of_the_campaign_is_enforced_and_an_ended_call_takes_no_action(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.NEVER)
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    client = sign_in(alice)
    never = client.send_json("POST", url, {"action": "record_start"})
    assert never.status_code == 409 and "never records" in never.json["message"]
    check("POST", ACTION, never)
    assert queued(redis_url, call.attempt_id) == []

    end_call(db, agents, call)  # the agent is in wrap-up with it: the call is still theirs
    over = client.send_json("POST", url, {"action": "hold"})
    assert over.status_code == 409 and "already over" in over.json["message"]
    check("POST", ACTION, over)


def test_supervisors_play_and_download_recordings_and_agents_get_403(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    dashboard_app: Flask,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.ALWAYS)
    call = connected_call(db, agents, alice, campaign, contact)
    stored = f"recordings/campaign-{campaign.id}/attempt-{call.attempt_id}.wav"
    settings: Settings = dashboard_app.config["DIALER_SETTINGS"]
    wav = settings.data_dir / stored
    wav.parent.mkdir(parents=True, exist_ok=True)
    wav.write_bytes(b"RIFF....WAVEfmt recorded call")
    recording_store.set_recording_path(db, call.attempt_id, stored)
    end_call(db, agents, call)

    url = f"/api/v1/attempts/{call.attempt_id}/recording"
    page = f"/attempts/{call.attempt_id}"
    assert sign_in(alice).get(url).status_code == 403
    assert sign_in(alice).get(page).status_code == 403
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    played = boss.get(url)
    assert played.status_code == 200 and played.mimetype == "audio/wav"
    assert played.data == wav.read_bytes()
    downloaded = boss.get(url + "?download=1")
    assert "attachment" in downloaded.headers["Content-Disposition"]
    shown = boss.get(page)
    assert shown.status_code == 200
    assert f'src="{url}"' in shown.text and "Download WAV" in shown.text


def test_a_path_outside_the_recordings_folder_is_never_served(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.ALWAYS)
    call = connected_call(db, agents, alice, campaign, contact)
    recording_store.set_recording_path(db, call.attempt_id, "recordings/../secret_key")
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    assert boss.get(f"/api/v1/attempts/{call.attempt_id}/recording").status_code == 404


def test_the_sweep_deletes_recordings_past_the_campaigns_retention(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    tmp_path: Path,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.ALWAYS)
    db.execute("UPDATE campaigns SET recording_retention_days = 30 WHERE id = %s", (campaign.id,))
    call = connected_call(db, agents, alice, campaign, contact)
    stored = f"recordings/campaign-{campaign.id}/attempt-{call.attempt_id}.wav"
    wav = tmp_path / stored
    wav.parent.mkdir(parents=True)
    wav.write_bytes(b"RIFF")
    recording_store.set_recording_path(db, call.attempt_id, stored)
    end_call(db, agents, call)
    ended = recent()

    kept = recordings.sweep_expired(db, tmp_path, ended + timedelta(days=29))
    assert (kept.deleted, wav.exists()) == (0, True)
    swept = recordings.sweep_expired(db, tmp_path, ended + timedelta(days=31))
    assert (swept.deleted, wav.exists()) == (1, False)
    found = recording_store.recording_of(db, call.attempt_id)
    assert found is not None and found.deleted_at is not None
    assert recordings.sweep_expired(db, tmp_path, ended + timedelta(days=32)).deleted == 0
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    assert boss.get(f"/api/v1/attempts/{call.attempt_id}/recording").status_code == 410
    assert "Deleted on" in boss.get(f"/attempts/{call.attempt_id}").text


def test_a_transfer_goes_to_the_worker_only_for_a_destination_on_the_allow_list(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign = make_campaign(
        db,
        trunk_uri="sip:{number}@127.0.0.1:5999",
        transfer_destinations=("+1415555XXXX", "+442079460000"),
    )
    assert campaign_store.get_campaign(db, campaign.id).spec.transfer_destinations == (
        "+1415555XXXX",
        "+442079460000",
    )
    [contact] = make_contacts(db, campaign, [PHONE])
    alice = make_agent("alice", (campaign.id,))
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    client = sign_in(alice)
    for number in ("+14165550199", "+442079460001", "+33612345678"):
        refused = client.send_json("POST", url, {"action": "transfer", "destination": number})
        assert refused.status_code == 409, refused.json
        assert "not on this campaign's list" in refused.json["message"]
        check("POST", ACTION, refused)
    for body in ({"action": "transfer", "destination": "sip:x@evil"}, {"action": "transfer"}):
        assert client.send_json("POST", url, body).status_code == 400
    assert queued(redis_url, call.attempt_id) == []
    sent = client.send_json("POST", url, {"action": "transfer", "destination": "+14155550199"})
    assert sent.status_code == 202
    check("POST", ACTION, sent)
    [command] = queued(redis_url, call.attempt_id)
    assert command["command"] == "transfer" and command["destination"] == "+14155550199"


def test_a_campaign_without_transfer_destinations_refuses_every_transfer(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.NEVER)
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    refused = sign_in(alice).send_json(
        "POST", url, {"action": "transfer", "destination": "+14155550199"}
    )
    assert refused.status_code == 409
    assert "allows no transfers" in refused.json["message"]
    assert queued(redis_url, call.attempt_id) == []


def test_an_agent_transfers_to_a_ready_agent_of_the_campaign_picked_from_the_list(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, bob = floor(db, make_agent, RecordingMode.ON_DEMAND)
    call = connected_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    picker = f"/api/v1/attempts/{call.attempt_id}/transfer-agents"
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"
    listed = client.get(picker)
    assert check("GET", "/attempts/{attempt_id}/transfer-agents", listed) == {"agents": []}
    not_ready = client.send_json("POST", url, {"action": "transfer_agent", "to_agent_id": bob.id})
    assert not_ready.status_code == 409 and "not ready" in not_ready.json["message"]
    check("POST", ACTION, not_ready)
    assert queued(redis_url, call.attempt_id) == []

    agents.login(bob.id, recent(10))
    agents.ready(bob.id, recent(10))
    listed = client.get(picker)
    assert listed.json == {"agents": [{"agent_id": bob.id, "display_name": bob.display_name}]}
    for action in ("consult_agent", "transfer_agent", "conference_agent"):
        sent = client.send_json("POST", url, {"action": action, "to_agent_id": bob.id})
        assert sent.status_code == 202, sent.json
        check("POST", ACTION, sent)
    bad = client.send_json("POST", url, {"action": "transfer_agent", "to_agent_id": "bob"})
    assert bad.status_code == 400
    commands = queued(redis_url, call.attempt_id)
    assert [(c["command"], c["agent_id"]) for c in commands] == [
        ("consult_agent", bob.id),
        ("transfer_agent", bob.id),
        ("conference_agent", bob.id),
    ]
    # Another agent's picker is not theirs to see.
    assert sign_in(bob).get(picker).status_code == 404


def test_the_agent_who_transferred_to_another_agent_ends_wrap_up_without_a_disposition(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    check: Any,
) -> None:
    campaign, contact, alice, bob = floor(db, make_agent, RecordingMode.ON_DEMAND)
    call = connected_call(db, agents, alice, campaign, contact)
    end = f"/api/v1/attempts/{call.attempt_id}/wrap-up-end"
    path = "/attempts/{attempt_id}/wrap-up-end"
    # What the worker does when Bob answers Alice's transfer (dialer.dialing).
    agents.login(bob.id, recent(20))
    agents.ready(bob.id, recent(20))
    assert agents.claim(campaign.id, call.attempt_id, recent(15), only_agent_id=bob.id)
    attempt_store.record_transfer(db, call.attempt_id, bob.display_name, recent(15), "answered")
    attempt_store.record_progress(db, call.attempt_id, AttemptState.CONNECTED, agent_id=bob.id)
    agents.connected(bob.id, call.attempt_id, recent(10))
    agents.ended(alice.id, call.attempt_id, recent(10))

    alice_client, bob_client = sign_in(alice), sign_in(bob)
    disposed = alice_client.send_json(
        "POST", f"/api/v1/attempts/{call.attempt_id}/disposition", {"code": "sale"}
    )
    assert disposed.status_code == 404  # the disposition is Bob's
    not_bobs = bob_client.send_json("POST", end, {})
    assert not_bobs.status_code == 409  # Bob has the call: he records its disposition
    check("POST", path, not_bobs)
    ended = alice_client.send_json("POST", end, {})
    assert check("POST", path, ended) == {"attempt_id": call.attempt_id, "state": "ready"}
    assert agents.status(alice.id).state.value == "ready"
    assert agents.status(bob.id).state.value == "on_call"


def test_an_agent_added_to_a_three_way_call_neither_acts_on_it_nor_owns_its_disposition(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, bob = floor(db, make_agent, RecordingMode.ON_DEMAND)
    call = connected_call(db, agents, alice, campaign, contact)
    # What the worker does when Bob answers Alice's conference_agent (dialer.dialing): on call
    # with the attempt, which stays Alice's.
    agents.login(bob.id, recent(20))
    agents.ready(bob.id, recent(20))
    assert agents.claim(campaign.id, call.attempt_id, recent(15), only_agent_id=bob.id)
    attempt_store.record_transfer(db, call.attempt_id, bob.display_name, recent(15), "conferenced")
    agents.connected(bob.id, call.attempt_id, recent(10))
    bob_client = sign_in(bob)
    action = f"/api/v1/attempts/{call.attempt_id}/call-action"
    held = bob_client.send_json("POST", action, {"action": "hold"})
    assert held.status_code == 409 and "added to another agent's call" in held.json["message"]
    check("POST", ACTION, held)
    hung_up = bob_client.send_json("POST", f"/api/v1/attempts/{call.attempt_id}/hangup", {})
    assert hung_up.status_code == 409
    assert queued(redis_url, call.attempt_id) == []
    # Alice drops him: wrap-up without a disposition (it is Alice's), ended by the button.
    attempt_store.record_transfer(db, call.attempt_id, bob.display_name, recent(5), "dropped")
    agents.ended(bob.id, call.attempt_id, recent(5), "conferenced")
    disposed = bob_client.send_json(
        "POST", f"/api/v1/attempts/{call.attempt_id}/disposition", {"code": "sale"}
    )
    assert disposed.status_code == 404
    ended = bob_client.send_json("POST", f"/api/v1/attempts/{call.attempt_id}/wrap-up-end", {})
    assert check("POST", "/attempts/{attempt_id}/wrap-up-end", ended) == {
        "attempt_id": call.attempt_id,
        "state": "ready",
    }
    # Alice still has the call and its disposition.
    assert sign_in(alice).send_json("POST", action, {"action": "hold"}).status_code == 202
