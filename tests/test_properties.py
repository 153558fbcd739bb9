"""Property-based and fuzz tests of the library API and of fixing files on disk.

Properties, over valid programs (``hypothesmith``), abandoned calls of our own strategies spliced
into them, and arbitrary bytes:

* ``check`` never raises, and its findings point inside the file;
* ``fix`` output always parses (and compiles when the input did);
* ``fix`` is idempotent;
* a file without findings is byte-identical after ``fix`` (also on disk: BOM, CRLF, encodings);
* every round of fixes changes the CST only inside the expressions its edits lie in, and no
  comment is lost.

A whole-tree round trip runs ``imslint fix`` over a copy of the running Python's standard library:
no file changes, nothing raises. By default it takes a sample of ~200 files; ``IMSLINT_SLOW=1``
copies the whole stdlib.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default: derandomized, small) and ``long``
(10,000 examples a test)::

    HYPOTHESIS_PROFILE=long IMSLINT_FUZZ_STATS=stats.json \\
        pytest tests/test_properties.py --hypothesis-show-statistics
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import json
import os
import re
import shutil
import sysconfig
import tempfile
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

from linter.engine import MAX_FIX_ROUNDS, fix_source, lint_source
from linter.fixes import apply_fixes
from linter.options import EngineOptions
from linter.project import ImportResolver
from linter.registry import all_rules, known_codes
from linter.runner import FIX, FileJob, process_file

# -- profiles ------------------------------------------------------------------------------------

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=_QUIET
)
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=_QUIET)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


def fuzz(scale: float = 1.0):
    """The profile's settings; in ``ci`` the example count is scaled to the test's cost."""
    profile = settings.get_profile(PROFILE)
    if PROFILE != "ci":
        return settings(profile)
    return settings(profile, max_examples=max(5, int(profile.max_examples * scale)))


class _Stats(Counter):
    """Counts for the closing note of a long run, written to the file IMSLINT_FUZZ_STATS names
    at the end and every 100 updates on the way (a run stopped early still leaves its counts)."""

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.updates = getattr(self, "updates", 0) + 1
        if self.updates % 100 == 0:
            self.write()

    def write(self) -> None:
        target = os.environ.get("IMSLINT_FUZZ_STATS")
        if target:
            with open(target, "w", encoding="utf-8") as stream:
                json.dump({"profile": PROFILE, **self}, stream, indent=2)


STATS = _Stats()


@pytest.fixture(scope="module", autouse=True)
def _write_stats():
    yield
    STATS.write()


pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles odd programs
CODES = set(known_codes())
# With a resolver the engine parses every file (as ``imslint check`` does for candidates);
# without one, text without "images" is skipped unparsed.
PARSE_ALWAYS = EngineOptions(resolve_import=ImportResolver(os.path.join(tempfile.gettempdir(), "absent", "x.py"), ()))


# -- strategies: abandoned calls of every shape -----------------------------------------------------

BASES = ["ep", "endpoint", "self.endpoint", "IMS_ENDPOINT", "cfg['ims']", "base_url.rstrip('/')"]
VERSIONS = ["v1.1", "v1", "v2", "v2.1", "v1.1/{project_id}", "v2/{project_id}", "v2.1/{tenant_id}", "V1.1"]
RESOURCES = [
    "images/detail", "images", "images/{image_id}", "images/detail/", "images/details", "images/detailed",
    "snapshots/detail", "images/{image_id}/members", "cloudimages", "images/detail#top", "images/{image_id}/tags",
]
QUERIES = [
    "", "?limit=10", "?changes-since=2024-01-01T00:00:00", "?size_min=1&name=web", "?property-__os_type=Linux",
    "?is_public=true&status=active", "?disk_format=qcow2&protected=True", "?marker={marker}", "?sort_key=name&",
]
FILTER_KEYS = [
    "name", "container_format", "disk_format", "status", "min_ram", "min_disk", "sort_key", "sort_dir", "limit",
    "marker", "protected", "size_min", "size_max", "changes-since", "is_public", "property-__os_type",
    "property-owner", "__imagetype", "visibility", "owner", "minRam", "bogus key",
]
FILTER_VALUES = ['"web"', "10", "True", "False", "since", '"2024-05-01T10:00:00.123456"', 'f"gt:{x}"', "None", "'é😀'"]
RECEIVERS = ["requests", "session", "self.session", "sess", "client", "httpx", "api", "image_client", "compute", "conn"]
METHODS = ["get", "get", "get", "delete", "head", "post", "put"]
NOISE = ["", "# é 😀 ünïcödé\n", "π = 'αβγ'  # 中文\n", "x = '\\u00e9'\n", "\f\n", "# -*- noise -*-\n"]
NEWLINES = ["\n", "\r\n", "\r"]

filter_items = st.lists(st.tuples(st.sampled_from(FILTER_KEYS), st.sampled_from(FILTER_VALUES)), max_size=4)


@st.composite
def literal(draw, text: str, *, fstring: bool = False) -> str:
    """``text`` (no quotes or backslashes in it) as a string literal of a random quoting style."""
    quote = draw(st.sampled_from(['"', "'", '"""', "'''"]))
    prefixes = ["f", "F", "rf", "fR"] if fstring else ["", "", "r", "u", "R"]
    return f"{draw(st.sampled_from(prefixes))}{quote}{text}{quote}"


