"""Workers start only when PostgreSQL can give each its first connection."""

from __future__ import annotations

import pytest

from campaigns.storage.server_store import ConnectionSlots
from dialer.connection_budget import ConnectionBudgetExceeded, check_worker_connections


def test_100_workers_do_not_fit_the_default_100_connections() -> None:
    slots = ConnectionSlots(max_connections=100, reserved=3, in_use=4)

    with pytest.raises(ConnectionBudgetExceeded) as refused:
        check_worker_connections(slots, 100)

    message = str(refused.value)
    assert "need at least 100" in message and "93 are free" in message
    assert "max_connections 100" in message


def test_workers_that_fit_at_start_but_not_at_peak_start_with_a_warning() -> None:
    budget = check_worker_connections(ConnectionSlots(400, 3, 10), 100)

    assert (budget.at_start, budget.at_peak, budget.free) == (100, 400, 387)
    assert budget.warning is not None and "up to 400" in budget.warning


def test_workers_whose_pools_all_fit_start_quietly() -> None:
    assert check_worker_connections(ConnectionSlots(400, 3, 10), 50).warning is None
