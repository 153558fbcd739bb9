"""Turns edits of templates and nodes into edits of the source text.

A template edit replaces characters of a template's text. Each literal piece knows where its
characters sit in the source, so the edit lands inside the literal that holds them: quotes,
prefixes, layout and comments around it stay as they are. Text reached through a shared
constant is rewritten at the use site (the name becomes a literal), never in the constant.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .endpoints import HOLE_CHAR
from .strings import Hole, Lit, Template

Span = Tuple[int, int]
TextEdit = Tuple[int, int, str]  # (start, end, replacement) in source offsets


class CannotEdit(Exception):
    """The edit would have to change something imslint does not rewrite (a runtime value...)."""


@dataclass(frozen=True)
class TemplateEdit:
    template: Template
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class NodeEdit:
    node: cst.CSTNode
    code: str


class EditRealizer:
    def __init__(self, module: cst.Module, locate: Callable[[cst.CSTNode], Span], parents) -> None:
        self.module = module
        self.locate = locate
        self.parents = parents

    def realize(self, edits: Sequence[object]) -> List[TextEdit]:
        out: List[TextEdit] = []
        by_template: Dict[int, Tuple[Template, List[TemplateEdit]]] = {}
        for edit in edits:
            if isinstance(edit, NodeEdit):
                start, end = self.locate(edit.node)
                out.append((start, end, edit.code))
            else:
                assert isinstance(edit, TemplateEdit)
                by_template.setdefault(id(edit.template), (edit.template, []))[1].append(edit)
        for template, template_edits in by_template.values():
            out.extend(self._template(template, template_edits))
        return sorted(set(out))

    # -- template edits ----------------------------------------------------------------------------
    def _template(self, template: Template, edits: List[TemplateEdit]) -> List[TextEdit]:
        out: List[TextEdit] = []
        anchored: Dict[cst.CSTNode, List[Tuple[int, int, str]]] = {}
        for edit in edits:
            if edit.start == edit.end:
                out.extend(self._insert(template, edit, anchored))
                continue
            removal = self._element_removal(template, edit)
            if removal is not None:
                out.append(removal)
                continue
            first = True
            position = 0
            for piece in template.pieces:
                size = len(piece.text) if isinstance(piece, Lit) else 1
                low, high = max(edit.start, position), min(edit.end, position + size)
                if low < high:
                    text = edit.text if first else ""
                    first = False
                    self._piece_edit(piece, low - position, high - position, text, position, anchored, out)
                position += size
        for anchor, anchor_edits in anchored.items():
            out.append(self._anchor_edit(template, anchor, anchor_edits))
        return out

    def _piece_edit(self, piece, low: int, high: int, text: str, piece_start: int, anchored, out) -> None:
        if isinstance(piece, Hole):
            raise CannotEdit(f"the text to change is computed at runtime (`{piece.label}`)")
        if piece.anchor is not None:
            anchored.setdefault(piece.anchor, []).append((piece_start + low, piece_start + high, text))
            return
        out.append(self._literal_edit(piece, low, high, text))

    def _literal_edit(self, piece: Lit, low: int, high: int, text: str) -> TextEdit:
        if piece.helper is not None:
            raise CannotEdit(f"the text to change is written in `{piece.helper}`, which other calls may share: change it there")
        if piece.node is None or piece.raw_start is None:
            raise CannotEdit("the text to change sits in a literal with escape sequences or is implicit")
        check_literal_text(piece.node, text, self.parents)
        if isinstance(piece.node, cst.FormattedStringText):
            text = text.replace("{", "{{").replace("}", "}}")
        start = self.locate(piece.node)[0] + piece.raw_start
        return (start + low, start + high, text)

    def _insert(self, template: Template, edit: TemplateEdit, anchored) -> List[TextEdit]:
        """An insertion goes at the end of the literal before it, else the start of the one after."""
        position = 0
        before = after = None
        for piece in template.pieces:
            size = len(piece.text) if isinstance(piece, Lit) else 1
            if position + size == edit.start and isinstance(piece, Lit):
                before = (piece, size, position)
            if position == edit.start and isinstance(piece, Lit) and after is None:
                after = (piece, 0, position)
            position += size
        for candidate in (before, after):
            if candidate is None:
                continue
            piece, offset, piece_start = candidate
            if piece.anchor is not None:
                anchored.setdefault(piece.anchor, []).append((edit.start, edit.start, edit.text))
                return []
            if piece.node is not None and piece.raw_start is not None and not piece.separator:
                return [self._literal_edit(piece, offset, offset, edit.text)]
        raise CannotEdit("no literal text to insert into")

    def _element_removal(self, template: Template, edit: TemplateEdit) -> Optional[TextEdit]:
        """Deleting ``sep + element`` of a join removes the list element / call argument."""
        if edit.text:
            return None
        covered = template.span(edit.start, edit.end)
        lits = [piece for piece, _, _ in covered]
        if any(p.anchor is not None for p in lits):
            return None  # rewritten at the use site
        if not any(isinstance(p, Lit) and (p.separator or p.node is None) for p in lits):
            return None
        elements = [
            (p, low, high) for p, low, high in covered if isinstance(p, Lit) and p.element is not None
        ]
        separators = [p for p in lits if isinstance(p, Lit) and p.separator]
        if len(elements) != 1 or len(separators) != 1 or len(lits) != 2:
            raise CannotEdit("the path is split across a join in a way imslint does not rewrite")
        piece, low, high = elements[0]
        if low != 0 or high != len(piece.text):
            raise CannotEdit("the path is split across a join in a way imslint does not rewrite")
        return self._remove_element(piece.element)

    def _remove_element(self, element: cst.CSTNode) -> TextEdit:
        container = self.parents.get(element)
        siblings = list(getattr(container, "elements", None) or getattr(container, "args", ()))
        index = next(i for i, sibling in enumerate(siblings) if sibling is element)
        start, end = self.locate(element)
        if index > 0:
            return (self.locate(siblings[index - 1])[1], end, "")
        if len(siblings) > 1:
            return (start, self.locate(siblings[1])[0], "")
        raise CannotEdit("cannot remove the only element")

    def _anchor_edit(self, template: Template, anchor: cst.CSTNode, edits) -> TextEdit:
        """A use of a shared constant becomes a literal of the constant's edited value."""
        value: Optional[str] = None
        moved = []  # the edits in the anchor value's own offsets
        placed = set()
        position = 0
        for piece in template.pieces:
            size = len(piece.text) if isinstance(piece, Lit) else 1
            if isinstance(piece, Lit) and piece.anchor is anchor:
                value = piece.anchor_value
                shift = piece.anchor_offset - position
                for number, (start, end, text) in enumerate(edits):
                    inside = position <= start < position + size or start == end == position + size
                    if inside and end <= position + size and number not in placed:
                        placed.add(number)
                        moved.append((start + shift, end + shift, text))
            position += size
        if value is None or HOLE_CHAR in value:
            raise CannotEdit(f"`{code_of(self.module, anchor)}` is not a constant string")
        for start, end, text in sorted(set(moved), reverse=True):
            value = value[:start] + text + value[end:]
        parent = self.parents.get(anchor)
        if isinstance(parent, cst.FormattedStringExpression) and parent.expression is anchor:
            fstring = self.parents.get(parent)
            quote = getattr(fstring, "quote", '"')
            if quote[0] in value or "\\" in value or "\n" in value:
                raise CannotEdit("the new text cannot be written inside this f-string")
            start, end = self.locate(parent)
            return (start, end, value.replace("{", "{{").replace("}", "}}"))
        start, end = self.locate(anchor)
        return (start, end, string_literal(value))


def check_literal_text(node: cst.CSTNode, text: str, parents) -> None:
    if isinstance(node, cst.Name):
        if text and not text.isidentifier():
            raise CannotEdit(f"`{text}` is not a valid keyword argument name")
        return
    if isinstance(node, cst.SimpleString):
        quote = node.quote
    else:
        fstring = parents.get(node)
        quote = getattr(fstring, "quote", '"')
    if "\\" in text or quote[0] in text or (len(quote) == 1 and ("\n" in text or "\r" in text)):
        raise CannotEdit("the new text would need escaping inside this literal")


def string_literal(value: str) -> str:
    if '"' not in value and "\\" not in value and "\n" not in value:
        return f'"{value}"'
    return repr(value)


def code_of(module: cst.Module, node: cst.CSTNode) -> str:
    return module.code_for_node(node)
