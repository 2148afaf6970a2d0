from dataclasses import replace
from datetime import UTC, datetime, timedelta

from campaigns.agent_dial_rules import DialFacts, DialSubject, refusal
from campaigns.campaign import CampaignSpec
from campaigns.rules import RuleSetName

US = CampaignSpec(name="Demo", caller_id="+12025550100", max_attempts=3)
UK = replace(US, rule_set=RuleSetName.UK)
# 13:30 UTC in July: 09:30 in New York (open), 06:30 in Los Angeles (closed).
MORNING = datetime(2026, 7, 15, 13, 30, tzinfo=UTC)
ALLOWED = DialFacts(
    on_dnc=False,
    time_zones=("America/New_York",),
    attempts=0,
    last_abandoned_at=None,
    campaign_running=True,
)


def test_allows_a_contact_every_rule_allows() -> None:
    assert refusal(ALLOWED, US, MORNING, DialSubject.CONTACT) is None


def test_never_dials_a_number_on_a_dnc_list() -> None:
    why = refusal(replace(ALLOWED, on_dnc=True), US, MORNING, DialSubject.CONTACT)
    assert why == "the number is on a do-not-call list"


def test_refuses_when_any_zone_of_the_number_is_outside_the_calling_hours() -> None:
    facts = replace(ALLOWED, time_zones=("America/New_York", "America/Los_Angeles"))
    why = refusal(facts, US, MORNING, DialSubject.NUMBER)
    assert why == "outside the calling hours of the number's time zone"


def test_refuses_a_contact_at_the_campaigns_attempt_cap() -> None:
    why = refusal(replace(ALLOWED, attempts=3), US, MORNING, DialSubject.CONTACT)
    assert why == "the contact has had the campaign's maximum number of attempts"


def test_refuses_while_the_campaign_is_not_running_or_the_contact_is_closed() -> None:
    facts = replace(ALLOWED, campaign_running=False, contact_open=False)
    why = refusal(facts, US, MORNING, DialSubject.CONTACT)
    assert why == (
        "the campaign is not running; the contact is closed (done, exhausted or do-not-call)"
    )


def test_refuses_a_number_already_being_called() -> None:
    why = refusal(replace(ALLOWED, being_called=True), US, MORNING, DialSubject.NUMBER)
    assert why == "the number is being called"


def test_uk_cool_down_after_an_abandoned_call_lasts_72_hours() -> None:
    recent = replace(ALLOWED, last_abandoned_at=MORNING - timedelta(hours=71))
    older = replace(ALLOWED, last_abandoned_at=MORNING - timedelta(hours=73))
    assert "cool-down" in (refusal(recent, UK, MORNING, DialSubject.CONTACT) or "")
    assert refusal(older, UK, MORNING, DialSubject.CONTACT) is None
    # The US rule set has no such cool-down.
    assert refusal(recent, US, MORNING, DialSubject.CONTACT) is None


def test_a_retry_not_yet_due_does_not_stop_an_agent_who_chose_the_contact() -> None:
    # DialFacts has no next-eligible time at all: the agent's choice overrides the retry plan.
    assert refusal(replace(ALLOWED, attempts=2), US, MORNING, DialSubject.CONTACT) is None
