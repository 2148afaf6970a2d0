"""A floor with a campaign-wide speed-dial entry and Pia ready on it (the speed-dial tests)."""

from __future__ import annotations

from datetime import time

from campaigns.agents import Agent, AgentState
from campaigns.campaign import CampaignState
from campaigns.passwords import new_api_token, token_digest
from campaigns.rules import CallingHours, Window
from campaigns.speed_dial import Scope, SpeedDialSpec
from campaigns.storage import campaign_store, speed_dial_store, user_store
from campaigns.storage.db import Connection
from dialer.carrier import SippCarrier

from .agent_floor import Floor

ESCALATIONS = "+442079460002"
# A speed-dial number is dialed in its own zone's calling hours: the test's campaign allows
# (almost) the whole day, so the test does not depend on the hour it runs at.
ALL_DAY = Window(time(0, 0), time(23, 59))


class SpeedDialFloor:
    """A running campaign on a sipp carrier with a campaign-wide entry on slot 2, and Pia
    (whose phone listens at ``port``) logged in and ready."""

    def __init__(self, db: Connection, redis_url: str, customer: SippCarrier, port: int) -> None:
        hours = CallingHours(ALL_DAY, ALL_DAY, ALL_DAY)
        self.floor = Floor.on(db, redis_url, customer, calling_hours=hours)
        self.campaign = campaign_store.set_campaign_state(
            db, self.floor.campaign.id, CampaignState.RUNNING
        )
        self.uri = f"sip:pia@127.0.0.1:{port}"
        self.pia: Agent = self.floor.agent("pia", self.uri)
        self.floor.agent("otto", "sip:otto@127.0.0.1:5", ready=True)  # never offered Pia's call
        spec = SpeedDialSpec(2, ESCALATIONS, "Escalations")
        speed_dial_store.put_entry(db, Scope.CAMPAIGN, self.campaign.id, spec)
        secret = new_api_token()
        user_store.insert_token(db, self.pia.user_id, "phone", token_digest(secret))
        self.token = secret
        db.commit()

    def the_call(self, db: Connection) -> int:
        status = self.floor.wait_state(self.pia.id, AgentState.ON_CALL, timeout=60)
        assert status.attempt_id is not None
        assert self.floor.status("otto").state is AgentState.READY
        return status.attempt_id
