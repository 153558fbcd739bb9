"""A large module parsed in pieces is the module a whole parse gives (``linter.pieces``)."""
from __future__ import annotations

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter import engine, pieces


def in_pieces(text: str, size: int = 1):
    """``parse_in_pieces`` with every top-level statement a cut (``size`` 1)."""
    lines: list = []
    engine.nesting(text, lines)
    return pieces.parse_in_pieces(text, lines, engine._parse_unvalidated, size)


def assert_same_module(text: str) -> cst.Module:
    module = in_pieces(text)
    assert module is not None, "parsed whole: the pieces were refused"
    assert module.code == text
    assert module.deep_equals(cst.parse_module(text))
    return module


SHAPES = {
    "header comments and a docstring": '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""Doc."""\n\nimport os\nX = 1\n',
    "comments and blank lines between": "x = 1\n# about y\n\n\n# more\ny = 2\n\n# the end\n",
    "decorators": "import f\n\n@f\n@f(1)\ndef g():\n    return 1\n\n\n@f\nclass C:\n    pass\n",
    "clauses at column 0": "if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\ntry:\n    pass\nexcept E:\n    pass\nfinally:\n    pass\nfor i in y:\n    pass\nelse:\n    pass\nz = 1\n",
    "a block's own trailing comments": "def f():\n    pass\n    # still f's\n\n# the next one's\ndef g():\n    pass\n        # deeper\n# top\nx = 1\n\n# y's\ny = 2\n",
    "statements on one line": "a = 1; b = 2\nc = 3; d = 4\n",
    "continuations and brackets": "x = [\n1,\n2,\n]\ny = 1 + \\\n2\nz = (\n'a'\n)\n",
    "strings holding statement-like lines": 's = """\nx = 1\ndef f():\n"""\nt = 2\nu = f"""\n{s}\nimport os\n"""\n',
    "windows newlines": "x = 1\r\n\r\n# c\r\ndef f():\r\n    return 2\r\ny = 3\r\n",
    "no newline at the end": "x = 1\ny = 2",
    "async and match": "async def f():\n    await g()\nmatch x:\n    case 1:\n        pass\nasync def h():\n    pass\n",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_pieces_give_the_whole_module(name):
    assert_same_module(SHAPES[name])


def test_statements_after_a_decorator_or_inside_a_clause_are_no_cut():
    lines: list = []
    engine.nesting("@d\ndef f():\n    pass\nif a:\n    pass\nelse:\n    pass\n\n# x\nx = 1\n", lines)
    # (the line after the logical line before, the statement's): ``if`` and ``x``, never the
    # decorated ``def`` nor ``else``
    assert lines == [(4, 4), (8, 10)]


def test_the_default_indentation_comes_from_the_first_block():
    text = "def f():\n  return 1\n\n\ndef g():\n  return 2\n"
    assert assert_same_module(text).default_indent == "  "


def test_pieces_that_infer_another_default_are_refused():
    # the second piece's first block is indented with a tab: libcst would store its blocks
    # relative to a tab there, and to two spaces in the whole module
    assert in_pieces("def f():\n  return 1\ndef g():\n\treturn 2\n") is None
    assert in_pieces("x = 1\r\ny = 2\nz = 3\n") is None  # newlines: CRLF first, then LF
    assert in_pieces("x = 1\ry = 2\n") is None  # a lone CR: lines tokenize does not count


def test_a_piece_that_does_not_parse_leaves_it_to_the_whole_parse():
    assert in_pieces("x = 1\ny = (\nz = 2\n") is None


def test_small_pieces_are_joined_up_to_the_size():
    text = "".join(f"x{n} = {n}\n" for n in range(100))
    lines: list = []
    engine.nesting(text, lines)
    starts = pieces.piece_starts(text, lines, 100)
    assert starts[0] == 0 and len(starts) > 2
    assert all(b - a >= 100 for a, b in zip(starts, starts[1:]))
    assert all(text[start - 1] == "\n" and text[start] == "x" for start in starts[1:])


def test_no_cut_after_lines_that_may_belong_to_the_block_above():
    text = "def f():\n    pass\n    # f's\nx = 1\ndef g():\n    pass\n  \ny = 2\n"
    lines: list = []
    engine.nesting(text, lines)
    assert pieces.piece_starts(text, lines, 1) == [0, text.index("def g")]


def test_engine_parses_large_texts_in_pieces(monkeypatch):
    text = "".join(f"def f{n}(session):\n    return session.get('/v1/images/detail')\n\n\n" for n in range(50))
    calls = []
    real = engine._parse_unvalidated

    def counting(source):
        calls.append(len(source))
        return real(source)

    monkeypatch.setattr(pieces, "PIECES_FROM", 100)
    monkeypatch.setattr(pieces, "PIECE_CHARS", 500)
    monkeypatch.setattr(engine, "_parse_unvalidated", counting)
    module = engine.parse(text)
    assert len(calls) > 1 and max(calls) < len(text)
    assert module.deep_equals(cst.parse_module(text))


def test_a_syntax_error_in_a_piece_is_the_whole_parse_error(monkeypatch):
    text = "".join(f"x{n} = {n}\n" for n in range(40)) + "y = (\n" + "".join(f"z{n} = {n}\n" for n in range(40))
    with pytest.raises(engine.ParseFailure) as whole:
        engine.parse(text)
    monkeypatch.setattr(pieces, "PIECES_FROM", 10)
    monkeypatch.setattr(pieces, "PIECE_CHARS", 20)
    with pytest.raises(engine.ParseFailure) as cut:
        engine.parse(text)
    assert (str(cut.value), cut.value.line, cut.value.column) == (str(whole.value), whole.value.line, whole.value.column)


_STATEMENT = st.sampled_from([
    "x = 1\n", "# c\n", "\n", "    # indented comment\n", "@d\n", "def f():\n    pass\n",
    "class C:\n    x = 1\n\n    def m(self):\n        return 2\n", "if a:\n    pass\n", "else:\n    pass\n",
    "try:\n    pass\n", "except E:\n    pass\n", "finally:\n    pass\n", "s = '''\ny = 2\n'''\n",
    "t = (\n1,\n)\n", "u = 1; v = 2\n", "w = 1 + \\\n  2\n", "async def g():\n    await h()\n",
])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_STATEMENT, min_size=1, max_size=12))
def test_pieces_are_the_whole_module_or_refused(parts):
    text = "".join(parts)
    try:
        whole = cst.parse_module(text)
    except Exception:
        whole = None
    module = in_pieces(text)
    if module is None:
        return
    assert whole is not None, "pieces parsed a text the whole parse rejects"
    # the whole parse's text, not ``text``: libcst itself drops a blank line before an indented
    # comment at the end of a module ("x = 1\n\n    # c\n")
    assert module.code == whole.code
    assert module.deep_equals(whole)
