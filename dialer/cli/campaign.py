"""`dialer campaign`: create, change, inspect, start, pause and stop campaigns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
import redis

from campaigns.amd_policy import AmdMode, MachineAction, NotSureAction
from campaigns.amd_thresholds import AmdThresholds, thresholds_from_json
from campaigns.attempt import RetryableOutcome
from campaigns.campaign import (
    Campaign,
    CampaignSpec,
    CampaignState,
    DialMode,
    RecordingMode,
    RetryRule,
    campaign_as_dict,
    parse_window,
    validate_spec,
)
from campaigns.errors import ValidationError
from campaigns.rules import RULE_SETS, CallingHours, RuleSetName
from campaigns.storage import campaign_store, claim_store, pacing_store, preview_store
from campaigns.transfer_destinations import parse_destinations
from dialer.bootstrap import RedisUnavailable, redis_client
from dialer.cli.output import emit_fields, emit_json, emit_table
from dialer.cli.runtime import Runtime
from dialer.scheduler.published import PACING_KEY

_DAYS = ("weekday", "saturday", "sunday")


def _settings_options(creating: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The campaign settings of `create` and `update` (update changes only what is given)."""
    options = [
        click.option(
            "--caller-id", required=creating, help="Caller ID sent with every call (E.164)."
        ),
        click.option("--trunk", help="Name of the SIP trunk (see `dialer trunk`)."),
        click.option("--dial-mode", type=click.Choice([m.value for m in DialMode])),
        click.option("--dial-ratio", type=float, help="Calls per idle agent in ratio mode."),
        click.option(
            "--abandon-target", type=float, help="Abandonment the pacing aims at (0.025)."
        ),
        click.option("--min-agents", type=int, help="Fewest agents for predictive pacing."),
        click.option("--max-lines", type=int, help="Most calls in flight for this campaign."),
        click.option("--rule-set", type=click.Choice([r.value for r in RuleSetName])),
        click.option(
            "--hours",
            multiple=True,
            metavar="DAY=HH:MM-HH:MM",
            help="Calling window in the called party's time; DAY is weekday, saturday, sunday "
            "or all; 'off' for no calls that day. Repeatable.",
        ),
        click.option("--ring-timeout", type=int, help="Seconds to ring before giving up (>= 15)."),
        click.option("--max-attempts", type=int, help="Most attempts per contact."),
        click.option(
            "--retry",
            multiple=True,
            metavar="OUTCOME=DELAY_S/MAX",
            help="Retry rule per outcome, e.g. busy=900/3. Repeatable.",
        ),
        click.option("--wrapup-limit", type=int, help="Seconds an agent may spend in wrap-up."),
        click.option("--timezone", help="The campaign's own time zone (its schedule)."),
        click.option("--region", help="Default region for numbers without a country code."),
        click.option("--recording", type=click.Choice([r.value for r in RecordingMode])),
        click.option(
            "--amd",
            type=click.Choice([m.value for m in AmdMode]),
            help="Answering-machine detection.",
        ),
        click.option(
            "--amd-machine",
            type=click.Choice([a.value for a in MachineAction]),
            help="What to do when a machine answers (with --amd on).",
        ),
        click.option(
            "--amd-not-sure",
            type=click.Choice([a.value for a in NotSureAction]),
            help="What to do when AMD cannot tell (silence, noise): to_agent is the safe side.",
        ),
        click.option("--voicemail-message", help="WAV left on machines after the beep."),
        click.option(
            "--amd-machine-sample",
            type=float,
            help="Share of machine verdicts still connected to an agent, whose disposition "
            "measures AMD's false positives (0-0.2, e.g. 0.02; 0: none).",
        ),
        click.option(
            "--amd-threshold",
            multiple=True,
            metavar="NAME=VALUE",
            help="An AMD threshold, e.g. greeting_ms=2400 (docs/amd.md lists them). Repeatable.",
        ),
        click.option(
            "--recording-retention", type=int, help="Days a call recording is kept (1-3650)."
        ),
        click.option(
            "--transfer-destinations",
            help="Where agents may transfer calls: E.164 numbers or patterns (X one digit, "
            "final * any digits) separated by spaces, e.g. '+1415555XXXX +44207*'; '' for none.",
        ),
        click.option(
            "--preview-timeout",
            type=int,
            help="Preview mode: seconds a contact is held undialed before it goes back (30-3600).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    ]

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def _thresholds(spec: CampaignSpec, pairs: tuple[str, ...]) -> AmdThresholds:
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise ValidationError([f"--amd-threshold: expected NAME=VALUE, got {pair!r}"])
        values[name.strip()] = value.strip()
    return thresholds_from_json(values, base=spec.amd_thresholds)


def _apply(spec: CampaignSpec, options: dict[str, Any]) -> CampaignSpec:
    changes: dict[str, Any] = {}
    simple = {
        "caller_id": "caller_id",
        "trunk": "trunk",
        "dial_ratio": "dial_ratio",
        "abandon_target": "abandon_target",
        "min_agents": "min_agents_predictive",
        "max_lines": "max_lines",
        "ring_timeout": "ring_timeout_s",
        "max_attempts": "max_attempts",
        "wrapup_limit": "wrapup_limit_s",
        "recording_retention": "recording_retention_days",
        "preview_timeout": "preview_timeout_s",
        "timezone": "timezone",
        "amd_machine_sample": "amd_machine_sample",
    }
    for option, attribute in simple.items():
        if options.get(option) is not None:
            changes[attribute] = options[option]
    if options.get("dial_mode"):
        changes["dial_mode"] = DialMode(options["dial_mode"])
    if options.get("recording"):
        changes["recording"] = RecordingMode(options["recording"])
    if options.get("amd"):
        changes["amd"] = AmdMode(options["amd"])
    if options.get("amd_machine"):
        changes["amd_on_machine"] = MachineAction(options["amd_machine"])
    if options.get("amd_not_sure"):
        changes["amd_on_not_sure"] = NotSureAction(options["amd_not_sure"])
    if options.get("transfer_destinations") is not None:
        changes["transfer_destinations"] = parse_destinations(options["transfer_destinations"])
    if options.get("voicemail_message") is not None:
        changes["voicemail_message"] = options["voicemail_message"] or None
    if options.get("amd_threshold"):
        changes["amd_thresholds"] = _thresholds(spec, options["amd_threshold"])
    if options.get("region"):
        changes["default_region"] = options["region"].upper()
    hours = spec.calling_hours
    if options.get("rule_set"):
        rule_set = RuleSetName(options["rule_set"])
        changes["rule_set"] = rule_set
        hours = RULE_SETS[rule_set].calling_hours
    changes["calling_hours"] = _hours(hours, options.get("hours") or ())
    if options.get("retry"):
        changes["retry_policy"] = _retry(dict(spec.retry_policy), options["retry"])
    return replace(spec, **changes)


def _hours(hours: CallingHours, values: tuple[str, ...]) -> CallingHours:
    for value in values:
        day, _, window_text = value.partition("=")
        days = _DAYS if day == "all" else (day,)
        if not window_text or any(d not in _DAYS for d in days):
            raise ValidationError(
                [
                    f"hours: expected DAY=HH:MM-HH:MM with DAY in all, {', '.join(_DAYS)}; "
                    f"got {value!r}"
                ]
            )
        try:
            window = None if window_text == "off" else parse_window(window_text)
        except ValueError as error:
            raise ValidationError([f"hours: {error}"]) from None
        hours = replace(hours, **dict.fromkeys(days, window))
    return hours


def _retry(
    policy: dict[RetryableOutcome, RetryRule], values: tuple[str, ...]
) -> dict[RetryableOutcome, RetryRule]:
    for value in values:
        outcome, _, rule = value.partition("=")
        delay, _, most = rule.partition("/")
        try:
            policy[RetryableOutcome(outcome)] = RetryRule(int(delay), int(most))
        except ValueError:
            outcomes = ", ".join(o.value for o in RetryableOutcome)
            raise ValidationError(
                [f"retry: expected OUTCOME=DELAY_S/MAX with OUTCOME in {outcomes}; got {value!r}"]
            ) from None
    return policy


def _show(campaign: Campaign, as_json: bool) -> None:
    data = campaign_as_dict(campaign)
    emit_json(data) if as_json else emit_fields(data)


@click.group()
def campaign() -> None:
    """Campaigns: settings and state."""


@campaign.command()
@click.argument("name")
@_settings_options(creating=True)
@click.pass_obj
def create(runtime: Runtime, /, name: str, as_json: bool, **options: Any) -> None:
    """Create a campaign (stopped) with the rule set's defaults for anything not given."""
    rule_set = RuleSetName(options.get("rule_set") or RuleSetName.US)
    base = CampaignSpec(
        name=name, caller_id=options["caller_id"], calling_hours=RULE_SETS[rule_set].calling_hours
    )
    spec = validate_spec(_apply(base, options))
    with runtime.connection() as conn:
        _show(campaign_store.insert_campaign(conn, spec), as_json)


@campaign.command()
@click.argument("name")
@_settings_options(creating=False)
@click.option("--rename", help="A new name for the campaign.")
@click.pass_obj
def update(
    runtime: Runtime, /, name: str, as_json: bool, rename: str | None, **options: Any
) -> None:
    """Change a campaign's settings; only the options given change."""
    with runtime.connection() as conn:
        current = campaign_store.find_campaign(conn, name)
        spec = _apply(current.spec, options)
        if rename:
            spec = replace(spec, name=rename)
        _show(campaign_store.update_campaign(conn, current.id, validate_spec(spec)), as_json)


@campaign.command(name="list")
@click.option("--state", type=click.Choice([s.value for s in CampaignState]))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def list_(runtime: Runtime, state: str | None, as_json: bool) -> None:
    """List campaigns."""
    with runtime.connection() as conn:
        found = campaign_store.list_campaigns(conn, CampaignState(state) if state else None)
    rows = [campaign_as_dict(c) for c in found]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "name", "state", "dial_mode", "caller_id", "trunk", "rule_set"])


