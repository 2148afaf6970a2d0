"""Waiting for one telephony event of a leg in a user agent's inbox."""

from __future__ import annotations

import time

from dialer.telephony import Inbox, LegEnded, LegId, TelephonyEvent


def wait_for(inbox: Inbox, kind: type, leg: LegId, timeout: float = 10.0) -> TelephonyEvent:
    """The leg's next event of this kind; the leg's other events are passed over.

    Events of other legs sharing the inbox are put back when the wait ends: two phones called at
    once answer in either order, and waiting for the first must not swallow the second's answer
    (a sip test failed on exactly that)."""
    others: list[TelephonyEvent] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = inbox.get(deadline - time.monotonic())
            if event is None:
                continue
            if getattr(event, "leg", None) != leg:
                others.append(event)
                continue
            if isinstance(event, kind):
                return event
            if isinstance(event, LegEnded):
                raise AssertionError(f"{leg} ended while waiting for {kind.__name__}: {event}")
        raise AssertionError(f"no {kind.__name__} for {leg} within {timeout} s")
    finally:
        for event in others:
            inbox.put(event)
