"""docker-compose.yml names only commands the dialer has, and waits for healthy dependencies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from dialer.cli.app import cli

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _dialer_services() -> dict[str, list[str]]:
    return {
        name: service["command"]
        for name, service in _services().items()
        if service.get("image", "").startswith("predictive-dialer")
    }


def _resolve(argv: list[str]) -> click.Command:
    """Walk the click groups as `dialer ARGV --help` would, failing on an unknown command."""
    command: click.Command = cli
    args = list(argv)
    context = click.Context(cli, info_name="dialer")
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        found = command.get_command(context, args.pop(0))
        assert found is not None, f"`dialer {' '.join(argv)}`: no such command"
        command = found
    command.make_context("dialer", args, parent=context, resilient_parsing=False)
    return command


@pytest.mark.parametrize("name", sorted(_dialer_services()))
def test_every_dialer_service_runs_a_real_command_with_valid_options(name: str) -> None:
    _resolve(_dialer_services()[name])


def test_services_wait_for_healthy_dependencies() -> None:
    services = _services()
    for name in ("postgres", "redis", "dashboard"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert "-h" in services["postgres"]["healthcheck"]["test"]
    for name in ("dashboard", "scheduler", "workers"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
