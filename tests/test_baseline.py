"""``--write-baseline`` / ``--baseline``: a ratchet that fails on new findings only."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from linter.cli import main

OLD = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_max": 10})\n'
NEW = 'import requests\nq = requests.get(EP + "/v1.1/images/detail", params={"size_min": 3})\n'
# Two identical findings in one file: the occurrence number tells them apart.
TWICE = ('import requests\na = requests.get(EP + "/v1.1/images/detail", params={"size_max": 1})\n'
         'b = requests.get(EP + "/v1.1/images/detail", params={"size_max": 1})\n')


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "old.py").write_text(OLD)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_write_baseline_records_todays_findings_sorted_and_stable(project):
    result = invoke("check", "--write-baseline", "baseline.json", ".")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote 2 findings to the baseline baseline.json." in result.stderr
    first = (project / "baseline.json").read_bytes()
    data = json.loads(first)
    assert data["imslint-baseline"] == 1
    assert [(e["path"], e["code"]) for e in data["findings"]] == [("pkg/old.py", "IMS001"), ("pkg/old.py", "IMS002")]
    assert all(len(e["fingerprint"]) == 64 for e in data["findings"])
    assert invoke("check", "--write-baseline", "baseline.json", ".").exit_code == 0
    assert (project / "baseline.json").read_bytes() == first  # the same findings, the same bytes
    assert first.endswith(b"}\n")


def test_baseline_passes_on_known_findings_and_fails_on_new_ones(project):
    invoke("check", "--write-baseline", "baseline.json", ".")
    known = invoke("check", "--baseline", "baseline.json", ".")
    assert known.exit_code == 0, known.stdout
    assert "All checks passed!" in known.stdout and "2 in the baseline." in known.stdout
    (project / "pkg" / "new.py").write_text(NEW)
    result = invoke("check", "--baseline", "baseline.json", ".")
    assert result.exit_code == 1
    assert "pkg/new.py:2:" in result.stdout
    assert "pkg/old.py" not in result.stdout
    assert "Found 2 findings in 1 file" in result.stdout and "2 in the baseline." in result.stdout


def test_baseline_survives_moved_lines_and_unrelated_edits(project):
    invoke("check", "--write-baseline", "baseline.json", ".")
    (project / "pkg" / "old.py").write_text("# a new header comment\n\n\n" + OLD.replace("import requests\n", "import requests\nimport os\n"))
    result = invoke("check", "--baseline", "baseline.json", ".")
    assert result.exit_code == 0, result.stdout


def test_identical_findings_are_counted_by_occurrence(project):
    (project / "pkg" / "old.py").write_text(TWICE)
    invoke("check", "--write-baseline", "baseline.json", ".")
    assert len(json.loads((project / "baseline.json").read_text())["findings"]) == 4
    (project / "pkg" / "old.py").write_text(TWICE + 'c = requests.get(EP + "/v1.1/images/detail", params={"size_max": 1})\n')
    result = invoke("check", "--baseline", "baseline.json", ".")
    assert result.exit_code == 1
    assert "pkg/old.py:4:" in result.stdout and "pkg/old.py:2:" not in result.stdout


def test_a_migrated_site_is_progress_on_stderr_not_an_error(project):
    (project / "pkg" / "new.py").write_text(NEW)
    invoke("check", "--write-baseline", "baseline.json", ".")
    (project / "pkg" / "new.py").write_text(NEW.replace("/v1.1/images/detail", "/v2/images").replace('"size_min": 3', '"limit": 3'))
    result = invoke("check", "--baseline", "baseline.json", "-o", "json", ".")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []  # machine output stays pure
    assert "2 baseline findings fixed; run `imslint check --write-baseline baseline.json` to shrink it." in result.stderr


def test_files_outside_the_checked_paths_are_not_progress(project):
    (project / "other").mkdir()
    (project / "other" / "new.py").write_text(NEW)
    invoke("check", "--write-baseline", "baseline.json", ".")
    result = invoke("check", "--baseline", "baseline.json", "pkg")
    assert result.exit_code == 0
    assert "baseline finding" not in result.stderr


def test_gitlab_fingerprints_agree_with_the_baseline(project):
    (project / "pkg" / "new.py").write_text(NEW)
    invoke("check", "--write-baseline", "baseline.json", ".")
    prints = {e["fingerprint"] for e in json.loads((project / "baseline.json").read_text())["findings"]}
    gitlab = json.loads(invoke("check", "-o", "gitlab", ".").stdout)
    assert {issue["fingerprint"] for issue in gitlab} == prints
    # Hiding the known ones keeps each new finding's fingerprint as the full run gives it.
    (project / "pkg" / "third.py").write_text(OLD)
    full = {i["fingerprint"] for i in json.loads(invoke("check", "-o", "gitlab", ".").stdout)}
    shown = json.loads(invoke("check", "--baseline", "baseline.json", "-o", "gitlab", ".").stdout)
    assert {i["location"]["path"] for i in shown} == {"pkg/third.py"}
    assert len(shown) == 2 and all(i["fingerprint"] in full for i in shown)


def test_a_baseline_written_at_the_root_matches_from_a_subdirectory(project, monkeypatch):
    invoke("check", "--write-baseline", "baseline.json", ".")
    monkeypatch.chdir(project / "pkg")
    result = invoke("check", "--baseline", "../baseline.json", ".")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("content, message", [
    (None, "baseline missing.json does not exist; create it with `imslint check --write-baseline missing.json`"),
    ("{not json", "is not valid JSON"),
    ('{"findings": []}', "is not an imslint baseline"),
    ('{"imslint-baseline": 1, "findings": [{"path": 3}]}', 'entry 1 needs a "path" and a "fingerprint"'),
])
def test_a_bad_baseline_is_one_line_and_exit_2(project, content, message):
    name = "missing.json" if content is None else "bad.json"
    if content is not None:
        (project / name).write_text(content)
    result = invoke("check", "--baseline", name, ".")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_bad_baseline_stops_fix_before_it_writes(project):
    result = invoke("fix", "--baseline", "missing.json", ".")
    assert result.exit_code == 2
    assert (project / "pkg" / "old.py").read_text() == OLD


@pytest.mark.parametrize("args", [
    ("--write-baseline", "b.json", "--fix"),
    ("--write-baseline", "b.json", "--baseline", "b.json"),
    ("--write-baseline", "b.json", "--add-noqa"),
])
def test_write_baseline_conflicts(project, args):
    result = invoke("check", *args, ".")
    assert result.exit_code == 2
    assert "cannot be used with" in result.stderr


def test_write_baseline_into_a_missing_directory(project):
    result = invoke("check", "--write-baseline", "nowhere/b.json", ".")
    assert result.exit_code == 2
    assert "cannot write baseline nowhere/b.json" in result.stderr
