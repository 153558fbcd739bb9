"""Inline suppressions: ``# noqa``, ``# noqa: IMS001``, ``# imslint: ignore[IMS001]``, and the
migration-debt marker ``# imslint: todo[IMS001] reason``.

A suppression applies on the finding's first or last line, or on the first line of the
statement holding it. ``# imslint: noqa`` (optionally ``: CODES``) on a line of its own silences
the whole file. Comments are found with ``tokenize``, so ``# noqa`` inside a string never counts.

A ``todo`` marker silences like ``ignore`` but says the site is still to be migrated: the engine
keeps what it silenced (``engine.file_facts``' ``todo``), and the summary and ``imslint report``
count it as open debt. A finding that a ``noqa`` or ``ignore`` also silences is not debt.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from .findings import Finding

ALL: FrozenSet[str] = frozenset({"*"})

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
# Linear on hostile comments: a code list stops at the next "#" (every match starts at one),
# whitespace is never split between two repeats, and codes start at a word boundary.
_IGNORE = re.compile(r"#\s*imslint:\s*ignore(?:\[(?P<codes>[^\]#]*)\])?", re.I)
_TODO = re.compile(r"#\s*imslint:\s*todo(?:\[(?P<codes>[^\]#]*)\])?(?P<reason>[^#]*)", re.I)
_FILE = re.compile(r"#\s*imslint:\s*noqa(?::\s*(?P<codes>[A-Z0-9]+(?:[\s,]+[A-Z0-9]+)*))?[\s,]*$", re.I)
_CODE = re.compile(r"\b[A-Z]+[0-9]+", re.I)


def _codes(text: Optional[str]) -> FrozenSet[str]:
    if not text:
        return ALL
    return frozenset(code.upper() for code in _CODE.findall(text))


@dataclass(frozen=True)
class Todo:
    """A ``# imslint: todo[CODES] reason`` marker: where it is, what it covers, why."""

    line: int
    codes: FrozenSet[str]
    reason: str


@dataclass
class Suppressions:
    by_line: Dict[int, FrozenSet[str]]
    whole_file: FrozenSet[str]
    statement_start: Dict[int, int]  # physical line -> first line of its logical line
    todos: Dict[int, Todo] = field(default_factory=dict)  # line -> the todo marker on it

    def _lines(self, finding: Finding) -> List[int]:
        return sorted({finding.line, finding.end_line, self.statement_start.get(finding.line, finding.line)})

    def ignores(self, finding: Finding) -> bool:
        """Silenced by ``noqa`` or ``ignore`` (not by a todo marker)."""
        if _covers(self.whole_file, finding.code):
            return True
        return any(_covers(self.by_line.get(line, frozenset()), finding.code) for line in self._lines(finding))

    def todo_for(self, finding: Finding) -> Optional[Todo]:
        """The todo marker that silences ``finding`` (None when none does, or a noqa does)."""
        if self.ignores(finding):
            return None
        for line in self._lines(finding):
            todo = self.todos.get(line)
            if todo is not None and _covers(todo.codes, finding.code):
                return todo
        return None

    def silences(self, finding: Finding) -> bool:
        return self.ignores(finding) or self.todo_for(finding) is not None

    def split(self, findings: Sequence[Finding]) -> Tuple[List[Finding], List[Tuple[Finding, Todo]]]:
        """(the findings nothing silences, the findings a todo marker silences with their marker)."""
        kept: List[Finding] = []
        debt: List[Tuple[Finding, Todo]] = []
        for finding in findings:
            if self.ignores(finding):
                continue
            todo = self.todo_for(finding)
            if todo is None:
                kept.append(finding)
            else:
                debt.append((finding, todo))
        return kept, debt


def _covers(codes: FrozenSet[str], code: str) -> bool:
    return "*" in codes or any(code.startswith(prefix) for prefix in codes)


# Every suppression or todo comment holds one of these words.
_MARKER = re.compile(r"noqa|imslint", re.I)


def suppressions_for(text: str) -> Suppressions:
    """``parse_suppressions`` for silencing findings: a text without a marker word (most files)
    silences nothing, and is not tokenized."""
    if _MARKER.search(text) is None:
        return Suppressions({}, frozenset(), {})
    return parse_suppressions(text)


def parse_suppressions(text: str) -> Suppressions:
    """The file's suppressions; none when ``tokenize`` fails anywhere in it. The tokens are read
    as they come (a list of them takes ~40 bytes of memory per source byte)."""
    try:
        return _suppressions(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return Suppressions({}, frozenset(), {})


def _suppressions(tokens: Iterator[tokenize.TokenInfo]) -> Suppressions:
    by_line: Dict[int, FrozenSet[str]] = {}
    todos: Dict[int, Todo] = {}
    whole_file: FrozenSet[str] = frozenset()
    statement_start: Dict[int, int] = {}
    logical_first: Optional[int] = None
    previous_line_end = 0
    for token in tokens:
        if token.type == tokenize.NEWLINE:
            if logical_first is not None:
                for line in range(logical_first, token.end[0] + 1):
                    statement_start[line] = logical_first
            logical_first = None
        elif logical_first is None and token.type not in (
            tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING
        ):
            logical_first = token.start[0]
        if token.type == tokenize.COMMENT:
            line = token.start[0]
            comment = token.string
            own_line = token.start[0] != previous_line_end
            file_match = _FILE.match(comment)
            if file_match and own_line:
                whole_file |= _codes(file_match.group("codes"))
                continue
            codes: FrozenSet[str] = frozenset()
            for pattern in (_NOQA, _IGNORE):
                for match in pattern.finditer(comment):
                    codes |= _codes(match.group("codes"))
            if codes:
                by_line[line] = by_line.get(line, frozenset()) | codes
            todo = _TODO.search(comment)
            if todo is not None:
                todos[line] = Todo(line, _codes(todo.group("codes")), todo.group("reason").strip(" \t:-"))
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            previous_line_end = token.end[0]
    return Suppressions(by_line, whole_file, statement_start, todos)
