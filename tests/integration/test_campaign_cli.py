"""`dialer campaign` and `dialer trunk` against a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import run_cli

pytestmark = pytest.mark.usefixtures("db", "service_env")

CALLER_ID = "+12025550100"


def test_a_created_campaign_is_listed_and_shown(capsys: pytest.CaptureFixture[str]) -> None:
    created = run_cli(capsys, "campaign", "create", "Demo", "--caller-id", CALLER_ID, "--json")
    assert created.code == 0, created.err
    assert created.json()["name"] == "Demo"
    assert created.json()["state"] == "stopped"

    listed = run_cli(capsys, "campaign", "list", "--json")
    assert [c["name"] for c in listed.json()] == ["Demo"]

    shown = run_cli(capsys, "campaign", "show", "Demo", "--json")
    assert shown.json()["caller_id"] == CALLER_ID
    assert shown.json()["ring_timeout_s"] >= 15


def test_rule_set_supplies_calling_hours_that_options_override(
    capsys: pytest.CaptureFixture[str],
) -> None:
    created = run_cli(
        capsys,
        "campaign", "create", "Toronto", "--caller-id", "+14165550100", "--rule-set", "CA",
        "--hours", "sunday=off", "--json",
    )  # fmt: skip
    hours = created.json()["calling_hours"]
    assert hours["weekday"] == ["09:00", "21:30"]
    assert hours["saturday"] == ["10:00", "18:00"]
    assert hours["sunday"] is None


def test_update_changes_only_what_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "campaign", "create", "Demo", "--caller-id", CALLER_ID, "--max-attempts", "7")
    updated = run_cli(
        capsys,
        "campaign",
        "update",
        "Demo",
        "--retry",
        "busy=600/2",
        "--dial-mode",
        "ratio",
        "--json",
    )
    assert updated.code == 0, updated.err
    data = updated.json()
    assert data["dial_mode"] == "ratio"
    assert data["max_attempts"] == 7
    assert data["retry_policy"]["busy"] == {"delay_s": 600, "max_attempts": 2}


def test_recording_mode_and_retention_are_set_and_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    created = run_cli(
        capsys,
        "campaign", "create", "Recorded", "--caller-id", CALLER_ID, "--recording", "on_demand",
        "--json",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert (created.json()["recording"], created.json()["recording_retention_days"]) == (
        "on_demand", 90
    )  # fmt: skip
    updated = run_cli(
        capsys,
        "campaign", "update", "Recorded", "--recording", "always", "--recording-retention", "30",
        "--json",
    )  # fmt: skip
    assert (updated.json()["recording"], updated.json()["recording_retention_days"]) == (
        "always", 30
    )  # fmt: skip
    refused = run_cli(capsys, "campaign", "update", "Recorded", "--recording-retention", "0")
    assert refused.code != 0 and "recording_retention_days" in refused.err


def test_transfer_destinations_are_set_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    created = run_cli(
        capsys, "campaign", "create", "Transfers", "--caller-id", CALLER_ID, "--json"
    )  # fmt: skip
    assert created.code == 0, created.err
    assert created.json()["transfer_destinations"] == []  # none by default: no toll fraud
    updated = run_cli(
        capsys,
        "campaign", "update", "Transfers", "--transfer-destinations", "+1415555XXXX +44207*",
        "--json",
    )  # fmt: skip
    assert updated.json()["transfer_destinations"] == ["+1415555XXXX", "+44207*"]
    refused = run_cli(
        capsys, "campaign", "update", "Transfers", "--transfer-destinations", "+1*"
    )  # fmt: skip
    assert refused.code != 0 and "too wide" in refused.err


def test_the_preview_hold_limit_is_set_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    created = run_cli(
        capsys,
        "campaign", "create", "Previewed", "--caller-id", CALLER_ID, "--dial-mode", "preview",
        "--json",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert created.json()["preview_timeout_s"] == 300
    updated = run_cli(
        capsys, "campaign", "update", "Previewed", "--preview-timeout", "90", "--json"
    )  # fmt: skip
    assert updated.json()["preview_timeout_s"] == 90
    refused = run_cli(capsys, "campaign", "update", "Previewed", "--preview-timeout", "10")
    assert refused.code != 0 and "preview_timeout_s: must be 30-3600 s" in refused.err


def test_campaign_moves_through_start_pause_stop_once_it_has_a_trunk(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_cli(capsys, "campaign", "create", "Demo", "--caller-id", CALLER_ID)
    refused = run_cli(capsys, "campaign", "start", "Demo")
    assert refused.code == 1
    assert "has no trunk" in refused.err

    trunk = run_cli(capsys, "trunk", "create", "carrier", "--uri", "sip:{number}@127.0.0.1:5060")
    assert trunk.code == 0, trunk.err
    run_cli(capsys, "campaign", "update", "Demo", "--trunk", "carrier")
    for command, state in (("start", "running"), ("pause", "paused"), ("stop", "stopped")):
        result = run_cli(capsys, "campaign", command, "Demo", "--json")
        assert result.json()["state"] == state


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("campaign", "show", "Nope"), "no campaign named 'Nope'"),
        (("campaign", "start", "Nope"), "no campaign named 'Nope'"),
        (("campaign", "create", "X", "--caller-id", "555"), "caller_id"),
        (("campaign", "create", "X", "--caller-id", CALLER_ID, "--ring-timeout", "5"), "15"),
        (("campaign", "create", "X", "--caller-id", CALLER_ID, "--hours", "monday=1-2"), "hours"),
        (("campaign", "create", "X", "--caller-id", CALLER_ID, "--retry", "busy=soon"), "retry"),
        (("campaign", "create", "X", "--caller-id", CALLER_ID, "--trunk", "none"), "no trunk"),
        (("campaign", "create", "X", "--caller-id", CALLER_ID, "--dial-mode", "turbo"), "turbo"),
        (("trunk", "create", "t", "--uri", "http://carrier"), "uri_template"),
    ],
)
def test_bad_input_gives_one_clear_line_and_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    result = run_cli(capsys, *args)
    assert result.code != 0
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_a_duplicate_name_is_refused_and_the_first_campaign_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_cli(capsys, "campaign", "create", "Demo", "--caller-id", CALLER_ID)
    again = run_cli(capsys, "campaign", "create", "Demo", "--caller-id", "+12025550199")
    assert again.code == 1
    assert "already exists" in again.err
    assert run_cli(capsys, "campaign", "show", "Demo", "--json").json()["caller_id"] == CALLER_ID


def test_every_new_campaign_has_the_standard_dispositions(
    capsys: pytest.CaptureFixture[str], db: object
) -> None:
    run_cli(capsys, "campaign", "create", "Demo", "--caller-id", CALLER_ID)
    codes = {row[0] for row in db.execute("SELECT code FROM dispositions")}  # type: ignore[attr-defined]
    assert {"sale", "callback", "do_not_call", "answering_machine"} <= codes


def test_answering_machine_detection_is_set_and_kept_by_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    created = run_cli(capsys, "campaign", "create", "Amd", "--caller-id", CALLER_ID, "--json")
    assert created.json()["amd"] == "off"
    refused = run_cli(
        capsys, "campaign", "update", "Amd", "--amd", "on", "--amd-machine", "leave_message"
    )
    assert refused.code != 0 and "voicemail_message" in refused.err + refused.out
    wav = tmp_path / "vm.wav"
    wav.write_bytes(b"RIFF")
    updated = run_cli(
        capsys,
        "campaign", "update", "Amd", "--amd", "on", "--amd-machine", "leave_message",
        "--amd-not-sure", "hang_up", "--voicemail-message", str(wav), "--json",
    )  # fmt: skip
    assert updated.code == 0, updated.err
    data = run_cli(capsys, "campaign", "show", "Amd", "--json").json()
    assert data["amd"] == "on"
    assert data["amd_on_machine"] == "leave_message"
    assert data["amd_on_not_sure"] == "hang_up"
    assert data["voicemail_message"] == str(wav)
    off = run_cli(capsys, "campaign", "update", "Amd", "--amd", "off", "--json").json()
    assert off["amd"] == "off" and off["amd_on_machine"] == "leave_message"  # choices kept


def test_amd_thresholds_are_set_by_name_and_checked_by_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    created = run_cli(
        capsys, "campaign", "create", "Amd", "--caller-id", CALLER_ID,
        "--amd-threshold", "greeting_ms=2400", "--json",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert created.json()["amd_thresholds"]["greeting_ms"] == 2400
    updated = run_cli(
        capsys, "campaign", "update", "Amd", "--amd-threshold", "max_words=6", "--json"
    ).json()
    assert (updated["amd_thresholds"]["greeting_ms"], updated["amd_thresholds"]["max_words"]) == (
        2400, 6
    )  # fmt: skip
    refused = run_cli(capsys, "campaign", "update", "Amd", "--amd-threshold", "max_words=99")
    assert refused.code != 0 and "amd_thresholds.max_words" in refused.err + refused.out
    unknown = run_cli(capsys, "campaign", "update", "Amd", "--amd-threshold", "loud")
    assert unknown.code != 0 and "NAME=VALUE" in unknown.err + unknown.out


def test_the_share_of_machines_checked_by_agents_is_set_and_checked_by_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    created = run_cli(
        capsys, "campaign", "create", "Amd", "--caller-id", CALLER_ID, "--amd", "on",
        "--amd-machine-sample", "0.02", "--json",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert created.json()["amd_machine_sample"] == 0.02
    refused = run_cli(capsys, "campaign", "update", "Amd", "--amd-machine-sample", "0.5")
    assert refused.code != 0 and "amd_machine_sample" in refused.err + refused.out
