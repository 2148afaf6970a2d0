"""The fixed part of the synthetic history: users, agents, campaigns, dispositions, lists, queues.

Inserted with plain INSERTs (a few hundred rows); contacts are assigned here and copied later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from psycopg.types.json import Jsonb

from campaigns.storage.campaign_store import DEFAULT_DISPOSITIONS
from campaigns.storage.db import Connection
from dialer.bench.outbound_rows import AttemptDraft, ContactStats

# (rule set, time zone, share of US campaigns) - mostly US across its zones, some UK and CA.
ZONES = (
    ("US", "America/New_York"),
    ("US", "America/Chicago"),
    ("US", "America/Denver"),
    ("US", "America/Los_Angeles"),
    ("US", "America/New_York"),
    ("US", "America/Chicago"),
    ("US", "America/Los_Angeles"),
    ("US", "America/New_York"),
    ("UK", "Europe/London"),
    ("CA", "America/Toronto"),
)
PAUSE_CODES = [("break", "Break"), ("lunch", "Lunch"), ("training", "Training")]
PAUSE_CODES += [("meeting", "Meeting"), ("personal", "Personal")]
ATTEMPTS_PER_CONTACT = 3.3
LISTS_PER_CAMPAIGN = 3


@dataclass
class CampaignSetup:
    id: int
    timezone: str
    rule_set: str
    caller_id: str
    abandon_share: float
    amd: bool
    list_ids: list[int]
    agent_ids: list[int]
    first_contact_id: int = 0
    contact_count: int = 0


@dataclass
class Setup:
    campaigns: list[CampaignSetup]
    # (queue id, campaign id, time zone, agent ids)
    queues: list[tuple[int, int, str, list[int]]]
    next_contact_id: int = 1
    by_id: dict[int, CampaignSetup] = field(default_factory=dict)

    def campaign(self, campaign_id: int) -> CampaignSetup:
        if not self.by_id:
            self.by_id = {c.id: c for c in self.campaigns}
        return self.by_id[campaign_id]

    def assign_contacts(
        self, campaign: CampaignSetup, drafts: list[AttemptDraft], rng: random.Random
    ) -> list[ContactStats]:
        """Give each attempt a contact: a few contacts get many tries, a tail is never called."""
        count = max(1, round(len(drafts) / ATTEMPTS_PER_CONTACT * 1.15))
        campaign.first_contact_id, campaign.contact_count = self.next_contact_id, count
        self.next_contact_id += count
        stats = [ContactStats() for _ in range(count)]
        for draft in drafts:  # sorted by time: the last write is the last attempt
            index = int(count * rng.random() ** 1.6)
            draft.contact_id = campaign.first_contact_id + index
            stats[index].add(draft)
        return stats


def create_setup(
    conn: Connection, campaigns: int, agents_per_campaign: int, rng: random.Random
) -> Setup:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO pause_codes (code, label) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            PAUSE_CODES,
        )
    made = []
    for number in range(campaigns):
        rule_set, zone = ZONES[number % len(ZONES)]
        caller = f"+1202555{number:04d}" if rule_set != "UK" else f"+44207946{number:04d}"
        row = conn.execute(
            """INSERT INTO campaigns (name, caller_id, rule_set, timezone, calling_hours,
                   retry_policy, default_region, state, amd)
               VALUES (%s, %s, %s, %s, %s, %s, %s, 'running', %s) RETURNING id""",
            (
                f"Bench campaign {number + 1:02d}",
                caller,
                rule_set,
                zone,
                Jsonb({"weekday": ["08:00", "21:00"], "saturday": ["09:00", "18:00"]}),
                Jsonb({}),
                "GB" if rule_set == "UK" else "US",
                Jsonb({"action": "on", "machine": "hang_up"} if number % 2 else {"action": "off"}),
            ),
        ).fetchone()
        assert row is not None
        campaign_id = int(row[0])
        for position, (code, label, action, human) in enumerate(DEFAULT_DISPOSITIONS):
            conn.execute(
                "INSERT INTO dispositions (campaign_id, code, label, action, human, position)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (campaign_id, code, label, action, human, position),
            )
        lists = [
            _one(
                conn,
                "INSERT INTO contact_lists (campaign_id, name, default_region)"
                " VALUES (%s, %s, 'US') RETURNING id",
                (campaign_id, f"List {k + 1}"),
            )
            for k in range(LISTS_PER_CAMPAIGN)
        ]
        agents = [_agent(conn, f"c{campaign_id}a{k}") for k in range(agents_per_campaign)]
        share = rng.choice((0.012, 0.018, 0.022, 0.026, 0.034, 0.045))
        made.append(
            CampaignSetup(
                campaign_id, zone, rule_set, caller, share, bool(number % 2), lists, agents
            )
        )
    queues = []
    inbound_agents = max(1, agents_per_campaign // 8)
    for campaign in made[: max(1, campaigns // 2)]:
        queue_id = _one(
            conn,
            "INSERT INTO inbound_queues (name, campaign_id) VALUES (%s, %s) RETURNING id",
            (f"Queue {campaign.id}", campaign.id),
        )
        conn.execute(
            "INSERT INTO dids (number, queue_id) VALUES (%s, %s)",
            (f"+1800555{queue_id:04d}", queue_id),
        )
        agents = [_agent(conn, f"q{queue_id}a{k}") for k in range(inbound_agents)]
        queues.append((queue_id, campaign.id, campaign.timezone, agents))
    return Setup(made, queues)


def _one(conn: Connection, query: str, values: tuple[object, ...]) -> int:
    row = conn.execute(query, values).fetchone()
    assert row is not None
    return int(row[0])


def _agent(conn: Connection, username: str) -> int:
    user_id = _one(
        conn,
        "INSERT INTO users (username, display_name, role, password_hash)"
        " VALUES (%s, %s, 'agent', '!') RETURNING id",
        (username, f"Agent {username}"),
    )
    return _one(
        conn,
        "INSERT INTO agents (user_id, sip_uri) VALUES (%s, %s) RETURNING id",
        (user_id, f"sip:{username}@agents.invalid"),
    )
