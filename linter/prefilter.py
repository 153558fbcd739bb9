"""Decides from a file's bytes whether it can hold a finding: a byte test, then ``ast`` where it pays.

Soundness argument (tested over every fixture, rule example and cross-module case in
``tests/test_prefilter.py``, and on generated files in ``tests/test_properties.py``). It rests on
what the engine can report at all: a finding is a template (``strings.Template``: literal pieces
and holes) whose text ``endpoints.match_paths`` matches, and that match is then kept or dropped by
``endpoints.select_endpoint`` and ``sites``. Every endpoint of the catalogue has a literal
``images`` segment, compared whole (the text is split on ``/``, the path ends at ``?`` or ``#``),
so the template's text holds ``images`` with ``/``, ``?``, ``#`` or the end of the text after it,
and one of these before it (``S`` is the segment before ``images``):

* ``S`` is a version of the v1 image API (``v1``, ``v1.0``, ``v1.1``): IMS001, IMS005;
* ``S`` is ``v2`` and ``images`` is followed by ``/detail``: IMS007;
* ``S`` is a project id (a hole, a placeholder such as ``{project_id}`` or ``%s``, or eight or
  more hexadecimal digits): the compute proxy (IMS006), absolute or below the compute root;
* nothing (or a lone ``/``) comes before ``images``: a relative path, which counts only with
  evidence of the service it is sent to (``select_endpoint``) and only where it is sent.

Two rules look at one more path: IMS003 and IMS004 follow the answer of ``GET /v2/images``
(``responses.is_v2_image_list``: ``S`` is ``v2``, or ``v2`` after a hole, and ``images`` ends
the path), so ``v2`` before ``images`` counts too when the path may end there.

Any other segment before ``images`` (``global/images``, ``servers/images``, ``//images``) or
whitespace anywhere in the path (prose) matches no endpoint.

**The byte test** (``classify``), on every file. In the file's own literal, what follows
``images`` in the bytes is one of ``/ ? #``, the end of the literal (a quote; also a ``\\``
escape or line continuation) or a hole that supplies what follows (``{`` of an f-string or
``str.format``, ``%`` of %-formatting, ``$``). What precedes it is examined: ``/`` and then the
segment before it back to the previous ``/``, quote or whitespace (skipping ``{...}`` and
``(...)`` groups, which are holes: f-string fields, ``%(name)s``). Each occurrence is *strong*
(a v1 version, ``v2`` with ``/detail``, a project-id position, or escapes that hide the text:
kept as they are), *weak* (the literal starts with ``images`` or ``/images``, or a hole comes
right before it: what precedes comes from elsewhere, a relative path or another piece; or ``v2``
with the path ending or going on in another piece: the v2 list, or ``/detail`` elsewhere) or dead.
A file with a strong or weak occurrence is *live*.

**Across modules.** Text the engine matches comes from the file's own literals or from another
module through an import the engine resolves (``project.ImportResolver``: ``from m import NAME``,
``m.NAME``, ``Class.NAME``, an imported helper's return value, a base class's attributes and
methods). The byte pass also records every file's imports (``import_records``, from the bytes:
every ``import`` statement, wherever it is). A module carries text to an importer only through
the names it binds (``project.Summary``: module-level constants, functions and classes whose
code holds a live literal or such a name, and names it imports from a module that carries them:
relays). A file that is not live is a candidate exactly when it imports a carried name (or the
module, and names one of its carried attributes); which modules carry what is found with one
``ast`` parse of each module involved, on demand, to a fixpoint over the summaries (never
re-parsed). Imports are resolved by their dotted name's ending against the checked files (any
package root) and relative imports by path: an over-approximation of ``project.find_module``.

**The ast screen** (``alive``), in the worker before libcst, for a live file with only weak
occurrences that imports no carried name: one ``ast`` parse; the file is analysed only when one
of its string literals has a live ``images`` segment (``value_kind``: the same test on the
value, implicit concatenation joined, escapes decoded, f-string pieces apart) outside the places
the engine never reports: a docstring or bare string statement, a subscript (``r["images"]``), a
comparison (``== "images"``, ``in ("images", ...)``), a dictionary key whose value is not a
dictionary, a ``raise`` statement, a path divided with ``/`` (pathlib).

**Client libraries** (``sdk_clients``): a file that mentions openstacksdk's ``image_api_version``,
or glanceclient or novaclient and a call on an ``images``/``image_members`` manager, is live. It
passes the screen when it may pin the v1 image API (``image_api_version`` in any case) or build a
client itself, which every client finding needs: a call whose name's root is bound by an import
from ``glanceclient``, ``novaclient`` or ``openstack`` and whose last part (or the imported name
it stands for) is ``Client``, ``connect``, ``Connection`` or ``from_config``, the last parts of
every constructor ``sdk_clients`` knows (``project._builds_image_client``).

A version or project id split across literals (``"/v" "1.1/images"``, ``"/v2/images/det"
"ail"``) counts: a literal that starts with the end of one is weak.

What this misses, by design: ``images`` itself split across literals (``"ima" "ges"``) or spelt
with escapes in the bytes (``"\\x69mages"``), a segment glued to a runtime value
(``tenant + "x/images"``), a literal changed by ``str.strip`` beyond its ends' slashes, which
the engine could match but no real code writes; text in encodings that are not ASCII-compatible; and
modules the engine may load that are not among the checked files (an excluded directory). A
live file ``ast`` cannot parse passes the screen (the engine then reports why, IMS000); a file
that is not live and imports no carried name is not parsed at all, so whether it parses is not
checked: with ``IMSLINT_NO_PREFILTER=1`` (every readable file is analysed) such files add IMS000
findings, and only those. ``bench/bench.py`` checks that every other finding is the same.

Reading is the cost once the pre-filter is this cheap: ``runner.select_candidates`` reads each
file once, and with the cache on keeps what it learnt in an index so that unchanged files are
not read at all (``cache.PrefilterIndex``).
"""
from __future__ import annotations

