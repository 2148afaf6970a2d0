"""The call flow's AgentClaimer for a worker: agents claimed, released and handed over in their
live state in Redis (dialer.agents), including the agent a transfer asks for."""

from __future__ import annotations

import logging
from datetime import datetime

import redis

from campaigns.storage.attempt_store import AttemptToDial
from dialer.agent_forwarding import forwarding_for
from dialer.agents.service import HandBack
from dialer.call_flow.model import CLAIM_RETRY, AgentRef, AgentRelease
from dialer.dialing.context import DialContext

log = logging.getLogger(__name__)


class Claimer:
    """The call flow's AgentClaimer on the agents' live state in Redis."""

    def __init__(self, ctx: DialContext, to_dial: AttemptToDial) -> None:
        self.ctx = ctx
        self.to_dial = to_dial
        self._deferred: list[int] = []
        # The agent holding this call now (reserved or talking), if any.
        self.current: int | None = None
        self.claims = 0
        # Asked for any agent with a deadline and got none: in the campaign's line of answers.
        self._in_line = False

    def claim_agent(
        self, attempt_id: str, only_agent_id: str | None = None, until: datetime | None = None
    ) -> AgentRef | None:
        if only_agent_id is not None:
            return self._claim_transfer_target(int(attempt_id), int(only_agent_id))
        preassigned = self.to_dial.preassigned_agent_id
        if preassigned is not None:
            # A preview: the agent chose this call and is reserved for it already; never another
            # agent, and only once (a phone that failed leaves the answer to the message).
            if self.claims:
                return None
            claimed = self.ctx.agents.reserved_for(preassigned, int(attempt_id))
        else:
            claimed = self.ctx.agents.claim(
                self.to_dial.campaign_id,
                int(attempt_id),
                self.ctx.now(),
                yield_to_inbound=True,
                until=until,
            )
            self._in_line = claimed is None and until is not None
            if self._in_line and until is not None and self.ctx.now() + CLAIM_RETRY > until:
                # The call flow will not ask again (it plays the message): leave the line now,
                # not at the deadline, so the answers behind are not kept waiting for nobody.
                self.leave_line()
        if claimed is None:
            return None
        self.current = claimed.agent_id
        self.claims += 1
        forward = None
        if preassigned is None:  # a call the agent placed themselves is never forwarded
            forward = forwarding_for(
                self.ctx.pool,
                claimed.agent_id,
                self.to_dial.attempt_id,
                self.to_dial.transfer_destinations,
            )
        return AgentRef(str(claimed.agent_id), claimed.sip_uri, forward)

    def _claim_transfer_target(self, attempt_id: int, agent_id: int) -> AgentRef | None:
        """The agent a transfer asks for, if they are ready in this campaign (the preview's
        claim: that agent or nobody). They are not yet the call's agent (took_over)."""
        claimed = self.ctx.agents.claim(
            self.to_dial.campaign_id, attempt_id, self.ctx.now(), only_agent_id=agent_id
        )
        if claimed is None:
            return None
        self.claims += 1  # the call flow rings them on its next agent leg
        return AgentRef(str(claimed.agent_id), claimed.sip_uri, name=claimed.display_name)

    def took_over(self, agent: AgentRef) -> None:
        self.current = int(agent.agent_id)

    def joined(self, agent: AgentRef) -> None:
        """In a three-way call: on call with this attempt (their console shows it), which the
        agent who added them keeps (notices, disposition) unless they leave."""
        self.ctx.agents.connected(int(agent.agent_id), self.to_dial.attempt_id, self.ctx.now())

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None:
        agent_id = int(agent.agent_id)
        if self.current == agent_id:
            self.current = None
        if reason is AgentRelease.TALKED:
            self._deferred.append(agent_id)
            return
        if reason in {AgentRelease.TRANSFERRED, AgentRelease.CONFERENCED}:
            # The call goes on without them: wrap-up now, not when the customer hangs up.
            self.ctx.agents.ended(agent_id, self.to_dial.attempt_id, self.ctx.now(), reason.value)
            return
        self.ctx.agents.release(
            agent_id, self.to_dial.attempt_id, HandBack(reason.value), self.ctx.now()
        )

    def release_preassigned(self) -> None:
        """A preview's agent still reserved when the attempt is over (busy, no answer, nothing
        dialed) never took the call: back to ready, at their old place."""
        agent_id = self.to_dial.preassigned_agent_id
        if agent_id is None:
            return
        if self.ctx.agents.reserved_for(agent_id, self.to_dial.attempt_id) is not None:
            self.ctx.agents.release(
                agent_id, self.to_dial.attempt_id, HandBack.UNUSED, self.ctx.now()
            )

    def leave_line(self) -> None:
        """The answer will not ask again (last ask, or the attempt is over): give its place in
        the campaign's line up. A failure only leaves the entry until its deadline passes."""
        if not self._in_line:
            return
        self._in_line = False
        try:
            self.ctx.agents.leave_line(self.to_dial.campaign_id, self.to_dial.attempt_id)
        except redis.RedisError as error:
            log.warning("attempt %s: left the line late: %s", self.to_dial.attempt_id, error)

    def release_deferred(self) -> None:
        for agent_id in self._deferred:
            self.ctx.agents.ended(agent_id, self.to_dial.attempt_id, self.ctx.now())
        self._deferred.clear()
