import pytest

from dialer.telephony import LegBudget, NoFreeLeg
from dialer.telephony.capacity import reserve_feature_leg

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


def test_a_feature_leg_counts_against_the_same_four() -> None:
    budget = LegBudget()
    attempts = budget.reserve(2), budget.reserve(1)
    assert None not in attempts
    extra = reserve_feature_leg(budget)
    assert budget.free() == 0
    with pytest.raises(NoFreeLeg, match="no free line on this worker for a third party"):
        reserve_feature_leg(budget)
    extra.release()
    assert budget.free() == 1


def test_a_feature_leg_that_was_placed_holds_its_slot_until_it_ends() -> None:
    budget = LegBudget()
    extra = reserve_feature_leg(budget)
    extra.spend_one()  # the third party's INVITE
    extra.release()  # the feature is over as far as its owner knows; the leg still lives
    assert budget.free() == 3
    extra.return_one()  # the leg ended
    assert budget.free() == 4
