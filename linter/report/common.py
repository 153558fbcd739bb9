"""Helpers shared by the formatters: options, escaping, paths, fix markers and fingerprints."""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from ..findings import Finding, Fix

# One fix-marker vocabulary for every human-readable output (finding lines, ``--statistics``,
# ``imslint rules``). It describes the fix, whatever the run's options:
SAFE_MARKER = "[*]"  # a safe fix: `imslint fix` applies it
UNSAFE_MARKER = "[-]"  # only an unsafe fix: applied with `--unsafe-fixes`
NO_FIX_MARKER = ""  # no automatic fix: the message says what to do


@dataclass(frozen=True)
class Options:
    """Everything a formatter may need besides the findings."""

    rules: Sequence[type] = ()
    show_fixes: bool = False
    color: bool = False
    unsafe_fixes: bool = False
    # Fingerprints computed over more findings than are shown (``--baseline`` hides some), so the
    # GitLab report keeps each finding's fingerprint: ``{finding: fingerprint}``.
    fingerprints: Optional[Mapping[Finding, str]] = None


# --- escaping --------------------------------------------------------------------------------

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Control characters, bidirectional overrides (Trojan Source) and lone surrogates (undecodable
# bytes of a file name, kept by os.fsdecode as U+DC80..U+DCFF).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Characters XML 1.0 cannot hold at all, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _backslash(match: "re.Match[str]") -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    point = ord(char)
    if 0xDC80 <= point <= 0xDCFF:  # surrogateescape: show the original byte
        return f"\\x{point - 0xDC00:02x}"
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def printable(text: str, keep: str = "") -> str:
    """Text safe to show on a terminal and to encode as UTF-8: control characters (but those in
    ``keep``) become escapes, undecodable file-name bytes become ``\\xNN``."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else _backslash(m), text)


def xml_safe(text: str) -> str:
    """Text XML 1.0 can carry (escaping of ``<&"`` is left to the serializer)."""
    return _NOT_XML.sub(_backslash, text)


def dump_json(value: Any, *, indent: Optional[int] = None) -> str:
    """JSON text with non-ASCII kept readable and lone surrogates as ``\\udcXX`` escapes."""
    separators = None if indent is not None else (",", ":")
    text = json.dumps(value, indent=indent, ensure_ascii=False, separators=separators)
    # A lone surrogate can only stand inside a JSON string; its escape decodes to the same value.
    return _SURROGATES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- paths -----------------------------------------------------------------------------------


def relative_posix(path: str) -> str:
    """The path with ``/`` separators, relative to the working directory when it lies below it."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            relative = path
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            path = relative
    if os.sep != "/":
        path = path.replace(os.sep, "/")
    if os.altsep and os.altsep != "/":
        path = path.replace(os.altsep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _path_bytes(path: str) -> bytes:
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogatepass")


def path_uri(path: str) -> Tuple[str, Optional[str]]:
    """``(uri, uri_base_id)``: a percent-encoded relative reference against ``%SRCROOT%``, or a
    ``file:`` URI (and no base) for a path outside the working directory."""
    posix = relative_posix(path)
    if posixpath.isabs(posix) or re.match(r"[A-Za-z]:/", posix):
        prefix = "file://" if posix.startswith("/") else "file:///"
        return prefix + quote(_path_bytes(posix), safe="/:"), None
    # ":" is encoded too, so a first segment such as "a:b.py" cannot read as a URI scheme.
    return quote(_path_bytes(posix), safe="/"), "%SRCROOT%"


# --- findings --------------------------------------------------------------------------------


def fix_applies(fix: Optional[Fix], unsafe_fixes: bool) -> bool:
    return fix is not None and (fix.is_safe or unsafe_fixes)


def marker(safe: bool, unsafe: bool) -> str:
    """The marker of something with (some) safe fixes, (only) unsafe ones, or none."""
    if safe:
        return SAFE_MARKER
    return UNSAFE_MARKER if unsafe else NO_FIX_MARKER


def fix_marker(finding: Finding) -> str:
    """``[*]`` for a safe fix, ``[-]`` for an unsafe one, ``""`` for none."""
    fix = finding.fix
    return marker(fix is not None and fix.is_safe, fix is not None and not fix.is_safe)


def rule_marker(rule: type) -> str:
    """A rule's marker, from the fixes its examples show (the test suite runs every one)."""
    if getattr(rule, "fixable", "never") == "never":
        return NO_FIX_MARKER
    fixed = [example for example in getattr(rule, "INVALID", ()) if example.fixed is not None]
    return marker(any(not example.unsafe for example in fixed), any(example.unsafe for example in fixed))


def place(finding: Finding) -> str:
    """``line:col``, or in a notebook ``cell N:line:col`` (Ruff's convention)."""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{cell}{finding.line}:{finding.column}"


def location(finding: Finding) -> str:
    return f"{printable(finding.path)}:{place(finding)}"


# Messages name other lines ("from GET /v1.1/images/detail (line 7)"): those numbers are left out too.
_LINE_REFERENCE = re.compile(r"\b(lines?) [0-9]+(?:(?:-|, | and )[0-9]+)*")


def fingerprint_message(message: str) -> str:
    """``message`` without the line numbers it mentions (``line 7`` becomes ``line N``)."""
    return _LINE_REFERENCE.sub(lambda match: match.group(1) + " N", message)


def fingerprints(findings: Sequence[Finding]) -> List[str]:
    """A stable SHA-256 per finding, from its path, code, message and occurrence number.

    Line numbers are left out (also those the message mentions) so the fingerprint survives
    edits elsewhere in the file; the occurrence number (1, 2, ... in the order given) tells
    identical findings in one file apart. The GitLab report and the baseline (``linter.baseline``)
    both use it.
    """
    seen: Counter = Counter()
    result = []
    for finding in findings:
        key = (relative_posix(finding.path), finding.code, fingerprint_message(finding.message))
        seen[key] += 1
        data = "\0".join((*key, str(seen[key])))
        result.append(hashlib.sha256(_path_bytes(data)).hexdigest())
    return result


# --- colour ----------------------------------------------------------------------------------

BOLD, RED, CYAN, YELLOW = "1", "31", "36", "33"


def paint(text: str, *styles: str, enabled: bool) -> str:
    if not enabled or not styles:
        return text
    return f"\x1b[{';'.join(styles)}m{text}\x1b[0m"
