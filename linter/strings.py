"""Static string evaluation: the value of a string-building expression as a *template*.

A template is a sequence of literal pieces, each tied to the source node it came from, and holes
(runtime values). Endpoint matching runs over templates, and fixes edit the literal pieces, so
the evaluator keeps for each piece where its characters sit in the source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

import libcst as cst

from .endpoints import HOLE_CHAR


@dataclass(frozen=True)
class Lit:
    """Literal text.

    ``raw_start`` is where ``text[0]`` sits inside ``node``'s own source code when the characters
    map one to one (no escapes); ``None`` means the piece cannot be edited in place. ``anchor`` is
    the use-site name this text was reached through (a shared constant): edits happen there.
    ``element`` is the list element / call argument this text is the whole value of;
    ``separator`` marks joiner text (``"/".join``'s separator, ``posixpath.join``'s ``/``).
    ``helper`` names the function whose one ``return`` holds the text (``evaluate.detach_body``).
    """

    text: str
    node: Optional[cst.CSTNode] = None
    raw_start: Optional[int] = None
    anchor: Optional[cst.CSTNode] = None
    element: Optional[cst.CSTNode] = None
    separator: bool = False
    helper: Optional[str] = None  # written in this helper's ``return`` (not editable from one of its calls)
    # With an anchor: the anchor's whole value and where this text starts in it.
    anchor_value: Optional[str] = None
    anchor_offset: int = 0

    def slice(self, start: int, end: int) -> "Lit":
        whole = start == 0 and end == len(self.text)
        return replace(
            self,
            text=self.text[start:end],
            raw_start=None if self.raw_start is None else self.raw_start + start,
            element=self.element if whole else None,
            anchor_offset=self.anchor_offset + start,
        )


@dataclass(frozen=True)
class Hole:
    node: Optional[cst.CSTNode]
    label: str = "?"
    anchor: Optional[cst.CSTNode] = None


Piece = Union[Lit, Hole]


@dataclass(frozen=True)
class Template:
    pieces: Tuple[Piece, ...]
    # Binding values inlined to build this template (to tell a definition from its use).
    sources: FrozenSet[cst.CSTNode] = frozenset()

    @property
    def text(self) -> str:
        return "".join(p.text if isinstance(p, Lit) else HOLE_CHAR for p in self.pieces)

    @property
    def is_literal(self) -> bool:
        return all(isinstance(p, Lit) for p in self.pieces)

    def locate(self, index: int) -> Tuple[int, int]:
        """(piece index, offset in piece) of character ``index`` of ``text``."""
        position = 0
        for number, piece in enumerate(self.pieces):
            size = len(piece.text) if isinstance(piece, Lit) else 1
            if index < position + size:
                return number, index - position
            position += size
        return len(self.pieces), 0

    def span(self, start: int, end: int) -> List[Tuple[Piece, int, int]]:
        """The pieces covering ``text[start:end]`` with the covered offsets inside each."""
        result = []
        position = 0
        for piece in self.pieces:
            size = len(piece.text) if isinstance(piece, Lit) else 1
            low, high = max(start, position), min(end, position + size)
            if low < high:
                result.append((piece, low - position, high - position))
            position += size
        return result

    def anchored(self, anchor: cst.CSTNode) -> "Template":
        """The same text reached through ``anchor`` (a name): fixes rewrite the anchor."""
        value = self.text
        pieces = []
        position = 0
        for piece in self.pieces:
            if isinstance(piece, Lit):
                pieces.append(replace(piece, anchor=anchor, anchor_value=value, anchor_offset=position))
                position += len(piece.text)
            else:
                pieces.append(replace(piece, anchor=anchor))
                position += 1
        return Template(tuple(pieces), self.sources)

    def with_sources(self, *nodes: cst.CSTNode) -> "Template":
        return Template(self.pieces, self.sources | frozenset(nodes))


def concat(*templates: Template) -> Template:
    pieces: List[Piece] = []
    sources: FrozenSet[cst.CSTNode] = frozenset()
    for template in templates:
        pieces.extend(template.pieces)
        sources |= template.sources
    return Template(tuple(pieces), sources)


def literal(text: str, **kwargs) -> Template:
    return Template((Lit(text, **kwargs),)) if text else Template(())


def hole(node: Optional[cst.CSTNode], label: str = "?") -> Template:
    return Template((Hole(node, label),))


def source_label(node: cst.CSTNode) -> str:
    code = cst.Module(body=[]).code_for_node(node)
    return code if len(code) <= 40 else code[:37] + "..."


# -- literals ------------------------------------------------------------------------------------


def simple_string(node: cst.SimpleString) -> Optional[Template]:
    prefix = node.prefix.lower()
    if "b" in prefix:
        return None
    body_start = len(node.prefix) + len(node.quote)
    if "r" in prefix or "\\" not in node.raw_value:
        # No escapes: the text is the source (and ``evaluated_value``'s literal_eval is costly).
        return literal(node.raw_value, node=node, raw_start=body_start)
    try:
        value = node.evaluated_value
    except Exception:  # pragma: no cover - libcst validated the literal already
        return None
    return literal(value, node=node, raw_start=None) if isinstance(value, str) else None


def fstring_text(part: cst.FormattedStringText, raw: bool) -> Template:
    """Text of an f-string: ``{{``/``}}`` become one brace; escapes make it non-editable."""
    value = part.value
    if "\\" in value and not raw:
        return hole(part, "escaped text")
    pieces: List[Piece] = []
    start = 0
    for match in re.finditer(r"\{\{|\}\}", value):
        if match.start() > start:
            pieces.append(Lit(value[start : match.start()], part, start))
        pieces.append(Lit(match.group()[0], part, None))
        start = match.end()
    if start < len(value):
        pieces.append(Lit(value[start:], part, start))
    return Template(tuple(pieces))


# -- %-formatting and str.format -------------------------------------------------------------------

# Linear on hostile literals: an unclosed ``%(`` scans only to the next ``%``, and zeros are flags
# (a width never starts with 0), so a run of them is never split between flags and width.
_PERCENT_SPEC = re.compile(r"%(?:\((?P<key>[^)%]*)\))?[#0\- +]*(?:\*|[1-9]\d*)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])")


def split_lit(piece: Lit, pattern: "re.Pattern[str]") -> Iterable[Tuple[str, object]]:
    """Yields ("text", Lit) and ("spec", match) items for the pattern's matches in a literal."""
    start = 0
    for match in pattern.finditer(piece.text):
        if match.start() > start:
            yield "text", piece.slice(start, match.start())
        yield "spec", match
        start = match.end()
    if start < len(piece.text):
        yield "text", piece.slice(start, len(piece.text))


