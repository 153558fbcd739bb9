"""The before/after fixtures: the fix is exactly as written, and it is *right*.

Each case in ``fixtures/cases/<name>/`` has ``before.py``, ``after.py`` (what ``imslint fix``
must produce) and ``case.json``::

    {"description": "...", "codes": ["IMS001"], "unsafe": false, "target": "huawei-ims",
     "same_result": true, "hazard": null, "run": true}

``before.py`` and ``after.py`` define ``run(endpoint, token)``. The behavioural test calls both
against the fake IMS server (``tests/ims_server.py``) and asserts the same result, or, for a
hazard case (``same_result: false``), that results differ *and* the ``hazard`` code was reported.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from ims_server import ImsServer
from linter.engine import fix_source, lint_source

CASES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "cases"
TOKEN = "test-token"


def _load_cases():
    cases = []
    for case_file in sorted(CASES_DIR.glob("*/case.json")):
        spec = json.loads(case_file.read_text(encoding="utf-8"))
        spec["dir"] = case_file.parent
        cases.append(pytest.param(spec, id=case_file.parent.name))
    return cases


CASES = _load_cases()


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_enough_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_findings(case):
    before = _read(case["dir"] / "before.py")
    findings = lint_source(before, "before.py", target=case.get("target", "huawei-ims"))
    assert sorted(f.code for f in findings) == sorted(case["codes"]), [
        (f.code, f.line, f.message) for f in findings
    ]


@pytest.mark.parametrize("case", CASES)
def test_fix_matches_after(case):
    before = _read(case["dir"] / "before.py")
    expected = _read(case["dir"] / "after.py")
    target = case.get("target", "huawei-ims")
    outcome = fix_source(before, "before.py", unsafe=case.get("unsafe", False), target=target)
    assert outcome.errors == []
    assert outcome.text == expected
    again = fix_source(expected, "after.py", unsafe=case.get("unsafe", False), target=target)
    assert again.text == expected, "fixing twice changed the code"


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def _outcome(server: ImsServer, path: Path, name: str):
    server.reset()
    module = _import(path, name)
    try:
        return {"result": module.run(server.url, TOKEN)}
    except Exception as exc:  # an HTTP error is a result too: the fix must not cause one
        return {"error": f"{type(exc).__name__}: {exc}"}


@pytest.fixture(scope="module")
def servers():
    started = {}
    yield lambda target: started.setdefault(target, ImsServer(target).start())
    for server in started.values():
        server.stop()


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0].get("run", True)])
def test_behaviour(case, servers):
    server = servers(case.get("target", "huawei-ims"))
    name = case["dir"].name
    before = _outcome(server, case["dir"] / "before.py", f"fixture_{name}_before")
    after = _outcome(server, case["dir"] / "after.py", f"fixture_{name}_after")
    assert "error" not in before, before
    if case.get("same_result", True):
        assert after == before
    else:
        assert after != before, "a hazard case must show the difference it warns about"
        assert case["hazard"] in case["codes"]
