"""The discrete-event simulation of one shift, paced by `dialer.pacing.decide()`.

The simulator keeps its own state (agents, calls, lines, the day's counts) and, at every 1 s tick
and after every agent-free and call-failed event, builds the same `PacingInputs` the live
scheduler builds and places the calls `decide()` asks for.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, deque
from enum import IntEnum

import numpy as np

from dialer.pacing import (
    AbandonmentCounts,
    AgentFloor,
    Alarm,
    CallsInFlight,
    ControllerState,
    DecisionReason,
    PacingInputs,
    PacingModel,
    PacingPolicy,
    StatisticsRecorder,
    decide,
)
from dialer.pacing.calibration import ModelCheck
from dialer.simulation.draws import Draws
from dialer.simulation.results import DayResult
from dialer.simulation.scenario import SECONDS_PER_HOUR, Scenario

# stands for "no limit" where the scenario sets none
_UNLIMITED = 1_000_000


class _Event(IntEnum):
    TICK = 0
    REFRESH_STATISTICS = 1
    LIVE_ANSWER = 2
    MACHINE_ANSWER = 3
    RINGING_FAILED = 4
    LINE_RELEASED = 5
    WAIT_EXPIRED = 6
    TALK_ENDED = 7
    WRAP_ENDED = 8


class _Agent(IntEnum):
    READY = 0
    ON_CALL = 1
    WRAP_UP = 2


_ON_CALL = int(_Agent.ON_CALL)
_WRAP_UP = int(_Agent.WRAP_UP)


class Simulation:
    def __init__(self, scenario: Scenario, policy: PacingPolicy, seed: int) -> None:
        self.scenario = scenario
        self.policy = policy
        self.draws = Draws(scenario, seed)
        self.end = scenario.shift_seconds
        self.now = 0.0
        self.events: list[tuple[float, int, int, int]] = []
        self.sequence = 0
        n = scenario.agents
        self.agent_state = np.zeros(n, dtype=np.int8)
        self.agent_since = np.zeros(n)
        # agents become ready in time order, so the left end is always the longest idle
        self.ready: deque[int] = deque(range(n))
        self.ringing: dict[int, float] = {}
        self.waiting: dict[int, float] = {}
        # the model's risk of each call a predictive decision placed, until it is answered or
        # not; then the answered ones' risks are summed against how many found no agent
        self.call_risk: dict[int, float] = {}
        self.risked_waiting: set[int] = set()
        self.model_check = ModelCheck()
        self.lines_in_use = 0
        self.peak_lines = 0
        self.dials = 0
        self.dials_this_second = 0
        self.second = -1
        hours = math.ceil(scenario.hours)
        self.hourly_live = [0] * hours
        self.hourly_abandoned = [0] * hours
        self.live = 0
        self.abandoned = 0
        self.talk_seconds = 0.0
        self.wrap_seconds = 0.0
        self.recorder = StatisticsRecorder()
        self.model: PacingModel | None = None
        self.controller = ControllerState.initial(policy)
        self.alarms: set[Alarm] = set()
        self.reasons: Counter[DecisionReason] = Counter()

    def _at(self, time: float, event: _Event, subject: int = 0) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (time, self.sequence, event, subject))

    def run(self) -> DayResult:
        self._at(0.0, _Event.TICK)
        self._at(self.scenario.statistics_refresh_seconds, _Event.REFRESH_STATISTICS)
        handlers = {
            _Event.TICK: self._tick,
            _Event.REFRESH_STATISTICS: self._refresh,
            _Event.LIVE_ANSWER: self._live_answer,
            _Event.MACHINE_ANSWER: self._machine_answer,
            _Event.RINGING_FAILED: self._ringing_failed,
            _Event.LINE_RELEASED: self._line_released,
            _Event.WAIT_EXPIRED: self._wait_expired,
            _Event.TALK_ENDED: self._talk_ended,
            _Event.WRAP_ENDED: self._wrap_ended,
        }
        while self.events:
            time, _, event, subject = heapq.heappop(self.events)
            if time >= self.end:
                break
            self.now = time
            handlers[_Event(event)](subject)
        return self._result()

    # -- pacing ------------------------------------------------------------------------------

    def _decide(self) -> None:
        now = self.now
        second = int(now)
        if second != self.second:
            self.second, self.dials_this_second = second, 0
        cps = self.scenario.calls_per_second
        allowance = _UNLIMITED if cps is None else cps - self.dials_this_second
        lines = _UNLIMITED if self.scenario.lines is None else self.scenario.lines
        state, since = self.agent_state, self.agent_since
        # plain ints: enum attribute lookups cost more than the comparison here
        inputs = PacingInputs(
            now=now,
            agents=AgentFloor(
                ready=len(self.ready),
                on_call_seconds=now - since[state == _ON_CALL],
                wrap_up_seconds=now - since[state == _WRAP_UP],
            ),
            calls=CallsInFlight(
                ringing_seconds=now - np.fromiter(self.ringing.values(), np.float64),
                waiting=len(self.waiting),
            ),
            free_lines=lines - self.lines_in_use,
            dial_allowance=allowance,
            abandonment=AbandonmentCounts(
                self.abandoned, self.live, self.abandoned, self.live, self._live_expected()
            ),
            controller=self.controller,
            model=self.model,
        )
        decision = decide(inputs, self.policy)
        self.controller = decision.controller
        self.alarms.update(decision.alarms)
        self.reasons[decision.reason] += 1
        risks = decision.call_risks
        for i in range(decision.calls):
            self._dial(risks[i] if i < len(risks) else None)

    def _live_expected(self) -> float:
        """What a scheduler would estimate: the day's answer rate so far, up to an hour ahead."""
        if self.now <= 0.0:
            return 0.0
        ahead = min(self.end - self.now, self.scenario.expected_answers_horizon)
        return self.live / self.now * ahead

    def _refresh(self, _: int) -> None:
        interval = self.scenario.statistics_refresh_seconds
        self.recorder.decay(interval)
        talking = self.now - self.agent_since[self.agent_state == _ON_CALL]
        self.model = PacingModel.from_statistics(self.recorder.snapshot(), talking)
        self._at(self.now + interval, _Event.REFRESH_STATISTICS)

    def _tick(self, _: int) -> None:
        self._decide()
        self._at(self.now + 1.0, _Event.TICK)

    # -- calls -------------------------------------------------------------------------------

    def _dial(self, risk: float | None) -> None:
        s, draws, now = self.scenario, self.draws, self.now
        call = self.dials
        if risk is not None:
            self.call_risk[call] = risk
        self.dials += 1
        self.dials_this_second += 1
        self.lines_in_use += 1
        self.peak_lines = max(self.peak_lines, self.lines_in_use)
        self.ringing[call] = now
        live = s.answer_rate_at(now)
        u = next(draws.uniform)
        machine = live + (1.0 - live) * s.machine_share
        no_answer = machine + (1.0 - live) * s.no_answer_share
        if u < live:
            self._at(now + s.post_dial_delay + next(draws.ring), _Event.LIVE_ANSWER, call)
        elif u < machine:
            self._at(now + s.post_dial_delay + next(draws.ring), _Event.MACHINE_ANSWER, call)
        elif u < no_answer:
            self._at(now + s.post_dial_delay + s.ring_timeout, _Event.RINGING_FAILED, call)
        else:
            self._at(now + next(draws.failure), _Event.RINGING_FAILED, call)

    def _live_answer(self, call: int) -> None:
        rung = self.now - self.ringing.pop(call)
        risk = self.call_risk.pop(call, None)
        self.live += 1
        hour = int(self.now / SECONDS_PER_HOUR)
        self.hourly_live[hour] += 1
        if next(self.draws.amd) < self.scenario.amd_false_positive:
            # taken for a machine: the dialer sees a machine, the rules see an abandoned person
            self.recorder.ringing_ended(rung, live=False)
            self._abandon(hour)
            self._at(self.now + self.scenario.machine_recognised_after, _Event.LINE_RELEASED)
            return
        self.recorder.ringing_ended(rung, live=True)
        if risk is not None:
            self.model_check += ModelCheck(1, 0, risk)
        if self.ready:
            self._start_talk(self.ready.popleft())
        else:
            if risk is not None:
                self.risked_waiting.add(call)
            self.waiting[call] = self.now
            self._at(self.now + self.scenario.max_wait, _Event.WAIT_EXPIRED, call)

    def _machine_answer(self, call: int) -> None:
        self.call_risk.pop(call, None)
        self.recorder.ringing_ended(self.now - self.ringing.pop(call), live=False)
        self._at(self.now + self.scenario.machine_recognised_after, _Event.LINE_RELEASED)

    def _ringing_failed(self, call: int) -> None:
        self.call_risk.pop(call, None)
        self.recorder.ringing_ended(self.now - self.ringing.pop(call), live=False)
        self._line_released(call)

    def _line_released(self, _: int) -> None:
        self.lines_in_use -= 1
        self._decide()

    def _wait_expired(self, call: int) -> None:
        if self.waiting.pop(call, None) is not None:
            self._abandon(int(self.now / SECONDS_PER_HOUR))
            if call in self.risked_waiting:
                self.model_check += ModelCheck(0, 1, 0.0)
            self.lines_in_use -= 1

    def _abandon(self, hour: int) -> None:
        self.abandoned += 1
        self.hourly_abandoned[hour] += 1

    # -- agents ------------------------------------------------------------------------------

    def _start_talk(self, agent: int) -> None:
        self.agent_state[agent] = _Agent.ON_CALL
        self.agent_since[agent] = self.now
        talk = next(self.draws.talk)
        self.talk_seconds += min(talk, self.end - self.now)
        self._at(self.now + talk, _Event.TALK_ENDED, agent)

    def _talk_ended(self, agent: int) -> None:
        self.recorder.talk_ended(self.now - self.agent_since[agent])
        self.lines_in_use -= 1
        self.agent_state[agent] = _Agent.WRAP_UP
        self.agent_since[agent] = self.now
        wrap = next(self.draws.wrap)
        self.wrap_seconds += min(wrap, self.end - self.now)
        self._at(self.now + wrap, _Event.WRAP_ENDED, agent)

    def _wrap_ended(self, agent: int) -> None:
        self.recorder.wrap_up_ended(self.now - self.agent_since[agent])
        if self.waiting:
            # the longest-waiting answered call takes the agent straight away
            call = next(iter(self.waiting))
            del self.waiting[call]
            self.risked_waiting.discard(call)
            self._start_talk(agent)
        else:
            self.agent_state[agent] = _Agent.READY
            self.ready.append(agent)
        self._decide()

    def _result(self) -> DayResult:
        return DayResult(
            agents=self.scenario.agents,
            shift_seconds=self.end,
            talk_seconds=self.talk_seconds,
            wrap_seconds=self.wrap_seconds,
            live_answers=self.live,
            abandoned=self.abandoned,
            hourly_live_answers=tuple(self.hourly_live),
            hourly_abandoned=tuple(self.hourly_abandoned),
            dials=self.dials,
            peak_lines=self.peak_lines,
            alarms=tuple(sorted(self.alarms)),
            decisions_by_reason=dict(self.reasons),
            model_check=self.model_check,
        )


def simulate_day(scenario: Scenario, policy: PacingPolicy, seed: int) -> DayResult:
    return Simulation(scenario, policy, seed).run()