@st.composite
def url_expression(draw) -> Tuple[List[str], str]:
    """(statements to put before the call, the URL expression) for one way of building a URL."""
    base = draw(st.sampled_from(BASES))
    version = draw(st.sampled_from(VERSIONS))
    resource = draw(st.sampled_from(RESOURCES))
    query = draw(st.sampled_from(QUERIES))
    path = f"/{version}/{resource}{query}"
    plain = path.replace("{", "").replace("}", "")  # for forms where braces would be fields
    form = draw(st.sampled_from(
        ["fstring", "concat", "implicit", "percent", "format", "urljoin", "posixpath", "slashjoin",
         "constant", "version_constant", "local", "augmented", "literal_host"]
    ))
    if form == "fstring":
        return [], draw(literal("{" + base + "}" + path, fstring=True))
    if form == "concat":
        return [], f"{base} + {draw(literal(plain))}"
    if form == "implicit":
        cut = draw(st.integers(1, len(plain) - 1))
        joiner = draw(st.sampled_from([" ", "\n    ", "  # split\n    "]))
        return [], f"({base} + {draw(literal(plain[:cut]))}{joiner}{draw(literal(plain[cut:]))})"
    if form == "percent":
        return [], f"{draw(literal('%s' + plain))} % {base}"
    if form == "format":
        return [], f"{draw(literal('{}' + plain))}.format({base})"
    if form == "urljoin":
        return ["from urllib.parse import urljoin"], f"urljoin({base}, {draw(literal(plain))})"
    if form == "posixpath":
        parts = [draw(literal(part)) for part in plain.strip("/").split("/")]
        return ["import posixpath"], f"posixpath.join({base}, {', '.join(parts)})"
    if form == "slashjoin":
        parts = [draw(literal(part)) for part in plain.strip("/").split("/")]
        return [], f"'/'.join([{base}, {', '.join(parts)}])"
    if form == "constant":
        return [f"LIST_PATH = {draw(literal(plain))}"], f"{base} + LIST_PATH"
    if form == "version_constant":
        rest = plain.split("/", 2)[2]
        return [f"API = {draw(literal(version))}"], draw(literal("{" + base + "}/{API}/" + rest, fstring=True))
    if form == "local":
        return [f"url = {base} + {draw(literal(plain))}"], "url"
    if form == "augmented":
        cut = plain.index("/", 1)
        return [f"url = {base}", f"url += {draw(literal(plain[:cut]))}", f"url += {draw(literal(plain[cut:]))}"], "url"
    return [], draw(literal("https://ims.eu-de.otc.t-systems.com" + plain))


