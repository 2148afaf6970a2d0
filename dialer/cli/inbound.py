"""`dialer inbound`: queues and their numbers, and the processes that take inbound calls."""

from __future__ import annotations

import math
import sys

import click

from campaigns.storage import campaign_store, inbound_store
from campaigns.storage.inbound_store import Overflow
from dialer.cli.runtime import Runtime
from dialer.inbound import media, proxy
from dialer.inbound.process import RTP_PORTS_PER_PROCESS
from dialer.inbound.proxy import CALLS_PER_PROCESS
from dialer.supervisor import ChildSpec, Supervisor


def inbound_specs(
    calls: int, sip_port: int, rtp_port: int, grace: float, log_dir: str | None = None
) -> list[ChildSpec]:
    """ceil(calls / 2) processes; process k takes SIP on sip_port + k."""
    specs = []
    for index in range(math.ceil(calls / CALLS_PER_PROCESS)):
        specs.append(
            ChildSpec(
                name=f"inbound-{index}",
                argv=[sys.executable, "-m", "dialer.inbound.process"],
                env={
                    "DIALER_INBOUND_INDEX": str(index),
                    "DIALER_INBOUND_SIP_PORT": str(sip_port + index),
                    "DIALER_INBOUND_RTP_PORT": str(rtp_port + index * RTP_PORTS_PER_PROCESS),
                    "DIALER_INBOUND_GRACE_S": str(grace),
                },
                log_path=f"{log_dir}/inbound-{index}.log" if log_dir else None,
            )
        )
    return specs


@click.group()
def inbound() -> None:
    """Inbound queues: callers to a queue's number reach the campaign's agents."""


@inbound.command("add-queue")
@click.argument("name")
@click.option("--campaign", help="Campaign whose agents answer (blended with its outbound).")
@click.option("--did", "dids", multiple=True, required=True, help="E.164 number, repeatable.")
@click.option("--max-wait", type=click.IntRange(5, 3600), default=120, show_default=True)
@click.option(
    "--overflow",
    type=click.Choice([o.value for o in Overflow]),
    default=Overflow.VOICEMAIL.value,
    show_default=True,
)
@click.option(
    "--announce-place",
    type=int,
    default=30,
    show_default=True,
    help="Tell a waiting caller their place and estimated wait every N s (10-3600; 0: never).",
)
@click.pass_obj
def add_queue(
    runtime: Runtime,
    name: str,
    campaign: str | None,
    dids: tuple[str, ...],
    max_wait: int,
    overflow: str,
    announce_place: int,
) -> None:
    """Create a queue NAME reached by the given numbers."""
    if announce_place != 0 and not 10 <= announce_place <= 3600:
        raise click.BadParameter("0 (never) or 10-3600 seconds", param_hint="--announce-place")
    with runtime.connection() as conn:
        campaign_id = campaign_store.find_campaign(conn, campaign).id if campaign else None
        queue_id = inbound_store.add_queue(
            conn,
            name,
            campaign_id,
            list(dids),
            max_wait_s=max_wait,
            overflow=Overflow(overflow),
            announce_place_s=announce_place,
        )
    click.echo(f"queue {name} ({queue_id}): {', '.join(dids)}")


@inbound.command()
@click.option("--port", type=click.IntRange(1, 65535), default=5080, show_default=True,
              help="SIP port of the first process (process k: port + k).")  # fmt: skip
@click.option("--rtp-port", type=click.IntRange(1024, 65000), default=30000, show_default=True)
@click.option(
    "--calls",
    type=click.IntRange(1, 2000),
    default=2,
    show_default=True,
    help="Calls to carry at once (two per process: caller + agent = 2 of pjsua2's 4 legs).",
)
@click.option("--grace", type=float, default=30.0, show_default=True)
@click.option(
    "--proxy-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Also start Kamailio on this port in front of the processes (0: none).",
)
@click.option(
    "--proxy-order",
    type=click.Choice([o.value for o in proxy.Order]),
    default=proxy.Order.LOAD.value,
    show_default=True,
    help="load: the least loaded process with room, counted by the proxy (486 from the proxy "
    "when all are full); spread: round-robin with failover; fill: the first process with room.",
)
@click.pass_obj
def serve(
    runtime: Runtime,
    port: int,
    rtp_port: int,
    calls: int,
    grace: float,
    proxy_port: int,
    proxy_order: str,
) -> None:
    """Take inbound calls (from DIALER_CARRIER_ADDRESSES only); SIGTERM stops gracefully."""
    runtime.services()  # embedded servers started (or joined) and their URLs exported
    with runtime.connection() as conn:
        routes = inbound_store.all_routes(conn)
    media.prepare(runtime.settings.data_dir, routes)  # no caller waits while audio is made
    specs = inbound_specs(calls, port, rtp_port, grace)
    if proxy_port:
        settings = runtime.settings
        allowed = [a.split("/")[0] for a in settings.carrier_addresses] or ["127.0.0.1"]
        if settings.sip_address not in allowed:  # our workers' transfers to queues
            allowed.append(settings.sip_address)
        config = proxy.write_config(
            settings.data_dir / "inbound-proxy",
            settings.sip_address,
            proxy_port,
            [port + index for index in range(len(specs))],
            allowed,
            proxy.Order(proxy_order),
        )
        specs.append(proxy.proxy_spec(config))
    click.echo(f"starting {len(specs)} inbound processes on SIP ports {port}..", err=True)
    Supervisor(specs, stop_timeout_s=grace + 15).run_until_signalled()
