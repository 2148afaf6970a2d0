"""Answering-machine detection: is the answered call a person, a machine, or not sure (a person)?

Pure and incremental: feed 20 ms frames of 8 kHz signed 16-bit little-endian mono PCM with their
offset from the answer to an `AmdSession` (or the pure `analyse_frame`), and read `AmdDecided`, then
for a machine `BeepDetected` or `BeepWaitEnded`. `AnalysisRunner` runs sessions on analysis threads
so the audio thread only copies and enqueues. Callers must treat `Decision.NOT_SURE` as a person:
`connects_to_agent` says so in one place.
"""

from dialer.amd.audio import FRAME_BYTES, FRAME_MS, FrameFeatures, measure_frame
from dialer.amd.beep import BeepDetected, BeepWaitEnded, BeepWaitOutcome
from dialer.amd.classifier import AmdDecided, Cause
from dialer.amd.runner import AnalysisRunner, AudioTap, EventCallback
from dialer.amd.session import AmdEvent, AmdSession, SessionState, analyse_frame, connects_to_agent
from dialer.amd.settings import (
    AmdSettings,
    AmdSettingsError,
    BeepSettings,
    Decision,
    settings_as_dict,
)

__all__ = [
    "FRAME_BYTES",
    "FRAME_MS",
    "AmdDecided",
    "AmdEvent",
    "AmdSession",
    "AmdSettings",
    "AmdSettingsError",
    "AnalysisRunner",
    "AudioTap",
    "BeepDetected",
    "BeepSettings",
    "BeepWaitEnded",
    "BeepWaitOutcome",
    "Cause",
    "Decision",
    "EventCallback",
    "FrameFeatures",
    "SessionState",
    "analyse_frame",
    "connects_to_agent",
    "measure_frame",
    "settings_as_dict",
]
