"""``engine.parse``: libcst's tree, built without re-validating what libcst's parser built."""
import threading
from pathlib import Path

import libcst as cst
import pytest

from linter import engine

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "fixtures").rglob("*.py")) + sorted((ROOT / "linter").glob("*.py"))


@pytest.mark.parametrize("path", SOURCES[::7], ids=lambda path: str(path.relative_to(ROOT)))
def test_the_tree_is_libcsts_own(path):
    text = path.read_text(encoding="utf-8")
    try:
        validated = cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("not Python (a fixture of bad input)")
    parsed = engine.parse(text)
    assert parsed.code == text
    assert parsed.deep_equals(validated)


# Code libcst's parser accepts and only its node validation rejects (Python rejects it too).
REJECTED_BY_VALIDATION = [
    "x = b'a' 'b'\n",
    "x = u'a' rb'b'\n",
    "try:\n    pass\nexcept:\n    pass\nexcept E:\n    pass\n",
]


@pytest.mark.parametrize("text", REJECTED_BY_VALIDATION)
def test_what_validation_rejects_does_not_parse(text):
    with pytest.raises(cst.CSTValidationError):
        cst.parse_module(text)
    with pytest.raises(SyntaxError):
        compile(text, "<text>", "exec")
    with pytest.raises(engine.ParseFailure, match="cannot be parsed"):
        engine.parse(text)


def test_a_file_validation_rejects_is_ims000_with_its_literals_scanned():
    text = 'PREFIX = b"/api" "/x"\nURL = "https://ims.example.com/v1.1/images/detail"\n'
    findings = engine.lint_source(text, "app.py")
    assert [f.code for f in findings] == ["IMS000", "IMS001"]
    assert findings[1].fix is None


def test_nodes_built_after_a_parse_are_validated():
    engine.parse("x = 'images'\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
    with pytest.raises(cst.CSTValidationError):
        name = engine.parse("y = 1\n").body[0].body[0].targets[0].target
        name.with_changes(lpar=[cst.LeftParen()])  # a parenthesis never closed


def test_nodes_built_after_a_failed_parse_are_validated():
    with pytest.raises(engine.ParseFailure):
        engine.parse("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


def test_nodes_built_in_another_thread_while_parsing_are_validated():
    raised = []

    def build():
        try:
            cst.Name("")
        except cst.CSTValidationError:
            raised.append(True)

    engine.parse("z = 2\n")  # the replacement of libcst's check is in place
    engine._PARSING.active = True  # this thread is inside a parse
    try:
        other = threading.Thread(target=build)
        other.start()
        other.join()
    finally:
        engine._PARSING.active = False
    assert raised == [True]


def test_nodes_hash_by_identity_in_c():
    import linter.tree  # noqa: F401  (replaces libcst's Python-level identity hash)

    module = engine.parse("a = b + 'images'\n")
    nodes = [module, module.body[0], module.body[0].body[0].value, module.body[0].body[0].value.right]
    twin = engine.parse("a = b + 'images'\n")
    for node in nodes:
        assert type(node).__hash__ is object.__hash__
        assert hash(node) == object.__hash__(node)
    table = {node: number for number, node in enumerate(nodes)}
    assert [table[node] for node in nodes] == list(range(len(nodes)))
    assert twin not in table and twin.deep_equals(module)  # equal trees, different nodes


ROUND_TRIP_LOST = (
    "import requests\n\ntry:\n    pass\nexcept (ValueError) :\n    pass\n\n\n"
    "def f(base):\n    return requests.get(base + \"/v1.1/images/detail\", params={\"name\": \"n\"}).json()\n"
)


def test_a_tree_that_does_not_print_the_text_is_not_analysed():
    # libcst prints ``except (ValueError):``: every offset after it was one off, and the unsafe
    # fix wrote ``"v21/imagel"`` into the call
    from linter import engine

    findings = engine.lint_source(ROUND_TRIP_LOST, "calls.py")
    assert [(f.code, f.line, f.column) for f in findings] == [("IMS000", 1, 1), ("IMS001", 10, 32)]
    assert "cannot reproduce this file's text" in findings[0].message
    assert all(f.fix is None for f in findings)


def test_text_lost_after_the_last_statement_moves_no_offset():
    from linter import engine

    engine.check_reprinted("x = 1\ry = 2", "x = 1\ry = 2\r", 11)  # only a last lone CR left out... but
    with pytest.raises(engine.ParseFailure):
        engine.check_reprinted("x = 1\ny = 2\n", "x = 1\r\ny = 2\n", 12)  # ...a CRLF printed as LF moves all after it
    engine.check_reprinted("x = 1\n    # c\n", "x = 1\n\n    # c\n", 6)  # libcst drops that blank line
    with pytest.raises(engine.ParseFailure):
        engine.check_reprinted("x = 1\n", "x = 1\ny = 2\n", 6)  # code after it is no footer


def test_a_file_ending_in_a_blank_line_and_an_indented_comment_keeps_its_fix():
    # libcst prints it without that blank line (after every statement: no offset moves)
    from linter import engine

    text = 'import requests\nrequests.get("https://ims.example.com/v1.1/images/detail")\n\n    # requests.get("/v1/x")\n'
    findings = engine.lint_source(text, "calls.py")
    assert [f.code for f in findings] == ["IMS001"] and findings[0].fix is not None


def test_a_deep_expression_in_a_file_is_reported_not_a_crash():
    from linter import engine

    findings = engine.lint_source("import requests\nx = " + "-" * 900 + "1\nrequests.get('/v1.1/images/detail')\n", "deep.py")
    assert findings and findings[0].code == "IMS000"


def test_no_fix_on_a_file_libcst_cannot_reprint(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "calls.py"
    path.write_text(ROUND_TRIP_LOST)
    result = subprocess.run([sys.executable, "-m", "linter", "fix", "--unsafe-fixes", "--no-cache", "-q", str(path)],
                            capture_output=True, text=True)
    assert path.read_text() == ROUND_TRIP_LOST
    assert "IMS000" in result.stdout and "10:32: IMS001" in result.stdout
