"""Run sipp as the carrier (a SIP UAS) for tests, benchmarks and the demo.

Each scenario is an XML file in ``scenarios/``. sipp 3.6.1 takes no variables in ``timeout=``
or ``rtp_stream`` file names, so the audio a scenario streams is always ``speech.ulaw`` in
sipp's working directory: :func:`make_speech_audio` writes it there (espeak-ng and sox at run
time; no binary audio in the repository).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

import psutil

from dialer.telephony.ports import free_udp_port

SCENARIO_DIR = Path(__file__).parent / "scenarios"
SPEECH_FILE = "speech.ulaw"
DEFAULT_SPEECH = (
    "Hello, this is the simulated customer speaking. Yes, I can talk now. "
    "Please tell me more about your offer."
)


class SippError(RuntimeError):
    pass


class Scenario(StrEnum):
    ANSWER_SPEECH = "answer_speech"
    ANSWER_GREETING = "answer_greeting"  # plays greeting.ulaw once (AMD tests and bench)
    # Replays greeting.pcap: speech, then comfort-noise packets (RFC 3389), CN in its SDP.
    ANSWER_COMFORT_NOISE = "answer_comfort_noise"
    ANSWER_AND_WAIT = "answer_and_wait"
    # As ANSWER_AND_WAIT with telephone-event (RFC 2833) in its SDP, up 45 s: call features.
    ANSWER_WITH_DTMF = "answer_with_dtmf"
    ANSWER_THEN_HANGUP = "answer_then_hangup"
    EARLY_MEDIA_THEN_ANSWER = "early_media_then_answer"
    BUSY_486 = "reject_486"
    BUSY_600 = "reject_600"
    NOT_FOUND_404 = "reject_404"
    INCOMPLETE_484 = "reject_484"
    UNAVAILABLE_503 = "reject_503"
    DECLINE_603 = "decline_603"
    NO_ANSWER_480 = "no_answer_480"
    TIMEOUT_408 = "timeout_408"
    NEVER_ANSWERS = "never_answers"
    SILENT = "silent"
    GARBAGE = "garbage"
    DIGEST_401 = "digest_401"
    DIGEST_407 = "digest_407"
    MIX = "mix"
    DEMO = "demo"
    UAC_INVITE_REFUSED = "uac_invite_refused"
    UAC_CALLER_HANGS_UP = "uac_caller_hangs_up"
    UAC_CALLER_WAITS = "uac_caller_waits"
    REGISTRAR = "registrar"

    @property
    def path(self) -> Path:
        return SCENARIO_DIR / f"{self.value}.xml"


# What a scenario replays from sipp's working directory, written by the caller before start.
_PLAYED_FILE = {
    Scenario.ANSWER_GREETING.value: "greeting.ulaw",
    Scenario.ANSWER_COMFORT_NOISE.value: "greeting.pcap",
}


def make_speech_audio(directory: Path, text: str = DEFAULT_SPEECH) -> Path:
    """Write ``speech.ulaw`` (raw G.711 mu-law, 8 kHz) spoken by espeak-ng into ``directory``."""
    target = directory / SPEECH_FILE
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise SippError(f"{tool} is needed to make the carrier's speech audio")
    wav = directory / "speech-source.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "1", "-t", "ul", str(target)], check=True)
    wav.unlink()
    return target


VOICEMAIL_FILE = "voicemail.ulaw"
VOICEMAIL_GREETING = (
    "Hi, you have reached the voicemail of Sam. I can't take your call right now. "
    "Please leave your name and number after the tone and I will get back to you."
)


def make_voicemail_audio(directory: Path, text: str = VOICEMAIL_GREETING) -> Path:
    """Write ``voicemail.ulaw``: an answering machine's greeting, then a 1 kHz beep."""
    target = directory / VOICEMAIL_FILE
    if target.exists():
        return target
    speech = make_speech_audio(directory / "voicemail-work", text)
    beep = directory / "voicemail-beep.ul"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            "-t",
            "ul",
            str(beep),
            "synth",
            "0.4",
            "sine",
            "1000",
        ],
        check=True,
    )
    silence = b"\xff" * 4000  # half a second of mu-law silence between greeting and tone
    target.write_bytes(speech.read_bytes() + silence + beep.read_bytes() + silence * 4)
    beep.unlink()
    return target


