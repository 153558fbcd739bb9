"""Machine output stays machine output: each format, on stdout or in ``--output-file``, holds
that format and nothing else, whatever else is asked for (``--statistics``, ``--show-fixes``,
``--verbose``, ``--unsafe-fixes``...). Summaries and statistics go to stderr. Every output is
read back with its real parser: json, a SARIF 2.1.0 schema validator, an XML parser, GitHub's
workflow-command syntax.

``fix --diff`` prints only the diff (or, with ``-o json``/``json-lines``, the fixes as edits)
and exits 1 exactly when there is one.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from linter.cli import main

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SAFE = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
SAFE_FIXED = SAFE.replace("/v1.1/images/detail", "/v2/images")
UNSAFE = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"changes-since": "2024-01-01T00:00:00"})\n'
NO_FIX = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_max": 10})\n'
BROKEN = 'requests.get(EP + "/v1.1/images/detail"\n'  # IMS000: does not parse, and IMS001 from its text
MACHINE_FORMATS = ["json", "json-lines", "sarif", "github", "gitlab", "junit"]
EVERY_OPTION = ["--statistics", "--show-fixes", "--verbose", "--no-cache", "--color"]
# A workflow command: ``::name key=value,key=value::message``; values and message escape
# ``%``, CR and LF (and ``:``/``,`` in values), so one command is one line.
GITHUB_COMMAND = re.compile(r"::(error|warning|notice)( [A-Za-z]+=[^,:\r\n]*(,[A-Za-z]+=[^,:\r\n]*)*)?::[^\r\n]*")


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    for name, text in (("safe.py", SAFE), ("unsafe.py", UNSAFE), ("no_fix.py", NO_FIX), ("broken.py", BROKEN)):
        (root / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("FORCE_COLOR", "1")  # colour is asked for twice; machine output never has it
    return root


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def parse(fmt: str, text: str) -> list:
    """The findings (or result objects) ``text`` holds, read with the format's own parser;
    fails unless ``text`` is exactly one valid document of the format."""
    assert "\x1b[" not in text, "colour codes in machine output"
    if fmt == "json":
        value = json.loads(text)
        assert isinstance(value, list) and all(isinstance(item, dict) for item in value)
        return value
    if fmt == "json-lines":
        assert text == "" or text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]
    if fmt == "sarif":
        log = json.loads(text)
        jsonschema.Draft4Validator(SCHEMA).validate(log)
        return log["runs"][0]["results"]
    if fmt == "gitlab":
        issues = json.loads(text)
        for issue in issues:
            assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
            assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        return issues
    if fmt == "junit":
        suites = ET.fromstring(text)
        assert suites.tag in ("testsuites", "testsuite")
        return [case for case in suites.iter("testcase") if case.find("failure") is not None]
    if fmt == "github":
        lines = text.splitlines()
        for line in lines:
            assert GITHUB_COMMAND.fullmatch(line), line
        return lines
    raise AssertionError(fmt)


# -- check and fix: the report --------------------------------------------------------------------

# What each run leaves to report: check all 7 findings (no_fix.py, unsafe.py and broken.py have
# two each: broken.py's IMS000 and the IMS001 its text shows); fix what its fixes cannot clean
# (unsafe.py's unsafe fix is held back without --unsafe-fixes, no_fix.py has none, broken.py does
# not parse).
RUNS = {
    "check": (["check"], 7),
    "check-unsafe": (["check", "--unsafe-fixes"], 7),
    "fix": (["fix"], 6),
    "check-fix": (["check", "--fix"], 6),
    "check-fix-unsafe": (["check", "--fix", "--unsafe-fixes"], 4),
    "fix-only": (["check", "--fix-only"], 1),  # leftovers unreported: only the file it cannot read
}


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
@pytest.mark.parametrize("run", sorted(RUNS))
def test_stdout_holds_only_the_format(project, fmt, run):
    command, expected = RUNS[run]
    result = invoke(*command, "-o", fmt, *EVERY_OPTION, ".")
    items = parse(fmt, result.stdout)
    assert len(items) == expected, result.stdout
    # The summary and the statistics were asked for: they are on stderr.
    assert "checked safe.py" in result.stderr  # --verbose
    if run != "fix-only":
        assert re.search(r"^\d+\tIMS001\t(\[\*\]|\[-\]|   ) abandoned-image-query$", result.stderr, re.M), result.stderr
        assert re.search(r"^(Fixed \d+ findings?\. )?Found \d+ findings? in ", result.stderr, re.M), result.stderr
    else:
        assert "Fixed 1 finding in 1 file (2 more fixes with `--unsafe-fixes`)." in result.stderr
    # --fix-only exits 0 with leftovers (Ruff's contract): it could fix all it could read.
    assert result.exit_code == (0 if run == "fix-only" else 1)


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
def test_output_file_holds_only_the_format(project, fmt):
    result = invoke("check", "-o", fmt, "--output-file", "report.out", *EVERY_OPTION, ".")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(parse(fmt, (project / "report.out").read_text(encoding="utf-8"))) == 7
    assert "IMS001" in result.stderr and "Found 7 findings" in result.stderr  # statistics, summary


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
def test_real_streams_of_a_process(project, fmt):
    """The same through a real process: stdout parses, the rest is on stderr."""
    process = subprocess.run(
        [sys.executable, "-m", "linter", "check", "-o", fmt, *EVERY_OPTION, "--exit-zero", "."],
        capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert len(parse(fmt, process.stdout)) == 7
    assert "Found 7 findings" in process.stderr and "Traceback" not in process.stderr


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
def test_clean_tree_is_still_one_document(project, fmt):
    for path in project.glob("*.py"):
        path.unlink()
    (project / "ok.py").write_text(SAFE_FIXED)
    result = invoke("check", "-o", fmt, *EVERY_OPTION, ".")
    assert result.exit_code == 0
    assert parse(fmt, result.stdout) == []
    assert "All checks passed!" in result.stderr


def test_text_report_keeps_its_summary_on_stdout(project):
    result = invoke("check", "--statistics", ".")
    assert result.exit_code == 1
    assert "Found 7 findings in 4 files" in result.stdout
    assert re.search(r"^4\tIMS001\t\[\*\] abandoned-image-query$", result.stdout, re.M)


def test_stdin_fix_keeps_stdout_for_the_source(project):
    """Fixing standard input: stdout is the fixed source; the report (any format) on stderr."""
    result = invoke("fix", "--stdin-filename", "safe.py", "-o", "json", *EVERY_OPTION, input=UNSAFE)
    assert result.stdout == UNSAFE  # the unsafe fix is held back: the source as it came
    report, end = json.JSONDecoder().raw_decode(result.stderr)  # the report first, then the notes
    assert [finding["code"] for finding in report] == ["IMS001", "IMS002"]
    assert "Found 2 findings in 1 file" in result.stderr[end:]
    result = invoke("fix", "--stdin-filename", "safe.py", "-o", "sarif", "--quiet", input=SAFE)
    assert result.stdout == SAFE_FIXED
    assert parse("sarif", result.stderr) == []


# -- fix --diff ------------------------------------------------------------------------------------


def _fixed_tree(project: Path, tmp_path: Path, *options: str) -> Path:
    """A copy of the project after ``imslint fix``: what the diff must describe."""
    copy = tmp_path / "fixed"
    shutil.copytree(project, copy)
    CliRunner().invoke(main, ["fix", "--no-cache", *options, str(copy)], catch_exceptions=False)
    return copy


@pytest.mark.parametrize("options", [[], ["--unsafe-fixes"]], ids=["safe", "unsafe"])
def test_diff_prints_only_the_diff(project, tmp_path, options):
    before = {path.name: path.read_bytes() for path in project.glob("*.py")}
    result = invoke("fix", "--diff", *options, "--show-fixes", "--verbose", "--color", "--no-cache", ".")
    assert result.exit_code == 1
    assert {path.name: path.read_bytes() for path in project.glob("*.py")} == before, "--diff wrote a file"
    for line in result.stdout.splitlines():
        assert re.match(r"(--- a/|\+\+\+ b/|@@ |[ +-]|\\ No newline)", line), line
    assert "IMS0" not in result.stdout and "Fixed" not in result.stdout + result.stderr
    # The diff is exactly what `fix` does: applied with patch(1), it gives the fixed tree.
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    applied = subprocess.run(["patch", "-p1", "-s", "--no-backup-if-mismatch"], input=result.stdout,
                             text=True, cwd=project, capture_output=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    fixed = _fixed_tree_after_restore(project, tmp_path, before, options)
    assert {path.name: path.read_bytes() for path in project.glob("*.py")} == fixed
    # What could not be read is said on stderr, with the closing line.
    assert "broken.py:1:1: IMS000" in result.stderr
    assert re.search(r"^Would fix \d+ findings? in \d+ files?[ .]", result.stderr, re.M)


def _fixed_tree_after_restore(project: Path, tmp_path: Path, before, options) -> dict:
    original = tmp_path / "original"
    original.mkdir()
    for name, data in before.items():
        (original / name).write_bytes(data)
    fixed = _fixed_tree(original, tmp_path, *options)
    return {path.name: path.read_bytes() for path in fixed.glob("*.py")}


def test_diff_exits_one_exactly_when_there_is_a_diff(project):
    for name in ("safe.py", "unsafe.py"):
        (project / name).unlink()
    result = invoke("fix", "--diff", "--no-cache", ".")  # findings, but nothing a fix changes
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "No fixes to apply." in result.stderr and "Fixed" not in result.stderr
    (project / "unsafe.py").write_text(UNSAFE)
    result = invoke("fix", "--diff", "--no-cache", ".")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No fixes to apply (2 more fixes with `--unsafe-fixes`)." in result.stderr
    result = invoke("fix", "--diff", "--unsafe-fixes", "--no-cache", ".")
    assert result.exit_code == 1 and result.stdout.startswith("--- a/unsafe.py\n")
    assert invoke("fix", "--diff", "--exit-zero", "--unsafe-fixes", "--no-cache", ".").exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_diff_as_json_gives_edits_per_file(project, tmp_path, fmt):
    before = {path.name: path.read_text(encoding="utf-8") for path in project.glob("*.py")}
    result = invoke("fix", "--diff", "-o", fmt, "--unsafe-fixes", "--show-fixes", "--verbose", "--no-cache", ".")
    assert result.exit_code == 1
    entries = parse(fmt, result.stdout)
    assert sorted(entry["path"] for entry in entries) == ["safe.py", "unsafe.py"]
    fixed = _fixed_tree(project, tmp_path, "--unsafe-fixes")
    for entry in entries:
        assert entry["fixed"] >= 1
        text = _apply(before[entry["path"]], entry["edits"])
        assert text == (fixed / entry["path"]).read_text(encoding="utf-8"), entry["path"]
    assert "broken.py:1:1: IMS000" in result.stderr


def _apply(text: str, edits: list) -> str:
    """Applies JSON edits (1-based lines and columns, ends exclusive), last first."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position):
        return starts[position["line"] - 1] + position["column"] - 1 if position["line"] <= len(lines) else len(text)

    for edit in sorted(edits, key=lambda e: (e["location"]["line"], e["location"]["column"]), reverse=True):
        text = text[: offset(edit["location"])] + edit["content"] + text[offset(edit["end_location"]):]
    return text


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "junit"])
def test_diff_with_another_machine_format_is_refused(project, fmt):
    result = invoke("fix", "--diff", "-o", fmt, ".")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("imslint: --diff prints a unified diff") and result.stderr.count("\n") == 1


