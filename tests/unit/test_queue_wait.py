"""The wallboard's estimate of an inbound caller's wait (dialer.inbound.queue_board)."""

from __future__ import annotations

import pytest

from dialer.inbound.queue_board import estimated_wait


def test_a_caller_waits_nothing_while_a_ready_agent_is_free_for_them() -> None:
    assert estimated_wait(position=0, ready=1, serving=3, handle_s=120) == 0.0
    assert estimated_wait(position=1, ready=2, serving=3, handle_s=None) == 0.0


def test_each_caller_ahead_that_no_ready_agent_takes_adds_a_share_of_the_handle_time() -> None:
    # Next in line, nobody ready, 2 agents serving 150 s calls: one call ends every 75 s.
    assert estimated_wait(position=0, ready=0, serving=2, handle_s=150) == pytest.approx(75)
    assert estimated_wait(position=2, ready=0, serving=2, handle_s=150) == pytest.approx(225)
    # One ready agent takes the head; the second in line waits for the first call to end.
    assert estimated_wait(position=1, ready=1, serving=2, handle_s=150) == pytest.approx(75)


def test_no_estimate_without_a_recent_handle_time_or_an_agent_serving() -> None:
    assert estimated_wait(position=0, ready=0, serving=2, handle_s=None) is None
    assert estimated_wait(position=0, ready=0, serving=0, handle_s=150) is None
