"""A one-line progress display on stderr, only on a terminal (off with --quiet)."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, enabled: bool, stream=None, interval: float = 0.1) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interval = interval
        self.count = 0
        self._last = 0.0
        self._shown = False

    def advance(self, path: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        name = path if len(path) <= 60 else "..." + path[-57:]
        self.stream.write(f"\r\x1b[2Kimslint: {self.count} files checked  {name}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