def test_diff_of_standard_input(project):
    result = invoke("check", "--diff", "--stdin-filename", "app.py", input=SAFE)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    assert invoke("check", "--diff", "--stdin-filename", "app.py", input=SAFE_FIXED).stdout == ""


def test_line_edits_of_a_long_file_of_alike_lines_are_the_diffs_hunks():
    """A file of many alike lines (``bench.py --large-file``'s shape): the edits make the fixed
    text, change only the changed lines, and are the hunks ``--diff`` prints."""
    from linter.runner import line_edits, unified_diff

    def function(number, path):
        return f"\n\ndef images_{number}(session, endpoint):\n    return session.get(endpoint + \"{path}\").json()\n"

    before = "import requests\n" + "".join(function(n, "/v1.1/images/detail" if n % 2 else "/v2/servers") for n in range(1000))
    after = "import requests\n" + "".join(function(n, "/v2/images" if n % 2 else "/v2/servers") for n in range(1000))
    edits = line_edits(before, after)
    assert _apply(before, edits) == after
    assert len(edits) == 500
    assert all(edit["content"].count("\n") == 1 and "/v2/images" in edit["content"] for edit in edits)
    diff = unified_diff(before, after, "app.py")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert len(removed) == 500 and all("/v1.1/images/detail" in line for line in removed)
