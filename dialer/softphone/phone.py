"""The interactive phone, pure: `on_key` and `on_event` return the new state and effects.

One call at a time, as on an agent's headset: a second INVITE while a call rings or talks is
refused busy (486), never queued. Keys: a answer, h hang up (or decline while ringing), m mute,
p hold, 0-9 * # DTMF (while talking), q quit, ? help. With no call, `*<slot>#` dials a
speed-dial entry through the dashboard (dialer.speed_dial): the worker then rings this phone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from dialer.softphone.screen_pop import ScreenPop, screen_pop
from dialer.telephony.events import (
    IncomingLeg,
    LegAnswered,
    LegEnded,
    LegId,
    RegistrationChanged,
    TelephonyEvent,
)

BUSY = 486
DECLINE = 603
DTMF_KEYS = frozenset("0123456789*#")
HELP = "keys: a answer  h hang up  m mute  p hold  0-9*# DTMF  *<slot># speed dial  q quit  ? help"
SPEED_DIAL_KEY = "*"
SPEED_DIAL_END = frozenset("#\r\n")
MAX_SLOT_DIGITS = 2


class CallPhase(StrEnum):
    RINGING = "ringing"
    TALKING = "talking"


@dataclass(frozen=True)
class Call:
    leg: LegId
    phase: CallPhase
    pop: ScreenPop
    muted: bool = False
    held: bool = False


@dataclass(frozen=True)
class PhoneState:
    auto_answer: bool = False
    call: Call | None = None
    # The digits of a speed-dial slot being typed after "*" (None: not typing one).
    slot_keys: str | None = None


# Effects: what the driver carries out, in order.


@dataclass(frozen=True)
class Answer:
    """Answer and wire the call to the sound device."""

    leg: LegId


@dataclass(frozen=True)
class Hangup:
    leg: LegId
    status: int = DECLINE


@dataclass(frozen=True)
class Mute:
    leg: LegId
    muted: bool


@dataclass(frozen=True)
class Hold:
    leg: LegId
    held: bool


@dataclass(frozen=True)
class Dtmf:
    leg: LegId
    digits: str


@dataclass(frozen=True)
class Show:
    text: str


@dataclass(frozen=True)
class SpeedDial:
    """Ask the dashboard to dial this speed-dial slot for the phone's agent."""

    slot: int


@dataclass(frozen=True)
class Quit:
    pass


Effect = Answer | Hangup | Mute | Hold | Dtmf | Show | SpeedDial | Quit
Step = tuple[PhoneState, tuple[Effect, ...]]


def on_key(state: PhoneState, key: str) -> Step:
    call = state.call
    if key == "q":
        hang = (Hangup(call.leg),) if call else ()
        return state, (*hang, Show("bye"), Quit())
    if key == "?":
        return state, (Show(HELP),)
    if call is None:
        return _idle_key(state, key)
    if call.phase is CallPhase.RINGING:
        if key in {"a", "\r", "\n"}:
            return state, (Answer(call.leg), Show("answering"))
        if key == "h":
            return state, (Hangup(call.leg, DECLINE), Show("declined"))
        return state, ()
    if key == "h":
        return state, (Hangup(call.leg), Show("hanging up"))
    if key == "m":
        muted = not call.muted
        return _with(state, replace(call, muted=muted)), (
            Mute(call.leg, muted),
            Show("muted" if muted else "unmuted"),
        )
    if key == "p":
        held = not call.held
        return _with(state, replace(call, held=held)), (
            Hold(call.leg, held),
            Show("on hold" if held else "off hold"),
        )
    if key in DTMF_KEYS:
        return state, (Dtmf(call.leg, key), Show(f"dtmf {key}"))
    return state, ()


def _idle_key(state: PhoneState, key: str) -> Step:
    """With no call: "*", the slot's digits, "#" (or Enter) dial a speed-dial entry."""
    typed = state.slot_keys
    if key == SPEED_DIAL_KEY:
        return replace(state, slot_keys=""), (Show("speed dial: slot number, then #"),)
    if typed is not None and key.isdigit() and len(typed) < MAX_SLOT_DIGITS:
        return replace(state, slot_keys=typed + key), ()
    if typed is not None and key in SPEED_DIAL_END:
        cleared = replace(state, slot_keys=None)
        if not typed or int(typed) == 0:
            return cleared, (Show("speed dial: no slot typed"),)
        return cleared, (SpeedDial(int(typed)), Show(f"speed dial {int(typed)}"))
    if typed is not None:
        return replace(state, slot_keys=None), (Show("speed dial cancelled"),)
    return state, (Show("no call"),) if key in {"a", "h", "m", "p"} else ()


def on_event(state: PhoneState, event: TelephonyEvent) -> Step:
    call = state.call
    match event:
        case IncomingLeg(leg, _, from_uri, _, headers):
            pop = screen_pop(from_uri, headers)
            if call is not None:
                return state, (Hangup(leg, BUSY), Show(f"busy: refused a call from {pop.caller}"))
            ringing = Call(leg, CallPhase.RINGING, pop)
            shown = tuple(Show(line) for line in ("INCOMING CALL", *pop.lines()))
            if state.auto_answer:
                return _with(state, ringing), (*shown, Answer(leg))
            return _with(state, ringing), (*shown, Show("press a to answer, h to decline"))
        case LegAnswered(leg) if call is not None and leg == call.leg:
            return _with(state, replace(call, phase=CallPhase.TALKING)), (Show("connected"),)
        case LegEnded(leg, _, status, reason) if call is not None and leg == call.leg:
            return _with(state, None), (Show(f"call ended ({status} {reason})".strip()),)
        case RegistrationChanged(_, _, registered, status, reason):
            text = "registered" if registered else "not registered"
            return state, (Show(f"{text} ({status} {reason})"),)
    return state, ()


def _with(state: PhoneState, call: Call | None) -> PhoneState:
    return replace(state, call=call)