@st.composite
def call_snippet(draw) -> str:
    """Module-level code making one request to an abandoned (or look-alike) endpoint."""
    before, url = draw(url_expression())
    receiver = draw(st.sampled_from(RECEIVERS))
    method = draw(st.sampled_from(METHODS))
    arguments = [url]
    if draw(st.booleans()):
        arguments = [f'"{method.upper()}"', url]
        method = "request"
    items = draw(filter_items)
    style = draw(st.sampled_from(["params", "params_name", "kwargs", "urlencode", "none"]))
    if style == "params" and items:
        arguments.append("params={" + ", ".join(f'"{k}": {v}' for k, v in items) + "}")
    elif style == "params_name" and items:
        (first_key, first_value), rest = items[0], items[1:]
        before.append(f'params = {{"{first_key}": {first_value}}}')
        before.extend(f'params["{key}"] = {value}' for key, value in rest)
        arguments.append("params=params")
    elif style == "kwargs":
        arguments.extend(f"{key}={value}" for key, value in items if key.isidentifier())
    elif style == "urlencode" and items:
        before.append("from urllib.parse import urlencode")
        arguments[-1] = f'{arguments[-1]} + "?" + urlencode({{' + ", ".join(f'"{k}": {v}' for k, v in items) + "})"
    arguments.extend(draw(st.lists(st.sampled_from(
        ["headers=headers", "timeout=10", 'endpoint_filter={"service_type": "compute"}',
         'endpoint_filter={"service_type": "image"}', "verify=False"]), max_size=2, unique=True)))
    layout = draw(st.sampled_from(["flat", "lines", "comments", "trailing"]))
    if layout == "flat":
        call_args = ", ".join(arguments)
    elif layout == "lines":
        call_args = "\n    " + ",\n    ".join(arguments) + ",\n"
    elif layout == "comments":
        call_args = "\n    " + ",  # note\n    ".join(arguments) + "  # last\n"
    else:
        call_args = ", ".join(arguments) + ","
    call = f"{receiver}.{method}({call_args})"
    use = draw(st.sampled_from(["resp = {}", "{}", "images = {}.json()['images']", "for image in {}.json()['images']:\n    print(image['is_public'], image['properties'])"]))
    suppression = draw(st.sampled_from(["", "", "  # noqa", "  # noqa: IMS001", "  # imslint: ignore[IMS005]"]))
    lines = use.format(call).split("\n")
    lines[0] += suppression if "\n" not in call else ""
    return "\n".join([*before, *lines]) + "\n"


def _examples() -> List[str]:
    """Every rule example and every single-file fixture case: real shapes the engine knows."""
    codes = [example.code for rule in all_rules() for example in [*rule.VALID, *rule.INVALID]]
    cases = Path(__file__).resolve().parent.parent / "fixtures" / "cases"
    codes += [path.read_text(encoding="utf-8") for path in sorted(cases.glob("*/before.py"))]
    return codes


EXAMPLES = _examples()
snippets = st.one_of(call_snippet(), st.sampled_from(EXAMPLES))


@st.composite
def wrapped(draw, snippet: str) -> str:
    """The snippet at module level, in a function, a method, or under if/try/with."""
    how = draw(st.sampled_from(["module", "def", "method", "if", "try", "with", "async"]))
    if how == "module":
        return snippet

    def indent(text: str, by: str = "    ") -> str:
        return "".join(by + line if line.strip() else line for line in text.splitlines(True))

    if how == "def":
        return "def images(ep, endpoint, image_id, since):\n" + indent(snippet)
    if how == "method":
        return 'class Client:\n    LIST_PATH = "/v1.1/images/detail"\n\n    def list(self, since):\n' + indent(snippet, "        ")
    if how == "async":
        return "async def fetch(ep):\n" + indent(snippet)
    header = {"if": "if ep:\n", "try": "try:\n", "with": "with session:\n"}[how]
    footer = "except Exception:\n    pass\n" if how == "try" else ""
    return header + indent(snippet, draw(st.sampled_from(["    ", "\t", "  "]))) + footer


@st.composite
def dressed(draw, code: str) -> str:
    """``code`` with noise before it (non-ASCII, form feeds) and a random newline convention."""
    code = draw(st.sampled_from(NOISE)) + code
    newline = draw(st.sampled_from(NEWLINES + ["mixed"]))
    if newline == "mixed":
        lines = code.split("\n")
        ends = draw(st.lists(st.sampled_from(NEWLINES), min_size=len(lines), max_size=len(lines)))
        return "".join(line + end for line, end in zip(lines[:-1], ends)) + lines[-1]
    return code.replace("\n", newline)


@st.composite
def spliced(draw, programs=hypothesmith.from_grammar()) -> str:
    """An abandoned call inserted into a generated program: between its statements or in a block."""
    program = draw(programs)
    snippet = draw(snippets)
    try:
        module = cst.parse_module(program)
        inserted = cst.parse_module(snippet).body
    except cst.ParserSyntaxError:  # pragma: no cover - hypothesmith and our snippets are valid
        return program + "\n" + snippet
    blocks = [module] + [node for node in _nodes(module) if isinstance(node, cst.IndentedBlock)]
    target = draw(st.sampled_from(blocks))
    index = draw(st.integers(0, len(target.body)))
    body = (*target.body[:index], *inserted, *target.body[index:])
    if target is module:
        return module.with_changes(body=body).code
    return module.deep_replace(target, target.with_changes(body=body)).code


abandoned_code = snippets.flatmap(wrapped).flatmap(dressed)


# -- helpers -----------------------------------------------------------------------------------------


def _nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except Exception:
        return False
    return True


def compiles(text) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_starts(text: str) -> List[int]:
    return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]


