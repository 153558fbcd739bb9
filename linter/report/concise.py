"""``concise``: one plain line per finding, ``path:line:col: CODE message``.

No fix marker, no colour, no fix lines: the shape editors and ``grep`` expect.
"""
from __future__ import annotations

from typing import Sequence

from ..findings import Finding
from .common import Options, location, printable


def render(findings: Sequence[Finding], options: Options) -> str:
    return "".join(
        f"{location(finding)}: {finding.code} {printable(finding.message)}\n"
        for finding in findings
    )
