"""The sip tier: the real pjsua2 adapter against sipp (carrier) and baresip (agent phone)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from dialer.call_flow import AttemptResult, Milestone
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony import E164, DigestCredentials, TrunkConfig
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK, EndpointConfig
from dialer.telephony.ports import TEST_RTP_RANGE, free_udp_port

from .softphone_process import SoftphoneProcess

CALLER_ID = E164("+14155550100")
CUSTOMER = E164("+442079460000")

missing = [tool for tool in ("sipp", "baresip", "sox", "espeak-ng") if shutil.which(tool) is None]
if missing:
    pytest.skip(f"sip tier needs {', '.join(missing)}", allow_module_level=True)

pj_adapter = pytest.importorskip("dialer.telephony.pjsua2_adapter")


RTP_PORTS = RTP_PORT_BLOCK  # as a worker's: slack for ports other processes hold meanwhile


# The logs a failed sip test's processes left in its tmp_path, tails first: a failure in CI is
# read from its output alone (the tmp dirs are gone), and "the phone never answered" means
# nothing without what the worker, the inbound process and the phones said meanwhile.
_LOG_GLOBS = ("workers.log", "inbound*.log", "*/baresip.log", "softphone*.log", "*errors.log")
_LOG_TAIL_LINES = 60


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    if not report.failed or call.when != "call" or not isinstance(tmp_path, Path):
        return
    logs = [log for pattern in _LOG_GLOBS for log in sorted(tmp_path.glob(pattern))]
    if "dashboard_url" in item.fixturenames:  # the session's dashboard, beside the tmp dirs
        logs += sorted(tmp_path.parent.glob("dashboard-data*/dashboard.log"))
    for log in logs:
        lines = log.read_text(errors="replace").splitlines()[-_LOG_TAIL_LINES:]
        report.sections.append((f"{log.name} (last lines, {log.parent})", "\n".join(lines)))


@pytest.fixture(scope="session")
def telephony() -> Iterator[object]:
    """One endpoint for the whole session, as in a worker process (one Endpoint per process)."""
    config = EndpointConfig(
        sip_port=free_udp_port(hold=True),
        rtp_port=free_udp_port(*TEST_RTP_RANGE, block=RTP_PORTS, hold=True),
        rtp_ports=RTP_PORTS,
    )
    tel = pj_adapter.Pjsua2Telephony.start(config)
    yield tel
    tel.shutdown()


@pytest.fixture(autouse=True)
def no_leg_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "telephony" in request.fixturenames:
        tel = request.getfixturevalue("telephony")
        # A call hung up before any response keeps pjsua's slot until pjsip's INVITE timer
        # (32 s) ends, and the adapter's budget honestly says so: wait that long at most.
        deadline = time.monotonic() + 35
        while tel.free_legs() < tel.config.max_legs and time.monotonic() < deadline:
            time.sleep(0.2)
        assert tel.free_legs() == tel.config.max_legs, "a test left a leg or a reservation"


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio")


def speak(directory: Path, name: str, text: str, *, repeat: int = 0) -> Path:
    """A 16-bit 8 kHz mono WAV of ``text`` (espeak-ng + sox), made at test time."""
    raw = directory / f"{name}-raw.wav"
    out = directory / f"{name}.wav"
    if not out.exists():
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), text], check=True)
        effects = ["repeat", str(repeat)] if repeat else []
        subprocess.run(
            ["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(out), *effects], check=True
        )
    return out


@pytest.fixture
def carrier(tmp_path: Path) -> Iterator[Callable[[Scenario], SippCarrier]]:
    started: list[SippCarrier] = []

    def start(scenario: Scenario) -> SippCarrier:
        sipp = SippCarrier(scenario, tmp_path).start()
        started.append(sipp)
        return sipp

    yield start
    for sipp in started:
        sipp.stop()


def trunk_to(sipp: SippCarrier, credentials: DigestCredentials | None = None) -> TrunkConfig:
    return TrunkConfig(
        "sipp", sipp.uri_template, CALLER_ID, caller_name="Acme Ltd", credentials=credentials
    )


@dataclass
class Reporter:
    progress_seen: list[tuple[Milestone, datetime]] = field(default_factory=list)
    results: list[AttemptResult] = field(default_factory=list)

    def progress(self, attempt_id: str, milestone: Milestone, at: datetime) -> None:
        self.progress_seen.append((milestone, at))

    def finished(self, result: AttemptResult) -> None:
        self.results.append(result)


@pytest.fixture
def agent_phone() -> Iterator[SoftphoneProcess]:
    """Our softphone as an agent's desk phone, answering on its own (the console tests)."""
    phone = SoftphoneProcess("--port", str(free_udp_port()), "--user", "dora", "--auto-answer")
    yield phone
    phone.stop()