def _spans(module: cst.Module, text: str) -> Dict[cst.CSTNode, Tuple[int, int]]:
    """Character offsets ``[start, end)`` of every node of ``module`` (parsed from ``text``)."""
    starts = _line_starts(text) + [len(text)]  # libcst ends a file without a final newline on the next line
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {
        node: (starts[r.start.line - 1] + r.start.column, starts[r.end.line - 1] + r.end.column)
        for node, r in positions.items()
    }


def _scalars(node: cst.CSTNode) -> list:
    values = []
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, cst.CSTNode) or (
            isinstance(value, (list, tuple)) and all(isinstance(item, cst.CSTNode) for item in value)
        ):
            continue  # compared as children
        values.append(value)
    return values


SIMILAR = 0.5  # difflib ratio above which two nodes of one type count as old and new versions


def _kind(node: cst.CSTNode):
    """What stays of a node when a fix rewrites it: a function's or class's name; the kinds of
    the statements on a line (a ``return`` stays a ``return`` when its value is rewritten)."""
    name = getattr(node, "name", None)
    if isinstance(name, cst.Name):
        return "named", name.value
    if isinstance(node, cst.SimpleStatementLine):
        return "line", tuple(type(statement).__name__ for statement in node.body)
    return None


def _similar(a, b, codes_a, codes_b, i1, i2, j1, j2) -> List[Tuple[int, int]]:
    """Pairs of ``a[i1:i2]`` and ``b[j1:j2]`` that are versions of each other, in order: the most
    alike pair first, then the same on each side of it (as ``difflib.Differ`` pairs lines).
    Nodes of one name are versions of each other; lines of the same statement kinds, and the only
    node of its type on each side, may be."""
    scored = []
    types_a, types_b = Counter(type(n) for n in a[i1:i2]), Counter(type(n) for n in b[j1:j2])
    for i in range(i1, i2):
        for j in range(j1, j2):
            if type(a[i]) is not type(b[j]):
                continue
            kind = _kind(a[i])
            if kind is not None and kind[0] == "named" and kind == _kind(b[j]):
                score = 1.0
            else:
                score = difflib.SequenceMatcher(None, codes_a[i], codes_b[j], autojunk=False).ratio()
                only_ones = types_a[type(a[i])] == types_b[type(a[i])] == 1  # the one ``for`` on each side
                if only_ones or (kind is not None and kind == _kind(b[j])):
                    score = max(score, SIMILAR)
            scored.append((score, i, j))
    best = max(scored, default=(0.0, 0, 0))
    if best[0] < SIMILAR:
        return []
    _, i, j = best
    return [*_similar(a, b, codes_a, codes_b, i1, i, j1, j), (i, j),
            *_similar(a, b, codes_a, codes_b, i + 1, i2, j + 1, j2)]


def _pairs(a, b, old_root: cst.Module, new_root: cst.Module) -> List[Tuple[int, int]]:
    """Which children of an old node correspond to which of the new one."""
    codes_a = [old_root.code_for_node(node) for node in a]
    codes_b = [new_root.code_for_node(node) for node in b]
    pairs: List[Tuple[int, int]] = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(None, codes_a, codes_b, autojunk=False).get_opcodes():
        same_shape = i2 - i1 == j2 - j1 and all(type(x) is type(y) for x, y in zip(a[i1:i2], b[j1:j2]))
        if operation == "equal" or (operation == "replace" and same_shape):
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
        elif operation == "replace":
            pairs.extend(_similar(a, b, codes_a, codes_b, i1, i2, j1, j2))
    return pairs


def differences(old_root: cst.Module, new_root: cst.Module, spans) -> List[Tuple[int, int, bool]]:
    """Where the two trees differ, as ``(start, end, is_insertion)`` offsets of ``old_root``'s text.

    Walks both trees together; children are paired by ``_pairs``. A pair of nodes of different
    types or values differs as a whole; old children without a partner were replaced or removed;
    new children without one were inserted at a point (a gap between old children). Outside the
    returned ranges the trees are identical.
    """
    found, stack = [], [(old_root, new_root)]
    while stack:
        old, new = stack.pop()
        if type(old) is not type(new) or _scalars(old) != _scalars(new):
            found.append((*spans[old], False))
            continue
        a, b = old.children, new.children
        previous_i = previous_j = -1
        for i, j in [*_pairs(a, b, old_root, new_root), (len(a), len(b))]:
            if i > previous_i + 1:
                found.append((spans[a[previous_i + 1]][0], spans[a[i - 1]][1], False))
            elif j > previous_j + 1:
                before = spans[a[previous_i]][1] if previous_i >= 0 else spans[old][0]
                after = spans[a[i]][0] if i < len(a) else spans[old][1]
                found.append((before, after, True))
            if i < len(a) and not a[i].deep_equals(b[j]):
                stack.append((a[i], b[j]))
            previous_i, previous_j = i, j
    return found


