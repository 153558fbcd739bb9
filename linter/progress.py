"""A one-line progress display on stderr, only on a terminal (off with --quiet).

The line shows how many files are done and the last one; a file that takes longer than a second
(``runner.SLOW``) shows while it is analysed (``working``: the runner calls it for the progress
display that is on, if any).
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Optional, Sequence

_ACTIVE: "Optional[Progress]" = None  # the display that is on, for ``working``


class Progress:
    def __init__(self, enabled: bool, stream=None, interval: float = 0.1) -> None:
        global _ACTIVE
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interval = interval
        self.count = 0
        self._last = 0.0
        self._shown = False
        self._lock = threading.Lock()
        if enabled:
            _ACTIVE = self

    def advance(self, path: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self._write(f"{self.count} files checked  {_short(path)}")

    def working(self, paths: Sequence[str]) -> None:
        """Shows the files being analysed (slow ones: this is called after a second on them)."""
        if self.enabled and paths:
            self._write(f"{self.count} files checked; working on {', '.join(_short(p, 60 // len(paths)) for p in paths)}")

    def _write(self, text: str) -> None:
        with self._lock:
            self.stream.write(f"\r\x1b[2Kimslint: {text}")
            self.stream.flush()
            self._shown = True

    def close(self) -> None:
        global _ACTIVE
        if _ACTIVE is self:
            _ACTIVE = None
        with self._lock:
            if self._shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self._shown = False


def _short(path: str, width: int = 60) -> str:
    width = max(width, 20)
    return path if len(path) <= width else "..." + path[-(width - 3):]


def active() -> bool:
    return _ACTIVE is not None


def working(paths: Sequence[str]) -> None:
    """Tells the progress display that is on (if any) which files are being analysed."""
    display = _ACTIVE
    if display is not None:
        display.working(list(paths))
