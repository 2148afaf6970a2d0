"""Supervisor listen, whisper and barge: which way audio flows between the three parties.

A supervisor's softphone is called by the worker that holds the call, as one more leg in its
conference bridge. What the supervisor may hear and who hears the supervisor is a set of
one-way paths between the customer's, the agent's and the supervisor's ports; the customer and
the agent's own bridge is left as it is (hold, mute and transfer keep owning it).

- listen: the supervisor hears both sides, nobody hears the supervisor.
- whisper: listen, and the agent hears the supervisor (coaching); the customer does not.
- barge: everyone hears everyone.

Switching mode starts and stops only the paths that differ, so the call never drops audio
that both modes carry; leaving stops them all (the supervisor's leg is then hung up).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Party(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class SuperviseMode(StrEnum):
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


@dataclass(frozen=True, order=True)
class AudioPath:
    """``source``'s audio is sent to ``to`` (one direction of the conference bridge)."""

    source: Party
    to: Party


_LISTEN = frozenset(
    {AudioPath(Party.CUSTOMER, Party.SUPERVISOR), AudioPath(Party.AGENT, Party.SUPERVISOR)}
)
_PATHS: dict[SuperviseMode, frozenset[AudioPath]] = {
    SuperviseMode.LISTEN: _LISTEN,
    SuperviseMode.WHISPER: _LISTEN | {AudioPath(Party.SUPERVISOR, Party.AGENT)},
    SuperviseMode.BARGE: _LISTEN
    | {AudioPath(Party.SUPERVISOR, Party.AGENT), AudioPath(Party.SUPERVISOR, Party.CUSTOMER)},
}


def paths(mode: SuperviseMode | None) -> frozenset[AudioPath]:
    """The paths a mode needs; None (no supervisor) needs none."""
    return _PATHS[mode] if mode is not None else frozenset()


@dataclass(frozen=True)
class Switch:
    """What to change on the bridge to go from one mode to another (sorted: deterministic)."""

    start: tuple[AudioPath, ...]
    stop: tuple[AudioPath, ...]


def switch(current: SuperviseMode | None, wanted: SuperviseMode | None) -> Switch:
    """The paths to start and to stop to go from ``current`` to ``wanted`` (None: no supervisor)."""
    before, after = paths(current), paths(wanted)
    return Switch(start=tuple(sorted(after - before)), stop=tuple(sorted(before - after)))