def comments(module: cst.Module) -> List[str]:
    return sorted(node.value for node in _nodes(module) if isinstance(node, cst.Comment))


def assert_changes_inside(before: str, after: str, edits: Sequence) -> None:
    """The CSTs differ only inside the smallest expressions holding the edits (or, for an edit
    no expression holds, such as an inserted statement, inside the edit's own range)."""
    old, new = cst.parse_module(before), cst.parse_module(after)
    spans = _spans(old, before)
    regions = []
    for edit in edits:
        holders = [
            (end - start, start, end) for node, (start, end) in spans.items()
            if isinstance(node, cst.BaseExpression) and start <= edit.start and edit.end <= end
        ]
        regions.append(min(holders)[1:] if holders else (edit.start, edit.end))
    for start, end, insertion in differences(old, new, spans):
        touches = any(low <= end and start <= high for low, high in regions)
        if insertion:
            ok = touches
        else:
            # Blank lines next to inserted statements change owner in the CST (the leading lines
            # of the statement after them, then of the inserted one), not in the text.
            inside = any(low <= start and end <= high for low, high in regions)
            ok = inside or (touches and not before[start:end].strip())
        assert ok, (
            f"fix changed {before[start:end][:200]!r} (offsets {start}-{end}), outside the edited expressions "
            f"{[before[low:high][:80] for low, high in regions]}"
        )
    assert comments(old) == comments(new), "a fix lost or changed a comment"


def applicable(findings, unsafe: bool):
    return [f.fix for f in findings if f.fix is not None and f.fix.edits and (f.fix.is_safe or unsafe)]


def check_finding_positions(findings, text: str) -> None:
    lines = len(_line_starts(text))
    for finding in findings:
        assert finding.code in CODES
        assert 1 <= finding.line <= finding.end_line <= max(lines, 1), finding
        assert finding.column >= 1 and finding.end_column >= 1, finding
        assert 0 <= finding.start <= finding.end <= len(text), finding


# Known engine bugs, each pinned by a strict xfail test: inputs that show them are set aside
# (``assume``) so the properties keep testing everything else. Delete an entry with its fix.
# (None now: the last, IMS004's rewrite in mixed-indent files, is fixed; its test stays below.)
KNOWN_ENGINE_BUGS: Dict[str, Callable[[str, bool], bool]] = {}


def check_properties(text: str, *, unsafe: bool, options: Optional[EngineOptions] = None) -> None:
    """All the properties of ``check`` and ``fix`` over one program (given as text)."""
    options = options or EngineOptions()
    for bug, shows in KNOWN_ENGINE_BUGS.items():
        assume(not shows(text, unsafe))
    STATS["files checked"] += 1
    findings = lint_source(text, "fuzz.py", options=options)
    check_finding_positions(findings, text)
    outcome = fix_source(text, "fuzz.py", unsafe=unsafe, options=options)
    note(f"findings: {[(f.code, f.line, f.message) for f in findings]}")
    note(f"fixed: {outcome.text!r}")
    if any(f.code == "IMS000" for f in findings) or not applicable(findings, unsafe):
        assert outcome.text == text, "fix changed a file it had nothing to fix"
        return
    STATS["files fixed"] += outcome.text != text
    assert not outcome.errors, outcome.errors
    assert parses(outcome.text), "fix output does not parse"
    if compiles(text):
        assert compiles(outcome.text), "fix output no longer compiles"
    again = fix_source(outcome.text, "fuzz.py", unsafe=unsafe, options=options)
    assert again.text == outcome.text, "fix is not idempotent"
    check_rounds(text, unsafe, options)


def check_rounds(text: str, unsafe: bool, options: EngineOptions) -> None:
    """Each round of fixing (as ``fix_source`` runs them) edits only inside expressions."""
    for _ in range(MAX_FIX_ROUNDS):
        fixes = applicable(lint_source(text, "fuzz.py", options=options), unsafe)
        new_text, applied = apply_fixes(text, fixes)
        if not applied or new_text == text:
            return
        assert_changes_inside(text, new_text, [edit for fix in applied for edit in fix.edits])
        text = new_text


# -- the properties ------------------------------------------------------------------------------------


@fuzz(scale=3)
@given(code=abandoned_code, unsafe=st.booleans())
def test_abandoned_calls(code, unsafe):
    check_properties(code, unsafe=unsafe)


