"""The command line through click's CliRunner: exit codes, outputs, fix and its guarantees."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from linter.cli import main

# A request whose safe fix is the path alone: the first image's name needs no page loop.
BAD = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
GOOD = BAD.replace("/v1.1/images/detail", "/v2/images")
UNSAFE = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"changes-since": "2024-01-01T00:00:00"})\n'
NO_FIX = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_max": 10})\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write(path, content, mode="w", **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, **kwargs)
    return path


def test_check_clean_exits_zero(project):
    write(project / "ok.py", GOOD)
    result = invoke("check", ".")
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.output


def test_check_findings_exit_one_with_ruff_like_lines(project):
    write(project / "pkg" / "bad.py", BAD)
    result = invoke("check", "pkg")
    assert result.exit_code == 1
    assert "pkg/bad.py:5:25: IMS001 [*] `GET /v1.1/images/detail` is abandoned" in result.output
    assert "Found 1 finding" in result.output


def test_exit_zero(project):
    write(project / "bad.py", BAD)
    assert invoke("check", "--exit-zero", "bad.py").exit_code == 0


def test_json_output_has_contract_fields(project):
    write(project / "bad.py", UNSAFE)
    result = invoke("check", "--output-format", "json", "bad.py")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert {f["code"] for f in findings} == {"IMS001", "IMS002"}
    for finding in findings:
        for key in ("path", "line", "column", "end_line", "end_column", "code", "name", "message", "severity", "fix"):
            assert key in finding
        assert finding["path"] == "bad.py"
        assert finding["fix"]["applicability"] == "unsafe"
        assert finding["fix"]["message"].startswith("Rewrite to `GET /v2/images`")


def test_json_fix_null_when_no_fix(project):
    write(project / "bad.py", NO_FIX)
    findings = json.loads(invoke("check", "-o", "json", "bad.py").stdout)
    assert all(f["fix"] is None for f in findings)


def test_unknown_output_format_exits_two(project):
    write(project / "ok.py", GOOD)
    result = invoke("check", "-o", "yaml", "ok.py")
    assert result.exit_code == 2


def test_select_and_ignore(project):
    write(project / "bad.py", UNSAFE)
    only_two = json.loads(invoke("check", "-o", "json", "--select", "IMS002", "bad.py").stdout)
    assert {f["code"] for f in only_two} == {"IMS002"}
    assert invoke("check", "--ignore", "IMS001,IMS002", "bad.py").exit_code == 0


def test_bad_config_exits_two_naming_key_and_file(project):
    write(project / "pyproject.toml", "[tool.imslint]\nselct = ['IMS001']\n")
    write(project / "bad.py", BAD)
    result = CliRunner().invoke(main, ["check", "bad.py"])
    assert result.exit_code == 2
    assert "selct" in result.output and "pyproject.toml" in result.output


def test_fix_writes_and_is_idempotent(project):
    path = write(project / "bad.py", BAD)
    first = invoke("fix", "bad.py")
    assert first.exit_code == 0, first.output
    assert path.read_text() == GOOD
    second = invoke("fix", "bad.py")
    assert second.exit_code == 0
    assert path.read_text() == GOOD


def test_fix_diff_writes_nothing(project):
    path = write(project / "bad.py", BAD)
    result = invoke("fix", "--diff", "bad.py")
    assert result.exit_code == 1
    assert "--- a/bad.py" in result.output and "+++ b/bad.py" in result.output
    assert '+    return requests.get(f"{ep}/v2/images"' in result.output
    assert path.read_text() == BAD


def test_unsafe_fix_needs_flag(project):
    path = write(project / "bad.py", UNSAFE)
    assert invoke("fix", "bad.py").exit_code == 1
    assert path.read_text() == UNSAFE
    result = invoke("fix", "--unsafe-fixes", "bad.py")
    assert '"updated_at": "gt:2024-01-01T00:00:00Z"' in path.read_text()
    assert "/v2/images" in path.read_text()
    assert result.exit_code == 0


def test_fix_exits_one_when_findings_remain(project):
    path = write(project / "bad.py", NO_FIX)
    result = invoke("fix", "bad.py")
    assert result.exit_code == 1
    assert path.read_text() == NO_FIX


def test_crlf_latin1_and_bom_survive_fix(project):
    crlf = write(project / "crlf.py", BAD.replace("\n", "\r\n").encode(), mode="wb")
    latin = write(
        project / "latin.py",
        ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + BAD).encode("latin-1"),
        mode="wb",
    )
    bom = write(project / "bom.py", b"\xef\xbb\xbf" + BAD.encode(), mode="wb")
    assert invoke("fix", ".").exit_code == 0
    assert crlf.read_bytes() == GOOD.replace("\n", "\r\n").encode()
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + GOOD).encode("latin-1")
    assert bom.read_bytes() == b"\xef\xbb\xbf" + GOOD.encode()


def test_fix_keeps_mode_bits(project):
    path = write(project / "bad.py", BAD)
    os.chmod(path, 0o751)
    invoke("fix", "bad.py")
    assert os.stat(path).st_mode & 0o777 == 0o751


def test_unreadable_files_reported_and_run_goes_on(project):
    # A syntax error is reported in a file that can hold a finding (others are never parsed).
    write(project / "broken.py", 'requests.get(EP + "/v1.1/images/detail"\n')
    write(project / "binary.py", b"images\x00\xff", mode="wb")
    write(project / "bad.py", BAD)
    result = invoke("check", "-o", "json", ".")
    assert result.exit_code == 1
    by_path = {}
    for finding in json.loads(result.stdout):
        by_path.setdefault(finding["path"], []).append(finding["code"])
    assert sorted(by_path["broken.py"]) == ["IMS000", "IMS001"]  # the literal scan still finds the path
    assert by_path["binary.py"] == ["IMS000"]
    assert by_path["bad.py"] == ["IMS001"]


def test_stdin_check_and_fix(project):
    checked = invoke("check", "--stdin-filename", "src/app.py", "-", input=BAD)
    assert checked.exit_code == 1
    assert "src/app.py:5:25: IMS001" in checked.output
    fixed = CliRunner().invoke(main, ["fix", "--stdin-filename", "src/app.py", "-"], input=BAD)
    assert fixed.stdout.startswith(GOOD)


def test_force_exclude_applies_to_the_stdin_filename(project):
    write(project / "pyproject.toml", '[tool.imslint]\nextend-exclude = ["build"]\n')
    excluded = invoke("check", "--force-exclude", "--stdin-filename", "build/app.py", "-", input=BAD)
    assert excluded.exit_code == 0 and "IMS001" not in excluded.stdout and "0 files checked" in excluded.output
    fixed = CliRunner().invoke(main, ["fix", "--force-exclude", "--stdin-filename", "build/app.py", "-"], input=BAD)
    assert fixed.exit_code == 0 and fixed.stdout == BAD  # an editor's buffer comes back as it was
    assert invoke("check", "--stdin-filename", "build/app.py", "-", input=BAD).exit_code == 1  # named: linted
    kept = invoke("check", "--force-exclude", "--stdin-filename", "src/app.py", "-", input=BAD)
    assert kept.exit_code == 1 and "src/app.py:5:25: IMS001" in kept.output


def test_statistics(project):
    write(project / "bad.py", UNSAFE)
    result = invoke("check", "--statistics", "bad.py")
    assert "IMS001" in result.output and "IMS002" in result.output


def test_noqa_suppresses(project):
    write(project / "bad.py", BAD.replace('["name"]\n', '["name"]  # noqa: IMS001\n'))
    assert invoke("check", "bad.py").exit_code == 0
    write(project / "bad.py", BAD.replace('["name"]\n', '["name"]  # noqa: E501\n'))
    assert invoke("check", "bad.py").exit_code == 1


def test_rules_and_explain():
    listing = invoke("rules")
    assert "IMS001" in listing.output and "IMS002" in listing.output and "IMS000" in listing.output
    rules_json = json.loads(invoke("rules", "-o", "json").stdout)
    assert {"IMS000", "IMS001", "IMS002"} <= {rule["code"] for rule in rules_json}
    explained = invoke("explain", "ims001")
    assert explained.exit_code == 0
    assert "/v2/images" in explained.output and "is fixed to" in explained.output
    assert "accepted" in explained.output  # the shared-image difference is documented
    assert CliRunner().invoke(main, ["explain", "IMS999"]).exit_code == 2


def test_output_file(project):
    write(project / "bad.py", BAD)
    invoke("check", "-o", "json", "--output-file", "report.json", "bad.py")
    assert json.loads((project / "report.json").read_text())[0]["code"] == "IMS001"


def test_colour_only_when_asked_or_on_a_terminal(project, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    write(project / "bad.py", BAD)
    plain = invoke("check", "bad.py")
    assert "\x1b[" not in plain.output  # CliRunner's stdout is not a terminal
    coloured = invoke("check", "--color", "bad.py")
    assert "\x1b[" in coloured.output
    from linter.output import use_color

    class Terminal:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    assert use_color(None, Terminal(), {}) is True and use_color(None, Pipe(), {}) is False
    assert use_color(None, Terminal(), {"NO_COLOR": "1"}) is False
    assert use_color(None, Terminal(), {"NO_COLOR": ""}) is True  # empty: unset (no-color.org)
    assert use_color(None, Pipe(), {"FORCE_COLOR": "1"}) is True
    assert use_color(None, Pipe(), {"FORCE_COLOR": ""}) is False  # empty: unset (force-color.org)
    assert use_color(None, Pipe(), {"FORCE_COLOR": "1", "NO_COLOR": "1"}) is True
    assert use_color(False, Terminal(), {"FORCE_COLOR": "1"}) is False  # the flag wins
    assert use_color(True, Pipe(), {"NO_COLOR": "1"}) is True
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in invoke("check", "bad.py").stdout
    assert "\x1b[" not in invoke("check", "--no-color", "bad.py").stdout
    for fmt in ("json", "sarif", "github", "gitlab", "junit", "json-lines", "concise"):
        assert "\x1b[" not in invoke("check", "-o", fmt, "bad.py").stdout, fmt  # never in machine output
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in invoke("check", "bad.py").stdout
    assert "\x1b[" not in invoke("check", "--output-file", "report.txt", "bad.py").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    invoke("check", "--output-file", "report.txt", "bad.py")
    assert "\x1b[" not in (project / "report.txt").read_text()  # a file only with --color


def test_progress_only_on_a_terminal_and_cleared():
    import io

    from linter.progress import Progress

    stream = io.StringIO()
    progress = Progress(enabled=True, stream=stream, interval=0)
    progress.advance("a.py")
    progress.advance("b.py")
    progress.close()
    assert "2 files checked" in stream.getvalue() and stream.getvalue().endswith("\r\x1b[2K")
    silent = io.StringIO()
    quiet = Progress(enabled=False, stream=silent, interval=0)
    quiet.advance("a.py")
    quiet.close()
    assert silent.getvalue() == ""


def test_summary_line_counts_files_and_time(project):
    write(project / "bad.py", BAD)
    write(project / "ok.py", GOOD)
    result = invoke("check", ".")
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Found 1 finding in 1 file (2 files checked, ") and "s)" in last
    assert "1 fixable with `imslint fix`" in last
    assert invoke("check", "--quiet", ".").output.strip().splitlines()[-1].startswith("bad.py:")


def test_show_fixes(project):
    write(project / "bad.py", UNSAFE)
    result = invoke("check", "--show-fixes", "bad.py")
    assert "Rewrite to `GET /v2/images`" in result.output


def test_rules_use_the_one_marker_vocabulary():
    """`imslint rules` marks a rule [*] when its examples show a safe fix, [-] when they show
    only unsafe ones, nothing when it has no fix: the markers of finding lines and statistics."""
    from linter.registry import all_rules

    listed = {line.split()[0]: line for line in invoke("rules").output.splitlines()}
    by_json = {rule["code"]: rule for rule in json.loads(invoke("rules", "-o", "json").stdout)}
    for rule in all_rules():
        fixed = [example for example in rule.INVALID if example.fixed is not None]
        safe = any(not example.unsafe for example in fixed)
        expected = "[*]" if safe else "[-]" if fixed else ""
        assert listed[rule.code].split("  ")[1].strip() == expected, listed[rule.code]
        assert by_json[rule.code]["fix"] == {"[*]": "safe", "[-]": "unsafe", "": None}[expected]
    assert listed["IMS000"].split("  ")[1].strip() == "" and by_json["IMS000"]["fix"] is None
    assert listed["IMS002"].split("  ")[1] == "[-]" and listed["IMS006"].split("  ")[1].strip() == ""
