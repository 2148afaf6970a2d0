"""Commands on a leg's audio, run on the SIP loop's thread (``SipLoop.submit``).

Each waits for the leg's media where it must (``SipLoop.when_media``): a bridge, a player, a
recorder or a tap asked for before the call has audio is wired the moment it has.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pjsua2 as pj

from dialer.telephony.errors import TelephonyError
from dialer.telephony.events import LegId
from dialer.telephony.interface import FrameSink
from dialer.telephony.pjsua2_adapter.objects import (
    FramePort,
    LegState,
    Player,
    Recording,
    pj_error,
)

if TYPE_CHECKING:
    from dialer.telephony.pjsua2_adapter.loop import SipLoop

log = logging.getLogger("dialer.telephony.pjsua2_adapter")


def bridge(loop: SipLoop, a: LegId, b: LegId, connect: bool) -> None:
    for leg in (a, b):
        loop.leg(leg)  # raises UnknownLeg

    def wire() -> None:
        if a not in loop.legs or b not in loop.legs:
            return
        if not (loop.legs[a].media_up and loop.legs[b].media_up):
            return
        first, second = loop.audio(a), loop.audio(b)
        if connect:
            first.startTransmit(second)
            second.startTransmit(first)
        else:
            first.stopTransmit(second)
            second.stopTransmit(first)

    if connect:
        loop.when_media(a, wire)
        loop.when_media(b, wire)
    else:
        wire()


def play(loop: SipLoop, leg: LegId, wav: Path, *, looped: bool = False) -> str:
    state = loop.leg(leg)
    playback = f"play-{next(loop.ids)}"
    player = Player(leg, playback, state.inbox)
    try:
        player.createPlayer(str(wav), 0 if looped else pj.PJMEDIA_FILE_NO_LOOP)
    except pj.Error as exc:
        raise pj_error(f"play {wav}", exc) from None
    state.players[playback] = player
    loop.when_media(leg, lambda: player.startTransmit(loop.audio(leg)))
    return playback


def stop_playback(loop: SipLoop, playback: str) -> None:
    for state in loop.legs.values():
        player = state.players.pop(playback, None)
        if player is not None:
            player.inbox = None
            return


def record(loop: SipLoop, legs: Sequence[LegId], wav: Path) -> str:
    for leg in legs:
        loop.leg(leg)
    recorder = pj.AudioMediaRecorder()
    try:
        recorder.createRecorder(str(wav))
    except pj.Error as exc:
        raise pj_error(f"record {wav}", exc) from None
    recording = f"rec-{next(loop.ids)}"
    loop.recordings[recording] = Recording(recorder, tuple(legs), wav)
    for leg in legs:
        loop.when_media(leg, partial(_transmit_to, loop, leg, recorder))
    return recording


def record_also(loop: SipLoop, recording: str, leg: LegId) -> None:
    loop.leg(leg)
    entry = loop.recordings.get(recording)
    if entry is None:
        raise TelephonyError(f"no recording {recording} under way", permanent=True)
    entry.legs = (*entry.legs, leg)  # stop_recording disconnects it with the others
    loop.when_media(leg, partial(_transmit_to, loop, leg, entry.recorder))


def _transmit_to(loop: SipLoop, leg: LegId, sink: pj.AudioMedia) -> None:
    loop.audio(leg).startTransmit(sink)


def stop_recording(loop: SipLoop, recording: str) -> Path | None:
    entry = loop.recordings.pop(recording, None)
    if entry is None:
        return loop.ended_recordings.pop(recording, None)
    for leg in entry.legs:
        state = loop.legs.get(leg)
        if state is not None and state.media_up:
            try:
                loop.audio(leg).stopTransmit(entry.recorder)
            except pj.Error as exc:
                log.info("stop recording %s: %s", recording, pj_error("stopTransmit", exc))
    return entry.path


def transmit(loop: SipLoop, source: LegId, to: LegId, on: bool) -> None:
    """One direction only (mute, a supervisor's paths). Starting waits for both legs'
    media (a supervisor's phone still ringing); stopping needs it now."""
    states = [loop.leg(leg) for leg in (source, to)]
    if on and not all(state.media_up for state in states):

        def start() -> None:
            live = source in loop.legs and to in loop.legs
            if live and loop.legs[source].media_up and loop.legs[to].media_up:
                loop.audio(source).startTransmit(loop.audio(to))

        loop.when_media(source, start)
        loop.when_media(to, start)
        return
    for leg, state in zip((source, to), states, strict=True):
        if not state.media_up:
            raise TelephonyError(f"leg {leg} has no audio yet", permanent=False)
    if on:
        loop.audio(source).startTransmit(loop.audio(to))
    else:
        loop.audio(source).stopTransmit(loop.audio(to))


def tap(loop: SipLoop, leg: LegId, sink: FrameSink) -> str:
    loop.leg(leg)
    port = (
        loop.port_pool.pop()
        if loop.port_pool
        else _new_port(
            loop,
        )
    )
    port.sink = sink
    tap = f"tap-{next(loop.ids)}"
    loop.taps[tap] = (leg, port)
    loop.legs[leg].taps.add(tap)
    loop.when_media(leg, lambda: loop.audio(leg).startTransmit(port))
    return tap


def _new_port(loop: SipLoop) -> FramePort:
    fmt = pj.MediaFormatAudio()
    fmt.init(pj.PJMEDIA_FORMAT_L16, 8000, 1, 20000, 16)
    port = FramePort()
    port.createPort(f"tap{next(loop.ids)}", fmt)
    return port


def untap(loop: SipLoop, tap: str) -> None:
    entry = loop.taps.pop(tap, None)
    if entry is None:
        return
    leg, port = entry
    port.sink = None
    state = loop.legs.get(leg)
    if state is not None:
        state.taps.discard(tap)
        if state.media_up:
            try:
                loop.audio(leg).stopTransmit(port)
            except pj.Error as exc:
                log.info("untap %s: %s", tap, pj_error("stopTransmit", exc))
    loop.port_pool.append(port)


def send_dtmf(loop: SipLoop, leg: LegId, digits: str) -> None:
    """RFC 2833 telephone events when the peer offered them, else SIP INFO (pjsua's
    dialDtmf refuses a peer without telephone-event in its SDP)."""
    call = loop.leg(leg).call
    try:
        call.dialDtmf(digits)
        return
    except pj.Error as exc:
        log.info("leg %s: no RFC 2833 (%s), DTMF by SIP INFO", leg, pj_error("dtmf", exc))
    prm = pj.CallSendDtmfParam()
    prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
    prm.digits = digits
    try:
        call.sendDtmf(prm)
    except pj.Error as exc:
        raise pj_error(f"dtmf {leg}", exc) from None


# -- a phone's call: the sound device, mute, hold ----------------------------------------
def use_sound_device(loop: SipLoop, leg: LegId) -> None:
    state = loop.leg(leg)
    state.sound = True
    if state.media_up:
        wire_sound(loop, state)


def mute(loop: SipLoop, leg: LegId, muted: bool) -> None:
    state = loop.leg(leg)
    state.muted = muted
    if state.sound and state.media_up:
        wire_sound(loop, state)


def wire_sound(loop: SipLoop, state: LegState) -> None:
    """Speaker always, microphone unless muted. Done again after every media change: a
    re-INVITE (hold, codec change) may give the call a new conference slot."""
    assert loop.ep is not None
    devices = loop.ep.audDevManager()
    call_audio = state.call.getAudioMedia(-1)
    call_audio.startTransmit(devices.getPlaybackDevMedia())
    microphone = devices.getCaptureDevMedia()
    if state.muted:
        microphone.stopTransmit(call_audio)
    else:
        microphone.startTransmit(call_audio)


def hold(loop: SipLoop, leg: LegId, held: bool) -> None:
    state = loop.leg(leg)
    prm = pj.CallOpParam(True)
    try:
        if held:
            state.call.setHold(prm)
        else:
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
            state.call.reinvite(prm)
    except pj.Error as exc:
        raise pj_error(f"{'hold' if held else 'unhold'} {leg}", exc) from None
