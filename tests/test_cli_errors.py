"""Errors a user can make are messages: one line on stderr, exit 2, never a traceback, nothing
on stdout and nothing changed on disk; with every command and output option, ``--exit-zero``
included (it silences findings, not errors)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from linter.cli import main

# A request whose safe fix is the path alone: the first image's name needs no page loop.
BAD = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'


def _sys_is_writable() -> bool:
    try:
        with open("/sys/imslint-probe.json", "w"):
            pass
    except OSError:
        return False
    os.unlink("/sys/imslint-probe.json")
    return True


UNWRITABLE = os.name == "posix" and os.path.isdir("/sys") and not _sys_is_writable()

# (arguments, what the line must say); every case also names bad.py (fixable), which must stay
# as it is: an error stops the run before any file is written.
ERRORS = {
    "output-file-in-missing-directory": (["--output-file", "missing/report.json"], "no such file or directory"),
    "output-file-under-a-file": (["--output-file", "bad.py/report.json"], "not a directory"),
    "output-file-is-a-directory": (["--output-file", "sub"], "is a directory"),
    "output-file-unwritable": (["--output-file", "/sys/imslint-report.json"], "permission denied"),
    "config-missing": (["--config", "missing.toml"], "config file not found"),
    "config-is-a-directory": (["--config", "sub"], "is a directory"),
    "config-not-utf8": (["--config", "latin1.toml"], "not UTF-8"),
    "config-invalid-toml": (["--config", "broken.toml"], "invalid TOML"),
    "config-bad-key": (["--config", "typo.toml"], "unknown key 'selct'"),
    "pyproject-found-unreadable": (["sub"], "sub/pyproject.toml: cannot read: not UTF-8"),
    "path-missing": (["missing.py"], "no such file or directory: missing.py"),
    "path-missing-among-others": (["missing.py", "gone", "latin1.toml"], "no such file or directory: missing.py, gone"),
    "unknown-output-format": (["--output-format", "yaml"], "unknown output format 'yaml'"),
}
COMMANDS = {
    "check": ["check"],
    "fix": ["fix"],
    "check-fix": ["check", "--fix"],
    "diff": ["fix", "--diff"],
    "fix-only": ["check", "--fix-only"],
}
EXTRAS = {
    "plain": [],
    "exit-zero": ["--exit-zero"],
    "machine": ["-o", "json", "--statistics", "--show-fixes", "--verbose", "--unsafe-fixes"],
    "quiet": ["--quiet", "--exit-zero", "--color"],
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / "bad.py").write_text(BAD, encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "pyproject.toml").write_bytes(b'[tool.imslint]\nselect = ["\xff"]\n')
    (root / "latin1.toml").write_bytes(b'# caf\xe9\nselect = ["IMS001"]\n')
    (root / "broken.toml").write_text("select = [\n")
    (root / "typo.toml").write_text('selct = ["IMS001"]\n')
    monkeypatch.chdir(root)
    return root


def _arguments(command, extra, error):
    arguments, expected = ERRORS[error]
    extra = [option for option in EXTRAS[extra] if not (command == "diff" and option == "--statistics")]
    if error == "unknown-output-format":
        extra = [option for option in extra if option not in ("-o", "json")]
    return [*COMMANDS[command], *extra, *arguments, "bad.py"], expected


@pytest.mark.parametrize("extra", sorted(EXTRAS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("error", sorted(ERRORS))
def test_error_is_one_line_and_exit_two(project, error, command, extra):
    if error == "output-file-unwritable" and not UNWRITABLE:
        pytest.skip("no unwritable directory to write to here")
    arguments, expected = _arguments(command, extra, error)
    before = sorted((path, path.read_bytes()) for path in project.rglob("*") if path.is_file())
    result = CliRunner().invoke(main, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("imslint: ") and expected in lines[0], result.stderr
    after = sorted((path, path.read_bytes()) for path in project.rglob("*") if path.is_file())
    assert after == before, "an error run changed or created files"


@pytest.mark.parametrize("error", sorted(ERRORS))
def test_no_traceback_from_a_real_process(project, error):
    if error == "output-file-unwritable" and not UNWRITABLE:
        pytest.skip("no unwritable directory to write to here")
    arguments, expected = _arguments("fix", "exit-zero", error)
    process = subprocess.run([sys.executable, "-m", "linter", *arguments], capture_output=True, text=True, timeout=120)
    assert process.returncode == 2, process.stderr
    assert process.stdout == "" and "Traceback" not in process.stderr
    assert process.stderr.count("\n") == 1 and expected in process.stderr


def test_an_internal_error_is_one_line_too(project, monkeypatch):
    import linter.command

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(linter.command, "_compose", broken)
    result = CliRunner().invoke(main, ["check", "--exit-zero", "bad.py"])
    assert result.exit_code == 2
    assert result.stderr == "imslint: internal error: RuntimeError('boom') (--verbose shows the traceback)\n"
    verbose = CliRunner().invoke(main, ["check", "--verbose", "bad.py"])
    assert verbose.exit_code == 2 and "Traceback" in verbose.stderr and "RuntimeError: boom" in verbose.stderr