import os
import re
from typing import List, Optional, Tuple

SEED = b"images"
STRONG, WEAK = "strong", "weak"

_OCCURRENCE = re.compile(rb"images(?=[/?#\"'{%$\\])")
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_WORD_OR_HIGH = _WORD | frozenset(range(0x80, 0x100))
_QUOTES = frozenset(b"\"'")
_SPACE = frozenset(b" \t\f\v")
_NEWLINES = frozenset(b"\r\n")
_VERSIONS = frozenset({"v1", "v1.0", "v1.1"})
# A project-id segment: eight or more hexadecimal digits, or text holding a placeholder or hole.
_HEX_ID = re.compile(r"[0-9a-fA-F-]{8,}\Z")
_HOLE_MARKS = frozenset("{}%$<()\x00")
_DETAIL = re.compile(r"/detail(?![A-Za-z0-9_])")
_DETAIL_BEGUN = re.compile(r"/(?:d|de|det|deta|detai)[\"']")  # ``"/v2/images/det" "ail"``
# What a version or a project id can end with when the piece before holds the rest.
_VERSION_ENDS = frozenset({"1", "1.0", "1.1", ".0", ".1", "0", "2"})
_HEX_PART = re.compile(r"[0-9a-fA-F-]+\Z")
_GROUP_WINDOW = 1000  # how far back a ``{...}`` / ``(...)`` group is looked for
_ESCAPE_WINDOW = 10  # an escape this close before ``images`` may spell what the bytes hide


def disabled() -> bool:
    """``IMSLINT_NO_PREFILTER=1``: every readable file is analysed (for checking the pre-filter)."""
    return os.environ.get("IMSLINT_NO_PREFILTER", "").strip() not in ("", "0")


def is_seed(data: bytes) -> bool:
    """Whether the file's bytes have a live ``images`` occurrence (``classify``)."""
    return classify(data) is not None


def uses_client_library(data: bytes) -> bool:
    """What ``sdk_clients`` needs: openstacksdk's ``image_api_version`` or compute-proxy image
    calls, the ``OS_IMAGE_API_VERSION`` variable, or a glanceclient or novaclient import with a
    call on an ``images``/``image_members`` manager."""
    if b"image" not in data:  # every marker below holds it (but the variable): one scan for most files
        return b"OS_IMAGE_API_VERSION" in data
    if b"image_api_version" in data or b"IMAGE_API_VERSION" in data \
            or (b"openstack" in data and _COMPUTE_PROXY_IMAGES.search(data)):
        return True
    return (b"glanceclient" in data or b"novaclient" in data) and (b".images." in data or b".image_members." in data)


