"""What a campaign does with answering-machine detection: the choices a supervisor makes.

Plain vocabulary (no audio code): the detector lives in `dialer.amd`, the call flow in
`dialer.call_flow`; both read these choices from the campaign.
"""

from __future__ import annotations

from enum import StrEnum


class MachineAction(StrEnum):
    """What happens to a call the detector says a machine answered."""

    HANG_UP = "hang_up"
    LEAVE_MESSAGE = "leave_message"  # wait for the beep, play the campaign's voicemail WAV
    TO_AGENT = "to_agent"  # connect it anyway (the agent leaves the message)


class NotSureAction(StrEnum):
    """What happens when the detector cannot tell (silence, noise, too long to decide).

    TO_AGENT is the safe default: hanging up on a person is an abandoned call (COMPLIANCE.md).
    """

    TO_AGENT = "to_agent"
    HANG_UP = "hang_up"


class AmdMode(StrEnum):
    OFF = "off"
    ON = "on"
