"""What a campaign does with answering-machine detection: the choices a supervisor makes.

Plain vocabulary (no audio code): the detector lives in `dialer.amd`, the call flow in
`dialer.call_flow`; both read these choices from the campaign.
"""

from __future__ import annotations

import hashlib
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


# The largest share of MACHINE verdicts a campaign may send to agents to be checked: more is
# not sampling but a different action (`amd_on_machine = to_agent`).
MAX_MACHINE_SAMPLE = 0.2


def machine_sample_problems(share: float) -> list[str]:
    if not 0.0 <= share <= MAX_MACHINE_SAMPLE:
        return [f"amd_machine_sample: must be 0-{MAX_MACHINE_SAMPLE:g} (a share), got {share:g}"]
    return []


def samples_machine_verdict(attempt_id: str | int, share: float) -> bool:
    """Whether this attempt's MACHINE verdict goes to an agent to be checked anyway.

    A campaign that hangs up on machines never hears its false positives, so the estimate of
    people hung up on (campaigns.amd_false_positives) would stay on its prior; the agent's
    disposition of a sampled call measures it. The draw is a hash of the attempt id, not a
    random number: the same attempt always gives the same answer (a retried task, a test, an
    audit), and the ids, being consecutive, spread evenly over the hash.
    """
    if share <= 0.0:
        return False
    digest = hashlib.blake2b(f"amd-sample:{attempt_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share
