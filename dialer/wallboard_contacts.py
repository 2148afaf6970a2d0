"""The wallboard's dialable contacts: counted by blocking rule, kept in Redis, recounted in the
background.

The count (claim_store.dialability_counts, as `dialer campaign status` shows it) scans every
contact of the campaign: about 1.5 s for 175,000 contacts on the bench's history, far too slow
for a board updated every few seconds, and its answer moves slowly (retry times, calling
windows). So it is kept in Redis for every screen and process, served as kept, and once older
than MAX_AGE recounted by one background thread per campaign (a Redis lock elects it) while the
board goes on showing the previous count and when it was made. Only a campaign never counted
(or forgotten, or whose count is older than KEEP) is counted while the request waits. A list
import finished since the count also starts a recount at once, whoever ran it (CLI, dashboard,
API, another host): a supervisor who just uploaded a list sees it on the next update.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis

from campaigns.campaign import Campaign
from campaigns.storage import claim_store, wallboard_store
from campaigns.storage.db import Connection

log = logging.getLogger(__name__)

MAX_AGE = timedelta(seconds=30)
# A kept count older than this is not shown at all (the board was closed a long while).
KEEP = timedelta(minutes=10)
# A recount that died (its process killed) frees the campaign after this.
RECOUNT_LOCK_S = 120
_KEY = "dialer:wallboard:dialability:"


@dataclass(frozen=True)
class Dialability:
    total: int
    dialable_now: int
    blocked: dict[str, int]
    counted_at: datetime


class ContactCounter:
    def __init__(
        self,
        client: redis.Redis,
        connect: Callable[[], AbstractContextManager[Connection]],
        max_age: timedelta = MAX_AGE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`connect` lends a connection to the background recount (a pool's `connection`)."""
        self.client, self.connect, self.max_age, self.clock = client, connect, max_age, clock

    def read(self, conn: Connection, campaign: Campaign, now: datetime) -> Dialability:
        kept = kept_dialability(self.client.get(_KEY + str(campaign.id)), now, KEEP)
        if kept is None:
            return self.count(conn, campaign, now)
        stale = now - kept.counted_at > self.max_age or wallboard_store.list_imported_since(
            conn, campaign.id, kept.counted_at
        )
        if stale and self._lock(campaign.id):
            threading.Thread(
                target=self._recount,
                args=(campaign,),
                name=f"wallboard-recount-{campaign.id}",
                daemon=True,
            ).start()
        return kept

    def count(self, conn: Connection, campaign: Campaign, now: datetime) -> Dialability:
        """Count now and keep the count for every reader."""
        counts = claim_store.dialability_counts(conn, campaign, now)
        fresh = Dialability(
            total=counts.total,
            dialable_now=counts.dialable_now,
            blocked={reason.value: count for reason, count in counts.blocked.items()},
            counted_at=now,
        )
        stored = {
            "total": fresh.total,
            "dialable_now": fresh.dialable_now,
            "blocked": fresh.blocked,
            "counted_at": now.isoformat(),
        }
        self.client.set(_KEY + str(campaign.id), json.dumps(stored), ex=KEEP)
        return fresh

    def _lock(self, campaign_id: int) -> bool:
        return bool(self.client.set(_lock_key(campaign_id), "1", nx=True, ex=RECOUNT_LOCK_S))

    def _recount(self, campaign: Campaign) -> None:
        # A thread's edge: whatever fails is logged, and the next stale read tries again.
        try:
            with self.connect() as conn:
                self.count(conn, campaign, self.clock())
        except Exception:
            log.exception("wallboard: recounting the contacts of campaign %s failed", campaign.id)
        finally:
            try:
                self.client.delete(_lock_key(campaign.id))
            except redis.RedisError:
                log.warning("wallboard: recount lock of campaign %s left to expire", campaign.id)


def forget_dialability(client: redis.Redis, campaign_id: int) -> None:
    """Count again, on the next read, while it waits (after a list import, say)."""
    client.delete(_KEY + str(campaign_id))


def kept_dialability(raw: object, now: datetime, keep: timedelta) -> Dialability | None:
    """The kept count, unless unreadable, from the future (a clock step) or older than `keep`."""
    if not raw:
        return None
    try:
        data = json.loads(str(raw))
        counted_at = datetime.fromisoformat(data["counted_at"])
        kept = Dialability(
            total=int(data["total"]),
            dialable_now=int(data["dialable_now"]),
            blocked={str(k): int(v) for k, v in data["blocked"].items()},
            counted_at=counted_at,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return kept if timedelta(0) <= now - counted_at <= keep else None


def _lock_key(campaign_id: int) -> str:
    return f"{_KEY}{campaign_id}:recounting"
