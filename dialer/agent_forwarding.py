"""The forwarding of an agent as it applies to one offered call (campaigns.call_forwarding).

Read from PostgreSQL when the call is offered (one indexed row: the agent may have changed it
a moment ago), against the campaign's transfer allow list carried by the attempt. An inbound
queue call has no attempt: a forward to a number reads the queue's campaign (allow list, caller
ID) and its trunk, the rows the worker reads for an attempt, when the call is offered. Calls the
agent placed themselves (preview, click-to-call, speed dial) are never forwarded: the agent is
at the desk, having just clicked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from psycopg_pool import ConnectionPool

from campaigns.agents import ForwardMode
from campaigns.call_forwarding import (
    ForwardTarget,
    forward_target,
    inbound_forward_target,
    is_uri,
)
from campaigns.errors import NotFound
from campaigns.storage import agent_store, campaign_store, trunk_store
from dialer.campaign_trunk import trunk_config
from dialer.telephony.trunk import TrunkConfig

log = logging.getLogger(__name__)


def forwarding_for(
    pool: ConnectionPool, agent_id: int, attempt_id: int, allow_list: tuple[str, ...]
) -> ForwardTarget | None:
    setting = _read(pool, agent_id, f"attempt {attempt_id}")
    if setting is None:
        return None
    target, refused = forward_target(*setting, allow_list)
    return _noted(target, refused, agent_id, f"attempt {attempt_id}")


@dataclass(frozen=True)
class InboundForward:
    """An inbound queue call's forwarding; ``trunk`` (the queue's campaign's, with its caller
    ID) when it goes to a number."""

    target: ForwardTarget
    trunk: TrunkConfig | None = None


def inbound_forwarding_for(
    pool: ConnectionPool, agent_id: int, call_id: int, campaign_id: int | None
) -> InboundForward | None:
    """The same for an inbound queue call offered to the agent, a number going out through the
    trunk of the queue's campaign (``campaign_id``) if that campaign allows it."""
    call = f"inbound call {call_id}"
    setting = _read(pool, agent_id, call)
    if setting is None:
        return None
    mode, forward_to = setting
    allow_list: tuple[str, ...] = ()
    trunk = None
    if mode is not ForwardMode.OFF and forward_to and not is_uri(forward_to):
        allow_list, trunk = _campaign_trunk(pool, campaign_id, call)
    target, refused = inbound_forward_target(mode, forward_to, allow_list, trunk is not None)
    target = _noted(target, refused, agent_id, call)
    return None if target is None else InboundForward(target, trunk)


def _campaign_trunk(
    pool: ConnectionPool, campaign_id: int | None, call: str
) -> tuple[tuple[str, ...], TrunkConfig | None]:
    """The campaign's transfer allow list and trunk (None: it has none, or it is unreadable)."""
    if campaign_id is None:
        return (), None
    try:
        with pool.connection() as conn:
            campaign = campaign_store.get_campaign(conn, campaign_id)
            if campaign.trunk_id is None:
                return campaign.spec.transfer_destinations, None
            trunk = trunk_store.get_trunk(conn, campaign.trunk_id).spec
        return campaign.spec.transfer_destinations, trunk_config(trunk, campaign.spec.caller_id)
    except (psycopg.Error, NotFound, ValueError) as failed:  # refused: the agent's own phone
        log.warning("%s: campaign %s's trunk unread: %s", call, campaign_id, failed)
        return (), None


def _read(pool: ConnectionPool, agent_id: int, call: str) -> tuple[ForwardMode, str | None] | None:
    try:
        with pool.connection() as conn:
            return agent_store.forwarding(conn, agent_id)
    except psycopg.Error as failed:  # the offer goes on to the agent's own phone
        log.warning("%s: agent %s's forwarding unread: %s", call, agent_id, failed)
        return None


def _noted(
    target: ForwardTarget | None, refused: str | None, agent_id: int, call: str
) -> ForwardTarget | None:
    if refused is not None:
        log.warning("%s: agent %s: %s", call, agent_id, refused)
    elif target is not None:
        log.info("%s: agent %s forwards (%s)", call, agent_id, target.mode.value)
    return target
