"""Speed dial for an agent: the entries they see, and dialing one by its slot.

Which entry a slot means is campaigns.speed_dial's rule (the agent's own first, then the
campaigns they are logged in to). Dialing is click-to-call (dialer.manual_dial.call_number):
the same compliance rules, the same refusal reasons, the agent reserved for the call. An own
entry is dialed for the first campaign the agent is logged in to, a campaign's entry for its
campaign.
"""

from __future__ import annotations

from datetime import datetime

from campaigns.errors import Conflict, NotFound
from campaigns.speed_dial import Scope, SpeedDialEntry, effective, entry_for
from campaigns.storage import speed_dial_store
from dialer.agents.service import AgentService, ConnectionSource
from dialer.manual_dial import ManualDial
from dialer.preview import Dialed


class SpeedDial:
    def __init__(self, db: ConnectionSource, agents: AgentService, dialing: ManualDial) -> None:
        self.db = db
        self.agents = agents
        self.dialing = dialing

    def entries(self, agent_id: int) -> list[SpeedDialEntry]:
        """The agent's entries, one per slot, over the campaigns they are logged in to."""
        campaigns = self.agents.status(agent_id).campaigns
        with self.db.connection() as conn:
            own = speed_dial_store.agent_entries(conn, agent_id)
            shared = speed_dial_store.campaign_entries(conn, tuple(campaigns))
        return effective(own, shared)

    def dial(self, agent_id: int, slot: int, now: datetime) -> tuple[SpeedDialEntry, Dialed]:
        entry = entry_for(self.entries(agent_id), slot)
        if entry is None:
            raise NotFound(f"not dialed: no speed-dial entry on slot {slot}")
        if entry.scope is Scope.CAMPAIGN:
            campaign_id = entry.owner_id
        else:
            campaigns = sorted(self.agents.status(agent_id).campaigns)
            if not campaigns:
                raise Conflict("not dialed: log in to a campaign first (its trunk places the call)")
            campaign_id = campaigns[0]
        return entry, self.dialing.call_number(agent_id, campaign_id, entry.spec.phone_e164, now)
