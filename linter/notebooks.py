"""Jupyter notebooks (``.ipynb``): their code cells are checked and fixed as one Python module.

As Ruff does, the code cells are joined in order into one text the engine reads (so a constant
defined in one cell resolves in a later one), with a marker comment line before each cell::

    # %% imslint-cell 3 1a2b3c4d

Findings are then told as ``path:cell 3:2:25`` (Ruff's convention: the cell's number among all
cells, markdown ones included, 1-based; the line within the cell): ``Finding.cell`` holds the
number and ``line``/``end_line`` are within the cell. A fixed text is split at the markers again
and only the ``source`` of the code cells whose code changed is replaced: outputs, metadata,
execution counts, markdown and raw cells are untouched, and the JSON is written in the layout it
was read in (indent, key order, non-ASCII kept or escaped, trailing newline). A notebook whose
layout imslint cannot reproduce byte for byte is checked but never rewritten (IMS000 says so).

Not Python, so left out of the text: cells that start with a cell magic (``%%bash``) and, within a
cell, IPython line magics, shell escapes and help lines (``%time f()``, ``!pip install x``,
``files = !ls``, ``obj?``): they become a placeholder comment and are put back as they were.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .findings import Edit, Finding
from .source import SourceError, SourceText, physical_lines

SUFFIX = ".ipynb"
_MARKER = re.compile(r"^# %% imslint-cell ([0-9]+) ([0-9a-f]{8})$")
# IPython syntax at the start of a statement: a line magic, a shell escape, ``x = !cmd`` / ``x = %magic``,
# and help (``?obj``, ``obj?``, ``obj??``).
_MAGIC = re.compile(r"^\s*(?:[%!?]|[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]|[A-Za-z_][\w.]*\?\??\s*$)")
_PLACEHOLDER = re.compile(r"^([ \t]*)# imslint-magic [0-9a-f]{8} ([^\r\n]*)$", re.M)


def is_notebook(path: str) -> bool:
    return str(path).lower().endswith(SUFFIX)


class NotebookError(SourceError):
    """Not a notebook imslint can read (reported as IMS000)."""


@dataclass
class _Cell:
    number: int  # 1-based among all cells
    index: int  # position in the notebook's cell list
    text: str  # the cell's code, magics replaced by placeholders
    as_list: bool  # source stored as a list of lines (nbformat's way) or as one string
    added_newline: bool = False  # the cell's text did not end with a newline; one was added to join


@dataclass
class Notebook:
    data: Any  # the parsed JSON
    raw: str  # the JSON text as read
    token: str
    cells: List[_Cell]
    layout: Optional[Dict[str, Any]]  # json.dumps arguments that give ``raw`` back; None: none does
    layout_problem: str = ""
    line_map: List[Tuple[int, int]] = field(default_factory=list)  # text line (0-based) -> (cell number, line in cell)

    text: str = ""  # the code cells joined, each after its marker line

    def position(self, line: int) -> Tuple[int, int]:
        """(cell number, line in the cell) of a 1-based line of the text."""
        if 1 <= line <= len(self.line_map):
            return self.line_map[line - 1]
        number = self.line_map[-1][0] if self.line_map else 1
        last = max((l for n, l in self.line_map if n == number), default=1)
        return number, last + 1

    def text_line(self, cell: int, line: int) -> int:
        """The 1-based line of the text for a line of a cell (``position``'s inverse)."""
        for index, place in enumerate(self.line_map):
            if place == (cell, line):
                return index + 1
        raise ValueError(f"no line {line} in cell {cell}")

    def to_cells(self, finding: Finding) -> Finding:
        cell, line = self.position(finding.line)
        end_cell, end_line = self.position(finding.end_line)
        if end_cell != cell:
            end_line, end_column = line, finding.column
        else:
            end_column = finding.end_column
        fix = finding.fix
        if fix is not None:
            fix = replace(fix, edits=tuple(self._edit_to_cells(edit) for edit in fix.edits))
        return replace(finding, line=max(line, 1), end_line=max(end_line, 1), end_column=end_column, fix=fix, cell=cell)

    def _edit_to_cells(self, edit: Edit) -> Edit:
        _, line = self.position(edit.line)
        _, end_line = self.position(edit.end_line)
        return replace(edit, line=line, end_line=end_line)

    def to_text(self, finding: Finding) -> Finding:
        """A finding told in cells back on the text's lines (for editing the text)."""
        if finding.cell is None:
            return finding
        line = self.text_line(finding.cell, finding.line)
        end_line = line + (finding.end_line - finding.line)
        return replace(finding, line=line, end_line=end_line, cell=None)

    # -- writing --------------------------------------------------------------------------------------

    def encode(self, text: str) -> bytes:
        """The notebook's bytes with the code cells of ``text`` (raises ``NotebookError``)."""
        from .fixes import NotFixed

        if self.layout is None:
            raise NotFixed(f"its JSON layout is not one imslint can write back unchanged ({self.layout_problem})")
        cells = split_cells(text)
        if cells is None or [number for number, _ in cells] != [cell.number for cell in self.cells]:
            raise NotFixed("the cell markers of the notebook's code were changed; not written")
        data = json.loads(self.raw)
        for cell, (_, body) in zip(self.cells, cells):
            if body == cell.text + ("\n" if cell.added_newline else ""):
                continue
            if cell.added_newline and body.endswith("\n"):
                body = body[:-1]
            body = restore_magics(body)
            data["cells"][cell.index]["source"] = physical_lines(body) if cell.as_list else body
        return dump(data, self.layout).encode("utf-8")


def split_cells(text: str) -> Optional[List[Tuple[int, str]]]:
    """``[(cell number, code)]`` of a notebook's text, or None when ``text`` has no cell markers."""
    cells: List[Tuple[int, List[str]]] = []
    for line in physical_lines(text):
        match = _MARKER.match(line.rstrip("\r\n"))
        if match:
            cells.append((int(match.group(1)), []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip():
            return None  # code before the first marker: not a notebook's text
    if not cells:
        return None
    return [(number, "".join(lines)) for number, lines in cells]


def dump(data: Any, layout: Dict[str, Any]) -> str:
    text = json.dumps(data, indent=layout["indent"], ensure_ascii=layout["ensure_ascii"],
                      separators=layout["separators"])
    if layout["crlf"]:
        text = text.replace("\n", "\r\n")
    return text + layout["end"]


def _layout(data: Any, raw: str) -> Tuple[Optional[Dict[str, Any]], str]:
    """The ``json.dumps`` arguments that give ``raw`` back exactly, or (None, why not)."""
    crlf = "\r\n" in raw
    end = raw[len(raw.rstrip("\r\n")):]
    for indent in (1, 2, 4, "\t", 3, None):
        for ensure_ascii in (False, True):
            for separators in ((",", ": "), (", ", ": "), (",", ":")):
                if indent is not None and separators == (", ", ": "):
                    continue
                layout = {"indent": indent, "ensure_ascii": ensure_ascii, "separators": separators,
                          "crlf": crlf, "end": end}
                if dump(data, layout) == raw:
                    return layout, ""
    return None, "its indentation, spacing or escaping differs from what json.dumps writes"


def _code(source: Any) -> Tuple[str, bool]:
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source), True
    if isinstance(source, str):
        return source, False
    raise NotebookError("a code cell's source is neither text nor a list of lines")


def _placeholders(text: str, token: str) -> str:
    """``text`` with IPython magics, shell escapes and help lines turned into placeholder comments
    that hold them (``# imslint-magic <token> %time f()``); only lines that start a statement
    count (``% value`` continuing an expression is Python)."""
    lines: List[str] = []
    for line in physical_lines(text):
        content = line.rstrip("\r\n")
        if _MAGIC.match(content) and _starts_statement("".join(lines)):
            stripped = content.lstrip()
            line = content[: len(content) - len(stripped)] + f"# imslint-magic {token} {stripped}" + line[len(content):]
        lines.append(line)
    return "".join(lines)


def restore_magics(text: str) -> str:
    """``text`` with the placeholders of ``_placeholders`` turned back into what they hold."""
    return _PLACEHOLDER.sub(r"\1\2", text)


def _starts_statement(before: str) -> bool:
    """Whether the text after ``before`` begins a statement (no open bracket, string or ``\\``)."""
    import io
    import tokenize

    if not before.strip():
        return True
    if not before.endswith(("\n", "\r")):
        before += "\n"
    try:
        for _ in tokenize.generate_tokens(io.StringIO(before).readline):
            pass
    except tokenize.TokenError:
        return False  # EOF inside a bracket, a triple-quoted string or after a backslash
    except (SyntaxError, ValueError):
        return True  # some other problem before: the engine reports it
    return True


def read(data: bytes) -> Notebook:
    """A notebook's code cells (raises ``NotebookError`` for what is not a notebook)."""
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"a notebook is UTF-8 JSON: byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8")
    if raw.startswith("\ufeff"):
        raise NotebookError("a notebook is JSON without a byte order mark")
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise NotebookError(f"not a notebook: invalid JSON ({exc})")
    if not isinstance(parsed, dict) or not isinstance(parsed.get("cells"), list):
        raise NotebookError("not a notebook: no \"cells\" list (nbformat 4 is read)")
    token = hashlib.sha1(data).hexdigest()[:8]
    cells = []
    for index, cell in enumerate(parsed["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text, as_list = _code(cell.get("source", ""))
        if text.lstrip().startswith("%%"):
            continue  # a cell magic: the whole cell is another language
        cells.append(_Cell(index + 1, index, _placeholders(text, token), as_list))
    layout, problem = _layout(parsed, raw)
    notebook = Notebook(parsed, raw, token, cells, layout, problem)
    parts = []
    for cell in cells:
        parts.append(f"# %% imslint-cell {cell.number} {token}\n")
        notebook.line_map.append((cell.number, 0))
        body = cell.text
        if body and not body.endswith(("\n", "\r")):
            body += "\n"
            cell.added_newline = True
        parts.append(body)
        notebook.line_map.extend((cell.number, line) for line in range(1, len(physical_lines(body)) + 1))
    notebook.text = "".join(parts)
    return notebook


@dataclass(frozen=True)
class NotebookText(SourceText):
    """A notebook as the engine reads it: ``text`` is the code cells joined; ``encode`` writes the
    notebook back with the code of a fixed text."""

    notebook: Optional[Notebook] = None

    def encode(self, text: str) -> bytes:
        assert self.notebook is not None
        return self.notebook.encode(text)

    def to_cells(self, findings: Sequence[Finding]) -> List[Finding]:
        assert self.notebook is not None
        return [self.notebook.to_cells(finding) for finding in findings]


def decode(data: bytes) -> NotebookText:
    notebook = read(data)
    return NotebookText(notebook.text, "utf-8", notebook)


def scannable(path: str, data: bytes) -> Tuple[bytes, Optional[str]]:
    """What the pre-filter reads of a file: for a notebook its code as Python (and why it cannot
    be read, if so); any other file as it is."""
    if not is_notebook(path):
        return data, None
    try:
        return read(data).text.encode("utf-8"), None
    except NotebookError as exc:
        return data, str(exc)


def cell_edits(before: str, after: str) -> Optional[List[dict]]:
    """The change as edits of whole lines of each changed code cell (``runner.line_edits``, lines
    within the cell), each with its ``cell``; None when the texts are not a notebook's."""
    from .runner import line_edits

    old, new = split_cells(before), split_cells(after)
    if old is None or new is None or [n for n, _ in old] != [n for n, _ in new]:
        return None
    edits = []
    for (number, first), (_, second) in zip(old, new):
        if first != second:
            edits += [dict(edit, cell=number) for edit in line_edits(restore_magics(first), restore_magics(second))]
    return edits


# -- diffs --------------------------------------------------------------------------------------------


def cell_diff(before: str, after: str, path: str) -> Optional[str]:
    """A unified diff per changed code cell (``--- a/nb.ipynb:cell 3``), or None when the texts
    are not a notebook's."""
    import difflib

    old, new = split_cells(before), split_cells(after)
    if old is None or new is None or [n for n, _ in old] != [n for n, _ in new]:
        return None
    out = []
    for (number, first), (_, second) in zip(old, new):
        if first == second:
            continue
        first, second = restore_magics(first), restore_magics(second)
        lines = difflib.unified_diff(first.splitlines(keepends=True), second.splitlines(keepends=True),
                                     f"a/{path}:cell {number}", f"b/{path}:cell {number}")
        out.extend(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)
    return "".join(out)
