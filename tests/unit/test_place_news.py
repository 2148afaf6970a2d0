"""What a queued caller is told of their place and wait, and when (dialer.inbound.place_news)."""

from __future__ import annotations

from dialer.inbound.place_news import PlaceNews, due, sentence


def test_the_place_is_told_at_every_period_of_waiting_and_never_when_switched_off() -> None:
    assert not due(waited_s=29.9, told=0, every_s=30)
    assert due(waited_s=30.0, told=0, every_s=30)
    assert not due(waited_s=45.0, told=1, every_s=30)
    assert due(waited_s=61.0, told=1, every_s=30)
    assert not due(waited_s=600.0, told=0, every_s=0)


def test_the_caller_hears_their_number_in_line_and_the_wait_in_whole_minutes_rounded_up() -> None:
    assert sentence(PlaceNews(3, 181.0)) == (
        "You are caller number 3. Your estimated wait is about 4 minutes."
    )
    assert sentence(PlaceNews(1, 60.0)) == (
        "You are caller number 1. Your estimated wait is about 1 minute."
    )


def test_short_long_and_unknown_waits_are_said_plainly() -> None:
    assert sentence(PlaceNews(1, 0.0)).endswith("Your estimated wait is less than a minute.")
    assert sentence(PlaceNews(40, 4000.0)).endswith("Your estimated wait is more than an hour.")
    assert sentence(PlaceNews(2, None)) == "You are caller number 2."
