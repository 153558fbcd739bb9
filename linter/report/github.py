"""``github``: GitHub Actions workflow commands (``::error file=...::message``)."""
from __future__ import annotations

from typing import List, Sequence, Tuple

from ..findings import Finding
from .common import Options, printable, relative_posix

COMMANDS = {"error": "error", "warning": "warning"}  # anything else: "notice"


def escape_data(text: str) -> str:
    text = printable(text, keep="\r\n\t")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def properties(finding: Finding) -> List[Tuple[str, object]]:
    props: List[Tuple[str, object]] = [("file", relative_posix(finding.path))]
    if finding.line >= 1:
        props.append(("line", finding.line))
        if finding.column >= 1:
            props.append(("col", finding.column))
        if finding.end_line >= finding.line:
            props.append(("endLine", finding.end_line))
            if finding.end_column >= 1:
                props.append(("endColumn", finding.end_column))
    props.append(("title", finding.code if finding.cell is None else f"{finding.code} (cell {finding.cell})"))
    return props


def command(finding: Finding) -> str:
    name = COMMANDS.get(finding.severity, "notice")
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties(finding))
    return f"::{name} {props}::{escape_data(finding.message)}"


def render(findings: Sequence[Finding], options: Options) -> str:
    return "".join(command(finding) + "\n" for finding in findings)
