"""Ruff habits work: ``check --fix``, ``--unsafe-fixes``, ``--diff``, ``--fix-only``,
``--exit-non-zero-on-fix``, ``--stdin-filename`` without ``-``, ``--show-files``,
``--show-settings``. (Colour: ``test_cli``; machine output and ``--diff``: ``test_machine_output``.)
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from linter.cli import main

SAFE = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
SAFE_FIXED = SAFE.replace("/v1.1/images/detail", "/v2/images")
UNSAFE = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"changes-since": "2024-01-01T00:00:00"})\n'
NO_FIX = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_max": 10})\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return root


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write(project, **files):
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")


# -- check --fix, --unsafe-fixes ----------------------------------------------------------------------


def test_check_fix_is_fix(project):
    write(project, **{"a.py": SAFE})
    result = invoke("check", "--fix", "a.py")
    assert result.exit_code == 0, result.output
    assert (project / "a.py").read_text() == SAFE_FIXED
    assert result.stdout.startswith("Fixed 1 finding. All checks passed!")
    write(project, **{"b.py": NO_FIX})
    assert invoke("check", "--fix", "b.py").exit_code == 1  # findings left: exit 1, as `fix`
    assert (project / "b.py").read_text() == NO_FIX


def test_unsafe_fixes_shows_and_only_applies_with_fix(project):
    write(project, **{"u.py": UNSAFE})
    shown = invoke("check", "--unsafe-fixes", "u.py")
    assert shown.exit_code == 1
    assert (project / "u.py").read_text() == UNSAFE  # without --fix nothing is written
    assert "2 fixable with `imslint fix --unsafe-fixes`" in shown.stdout
    assert "IMS001 [-] " in shown.stdout  # the marker names the fix, whatever the options
    applied = invoke("check", "--fix", "--unsafe-fixes", "u.py")
    assert applied.exit_code == 0, applied.output
    assert "/v2/images" in (project / "u.py").read_text()


def test_no_unsafe_fixes_beats_the_config(project):
    write(project, **{"u.py": UNSAFE, "pyproject.toml": "[tool.imslint]\nunsafe-fixes = true\n"})
    assert invoke("check", "--fix", "--no-unsafe-fixes", "u.py").exit_code == 1
    assert (project / "u.py").read_text() == UNSAFE
    assert invoke("check", "--fix", "u.py").exit_code == 0
    assert "/v2/images" in (project / "u.py").read_text()


def test_unsafe_fixes_follow_each_files_config(project):
    """``unsafe-fixes = true`` in the top config does not leak into a subproject whose own
    config leaves it off (only the command-line flag applies everywhere)."""
    write(project, **{"u.py": UNSAFE, "pyproject.toml": "[tool.imslint]\nunsafe-fixes = true\n"})
    (project / "sub").mkdir()
    write(project / "sub", **{"u.py": UNSAFE, "pyproject.toml": "[tool.imslint]\n"})
    invoke("fix", ".")
    assert "/v2/images" in (project / "u.py").read_text()
    assert (project / "sub" / "u.py").read_text() == UNSAFE
    invoke("fix", "--unsafe-fixes", ".")
    assert "/v2/images" in (project / "sub" / "u.py").read_text()


def test_check_diff_is_fix_diff(project):
    write(project, **{"a.py": SAFE, "b.py": NO_FIX})
    check_diff = invoke("check", "--diff", ".")
    assert (check_diff.exit_code, check_diff.stdout) == (1, invoke("fix", "--diff", ".").stdout)
    assert check_diff.stdout.startswith("--- a/a.py\n") and "b.py" not in check_diff.stdout
    assert invoke("check", "--fix", "--diff", ".").stdout == check_diff.stdout  # --diff: nothing written
    assert (project / "a.py").read_text() == SAFE


# -- --fix-only, --exit-non-zero-on-fix -----------------------------------------------------------------


def test_fix_only_fixes_and_keeps_quiet_about_leftovers(project):
    write(project, **{"a.py": SAFE, "b.py": NO_FIX})
    result = invoke("check", "--fix-only", ".")
    assert result.exit_code == 0, result.output
    assert (project / "a.py").read_text() == SAFE_FIXED and (project / "b.py").read_text() == NO_FIX
    assert result.stdout == "Fixed 1 finding in 1 file.\n"
    again = invoke("fix", "--fix-only", ".")
    assert (again.exit_code, again.stdout) == (0, "No fixes applied.\n")


def test_fix_only_reports_a_file_it_could_not_write(project):
    write(project, **{"a.py": SAFE})
    (project / "a.py").chmod(0o444)
    result = invoke("check", "--fix-only", "--output-format", "concise", ".")
    assert result.exit_code == 1
    assert result.stdout.startswith("a.py:1:1: IMS000 not fixed: ")
    assert "IMS001" not in result.stdout and "No fixes applied." in result.stdout


@pytest.mark.parametrize("command", [["check", "--fix"], ["fix"], ["check", "--fix-only"]])
def test_exit_non_zero_on_fix(project, command):
    write(project, **{"a.py": SAFE})
    assert invoke(*command, "a.py").exit_code == 0
    write(project, **{"a.py": SAFE})
    assert invoke(*command, "--exit-non-zero-on-fix", "a.py").exit_code == 1  # nothing left, but fixed
    assert (project / "a.py").read_text() == SAFE_FIXED
    assert invoke(*command, "--exit-non-zero-on-fix", "a.py").exit_code == 0  # nothing to fix


def test_exit_zero_and_exit_non_zero_on_fix_conflict(project):
    write(project, **{"a.py": SAFE})
    result = invoke("check", "--fix", "--exit-zero", "--exit-non-zero-on-fix", "a.py")
    assert result.exit_code == 2
    assert result.stderr == "imslint: --exit-zero cannot be used with --exit-non-zero-on-fix\n"
    assert (project / "a.py").read_text() == SAFE


# -- --stdin-filename -------------------------------------------------------------------------------------


def test_stdin_filename_reads_stdin_without_a_dash(project):
    write(project, **{"other.py": SAFE})  # would be found if the working directory were linted
    clean = invoke("check", "--stdin-filename", "src/app.py", input=SAFE_FIXED)
    assert clean.exit_code == 0, clean.output
    assert "other.py" not in clean.output and "1 file checked" in clean.stdout
    flagged = invoke("check", "--stdin-filename", "src/app.py", "-o", "json", input=SAFE)
    assert [(f["path"], f["code"]) for f in json.loads(flagged.stdout)] == [("src/app.py", "IMS001")]
    fixed = invoke("fix", "--stdin-filename", "src/app.py", input=SAFE)
    assert fixed.stdout == SAFE_FIXED and fixed.exit_code == 0
    assert "Fixed 1 finding." in fixed.stderr
    only = invoke("check", "--fix-only", "--stdin-filename", "src/app.py", input=NO_FIX)
    assert only.stdout == NO_FIX and only.exit_code == 0
    assert (project / "other.py").read_text() == SAFE


def test_stdin_filename_with_paths_warns_and_reads_stdin(project):
    write(project, **{"other.py": SAFE})
    result = invoke("check", "--stdin-filename", "app.py", "other.py", input=SAFE_FIXED)
    assert result.exit_code == 0
    assert result.stderr.startswith("imslint: warning: ignoring other.py: standard input is read instead")
    assert "other.py" not in result.stdout


def test_stdin_per_file_ignores_follow_the_name(project):
    write(project, **{"pyproject.toml": '[tool.imslint]\nper-file-ignores = {"tests/*" = ["IMS001"]}\n'})
    assert invoke("check", "--stdin-filename", "tests/test_x.py", input=SAFE).exit_code == 0
    assert invoke("check", "--stdin-filename", "src/x.py", input=SAFE).exit_code == 1


# -- -o, --show-files, --show-settings ---------------------------------------------------------------------


def test_short_o_is_the_output_format(project):
    write(project, **{"a.py": SAFE})
    result = invoke("check", "-o", "json", "a.py")
    assert json.loads(result.stdout)[0]["code"] == "IMS001"
    assert not (project / "json").exists()  # not Ruff's -o FILE


def test_show_files_lists_what_would_be_checked(project):
    write(project, **{"a.py": SAFE, "pyproject.toml": '[tool.imslint]\nextend-exclude = ["skipped"]\n'})
    (project / "pkg").mkdir()
    write(project / "pkg", **{"b.py": NO_FIX, "notes.txt": "x"})
    (project / "skipped").mkdir()
    write(project / "skipped", **{"c.py": SAFE})
    result = invoke("check", "--show-files", ".")
    assert result.exit_code == 0, result.output  # nothing is linted: findings do not count
    assert result.stdout == "a.py\npkg/b.py\n"
    listed = invoke("check", "--show-files", "-o", "json", ".")
    assert json.loads(listed.stdout) == ["a.py", "pkg/b.py"]
    assert (project / "a.py").read_text() == SAFE


def test_show_settings_of_the_first_file(project):
    write(project, **{"pyproject.toml": '[tool.imslint]\nignore = ["IMS004"]\ntarget = "openstack-glance"\n'
                                        'per-file-ignores = {"tests/*" = ["IMS001"]}\n'})
    (project / "tests").mkdir()
    write(project / "tests", **{"test_a.py": SAFE})
    text = invoke("check", "--show-settings", "tests")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[:2] == ["Resolved settings for: tests/test_a.py", "Config file: pyproject.toml"]
    assert 'target = "openstack-glance"' in lines
    described = json.loads(invoke("check", "--show-settings", "-o", "json", "tests").stdout)
    assert described["file"] == "tests/test_a.py" and described["config-file"] == "pyproject.toml"
    assert "IMS004" not in described["select"] and "IMS001" in described["select"]
    assert "IMS001" not in described["codes-for-file"]  # the per-file ignore applies
    assert described["per-file-ignores"] == [{"patterns": ["tests/*"], "codes": ["IMS001"]}]
    assert described["max-file-size"] == 4 * 1024 * 1024


@pytest.mark.parametrize("options", [
    ["--show-files", "--show-settings"],
    ["--show-files", "--statistics"],
    ["--show-settings", "--stdin-filename", "a.py"],
    ["--show-files", "-o", "sarif"],
    ["--diff", "--statistics"],
])
def test_conflicting_options_one_line_exit_two(project, options):
    write(project, **{"a.py": SAFE})
    result = invoke("check", *options, "a.py", input="")
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1 and result.stderr.startswith("imslint: ")
    assert (project / "a.py").read_text() == SAFE
