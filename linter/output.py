"""Where a run's report goes (a terminal, a pipe, ``--output-file``) and whether it is coloured.

``--output-file`` is opened before any file is linted or fixed, so a report that cannot be
written stops the run with one message before it changes anything; the file is truncated and
written at the end, and removed again if it was created for a run that then failed.
"""
from __future__ import annotations

import os
from typing import IO, Mapping, Optional


class OutputError(Exception):
    """The report cannot be written; the message says where and why, on one line."""


class ReportFile:
    """``--output-file``, opened at once (append mode: an old report stays until the new one is
    complete)."""

    def __init__(self, path: str) -> None:
        self.path = path
        existed = os.path.lexists(path)
        if os.path.isdir(path):
            raise OutputError(f"cannot write --output-file {path}: it is a directory")
        try:
            self._stream: Optional[IO[str]] = open(path, "a", encoding="utf-8")
        except OSError as error:
            raise OutputError(f"cannot write --output-file {path}: {_reason(error)}") from None
        self._created = not existed

    def write(self, text: str) -> None:
        assert self._stream is not None
        try:
            self._stream.seek(0)
            self._stream.truncate()
            self._stream.write(text)
            self._stream.close()
        except OSError as error:
            raise OutputError(f"cannot write --output-file {self.path}: {_reason(error)}") from None
        finally:
            self._stream = None

    def abandon(self) -> None:
        """The run failed before writing its report: leave no empty file it created."""
        if self._stream is None:
            return
        self._stream.close()
        self._stream = None
        if self._created:
            try:
                os.unlink(self.path)
            except OSError:
                pass


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def use_color(choice: Optional[bool], stream, environ: Mapping[str, str] = os.environ) -> bool:
    """``--color``/``--no-color``, else a non-empty ``FORCE_COLOR`` (force-color.org), else a
    non-empty ``NO_COLOR`` (no-color.org), else whether ``stream`` is a terminal."""
    if choice is not None:
        return choice
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()