@campaign.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def show(runtime: Runtime, name: str, as_json: bool) -> None:
    """Show every setting of a campaign."""
    with runtime.connection() as conn:
        _show(campaign_store.find_campaign(conn, name), as_json)


def _state_command(new_state: CampaignState, help_text: str) -> click.Command:
    @click.command(
        name={"running": "start", "paused": "pause", "stopped": "stop"}[new_state], help=help_text
    )
    @click.argument("name")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    @click.pass_obj
    def command(runtime: Runtime, name: str, as_json: bool) -> None:
        with runtime.connection() as conn:
            found = campaign_store.find_campaign(conn, name)
            if new_state is CampaignState.RUNNING and found.spec.trunk is None:
                raise ValidationError(
                    [
                        f"trunk: campaign {name!r} has no trunk; set one with "
                        f"`dialer campaign update {name} --trunk NAME`"
                    ]
                )
            _show(campaign_store.set_campaign_state(conn, found.id, new_state), as_json)

    return command


campaign.add_command(_state_command(CampaignState.RUNNING, "Start dialing."))
campaign.add_command(
    _state_command(CampaignState.PAUSED, "Stop placing new calls; calls in progress finish.")
)
campaign.add_command(
    _state_command(CampaignState.STOPPED, "Stop the campaign; calls in progress finish.")
)


