"""Which number was called and who called, from the INVITE's To and From."""

from __future__ import annotations

import pytest

from dialer.inbound.queue_call import callback_zones, number_of


@pytest.mark.parametrize(
    ("uri", "number"),
    [
        ("<sip:+18005550100@10.0.0.1:5080>", "+18005550100"),
        ('"Ada" <sip:+12125550123@carrier.example;user=phone>', "+12125550123"),
        ("sip:18005550100@10.0.0.1", "+18005550100"),  # digits only: E.164 without the '+'
        ("<sip:anonymous@anonymous.invalid>", "anonymous"),  # a withheld number stays a name
        ("sip:1234@pbx", "1234"),  # an extension is not made a number
    ],
)
def test_the_number_is_the_user_part_of_the_uri(uri: str, number: str) -> None:
    assert number_of(uri) == number


def test_a_callback_is_dialed_only_in_the_caller_s_candidate_zones() -> None:
    assert callback_zones("+12125550123") == ("America/New_York",)
    assert callback_zones("not a number") == ()