@dataclass(frozen=True)
class SippStats:
    calls_created: int
    successful: int
    failed: int


class SippCarrier:
    """One sipp UAS process on 127.0.0.1; use as a context manager.

    Logs every SIP message (``-trace_msg``) so tests can count the INVITEs that reached the
    carrier, which is how "no second INVITE" is proven.
    """

    def __init__(
        self,
        scenario: Scenario | Path,
        workdir: Path,
        *,
        port: int | None = None,
        media_port: int | None = None,
        address: str = "127.0.0.1",
        extra_args: tuple[str, ...] = (),
        remote: str | None = None,
        calls: int | None = None,
    ) -> None:
        """``remote`` (host:port) makes sipp a client (UAC) that calls it ``calls`` times."""
        self.scenario_path = scenario.path if isinstance(scenario, Scenario) else scenario
        self.workdir = workdir
        self.address = address
        self._fixed_ports = port is not None
        self.port = port or 0
        self.media_port = media_port or 0
        self.extra_args = extra_args
        self.remote = remote
        self.calls = calls
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def _log_stem(self) -> str:
        return f"sipp-{self.scenario_path.stem}-{self.port}"

    @property
    def message_log(self) -> Path:
        return self.workdir / f"{self._log_stem}-messages.log"

    @property
    def error_log(self) -> Path:
        return self.workdir / f"{self._log_stem}-errors.log"

    @property
    def stat_file(self) -> Path:
        return self.workdir / f"{self._log_stem}-stats.csv"

    @property
    def host_port(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def uri_template(self) -> str:
        """A trunk URI template that reaches this carrier."""
        return f"sip:{{number}}@{self.host_port}"

    def start(self) -> SippCarrier:
        """Start sipp and return once it listens (another port if its port was taken)."""
        if shutil.which("sipp") is None:
            raise SippError("sipp is not installed (Debian package sip-tester)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        make_speech_audio(self.workdir)
        if self.scenario_path.stem == Scenario.DEMO.value:
            make_voicemail_audio(self.workdir)
        played = _PLAYED_FILE.get(self.scenario_path.stem)
        if played is not None and not (self.workdir / played).is_file():
            # sipp would die at start ("Cannot read/cache rtpstream file", or the pcap's open):
            # say what is missing.
            raise SippError(
                f"{self.scenario_path.stem} plays {self.workdir / played}: write it first"
            )
        for _ in range(3):
            if not self._fixed_ports or not self.port:
                self.port = free_udp_port(address=self.address)
            if not self._fixed_ports or not self.media_port:
                self.media_port = free_udp_port(address=self.address, block=4)
            self._launch()
            if self._wait_until_listening():
                return self
            self.stop(settle=0)
            if self._fixed_ports or "Unable to bind" not in self._errors():
                break
        raise SippError(f"sipp did not start: {self._errors()[-500:]}")

    def _launch(self) -> None:
        command = [
            "sipp",
            "-sf", str(self.scenario_path),
            "-i", self.address,
            "-p", str(self.port),
            "-mi", self.address,
            "-mp", str(self.media_port),
            "-nostdin",
            "-trace_msg", "-message_file", str(self.message_log),
            "-trace_err", "-error_file", str(self.error_log),
            "-trace_stat", "-stf", str(self.stat_file), "-fd", "1",
            *self.extra_args,
        ]  # fmt: skip
        if self.calls is not None:
            command += ["-m", str(self.calls)]
        if self.remote is not None:
            command.append(self.remote)
        self._process = subprocess.Popen(
            command,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait_until_listening(self, timeout: float = 5.0) -> bool:
        """True once sipp has bound its SIP port (seen from outside, without touching it)."""
        process = self._process
        assert process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return self.remote is not None and process.returncode == 0
            try:
                sockets = psutil.Process(process.pid).net_connections(kind="udp")
            except psutil.Error:
                sockets = []
            if any(conn.laddr and conn.laddr.port == self.port for conn in sockets):
                return True
            time.sleep(0.02)
        return False

    def _errors(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")
        except OSError:
            return ""

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self, timeout: float) -> int | None:
        """Wait for sipp to exit by itself (a UAC with ``calls``); its exit code, 0 = all ok."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, settle: float = 0.2) -> None:
        """Stop the process, after ``settle`` seconds in which it can still answer a BYE or
        CANCEL in flight: killed earlier, it leaves that transaction (and the caller's pjsua
        call slot) waiting up to 32 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        time.sleep(settle)
        # SIGUSR1 would let sipp finish its calls (minutes in a paused scenario): a test is
        # over, so stop now; statistics are dumped every second anyway (-fd 1).
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> SippCarrier:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def received_requests(self, method: str) -> list[str]:
        """Every received SIP request of ``method`` (full text), from sipp's message log."""
        if not self.message_log.exists():
            return []
        text = self.message_log.read_text(errors="replace")
        found: list[str] = []
        for block in text.split("message received")[1:]:
            message = block.split(":", 1)[1].lstrip("\r\n") if ":" in block else ""
            message = message.split("\n-----", 1)[0]
            if message.startswith(f"{method} "):
                found.append(message)
        return found

    def wait_for_requests(self, method: str, count: int, timeout: float = 5.0) -> list[str]:
        """Like :meth:`received_requests`, waiting up to ``timeout`` s for ``count`` of them:
        sipp flushes its message log about once a second, not per message."""
        deadline = time.monotonic() + timeout
        found = self.received_requests(method)
        while len(found) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            found = self.received_requests(method)
        return found

    def invites_received(self, *, initial_only: bool = True) -> int:
        """INVITEs that reached the carrier; by default not counting retransmissions or
        the re-sent INVITE that answers a digest challenge (same Call-ID)."""
        invites = self.wait_for_requests("INVITE", 1, timeout=3.0)
        if not initial_only:
            return len(invites)
        call_ids = {_header(m, "Call-ID") for m in invites}
        return len(call_ids)

    def final_responses(self) -> dict[str, int]:
        """The final status sipp sent to each INVITE, by Call-ID (what the carrier meant, to
        check the outcome the dialer stored for that call)."""
        if not self.message_log.exists():
            return {}
        finals: dict[str, int] = {}
        text = self.message_log.read_text(errors="replace")
        for block in text.split("message sent")[1:]:
            message = block.split(":", 1)[1].lstrip("\r\n") if ":" in block else ""
            message = message.split("\n-----", 1)[0]
            if not message.startswith("SIP/2.0 ") or "INVITE" not in _header(message, "CSeq"):
                continue
            status = int(message[8:11])
            if status >= 200:
                finals.setdefault(_header(message, "Call-ID"), status)
        return finals

    def answered_media_ports(self) -> list[int]:
        """The RTP ports sipp gave in the SDP of its answers (m=audio), in order: where the
        dialer sends the customer's side of the call (tests capture it there)."""
        return self._sent_media_ports(lambda m: m.startswith("SIP/2.0 200"))

    def offered_media_ports(self) -> list[int]:
        """The RTP ports sipp gave in the SDP of the INVITEs it sent (a caller's): where the
        called side sends its audio."""
        return self._sent_media_ports(lambda m: m.startswith("INVITE "))

    def _sent_media_ports(self, wanted: Callable[[str], bool]) -> list[int]:
        if not self.message_log.exists():
            return []
        ports: list[int] = []
        text = self.message_log.read_text(errors="replace")
        for block in text.split("message sent")[1:]:
            message = block.split(":", 1)[1].lstrip("\r\n") if ":" in block else ""
            message = message.split("\n-----", 1)[0]
            if not wanted(message) or "INVITE" not in _header(message, "CSeq"):
                continue
            for line in message.splitlines():
                if line.startswith("m=audio "):
                    ports.append(int(line.split()[1]))
        return ports

    def stats(self) -> SippStats | None:
        if not self.stat_file.exists():
            return None
        with self.stat_file.open(newline="") as f:
            rows = list(csv.DictReader(f, delimiter=";"))
        if not rows:
            return None
        last = rows[-1]
        return SippStats(
            calls_created=int(last.get("TotalCallCreated", 0) or 0),
            successful=int(last.get("SuccessfulCall(C)", 0) or 0),
            failed=int(last.get("FailedCall(C)", 0) or 0),
        )


def _header(message: str, name: str) -> str:
    for line in message.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""
