"""``imslint check --add-noqa [--reason TEXT]``: a ``# noqa: CODES`` comment for each finding left.

Ruff's ``--add-noqa`` semantics: the comment goes at the end of the finding's line (else its last
line, else the first line of its statement: where ``suppress`` looks), never where a comment
cannot stand (inside a multi-line string, after a backslash continuation). A line that already
has ``# noqa: CODES`` gets the new codes merged into that comment, keeping what follows its
codes (a reason); a line with another comment gets ``  # noqa: ...`` after it. The reason, when
given, follows the codes: ``# noqa: IMS001 waiting for v2 in staging``.

The text keeps its encoding, BOM and newlines (only the changed lines change), is checked before
it is written (it still tokenizes, and each finding is now silenced), and is written atomically
(``fixes.write_atomically``).
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .findings import Finding
from .source import physical_lines
from .suppress import parse_suppressions

# ``# noqa: CODES`` with the codes captured (the same shape ``suppress`` reads).
_NOQA_CODES = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.I)
_BARE_NOQA = re.compile(r"#\s*noqa(?!:)", re.I)
_CODE = re.compile(r"\b[A-Z]+[0-9]+", re.I)


class NoqaError(Exception):
    """The comments could not be added to a file (the message says why); the file is unchanged."""


def check_reason(reason: str) -> str:
    """The reason as it will be written, or ``NoqaError`` for one that cannot stand in a comment."""
    reason = reason.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in reason):
        raise NoqaError("--reason must be one line of text (no newlines or control characters)")
    first = reason.split(None, 1)[0] if reason else ""
    if _CODE.fullmatch(first.rstrip(",")):
        raise NoqaError(f"--reason must not start with something that reads as a rule code ({first!r})")
    return reason


@dataclass
class _Lines:
    """Per physical line: whether a comment may end it, and the comment already on it."""

    blocked: Set[int]
    comments: Dict[int, Tuple[int, str]]  # line -> (column, comment text)
    statement_start: Dict[int, int]


def _scan(text: str) -> _Lines:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise NoqaError(f"cannot be tokenized: {exc}")
    blocked: Set[int] = set()
    comments: Dict[int, Tuple[int, str]] = {}
    for token in tokens:
        start, end = token.start[0], token.end[0]
        if end > start and token.type not in (tokenize.NL, tokenize.NEWLINE):
            blocked.update(range(start, end))  # a string (or f-string part) running on
        if token.type == tokenize.COMMENT:
            comments[start] = (token.start[1], token.string)
    lines = physical_lines(text)
    for number, line in enumerate(lines, start=1):
        if line.rstrip("\r\n").endswith("\\") and number not in comments:
            blocked.add(number)  # a backslash continuation: a comment after it is a syntax error
    return _Lines(blocked, comments, parse_suppressions(text).statement_start)


def _target(finding: Finding, lines: _Lines) -> Optional[int]:
    candidates = []
    for line in (finding.line, finding.end_line, lines.statement_start.get(finding.line, finding.line)):
        if line not in candidates:
            candidates.append(line)
    for line in candidates:  # a noqa comment there already: merge into it
        if line in lines.comments and _NOQA_CODES.search(lines.comments[line][1]) and line not in lines.blocked:
            return line
    for line in candidates:
        if line not in lines.blocked:
            return line
    return None


def _merged_comment(comment: str, codes: Sequence[str], reason: str) -> str:
    """``comment`` with ``codes`` added to its ``# noqa: ...`` (what followed the codes kept)."""
    match = _NOQA_CODES.search(comment)
    if match is None:
        return comment.rstrip() + "  " + _new_comment(codes, reason)
    existing = [c.upper() for c in _CODE.findall(match.group("codes"))]
    merged = sorted(set(existing) | set(codes))
    rest = comment[match.end():]
    if reason and not rest.strip():
        rest = " " + reason
    return comment[: match.start("codes")] + ", ".join(merged) + rest


def _new_comment(codes: Sequence[str], reason: str) -> str:
    return f"# noqa: {', '.join(sorted(set(codes)))}" + (f" {reason}" if reason else "")


@dataclass
class Added:
    text: str
    directives: int  # lines that got a new or a merged comment
    skipped: List[Finding]  # findings no comment can silence (every line they could use is blocked)


def add_noqa(text: str, findings: Sequence[Finding], reason: str = "") -> Added:
    """``text`` with a noqa comment for each finding (IMS000 is skipped: it is about the file)."""
    reason = check_reason(reason) if reason else ""
    lines = _scan(text)
    physical = physical_lines(text)
    wanted: Dict[int, List[str]] = {}
    skipped: List[Finding] = []
    for finding in findings:
        if finding.code == "IMS000":
            continue
        line = _target(finding, lines)
        if line is None or not 1 <= line <= len(physical):
            skipped.append(finding)
            continue
        wanted.setdefault(line, [])
        if finding.code not in wanted[line]:
            wanted[line].append(finding.code)
    for line, codes in wanted.items():
        content = physical[line - 1]
        body = content.rstrip("\r\n")
        ending = content[len(body):]
        if line in lines.comments:
            column, comment = lines.comments[line]
            if _BARE_NOQA.search(comment) and not _NOQA_CODES.search(comment):
                continue  # ``# noqa`` silences everything already
            body = body[:column] + _merged_comment(body[column:], codes, reason)
        else:
            body = body.rstrip(" \t") + "  " + _new_comment(codes, reason)
        physical[line - 1] = body + ending
    new_text = "".join(physical)
    _verify(new_text, [f for f in findings if f.code != "IMS000" and f not in skipped])
    return Added(new_text, len(wanted), skipped)


def _verify(text: str, findings: Sequence[Finding]) -> None:
    try:
        list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:  # pragma: no cover - _scan chose safe lines
        raise NoqaError(f"adding the comments would break the file ({exc}); nothing was changed")
    suppressions = parse_suppressions(text)
    loose = [f for f in findings if not suppressions.silences(f)]
    if loose:  # pragma: no cover - a comment placed where suppress does not look
        raise NoqaError(f"a comment would not silence {loose[0].code} at line {loose[0].line}; nothing was changed")


def add_noqa_to_file(path: str, findings: Sequence[Finding], reason: str = "") -> Added:
    """Adds the comments to the file at ``path`` (read, changed, checked, written atomically)."""
    from .engine import decode_for
    from .fixes import NotFixed, write_atomically
    from .source import SourceError

    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        raise NoqaError(f"cannot be read: {(exc.strerror or str(exc)).lower()}")
    try:
        source = decode_for(data, path)
    except SourceError as exc:
        raise NoqaError(str(exc))
    notebook = getattr(source, "notebook", None)
    if notebook is not None:  # findings told by cell: back on the lines of the cells' joined code
        findings = [notebook.to_text(finding) for finding in findings]
    added = add_noqa(source.text, findings, reason)
    if added.text == source.text:
        return added
    try:
        encoded = source.encode(added.text)
    except UnicodeEncodeError:
        raise NoqaError(f"the reason cannot be written in the file's encoding ({source.encoding})")
    except NotFixed as exc:
        raise NoqaError(f"not changed: {exc}")
    try:
        write_atomically(path, encoded, data)
    except (OSError, NotFixed) as exc:
        raise NoqaError(f"not changed: {exc}")
    return added
