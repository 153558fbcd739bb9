"""``grouped``: a header per path, then ``  line:col CODE [*] message`` for each finding."""
from __future__ import annotations

from typing import Dict, List, Sequence

from ..findings import Finding
from .common import BOLD, Options, paint, place, printable
from .text import code_and_message, show_fix


def render(findings: Sequence[Finding], options: Options) -> str:
    blocks: List[str] = []
    groups: Dict[str, List[Finding]] = {}
    for finding in findings:  # keeps the caller's order, paths by first appearance
        groups.setdefault(finding.path, []).append(finding)
    for path, items in groups.items():
        places = [place(finding) for finding in items]
        width = max(len(where) for where in places)
        lines = [paint(printable(path) + ":", BOLD, enabled=options.color)]
        for where, finding in zip(places, items):
            lines.append(f"  {where.ljust(width)} {code_and_message(finding, options)}")
            if options.show_fixes:
                lines += show_fix(finding, options, "  " + " " * (width + 1))
        blocks.append("".join(line + "\n" for line in lines))
    return "\n".join(blocks)
