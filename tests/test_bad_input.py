"""Bad input: every odd file gets IMS000 (or a clear message naming it and the reason), the run
goes on to fix the other files, and the exit code says something went wrong.

Each case puts the bad entry next to ``good.py`` (a fixable file) and runs ``imslint fix``.
Cases that could kill the interpreter (deep nesting) run the command in a subprocess.
"""
from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.cli import main
from linter.engine import fix_source, lint_source
from linter.options import DEFAULT_MAX_FILE_SIZE, EngineOptions
from linter.runner import FIX, FileJob, process_file

# A request whose safe fix is the path alone: the first image's name needs no page loop.
BAD = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
GOOD = BAD.replace("/v1.1/images/detail", "/v2/images")
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A project holding one fixable file, ``good.py``; the working directory."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "good.py").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def fix(*paths: str):
    """``imslint fix`` in this process: (exit code, findings by path, output)."""
    result = CliRunner().invoke(main, ["fix", "--output-format", "json", *(paths or (".",))], catch_exceptions=False)
    return result.exit_code, _by_path(result.stdout), result.output


def fix_in_subprocess(*paths: str):
    """``python -m linter fix``: a crash of the interpreter shows as a negative return code."""
    process = subprocess.run(
        [sys.executable, "-m", "linter", "fix", "--output-format", "json", *(paths or (".",))],
        capture_output=True, text=True, timeout=300,
    )
    assert process.returncode >= 0, f"imslint died with signal {-process.returncode}: {process.stderr[-2000:]}"
    return process.returncode, _by_path(process.stdout), process.stderr


def _by_path(output: str):
    findings = {}
    for finding in json.loads(output or "[]"):
        findings.setdefault(finding["path"], []).append(finding)
    return findings


def assert_reported(findings, path: str, *reasons: str) -> None:
    """``path`` has exactly one IMS000 finding, whose message gives one of the ``reasons``; any
    other is an abandoned path the literal scan found in its text, without a fix."""
    assert path in findings, f"{path} not reported; reported: {sorted(findings)}"
    [finding] = [f for f in findings[path] if f["code"] == "IMS000"]
    assert any(reason in finding["message"] for reason in reasons), finding["message"]
    for other in findings[path]:
        if other is not finding:
            assert other["fix"] is None and "cannot parse" in other["message"], other


def assert_not_written(findings, path: str, reason: str) -> None:
    """``fix`` could not write ``path``: one IMS000 giving ``reason``, and the findings the file
    still holds (those of ``BAD``), none counted as fixed."""
    assert path in findings, f"{path} not reported; reported: {sorted(findings)}"
    problems = [finding for finding in findings[path] if finding["code"] == "IMS000"]
    left = [(finding["code"], finding["line"]) for finding in findings[path] if finding["code"] != "IMS000"]
    assert len(problems) == 1 and reason in problems[0]["message"], problems
    assert problems[0]["message"].startswith("not fixed: "), problems[0]["message"]
    assert left == [(finding.code, finding.line) for finding in lint_source(BAD)]


def assert_run_went_on(root: Path, findings) -> None:
    assert (root / "good.py").read_text(encoding="utf-8") == GOOD, "the good file was not fixed"
    assert "good.py" not in findings


# -- undecodable content ----------------------------------------------------------------------------

UNDECODABLE = [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ("NUL",), id="binary-png"),
    pytest.param(bytes(range(128, 256)) * 4 + b"images", ("cannot be decoded",), id="binary-without-nul"),
    pytest.param(BAD.encode().replace(b"qcow2", b"qc\x00ow2"), ("NUL",), id="nul-byte"),
    pytest.param(BAD.encode().replace(b"def images", b"# caf\xe9\ndef images"), ("cannot be decoded as utf-8",),
                 id="invalid-utf8"),
    pytest.param(b"# -*- coding: klingon -*-\n" + BAD.encode(), ("unknown encoding",), id="unknown-pep263"),
    pytest.param(b"# coding: ascii\n# caf\xc3\xa9\n" + BAD.encode(), ("cannot be decoded as ascii",),
                 id="wrong-pep263-ascii"),
    pytest.param(b"\xef\xbb\xbf# coding: latin-1\n" + BAD.encode(), ("bad encoding declaration",),
                 id="bom-contradicts-pep263"),
]


@pytest.mark.parametrize("data, reasons", UNDECODABLE)
def test_undecodable_file_reported_and_left_alone(tree, data, reasons):
    (tree / "bad.py").write_bytes(data)
    code, findings, _ = fix()
    assert code == 1
    assert_reported(findings, "bad.py", *reasons)
    assert (tree / "bad.py").read_bytes() == data
    assert_run_went_on(tree, findings)


