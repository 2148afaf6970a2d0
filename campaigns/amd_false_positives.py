"""How often answering-machine detection is wrong, estimated from what agents said about calls.

A MACHINE verdict that is hung up (or gets the voicemail message) is never heard by anyone, so
its mistakes are invisible; they can only be estimated from the machine verdicts that reached an
agent anyway (`amd_on_machine = to_agent`), which the agent dispositions: a disposition whose
`human` flag is set says "this was a person". The share of people among those checked verdicts,
applied to the verdicts that were hung up, estimates the people AMD hung up on, and each of them
is an abandoned call under the rules (COMPLIANCE.md). The other mistake, a HUMAN verdict on a
machine, costs agent time, not compliance; it is estimated the same way and only reported.

With few checked calls the measured share is noise (0 of 3 is not 0 %), so it is shrunk towards
a prior by Beta-Binomial smoothing: the prior counts as `PRIOR_WEIGHT` checked calls.
"""

from __future__ import annotations

from dataclasses import dataclass

# Priors from the committed real-call bench (bench/results/amd_calls.json, held-out and fresh
# voices): 0 people among 74 MACHINE verdicts and 6 machines among 66 HUMAN verdicts, each with
# Jeffreys' half a count added, (0 + 0.5) / (74 + 1) and (6 + 0.5) / (66 + 1).
PRIOR_PERSON_GIVEN_MACHINE = 0.0067
PRIOR_MACHINE_GIVEN_HUMAN = 0.097
# The bench's voices are synthetic and cleaner than real lines: the prior weighs as 20 checked
# calls, so a campaign's own dispositions outweigh it after a few dozen checks.
PRIOR_WEIGHT = 20.0
# Below this many checked calls the estimate is mostly the prior (shown as such).
MIN_CHECKED = 30


@dataclass(frozen=True)
class AmdChecks:
    """A campaign's AMD verdicts over a window, as the attempts and their dispositions say."""

    # MACHINE verdicts that reached an agent and were dispositioned, and how many of those the
    # agent marked as a person
    machine_checked: int = 0
    machine_was_person: int = 0
    # HUMAN verdicts dispositioned, and how many of those the agent marked as not a person
    human_checked: int = 0
    human_was_machine: int = 0


@dataclass(frozen=True)
class AmdFalsePositiveEstimate:
    # P(a person answered | AMD said machine): the false positives that count as abandoned
    person_given_machine: float
    # P(a machine answered | AMD said human): voicemail handed to agents
    machine_given_human: float
    machine_checked: int
    human_checked: int

    @property
    def mostly_prior(self) -> bool:
        return self.machine_checked < MIN_CHECKED

    def as_json(self) -> dict[str, object]:
        return {
            "person_given_machine": round(self.person_given_machine, 4),
            "machine_given_human": round(self.machine_given_human, 4),
            "machine_checked": self.machine_checked,
            "human_checked": self.human_checked,
            "mostly_prior": self.mostly_prior,
        }


PRIOR_ESTIMATE = AmdFalsePositiveEstimate(
    PRIOR_PERSON_GIVEN_MACHINE, PRIOR_MACHINE_GIVEN_HUMAN, machine_checked=0, human_checked=0
)


def estimate_false_positives(checks: AmdChecks) -> AmdFalsePositiveEstimate:
    """The shares of wrong verdicts, shrunk towards the bench's priors when checks are few."""
    return AmdFalsePositiveEstimate(
        person_given_machine=_smoothed(
            checks.machine_was_person, checks.machine_checked, PRIOR_PERSON_GIVEN_MACHINE
        ),
        machine_given_human=_smoothed(
            checks.human_was_machine, checks.human_checked, PRIOR_MACHINE_GIVEN_HUMAN
        ),
        machine_checked=checks.machine_checked,
        human_checked=checks.human_checked,
    )


def _smoothed(hits: int, checked: int, prior: float) -> float:
    hits = min(max(hits, 0), max(checked, 0))
    return (hits + prior * PRIOR_WEIGHT) / (max(checked, 0) + PRIOR_WEIGHT)
