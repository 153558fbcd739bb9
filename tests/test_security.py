"""Security: imslint never imports or executes scanned code, never reaches the network, loads no
plugins from the scanned tree, and writes nothing but the source files it fixes. Paths are escaped
in every output format. Regular expressions over untrusted text run in linear time.
"""
from __future__ import annotations

import ast
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote_to_bytes

import pytest
from click.testing import CliRunner

from linter.cli import main
from linter.report import FORMATS

try:  # Python 3.11+
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants
    import sre_parse

PROJECT = Path(__file__).resolve().parent.parent
# A request whose safe fix is the path alone: the first image's name needs no page loop.
BAD = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
GOOD = BAD.replace("/v1.1/images/detail", "/v2/images")


# -- a hostile tree ----------------------------------------------------------------------------------


def _payload(name: str, markers: Path, port: int) -> str:
    """Module code that, if it ever ran, would leave a marker, print, and phone home."""
    return (
        "import os, socket\n"
        f"open(os.path.join({str(markers)!r}, {name!r}), 'w').close()\n"
        f"print('EXECUTED {name}')\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=1).close()\n"
        "except OSError:\n"
        "    pass\n"
    )


HOSTILE = {
    # name in the scanned tree: what else it holds besides the payload
    "evil.py": BAD,
    "constants.py": 'LIST_PATH = "/v1.1/images/detail"\n',
    "uses_constants.py": "import requests\nfrom constants import LIST_PATH\nr = requests.get(EP + LIST_PATH)\n",
    "conftest.py": "import pytest\n",
    "setup.py": "from setuptools import setup\nsetup(name='evil')\n",
    "__init__.py": "",
    "sitecustomize.py": "",
    "usercustomize.py": "",
    "imslint_plugin.py": "class Rule:\n    code = 'IMS999'\n",
    "flake8_plugin.py": "",
    "rules/__init__.py": "",
    "rules/ims999_evil.py": "from linter.rule import Rule\nclass Evil(Rule):\n    code = 'IMS999'\n    name = 'evil'\n",
    "linter/__init__.py": "",  # shadows imslint's own package name
    "libcst.py": "",
    "click.py": "",
    "tokenize.py": "",
    "json.py": "",
}


@pytest.fixture
def hostile_tree(tmp_path):
    """(tree, markers directory, listening socket): every module would betray its execution."""
    markers = tmp_path / "markers"
    markers.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    tree = tmp_path / "tree"
    for name, extra in HOSTILE.items():
        path = tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_payload(name.replace("/", "_"), markers, listener.getsockname()[1]) + extra, encoding="utf-8")
    (tree / "pyproject.toml").write_text(
        '[project]\nname = "evil"\n[project.entry-points."imslint.rules"]\nevil = "imslint_plugin:Rule"\n'
        '[project.entry-points."flake8.extension"]\nEVL = "imslint_plugin:Rule"\n[tool.imslint]\nextend-exclude = []\n',
        encoding="utf-8",
    )
    (tree / "evil.pth").write_text(f"import os; open({str(markers / 'pth')!r}, 'w')\n", encoding="utf-8")
    yield tree, markers, listener
    listener.close()


