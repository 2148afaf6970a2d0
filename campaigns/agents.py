"""Agents (users who take calls on a softphone) and the pause codes they pick when not ready."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from campaigns.errors import ValidationError


class ForwardMode(StrEnum):
    OFF = "off"
    ALWAYS = "always"
    BUSY = "busy"
    NO_ANSWER = "no_answer"


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


_SIP_URI = re.compile(r"^sips?:[^\s<>\"]+$")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_PAUSE_CODE = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True)
class AgentSpec:
    """What an admin sets for an agent; the login (a user with role agent) comes with it."""

    sip_uri: str
    forward_mode: ForwardMode = ForwardMode.OFF
    forward_to: str | None = None
    campaign_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Agent:
    id: int
    user_id: int
    username: str
    display_name: str
    disabled: bool
    spec: AgentSpec
    created_at: datetime


@dataclass(frozen=True)
class PauseCode:
    code: str
    label: str


@dataclass(frozen=True)
class AgentStatus:
    """An agent's latest recorded state (agent_state_history); live state moves to Redis later."""

    agent_id: int
    username: str
    state: AgentState
    reason: str | None
    campaign_id: int | None
    since: datetime | None


def validate_agent(spec: AgentSpec) -> AgentSpec:
    problems = []
    if not _SIP_URI.match(spec.sip_uri):
        problems.append("sip_uri: a sip: or sips: URI, e.g. sip:alice@192.0.2.10:5060")
    if spec.forward_mode is not ForwardMode.OFF and not (
        spec.forward_to and (_SIP_URI.match(spec.forward_to) or _E164.fullmatch(spec.forward_to))
    ):
        problems.append(
            "forward_to: a sip: URI (another phone) or an E.164 number (through the campaign's"
            " trunk, if its transfer allow list has it) is needed when calls are forwarded"
        )
    if problems:
        raise ValidationError(problems)
    return AgentSpec(
        sip_uri=spec.sip_uri,
        forward_mode=spec.forward_mode,
        forward_to=spec.forward_to if spec.forward_mode is not ForwardMode.OFF else None,
        campaign_ids=tuple(sorted(set(spec.campaign_ids))),
    )


def validate_pause_code(code: PauseCode) -> PauseCode:
    problems = []
    if not _PAUSE_CODE.match(code.code):
        problems.append("code: 1-32 lower-case letters, digits or '_'")
    if not 1 <= len(code.label.strip()) <= 80:
        problems.append("label: 1-80 characters")
    if problems:
        raise ValidationError(problems)
    return PauseCode(code.code, code.label.strip())
