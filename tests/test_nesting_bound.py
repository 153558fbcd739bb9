"""The ``ast`` bound of the nesting estimate (``linter.nesting_bound``) is never below the token
pass's estimate (``engine.nesting``), so ``engine.parse`` refuses exactly the texts it refused."""
from __future__ import annotations

import ast
import sys

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from linter import engine
from linter.nesting_bound import clusters, depth_bound

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith writes odd programs

NEEDS_311 = pytest.mark.skipif(sys.version_info < (3, 11), reason="the ast path is taken from 3.11 on")

SHAPES = {
    "simple": "x = 1\ny = f(a, b)(c)[d] + e * -g\n",
    "clauses": "if a:\n    x = 1\nelif b and (c or\n      d):\n    x = 2\nelse:\n    x = 3\n",
    "try": "try:\n    pass\n# between\nexcept (A,\n        B) as e:\n    raise\nelse:\n    pass\nfinally:\n    done()\n",
    "inline bodies": "if a: b = 1; c = 2\nelse: d = [1,\n  2]\nclass C: x = 1\nwhile (a and\n  b): pass\n",
    "inline after a long header": "if (a and\n    b and c): f(1,\n  2); g(3 +\n4)\n",
    "decorators": "@d(1,\n   2)\n@e\ndef f(x=(1 +\n2)):\n    return x\n",
    "a string before a semicolon": 'x = """a\nb + c"""; y = 1 + 2 + 3\nz = 4\n',
    "continuations": "x = 1 + \\\n    2 + \\\n    3\nif a \\\n   and b:\n    pass\n",
    "nested blocks": "def f():\n    for i in x:\n        with a as b, c:\n            if i:\n                while j:\n                    k = [[[1]]]\n",
    "match": "match (x,\n       y):\n    case [1, 2] if z > (3 +\n 4):\n        pass\n    case {'a': b}:\n        c = d\n    case _:\n        pass\n",
    "async": "async def f():\n    async with a:\n        async for b in c:\n            await d(e)\n",
    "comments and blanks": "# top\n\nx = 1  # (\n\n\n# [\ny = 2\n",
    "windows newlines": "if a:\r\n    b = (1 +\r\n 2)\r\nelse:\r\n    c = 3\r\n",
    "lambdas and comprehensions": "f = lambda a: lambda b: [c for c in (d if e else g) if c]\n",
    "long table": "TABLE = {\n" + "".join(f"    'key{i}': ({i} + {i}) * [{i}, {i}],\n" for i in range(300)) + "}\n",
    "deep but valid": "x = " + "[" * 150 + "]" * 150 + "\n",
    "operators": "x = " + " + ".join(["a"] * 900) + "\n",
    "dedent to column 0 inside a class": "class A:\n    def f(self):\n        pass\n\n    x = 1\nclass B:\n    pass\n",
}


def bounds(text: str):
    tree = ast.parse(text)
    return [depth_bound(text, tree, limit, engine._fragment_depth) for limit in (3, 20, 200, engine.MAX_NESTING, 10**9)]


def assert_never_below(text: str) -> None:
    estimate = engine.nesting(text)[1]
    for bound in bounds(text):
        assert bound is None or bound >= estimate, (bound, estimate, text)


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_the_bound_is_never_below_the_estimate(text):
    assert_never_below(text)


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_a_big_enough_limit_always_gives_a_bound(text):
    assert bounds(text)[-1] is not None


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_the_bound_is_never_below_the_estimate_on_generated_programs(text):
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    assert_never_below(text)


def test_a_logical_line_over_several_statements_is_one_cluster():
    text = 'x = """a\nb"""; y = 1\nz = 2\n'
    spans = [(1, 2, 0), (2, 2, 0), (3, 3, 0)]
    assert clusters(spans) == [(1, 2, 0), (3, 3, 0)]
    assert depth_bound(text, ast.parse(text), 10**9, engine._fragment_depth) >= engine.nesting(text)[1]


def test_a_lone_carriage_return_gives_no_bound():
    text = "x = 1\ry = 2\n"
    assert depth_bound(text, ast.parse(text), 10**9, engine._fragment_depth) is None


def test_too_deep_for_the_limit_gives_no_bound():
    text = "x = " + " + ".join(["a"] * 1200) + "\n"  # ast parses it; the estimate is 1,199
    assert engine.nesting(text)[1] > engine.MAX_NESTING
    assert depth_bound(text, ast.parse(text), engine.MAX_NESTING, engine._fragment_depth) is None


@NEEDS_311
def test_parse_takes_the_ast_path_for_ordinary_text(monkeypatch):
    tokenized = []
    token_pass = engine.nesting

    def recorded(text, *args, **kwargs):
        tokenized.append(text)
        return token_pass(text, *args, **kwargs)

    monkeypatch.setattr(engine, "nesting", recorded)
    text = SHAPES["clauses"] + SHAPES["long table"]
    assert engine.parse(text).code == text
    assert tokenized == [SHAPES["long table"]]  # only the one logical line longer than the limit


@pytest.mark.parametrize("text", [
    "x = " + " + ".join(["a"] * 1200) + "\n",  # ast parses it, too deep for libcst's guard
    "x = " + "(" * 300 + "1" + ")" * 300 + "\n",  # ast refuses it (over 200 brackets)
    "x = 1\ry = (\n",  # a lone CR
], ids=["operators-1200", "brackets-300", "lone-cr"])
def test_parse_refuses_as_the_token_pass_does(text):
    expected = None
    brackets, depth, line = engine.nesting(text)
    if brackets > engine.MAX_BRACKETS or depth > engine.MAX_NESTING:
        expected = "too deeply nested"
    try:
        engine.parse(text)
        refused = None
    except engine.ParseFailure as failure:
        refused = str(failure)
    if expected is None:
        assert refused is None or not refused.startswith("too deeply nested")
    else:
        assert refused is not None and refused.startswith(expected)
    if depth > engine.MAX_NESTING and brackets <= engine.MAX_BRACKETS:
        with pytest.raises(engine.ParseFailure) as caught:
            engine.parse(text)
        assert caught.value.line == line  # the token pass's line, as before


def test_an_offered_tree_is_used_once_and_only_for_its_own_text():
    from linter.nesting_bound import offer, offered

    source = b"x = 1\n"
    tree = ast.parse(source)
    offer(source, tree)
    assert offered("x = 2\n") is None  # another text: not this tree (and it is gone)
    assert offered("x = 1\n") is None
    offer(source, tree)
    assert offered("x = 1\n") is tree
    assert offered("x = 1\n") is None  # given out once
    latin = "# -*- coding: latin-1 -*-\ns = 'é'\n"
    offer(latin.encode("utf-8"), ast.parse(latin.encode("utf-8")))
    assert offered(latin) is None  # ast read those bytes as Latin-1: another text


@NEEDS_311
def test_the_screen_tree_spares_the_guard_its_own_parse(monkeypatch):
    from linter import project

    text = SHAPES["clauses"]
    assert project.screen(text.encode("utf-8")) is False  # no image literal; the tree is offered
    parses = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda *args, **kwargs: parses.append(args) or real_parse(*args, **kwargs))
    assert engine.parse(text).code == text
    assert parses == []