def _connections(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except (BlockingIOError, OSError):
            return count
        connection.close()
        count += 1


def _console_script() -> List[str]:
    script = Path(sys.executable).with_name("imslint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "linter"]


@pytest.mark.parametrize("command", ["check", "fix"])
def test_scanned_code_never_runs(hostile_tree, command):
    """The console script, run inside the hostile tree (its modules shadow imslint's own
    dependencies, its pyproject names plugins): nothing of the tree is imported or executed."""
    tree, markers, listener = hostile_tree
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    process = subprocess.run([*_console_script(), command, "--jobs", "1", "."], cwd=tree, env=environment,
                             capture_output=True, text=True, timeout=300)
    # check: findings (the tree was linted); fix: every finding fixed (0) or some left (1)
    assert process.returncode in ((1,) if command == "check" else (0, 1)), process.stdout + process.stderr
    assert "EXECUTED" not in process.stdout + process.stderr
    assert sorted(os.listdir(markers)) == []
    assert _connections(listener) == 0
    assert "IMS999" not in process.stdout
    assert not list(tree.rglob("__pycache__")), "something of the tree was compiled for import"
    if command == "fix":
        assert "/v2/images" in (tree / "evil.py").read_text(encoding="utf-8")


# -- what a whole run does, seen by audit hooks ---------------------------------------------------------

AUDIT_DRIVER = r"""
import json, os, sys
tree, out = sys.argv[1], sys.argv[2]
events = []
recording = [True]
WATCH = ("exec", "import", "open", "os.", "shutil.", "socket.", "subprocess.", "urllib.", "http.", "ctypes.",
         "webbrowser", "sys.addaudithook", "code.__new__", "marshal.load", "pickle.find_class", "glob.")

def hook(event, args):
    if recording[0] and event.startswith(WATCH) and not event.startswith(("os.listdir", "os.scandir", "os.walk")):
        def plain(value):
            if isinstance(value, (str, int, float, type(None))):
                return value
            if isinstance(value, bytes):
                return os.fsdecode(value)
            if hasattr(value, "co_filename"):
                return "<code " + value.co_filename + ">"
            return repr(value)[:200]
        events.append([event, [plain(a) for a in args]])

sys.addaudithook(hook)
from linter.cli import main
for command in ("check", "fix"):
    try:
        main([command, "--jobs", "1", "--output-format", "json", tree], standalone_mode=False)
    except SystemExit:
        pass
recording[0] = False
modules = {name: getattr(m, "__file__", None) for name, m in list(sys.modules.items())}
with open(out, "w") as stream:
    json.dump({"events": events, "modules": modules}, stream)
"""


def _audit(tree: Path, tmp_path: Path, cache: bool) -> dict:
    out = tmp_path / "audit.json"
    # No bytecode files: Python's own writes for imslint's modules are not imslint's doing.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IMSLINT_"))}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    if not cache:
        environment["IMSLINT_NO_CACHE"] = "1"
    process = subprocess.run([sys.executable, "-c", AUDIT_DRIVER, str(tree), str(out)], cwd=tmp_path,
                             env=environment, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(out.read_text())


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _is_temporary(path: str, tree: Path) -> bool:
    name = os.path.basename(path)
    return os.path.dirname(path).startswith(str(tree)) and re.fullmatch(r"\.imslint-\d+-\w+\.tmp", name) is not None


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
def test_a_run_only_reads_and_rewrites_source_files(hostile_tree, tmp_path, cache):
    """Audit events of a whole ``check`` and ``fix``: no code from the tree, no network, no
    processes, and the only writes are fixed ``.py`` files, through imslint's temporary files,
    and (unless ``IMSLINT_NO_CACHE``) the result cache in the working directory."""
    tree, markers, _ = hostile_tree
    audit = _audit(tree, tmp_path, cache)
    inside = str(tree) + os.sep
    cache_directory = str(tmp_path / ".imslint_cache")

    def ours(path) -> bool:
        path = str(path)
        return _is_temporary(path, tree) or (cache and (path + os.sep).startswith(cache_directory + os.sep))
    fixed = {str(tree / "evil.py"), str(tree / "uses_constants.py")}
    problems = []
    for event, args in audit["events"]:
        if event in ("exec", "code.__new__") and inside in str(args):
            problems.append((event, args))
        elif event == "import" and args[1] and str(args[1]).startswith(inside):
            problems.append((event, args))
        elif event.startswith(("socket.", "urllib.", "http.", "subprocess.", "webbrowser", "ctypes.")):
            problems.append((event, args))
        elif event in ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile"):
            problems.append((event, args))
        elif event == "os.kill" and args[1] != 0:  # signal 0 only asks whether a process exists
            problems.append((event, args))
        elif event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and set(mode) & set("wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            # An int is a descriptor opened before (its opening was checked then).
            if writes and not isinstance(path, int) and not ours(path):
                problems.append((event, args))
        elif event == "os.rename":
            if not (_is_temporary(str(args[0]), tree) and args[1] in fixed) and not (ours(args[0]) and ours(args[1])):
                problems.append((event, args))
        elif event in ("os.remove", "os.chmod", "os.mkdir"):
            if not ours(args[0]):
                problems.append((event, args))
        elif event.startswith(("os.rmdir", "os.symlink", "os.link", "os.truncate", "os.utime",
                               "os.chown", "os.chflags", "os.setxattr", "os.removexattr", "shutil.")):
            problems.append((event, args))
    assert problems == []
    loaded_from_tree = {name: path for name, path in audit["modules"].items() if path and path.startswith(inside)}
    assert loaded_from_tree == {}
    assert sorted(os.listdir(markers)) == []
    assert (tree / "evil.py").read_text(encoding="utf-8").endswith(GOOD)
    assert os.path.isdir(cache_directory) == cache


def test_no_network_during_a_full_run(hostile_tree, monkeypatch):
    """Every way to open a connection fails loudly; a whole check and fix still succeed."""
    tree, _, _ = hostile_tree
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse(*args)

    monkeypatch.setattr(socket, "socket", NoSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair", "fromfd"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    monkeypatch.chdir(tree)
    for command in ("check", "fix"):
        result = CliRunner().invoke(main, [command, "--jobs", "1", "."], catch_exceptions=False)
        assert result.exit_code in ((1,) if command == "check" else (0, 1)), result.output
    assert attempts == []
    assert (tree / "evil.py").read_text(encoding="utf-8").endswith(GOOD)


# -- paths in output ---------------------------------------------------------------------------------

ODD_NAMES = [
    "new\nline.py", "cr\rhere.py", 'quo"te.py', "apos'trophe.py", "tab\there.py", "ünïcødé.py", "中文.py",
    "back\\slash.py", "per%0Acent.py", "<tag>&amp;.py", "comma,colon::x.py", "bidi\u202eyp.py", "esc\x1b[31m.py",
]
UNDECODABLE_NAME = b"bad\xff.py"


@pytest.fixture
def odd_tree(tmp_path, monkeypatch):
    tree = tmp_path / "t"
    tree.mkdir()
    for name in ODD_NAMES:
        (tree / name).write_text(BAD, encoding="utf-8")
    if sys.platform != "darwin":  # macOS file systems refuse undecodable names
        with open(os.path.join(os.fsencode(tree), UNDECODABLE_NAME), "wb") as stream:
            stream.write(BAD.encode())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    names = [f"t/{name}" for name in ODD_NAMES]
    if sys.platform != "darwin":
        names.append("t/" + os.fsdecode(UNDECODABLE_NAME))
    return sorted(names)


def _check(fmt: str) -> str:
    result = CliRunner().invoke(main, ["check", "--output-format", fmt, "t"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.stdout


def _printable(name: str, keep: str = "") -> str:
    from linter.report.common import printable

    return printable(name, keep)


def _github_unescape(value: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def test_every_format_is_covered():
    assert set(FORMATS) == {
        "text", "full", "concise", "grouped", "json", "json-lines", "sarif", "github", "gitlab", "junit"}


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_json_paths_round_trip(odd_tree, fmt):
    output = _check(fmt)
    findings = json.loads(output) if fmt == "json" else [json.loads(line) for line in output.splitlines()]
    assert sorted({finding["path"] for finding in findings}) == odd_tree


def test_sarif_uris_round_trip(odd_tree):
    log = json.loads(_check("sarif"))
    uris = {location["physicalLocation"]["artifactLocation"]["uri"]
            for result in log["runs"][0]["results"] for location in result["locations"]}
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~%/!$&'()*+,;=@]*", uri) for uri in uris), uris
    assert sorted(unquote_to_bytes(uri) for uri in uris) == sorted(os.fsencode(name) for name in odd_tree)


def test_gitlab_paths_round_trip(odd_tree):
    assert sorted({issue["location"]["path"] for issue in json.loads(_check("gitlab"))}) == odd_tree


def test_junit_is_xml_and_paths_round_trip(odd_tree):
    from linter.report.common import xml_safe

    root = ElementTree.fromstring(_check("junit").encode("utf-8"))
    assert sorted({case.get("file") for case in root.iter("testcase")}) == sorted(xml_safe(name) for name in odd_tree)


def test_github_commands_one_per_line_and_paths_round_trip(odd_tree):
    lines = _check("github").splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines), lines
    files = {_github_unescape(re.match(r"::\w+ file=([^,]*),", line).group(1)) for line in lines}
    # Names round-trip; those with characters a terminal would act on are shown escaped.
    assert sorted(files) == sorted(_printable(name, keep="\r\n\t") for name in odd_tree)
    assert sum(file in odd_tree for file in files) >= len(odd_tree) - 3


@pytest.mark.parametrize("fmt", ["text", "full", "concise", "grouped"])
def test_human_formats_escape_control_characters(odd_tree, fmt):
    output = _check(fmt)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", output)
    for name in odd_tree:
        assert _printable(name) in output, name
    line_starts = {line.split(":", 1)[0] for line in output.splitlines() if line and not line[0].isspace()}
    assert not line_starts & {"line.py", "here.py"}, "a path was split across lines"


# -- regular expressions over untrusted text -----------------------------------------------------------

REGEX_FUNCTIONS = {"compile", "match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split"}
FLAG_ARGUMENT = {"compile": 1, "sub": 4, "subn": 4, "split": 3}  # the others: (pattern, string, flags)


@dataclass(frozen=True)
class RegexSite:
    where: str  # "linter/suppress.py:_CODE" (the name assigned) or "...:Class.method"
    line: int
    pattern: object  # str or bytes; None when built at run time
    flags: int
    operations: Tuple[str, ...]  # how the code applies it: "match", "fullmatch", "finditer" (any scan)


def _regex_sites() -> List[RegexSite]:
    """Every ``re.<function>(pattern, ...)`` call in linter/ and rules/, found with ``ast``."""
    sites = []
    for directory in ("linter", "rules"):
        for path in sorted((PROJECT / directory).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            relative = path.relative_to(PROJECT).as_posix()
            for owner, node in _calls_with_owner(tree):
                function = node.func
                if not (isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name)
                        and function.value.id == "re" and function.attr in REGEX_FUNCTIONS and node.args):
                    continue
                flags_node = next((k.value for k in node.keywords if k.arg == "flags"), None)
                position = FLAG_ARGUMENT.get(function.attr, 2)
                if flags_node is None and len(node.args) > position:
                    flags_node = node.args[position]
                flags = 0
                if flags_node is not None:  # re.I, re.I | re.M...: evaluated with ``re`` alone in scope
                    flags = int(eval(compile(ast.Expression(flags_node), "<flags>", "eval"), {"re": re}))
                first = node.args[0]
                pattern = first.value if isinstance(first, ast.Constant) else None
                if function.attr == "compile":
                    operations = _uses(tree, owner.rsplit(".", 1)[-1])
                else:
                    operations = (_OPERATION[function.attr],)
                sites.append(RegexSite(f"{relative}:{owner}", node.lineno, pattern, flags, operations))
    return sites


_OPERATION = {"match": "match", "fullmatch": "fullmatch", "search": "finditer", "finditer": "finditer",
              "findall": "finditer", "sub": "finditer", "subn": "finditer", "split": "finditer"}
ALL_OPERATIONS = ("match", "fullmatch", "finditer")


def _uses(tree: ast.Module, name: str) -> Tuple[str, ...]:
    """How a module applies the compiled pattern bound to ``name`` (``self.name`` too): every
    operation when it is also handed on (an argument, a return value) and so applied elsewhere."""
    methods, handed_on = set(), False
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        named = (isinstance(node, ast.Name) and node.id == name) or (
            isinstance(node, ast.Attribute) and node.attr == name)
        if not named or isinstance(getattr(node, "ctx", None), ast.Store):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in _OPERATION:
            methods.add(_OPERATION[parent.attr])
        elif not (isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in ("pattern", "flags")):
            handed_on = True
    return ALL_OPERATIONS if handed_on or not methods else tuple(sorted(methods))


def _calls_with_owner(tree: ast.Module):
    """(the name a call belongs to, the call): the assigned module-level name, else the qualified
    name of the function holding it."""
    def visit(node, owner):
        for child in ast.iter_child_nodes(node):
            name = owner
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{owner}.{child.name}" if owner else child.name
            elif isinstance(child, ast.Assign) and node is tree and isinstance(child.targets[0], ast.Name):
                name = child.targets[0].id
            if isinstance(child, ast.Call):
                yield owner, child
            yield from visit(child, name)
    yield from visit(tree, "")


def _attribute_patterns() -> List["re.Pattern"]:
    from linter.carriers import attribute_pattern

    prefixes = [f"IMAGES_{'A' * n}" for n in range(1, 12)]
    return [attribute_pattern(words) for words in (prefixes, ["a", "aa", "aaa", "ab", "abc", "b", "ba", "bab"])]


# Regexes built at run time, and how to build representative ones.
DYNAMIC: Dict[str, Callable[[], List["re.Pattern"]]] = {
    "linter/carriers.py:attribute_pattern": _attribute_patterns,
}

# Known superlinear regexes (owner: engine; see the report). Strict: they fail once made linear.
QUADRATIC: dict = {}  # every regex is linear now (each one used to have an entry here)


def _compiled(site: RegexSite) -> List["re.Pattern"]:
    if site.pattern is None:
        return DYNAMIC[site.where]()
    return [re.compile(site.pattern, site.flags)]


SITES = _regex_sites()


def test_regex_sites_found_and_dynamic_ones_covered():
    assert len(SITES) >= 20
    dynamic = {site.where for site in SITES if site.pattern is None}
    assert dynamic == set(DYNAMIC), "a regex built at run time needs a builder in DYNAMIC"
    assert set(QUADRATIC) <= {site.where for site in SITES}


# -- adversarial inputs, from the pattern's own parse tree ------------------------------------------------

ALPHABET = " \t\n\ra" "Z09_-./:%#{}()[]\"'\\,;=?&@!|*+<>$^éß€\x00\x7f😀"
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT} | (
    {sre_constants.POSSESSIVE_REPEAT} if hasattr(sre_constants, "POSSESSIVE_REPEAT") else set())


class _Witness:
    """Strings a parsed pattern (or a piece of it) matches; ``choice`` picks among characters."""

    def __init__(self, parsed, is_bytes: bool) -> None:
        self.state = parsed.state
        self.is_bytes = is_bytes
        self.alphabet = [c for c in ALPHABET if not is_bytes or ord(c) < 256]
        self._members: Dict[int, List[str]] = {}

    def members(self, item) -> List[str]:
        """The characters of the alphabet one ``IN``/``ANY``/``NOT_LITERAL`` item matches."""
        key = id(item)
        if key not in self._members:
            pattern = re._compiler.compile(sre_parse.SubPattern(self.state, [item])) if hasattr(re, "_compiler") \
                else __import__("sre_compile").compile(sre_parse.SubPattern(self.state, [item]))
            self._members[key] = [c for c in self.alphabet
                                  if pattern.fullmatch(c.encode("latin-1") if self.is_bytes else c)]
        return self._members[key]

    def text(self, items, choice: int, more: bool = False) -> str:
        out = []
        for item in items:
            op, av = item
            if op == sre_constants.LITERAL:
                out.append(chr(av))
            elif op in (sre_constants.IN, sre_constants.ANY, sre_constants.NOT_LITERAL):
                members = self.members(item)
                out.append(members[choice % len(members)] if members else "")
            elif op == sre_constants.BRANCH:
                alternatives = av[1]
                out.append(self.text(alternatives[choice % len(alternatives)], choice, more))
            elif op == sre_constants.SUBPATTERN:
                out.append(self.text(av[-1], choice, more))
            elif op in _REPEATS:
                low, _, body = av
                out.append(self.text(body, choice, more) * max(low, 1 if more else 0))
            elif getattr(sre_constants, "ATOMIC_GROUP", None) == op:
                out.append(self.text(av, choice, more))
            elif op == sre_constants.GROUPREF_EXISTS:
                out.append(self.text(av[1], choice, more))
            # AT, ASSERT, ASSERT_NOT, GROUPREF: nothing to add
        return "".join(out)

    def pumps(self, items, prefix: str = "", choices: int = 3):
        """(prefix, pump) for every repeated piece: the text before it and text it repeats."""
        for index, (op, av) in enumerate(items):
            before = prefix + self.text(items[:index], 0, more=True)
            if op in _REPEATS:
                for choice in range(choices):
                    pump = self.text(av[2], choice, more=True)
                    if pump:
                        yield before, pump
                yield from self.pumps(av[2], before, choices)
            elif op == sre_constants.SUBPATTERN:
                yield from self.pumps(av[-1], before, choices)
            elif op == sre_constants.BRANCH:
                for alternative in av[1]:
                    yield from self.pumps(alternative, before, choices)


def adversarial_inputs(pattern: "re.Pattern") -> List[Tuple[str, Callable[[int], object]]]:
    """(label, make(size)) for inputs that drive backtracking: each repeated piece pumped alone,
    after the text leading to it and followed by a character that fails the rest, and all that
    repeated (so a search retries from many starting points); the whole pattern's witness too."""
    is_bytes = isinstance(pattern.pattern, bytes)
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    witness = _Witness(parsed, is_bytes)
    shapes = set()
    for prefix, pump in witness.pumps(parsed.data, choices=2):
        for suffix in ("", "!", " "):
            shapes.add(("run", prefix, pump, suffix))
            shapes.add(("run", "", pump, suffix))
            shapes.add(("repeat", prefix, pump, suffix))
    for choice in range(3):
        whole = witness.text(parsed.data, choice, more=True)
        shapes.update(("repeat", "", unit, end) for unit in (whole, whole[:-1]) for end in ("", "!") if unit)

    def maker(kind, prefix, pump, suffix):
        def make(size: int):
            if kind == "run":
                text = prefix + pump * max(1, (size - len(prefix) - len(suffix)) // len(pump)) + suffix
            else:
                unit = prefix + pump + suffix
                text = unit * max(1, size // len(unit))
            return text.encode("utf-8") if is_bytes else text
        return make

    return [(f"{kind}:{prefix!r}+{pump!r}*n+{suffix!r}", maker(kind, prefix, pump, suffix))
            for kind, prefix, pump, suffix in sorted(shapes)]


class _TooSlow(Exception):
    pass


def _per_call(function, argument, *, trials: int = 2) -> float:
    """CPU seconds per call: the best of ``trials`` runs of at least a millisecond each (one call
    when a call takes over a tenth of a second). CPU time, not wall time: on a loaded machine a
    run preempted for a few milliseconds must not look superlinear."""
    best = float("inf")
    for _ in range(trials):
        calls, started = 0, time.process_time()
        while True:
            function(argument)
            calls += 1
            elapsed = time.process_time() - started
            if elapsed >= 0.001:
                break
        best = min(best, elapsed / calls)
        if best > 0.1:
            break
    return best


SCREEN = (400, 1_600, 6_400)  # sizes 4x apart: time grows ~4x a step when linear, ~16x when quadratic
SCREEN_RATIO = 10
LARGE = 100_000
SLACK = 4  # at LARGE a call may take SLACK times the linear extrapolation from SCREEN[1]
NOISE = 0.0005  # seconds; steps between faster calls are not judged
HARD_LIMIT = 10.0  # seconds; only a guard against hanging the suite


def _operations(pattern, names):
    every = {
        "match": pattern.match,
        "fullmatch": pattern.fullmatch,
        "finditer": lambda text: sum(1 for _ in pattern.finditer(text)),  # search is its first step
    }
    return {name: every[name] for name in names}


def _violation(operation, make) -> Optional[str]:
    """Why ``operation`` is not linear on the inputs ``make`` builds, or None."""
    times: List[float] = []
    for size in SCREEN:
        times.append(_per_call(operation, make(size)))
        if len(times) == 1 or times[-1] < NOISE or times[-1] <= SCREEN_RATIO * times[-2]:
            continue
        # Measure again, more carefully, before judging: one slow run is not a trend.
        times[-2:] = [_per_call(operation, make(SCREEN[len(times) - 2]), trials=5),
                      _per_call(operation, make(size), trials=5)]
        if times[-1] < NOISE or times[-1] <= SCREEN_RATIO * times[-2]:
            continue
        return f"{times[-2] * 1e3:.2f} ms at {SCREEN[len(times) - 2]}, {times[-1] * 1e3:.2f} ms at {size} (superlinear)"
    budget = SLACK * LARGE / SCREEN[1] * times[1]
    spent = _per_call(operation, make(LARGE), trials=2)
    if spent > budget and spent > 10 * NOISE:
        # As on the screen: measure both again, more carefully, before judging (a quadratic
        # pattern is 60 times over this budget, not a few per cent).
        budget = SLACK * LARGE / SCREEN[1] * _per_call(operation, make(SCREEN[1]), trials=5)
        spent = _per_call(operation, make(LARGE), trials=5)
    if spent > budget and spent > 10 * NOISE:
        return f"{spent * 1e3:.1f} ms at {LARGE} characters, over the linear budget of {budget * 1e3:.1f} ms"
    return None


def linear_time_violations(pattern: "re.Pattern", operations=ALL_OPERATIONS) -> List[str]:
    """Adversarial inputs on which ``pattern`` is slower than linear: screened at growing sizes,
    then run at LARGE (100 KB) against a budget extrapolated linearly from a small size. The
    first violation ends the search."""

    def alarm(*_):
        raise _TooSlow()

    guard = hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, alarm) if guard else None
    try:
        for label, make in adversarial_inputs(pattern):
            for name, operation in _operations(pattern, operations).items():
                if guard:
                    signal.setitimer(signal.ITIMER_REAL, HARD_LIMIT)
                try:
                    problem = _violation(operation, make)
                except _TooSlow:
                    problem = f"over {HARD_LIMIT:.0f} s"
                finally:
                    if guard:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                if problem:
                    return [f"{name} on {label}: {problem}"]
    finally:
        if guard:
            signal.signal(signal.SIGALRM, previous)
    return []


def _regex_params():
    seen = set()
    for site in SITES:
        if site.where in seen:
            continue
        seen.add(site.where)
        marks = []
        if site.where in QUADRATIC:
            marks.append(pytest.mark.xfail(strict=True, reason=QUADRATIC[site.where]))
        yield pytest.param(site, id=site.where, marks=marks)


@pytest.mark.skipif(sys.platform == "win32", reason="timing guard uses SIGALRM")
def test_harness_tells_linear_from_quadratic_and_worse(monkeypatch):
    """The measurement itself, on regexes whose behaviour is known."""
    assert linear_time_violations(re.compile(r"a+b"), ["finditer"])  # retried from every 'a'
    assert linear_time_violations(re.compile(r"\s*x"), ["finditer"])
    assert linear_time_violations(re.compile(r"\s*x"), ["match", "fullmatch"]) == []  # anchored: linear
    assert linear_time_violations(re.compile(r"x\s*[a-z]+"), ALL_OPERATIONS) == []
    monkeypatch.setattr(sys.modules[__name__], "HARD_LIMIT", 1.0)
    [violation] = linear_time_violations(re.compile(r"(\s*)+x"), ["match"])  # exponential
    assert violation.endswith("over 1 s"), violation


@pytest.mark.skipif(sys.platform == "win32", reason="timing guard uses SIGALRM")
@pytest.mark.parametrize("site", list(_regex_params()))
def test_regex_is_linear_on_100kb_adversarial_input(site):
    sites = [s for s in SITES if s.where == site.where]
    violations = [v for s in sites for pattern in _compiled(s) for v in linear_time_violations(pattern, s.operations)]
    assert violations == [], "\n".join(violations[:10])
