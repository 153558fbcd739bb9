"""The pre-filter is sound: every file the full analysis flags is kept by ``select_candidates``.

Checked over every fixture (``fixtures/cases/*/before.py``, the sample project, every rule's
INVALID examples) and over small cross-module projects; plus unit tests of the byte-level pieces.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter import prefilter
from linter.engine import lint_source
from linter.options import EngineOptions
from linter.project import ImportResolver
from linter.registry import all_rules
from linter.runner import select_candidates
from linter.source import SourceError, decode_source

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "fixtures" / "cases").glob("*/before.py"))
SAMPLE = ROOT / "fixtures" / "sample_project"


def items(paths):
    return [SimpleNamespace(display_path=str(path), abs_path=Path(path)) for path in paths]


def kept(paths):
    return {str(item.abs_path) for item in select_candidates(items(paths)).candidates}


def flagged(paths, roots, target="huawei-ims"):
    """The files the full analysis (with cross-module imports resolved) has findings in."""
    result = set()
    for path in paths:
        options = EngineOptions(target=target, resolve_import=ImportResolver(str(path), tuple(roots)))
        findings = lint_source(Path(path).read_bytes(), str(path), options=options)
        if [f for f in findings if f.code != "IMS000"]:
            result.add(str(path))
    return result


def write(root: Path, files: dict):
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# -- every fixture -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("before", CASES, ids=[path.parent.name for path in CASES])
def test_fixture_case_with_findings_is_kept(before):
    spec_file = before.parent / "case.json"
    target = json.loads(spec_file.read_text(encoding="utf-8")).get("target", "huawei-ims") if spec_file.exists() else "huawei-ims"
    paths = sorted(before.parent.glob("*.py"))
    assert flagged(paths, [before.parent], target) <= kept(paths)


def test_sample_project_files_with_findings_are_kept():
    paths = sorted(SAMPLE.rglob("*.py"))
    with_findings = flagged(paths, [str(SAMPLE)])
    assert str(SAMPLE / "ims_inventory" / "client.py") in with_findings
    assert with_findings <= kept(paths)


def _invalid_examples():
    for rule in all_rules():
        for number, example in enumerate(rule.INVALID):
            yield pytest.param(example, id=f"{rule.code}-invalid-{number}")


@pytest.mark.parametrize("example", list(_invalid_examples()))
def test_rule_invalid_example_is_kept(example, tmp_path):
    (path,) = write(tmp_path, {"example.py": example.code})
    assert flagged([path], [tmp_path], example.options.get("target", "huawei-ims")) == {str(path)}
    assert kept([path]) == {str(path)}


# -- across modules ---------------------------------------------------------------------------------------------

PATHS = 'BASE = "https://ims.example.com"\nLIST = "/v1.1/images/detail"\n'
CLIENT = "import requests\n{imports}\n\ndef fetch():\n    return requests.get({expression})\n"


@pytest.mark.parametrize(
    "imports, expression",
    [
        ("from .paths import BASE, LIST", "BASE + LIST"),
        ("from .paths import LIST as WHERE", 'f"https://ims{WHERE}"'),
        ("from . import paths", "paths.BASE + paths.LIST"),
        ("import pkg.paths as p", '"https://x" + p.LIST'),
    ],
)
def test_file_that_imports_a_constant_is_kept(tmp_path, imports, expression):
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/paths.py": PATHS,
        "pkg/client.py": CLIENT.format(imports=imports, expression=expression),
        "pkg/unrelated.py": "import os\n\nBASE = os.sep\n\ndef join(a, b):\n    return a + BASE + b\n",
    })
    client = str(tmp_path / "pkg" / "client.py")
    assert b"images" not in Path(client).read_bytes()
    assert client in flagged(paths, [tmp_path])
    selected = kept(paths)
    assert client in selected
    assert str(tmp_path / "pkg" / "paths.py") in selected
    assert str(tmp_path / "pkg" / "unrelated.py") not in selected
    assert str(tmp_path / "pkg" / "__init__.py") not in selected


def test_relay_re_export_is_followed(tmp_path):
    """``paths`` has the text, ``api`` re-exports it under a new name, ``client`` uses that name."""
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/paths.py": PATHS,
        "pkg/api.py": "from .paths import LIST as IMAGE_LIST\nfrom .paths import BASE\n",
        "pkg/client.py": CLIENT.format(imports="from .api import BASE, IMAGE_LIST", expression="BASE + IMAGE_LIST"),
        "pkg/other.py": "LIST = [1, 2]\n",  # names LIST but cannot import it
    })
    selected = kept(paths)
    assert str(tmp_path / "pkg" / "other.py") not in selected
    assert str(tmp_path / "pkg" / "api.py") in selected
    assert str(tmp_path / "pkg" / "client.py") in selected
    assert str(tmp_path / "pkg" / "client.py") in flagged(paths, [tmp_path])


@pytest.mark.parametrize("relay", [
    # the relay is kept in the first round (it names BASE) and only in the second round learns
    # that COMMON, which it also names, holds an endpoint
    "from .paths import BASE\nfrom .common import COMMON\nLIST = COMMON + '/detail'\nDEFAULT = BASE\n",
    # the relay is a seed itself, whose other constant comes from a module found later
    "from .common import COMMON\nDOCS = 'https://docs/images/'\nLIST = COMMON + '/detail'\n",
])
def test_re_export_found_in_a_later_round_is_followed(tmp_path, relay):
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/paths.py": 'BASE = "https://ims.example.com/v1.1/images"\n',
        "pkg/common.py": "from .paths import BASE\nCOMMON = BASE\n",
        "pkg/relay.py": relay,
        "pkg/client.py": CLIENT.format(imports="from .relay import LIST", expression='"" + LIST'),
    })
    client = str(tmp_path / "pkg" / "client.py")
    assert client in flagged(paths, [tmp_path])
    assert client in kept(paths)


@pytest.mark.parametrize("text, is_kept", [
    ("from .paths import LIST as L\nprint(L)\n", True),
    ("from .paths import *\nprint(LIST)\n", True),  # a star import counts as importing every name
    ("import pkg.paths\nprint(pkg.paths.LIST)\n", True),
    ("import pkg.paths as p\ndef f():\n    return p.LIST\n", True),
    ("def f():\n    from .paths import LIST\n    return LIST\n", True),
    ("class C:\n    LIST = []\n    def f(self):\n        return self.LIST\n", False),  # not imported
    ("LIST = [1]\n# uses paths.LIST\n", False),  # a comment and a local name
    ("def f(LIST):\n    return LIST.count(1)\n", False),
    ("def broken(:\n    LIST\n", True),  # ast cannot tell: kept, the engine reports IMS000
])
def test_a_file_that_mentions_a_name_is_kept_when_it_can_import_it(tmp_path, text, is_kept):
    paths = write(tmp_path, {"pkg/__init__.py": "", "pkg/paths.py": PATHS, "pkg/user.py": text})
    assert (str(tmp_path / "pkg" / "user.py") in kept(paths)) is is_kept


@pytest.mark.parametrize("text, is_kept", [
    ('URL = "https://ims/v1.1/images/detail"\n', True),
    ('URL = ("https://ims/v1.1/"\n       "images")\n', True),  # implicit concatenation
    ('URL = "https://ims/v1.1/images\\x2fdetail"\n', True),  # escapes decoded
    ('URL = f"{BASE}images{QUERY}"\n', True),
    ('PATH = "/".join(["v1.1", "images", "detail"])\n', True),
    ('def broken(:\n    "v1.1/images/detail"\n', True),  # ast cannot tell: the engine reports IMS000
    ('# see GET /v1.1/images/detail\nx = 1\n', False),  # a comment
    ('URL = b"https://ims/v1.1/images/detail"\n', False),  # bytes are not analysed
    ('images/detail = 1\n', True),  # not Python: kept for the engine's IMS000
    ('images_dir = "photos"\nimages = images_dir\n', False),
])
def test_seeds_are_confirmed_on_string_literals(tmp_path, text, is_kept):
    [path] = write(tmp_path, {"m.py": text})
    assert prefilter.is_seed(path.read_bytes()) or not is_kept
    assert (str(path) in kept([path])) is is_kept


def test_class_constant_used_through_its_class_is_kept(tmp_path):
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/routes.py": 'class Routes:\n    LIST_IMAGES = "https://ims.example.com/v1.1/images/detail"\n',
        "pkg/client.py": CLIENT.format(imports="from .routes import Routes", expression="Routes.LIST_IMAGES"),
    })
    assert str(tmp_path / "pkg" / "client.py") in kept(paths)


def test_unrelated_files_are_not_kept(tmp_path):
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/paths.py": PATHS,
        "pkg/maths.py": "def area(r):\n    return 3.14159 * r * r\n",
        "pkg/names.py": "LISTING = 'x'\nMY_LIST = LISTING\n",  # names that merely contain ``LIST``
    })
    assert kept(paths) == {str(tmp_path / "pkg" / "paths.py")}


@pytest.mark.parametrize("definition", ['"%simages/detail" % BASE', '"{}images/detail".format(BASE)'])
def test_constant_built_with_a_placeholder_before_images(tmp_path, definition):
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/paths.py": f'BASE = "https://ims.example.com/v1.1/"\nLIST = {definition}\n',
        "pkg/client.py": CLIENT.format(imports="from .paths import LIST", expression="LIST"),
    })
    client = str(tmp_path / "pkg" / "client.py")
    assert client in flagged(paths, [tmp_path])
    assert client in kept(paths)


def test_candidates_keep_the_input_order(tmp_path):
    paths = write(tmp_path, {
        "a_client.py": CLIENT.format(imports="from z_paths import LIST", expression="LIST"),
        "m_seed.py": 'URL = "/v1/images"\n',
        "z_paths.py": PATHS,
    })
    selection = select_candidates(items(paths))
    assert [item.abs_path for item in selection.candidates] == paths
    assert selection.files_seen == 3 and selection.problems == []


def test_undecodable_files_are_reported_not_kept(tmp_path):
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"x = 1\x00\x01")
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1"))
    selection = select_candidates(items([binary, latin]))
    assert selection.candidates == []
    assert [(r.display_path, r.findings[0].code) for r in selection.problems] == [(str(binary), "IMS000")]
    assert "NUL" in selection.problems[0].findings[0].message


# -- the byte-level pieces ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("names", [["LIST"], ["LIST", "BASE", "A1", "B2", "C3", "D4", "E5", "F6", "G7"]])
def test_names_pattern_matches_whole_identifiers_only(names):
    pattern = prefilter.names_pattern(names)
    assert prefilter.mentions(b"from .paths import LIST\n", pattern)
    assert prefilter.mentions(b"LIST", pattern)
    assert prefilter.mentions(b"x = paths.LIST", pattern)
    assert prefilter.mentions(b"getattr(paths, 'LIST')", pattern)
    assert prefilter.mentions(b"LIST_PATH = 1\nMY_LIST = 2\nLIST2 = 3\n(LIST)", pattern)
    assert not prefilter.mentions(b"LIST_PATH = 1\nMY_LIST = 2\nLIST2 = 3\n", pattern)
    assert not prefilter.mentions(b"", pattern)


def test_names_pattern_longer_names_and_overlaps():
    pattern = prefilter.names_pattern(["LIST_PATH", "PATH"])
    assert pattern.search(b"IMAGE_LIST_PATH = PATH") == (18, 22)
    assert prefilter.mentions(b"use(LIST_PATH)", pattern)
    many = prefilter.names_pattern(["AB", "B", "C1", "C2", "C3", "C4", "C5", "C6"])
    assert many.search(b"xAB B") == (4, 5)
    assert many.search(b"xAB xB") is None


def test_names_pattern_without_names():
    assert prefilter.names_pattern([]) is None
    assert prefilter.names_pattern(["not a name", "1x"]) is None
    assert not prefilter.mentions(b"anything", None)


def test_names_pattern_non_ascii_name():
    pattern = prefilter.names_pattern(["CHEMIN_IMAGES_É"])
    assert prefilter.mentions("x = CHEMIN_IMAGES_É\n".encode(), pattern)


@pytest.mark.parametrize(
    "data",
    [
        b"x = 1\n",
        b"",
        "x = 'caf\xe9'\n".encode(),
        b"\xef\xbb\xbfx = 1\n",
        b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
        b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
        b"#!/usr/bin/env python\n# coding=utf-8\nx = '\xe9'\n",
        b"# coding: nonsense\nx = 1\n",
        b"x = '\xe9'\n",
        b"x = 1\x00\n",
        b"#!/bin/sh\n\n# coding: latin-1\nx = '\xff'\n",  # a cookie on line 3 does not count
        b"x = 1\r# coding: latin-1\rx = '\xe9'\r",
        b"# encoding decoding\nx = 1\n",
    ],
)
def test_undecodable_agrees_with_decode_source(data):
    assert prefilter.undecodable(data) == _decode_verdict(data)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=80), st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.sampled_from([b"# coding: latin-1\n", b"\n# coding: ascii\n", b"\xef\xbb\xbf", b""]).flatmap(
                     lambda head: st.binary(max_size=40).map(lambda tail: head + tail))))
def test_undecodable_agrees_with_decode_source_on_any_bytes(data):
    assert prefilter.undecodable(data) == _decode_verdict(data)


def _decode_verdict(data):
    try:
        decode_source(data)
    except SourceError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("text", [
    'u = "/v1.1/images/detail"', "u = '/v1/images'", 'u = f"{base}images?limit=5"', 'u = "/v1/images#x"',
    'u = f"/v1/images{suffix}"', 'u = "/v1/images%s" % s', 'u = "/v1/images{}".format(s)',
    'u = Template("/v1/images$rest")', 'u = "/v1/images\\x2fdetail"', 'u = "/v1/images\\\n/detail"',
    'parts = ["v1", "images", "detail"]', 'u = b"/v1/images"', 'u = """/v1/images"""',
])
def test_seed_texts(text):
    assert prefilter.is_seed(text.encode())


@pytest.mark.parametrize("text", [
    "# no such text", '"""Save the images."""', "x = 'imagesc'", "images_dir = 1", "log('3 images, 2 videos')",
    "for images in x: pass",
])
def test_not_seed_texts(text):
    assert not prefilter.is_seed(text.encode())


def test_every_rule_example_text_is_a_seed():
    """A single-file finding needs its own ``images`` text: every INVALID example is a seed."""
    for rule in all_rules():
        for example in rule.INVALID:
            assert prefilter.is_seed(example.code.encode("utf-8")), (rule.code, example.code)

