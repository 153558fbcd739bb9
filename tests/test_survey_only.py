"""The survey of a server project's test (``EngineOptions.survey_only``): what the project pass
takes from it is what the full analysis gives, and a test that registers routes is analysed in full."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from linter.engine import lint_source
from linter.options import EngineOptions
from linter.project import ImportResolver
from linter.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# Facts only the full analysis gives: the constants its fixes rewrite (they matter only for a file
# that is not left alone) and the todo markers (migration debt, reported for checked files only).
FULL_ONLY = ("constants", "todo")


def _sources():
    """Every fixture file (cases with their neighbours, hazards, the sample project) by path."""
    for path in sorted(FIXTURES.rglob("*.py")):
        if "after" not in path.name and "after" not in path.parent.name:
            yield pytest.param(path, [str(path.parent)], id=str(path.relative_to(FIXTURES)))


def _examples():
    for rule in all_rules():
        for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID)):
            for number, example in enumerate(examples):
                yield pytest.param(example, id=f"{rule.code}-{kind}-{number}")


def both(data: bytes, path: str, roots, target: str = "huawei-ims"):
    """(findings, facts) of the full analysis and of the survey, each with its own resolver."""
    results = []
    for survey_only in (False, True):
        facts: dict = {}
        options = EngineOptions(target=target, resolve_import=ImportResolver(path, tuple(roots)), survey_only=survey_only)
        results.append((lint_source(data, path, options=options, facts=facts), facts))
    return results


def check_survey(data: bytes, path: str, roots, target: str = "huawei-ims") -> None:
    (full, full_facts), (surveyed, survey_facts) = both(data, path, roots, target)
    if survey_facts.get("routes"):  # a route file is never left alone: analysed as any file
        assert (surveyed, survey_facts) == (full, full_facts)
        return
    assert {k: v for k, v in full_facts.items() if k not in FULL_ONLY} == survey_facts
    assert [f for f in surveyed if f.code != "IMS000"] == []


@pytest.mark.parametrize("path, roots", list(_sources()))
def test_the_survey_of_a_fixture_tells_the_project_pass_what_its_analysis_does(path, roots):
    spec = path.parent / "case.json"
    target = json.loads(spec.read_text(encoding="utf-8")).get("target", "huawei-ims") if spec.exists() else "huawei-ims"
    check_survey(path.read_bytes(), str(path), roots, target)


@pytest.mark.parametrize("example", list(_examples()))
def test_the_survey_of_a_rule_example_tells_the_project_pass_what_its_analysis_does(example, tmp_path):
    path = tmp_path / "tests" / "test_example.py"
    path.parent.mkdir()
    path.write_text(example.code, encoding="utf-8")
    check_survey(path.read_bytes(), str(path), [str(tmp_path)], example.options.get("target", "huawei-ims"))


def test_a_survey_sees_doubles_routes_and_imported_constants(tmp_path):
    (tmp_path / "paths.py").write_text('LIST = "/v1.1/images/detail"\n')
    test = tmp_path / "test_api.py"
    test.write_text(
        "from paths import LIST\n\n\ndef test_list(requests_mock):\n"
        '    requests_mock.get("http://ims.test" + LIST, json={"images": []})\n'
    )
    (_, full_facts), (surveyed, survey_facts) = both(test.read_bytes(), str(test), [str(tmp_path)])
    assert survey_facts["doubles"] == {"image:list": 5} and survey_facts["imports"]
    assert surveyed == [] and survey_facts == {k: v for k, v in full_facts.items() if k not in FULL_ONLY}
    router = 'def setup(mapper, c):\n    mapper.connect("/v1/images/detail", controller=c)\n'
    test.write_text(router + 'requests.get("http://ims.test/v1/images/detail")\n')
    (full, _), (surveyed, survey_facts) = both(test.read_bytes(), str(test), [str(tmp_path)])
    assert survey_facts["routes"] and surveyed == full and {f.code for f in full} >= {"IMS008"}
