"""Running the `dialer` command in tests: in-process (fast) or as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from dialer.cli import main


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_dialer(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """The installed command as a user runs it, in its own process."""
    full_env = {**os.environ, **(env or {})}
    for key, value in list(full_env.items()):
        if value == "":
            del full_env[key]
    done = subprocess.run(
        [sys.executable, "-m", "dialer", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)