_COMPUTE_PROXY_IMAGES = re.compile(rb"\.compute\.(?:images|\w*_image(?:_metadata)?)\(")


def classify(data: bytes) -> Optional[str]:
    """``STRONG`` when an occurrence is strong (or the file uses an image client library), else
    ``WEAK`` when one is weak, else None."""
    if b"image" not in data:  # held by every path (``images``) and client library marker but one
        return STRONG if b"OS_IMAGE_API_VERSION" in data else None
    if uses_client_library(data):
        return STRONG
    if SEED not in data:
        return None
    found = None
    for match in _OCCURRENCE.finditer(data):
        kind = _occurrence(data, match.start())
        if kind == STRONG:
            return STRONG
        found = found or kind
    return found


def _occurrence(data: bytes, start: int) -> Optional[str]:
    """The kind of the ``images`` occurrence at ``start`` (its right-hand side already passed)."""
    if start == 0:
        return WEAK
    before = data[start - 1]
    if before in _QUOTES or before == 0x7D:  # the literal starts here, or a ``{}`` hole ends here
        return WEAK
    if before == 0x73 and start >= 2 and data[start - 2] in b"%)":  # ``%s`` / ``%(name)s``
        return WEAK
    if before != 0x2F:  # ``Ximages``: another word, unless escapes spell something else
        return STRONG if b"\\" in data[max(0, start - _ESCAPE_WINDOW):start] else None
    segment = _segment_before(data, start - 1)
    if segment is None:
        return STRONG  # escapes or an unbalanced group: cannot tell
    text, stop, hole = segment
    if stop == "space":
        return None  # whitespace in the path: prose
    return _segment_kind(text, stop == "start", hole, _after(data, start + 6), _open_end(data, start + 6))


def _segment_before(data: bytes, slash: int) -> Optional[Tuple[str, str, bool]]:
    """(the segment before ``data[slash] == "/"``, why it stops: "slash", "start" of the literal
    or "space", whether it holds a group) or None when it cannot be told."""
    index, hole = slash - 1, False
    while index >= 0:
        byte = data[index]
        if byte == 0x2F:
            return data[index + 1:slash].decode("latin-1"), "slash", hole
        if byte in _QUOTES:
            return data[index + 1:slash].decode("latin-1"), "start", hole
        if byte == 0x5C:
            return None
        if byte in _NEWLINES:
            if index > 0 and (data[index - 1] == 0x5C or (byte == 0x0A and index > 1 and data[index - 1] == 0x0D
                                                          and data[index - 2] == 0x5C)):
                return None  # a line continuation inside the literal
            return "", "space", hole
        if byte in _SPACE:
            return "", "space", hole
        if byte in b"})":
            opening = _opening(data, index)
            if opening is None:
                return None
            hole, index = True, opening - 1
            continue
        index -= 1
    return data[:slash].decode("latin-1"), "start", hole


def _opening(data: bytes, closing: int) -> Optional[int]:
    """Where the group closed at ``closing`` (``}`` or ``)``) opens, or None."""
    close = data[closing]
    open_ = 0x7B if close == 0x7D else 0x28
    depth = 0
    for index in range(closing, max(-1, closing - _GROUP_WINDOW), -1):
        byte = data[index]
        if byte == close:
            depth += 1
        elif byte == open_:
            depth -= 1
            if depth == 0:
                return index
    return None


def _after(data: bytes, end: int) -> str:
    return data[end:end + 8].decode("latin-1")


_OPEN = frozenset(b"\"'{%$\\?#")


def _open_end(data: bytes, end: int) -> bool:
    """Whether the path may end right after ``images`` (at ``end``), perhaps after one ``/``, or
    go on in another piece: the literal ends, a hole starts, a query or fragment starts."""
    if end < len(data) and data[end] == 0x2F:
        end += 1
    return end >= len(data) or data[end] in _OPEN


