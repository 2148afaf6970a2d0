"""A campaign's trunk as the telephony dials it: the stored trunk (campaigns.trunk) with the
campaign's caller ID. Shared by the worker's attempts and the inbound process's forwards to a
number, so both go out the same way."""

from __future__ import annotations

from campaigns.trunk import TrunkSpec
from dialer.telephony.numbers import E164
from dialer.telephony.trunk import DigestCredentials, TrunkConfig


def trunk_config(trunk: TrunkSpec, caller_id: str) -> TrunkConfig:
    """Raises TrunkConfigError (a ValueError) when the stored trunk cannot be dialed."""
    credentials = (
        DigestCredentials(trunk.auth_username, trunk.auth_password, trunk.auth_realm or "*")
        if trunk.auth_username and trunk.auth_password
        else None
    )
    return TrunkConfig(
        name=trunk.name,
        uri_template=trunk.uri_template,
        caller_id=E164(caller_id),
        outbound_proxy=trunk.outbound_proxy,
        credentials=credentials,
        max_lines=trunk.max_lines,
        max_calls_per_second=trunk.max_cps,
    )
