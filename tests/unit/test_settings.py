from __future__ import annotations

from pathlib import Path

import pytest

from dialer.bootstrap import kombu_url
from dialer.settings import SettingsError, load_settings


def test_defaults_need_no_environment_and_mean_embedded_servers() -> None:
    settings = load_settings({})
    assert settings.uses_embedded_database and settings.uses_embedded_redis
    assert settings.sip_port_base == 5070
    assert settings.upload_max_age_hours == 24
    assert settings.data_dir.is_absolute()


def test_every_value_is_read_from_its_variable(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u@db:5432/dialer",
            "REDIS_URL": "redis://cache:6379/0",
            "DIALER_DATA_DIR": str(tmp_path),
            "DIALER_SIP_ADDRESS": "10.0.0.5",
            "DIALER_SIP_PORT_BASE": "6000",
            "DIALER_CARRIER_ADDRESSES": "192.0.2.10, 198.51.100.0/24",
            "DIALER_LOG_LEVEL": "debug",
            "DIALER_UPLOAD_MAX_AGE_HOURS": "6",
        }
    )
    assert settings.database_url == "postgresql://u@db:5432/dialer"
    assert settings.data_dir == tmp_path
    assert settings.sip_port_base == 6000
    assert settings.carrier_addresses == ("192.0.2.10", "198.51.100.0/24")
    assert settings.log_level == "DEBUG"
    assert settings.upload_max_age_hours == 6


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://x@y/z"),
        ("REDIS_URL", "http://localhost"),
        ("DIALER_SIP_PORT_BASE", "seventy"),
        ("DIALER_SIP_PORT_BASE", "70000"),
        ("DIALER_SIP_ADDRESS", "my-host"),
        ("DIALER_CARRIER_ADDRESSES", "10.0.0.1,carrier"),
        ("DIALER_LOG_LEVEL", "chatty"),
        ("DIALER_RTP_PORTS_PER_PROCESS", "2"),
        ("DIALER_UPLOAD_MAX_AGE_HOURS", "0"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})
    assert str(raised.value).startswith(f"{variable}: ")


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.sip_port_base = 1  # type: ignore[misc]


def test_celery_reaches_a_unix_socket_redis_through_kombus_spelling() -> None:
    assert kombu_url("unix:///data/redis.sock") == "redis+socket:///data/redis.sock"
    assert kombu_url("redis://h:6379/2") == "redis://h:6379/2"