def _segment_kind(segment: str, at_start: bool, hole: bool, after: str, open_end: bool) -> Optional[str]:
    """The kind of an occurrence whose path segment before ``images`` is ``segment``."""
    if segment in _VERSIONS:
        return STRONG
    if hole or _HOLE_MARKS.intersection(segment) or _HEX_ID.match(segment):
        return STRONG  # a project-id position
    if segment == "v2":  # ``/v2/images/detail`` (IMS007), or the v2 list IMS003 and IMS004 follow
        if _DETAIL.match(after):
            return STRONG
        return WEAK if open_end or _DETAIL_BEGUN.match(after) else None
    if segment == "":
        return WEAK if at_start else None  # ``"/images..."``: relative, or after another piece
    if at_start and (segment in _VERSION_ENDS or _HEX_PART.match(segment)):
        return WEAK  # the rest of a version or project id in the piece before (``"/v" "1.1/images"``)
    return None  # another word (``global/images``)


# -- the same test on a string's value (``ast`` stage) -----------------------------------------------------

_VALUE_OCCURRENCE = re.compile(r"images(?=[/?#{%$]|\Z)")


def value_kind(value: str, after_hole: bool = False) -> Optional[str]:
    """The test of ``classify`` on a string literal's value (``after_hole``: an f-string piece
    that follows a replacement field). Quotes in a value are text, escapes are decoded."""
    if "images" not in value:
        return None
    found = None
    for match in _VALUE_OCCURRENCE.finditer(value):
        kind = _value_occurrence(value, match.start(), after_hole)
        if kind == STRONG:
            return STRONG
        found = found or kind
    return found


def _value_occurrence(value: str, start: int, after_hole: bool) -> Optional[str]:
    if start == 0:
        return WEAK
    before = value[start - 1]
    if before == "}" or (before == "s" and start >= 2 and value[start - 2] in "%)"):
        return WEAK
    if before != "/":
        return None
    index, hole = start - 2, False
    while index >= 0:
        char = value[index]
        if char == "/":
            break
        if char.isspace():
            return None
        if char in "})":
            opening = _value_opening(value, index)
            if opening is None:
                return STRONG
            hole, index = True, opening - 1
            continue
        index -= 1
    at_start = index < 0
    segment = value[index + 1:start - 1]
    if at_start and after_hole:
        return STRONG  # glued to the field before: a hole, a project-id position
    end = start + 6
    following = end + 1 if end < len(value) and value[end] == "/" else end
    open_end = following >= len(value) or value[following] in "{%$?#"
    return _segment_kind(segment, at_start, hole, value[end:end + 8], open_end)


def _value_opening(value: str, closing: int) -> Optional[int]:
    close = value[closing]
    open_ = "{" if close == "}" else "("
    depth = 0
    for index in range(closing, max(-1, closing - _GROUP_WINDOW), -1):
        if value[index] == close:
            depth += 1
        elif value[index] == open_:
            depth -= 1
            if depth == 0:
                return index
    return None


# -- imports, from the bytes ---------------------------------------------------------------------------------

