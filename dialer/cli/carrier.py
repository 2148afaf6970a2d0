"""`dialer carrier`: a simulated carrier (sipp) for demos, load tests and the compose stack."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from dialer.carrier import Scenario, SippCarrier, SippError
from dialer.cli.runtime import Runtime


@click.command()
@click.option(
    "--scenario",
    type=click.Choice([s.value for s in Scenario]),
    default=Scenario.MIX.value,
    show_default=True,
    help="mix: 40 % live answers with speech, busy, no answer, declined.",
)
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=5060, show_default=True)
@click.pass_obj
def carrier(runtime: Runtime, scenario: str, address: str, port: int) -> None:
    """Answer the dialer's calls like a carrier would, until SIGTERM or Ctrl-C.

    Point a trunk at it: `dialer trunk create sim --uri sip:{number}@ADDRESS:PORT`.
    """
    workdir = runtime.settings.data_dir / "carrier"
    workdir.mkdir(parents=True, exist_ok=True)
    sipp = SippCarrier(Scenario(scenario), Path(workdir), address=address, port=port)
    try:
        sipp.start()
    except SippError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"carrier ({scenario}) listening on {sipp.host_port}; trunk URI {sipp.uri_template}")
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    while not stop.wait(1.0):
        if not sipp.running():
            raise click.ClickException(f"sipp exited; see {sipp.error_log}")
    sipp.stop(settle=1.0)
