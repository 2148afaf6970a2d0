"""Waiting for one telephony event of a leg in a user agent's inbox."""

from __future__ import annotations

import time

from dialer.telephony import Inbox, LegEnded, LegId, TelephonyEvent


def wait_for(inbox: Inbox, kind: type, leg: LegId, timeout: float = 10.0) -> TelephonyEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = inbox.get(deadline - time.monotonic())
        if isinstance(event, kind) and getattr(event, "leg", None) == leg:
            return event
        if isinstance(event, LegEnded) and event.leg == leg:
            raise AssertionError(f"{leg} ended while waiting for {kind.__name__}: {event}")
    raise AssertionError(f"no {kind.__name__} for {leg} within {timeout} s")
