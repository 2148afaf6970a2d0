"""Run baresip headless as a third-party agent softphone (auto-answer) for tests and the demo.

baresip plays a WAV file as its microphone (``aufile``), discards what it hears into an
unread audio bridge (``aubridge``: there is no sound card on a server) and, with ``sndfile``,
dumps the audio it received and sent to WAV files, so tests can check what reached the agent.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

import psutil

from dialer.telephony.ports import free_udp_port

MODULE_DIR = Path("/usr/lib/baresip/modules")


class BaresipError(RuntimeError):
    pass


class BaresipAgent:
    """One baresip process listening on 127.0.0.1:port as ``sip:agent@127.0.0.1:port``."""

    def __init__(
        self,
        workdir: Path,
        microphone_wav: Path,
        *,
        port: int | None = None,
        user: str = "agent",
        record: bool = True,
    ) -> None:
        self.workdir = workdir
        self.microphone_wav = microphone_wav
        self.port = port or free_udp_port()
        self.user = user
        self.record = record
        self.config_dir = workdir / f"baresip-{self.port}"
        self.dump_dir = self.config_dir / "dumps"
        self.log_file = self.config_dir / "baresip.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.rtp_ports = range(0)  # chosen when the config is written (start)

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        self.dump_dir.mkdir(parents=True, exist_ok=True)
        modules = ["g711.so", "aufile.so", "aubridge.so", "account.so"]
        if self.record:
            modules.append("sndfile.so")
        rtp_low = free_udp_port(block=4, exclude=[self.port])
        self.rtp_ports = range(rtp_low, rtp_low + 4)  # where its calls' audio arrives
        lines = [
            f"sip_listen 127.0.0.1:{self.port}",
            f"module_path {MODULE_DIR}",
            *(f"module {m}" for m in modules),
            f"audio_source aufile,{self.microphone_wav}",
            "audio_player aubridge,discard",
            "audio_alert aubridge,discard",
            f"rtp_ports {rtp_low}-{rtp_low + 3}",
            f"snd_path {self.dump_dir}",
        ]
        (self.config_dir / "config").write_text("\n".join(lines) + "\n")
        account = f"<sip:{self.user}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA\n"
        (self.config_dir / "accounts").write_text(account)
        (self.config_dir / "contacts").write_text("")

    def start(self) -> BaresipAgent:
        if shutil.which("baresip") is None:
            raise BaresipError("baresip is not installed (Debian package baresip-core)")
        self._write_config()
        log = self.log_file.open("wb")
        self._process = subprocess.Popen(
            ["baresip", "-f", str(self.config_dir)],
            cwd=self.config_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if not self._wait_until_listening():
            self.stop(settle=0)
            raise BaresipError(f"baresip did not start, see {self.log_file}")
        return self

    def _wait_until_listening(self, timeout: float = 5.0) -> bool:
        process = self._process
        assert process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                sockets = psutil.Process(process.pid).net_connections(kind="udp")
            except psutil.Error:
                sockets = []
            if any(conn.laddr and conn.laddr.port == self.port for conn in sockets):
                return True
            time.sleep(0.02)
        return False

    def stop(self, settle: float = 0.2) -> None:
        """Stop the process, after ``settle`` seconds in which it can still answer a BYE or
        CANCEL in flight: killed earlier, it leaves that transaction (and the caller's pjsua
        call slot) waiting up to 32 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        time.sleep(settle)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def received_audio(self) -> list[Path]:
        """WAV dumps of what baresip decoded (heard) from its calls."""
        return sorted(self.dump_dir.glob("*-dec.wav"))

    def __enter__(self) -> BaresipAgent:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
