"""The pre-filter is sound: every file the full analysis flags is kept by ``select_candidates``
(and, when it is marked for the ``ast`` screen, passes ``prefilter.alive``).

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
    """The files the pre-filter lets through to the engine: candidates, those marked for the
    ``ast`` screen only when it passes them (as the worker does)."""
    selection = select_candidates(items(paths))
    assert len(selection.screen) == len(selection.candidates)
    return {str(item.abs_path) for item, screen in zip(selection.candidates, selection.screen)
            if not screen or prefilter.alive(Path(item.abs_path).read_bytes())}


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
    ("from .paths import LIST\ndef broken(:\n    LIST\n", True),  # read from the bytes: kept, the engine reports IMS000
    ("def broken(:\n    LIST\n", False),  # imports nothing: cannot take LIST, broken or not
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


def test_files_read_in_the_workers_give_the_same_selection(tmp_path, monkeypatch):
    """The byte pass's reads done by the pool's workers, in batches (``runner._ByteReads``), come
    out as the same selection, in the same order, problems included, as reads done here."""
    from linter import runner

    files = {}
    for number in range(7):
        files[f"a{number}_client.py"] = CLIENT.format(imports="from z_paths import LIST", expression="LIST")
        files[f"b{number}_plain.py"] = "x = 1\n"
        files[f"c{number}_seed.py"] = 'URL = "/v1/images"\n'
    files["z_paths.py"] = PATHS
    paths = write(tmp_path, files)
    (tmp_path / "d_binary.py").write_bytes(b"x = 1\x00")
    (tmp_path / "e_dangling.py").symlink_to(tmp_path / "nowhere.py")
    paths = sorted(tmp_path.glob("*.py"))

    def summary(selection):
        return ([str(item.abs_path) for item in selection.candidates], selection.screen,
                [(r.display_path, r.findings[0].message) for r in selection.problems], selection.files_seen)

    here = summary(select_candidates(items(paths), cache_dir=None))
    monkeypatch.setattr(runner._ByteReads, "READ_HERE", 3)
    monkeypatch.setattr(runner._ByteReads, "BATCH", 4)
    with runner.Pool(2) as pool:
        in_workers = summary(select_candidates(items(paths), cache_dir=None, pool=pool))
        assert pool._executor is not None  # the workers did read
    assert in_workers == here
    assert len(here[0]) == 15 and [path for path, _ in here[2]] == [str(tmp_path / "d_binary.py"), str(tmp_path / "e_dangling.py")]


# -- cross-module routes the engine follows -----------------------------------------------------------------

BASE_CLIENT = '''class Client:
    list_path = "/v1/images/detail"

    def __init__(self, session):
        self.session = session
        self.detail = "/v1.1/images/detail"


def list_url():
    return "/v1.1/images/detail"


def not_a_helper():
    x = "/v1.1/images/detail"
    return x + ""
'''


@pytest.mark.parametrize("text, is_kept", [
    # a class attribute and an instance attribute of an imported base class, through ``self``
    ("from .base import Client\n\nclass Mine(Client):\n    def a(self):\n        return self.session.get(self.list_path)\n", True),
    ("from .base import Client\n\nclass Mine(Client):\n    def a(self):\n        return self.session.get(self.detail)\n", True),
    ("from . import base\n\nclass Mine(base.Client):\n    def a(self):\n        return self.session.get(self.detail)\n", True),
    # an imported one-return helper: its value is inlined at the call
    ("import requests\nfrom .base import list_url\n\ndef f(b):\n    return requests.get(b + list_url())\n", True),
    # the class imported, none of its carried attributes named; a function that is no helper
    ("from .base import Client\n\nclass Other(Client):\n    def a(self):\n        return self.session.get('/ping')\n", False),
    ("import requests\nfrom .base import not_a_helper\n\ndef f(b):\n    return requests.get(b + not_a_helper())\n", False),
])
def test_routes_through_classes_and_helpers(tmp_path, text, is_kept):
    paths = write(tmp_path, {"pkg/__init__.py": "", "pkg/base.py": BASE_CLIENT, "pkg/user.py": text})
    user = str(tmp_path / "pkg" / "user.py")
    assert (user in kept(paths)) is is_kept
    assert flagged(paths, [tmp_path]) <= kept(paths)
    if is_kept and "ping" not in text:
        assert user in flagged(paths, [tmp_path])


def test_a_relay_through_a_subclass_in_another_module(tmp_path):
    """``mid.Middle`` inherits ``Client.detail``; ``user`` subclasses ``Middle`` and reads it."""
    paths = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/base.py": BASE_CLIENT,
        "pkg/mid.py": "from .base import Client\n\nclass Middle(Client):\n    pass\n",
        "pkg/user.py": "from .mid import Middle\n\nclass Mine(Middle):\n    def a(self):\n        return self.session.get(self.detail)\n",
    })
    user = str(tmp_path / "pkg" / "user.py")
    assert user in flagged(paths, [tmp_path])
    assert user in kept(paths)


# -- the byte-level pieces ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("literal, kind", [
    ('"/v1/images"', "strong"), ('"/v1.1/images/detail"', "strong"), ("'https://ims/v1.0/images/x'", "strong"),
    ('"/v2/images/detail"', "strong"), ('"/v2.1/%s/images"', "strong"), ('"/v2/{project_id}/images/detail"', "strong"),
    ('"/0123456789abcdef/images"', "strong"), ('f"/v2.1/{tenant}/images"', "strong"), ('"%(tenant)s/images"', "strong"),
    ('f"{ self.base }/images"', "strong"), ('"v1/images"', "strong"), ('"/v1\\x2fimages"', "strong"),
    ('"images"', "weak"), ('"/images/detail"', "weak"), ('"/v2/images"', "weak"), ('"/v2/images/" "detail"', "weak"),
    ('f"{base}images"', "weak"), ('"%simages/detail"', "weak"), ('"/v2/images/%s"', "weak"),
    ('"/v2/images?limit=1"', "weak"), ('"/v2/images/"', "weak"), ('"/v2/images#x"', "weak"),  # the v2 list
    ('"projects/p/global/images"', None), ('"see the images/ folder"', None),
    ('"//images"', None), ('"https://host/images"', None), ('"/v2.1/images"', None), ('"/v2/images/x"', None),
    ('"a v1/images"', None), ('"listimages/"', None), ('"/servers/images"', None),
])
def test_occurrences_are_classified_by_the_segment_before_images(literal, kind):
    assert prefilter.classify(f"url = {literal}\n".encode()) == kind


@pytest.mark.parametrize("value, after_hole, kind", [
    ("/v1/images", False, "strong"), ("images", False, "weak"), ("/images", False, "weak"),
    ("/images", True, "strong"),  # after a field: a project-id position
    ("x/images", True, "strong"), ("x/images", False, None), ("/v2/images/detail", False, "strong"),
    ("/v2/images", False, "weak"), ("/v2/images?limit=1", False, "weak"), ("/v2/images/x", False, None),
    ('"images"', False, None), ("a b/images", False, None), ("images.", False, None),
    ("{}/images", False, "strong"), ("%s/images", False, "strong"), ("/v1.1/images?x", False, "strong"),
])
def test_values_are_classified_as_the_bytes_are(value, after_hole, kind):
    assert prefilter.value_kind(value, after_hole) == kind


def test_import_records_from_the_bytes():
    data = (b"from . import (a,  # c)\n  b)\nimport os.path as p, sys\nfrom .x import *\nif 1: from y.z import w\n"
            b"from \\\n  q import r\nx = 1; import m . n\nfrom .import k\ndef f():\n    from ..up import V as W\n"
            b"__import__('nope')\nimportlib.import_module('nope')\n")
    assert prefilter.import_records(data) == [
        (1, "", ("a", "b")), (0, "os.path", ()), (0, "sys", ()), (1, "x", ("*",)), (0, "y.z", ("w",)),
        (0, "q", ("r",)), (0, "m.n", ()), (1, "", ("k",)), (2, "up", ("V", "as", "W")),
    ]


def test_the_ast_screen_keeps_literals_the_engine_may_report(tmp_path):
    assert not prefilter.alive(b'"""Lists images/ of a project."""\nx = r["images"]\nif k == "images": pass\n'
                               b'd = {"images": 1}\nraise ValueError("/images/detail")\np = base / "images"\n'
                               b'if k in ("images", "x"): pass\nu = b"/v1/images"\n# GET /v1/images\n')
    assert prefilter.alive(b'get("images")\n')
    assert prefilter.alive(b'd = {"images": {"GET": answer}}\n')  # a test double keyed by URL
    assert prefilter.alive(b'url = "/v1/images"\n')
    assert prefilter.alive(b"def broken(:\n")  # ast cannot tell


_CLIENT_FILES = [
    # (module text, whether the engine reports a client call): the screen keeps every file of the
    # second kind and drops those of the first that build no client and set no variable
    ("from glanceclient import Client as GC\n\n\ndef f(ep):\n    return GC('1', ep).images.list()\n", True),
    ("import glanceclient.v1.client as v1\n\n\ndef f(ep):\n    gc = v1.Client(ep)\n    return gc.images.list()\n", True),
    ("import novaclient.client\n\n\ndef f(s):\n    return novaclient.client.Client('2', session=s).images.list()\n", True),
    ("from openstack import connect\n\nconn = connect(cloud='c')\nprint(list(conn.compute.images()))\n", True),
    ("import os\nimport novaclient\n\nos.environ['OS_IMAGE_API_' + 'VERSION'] = '1'\nprint(nova.images.list())\n", True),
    # a client that comes from elsewhere (``self.app.client_manager``, a parameter): nothing to report
    ("import glanceclient\n\n\ndef take_action(self):\n    return self.app.client_manager.image.images.list()\n", False),
    ("import novaclient\n\n\ndef list_images(nova):\n    return nova.images.list()\n", False),
    ("import openstack\n\n\ndef list_images(conn):\n    return list(conn.compute.images())\n", False),
]


def test_the_client_screen_knows_every_constructor_sdk_clients_follows():
    """The screen's argument rests on the names of ``sdk_clients``' constructors: a new one must
    be a name it knows, from a package it knows."""
    from linter import project, sdk_clients

    constructors = {sdk_clients._FROM_CONFIG} | sdk_clients._GLANCE_BY_VERSION | sdk_clients._GLANCE_V1 \
        | sdk_clients._NOVA | sdk_clients._CONNECTIONS
    for name in constructors:
        assert name.split(".")[0] in project._CLIENT_PACKAGES, name
        assert name.rsplit(".", 1)[-1] in project._CLIENT_CONSTRUCTORS, name


@pytest.mark.parametrize("text, reported", _CLIENT_FILES)
def test_the_ast_screen_keeps_a_client_library_file_only_when_it_may_build_a_client(text, reported):
    data = text.encode()
    assert prefilter.uses_client_library(data)  # live by its bytes
    found = [f for f in lint_source(text, "client.py") if f.code in ("IMS005", "IMS006")]
    assert bool(found) == reported, found
    assert prefilter.alive(data) == reported


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



@pytest.mark.parametrize("path, names", [
    ("pkg/sub/mod.py", ["mod", "sub.mod", "pkg.sub.mod"]),
    ("pkg/sub/__init__.py", ["sub", "pkg.sub"]),
    ("pkg/my-dir/mod.py", ["mod"]),  # a directory with a dash is no package
    ("pkg/2nd/mod_2.py", ["mod_2"]),  # nor one that starts with a digit
    ("pkg/caf\u00e9/_m\u00f6d.py", ["_m\u00f6d", "caf\u00e9._m\u00f6d", "pkg.caf\u00e9._m\u00f6d"]),
    ("pkg/a.b.py", []),
    ("pkg/9lives.py", []),
])
def test_module_suffixes(path, names):
    from linter.carriers import module_suffixes

    assert module_suffixes(path) == names