@fuzz(scale=1.5)
@given(code=spliced(), unsafe=st.booleans())
def test_abandoned_calls_spliced_into_generated_programs(code, unsafe):
    check_properties(code, unsafe=unsafe, options=PARSE_ALWAYS)


@fuzz(scale=2)
@given(code=hypothesmith.from_grammar(), unsafe=st.booleans())
def test_generated_programs(code, unsafe):
    check_properties(code, unsafe=unsafe, options=PARSE_ALWAYS)


@fuzz(scale=0.5)
@given(code=hypothesmith.from_node(), unsafe=st.booleans())
def test_generated_cst_programs(code, unsafe):
    check_properties(code, unsafe=unsafe, options=PARSE_ALWAYS)


def test_a_fix_that_breaks_the_code_costs_only_itself(monkeypatch):
    """The re-parse drops the fix that breaks the code, reports it, and keeps the others."""
    import linter.engine as engine
    from linter.findings import Edit, Fix

    source = 'import requests\nr = requests.get(ep + "/v1.1/images/detail")\n'
    broken = Fix("safe", "opens a bracket it never closes", (Edit(0, 0, "(("),))
    real = engine._applicable
    monkeypatch.setattr(engine, "_applicable", lambda findings, unsafe: [broken, *real(findings, unsafe)])
    outcome = fix_source(source)
    assert outcome.text == source.replace("/v1.1/images/detail", "/v2/images")
    [error] = outcome.errors
    assert "does not parse" in error and "opens a bracket" in error


# -- regressions of engine bugs found by the properties ---------------------------------------------------

MIXED_INDENT = (
    'import requests\n\n\nif True:\n\tdef images(ep):\n\t    resp = requests.get(f"{ep}/v2/images")\n'
    '\t    return resp.json()["images"]\n'
)


def test_ims004_rewrite_mixed_indent():
    outcome = fix_source(MIXED_INDENT, unsafe=True)
    assert outcome.errors == []
    assert "while True" in outcome.text and parses(outcome.text)