@campaign.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def status(runtime: Runtime, name: str, as_json: bool) -> None:
    """Why a campaign is or is not dialing: contacts by the rule that blocks them, and the
    scheduler's last pacing decision."""
    now = datetime.now(UTC)
    with runtime.connection() as conn:
        found = campaign_store.find_campaign(conn, name)
        counts = claim_store.dialability_counts(conn, found, now)
        open_calls = len(pacing_store.open_calls(conn, found.id))
        previewing = preview_store.previews_held(conn, found.id)
    preview = found.spec.dial_mode is DialMode.PREVIEW
    pacing = None if preview else _last_decision(runtime, found.id)
    data: dict[str, Any] = {
        "campaign": found.name,
        "state": found.state.value,
        "dial_mode": found.spec.dial_mode.value,
        "schedule_open": found.spec.schedule.is_open(now, ZoneInfo(found.spec.timezone)),
        "contacts": counts.total,
        "dialable_now": counts.dialable_now,
        "blocked": {reason.value: count for reason, count in counts.blocked.items()},
        "calls_in_progress": open_calls,
        # Preview campaigns: contacts shown to agents, not dialed yet (counted in in_flight).
        "previewing": previewing,
        "pacing": pacing,
    }
    if as_json:
        emit_json(data)
        return
    emit_fields({k: v for k, v in data.items() if k not in ("blocked", "pacing")})
    click.echo("blocked:")
    for reason, count in data["blocked"].items():
        click.echo(f"  {reason:<20} {count}")
    if preview:
        click.echo("pacing: none, a preview campaign: each agent dials the contact shown to them")
    else:
        click.echo(f"last pacing decision: {json.dumps(pacing) if pacing else 'none yet'}")


def _last_decision(runtime: Runtime, campaign_id: int) -> dict[str, Any] | None:
    """The scheduler's last decision for the campaign (it keeps it in Redis for a minute)."""
    try:
        client = redis_client(runtime.services().redis_url)
        raw = client.get(f"{PACING_KEY}{campaign_id}")
    except (RedisUnavailable, redis.RedisError):
        return None
    return json.loads(str(raw)) if raw else None
