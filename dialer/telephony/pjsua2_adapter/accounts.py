"""Accounts and lines, created on the SIP loop's thread.

The dialer dials through one account per (outbound proxy, credentials); a phone (softphone,
robot agent) adds lines, each a UDP transport of its own and an account bound to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pjsua2 as pj

from dialer.telephony.errors import TelephonyError
from dialer.telephony.pjsua2_adapter.callbacks import SipAccount
from dialer.telephony.pjsua2_adapter.objects import pj_error
from dialer.telephony.trunk import DigestCredentials
from dialer.telephony.user_agent import Line, LineConfig

if TYPE_CHECKING:
    from dialer.telephony.pjsua2_adapter.loop import SipLoop


def account(loop: SipLoop, proxy: str | None, credentials: DigestCredentials | None) -> SipAccount:
    key = (proxy, credentials)
    if key in loop.accounts:
        return loop.accounts[key]
    cfg = loop.config
    acc_cfg = pj.AccountConfig()
    acc_cfg.idUri = f"sip:{cfg.user}@{cfg.advertised_address}:{loop.sip_port}"
    acc_cfg.regConfig.registrarUri = ""
    if proxy:
        acc_cfg.sipConfig.proxies.append(proxy)
    if credentials is not None:
        acc_cfg.sipConfig.authCreds.append(
            pj.AuthCredInfo(
                "digest", credentials.realm, credentials.username, 0, credentials.password
            )
        )
    _media_config(loop, acc_cfg)
    account = SipAccount(loop)
    account.create(acc_cfg)
    loop.accounts[key] = account
    return account


def _media_config(loop: SipLoop, acc_cfg: pj.AccountConfig) -> None:
    cfg = loop.config
    media = acc_cfg.mediaConfig
    media.lockCodecEnabled = False  # else pjsua re-INVITEs agents that offer many codecs
    media.transportConfig.port = cfg.rtp_port
    media.transportConfig.portRange = cfg.rtp_port_range if cfg.rtp_port else 0
    media.transportConfig.boundAddress = cfg.bound_address
    media.transportConfig.publicAddress = cfg.public_address


def add_line(loop: SipLoop, line: LineConfig) -> Line:
    """A UDP transport of its own and an account bound to it (registering if asked)."""
    if line.name in loop.lines:
        raise TelephonyError(f"line {line.name} exists", permanent=True)
    assert loop.ep is not None
    cfg = loop.config
    transport = pj.TransportConfig()
    transport.port = line.sip_port
    transport.boundAddress = cfg.bound_address
    transport.publicAddress = cfg.public_address
    try:
        transport_id = loop.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    except pj.Error as exc:
        raise pj_error(f"listen on port {line.sip_port}", exc) from None
    port = int(loop.ep.transportGetInfo(transport_id).localName.rpartition(":")[2])
    up = Line(line.name, line.user, cfg.advertised_address, port)
    acc_cfg = pj.AccountConfig()
    acc_cfg.sipConfig.transportId = transport_id
    registration = line.registration
    if registration is None:
        acc_cfg.idUri = up.uri
        acc_cfg.regConfig.registrarUri = ""
    else:
        acc_cfg.idUri = registration.address_of_record
        acc_cfg.regConfig.registrarUri = registration.registrar
        acc_cfg.regConfig.timeoutSec = registration.expires_s
        acc_cfg.sipConfig.authCreds.append(
            pj.AuthCredInfo(
                "digest", registration.realm, registration.user, 0, registration.password
            )
        )
    _media_config(loop, acc_cfg)
    account = SipAccount(loop, line.name)
    try:
        account.create(acc_cfg)
    except pj.Error as exc:
        raise pj_error(f"line {line.name}", exc) from None
    loop.lines[line.name] = (account, up)
    return up
