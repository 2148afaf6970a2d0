"""Keys from the terminal, one at a time, on a thread of their own.

On a terminal, cbreak mode: a key acts when pressed (no Enter), echo off, Ctrl-C still a
signal. From a pipe or file, every character of each line is a key (scripts, tests). End of
input stops reading but not the phone: a headless auto-answering phone runs with no input.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import termios
import threading
import tty
from collections.abc import Iterator
from typing import TextIO


class Keyboard:
    def __init__(self, source: TextIO | None = None) -> None:
        self._source = source or sys.stdin
        self._keys: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._read, name="keyboard", daemon=True)

    def _read(self) -> None:
        while True:
            try:
                char = self._source.read(1)
            except (OSError, ValueError):  # closed under us at exit
                return
            if not char:
                return
            if char in "\r\n" and not self._source.isatty():
                continue  # a script's line ends are not the Enter key
            self._keys.put(char.lower() if char.isalpha() else char)

    def pressed(self) -> list[str]:
        """The keys pressed since the last call, oldest first; never blocks."""
        pressed = []
        while True:
            try:
                pressed.append(self._keys.get_nowait())
            except queue.Empty:
                return pressed

    @contextlib.contextmanager
    def reading(self) -> Iterator[Keyboard]:
        fd = self._source.fileno() if hasattr(self._source, "fileno") else -1
        saved = None
        if fd >= 0 and os.isatty(fd):
            saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        self._thread.start()
        try:
            yield self
        finally:
            if saved is not None:
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)