@st.composite
def mutated(draw) -> bytes:
    """Bytes of an abandoned call with a few bytes flipped, dropped or inserted."""
    data = bytearray(draw(abandoned_code).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        byte = draw(st.integers(0, 255))
        operation = draw(st.sampled_from(["flip", "drop", "insert"]))
        if operation == "insert" or position == len(data):
            data.insert(position, byte)
        elif operation == "drop":
            del data[position]
        else:
            data[position] = byte
    return bytes(data)


@fuzz(scale=3)
@given(data=st.one_of(st.binary(max_size=400), mutated()), unsafe=st.booleans())
def test_arbitrary_bytes_never_raise(data, unsafe):
    STATS["files checked"] += 1
    findings = lint_source(data, "fuzz.py")
    outcome = fix_source(data, "fuzz.py", unsafe=unsafe)
    if outcome.source is None:  # undecodable: reported, never rewritten
        assert [f.code for f in findings] == ["IMS000"]
        return
    check_finding_positions(findings, outcome.source.text)
    if outcome.text == outcome.source.text:
        assert outcome.encoded() == data
    else:
        assert parses(outcome.text)
        assert fix_source(outcome.encoded(), "fuzz.py", unsafe=unsafe).text == outcome.text


ENCODINGS = [
    ("utf-8", b""),
    ("utf-8-sig", b""),
    ("latin-1", b"# -*- coding: latin-1 -*-\n"),
    ("cp1252", b"# vim: set fileencoding=cp1252 :\n"),
]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("on-disk")


@fuzz(scale=1.5)
@given(code=st.one_of(abandoned_code, hypothesmith.from_grammar().flatmap(dressed)), encoding=st.sampled_from(ENCODINGS))
def test_fix_on_disk_keeps_encoding_bom_and_newlines(scratch, code, encoding):
    name, cookie = encoding
    try:
        data = cookie + code.encode(name)
    except UnicodeEncodeError:
        assume(False)
    path = scratch / "case.py"
    path.write_bytes(data)
    STATS["files checked"] += 1
    job = FileJob("case.py", str(path), frozenset(CODES), "huawei-ims", FIX)
    report = process_file(job)
    assert not any("internal error" in f.message for f in report.findings), report.findings
    written = path.read_bytes()
    if not report.written:
        assert written == data, "a file imslint did not fix was changed"
        return
    text = written.decode(name)
    assert written.startswith(b"\xef\xbb\xbf") == (name == "utf-8-sig")
    assert written.startswith(cookie)
    assert parses(text.lstrip("\ufeff"))
    original = data.decode(name)
    assert set(_LINE_BREAK.findall(text)) <= set(_LINE_BREAK.findall(original)), "a fix brought in another newline"
    second = process_file(job)
    assert not second.written and path.read_bytes() == written, "fixing twice changed the file"


# -- the standard library round trip ----------------------------------------------------------------

SLOW = os.environ.get("IMSLINT_SLOW") == "1"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLE_SIZE = 200


def _stdlib_files() -> List[Path]:
    return sorted(
        path for path in STDLIB.rglob("*.py")
        if "site-packages" not in path.parts and "dist-packages" not in path.parts and path.is_file()
    )


def _sample(files: List[Path]) -> List[Path]:
    """Every file that mentions ``images`` (the ones the pre-filter lets through) and an even
    spread of the others, up to SAMPLE_SIZE files."""
    seeds = [path for path in files if b"images" in path.read_bytes()]
    others = [path for path in files if path not in seeds]
    step = max(1, len(others) // max(1, SAMPLE_SIZE - len(seeds)))
    return (seeds + others[::step])[:SAMPLE_SIZE]


@pytest.mark.skipif(not STDLIB.is_dir(), reason="no standard library sources")
@pytest.mark.parametrize("whole", [pytest.param(True, marks=pytest.mark.skipif(not SLOW, reason="IMSLINT_SLOW=1")), False],
                         ids=["whole-stdlib", "sample"])
def test_fix_over_stdlib_changes_nothing(tmp_path, monkeypatch, whole):
    from click.testing import CliRunner

    from linter.cli import main

    files = _stdlib_files()
    chosen = files if whole else _sample(files)
    tree = tmp_path / "stdlib"
    for path in chosen:
        target = tree / path.relative_to(STDLIB)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    before = {path: path.read_bytes() for path in tree.rglob("*.py")}
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["fix", "--output-format", "json", "--no-respect-gitignore", "stdlib"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)
    STATS["stdlib files checked"] += len(before)
    changed = [str(path) for path, data in before.items() if path.read_bytes() != data]
    assert changed == [], "fix changed standard library files"
    assert not [f for f in findings if "internal error" in f["message"]]
    assert not list(tree.rglob(".imslint-*.tmp"))
    # The pre-filter skips most files; parse every chosen one too, as a candidate would be.
    jobs = [FileJob(str(path), str(tree / path.relative_to(STDLIB)), frozenset(CODES), "huawei-ims", FIX)
            for path in chosen]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        reports = list(pool.map(process_file, jobs, chunksize=8))
    STATS["stdlib files parsed"] += len(reports)
    unreadable = {}
    for path, report in zip(chosen, reports):
        assert not report.written, path
        for finding in report.findings:
            assert "internal error" not in finding.message, (path, finding)
            assert finding.code == "IMS000", (path, finding)
            # Whatever imslint cannot read, Python cannot compile either; but for the documented
            # limit on nesting (engine.MAX_NESTING), which keeps libcst's parser from crashing.
            if not finding.message.startswith("too deeply nested") and compiles(before[tree / path.relative_to(STDLIB)]):
                unreadable[path.relative_to(STDLIB).as_posix()] = finding.message
    assert unreadable == {name: unreadable.get(name) for name in LIBCST_GAPS if (STDLIB / name) in chosen}


# Valid Python that libcst 1.x cannot parse: a parenthesized annotated target, ``(name): int``.
# Listed so the round trip fails, and the entry can go, once libcst parses them.
LIBCST_GAPS = {"test/test_grammar.py", "test/typinganndata/ann_module.py"}


# The whole catalogue for the pre-filter: relative paths that count only with evidence of the
# service (class attributes, module paths, receivers, hosts), compute-proxy paths with a project
# segment, the v2 list IMS003 and IMS004 follow, paths built from pieces, and look-alikes.
CATALOGUE_PATHS = [
    "images", "/images", "images/detail", "/images/detail", "images/{image_id}", "/images/{image_id}/members",
    "images/{image_id}/metadata", "/v1/images", "/v1.0/images/{image_id}", "/v1.1/images/detail",
    "/v2/images/detail", "/v2/images", "/v2/images?limit=5", "/v2.1/{project_id}/images/detail",
    "/v2/{tenant_id}/images", "/{tenant_id}/images/detail", "/0123456789abcdef0123/images",
    "projects/p/global/images", "/servers/images", "/v2.1/images", "/v2/images/{image_id}", "v2/images/x",
]
SERVICE_CONTEXTS = [
    ("", ""), ('    api_version = "v1"\n', ""), ('    service_type = "compute"\n', ""), ('    _endpoint_suffix = "/v1"\n', ""),
    ('    base_url = "http://nova.example.com:8774"\n', ""), ("", "ComputeClient"), ("", "ImageV1Client"),
    ('    version = "v1.1"\n', ""),
]
CATALOGUE_FILES = ["fuzz.py", "compute/fuzz.py", "image/v1/fuzz.py", "glanceclient/v1/fuzz.py", "tests/test_fuzz.py",
                   "compute/drivers/gce.py", "nova/api/fuzz.py"]


@st.composite
def catalogue_snippet(draw) -> str:
    path = draw(st.sampled_from(CATALOGUE_PATHS))
    plain = path.replace("{", "").replace("}", "")
    form = draw(st.sampled_from(["literal", "fstring", "percent", "concat", "join", "constant", "version_piece",
                                 "subscript", "docstring", "compare", "dict_key", "v2_read"]))
    receiver = draw(st.sampled_from(["self.session", "self.compute", "self.image_client", "requests", "self"]))
    method = draw(st.sampled_from(["get", "post", "delete", "head", "put", "_get", "request_json"]))
    if form == "literal":
        url = draw(literal(plain))
    elif form == "fstring":
        url = draw(literal("{ep}" + path if path.startswith("/") else path, fstring=True))
    elif form == "percent":
        url = f"{draw(literal(plain.replace('image_id', '%s').replace('project_id', '%s').replace('tenant_id', '%s')))} % self.tenant_id"
    elif form == "concat":
        url = f"self.endpoint + {draw(literal(plain))}"
    elif form == "join":
        parts = ", ".join(draw(literal(part)) for part in plain.strip("/").split("/") if part)
        url = f"'/'.join([self.endpoint, {parts}])"
    elif form == "constant":
        url = "PATH"
    elif form == "version_piece":
        url = f"VERSION + {draw(literal('/' + plain.lstrip('/')))}"
    else:
        url = draw(literal(plain))
    service, base = draw(st.sampled_from(SERVICE_CONTEXTS))
    if form == "subscript":
        body = f"        return self.answer[{url}]\n"
    elif form == "docstring":
        body = f"        {url}\n        return None\n"
    elif form == "compare":
        body = f"        return self.path == {url}\n"
    elif form == "dict_key":
        body = f"        return {{{url}: 1}}\n"
    elif form == "v2_read":
        body = (f"        image = requests.get(f\"{{self.endpoint}}{path}\").json()[\"images\"][0]\n"
                "        return image[\"is_public\"], image[\"size\"]\n")
    else:
        body = f"        return {receiver}.{method}({url})\n"
    header = 'import requests\n\nPATH = "' + plain + '"\nVERSION = "' + draw(st.sampled_from(["/v1", "/v1.1", "/v2", "v2.1"])) + '"\n\n'
    return f"{header}class Images({base or 'object'}):\n{service}\n    def call(self, image_id):\n{body}"


@fuzz(scale=1)
@given(code=st.one_of(abandoned_code, spliced(), catalogue_snippet()), where=st.sampled_from(CATALOGUE_FILES))
def test_prefilter_keeps_every_file_with_a_finding(tmp_path_factory, code, where):
    """The pre-filter's soundness (``linter.prefilter``) on generated files: a file the engine
    flags when made to analyse it is always a candidate, and passes the ``ast`` screen when it is
    marked for it (the byte test, the import graph and the screen)."""
    from linter.prefilter import alive
    from linter.runner import select_candidates

    findings = [f for f in lint_source(code, where, options=PARSE_ALWAYS) if f.code != "IMS000"]
    path = tmp_path_factory.mktemp("prefilter") / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")
    item = type("Item", (), {"display_path": where, "abs_path": str(path)})()
    selection = select_candidates([item], cache_dir=None)
    if findings and "images" not in code:
        # The documented exclusion (``prefilter``): ``images`` itself split across literals
        # (``"ima" "ges"``, the implicit form cuts anywhere) is not looked for.
        STATS["pre-filter: images split (excluded)"] += 1
        return
    if findings:
        STATS["pre-filter: flagged files kept"] += 1
        assert selection.candidates == [item], [(f.code, f.message) for f in findings]
        assert not selection.screen[0] or alive(code.encode("utf-8")), [(f.code, f.message) for f in findings]
    elif selection.candidates and (not selection.screen[0] or alive(code.encode("utf-8"))):
        STATS["pre-filter: clean files analysed"] += 1
    else:
        STATS["pre-filter: clean files skipped"] += 1
