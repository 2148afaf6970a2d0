"""`dialer softphone` against the real adapter: it rings with the screen pop, keys drive it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from dialer.carrier import Scenario, SippCarrier
from dialer.telephony import LegAnswered, LegEnded, LegId, LegRinging, OriginateRequest, SipHeader
from dialer.telephony.ports import free_udp_port

from .inbox_events import wait_for
from .softphone_process import SoftphoneProcess

pytestmark = pytest.mark.sip

SCREEN_POP = (
    SipHeader("X-Dialer-Attempt", "4711"),
    SipHeader("X-Dialer-Campaign", "Spring renewals"),
    SipHeader("X-Dialer-Contact", "1042"),
    SipHeader("X-Dialer-Contact-Name", "Ada Lovelace"),
)


@pytest.fixture
def softphone() -> Iterator[SoftphoneProcess]:
    phone = SoftphoneProcess("--port", str(free_udp_port()), "--user", "amy")
    yield phone
    phone.stop()


def test_softphone_rings_with_the_screen_pop_and_keys_answer_and_hang_up(
    telephony: object, softphone: SoftphoneProcess
) -> None:
    [uri] = softphone.ready_uris()
    assert uri.startswith("sip:amy@127.0.0.1:")
    inbox = telephony.open_inbox()  # type: ignore[attr-defined]
    leg = LegId("softphone-cli:agent")
    telephony.originate(OriginateRequest(leg, uri, headers=SCREEN_POP), inbox)  # type: ignore[attr-defined]
    wait_for(inbox, LegRinging, leg)
    softphone.wait_for("press a to answer")
    screen = softphone.screen()
    for shown in ("INCOMING CALL", "contact:  Ada Lovelace", "campaign: Spring renewals",
                  "contact#: 1042", "attempt:  4711"):  # fmt: skip
        assert shown in screen
    softphone.press("a")
    wait_for(inbox, LegAnswered, leg)
    softphone.wait_for("connected")
    softphone.press("m")
    softphone.wait_for("muted")
    softphone.press("p")
    softphone.wait_for("on hold")
    softphone.press("p")
    softphone.wait_for("off hold")
    softphone.press("5")
    softphone.wait_for("dtmf 5")
    softphone.press("h")
    ended = wait_for(inbox, LegEnded, leg)
    assert isinstance(ended, LegEnded) and ended.answered_at is not None
    softphone.wait_for("call ended")
    softphone.press("q")
    assert softphone.process.wait(timeout=20) == 0  # ordered shutdown, no abort


def test_softphone_declines_with_h_while_ringing(
    telephony: object, softphone: SoftphoneProcess
) -> None:
    [uri] = softphone.ready_uris()
    inbox = telephony.open_inbox()  # type: ignore[attr-defined]
    leg = LegId("softphone-cli:declined")
    telephony.originate(OriginateRequest(leg, uri), inbox)  # type: ignore[attr-defined]
    softphone.wait_for("press a to answer")
    softphone.press("h")
    ended = wait_for(inbox, LegEnded, leg)
    assert isinstance(ended, LegEnded) and ended.sip_status == 603


def test_softphone_registers_with_a_registrar_that_challenges_it(
    carrier: Callable[[Scenario], SippCarrier],
) -> None:
    registrar = carrier(Scenario.REGISTRAR)
    phone = SoftphoneProcess(
        "--port", str(free_udp_port()), "--user", "amy", "--password", "s3cret",
        "--registrar", f"sip:{registrar.host_port}",
    )  # fmt: skip
    try:
        phone.ready_uris()
        phone.wait_for("registered (200")
    finally:
        assert phone.stop() == 0
    authorised = registrar.wait_for_requests("REGISTER", 2)[1]  # then the un-REGISTER
    assert 'username="amy"' in authorised
    assert "<sip:amy@127.0.0.1>" in authorised.split("To:", 1)[1].splitlines()[0]


def test_softphone_with_a_wrong_password_says_it_is_not_registered(
    carrier: Callable[[Scenario], SippCarrier],
) -> None:
    registrar = carrier(Scenario.REGISTRAR)
    phone = SoftphoneProcess(
        "--port", str(free_udp_port()), "--user", "amy", "--password", "wrong",
        "--registrar", f"sip:{registrar.host_port}",
    )  # fmt: skip
    try:
        phone.wait_for("not registered (403")
    finally:
        phone.stop()
