"""The real-code hazards (``fixtures/hazards/``, copied from the shared repros): each file behaves
as its README says. ``expected.json`` lists, per file, every finding as ``[code, line, method,
fix]`` (method as the evidence decided it, None: unknown; fix: "safe", "unsafe" or None), and
``after/`` / ``after-unsafe/`` hold what ``fix`` (with ``--unsafe-fixes``) must write."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.engine import fix_source, lint_source
from linter.options import EngineOptions
from linter.project import ImportResolver

HAZARDS = Path(__file__).resolve().parent.parent / "fixtures" / "hazards"
EXPECTED = json.loads((HAZARDS / "expected.json").read_text(encoding="utf-8"))


def _options(path: Path) -> EngineOptions:
    return EngineOptions(resolve_import=ImportResolver(str(path), (str(HAZARDS),)))


def test_every_repro_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.name for p in HAZARDS.glob("*.py"))
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_methods_and_fix_safety(name):
    path = HAZARDS / name
    findings = lint_source(path.read_text(encoding="utf-8"), name, options=_options(path))
    got = [[f.code, f.line, f.evidence.method.value if f.evidence else None, f.fix.applicability if f.fix else None]
           for f in findings]
    assert got == EXPECTED[name], [(f.code, f.line, f.message) for f in findings]


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("unsafe", [False, True])
def test_fix_writes_exactly_the_expected_code(name, unsafe):
    path = HAZARDS / name
    source = path.read_text(encoding="utf-8")
    expected_file = HAZARDS / ("after-unsafe" if unsafe else "after") / name
    expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else source
    outcome = fix_source(source, name, unsafe=unsafe, options=_options(path))
    assert outcome.errors == []
    assert outcome.text == expected
    assert fix_source(outcome.text, name, unsafe=unsafe, options=_options(path)).text == outcome.text


def test_no_safe_fix_without_positive_evidence():
    """Across the repros, every safe fix is on a client request with a known method and the
    image service by evidence (the contract), and says why in its evidence."""
    for name in EXPECTED:
        path = HAZARDS / name
        for finding in lint_source(path.read_text(encoding="utf-8"), name, options=_options(path)):
            if finding.fix is None or finding.fix.applicability != "safe":
                continue
            evidence = finding.evidence
            assert evidence is not None and evidence.role.value == "client-request", (name, finding)
            assert evidence.method.value is not None and evidence.service.value.startswith("image"), (name, finding)
            assert evidence.fix.value == "safe"


def test_py2_file_says_so_plainly():
    path = HAZARDS / "ex25_py2_noise_user.py"
    [finding] = lint_source(path.read_text(encoding="utf-8"), path.name, options=_options(path))
    assert finding.code == "IMS000" and "Python 2" in finding.message


def test_py2_file_with_abandoned_paths_is_still_reported():
    source = 'import urllib2\nLIST = "/v1.1/images/detail"\nprint "deleting"\nurllib2.urlopen(EP + "/v1/images/%s" % i)\n'
    codes = sorted(f.code for f in lint_source(source, "old.py"))
    assert codes == ["IMS000", "IMS001", "IMS005"]
    assert all(f.fix is None for f in lint_source(source, "old.py"))
