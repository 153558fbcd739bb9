"""``--add-noqa [--reason]`` writes suppressions for today's findings; ``# imslint: todo[...]``
silences a finding while counting it as open migration debt."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from linter import lint_source
from linter.cli import main
from linter.noqa import NoqaError, add_noqa
from linter.suppress import parse_suppressions, suppressions_for

NO_FIX = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_max": 10})\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_add_noqa_silences_every_finding_and_says_how_many(project):
    (project / "a.py").write_text(NO_FIX)
    result = invoke("check", "--add-noqa", "a.py")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Added 1 noqa directive to 1 file." in result.stderr
    assert (project / "a.py").read_text() == NO_FIX.replace(")\n", ")  # noqa: IMS001, IMS002\n")
    assert invoke("check", "a.py").exit_code == 0


def test_add_noqa_reason_follows_the_codes(project):
    (project / "a.py").write_text(NO_FIX)
    invoke("check", "--add-noqa", "--reason", "size filter comes with v2.3", "a.py")
    assert (project / "a.py").read_text().splitlines()[1].endswith("# noqa: IMS001, IMS002 size filter comes with v2.3")


def test_add_noqa_merges_into_an_existing_noqa_and_keeps_its_reason(project):
    (project / "a.py").write_text(NO_FIX.replace(")\n", ")  # noqa: IMS002 decided in review\n"))
    invoke("check", "--add-noqa", "--reason", "ignored: a reason is there", "a.py")
    assert (project / "a.py").read_text().splitlines()[1].endswith("# noqa: IMS001, IMS002 decided in review")


def test_add_noqa_goes_after_another_comment_and_on_the_right_lines(project):
    source = ('import requests\nq = requests.get(\n    EP + "/v1.1/images/detail",  # the list\n'
              '    params={"is_public": True},\n)\n')
    (project / "a.py").write_text(source)
    invoke("check", "--add-noqa", "a.py")
    lines = (project / "a.py").read_text().splitlines()
    assert lines[2] == '    EP + "/v1.1/images/detail",  # the list  # noqa: IMS001'
    assert lines[3] == '    params={"is_public": True},  # noqa: IMS002'
    assert invoke("check", "a.py").exit_code == 0


def test_add_noqa_never_writes_inside_a_string_or_after_a_continuation():
    source = 'import requests\nr = requests.get(EP + """/v1.1/images/detail?a=1\n""" + \\\n    x)\n'
    findings = lint_source(source, "a.py")
    assert findings
    added = add_noqa(source, findings)
    for finding in findings:
        assert parse_suppressions(added.text).silences(finding) or finding in added.skipped
    compile(added.text, "a.py", "exec")  # still Python


def test_add_noqa_keeps_crlf_encoding_and_bom(project):
    data = ("\ufeff# -*- coding: utf-8 -*-\r\n" + NO_FIX.replace("\n", "\r\n") + "# café\r\n").encode("utf-8")
    (project / "a.py").write_bytes(data)
    invoke("check", "--add-noqa", "--reason", "déjà vu", "a.py")
    written = (project / "a.py").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    assert written.count(b"\r\n") == data.count(b"\r\n") and b"\n" not in written.replace(b"\r\n", b"")
    assert "# noqa: IMS001, IMS002 déjà vu\r\n" in written.decode("utf-8")


def test_add_noqa_refuses_reasons_that_read_as_codes_or_lines(project):
    (project / "a.py").write_text(NO_FIX)
    for reason, message in (("IMS003 later", "must not start with something that reads as a rule code"),
                            ("two\nlines", "must be one line")):
        result = invoke("check", "--add-noqa", "--reason", reason, "a.py")
        assert result.exit_code == 2 and message in result.stderr
    assert (project / "a.py").read_text() == NO_FIX
    with pytest.raises(NoqaError):
        add_noqa(NO_FIX, lint_source(NO_FIX, "a.py"), "IMS001")


@pytest.mark.parametrize("args", [("--fix",), ("--diff",), ("--stdin-filename", "a.py")])
def test_add_noqa_conflicts(project, args):
    result = invoke("check", "--add-noqa", *args)
    assert result.exit_code == 2 and "cannot be used with" in result.stderr


def test_reason_without_add_noqa(project):
    result = invoke("check", "--reason", "x", ".")
    assert result.exit_code == 2 and "--reason goes with --add-noqa" in result.stderr


def test_add_noqa_on_a_read_only_file_reports_it(project):
    path = project / "a.py"
    path.write_text(NO_FIX)
    path.chmod(0o444)
    try:
        result = invoke("check", "--add-noqa", "a.py")
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    assert "a.py: not changed:" in result.stderr
    assert path.read_text() == NO_FIX


# -- todo markers ------------------------------------------------------------------------------------------


TODO = NO_FIX.replace(")\n", ")  # imslint: todo[IMS001,IMS002] wait for the size filter in v2\n")


def test_a_todo_marker_silences_and_counts_as_debt(project):
    (project / "a.py").write_text(TODO)
    result = invoke("check", "a.py")
    assert result.exit_code == 0
    assert "All checks passed!" in result.stdout
    assert "2 marked todo (open migration debt)." in result.stdout


def test_todo_covers_only_its_codes(project):
    (project / "a.py").write_text(NO_FIX.replace(")\n", ")  # imslint: todo[IMS002] later\n"))
    result = invoke("check", "-o", "json", "a.py")
    assert [f["code"] for f in json.loads(result.stdout)] == ["IMS001"]
    assert "1 marked todo" in result.stderr  # beside a machine format the summary is on stderr


def test_noqa_beats_todo_which_then_is_no_debt(project):
    (project / "a.py").write_text(TODO.replace("# imslint", "# noqa: IMS001,IMS002 # imslint"))
    result = invoke("check", "a.py")
    assert result.exit_code == 0 and "todo" not in result.stdout


def test_todo_facts_have_line_code_and_reason():
    facts: dict = {}
    assert lint_source(TODO, "a.py", facts=facts) == []
    assert [(e["line"], e["code"], e["marker"], e["reason"]) for e in facts["todo"]] == [
        (2, "IMS001", 2, "wait for the size filter in v2"), (2, "IMS002", 2, "wait for the size filter in v2")]
    assert facts["todo"][0]["evidence"]["fix"]["value"] == "none"


def test_todo_in_a_string_is_not_a_marker():
    source = 'import requests\nr = requests.get(EP + "/v1.1/images/detail#imslint: todo[IMS001]")\n'
    assert [f.code for f in lint_source(source, "a.py")] == ["IMS001"]


@pytest.mark.parametrize("text", [
    "x = 1  # noqa: IMS001\n",
    "x = 1  # imslint: ignore[IMS001]\n",
    "# IMSLINT: NOQA\nx = 1\n",
    "x = 1  # imslint: todo[IMS001] later\n",
    'x = (1,\n     2)  # NoQA\n',
    "x = 1\n",
    "x = '''unterminated  # noqa\n",
])
def test_suppressions_for_silences_as_parse_suppressions_does(text):
    """``suppressions_for`` skips tokenizing a text without a marker word; what it silences is
    ``parse_suppressions``' answer."""
    quick, full = suppressions_for(text), parse_suppressions(text)
    assert (quick.by_line, quick.whole_file, quick.todos) == (full.by_line, full.whole_file, full.todos)
    if "noqa" not in text.lower() and "imslint" not in text.lower():
        assert quick.statement_start == {}