_IMPORT = re.compile(rb"import(?![\w\x80-\xff])")  # starts with a literal: a fast scan
_NAME = re.compile(rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*")
_CONTINUATION = re.compile(rb"\\(?:\r\n|\r|\n)")
_DOTTED = re.compile(rb"[\w\x80-\xff.]+")
_FROM = re.compile(rb"from[ \t]+((?:\.[ \t]*)*)([\w\x80-\xff][\w\x80-\xff \t.]*)?\Z")

# (relative level, dotted module, names after ``import``): ``from ..a.b import c as d`` is
# (2, "a.b", ("c", "as", "d")), ``import a.b as c, d`` is (0, "a.b", ()) and (0, "d", ()).
ImportRecord = Tuple[int, str, Tuple[str, ...]]


def import_records(data: bytes) -> List[ImportRecord]:
    """Every import statement's module and names, from the bytes: a superset (text in strings
    and comments that looks like an import counts too)."""
    records: List[ImportRecord] = []
    if b"import" not in data:
        return records
    for match in _IMPORT.finditer(data):
        start = match.start()
        if start and data[start - 1] in _WORD_OR_HIGH:
            continue
        head = _line_head(data, start)
        for cut in (b";", b":"):  # ``try: import x``, ``a = 1; from b import c``
            head = head.rsplit(cut, 1)[-1]
        head = _CONTINUATION.sub(b" ", head).strip(b" \t\f\\\r\n")
        tail = _import_tail(data, match.end())
        if not head:
            for part in tail.split(b","):
                dotted = _DOTTED.search(b".".join(piece.strip(b" \t") for piece in part.split(b".")))
                if dotted is not None:
                    records.append((0, dotted.group().decode("utf-8", "replace"), ()))
            continue
        found = _FROM.match(head)
        if found is None:
            continue
        level = found.group(1).count(b".")
        module = (found.group(2) or b"").replace(b" ", b"").replace(b"\t", b"").decode("utf-8", "replace")
        names = tuple(name.decode("utf-8", "replace") for name in _NAME.findall(tail))
        if b"*" in tail:
            names += ("*",)
        records.append((level, module, names))
    return records


def _line_head(data: bytes, start: int) -> bytes:
    """The text before ``start`` on its logical line (following backslash continuations back)."""
    line_start = max(data.rfind(b"\n", 0, start), data.rfind(b"\r", 0, start)) + 1
    while line_start >= 2:
        end = line_start - 1
        if data[end] == 0x0A and end >= 1 and data[end - 1] == 0x0D:
            end -= 1
        if end >= 1 and data[end - 1] == 0x5C:
            line_start = max(data.rfind(b"\n", 0, end - 1), data.rfind(b"\r", 0, end - 1)) + 1
            continue
        break
    return data[line_start:start]


def _import_tail(data: bytes, end: int) -> bytes:
    """What follows ``import`` up to the end of the statement, comments left out."""
    index = end
    while index < len(data) and data[index] in b" \t\f":
        index += 1
    if index < len(data) and data[index] == 0x28:  # ``import (a, b,\n c)``: to the closing bracket
        parts = []
        position = index + 1
        while position < len(data):
            line_end = _line_end(data, position)
            line = data[position:line_end]
            line = line.split(b"#", 1)[0]
            closing = line.find(b")")
            if closing != -1:
                parts.append(line[:closing])
                break
            parts.append(line)
            position = line_end + 1
        return b" ".join(parts)
    parts = []
    position = index
    while position < len(data):
        line_end = _line_end(data, position)
        line = data[position:line_end].split(b"#", 1)[0]
        stripped = line.rstrip(b" \t\f\r")
        if stripped.endswith(b"\\") and line_end < len(data):
            parts.append(stripped[:-1])
            position = line_end + 1
            continue
        parts.append(line)
        break
    return b" ".join(parts).split(b";", 1)[0]


_LINE_END = re.compile(rb"[\r\n]")


def _line_end(data: bytes, position: int) -> int:
    found = _LINE_END.search(data, position)
    return found.start() if found is not None else len(data)


# -- decoding --------------------------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


def undecodable(data: bytes) -> Optional[str]:
    """Why ``data`` cannot be read as Python text (the IMS000 message), or None when it can.

    Exactly ``source.decode_source``'s verdict, with a fast path for the common case: no NUL, no
    BOM, no ``coding`` in the first two lines (so PEP 263 says UTF-8) and valid UTF-8 (ASCII is
    checked at memory speed). Anything else takes the full route.
    """
    if b"\x00" not in data and not data.startswith(_BOM):
        first = data.find(b"\n")
        second = -1 if first == -1 else data.find(b"\n", first + 1)
        head = data if second == -1 else data[:second]  # PEP 263: a cookie is on line 1 or 2
        if b"coding" not in head:
            if data.isascii():
                return None
            try:
                data.decode("utf-8")
                return None
            except UnicodeDecodeError:
                pass
    from .source import SourceError, decode_source

    try:
        decode_source(data)
    except SourceError as exc:
        return str(exc)
    return None


def alive(data: bytes) -> bool:
    """The ast screen (see above): whether a live string literal of the file sits where the
    engine may report it, or it may build or pin an image client; True when ``ast`` cannot parse
    the file."""
    from .project import screen

    return screen(data, client_library=uses_client_library(data))
