"""The supervisor stops the children added last first: real processes and real signals."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dialer.supervisor import ChildSpec, Supervisor

# A child that, asked to stop, takes `linger` seconds (finishing a call), then notes its end.
_CHILD = """
import signal, sys, time
name, linger, journal = sys.argv[1], float(sys.argv[2]), sys.argv[3]
def stop(*_):
    time.sleep(linger)
    with open(journal, "a") as out:
        out.write(name + "\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop if linger >= 0 else signal.SIG_IGN)
with open(journal, "a") as out:
    out.write(name + " up\\n")
while True:
    time.sleep(0.05)
"""


def _child(name: str, linger: float, journal: Path) -> ChildSpec:
    return ChildSpec(name, [sys.executable, "-c", _CHILD, name, str(linger), str(journal)])


def _wait_until_up(journal: Path, count: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count(" up\n") == count:
            return
        time.sleep(0.05)
    raise AssertionError(f"children not up: {journal.read_text() if journal.exists() else ''}")


def test_later_children_are_stopped_first_and_the_core_waits_for_them(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    supervisor = Supervisor([_child("dashboard", 0, journal)], stop_timeout_s=10)
    supervisor.start()
    supervisor.add([_child("robot", 0.5, journal)], stop_timeout_s=10)
    _wait_until_up(journal, 2)

    supervisor.stop()

    ends = [line for line in journal.read_text().splitlines() if not line.endswith(" up")]
    # the robot's last disposition finds the dashboard still up
    assert ends == ["robot", "dashboard"]


def test_a_stage_that_will_not_stop_is_killed_at_its_own_deadline(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    supervisor = Supervisor([_child("dashboard", 0, journal)], stop_timeout_s=10)
    supervisor.start()
    supervisor.add([_child("stuck", -1, journal)], stop_timeout_s=0.5)
    _wait_until_up(journal, 2)

    supervisor.stop()

    ends = [line for line in journal.read_text().splitlines() if not line.endswith(" up")]
    assert ends == ["dashboard"]  # the stuck one killed, the core then stopped cleanly
    assert supervisor.alive() == []
