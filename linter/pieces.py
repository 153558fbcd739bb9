"""Parsing a large module a few top-level statements at a time.

libcst's native parser builds its own tree of the whole text before it makes the Python one,
and that tree is most of its peak memory: about 450 bytes per source byte, gone once the parse
returns (a 1.6 MB module of 10,000 calls peaked at 780 MB). Parsing pieces of about
``PIECE_CHARS`` and joining their statements into one ``Module`` keeps that peak to one piece
(the same 1.6 MB: 140 MB) and is faster too. The joined module is the one a parse of the whole
text gives (``tests/test_pieces.py``; ``bench/pieces_check.py`` compares both on every file of
the benchmark corpora), because:

* a piece starts where a top-level logical line starts (``engine.nesting``'s token pass: the
  first token of a line at indentation 0, not an ``else``/``elif``/``except``/``finally``
  clause, not the statement a decorator line above is for), so every piece is a run of whole
  statements, tokenised as in the whole text;
* a piece ends with the last line of a statement, and a cut is made only where nothing but
  empty lines and comments at column 0 lie before the next statement: those are that
  statement's ``leading_lines`` in the whole module and the ``header`` of its piece, and are
  moved there. (An indented comment there may belong to the block above; at the end of a
  piece libcst even drops a blank line before one: no cut is made after trailing lines.)
* ``default_indent`` and ``default_newline`` are what libcst saw first in the text; a piece that
  infers others stores its blocks and newlines relative to its own, so when one disagrees with
  the first piece the whole text is parsed instead, as it is when any piece does not parse
  (the error is then the whole parse's own).
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple

PIECES_FROM = 256 * 1024  # texts from this size are parsed in pieces
PIECE_CHARS = 64 * 1024


def piece_starts(text: str, statement_lines: List[Tuple[int, int]], size: int) -> List[int]:
    """Offsets where pieces of at least ``size`` characters start (0 first): right after a
    top-level logical line, when only empty lines and comments at column 0 lie between it and
    the next statement (``statement_lines``: the pairs of lines ``engine.nesting`` records, as
    ``tokenize`` numbers them: lines end at ``\\n``)."""
    offsets = [0]
    line, position = 1, 0
    for after, first in statement_lines:
        while line < after:
            found = text.find("\n", position)
            if found == -1:
                return offsets
            position, line = found + 1, line + 1
        cut, between = position, []
        while line < first:
            found = text.find("\n", position)
            if found == -1:
                return offsets
            between.append(text[position:found + 1])
            position, line = found + 1, line + 1
        if cut - offsets[-1] >= size and position < len(text) and all(_loose(part) for part in between):
            offsets.append(cut)
    return offsets


def _loose(line: str) -> bool:
    """A line libcst keeps in front of the next statement whether or not a piece starts with it:
    empty, or a comment at column 0 (an indented one may close the block above)."""
    return line in ("\n", "\r\n") or line.startswith("#")


def parse_in_pieces(text: str, statement_lines: List[Tuple[int, int]], parse: Callable[[str], object],
                    size: Optional[int] = None):
    """The module ``parse`` (libcst's parser) gives for ``text``, from pieces; None when it
    cannot be had that way (one piece, a piece that does not parse, pieces that disagree on the
    indentation or newline they take for the default): parse the whole text then."""
    if text.count("\r") != text.count("\r\n"):
        return None  # a lone CR ends a line for libcst, not for ``tokenize``'s line numbers
    starts = piece_starts(text, statement_lines, PIECE_CHARS if size is None else size)
    if len(starts) < 2:
        return None
    first = indent = module = None
    body: list = []
    for start, end in zip(starts, [*starts[1:], len(text)]):
        if module is not None and module.footer:
            return None  # (a piece ends with its last statement: lines after it mean a bad cut)
        try:
            module = parse(text[start:end])
        except Exception:  # the whole parse reports it (or parses what a piece could not)
            return None
        statements = list(module.body)
        if first is None:
            first = module
        if not statements or module.default_newline != first.default_newline:
            return None
        if _has_block(module):
            if indent is None:
                indent = module.default_indent
            elif module.default_indent != indent:
                return None  # checked as each piece comes: a refused text is not parsed to the end first
        if module is not first and module.header:  # the lines between two statements: the next one's
            statements[0] = statements[0].with_changes(leading_lines=(*module.header, *statements[0].leading_lines))
        body.extend(statements)
    return first.with_changes(
        body=tuple(body),
        footer=module.footer,
        default_indent=indent if indent is not None else first.default_indent,
        has_trailing_newline=module.has_trailing_newline,
    )


def _has_block(module) -> bool:
    """Whether ``module``'s text may hold an indented block, whose indentation libcst then took
    for the default: only a compound statement at the top can (``if a: pass`` holds none, and
    then its default is libcst's own four spaces: a needless refusal at worst)."""
    import libcst as cst

    return any(isinstance(statement, cst.BaseCompoundStatement) for statement in module.body)
