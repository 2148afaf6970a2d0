"""The scheduler: while it leads, every tick paces each running campaign and places its calls.

A tick (about 1 s, sooner on agent-free and call-ended events):
1. read live state: agents by state and time in state (Redis), calls in flight (PostgreSQL),
   free worker lines (worker heartbeats), the trunk's calls-per-second allowance;
2. call the pure pacing function (dialer.pacing.decide) -- the same code the simulation runs;
3. claim that many dialable contacts in one statement with every compliance rule and SKIP LOCKED,
   fenced by the leader's token, create their attempts and commit;
4. after the commit, enqueue one dial task per attempt with a short expiry.
Housekeeping rides along: agents' wrap-up expiry and history backlog, the reaper, the release
of preview holds past their campaign's limit (dialer.preview), and closing list imports whose
process died (campaigns.storage.import_liveness).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from psycopg_pool import ConnectionPool

from campaigns.agents import AgentState
from campaigns.campaign import Campaign, CampaignState
from campaigns.storage import (
    attempt_store,
    campaign_store,
    claim_store,
    import_liveness,
    pacing_store,
    trunk_store,
)
from campaigns.storage.db import Connection
from dialer import live_events, recordings, worker_registry
from dialer.agents.floor import CampaignFloor
from dialer.agents.service import AgentService
from dialer.dial_queue import DialSender
from dialer.inbound.waiting_line import campaign_waiting
from dialer.pacing import PacingDecision, PacingInputs, decide
from dialer.preview import release_expired_previews
from dialer.reaper import reap
from dialer.scheduler.leader import LeaderLease, Leadership
from dialer.scheduler.learning import learn
from dialer.scheduler.observe import (
    INBOUND_RATE_WINDOW,
    abandonment_counts,
    agent_floor,
    calls_in_flight,
    inbound_demand,
)
from dialer.scheduler.pacer import CampaignPacer, policy_for
from dialer.scheduler.published import PACING_KEY, PUBLISHED_FOR_S, pacing_state
from dialer.scheduler.rate import TokenBucket

log = logging.getLogger(__name__)

TICK_S = 1.0
# Extra decisions on events, but not more often than this per campaign.
MIN_DECISION_GAP_S = 0.2
REAP_EVERY_S = 5.0
CAMPAIGNS_EVERY_S = 5.0
# Recordings are kept for days: an hourly sweep deletes them at most an hour late.
RECORDING_SWEEP_EVERY_S = 3600.0
# A queued attempt not picked up within this is dropped (by the broker and the database).
DIAL_EXPIRY_S = 15.0
WARMUP_HISTORY = timedelta(hours=24)


@dataclass
class _Timers:
    reap_at: float = 0.0
    campaigns_at: float = 0.0
    recordings_at: float = 0.0
    decided_at: dict[int, float] = field(default_factory=dict)


class Scheduler:
    def __init__(
        self,
        pool: ConnectionPool,
        client: redis.Redis,
        agents: AgentService,
        sender: DialSender,
        lease: LeaderLease,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        data_dir: Path | None = None,
    ) -> None:
        self.pool, self.redis, self.agents, self.sender, self.lease = (
            pool,
            client,
            agents,
            sender,
            lease,
        )
        self.now, self.monotonic = now, monotonic
        # Where call recordings are (None: this scheduler sweeps none, e.g. in benchmarks).
        self.data_dir = data_dir
        self.pacers: dict[int, CampaignPacer] = {}
        self.buckets: dict[int, TokenBucket] = {}
        self.timers = _Timers()
        self.events_after = "$"
        self.leading: Leadership | None = None

    # -- the loop -------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            started = self.monotonic()
            try:
                self.step()
            except Exception:
                log.exception("scheduler tick failed")
                stop.wait(TICK_S)
            self.wait_for_events(max(0.0, TICK_S - (self.monotonic() - started)), stop)
        self.lease.release()

    def step(self) -> None:
        leadership = self.lease.try_acquire()
        if leadership != self.leading:
            log.info(
                "scheduler %s: %s", self.lease.identity, "leading" if leadership else "standing by"
            )
            self.pacers.clear()  # a new leader relearns from the database
            self.leading = leadership
        if leadership is None:
            return
        now, mono = self.now(), self.monotonic()
        self.agents.tick(now)
        with self.pool.connection() as conn:
            if mono >= self.timers.reap_at:
                live = {w.name for w in worker_registry.live_workers(self.redis)}
                reaped = reap(conn, live, now)
                if reaped.expired or reaped.worker_lost:
                    log.info(
                        "reaper: %s expired, %s worker_lost", reaped.expired, reaped.worker_lost
                    )
                released = release_expired_previews(conn, self.agents, now)
                if released:
                    log.info("previews released after their hold limit: %s", len(released))
                for dead in import_liveness.sweep_dead_imports(conn):
                    log.warning("list import %s: its process stopped; closed as failed", dead.id)
                self.timers.reap_at = mono + REAP_EVERY_S
            if self.data_dir is not None and mono >= self.timers.recordings_at:
                swept = recordings.sweep_expired(conn, self.data_dir, now)
                if swept.deleted or swept.missing:
                    log.info("recordings: %s deleted, %s already gone", *astuple(swept))
                self.timers.recordings_at = mono + RECORDING_SWEEP_EVERY_S
            if mono >= self.timers.campaigns_at:
                self._refresh_campaigns(conn, now)
                self.timers.campaigns_at = mono + CAMPAIGNS_EVERY_S
            self._pace_all(conn, leadership, now, mono)

    def wait_for_events(self, seconds: float, stop: threading.Event) -> None:
        """Learn from call-ended and agent events until the next tick; decide early when an
        agent frees up or a call ends."""
        deadline = self.monotonic() + seconds
        while not stop.is_set():
            left = deadline - self.monotonic()
            if left <= 0:
                return
            try:
                events = live_events.read_after(
                    self.redis, self.events_after, block_ms=int(left * 1000) or 1
                )
            except redis.RedisError:
                stop.wait(left)
                return
            woken: set[int] = set()
            for event in events:
                self.events_after = event.id
                woken |= learn(event, self.pool, self.pacers)
            if woken and self.leading is not None:
                now, mono = self.now(), self.monotonic()
                with self.pool.connection() as conn:
                    for campaign_id in woken:
                        if (
                            mono - self.timers.decided_at.get(campaign_id, 0.0)
                            >= MIN_DECISION_GAP_S
                        ):
                            self._pace_campaign_alone(conn, campaign_id, now, mono)

    # -- campaigns --------------------------------------------------------------------------

    def _refresh_campaigns(self, conn: Connection, now: datetime) -> None:
        running = {c.id: c for c in campaign_store.list_campaigns(conn, CampaignState.RUNNING)}
        for campaign_id in list(self.pacers):
            if campaign_id not in running:
                del self.pacers[campaign_id]
        for campaign_id, campaign in running.items():
            pacer = self.pacers.get(campaign_id)
            if pacer is None:
                self.pacers[campaign_id] = self._warm_up(conn, campaign, now)
            else:
                pacer.update_campaign(campaign)

    def _warm_up(self, conn: Connection, campaign: Campaign, now: datetime) -> CampaignPacer:
        pacer = CampaignPacer(campaign)
        since = now - WARMUP_HISTORY
        for attempt in reversed(pacing_store.ended_attempts_since(conn, campaign.id, since)):
            pacer.learn_attempt(attempt)
        for wrap in pacing_store.wrap_ups_since(conn, campaign.id, since):
            pacer.learn_wrap_up(wrap.seconds, after_inbound=wrap.after_inbound)
        for talk in pacing_store.inbound_talks_since(conn, campaign.id, since):
            pacer.learn_inbound_talk(talk.seconds)
        return pacer

    def _pace_all(
        self, conn: Connection, leadership: Leadership, now: datetime, mono: float
    ) -> None:
        floors = self.agents.floors(list(self.pacers), now) if self.pacers else {}
        worker_lines = self._worker_lines()
        for campaign_id, pacer in self.pacers.items():
            self._pace(conn, pacer, floors.get(campaign_id), worker_lines, leadership, now, mono)

    def _pace_campaign_alone(
        self, conn: Connection, campaign_id: int, now: datetime, mono: float
    ) -> None:
        pacer = self.pacers.get(campaign_id)
        if pacer is None or self.leading is None:
            return
        floor = self.agents.floors([campaign_id], now).get(campaign_id)
        self._pace(conn, pacer, floor, self._worker_lines(), self.leading, now, mono)

    def _worker_lines(self) -> int:
        """Lines free on the live workers; the attempts queued for them (read with each
        campaign's counts, so they include what the campaigns paced before it just placed) will
        take some."""
        return sum(w.lines_free for w in worker_registry.live_workers(self.redis))

    def _pace(
        self,
        conn: Connection,
        pacer: CampaignPacer,
        floor: CampaignFloor | None,
        worker_lines: int,
        leadership: Leadership,
        now: datetime,
        mono: float,
    ) -> int:
        """Decide for one campaign and place its calls; returns how many were placed."""
        campaign = pacer.campaign
        policy = policy_for(campaign)
        self.timers.decided_at[campaign.id] = mono
        if policy is None or pacer.controller is None or campaign.trunk_id is None:
            return 0
        if not campaign.spec.schedule.is_open(now, pacer.zone):
            return 0
        agents = agent_floor(floor)
        pacer.refresh_model(mono, agents.on_call_seconds)
        calls = pacing_store.open_calls(conn, campaign.id)
        load = pacing_store.campaign_load(
            conn,
            campaign.id,
            campaign.trunk_id,
            day_start=pacer.day_start(now),
            hour_ago=now - timedelta(hours=1),
            thirty_days_ago=now - timedelta(days=30),
            inbound_since=now - INBOUND_RATE_WINDOW,
        )
        lines = min(worker_lines - load.queued_attempts, _trunk_lines(campaign, load, len(calls)))
        bucket = self._bucket(conn, campaign)
        if pacer.amd_refresh_due(mono):
            verdicts = pacing_store.amd_verdicts(
                conn,
                campaign.id,
                estimate_since=now - timedelta(days=campaign.spec.rules.abandon_window_days),
                day_start=pacer.day_start(now),
                thirty_days_ago=now - timedelta(days=30),
            )
            pacer.learn_amd_verdicts(verdicts, mono)
        waiting = campaign_waiting(self.redis, [campaign.id])[campaign.id]
        inputs = PacingInputs(
            now=mono,
            agents=agents,
            calls=calls_in_flight(calls, now),
            free_lines=max(0, lines),
            dial_allowance=bucket.allowance(mono),
            abandonment=abandonment_counts(
                load.abandonment, pacer.amd_verdicts, pacer.amd_estimate
            ),
            controller=pacer.controller,
            model=pacer.model,
            inbound=inbound_demand(waiting, load.inbound_offered),
        )
        decision = decide(inputs, policy)
        pacer.controller = decision.controller
        pacer.last_decision = decision
        placed = (
            self._place(conn, campaign, decision, floor, leadership, now) if decision.calls else 0
        )
        bucket.take(placed)
        self._publish(campaign, decision, inputs, placed, now, pacer)
        return placed

    def _bucket(self, conn: Connection, campaign: Campaign) -> TokenBucket:
        assert campaign.trunk_id is not None
        bucket = self.buckets.get(campaign.trunk_id)
        if bucket is None:
            cps = trunk_store.get_trunk(conn, campaign.trunk_id).spec.max_cps
            bucket = self.buckets[campaign.trunk_id] = TokenBucket(rate=cps, capacity=max(1.0, cps))
        return bucket

    def _place(
        self,
        conn: Connection,
        campaign: Campaign,
        decision: PacingDecision,
        floor: CampaignFloor | None,
        leadership: Leadership,
        now: datetime,
    ) -> int:
        ready = [a.agent_id for a in floor.in_state(AgentState.READY)] if floor else []
        expires = now + timedelta(seconds=DIAL_EXPIRY_S)
        try:
            with conn.transaction():
                claimed = claim_store.claim_dialable_contacts(
                    conn,
                    campaign,
                    decision.calls,
                    now,
                    fencing_token=leadership.token,
                    leader=leadership.identity,
                    ready_agent_ids=ready,
                )
                attempts = attempt_store.create_attempts(
                    conn,
                    campaign.id,
                    [c.contact_id for c in claimed],
                    now=now,
                    expires_at=expires,
                    pacing_risks=decision.call_risks,
                )
        except claim_store.FencedOut:
            log.warning("scheduler %s was fenced out: a newer leader exists", leadership.identity)
            self.lease.current = None
            return 0
        for attempt_id in attempts:  # only after the commit: a worker must find the row
            self.sender.dial(attempt_id, DIAL_EXPIRY_S)
        return len(attempts)

    def _publish(
        self,
        campaign: Campaign,
        decision: PacingDecision,
        inputs: PacingInputs,
        placed: int,
        now: datetime,
        pacer: CampaignPacer,
    ) -> None:
        """The campaign's last decision, for the wallboard and `dialer campaign status`."""
        state = pacing_state(decision, inputs, placed, now, pacer.amd_state(inputs.abandonment))
        try:
            key = PACING_KEY + str(campaign.id)
            self.redis.set(key, json.dumps(state), ex=PUBLISHED_FOR_S)
        except redis.RedisError:
            log.warning("pacing state of campaign %s not published", campaign.id)


def _trunk_lines(
    campaign: Campaign, load: pacing_store.CampaignLoad, open_for_campaign: int
) -> int:
    """Lines the trunk (and the campaign's own limit, if it has one) leave for new calls."""
    limit = load.trunk_max_lines - load.calls_on_trunk
    if campaign.spec.max_lines is not None:
        limit = min(limit, campaign.spec.max_lines - open_for_campaign)
    return limit