@pytest.mark.parametrize("data, reasons", UNDECODABLE)
def test_undecodable_bytes_through_the_library(data, reasons):
    [finding] = lint_source(data, "bad.py")
    assert finding.code == "IMS000" and any(reason in finding.message for reason in reasons)
    outcome = fix_source(data, "bad.py")
    assert [f.code for f in outcome.findings] == ["IMS000"] and outcome.source is None


def test_wrong_but_decodable_pep263_declaration_round_trips_bytes(tree):
    """UTF-8 text declared latin-1 reads as mojibake; fixing must still keep every other byte."""
    data = "# -*- coding: latin-1 -*-\n# café ☃\n".encode("utf-8") + BAD.encode()
    (tree / "bad.py").write_bytes(data)
    code, findings, _ = fix()
    assert code == 0, findings
    assert (tree / "bad.py").read_bytes() == data.replace(b"/v1.1/images/detail", b"/v2/images")


def test_utf8_bom_kept(tree):
    data = b"\xef\xbb\xbf" + "# é\n".encode() + BAD.encode()
    (tree / "bad.py").write_bytes(data)
    code, findings, _ = fix()
    assert code == 0, findings
    assert (tree / "bad.py").read_bytes() == data.replace(b"/v1.1/images/detail", b"/v2/images")


@pytest.mark.parametrize("newlines", [["\r\n"], ["\r"], ["\r\n", "\n"], ["\n", "\r", "\r\n"]],
                         ids=["crlf", "cr", "mixed-crlf-lf", "mixed-all"])
def test_line_endings_kept(tree, newlines):
    lines = BAD.split("\n")
    text = "".join(line + newlines[i % len(newlines)] for i, line in enumerate(lines[:-1]))
    (tree / "bad.py").write_bytes(text.encode())
    code, findings, _ = fix()
    assert code == 0, findings
    assert (tree / "bad.py").read_bytes() == text.replace("/v1.1/images/detail", "/v2/images").encode()


