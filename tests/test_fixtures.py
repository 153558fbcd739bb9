"""The before/after fixtures: the fix is exactly as written, and it is *right*.

Each case in ``fixtures/cases/<name>/`` has ``before.py``, ``after.py`` (what ``imslint fix``
must produce) and ``case.json``::

    {"description": "...", "codes": ["IMS001"], "unsafe": false, "target": "huawei-ims",
     "same_result": true, "hazard": null, "run": true}

``before.py`` and ``after.py`` define ``run(endpoint, token)``. The behavioural test calls both
against the fake IMS server (``tests/ims_server.py``) and asserts the same result, or, for a
hazard case (``same_result: false``), that results differ *and* the ``hazard`` code was reported.

A multi-module case has directories ``before/`` and ``after/`` instead (the project's root: its
packages import each other), with ``run`` in ``main.py``; ``codes`` then lists the findings of
every file of the tree.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from ims_server import ImsServer
from linter.engine import fix_source, lint_source
from linter.options import EngineOptions
from linter.project import ImportResolver

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


def _sources(case):
    """(relative path, before text, after text or None) for every Python file of a case."""
    directory = case["dir"]
    if (directory / "before").is_dir():
        for path in sorted((directory / "before").rglob("*.py")):
            relative = path.relative_to(directory / "before")
            after = directory / "after" / relative
            yield relative, path, _read(path), _read(after) if after.exists() else None
    else:
        yield Path("before.py"), directory / "before.py", _read(directory / "before.py"), _read(directory / "after.py")


def _options(case, path: Path) -> EngineOptions:
    root = case["dir"] / "before" if (case["dir"] / "before").is_dir() else case["dir"]
    return EngineOptions(target=case.get("target", "huawei-ims"), resolve_import=ImportResolver(str(path), (str(root),)))


@pytest.mark.parametrize("case", CASES)
def test_findings(case):
    findings = []
    for relative, path, before, _ in _sources(case):
        findings += lint_source(before, str(relative), options=_options(case, path))
    assert sorted(f.code for f in findings) == sorted(case["codes"]), [
        (f.path, f.code, f.line, f.message) for f in findings
    ]


@pytest.mark.parametrize("case", CASES)
def test_fix_matches_after(case):
    unsafe = case.get("unsafe", False)
    for relative, path, before, expected in _sources(case):
        assert expected is not None, f"{relative} has no counterpart in after/"
        outcome = fix_source(before, str(relative), unsafe=unsafe, options=_options(case, path))
        assert outcome.errors == []
        assert outcome.text == expected, relative
        again = fix_source(expected, str(relative), unsafe=unsafe, options=_options(case, path))
        assert again.text == expected, f"fixing {relative} twice changed the code"


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def _outcome(server: ImsServer, case, side: str):
    server.reset()
    directory = case["dir"]
    tree = directory / side
    name = f"fixture_{directory.name}_{side}"
    if tree.is_dir():
        packages = {p.name for p in tree.iterdir() if p.is_dir() or p.suffix == ".py"}
        for key in [k for k in sys.modules if k.split(".")[0] in packages | {"main"}]:
            del sys.modules[key]
        sys.path.insert(0, str(tree))
        try:
            module = _import(tree / "main.py", name)
        finally:
            sys.path.remove(str(tree))
    else:
        module = _import(directory / f"{side}.py", name)
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
    before = _outcome(server, case, "before")
    after = _outcome(server, case, "after")
    assert "error" not in before, before
    if case.get("same_result", True):
        assert after == before
    else:
        assert after != before, "a hazard case must show the difference it warns about"
        assert case["hazard"] in case["codes"]
