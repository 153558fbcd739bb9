"""``fix --diff`` with ``json`` or ``json-lines``: the fixes as text edits per file, not a diff.

One object per file the fixes change: ``{"path", "fixed", "edits"}``, where ``fixed`` counts the
findings the edits remove and each edit has the shape of a finding's fix edit (``content``,
``location`` and ``end_location`` with 1-based ``line`` and ``column``, the end exclusive).
Applied from last to first, the edits turn the file into what ``imslint fix`` would write.
"""
from __future__ import annotations

from typing import Sequence

from .common import dump_json


def render_fixes(reports: Sequence[object], fmt: str) -> str:
    """``reports``: file reports of a ``--diff`` run (``display_path``, ``fixed``, ``edits``, ``diff``)."""
    entries = [
        {"path": report.display_path, "fixed": report.fixed, "edits": list(report.edits)}
        for report in reports
        if report.diff
    ]
    if fmt == "json-lines":
        return "".join(dump_json(entry) + "\n" for entry in entries)
    return dump_json(entries, indent=2) + "\n"
