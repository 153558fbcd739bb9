"""An upper bound of ``engine.nesting``'s expression depth from ``ast``'s statement positions.

``engine.nesting`` tokenizes the whole text to keep libcst's parser from texts nested deep
enough to crash it; ``tokenize`` is pure Python before 3.12 and cost about a quarter of the
libcst parse it guards (2.8 s of a cold cloud run). ``ast`` parses in C at about a third of the
token pass's cost (nothing, when the worker's ``ast`` screen just parsed the file: ``offer``),
and its statement positions bound the estimate:

* The estimate at a token is the expression level reached since the start of its logical
  line, plus the indented blocks around it. Every token raises the level by one at most (a
  closing bracket gives back what its contents added, then counts as one), and ``;`` and the end
  of a logical line start again from nothing. So the level is at most the number of characters
  of the logical line's physical lines, and the blocks are at most the ``ast`` nesting of the
  statement.
* Every logical line lies in one *cluster*: the line ranges of simple statements, decorators,
  compound statements' headers (an inline body with them) and clause headers (``else``,
  ``except``, ``case``...), merged where they share a line.
* A cluster longer than the limit is tokenized alone: it starts where a logical line starts, so
  its tokens are the whole text's, with at most one indentation level of its own.

The bound is never below the estimate, so a text it admits would have been admitted by the
token pass; any other text goes to the token pass, which gives the exact figure and line.
"""
from __future__ import annotations

import ast
from typing import Callable, List, Optional, Tuple

# The ``ast`` of the file the worker's screen just parsed (``project.screen``), for the guard of
# the libcst parse that follows: (its bytes, its tree), taken once.
_OFFERED: List[Tuple[bytes, ast.Module]] = []


def offer(source: bytes, tree: ast.Module) -> None:
    """Keeps ``tree`` (``ast.parse(source)``) for ``offered``, in place of any earlier one."""
    _OFFERED[:] = [(source, tree)]


def offered(text: str) -> Optional[ast.Module]:
    """The offered tree if it is the ``ast`` of ``text``: its bytes are ``text`` in UTF-8 and
    declare no other encoding (``ast`` then read them as ``text``); it is given out once."""
    if not _OFFERED:
        return None
    source, tree = _OFFERED.pop()
    if b"coding" in source[:400] or source != text.encode("utf-8", "surrogatepass"):
        return None
    return tree


_BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")
_CLAUSES = (ast.ExceptHandler, getattr(ast, "match_case", ast.ExceptHandler))


def _first_line(node: ast.AST) -> int:
    return node.lineno if hasattr(node, "lineno") else node.pattern.lineno  # a ``case`` has no position


def _last_line(node: ast.AST) -> int:
    end = getattr(node, "end_lineno", None)
    return end if end is not None else _last_line(node.body[-1])


def statement_spans(tree: ast.Module, indentation: Callable[[int], int]) -> List[Tuple[int, int, int]]:
    """(first line, last line, enclosing blocks) of every piece of text that holds tokens of
    logical lines: each simple statement, decorator, header and clause header (an inline body
    counted with its header). ``indentation(line)``: how many whitespace characters start it."""
    spans: List[Tuple[int, int, int]] = []
    pending = [(statement, 0) for statement in tree.body]
    while pending:
        node, depth = pending.pop()
        blocks = [block for block in (getattr(node, name, None) for name in _BLOCK_FIELDS)
                  if isinstance(block, list) and block]
        if not blocks:
            spans.append((node.lineno, node.end_lineno, depth))
            continue
        for decorator in getattr(node, "decorator_list", ()):
            spans.append((decorator.lineno, decorator.end_lineno, depth))
        before = _first_line(node) - 1  # the line before the next header
        for block in sorted(blocks, key=lambda statements: _first_line(statements[0])):
            first = block[0]
            if isinstance(first, _CLAUSES):  # ``except`` and ``case`` clauses: headers of their own
                spans.append((before + 1, _first_line(first) - 1, depth))  # ``match x:``
                pending.extend((clause, depth) for clause in block)
            elif first.col_offset > indentation(first.lineno):  # on the header's line
                if not _is_compound(first):
                    spans.append((before + 1, _last_line(block[-1]), depth))  # an inline body
                else:  # (no compound statement is inline; an ``elif`` positioned oddly)
                    spans.append((before + 1, first.lineno, depth))
                    pending.extend((statement, depth + 1) for statement in block)
            else:
                spans.append((before + 1, first.lineno - 1, depth))
                pending.extend((statement, depth + 1) for statement in block)
            before = _last_line(block[-1])
    return spans


def _is_compound(statement: ast.stmt) -> bool:
    return any(isinstance(getattr(statement, name, None), list) and getattr(statement, name)
               for name in _BLOCK_FIELDS)


def clusters(spans: List[Tuple[int, int, int]]) -> List[Tuple[int, int, int]]:
    """The spans merged where they share a line: (first line, last line, deepest blocks)."""
    merged: List[List[int]] = []
    for first, last, depth in sorted(span for span in spans if span[1] >= span[0]):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
            merged[-1][2] = max(merged[-1][2], depth)
        else:
            merged.append([first, last, depth])
    return [(first, last, depth) for first, last, depth in merged]


def depth_bound(text: str, tree: ast.Module, limit: int, token_depth: Callable[[str], Optional[int]]) -> Optional[int]:
    """An upper bound of ``engine.nesting``'s expression depth of ``text`` (``tree``: its
    ``ast``), or None when it may exceed ``limit``. ``token_depth``: the token pass's depth of a
    fragment, for clusters longer than ``limit`` (None when it cannot tokenize it all)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None  # a lone CR ends a line for ``ast``: its line numbers are not these
    starts = [0]
    position = text.find("\n")
    while position != -1:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    starts.append(len(text))
    lines = len(starts) - 1

    def indentation(line: int) -> int:
        start = starts[line - 1]
        end = min(starts[line], start + 512)
        segment = text[start:end]
        return len(segment) - len(segment.lstrip(" \t\f"))

    deepest = 0
    for first, last, depth in clusters(statement_spans(tree, indentation)):
        first, last = max(first, 1), min(last, lines)
        if last < first:
            continue
        begin, end = starts[first - 1], starts[last]
        bound = end - begin + depth
        if bound > limit:
            measured = token_depth(text[begin:end])
            if measured is None or measured + depth > limit:
                return None
            bound = measured + depth
        deepest = max(deepest, bound)
    return deepest
