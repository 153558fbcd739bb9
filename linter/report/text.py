"""``text`` / ``full``: ``path:line:col: CODE [*] message``, optionally with each fix's message."""
from __future__ import annotations

from typing import List, Sequence

from ..findings import Finding
from .common import (
    BOLD,
    CYAN,
    RED,
    YELLOW,
    Options,
    fix_applies,
    fix_marker,
    paint,
    printable,
)


def code_and_message(finding: Finding, options: Options) -> str:
    """``CODE [*] message``: the part of a line every human-readable format shares."""
    parts = [paint(finding.code, BOLD, RED, enabled=options.color)]
    marker = fix_marker(finding)
    if marker:
        parts.append(paint(marker, CYAN, enabled=options.color))
    parts.append(printable(finding.message))
    return " ".join(parts)


def fix_line(finding: Finding, options: Options, indent: str) -> str:
    fix = finding.fix
    assert fix is not None
    label = "fix" if fix.is_safe else "unsafe fix"
    if not fix_applies(fix, options.unsafe_fixes):
        label += " (with --unsafe-fixes)"
    return f"{indent}{paint(label + ':', YELLOW, enabled=options.color)} {printable(fix.message)}"


def evidence_lines(finding: Finding, indent: str) -> List[str]:
    """``--show-fixes``: why the fix is safe, unsafe or absent (method, service, role, fix)."""
    if finding.evidence is None:
        return []
    return [f"{indent}{printable(line)}" for line in finding.evidence.lines().splitlines()]


def show_fix(finding: Finding, options: Options, indent: str) -> List[str]:
    lines = [fix_line(finding, options, indent)] if finding.fix is not None else []
    return lines + evidence_lines(finding, indent + ("  " if finding.fix is not None else ""))


def render(findings: Sequence[Finding], options: Options) -> str:
    sep = paint(":", CYAN, enabled=options.color)
    lines: List[str] = []
    for finding in findings:
        path = paint(printable(finding.path), BOLD, enabled=options.color)
        cell = f"cell {finding.cell}{sep}" if finding.cell is not None else ""
        lines.append(
            f"{path}{sep}{cell}{finding.line}{sep}{finding.column}{sep} "
            + code_and_message(finding, options)
        )
        if options.show_fixes:
            lines += show_fix(finding, options, "    ")
    return "".join(line + "\n" for line in lines)
