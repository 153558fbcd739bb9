"""``gitlab``: a GitLab Code Quality report (a JSON array of Code Climate issues)."""
from __future__ import annotations

from typing import Any, Dict, Sequence

from ..findings import Finding
from .common import Options, dump_json, fingerprints, relative_posix

SEVERITIES = {"error": "major", "warning": "minor"}  # anything else: "info"


def issue(finding: Finding, fingerprint: str) -> Dict[str, Any]:
    begin = max(finding.line, 1)
    return {
        "description": f"{finding.code} {finding.message}" if finding.cell is None
        else f"{finding.code} cell {finding.cell}: {finding.message}",
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": SEVERITIES.get(finding.severity, "info"),
        "location": {
            "path": relative_posix(finding.path),
            "lines": {"begin": begin, "end": max(finding.end_line, begin)},
        },
    }


def render(findings: Sequence[Finding], options: Options) -> str:
    computed = fingerprints(findings) if options.fingerprints is None else [options.fingerprints[f] for f in findings]
    issues = [issue(f, fp) for f, fp in zip(findings, computed)]
    return dump_json(issues, indent=2) + "\n"
