import pytest

from dialer.telephony import LegBudget, NoFreeLeg

pytestmark = pytest.mark.unit


def test_reservations_never_exceed_the_four_legs_of_a_process() -> None:
    budget = LegBudget()
    first, second = budget.reserve(2), budget.reserve(2)
    assert first is not None and second is not None
    assert budget.reserve(1) is None
    with pytest.raises(NoFreeLeg):
        budget.take_one()


def test_a_leg_that_ends_returns_its_slot_to_the_attempt_until_released() -> None:
    budget = LegBudget()
    reservation = budget.reserve(2)
    assert reservation is not None
    reservation.spend_one()
    reservation.return_one()
    assert reservation.left == 2
    assert budget.free() == 2
    reservation.spend_one()
    reservation.release()
    assert budget.free() == 3  # the live leg still holds its slot
    reservation.return_one()
    assert budget.free() == 4
