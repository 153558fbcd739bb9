"""``concise``: one plain line per finding, ``path:line:col: CODE [*] message``.

The fix marker as everywhere (``common``), but no colour and no fix lines: the shape editors
and ``grep`` expect.
"""
from __future__ import annotations

from typing import Sequence

from ..findings import Finding
from .common import Options, fix_marker, location, printable


def render(findings: Sequence[Finding], options: Options) -> str:
    lines = []
    for finding in findings:
        code = " ".join(filter(None, (finding.code, fix_marker(finding))))
        lines.append(f"{location(finding)}: {code} {printable(finding.message)}\n")
    return "".join(lines)
