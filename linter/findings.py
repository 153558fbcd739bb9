"""The data every part of imslint exchanges: findings, fixes and text edits.

Plain frozen dataclasses, so they pickle across worker processes and compare by value.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, Optional, Tuple

from .evidence.record import Evidence

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace source characters ``[start, end)`` with ``content``.

    Offsets index the decoded text; the line/column fields (1-based) are for reports.
    """

    start: int
    end: int
    content: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def to_dict(self) -> Dict[str, Any]:
        return {
            "content": self.content,
            "location": {"line": self.line, "column": self.column},
            "end_location": {"line": self.end_line, "column": self.end_column},
        }


@dataclass(frozen=True)
class Fix:
    applicability: str  # SAFE or UNSAFE
    message: str
    edits: Tuple[Edit, ...] = ()

    @property
    def is_safe(self) -> bool:
        return self.applicability == SAFE

    def to_dict(self) -> Dict[str, Any]:
        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [edit.to_dict() for edit in self.edits],
        }


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    severity: str = "error"
    fix: Optional[Fix] = None
    # Offsets of the flagged range in the decoded text (not part of the JSON contract).
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)
    # What imslint knows about the request and why, and why its fix is safe, unsafe or absent.
    evidence: Optional[Evidence] = field(default=None, compare=False)
    # In a Jupyter notebook: the cell's number (1-based, all cells counted); ``line`` and
    # ``end_line`` are then lines of that cell (``linter.notebooks``).
    cell: Optional[int] = None

    def with_path(self, path: str) -> "Finding":
        return replace(self, path=path)

    @property
    def sort_key(self) -> Tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity,
            "fix": self.fix.to_dict() if self.fix else None,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            **({"cell": self.cell} if self.cell is not None else {}),
        }