ESCAPE = object()  # a ``%%`` or ``{{``: one literal character, not a field


def substitute(
    template: Template,
    pattern: "re.Pattern[str]",
    field_value: Callable[["re.Match[str]"], object],
    fallback: cst.CSTNode,
    label: str,
) -> Template:
    """Replaces each ``pattern`` match in the literal pieces by ``field_value(match)``: a
    template, ``ESCAPE`` (keep one character), or None (a runtime value: a hole)."""
    pieces: List[Piece] = []
    sources = template.sources
    for piece in template.pieces:
        if isinstance(piece, Hole):
            pieces.append(piece)
            continue
        for kind, item in split_lit(piece, pattern):
            if kind == "text":
                pieces.append(item)  # type: ignore[arg-type]
                continue
            value = field_value(item)  # type: ignore[arg-type]
            if value is ESCAPE:
                start = item.start()  # type: ignore[attr-defined]
                pieces.append(replace(piece.slice(start, start + 1), raw_start=None))
            elif isinstance(value, Template):
                pieces.extend(value.pieces)
                sources |= value.sources
            else:
                pieces.append(Hole(fallback, label))
    return Template(tuple(pieces), sources)


def percent_format(
    template: Template,
    positional: Optional[Sequence[Optional[Template]]],
    named: Optional[Dict[str, Optional[Template]]],
    fallback: cst.CSTNode,
) -> Template:
    arguments = iter(positional or ())

    def field_value(match: "re.Match[str]"):
        if match.group("conv") == "%":
            return ESCAPE
        key = match.group("key")
        value = (named or {}).get(key) if key is not None else next(arguments, None)
        # Only a plain ``%s`` keeps the text; ``%d``, ``%r``, widths... make a runtime value.
        return value if match.group() in ("%s", "%%(%s)s" % key) else None

    return substitute(template, _PERCENT_SPEC, field_value, fallback, "%-argument")


_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")


def str_format(
    template: Template,
    positional: Sequence[Optional[Template]],
    named: Dict[str, Optional[Template]],
    fallback: cst.CSTNode,
) -> Template:
    auto = iter(positional)

    def field_value(match: "re.Match[str]"):
        name = match.group("field")
        if name is None:
            return ESCAPE
        if name == "":
            return next(auto, None)
        if name.isdigit():
            number = int(name)
            return positional[number] if number < len(positional) else None
        return named.get(name) if name.isidentifier() else None

    return substitute(template, _FORMAT_FIELD, field_value, fallback, "{field}")


# -- joins -------------------------------------------------------------------------------------------


def join_with(separator: Template, parts: Sequence[Template]) -> Template:
    pieces: List[Piece] = []
    sources: FrozenSet[cst.CSTNode] = separator.sources
    for number, part in enumerate(parts):
        if number:
            pieces.extend(replace(p, separator=True) if isinstance(p, Lit) else p for p in separator.pieces)
        pieces.extend(part.pieces)
        sources |= part.sources
    return Template(tuple(pieces), sources)


def posix_join(parts: Sequence[Template]) -> Template:
    """``posixpath.join``: an absolute part restarts the path; a ``/`` is added between parts."""
    result: Optional[Template] = None
    for part in parts:
        text = part.text
        if result is None or text.startswith("/"):
            result = part
        elif result.text.endswith("/") or not result.pieces:
            result = concat(result, part)
        else:
            result = concat(result, literal("/", separator=True), part)
    return result or Template(())


def url_join(base: Template, relative: Template) -> Template:
    """``urllib.parse.urljoin`` for the shapes that matter to path matching."""
    rel = relative.text
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", rel):
        return relative
    text = base.text
    if rel.startswith("/"):
        scheme_end = text.find("://")
        if scheme_end != -1 and HOLE_CHAR not in text[: scheme_end + 3]:
            host_end = text.find("/", scheme_end + 3)
            if host_end == -1:
                return concat(base, relative)
            return concat(_prefix(base, host_end), relative)
        return concat(hole(None, "base URL origin"), relative)
    last_slash = text.rfind("/")
    if last_slash != -1 and HOLE_CHAR not in text[last_slash:]:
        return concat(_prefix(base, last_slash + 1), relative)
    return concat(base, literal("/", separator=True), relative)


def _prefix(template: Template, end: int) -> Template:
    pieces = []
    for piece, low, high in template.span(0, end):
        pieces.append(piece.slice(low, high) if isinstance(piece, Lit) else piece)
    return Template(tuple(pieces), template.sources)
