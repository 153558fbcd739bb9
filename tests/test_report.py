"""Output formats (linter.report): structure of every format and escaping of awkward paths."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Tuple
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

import linter
from linter.findings import SAFE, UNSAFE, Edit, Finding, Fix
from linter.report import FORMATS, render, render_statistics, summary_line
from linter.report.common import fingerprints, path_uri, relative_posix

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# A file name with a comma, a colon, a percent sign, quotes, a space, a newline and non-ASCII.
WEIRD = 'we\u00efrd, "q" 50%:x\nname/\u00fcml\u00e4ut \u6587.py'
WEIRD_MESSAGE = "bad 100% value \r\n next: a,b <&> \x01"


class FakeQueryRule:
    code = "IMS001"
    name = "abandoned-image-query"
    summary = "GET /v1.1/images/detail is abandoned"
    severity = "error"

    @classmethod
    def doc(cls) -> str:
        return "Flags `GET /v1.1/images/detail`.\n\nUse `GET /v2/images` instead."


class FakeFilterRule:
    code = "IMS002"
    name = "untranslatable-filter"
    summary = "A filter /v2/images cannot express exactly"
    severity = "error"

    @classmethod
    def doc(cls) -> str:
        return "Flags filters without an exact v2 equivalent."


class FakeFieldRule:  # no doc(): the summary stands in
    code = "IMS003"
    name = "v1-response-field"
    summary = "A field v2 drops"
    severity = "warning"


RULES = (FakeQueryRule, FakeFilterRule, FakeFieldRule)


def _safe_fix(line: int) -> Fix:
    return Fix(SAFE, "Use GET /v2/images", (Edit(10, 35, "/v2/images", line, 5, line, 30),))


def make_findings() -> List[Finding]:
    query = "GET /v1.1/images/detail is abandoned; use GET /v2/images"
    return [
        Finding("broken.py", 1, 1, 1, 1, "IMS000", "unreadable-file", "cannot decode: bad byte"),
        Finding("dir with spaces/b.py", 2, 9, 4, 1, "IMS003", "v1-response-field",
                "`is_public` is not in v2 responses", severity="warning"),
        Finding("pkg/a.py", 3, 5, 3, 30, "IMS001", "abandoned-image-query", query,
                fix=_safe_fix(3)),
        Finding("pkg/a.py", 7, 1, 7, 20, "IMS002", "untranslatable-filter",
                "`changes-since` also returned deleted images",
                fix=Fix(UNSAFE, "Translate to `updated_at=gte:...`",
                        (Edit(50, 65, "updated_at", 7, 3, 7, 18),
                         Edit(70, 70, "gte:", 7, 21, 7, 21)))),
        Finding("pkg/a.py", 12, 5, 12, 30, "IMS001", "abandoned-image-query", query,
                fix=_safe_fix(12)),
        Finding(WEIRD, 1, 1, 1, 10, "IMS005", "abandoned-image-endpoint", WEIRD_MESSAGE,
                severity="info"),
    ]


FINDINGS = make_findings()


def lines_of(text: str) -> List[str]:
    assert text.endswith("\n")
    return text[:-1].split("\n")


# --- every format ------------------------------------------------------------------------------


def test_formats_listed():
    assert set(FORMATS) >= {"text", "full", "concise", "grouped", "json", "json-lines",
                            "sarif", "github", "gitlab", "junit"}
    with pytest.raises(ValueError, match="unknown output format"):
        render(FINDINGS, "yaml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_prints_as_utf8_without_colour(fmt):
    out = render(FINDINGS, fmt, rules=RULES, show_fixes=True)
    assert out.endswith("\n")
    out.encode("utf-8")  # no lone surrogates
    assert "\x1b" not in out and "\x01" not in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_handles_no_findings(fmt):
    out = render([], fmt, rules=RULES)
    if fmt in ("json", "gitlab"):
        assert json.loads(out) == []
    elif fmt == "sarif":
        log = json.loads(out)
        jsonschema.validators.validator_for(sarif_schema())(sarif_schema()).validate(log)
        assert log["runs"][0]["results"] == []
    elif fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite.get("failures") == "0" and suite.findall("testcase/failure") == []
    else:
        assert out == ""


def test_undecodable_file_name_survives_every_format():
    finding = replace(FINDINGS[1], path="bad\udcff name.py")  # os.fsdecode(b"bad\xff name.py")
    assert json.loads(render([finding], "json"))[0]["path"] == finding.path
    assert json.loads(render([finding], "json-lines"))["path"] == finding.path
    assert r"bad\xff name.py:2:9:" in render([finding], "concise")
    uri = result_uri(json.loads(render([finding], "sarif"))["runs"][0]["results"][0])
    assert uri == "bad%FF%20name.py"
    for fmt in FORMATS:
        render([finding], fmt, rules=RULES).encode("utf-8")


# --- human-readable formats --------------------------------------------------------------------


def test_text_markers_and_escaped_path():
    lines = lines_of(render(FINDINGS, "text"))
    assert len(lines) == len(FINDINGS)  # the newline in WEIRD did not split a line
    assert lines[0] == "broken.py:1:1: IMS000 cannot decode: bad byte"
    assert lines[2].startswith("pkg/a.py:3:5: IMS001 [*] GET /v1.1/images/detail")
    assert lines[3].startswith("pkg/a.py:7:1: IMS002 [-] `changes-since`")
    assert lines[1].startswith("dir with spaces/b.py:2:9: IMS003 `is_public`")
    assert lines[5] == (
        'we\u00efrd, "q" 50%:x\\nname/\u00fcml\u00e4ut \u6587.py:1:1: IMS005 '
        "bad 100% value \\r\\n next: a,b <&> \\x01"
    )
    assert render(FINDINGS, "full") == render(FINDINGS, "text")


def test_markers_describe_the_fix_whatever_the_options():
    """One vocabulary: ``[*]`` safe fix, ``[-]`` unsafe only, none: no fix; ``--unsafe-fixes``
    changes what `fix` applies, not what the marker says."""
    for options in ({}, {"unsafe_fixes": True}, {"show_fixes": True}):
        for fmt in ("text", "grouped", "concise"):
            out = render(FINDINGS, fmt, **options)
            assert "IMS001 [*] GET /v1.1" in out and "IMS002 [-] `changes-since`" in out, (fmt, options)
            assert "IMS003 `is_public`" in out and "IMS000 cannot decode" in out, (fmt, options)
            assert "[ ]" not in out


def test_text_show_fixes_adds_indented_fix_line():
    lines = lines_of(render(FINDINGS, "text", show_fixes=True))
    assert len(lines) == len(FINDINGS) + 3
    assert lines[3] == "    fix: Use GET /v2/images"
    assert lines[5] == "    unsafe fix (with --unsafe-fixes): Translate to `updated_at=gte:...`"


def test_text_colour_only_when_asked():
    coloured = render(FINDINGS[2:3], "text", color=True)
    assert "\x1b[1mpkg/a.py\x1b[0m" in coloured and "\x1b[1;31mIMS001\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render(FINDINGS[2:3], "text")


def test_concise_one_plain_line_per_finding():
    lines = lines_of(render(FINDINGS, "concise", show_fixes=True, color=True))
    assert len(lines) == len(FINDINGS)  # no fix lines
    assert lines[0] == "broken.py:1:1: IMS000 cannot decode: bad byte"
    assert lines[2] == "pkg/a.py:3:5: IMS001 [*] " + FINDINGS[2].message
    assert lines[3] == "pkg/a.py:7:1: IMS002 [-] " + FINDINGS[3].message
    assert not any("\x1b" in line for line in lines)  # no colour


def test_grouped_under_path_headers():
    out = render(FINDINGS, "grouped")
    blocks = out.split("\n\n")
    headers = [block.split("\n")[0] for block in blocks]
    assert headers == ["broken.py:", "dir with spaces/b.py:", "pkg/a.py:",
                       'we\u00efrd, "q" 50%:x\\nname/\u00fcml\u00e4ut \u6587.py:']
    pkg = blocks[2].rstrip("\n").split("\n")
    assert pkg[1:] == [
        "  3:5  IMS001 [*] " + FINDINGS[2].message,
        "  7:1  IMS002 [-] " + FINDINGS[3].message,
        "  12:5 IMS001 [*] " + FINDINGS[4].message,
    ]


# --- JSON --------------------------------------------------------------------------------------

CONTRACT_KEYS = {"path", "line", "column", "end_line", "end_column", "code", "name",
                 "message", "severity", "fix"}


def test_json_array_of_finding_dicts():
    out = render(FINDINGS, "json")
    assert out.startswith("[\n  {\n    ")  # indent 2
    assert "\u00fcml\u00e4ut" in out  # ensure_ascii=False
    data = json.loads(out)
    assert data == [finding.to_dict() for finding in FINDINGS]
    assert all(CONTRACT_KEYS <= set(item) for item in data)
    assert data[5]["path"] == WEIRD and data[5]["message"] == WEIRD_MESSAGE
    assert data[0]["fix"] is None
    assert data[3]["fix"]["applicability"] == "unsafe"


def test_json_lines_one_object_per_line():
    lines = lines_of(render(FINDINGS, "json-lines"))
    assert [json.loads(line) for line in lines] == [f.to_dict() for f in FINDINGS]
    assert all(": " not in line[:8] for line in lines)  # compact separators


# --- SARIF -------------------------------------------------------------------------------------


def sarif_schema() -> Dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def result_uri(result: Dict) -> str:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_sarif_schema_copy_is_draft_04():
    # The official schema declares draft-04; validate with the validator for that draft.
    schema = sarif_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft4Validator


def test_sarif_validates_against_official_schema():
    log = json.loads(render(FINDINGS, "sarif", rules=RULES))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    # Draft 7 reads this schema the same way (no draft-specific keywords it relies on).
    jsonschema.Draft7Validator(sarif_schema()).validate(log)


def test_sarif_driver_and_rules():
    log = json.loads(render(FINDINGS, "sarif", rules=RULES))
    assert log["version"] == "2.1.0" and "sarif-schema-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "imslint" and driver["version"] == linter.__version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["IMS001", "IMS002", "IMS003", "IMS000", "IMS005"]
    first = rules[0]
    assert first["name"] == "abandoned-image-query"
    assert first["shortDescription"]["text"] == FakeQueryRule.summary
    assert first["fullDescription"]["text"] == FakeQueryRule.doc()
    assert first["help"] == {"text": FakeQueryRule.doc(), "markdown": FakeQueryRule.doc()}
    assert rules[2]["help"]["text"] == FakeFieldRule.summary
    assert rules[2]["defaultConfiguration"]["level"] == "warning"
    # Codes without a rule class fall back to the finding's own name.
    assert rules[3]["name"] == "unreadable-file"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_without_rules_uses_finding_names():
    log = json.loads(render(FINDINGS, "sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    names = {rule["id"]: rule["name"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert names == {f.code: f.name for f in FINDINGS}


def test_sarif_results_locations_and_levels():
    results = json.loads(render(FINDINGS, "sarif", rules=RULES))["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "error", "error", "note"]
    assert results[5]["message"]["text"] == WEIRD_MESSAGE
    physical = results[1]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "dir%20with%20spaces/b.py",
                                            "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 2, "startColumn": 9, "endLine": 4, "endColumn": 1}


def test_sarif_uri_is_percent_encoded_relative_reference():
    results = json.loads(render(FINDINGS, "sarif"))["runs"][0]["results"]
    for finding, result in zip(FINDINGS, results):
        uri = result_uri(result)
        assert re.fullmatch(r"[A-Za-z0-9\-._~/%]+", uri), uri
        assert urlsplit(uri).scheme == "" and not uri.startswith("/")
        assert unquote(uri) == finding.path
    assert result_uri(results[5]).startswith("we%C3%AFrd%2C%20%22q%22%2050%25%3Ax%0Aname/")


def test_sarif_fixes_carry_edits():
    results = json.loads(render(FINDINGS, "sarif", rules=RULES))["runs"][0]["results"]
    assert [("fixes" in r) for r in results] == [False, False, True, True, True, False]
    (fix,) = results[3]["fixes"]
    assert fix["description"]["text"] == FINDINGS[3].fix.message
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "pkg/a.py"
    assert change["replacements"] == [
        {"deletedRegion": {"startLine": 7, "startColumn": 3, "endLine": 7, "endColumn": 18},
         "insertedContent": {"text": "updated_at"}},
        {"deletedRegion": {"startLine": 7, "startColumn": 21, "endLine": 7, "endColumn": 21},
         "insertedContent": {"text": "gte:"}},
    ]


def test_sarif_partial_fingerprints_distinct_and_stable():
    results = json.loads(render(FINDINGS, "sarif"))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["imslint/v1"] for r in results]
    assert len(set(prints)) == len(prints)  # the duplicate IMS001 message too
    moved = [replace(f, line=f.line + 40, end_line=f.end_line + 40) for f in FINDINGS]
    again = json.loads(render(moved, "sarif"))["runs"][0]["results"]
    assert [r["partialFingerprints"]["imslint/v1"] for r in again] == prints


# --- GitHub ------------------------------------------------------------------------------------


def unescape(text: str) -> str:
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: bytes.fromhex(m.group(1)).decode(), text)


def parse_github(line: str) -> Tuple[str, Dict[str, str], str]:
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: unescape(v) for k, v in props.items()}, unescape(match.group(3))


def test_github_workflow_commands():
    lines = lines_of(render(FINDINGS, "github"))
    assert len(lines) == len(FINDINGS)
    parsed = [parse_github(line) for line in lines]
    assert [command for command, _, _ in parsed] == [
        "error", "warning", "error", "error", "error", "notice"]
    for finding, (_, props, message) in zip(FINDINGS, parsed):
        assert props["file"] == finding.path
        assert props["title"] == finding.code
        assert message == finding.message.replace("\x01", "\\x01")
    assert parsed[1][1] == {"file": "dir with spaces/b.py", "line": "2", "col": "9",
                            "endLine": "4", "endColumn": "1", "title": "IMS003"}


def test_github_escapes_properties_and_data():
    line = lines_of(render(FINDINGS[5:], "github"))[0]
    assert line.startswith(
        "::notice file=we\u00efrd%2C \"q\" 50%25%3Ax%0Aname/\u00fcml\u00e4ut \u6587.py,line=1,")
    assert line.endswith("::bad 100%25 value %0D%0A next: a,b <&> \\x01")


# --- GitLab ------------------------------------------------------------------------------------


def test_gitlab_code_quality():
    issues = json.loads(render(FINDINGS, "gitlab"))
    assert len(issues) == len(FINDINGS)
    for finding, issue in zip(FINDINGS, issues):
        assert issue["check_name"] == finding.code
        assert finding.message in issue["description"]
        assert issue["location"]["path"] == finding.path
        assert issue["location"]["lines"] == {"begin": finding.line, "end": finding.end_line}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert [i["severity"] for i in issues] == ["major", "minor", "major", "major", "major", "info"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprint_ignores_line_numbers_but_counts_duplicates():
    before = [i["fingerprint"] for i in json.loads(render(FINDINGS, "gitlab"))]
    moved = [replace(f, line=f.line + 3, end_line=f.end_line + 3, column=1) for f in FINDINGS]
    assert [i["fingerprint"] for i in json.loads(render(moved, "gitlab"))] == before
    assert fingerprints(FINDINGS[2:3]) == [before[2]]
    assert fingerprints([FINDINGS[4]]) == [before[2]]  # first occurrence of the same message
    assert before[4] != before[2]
    assert fingerprints([replace(FINDINGS[2], path="./pkg/a.py")]) == [before[2]]


# --- JUnit -------------------------------------------------------------------------------------


def test_junit_xml():
    out = render(FINDINGS, "junit")
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(out)
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("tests") == suite.get("failures") == str(len(FINDINGS))
    cases = suite.findall("testcase")
    assert len(cases) == len(FINDINGS)
    for finding, case in zip(FINDINGS, cases):
        failure = case.find("failure")
        assert failure.get("type") == finding.code
        assert f"{finding.path}:{finding.line}:{finding.column}" in failure.get("message")
        assert finding.code in failure.get("message")
        assert case.get("file") == finding.path
    weird = cases[5].find("failure")
    assert weird.get("message").endswith("IMS005 bad 100% value \r\n next: a,b <&> \\x01")
    assert "safe fix: Use GET /v2/images" in cases[2].find("failure").text


# --- statistics and summary --------------------------------------------------------------------


def test_statistics():
    rows = [line.split("\t") for line in lines_of(render_statistics(FINDINGS))]
    assert rows == [
        ["2", "IMS001", "[*] abandoned-image-query"],
        ["1", "IMS000", "    unreadable-file"],
        ["1", "IMS002", "[-] untranslatable-filter"],
        ["1", "IMS003", "    v1-response-field"],
        ["1", "IMS005", "    abandoned-image-endpoint"],
    ]
    assert render_statistics(FINDINGS, unsafe_fixes=True) == render_statistics(FINDINGS)
    # A code with safe fixes for some findings and none for others is [*]; unsafe only is [-].
    mixed = [FINDINGS[2], replace(FINDINGS[4], fix=None), FINDINGS[3], replace(FINDINGS[3], fix=None)]
    assert [line.split("\t")[2] for line in lines_of(render_statistics(mixed))] == [
        "[*] abandoned-image-query", "[-] untranslatable-filter"]
    assert render_statistics([]) == ""


def test_summary_line():
    assert summary_line(FINDINGS, files_checked=12, elapsed=0.412) == (
        "Found 6 findings in 4 files (12 files checked, 0.41s). "
        "2 fixable with `imslint fix` (1 more with `--unsafe-fixes`)."
    )
    assert summary_line(FINDINGS, files_checked=12, elapsed=0.4, unsafe_fixes=True).endswith(
        "3 fixable with `imslint fix --unsafe-fixes`.")
    assert summary_line(FINDINGS[3:4], files_checked=1, elapsed=0.01) == (
        "Found 1 finding in 1 file (1 file checked, 0.01s). "
        "1 fixable with `imslint fix --unsafe-fixes`."
    )
    assert summary_line(FINDINGS[:2], files_checked=3, elapsed=0.1) == (
        "Found 2 findings in 2 files (3 files checked, 0.10s).")
    assert summary_line([], files_checked=12, elapsed=0.05) == (
        "All checks passed! (12 files checked, 0.05s)")
    assert summary_line([], files_checked=2, elapsed=0.05, fixed=3) == (
        "Fixed 3 findings. All checks passed! (2 files checked, 0.05s)")


# --- path helpers ------------------------------------------------------------------------------


def test_paths_relative_to_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = os.path.join(str(tmp_path), "sub dir", "m.py")
    assert relative_posix(inside) == "sub dir/m.py"
    assert relative_posix("./pkg/a.py") == "pkg/a.py"
    assert path_uri(inside) == ("sub%20dir/m.py", "%SRCROOT%")
    assert path_uri("a:b.py") == ("a%3Ab.py", "%SRCROOT%")  # not a URI scheme
    outside = str(tmp_path.parent / "other #1.py")
    uri, base = path_uri(outside)
    assert base is None and uri.startswith("file:///") and uri.endswith("/other%20%231.py")
    log = json.loads(render([replace(FINDINGS[1], path=outside)], "sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)


def test_sarif_without_positions():
    finding = Finding("whole.py", 0, 0, 0, 0, "IMS000", "unreadable-file", "cannot parse",
                      fix=Fix(SAFE, "drop it", (Edit(4, 9, ""),)))
    log = json.loads(render([finding], "sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    (result,) = log["runs"][0]["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]
    replacement = result["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {"charOffset": 4, "charLength": 5}
    assert "line=" not in render([finding], "github")