def test_ten_megabyte_string_literal(tree):
    (tree / "pyproject.toml").write_text('[tool.imslint]\nmax-file-size = "16MB"\n')  # above the default limit
    data = ('BLOB = "' + "images/detail " * (10 * 1024 * 1024 // 14) + '"\n' + BAD).encode()
    assert len(data) > 10 * 1024 * 1024
    (tree / "bad.py").write_bytes(data)
    code, findings, _ = fix()
    assert code == 0, findings
    assert (tree / "bad.py").read_bytes() == data.replace(b"/v1.1/images/detail", b"/v2/images")


# -- files above max-file-size ------------------------------------------------------------------------

def padded(size: int) -> bytes:
    """``BAD`` followed by comment lines up to ``size`` bytes."""
    line = b"# " + b"x" * 77 + b"\n"
    return BAD.encode() + line * (size // len(line) + 1)


def assert_too_large(findings, path: str) -> None:
    """One IMS000 saying the file is too large, and ``BAD``'s abandoned path found by the literal scan."""
    assert_reported(findings, path, "too large to analyse")
    assert [(f["code"], f["line"]) for f in findings[path] if f["code"] != "IMS000"] == [("IMS001", 5)]


def test_file_above_the_default_limit_is_scanned_not_parsed_and_never_written(tree):
    data = padded(DEFAULT_MAX_FILE_SIZE)
    (tree / "big.py").write_bytes(data)
    code, findings, _ = fix()
    assert code == 1
    assert_too_large(findings, "big.py")
    [problem] = [f for f in findings["big.py"] if f["code"] == "IMS000"]
    assert f"({len(data) / 2 ** 20:.1f} MB > 4 MB, the `max-file-size` limit)" in problem["message"], problem
    assert (tree / "big.py").read_bytes() == data
    assert_run_went_on(tree, findings)


def test_max_file_size_from_config_and_command_line(tree):
    data = padded(4000)
    (tree / "big.py").write_bytes(data)
    (tree / "pyproject.toml").write_text('[tool.imslint]\nmax-file-size = "2KB"\n')
    result = CliRunner().invoke(main, ["check", "-o", "json", "."])
    assert_too_large(_by_path(result.stdout), "big.py")
    result = CliRunner().invoke(main, ["fix", "-o", "json", "--max-file-size", "0", "big.py"])  # 0: no limit
    assert result.exit_code == 0, result.output
    assert (tree / "big.py").read_bytes() == data.replace(b"/v1.1/images/detail", b"/v2/images")
    result = CliRunner().invoke(main, ["check", "--max-file-size", "huge", "big.py"])
    assert result.exit_code == 2 and "--max-file-size: expected a size" in result.output


def test_file_above_the_limit_without_an_abandoned_path_is_clean(tree):
    (tree / "pyproject.toml").write_text('[tool.imslint]\nmax-file-size = "2KB"\n')
    (tree / "big.py").write_bytes(b"import os\n" + padded(4000)[len(BAD):])
    code, findings, _ = fix("big.py")
    assert code == 0 and findings == {}


def test_file_above_the_limit_through_the_library():
    data = padded(4000)
    options = EngineOptions(max_file_size=2048)
    findings = lint_source(data, "big.py", options=options)
    assert [(f.code, f.line, f.fix) for f in findings] == [("IMS000", 1, None), ("IMS001", 5, None)]
    assert findings[0].message.startswith(f"too large to analyse ({len(data) / 1024:.1f} KB > 2 KB, the `max-file-size` limit)")
    outcome = fix_source(data, "big.py", options=options)
    assert outcome.text == data.decode() and outcome.fixed == 0 and outcome.source is not None
    assert [f.code for f in outcome.findings] == ["IMS000", "IMS001"]
    assert [f.code for f in lint_source(data, "big.py", options=EngineOptions(max_file_size=0))] == ["IMS001"]


def test_large_file_skips_the_ast_screen(tmp_path):
    """The worker's ``ast`` screen would parse the file: above the limit it goes to the literal scan."""
    path = tmp_path / "big.py"
    path.write_bytes(padded(4000).replace(b"/v1.1/images/detail", b"/images"))  # weak: screened
    job = FileJob("big.py", str(path), frozenset({"IMS000", "IMS001", "IMS005"}), "huawei-ims", screen=True,
                  max_file_size=2048)
    [finding] = process_file(job).findings
    assert finding.code == "IMS000" and "too large to analyse" in finding.message


# -- nesting beyond what parsers can take ------------------------------------------------------------

DEEP = [
    pytest.param("x = " + "(" * 5000 + "1" + ")" * 5000, id="brackets-5000"),
    pytest.param("x = " + "[" * 1500 + "]" * 1500, id="lists-1500"),
    pytest.param("x = " + "+".join(["a"] * 100_000), id="sum-100000-terms"),
    pytest.param("x = (" + " ".join(['"s"'] * 20_000) + ")", id="concatenated-strings-20000"),
    pytest.param("x = " + "lambda: " * 5000 + "a", id="lambdas-5000"),
    pytest.param("x = " + "f(" * 3000 + ")" * 3000, id="calls-3000"),
    pytest.param("x = a" + ".b" * 30_000, id="attributes-30000"),
    pytest.param("".join(" " * i + "if x:\n" for i in range(150)) + " " * 150 + "pass", id="blocks-150"),
]


@pytest.mark.parametrize("code", DEEP)
def test_deep_nesting_reported_without_crash(tree, code):
    (tree / "deep.py").write_text(code + "\n" + BAD, encoding="utf-8")
    returncode, findings, _ = fix_in_subprocess()
    assert returncode == 1
    assert_reported(findings, "deep.py", "too deeply nested", "too many indentation levels")
    assert_run_went_on(tree, findings)


@pytest.mark.parametrize("code", DEEP)
def test_deep_nesting_through_the_library(code):
    process = subprocess.run(
        [sys.executable, "-c", "import sys; from linter import lint_source, fix_source\n"
         "text = sys.stdin.read(); f = lint_source(text); o = fix_source(text)\n"
         "print(*[x.code + ' ' + x.message for x in f], sep='\\n'); assert o.text == text"],
        input=code + "\n" + BAD, capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.startswith("IMS000 "), process.stdout


# Valid Python (CPython compiles it: 150 < 200 brackets), too deep for the analysis' recursion.
VALID_BUT_DEEP = "x = " + "[" * 150 + "]" * 150 + "\n" + BAD


def test_deep_but_valid_nesting_is_ims000_not_recursion_error():
    findings = lint_source(VALID_BUT_DEEP, "deep.py")
    [finding] = [f for f in findings if f.code == "IMS000"]
    assert "too deeply nested" in finding.message
    assert [f.code for f in findings if f is not finding] == ["IMS001"]  # the path in its text, no fix
    assert all(f.fix is None for f in findings)


def test_deep_but_valid_nesting_does_not_stop_the_run(tree):
    (tree / "deep.py").write_text(VALID_BUT_DEEP, encoding="utf-8")
    code, findings, _ = fix()
    assert code == 1
    assert_reported(findings, "deep.py", "too deeply nested", "RecursionError")
    assert (tree / "deep.py").read_text(encoding="utf-8") == VALID_BUT_DEEP
    assert_run_went_on(tree, findings)


# -- the file system -------------------------------------------------------------------------------


@pytest.mark.skipif(ROOT or os.name != "posix", reason="root reads any file")
def test_unreadable_file(tree):
    (tree / "secret.py").write_text(BAD, encoding="utf-8")
    (tree / "secret.py").chmod(0)
    try:
        code, findings, _ = fix()
    finally:
        (tree / "secret.py").chmod(0o644)
    assert code == 1
    assert_reported(findings, "secret.py", "Permission denied")
    assert (tree / "secret.py").read_text(encoding="utf-8") == BAD
    assert_run_went_on(tree, findings)


def test_unreadable_file_injected(tree, monkeypatch):
    """The same through an injected EACCES, so it runs as root too."""
    (tree / "secret.py").write_text(BAD, encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    with monkeypatch.context() as patches:
        patches.setattr(builtins, "open", guarded_open)
        code, findings, _ = fix()
    assert code == 1
    assert_reported(findings, "secret.py", "Permission denied")
    assert_run_went_on(tree, findings)


def test_file_unreadable_only_when_processed(tmp_path):
    """Discovery saw a file; by the time it is read it is gone or a directory."""
    (tmp_path / "gone.py").mkdir()
    for name in ("gone.py", "missing.py"):
        report = process_file(FileJob(name, str(tmp_path / name), frozenset({"IMS001"}), "huawei-ims", FIX))
        [finding] = report.findings
        assert finding.code == "IMS000" and finding.message.startswith("cannot be read: ") and not report.written


def test_directory_named_like_a_python_file(tree):
    (tree / "x.py").mkdir()
    (tree / "x.py" / "inner.py").write_text(BAD, encoding="utf-8")
    code, findings, _ = fix()
    assert code == 0, findings
    assert (tree / "x.py" / "inner.py").read_text(encoding="utf-8") == GOOD
    code, findings, _ = fix("x.py")  # named on the command line, it is still a directory
    assert code == 0 and findings == {}
    assert_run_went_on(tree, findings)


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_broken_and_looping_symlinks(tree):
    (tree / "broken.py").symlink_to(tree / "nowhere.py")
    (tree / "loop.py").symlink_to(tree / "loop.py")
    (tree / "a.py").symlink_to(tree / "b.py")
    (tree / "b.py").symlink_to(tree / "a.py")
    (tree / "sub").mkdir()
    (tree / "sub" / "up").symlink_to(tree)
    code, findings, _ = fix()
    assert code == 1
    assert_reported(findings, "broken.py", "broken symbolic link")
    for name in ("loop.py", "a.py", "b.py"):
        assert_reported(findings, name, "symbolic link loop")
    assert_reported(findings, os.path.join("sub", "up"), "symbolic link loop")
    assert_run_went_on(tree, findings)


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_links_out_of_the_root_not_followed(tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.py").write_text(BAD, encoding="utf-8")
    (tree / "evil.py").symlink_to(outside / "evil.py")
    (tree / "elsewhere").symlink_to(outside, target_is_directory=True)
    code, findings, _ = fix()
    assert code == 0, findings
    assert (outside / "evil.py").read_text(encoding="utf-8") == BAD
    assert_run_went_on(tree, findings)


def test_file_changed_between_read_and_write(tree, monkeypatch):
    """Someone saves the file while imslint works on it: their version wins, and it is said."""
    import linter.runner

    theirs = BAD + "# edited meanwhile\n"
    real_fix_source = linter.runner.fix_source

    def fix_source_meanwhile(data, path, **kwargs):
        outcome = real_fix_source(data, path, **kwargs)
        if path.endswith("bad.py"):
            (tree / "bad.py").write_text(theirs, encoding="utf-8")
        return outcome

    (tree / "bad.py").write_text(BAD, encoding="utf-8")
    monkeypatch.setattr(linter.runner, "fix_source", fix_source_meanwhile)
    code, findings, _ = fix()
    assert code == 1
    assert_not_written(findings, "bad.py", "changed while imslint was fixing it")
    assert (tree / "bad.py").read_text(encoding="utf-8") == theirs
    assert not list(tree.glob(".imslint-*"))
    assert_run_went_on(tree, findings)


def test_read_only_file_under_fix(tree):
    (tree / "frozen.py").write_text(BAD, encoding="utf-8")
    (tree / "frozen.py").chmod(0o444)
    code, findings, output = fix()
    assert code == 1
    assert_not_written(findings, "frozen.py", "read-only")
    assert (tree / "frozen.py").read_text(encoding="utf-8") == BAD
    assert (tree / "frozen.py").stat().st_mode & 0o777 == 0o444
    assert not list(tree.glob(".imslint-*"))
    assert_run_went_on(tree, findings)


def test_text_output_names_file_and_reason(tree):
    (tree / "bad.py").write_bytes(b"x = 1\x00\n")
    result = CliRunner().invoke(main, ["fix", "."], catch_exceptions=False)
    assert result.exit_code == 1
    assert "bad.py:1:1: IMS000" in result.output and "NUL" in result.output
