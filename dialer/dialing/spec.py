"""What to dial for an attempt (dialer.call_flow's AttemptSpec), from its row: the trunk, the
abandonment message, the AMD choices and the screen-pop headers. Errors here mean not dialed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from campaigns.amd_policy import AmdMode, samples_machine_verdict
from campaigns.rules import RULE_SETS
from campaigns.storage.attempt_store import AttemptToDial
from campaigns.storage.campaign_store import amd_from_json
from dialer.abandon_message import message_for
from dialer.call_flow.amd_policy import AmdPolicy, detector_settings
from dialer.call_flow.model import AttemptSpec, HandoffPolicy
from dialer.campaign_trunk import trunk_config
from dialer.telephony.numbers import E164
from dialer.telephony.requests import SipHeader


def attempt_spec(to_dial: AttemptToDial, data_dir: Path) -> AttemptSpec:
    """The call flow's spec; ValueError, TelephonyError, OSError or MessageUnavailable when the
    attempt cannot be dialed (the caller closes it as failed, nothing goes out)."""
    if to_dial.trunk is None:
        raise ValueError("the campaign has no trunk")
    config = trunk_config(to_dial.trunk, to_dial.caller_id)
    message = message_for(
        to_dial.campaign_name, to_dial.caller_id, to_dial.abandon_message, data_dir
    )
    name = f"{to_dial.first_name} {to_dial.last_name}".strip()
    headers = [
        SipHeader("X-Dialer-Attempt", str(to_dial.attempt_id)),
        SipHeader("X-Dialer-Campaign", _header_text(to_dial.campaign_name)),
    ]
    if to_dial.contact_id is not None:
        headers.append(SipHeader("X-Dialer-Contact", str(to_dial.contact_id)))
    if name:
        headers.append(SipHeader("X-Dialer-Contact-Name", _header_text(name)))
    return AttemptSpec(
        attempt_id=str(to_dial.attempt_id),
        number=E164(to_dial.called_number),
        trunk=config,
        ring_timeout=timedelta(seconds=to_dial.ring_timeout_s),
        handoff=HandoffPolicy(
            abandon_message=message, connect_window=RULE_SETS[to_dial.rule_set].agent_wait
        ),
        amd=amd_policy(to_dial),
        screen_pop=tuple(headers),
    )


def amd_policy(to_dial: AttemptToDial) -> AmdPolicy | None:
    """The campaign's AMD choices, read at dial time; raises ValueError (not dialed) on a
    voicemail message that cannot be played, before anyone is called."""
    choices = amd_from_json(to_dial.amd)
    if choices["amd"] is AmdMode.OFF:
        return None
    voicemail = choices["voicemail_message"]
    if voicemail is not None and not Path(voicemail).is_file():
        raise ValueError(f"voicemail message {voicemail!r} is not a readable file")
    settings, beep = detector_settings(choices["amd_thresholds"])
    return AmdPolicy(
        settings=settings,
        beep=beep,
        on_machine=choices["amd_on_machine"],
        on_not_sure=choices["amd_on_not_sure"],
        voicemail_message=Path(voicemail) if voicemail else None,
        check_machine=samples_machine_verdict(to_dial.attempt_id, choices["amd_machine_sample"]),
    )


def _header_text(text: str) -> str:
    """Header values: one line, printable; anything else is dropped, never sent."""
    return "".join(ch for ch in text if ch.isprintable())[:120]
