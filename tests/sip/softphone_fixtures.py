"""The `softphones` fixture: start `dialer softphone` processes, all stopped when the test ends.

Import it into a test module and list it in its `__all__`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from dialer.telephony.ports import free_udp_port

from .softphone_process import SoftphoneProcess


@pytest.fixture
def softphones() -> Iterator[Callable[..., SoftphoneProcess]]:
    started: list[SoftphoneProcess] = []

    def start(user: str, *options: str) -> SoftphoneProcess:
        phone = SoftphoneProcess("--port", str(free_udp_port()), "--user", user, *options)
        started.append(phone)
        return phone

    yield start
    for phone in started:
        phone.stop()
