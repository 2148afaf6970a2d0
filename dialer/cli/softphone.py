"""`dialer softphone`: the agent's phone (keys in the terminal), or a robot agent (`--robot`).

pjsua2 is imported only when the phone starts (the adapter module), never by `dialer --help`.
The process ends through the adapter's ordered shutdown and `os._exit`: nothing of pjsua2 may
be left to the interpreter's teardown.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import click

from dialer.cli.runtime import Runtime
from dialer.softphone.app import SoftphoneOptions, Stopper, run_softphone
from dialer.softphone.desk import AgentDesk
from dialer.softphone.dice import DispositionMix, MixError, TalkTime
from dialer.softphone.provision import robot_call_grace_s
from dialer.softphone.robot_team import RobotSpec, TeamOptions
from dialer.softphone.terminal import Keyboard
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK, AudioDevice, EndpointConfigError
from dialer.telephony.user_agent import Registration, UserAgentConfigError


def _echo(text: str) -> None:
    click.echo(text)
    sys.stdout.flush()


@click.command()
@click.option("--address", default="127.0.0.1", show_default=True, help="IP to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="SIP port (5062).")
@click.option("--user", default="agent", show_default=True, help="SIP user of this phone.")
@click.option("--registrar", help="Register here (sip:pbx.example.com) instead of listening.")
@click.option("--password", envvar="DIALER_SIP_PASSWORD", help="Registration password.")
@click.option("--realm", default="*", show_default=True, help="Digest realm of the password.")
@click.option("--auto-answer", is_flag=True, help="Answer every call at once.")
@click.option(
    "--audio-device",
    type=click.Choice([d.value for d in AudioDevice]),
    default=AudioDevice.NULL.value,
    show_default=True,
    help="'default' uses the PC's microphone and speaker; 'null' has no sound (servers).",
)
@click.option("--allow", "allowed", multiple=True, help="An IP that may call (default: loopback).")
@click.option(
    "--rtp-port",
    type=click.IntRange(0, 65535),
    default=0,
    help=f"First of {RTP_PORT_BLOCK} RTP ports (0: any free port).",
)
@click.option("--record", "record_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--robot", is_flag=True, help="A robot agent: answers, talks, records dispositions.")
@click.option(
    "--team",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Robots of this process from a team file (`dialer robots` writes it).",
)
@click.option("--api-url", envvar="DIALER_API_URL", help="Dashboard URL (default: settings).")
@click.option(
    "--token",
    envvar="DIALER_AGENT_TOKEN",
    help="The agent's API token (a robot's; the phone's speed dial).",
)
@click.option("--talk-mean", type=float, default=30.0, show_default=True, help="Seconds.")
@click.option("--talk-cv", type=float, default=0.5, show_default=True, help="Lognormal CV.")
@click.option("--wrap-seconds", type=float, default=1.0, show_default=True)
@click.option(
    "--dispositions",
    default="sale=1,not_interested=3,callback=1",
    show_default=True,
    help="Codes with weights.",
)
@click.option(
    "--callback-after",
    type=float,
    default=3600.0,
    show_default=True,
    help="Seconds from now a callback disposition asks for.",
)
@click.option("--campaign", "campaigns", type=int, multiple=True, help="Campaign id to log in to.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--first-index", type=int, default=0, hidden=True, help="Number of the first robot.")
@click.pass_obj
def softphone(
    runtime: Runtime,
    address: str,
    port: int | None,
    user: str,
    registrar: str | None,
    password: str | None,
    realm: str,
    auto_answer: bool,
    audio_device: str,
    allowed: tuple[str, ...],
    rtp_port: int,
    record_dir: Path | None,
    robot: bool,
    team: Path | None,
    api_url: str | None,
    token: str | None,
    talk_mean: float,
    talk_cv: float,
    wrap_seconds: float,
    dispositions: str,
    callback_after: float,
    campaigns: tuple[int, ...],
    seed: int,
    first_index: int,
) -> None:
    """The agent's phone: rings (or auto-answers) with the customer on screen; keys a h m p
    0-9*# q. With --robot, a robot agent for demos and benchmarks."""
    try:
        registration = Registration(registrar, user, password or "", realm) if registrar else None
        options = SoftphoneOptions(
            address=address,
            port=5062 if port is None else port,
            user=user,
            registration=registration,
            auto_answer=auto_answer,
            audio_device=AudioDevice(audio_device),
            allowed_sources=allowed or ("127.0.0.1",),
            record_dir=record_dir,
            rtp_port=rtp_port,
        )
        if not (robot or team):
            # With the agent's token, `*<slot>#` dials speed-dial entries through the API.
            _phone(options, AgentDesk(_api_url(runtime, api_url), token) if token else None)
            return
        if team is not None:
            specs = tuple(
                RobotSpec(r["token"], r.get("port", 0), r.get("user", ""))
                for r in json.loads(team.read_text())
            )
        elif token:
            specs = (RobotSpec(token, port or 0),)
        else:
            raise click.UsageError("a robot needs --token (or DIALER_AGENT_TOKEN) or --team")
        robots = TeamOptions(
            api_url=_api_url(runtime, api_url),
            robots=specs,
            talk=TalkTime(talk_mean, talk_cv),
            mix=DispositionMix.parse(dispositions),
            seed=seed,
            first_index=first_index,
            wrap_s=wrap_seconds,
            callback_after_s=callback_after,
            campaign_ids=campaigns,
            record_dir=record_dir,
        )
    except (EndpointConfigError, UserAgentConfigError, MixError, ValueError) as bad:
        raise click.UsageError(str(bad)) from None
    _robots(options, robots)


def _api_url(runtime: Runtime, given: str | None) -> str:
    if given:
        return given
    settings = runtime.settings
    return f"http://{settings.dashboard_host}:{settings.dashboard_port}"


def _phone(options: SoftphoneOptions, desk: AgentDesk | None) -> None:
    from dialer.telephony.pjsua2_adapter import Pjsua2Telephony

    stop = Stopper()
    stop.install()
    ua = Pjsua2Telephony.start(options.endpoint())
    code = 0
    try:
        run_softphone(ua, options, Keyboard(), _echo, stop, desk)
    except Exception as failed:  # noqa: BLE001 - the process edge: say why, then shut down in order
        click.echo(f"error: {failed}", err=True)
        code = 1
    ua.shutdown(exit_process=True, exit_code=code)


def _robots(phone: SoftphoneOptions, options: TeamOptions) -> None:
    from dialer.softphone.robot_team import Team
    from dialer.softphone.speech import speech_wav
    from dialer.telephony.pjsua2_adapter import Pjsua2Telephony

    speech = speech_wav(Path(tempfile.mkdtemp(prefix="dialer-robot-")))
    stop = Stopper()
    stop.install()
    ua = Pjsua2Telephony.start(phone.endpoint())
    code = 0
    try:
        team = Team(ua, options, speech)
        for line in team.start():
            _echo(f"READY {line.name} {line.uri}")
        stop.stop.wait()
        report = team.stop(grace_s=robot_call_grace_s(options.talk.mean_s))
        _echo("REPORT " + json.dumps(asdict(report)))
    except Exception as failed:  # noqa: BLE001 - the process edge: say why, then shut down in order
        click.echo(f"error: {failed}", err=True)
        code = 1
    ua.shutdown(exit_process=True, exit_code=code)
