"""``imslint fix --interactive`` driven through a real pseudo-terminal (pexpect): no input is mocked."""
from __future__ import annotations

import os
import shutil
import sys

import pytest
from click.testing import CliRunner

from linter.cli import main

pexpect = pytest.importorskip("pexpect", reason="pexpect is in the test extras: pip install -e '.[test]'")

APP = '''import requests


def first(ep):
    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]


def second(ep):
    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "raw"}).json()["images"][0]["name"]


def changed(ep):
    return requests.get(ep + "/v1.1/images/detail", params={"changes-since": "2024-01-01T00:00:00"}).json()["images"][0]["name"]
'''
SAFE_PROMPT = r"Apply this fix\? \[y\]es \[n\]o \[a\]ll \[q\]uit"
UNSAFE_PROMPT = r"Apply this unsafe fix\? \[y\]es \[n\]o \[a\]ll \[q\]uit"
IMSLINT = [sys.executable, "-m", "linter"]


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def spawn(project, *args):
    env = dict(os.environ, NO_COLOR="1", IMSLINT_NO_CACHE="1")
    env.pop("FORCE_COLOR", None)
    child = pexpect.spawn(IMSLINT[0], [*IMSLINT[1:], "fix", "--interactive", *args, "app.py"], cwd=str(project),
                          env=env, encoding="utf-8", timeout=60, dimensions=(60, 220))
    return child


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def fixed_by_fix(project, tmp_path_factory, *options) -> str:
    """What plain `imslint fix` makes of the same file."""
    copy = tmp_path_factory.mktemp("plain")
    shutil.copy(project / "app.py", copy / "app.py")
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        CliRunner().invoke(main, ["fix", "--no-cache", *options, "app.py"], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return (copy / "app.py").read_text()


def test_each_fix_is_shown_with_its_diff_safety_and_evidence(project):
    child = spawn(project)
    child.expect(SAFE_PROMPT)
    shown = child.before
    assert "app.py:5:25" in shown
    assert "IMS001 [*] `GET /v1.1/images/detail` is abandoned" in shown
    assert "safe fix: Rewrite to `GET /v2/images`" in shown
    assert "method: GET (`requests.get`)" in shown and "role: client-request" in shown and "fix: safe (" in shown
    assert "--- a/app.py" in shown and "+++ b/app.py" in shown
    assert '-    return requests.get(f"{ep}/v1.1/images/detail"' in shown
    assert '+    return requests.get(f"{ep}/v2/images"' in shown
    assert shown.count("\n+    return") == 1  # the diff of that fix alone
    child.sendline("q")
    assert finish(child) == 1
    assert (project / "app.py").read_text() == APP  # quit before any yes: nothing written


def test_yes_no_and_relint_between_fixes(project, tmp_path_factory):
    child = spawn(project)
    child.expect(SAFE_PROMPT)
    child.sendline("y")
    child.expect(SAFE_PROMPT)  # the second fix, linted again on the new text
    assert "app.py:9:25" in child.before
    child.sendline("yes")
    child.expect(UNSAFE_PROMPT)
    assert "UNSAFE fix" in child.before and "fix: unsafe (" in child.before
    child.sendline("n")
    child.expect("Applied 2 fixes to 1 file; declined 1.")
    assert finish(child) == 1  # the unsafe finding is left
    assert (project / "app.py").read_text() == fixed_by_fix(project, tmp_path_factory)


def test_all_applies_the_safe_fixes_but_still_asks_for_unsafe_ones(project, tmp_path_factory):
    child = spawn(project)
    child.expect(SAFE_PROMPT)
    child.sendline("a")
    child.expect(UNSAFE_PROMPT)  # "all" does not cover an unsafe fix without --unsafe-fixes
    assert "applied: app.py:9:" in child.before
    child.sendline("y")
    child.expect(r"Applied 3 fixes \(1 unsafe\) to 1 file; declined 0\.")
    assert "All checks passed!" in child.read()
    child.close()
    assert child.exitstatus == 0
    assert (project / "app.py").read_text() == fixed_by_fix(project, tmp_path_factory, "--unsafe-fixes")


def test_all_with_unsafe_fixes_covers_them(project, tmp_path_factory):
    child = spawn(project, "--unsafe-fixes")
    child.expect(SAFE_PROMPT)
    child.sendline("a")
    child.expect(r"Applied 3 fixes \(1 unsafe\) to 1 file; declined 0\.")
    assert "Apply this unsafe fix" not in child.before
    assert finish(child) == 0
    assert (project / "app.py").read_text() == fixed_by_fix(project, tmp_path_factory, "--unsafe-fixes")


def test_an_unknown_answer_asks_again_and_end_of_input_quits(project):
    child = spawn(project)
    child.expect(SAFE_PROMPT)
    child.sendline("maybe")
    child.expect("Answer y \\(apply\\), n \\(skip\\), a \\(apply this and all later ones\\) or q \\(stop\\).")
    child.expect(SAFE_PROMPT)
    child.sendeof()
    child.expect("Applied 0 fixes to 0 files; declined 0.")
    assert finish(child) == 1
    assert (project / "app.py").read_text() == APP


def test_a_file_changed_during_the_review_is_not_overwritten(project):
    child = spawn(project)
    child.expect(SAFE_PROMPT)
    (project / "app.py").write_text(APP + "\n# edited meanwhile\n")
    child.sendline("y")
    child.expect("changed on disk during the review")
    child.sendline("q")
    finish(child)
    assert (project / "app.py").read_text().endswith("# edited meanwhile\n")


def test_interactive_needs_a_terminal(project, monkeypatch):
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["fix", "--interactive", "app.py"], input="y\n")
    assert result.exit_code == 2
    assert "--interactive asks before each fix: standard input must be a terminal" in result.stderr
    assert (project / "app.py").read_text() == APP


@pytest.mark.parametrize("args, message", [
    (("check", "--interactive"), "use `imslint fix --interactive`"),
    (("fix", "--interactive", "--diff"), "cannot be used with"),
    (("fix", "--interactive", "-o", "json"), "shows each fix as text"),
])
def test_interactive_conflicts(project, monkeypatch, args, message):
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, [*args, "app.py"])
    assert result.exit_code == 2 and message in result.stderr
