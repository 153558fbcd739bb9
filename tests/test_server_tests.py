"""Tests of a server project that need no analysis (``linter.server_tests``): the screen for
route registrations, the import check, and the project pass that skips them without changing
a single finding."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import linter.runner as runner
from linter.cli import main
from linter.server_tests import imports_from, may_register_routes


@pytest.mark.parametrize("source", [
    'mapper.connect("/v1/images/detail", controller=c)\n',
    '@app.route("/v1/images")\ndef index(): pass\n',
    '@router.get(IMAGES)\nasync def index(): pass\n',
    'app.add_get("/v1/images", handler)\n',
    'routes = [web.get("/v1/images", handler)]\n',
    'urlpatterns = patterns("", (r"^v1.1/images/detail$", "app.views.index"))\n',
    'ROUTES = [("/v1.1/images/detail", ImageListHandler)]\n',
    'ROUTES = [("/images", {"GET": [controller, "index"]})]\n',
    'app.route(("/v1/images/<id>", "//v1/images/<id>"), callback=f)\n',
    'app.add_url_rule(rule=PATH, view_func=f)\n',
    'def broken(:\n',  # ``ast`` cannot read it: assume the worst
])
def test_route_registrations_are_seen(source):
    assert may_register_routes(source.encode())


@pytest.mark.parametrize("source", [
    '@mock.patch("nova.compute.api.API.get")\ndef test_get(self, get): pass\n',
    '@mock.patch.object(glance, "get", return_value=IMAGES)\ndef test_get(self, get): pass\n',
    'def test_list(client):\n    assert client.get("/v1/images/detail").status_code == 200\n',
    'pairs = [("/v1/images", "images")]\n',
    'self.assertEqual(("a", "b"), f())\n',
])
def test_other_code_registers_no_route(source):
    assert not may_register_routes(source.encode())


def test_imports_from_sees_every_spelling_of_an_import(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    for name in ("__init__.py", "sub/__init__.py", "sub/paths.py", "other.py"):
        (pkg / name).write_text("")
    test = pkg / "sub" / "test_x.py"
    paths = {str((pkg / "sub" / "paths.py").resolve())}
    roots = (str(tmp_path),)
    for source in ("from pkg.sub.paths import IMAGES\n", "from pkg.sub import paths\n", "import pkg.sub.paths as p\n",
                   "from .paths import IMAGES\n", "from . import paths\n", "from ..sub import paths\n"):
        assert imports_from(source.encode(), str(test), roots, paths), source
    for source in ("from pkg import other\n", "import os\n", "from .other import X\n", "x = 1\n"):
        assert not imports_from(source.encode(), str(test), roots, paths), source


# -- the project pass ------------------------------------------------------------------------------------

ROUTER = 'def setup(mapper, c):\n    mapper.connect("/images/detail", controller=c)\n'
SERVER_TEST = (
    'import requests\n\n\ndef test_list():\n'
    '    assert requests.get("http://127.0.0.1:9292/v1/images/detail").json()["images"] == []\n'
)
CLIENT = 'import requests\n\n\ndef drop(ep, image_id):\n    requests.delete(f"{ep}/v1.1/images/{image_id}").raise_for_status()\n'
DOUBLE = 'def test_drop(requests_mock):\n    requests_mock.delete("http://ims.test/v1.1/images/abc", status_code=200)\n'


@pytest.fixture
def server(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "pkg" / "api" / "v1").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "setup.py").write_text("")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "api" / "v1" / "router.py").write_text(ROUTER)
    (root / "tests" / "test_api.py").write_text(SERVER_TEST)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def analysed(monkeypatch):
    """The files the engine analysed in this test (its workers: none, the trees are small)."""
    seen = []
    original = runner.process_file

    def recording(job):
        seen.append(job.display_path)
        return original(job)

    monkeypatch.setattr(runner, "process_file", recording)
    return seen


def findings(*args):
    result = CliRunner().invoke(main, ["check", "--no-cache", "-o", "json", *args, "."], catch_exceptions=False)
    return json.loads(result.stdout)


def test_a_server_projects_test_is_not_analysed(server, analysed):
    found = findings()
    assert [(f["path"], f["code"]) for f in found] == [("pkg/api/v1/router.py", "IMS008")]
    assert "tests/test_api.py" not in analysed and "pkg/api/v1/router.py" in analysed


def test_it_is_analysed_when_checked(server, analysed):
    (server / "pyproject.toml").write_text("[tool.imslint]\ncheck-server-tests = true\n")
    assert "tests/test_api.py" in {f["path"] for f in findings()}
    assert "tests/test_api.py" in analysed


def test_its_doubles_still_count_for_a_fixable_request_of_the_project(server, analysed):
    (server / "pkg" / "client.py").write_text(CLIENT)
    (server / "tests" / "test_client.py").write_text(DOUBLE)
    by_path = {f["path"]: f for f in findings()}
    assert by_path["pkg/client.py"]["fix"] is None
    assert "tests/test_client.py:2" in by_path["pkg/client.py"]["evidence"]["fix"]["reason"]
    assert "tests/test_client.py" in analysed
    assert not [path for path in by_path if path.startswith("tests/")]  # and it is still left alone


def test_a_test_that_registers_routes_is_analysed_and_makes_its_project_a_server(tmp_path, monkeypatch, analysed):
    root = tmp_path / "proj"
    (root / "tests" / "fakes").mkdir(parents=True)
    (root / "setup.py").write_text("")
    (root / "tests" / "fakes" / "router.py").write_text(ROUTER)
    (root / "tests" / "test_api.py").write_text(SERVER_TEST)
    monkeypatch.chdir(root)
    assert [(f["path"], f["code"]) for f in findings()] == [("tests/fakes/router.py", "IMS008")]
    assert "tests/fakes/router.py" in analysed


def test_a_warm_run_keeps_the_route_screens_answers(server, tmp_path, monkeypatch):
    import linter.server_tests as server_tests

    screened = []
    original = server_tests.may_register_routes

    def counting(data):
        screened.append(data)
        return original(data)

    monkeypatch.setattr(server_tests, "may_register_routes", counting)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    runs = [CliRunner().invoke(main, ["check", "-o", "json", *cache, "."], catch_exceptions=False) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert [(f["path"], f["code"]) for f in json.loads(runs[1].stdout)] == [("pkg/api/v1/router.py", "IMS008")]
    assert screened == [SERVER_TEST.encode()]  # once, by the first run
    (server / "tests" / "test_api.py").write_text(SERVER_TEST + "\n")
    CliRunner().invoke(main, ["check", *cache, "."], catch_exceptions=False)
    assert screened[-1] == (SERVER_TEST + "\n").encode()  # new bytes: asked again


@pytest.fixture
def surveyed(monkeypatch):
    """The display paths of the jobs the engine only surveyed (``FileJob.survey_only``)."""
    seen = []
    original = runner.process_file

    def recording(job):
        if job.survey_only:
            seen.append(job.display_path)
        return original(job)

    monkeypatch.setattr(runner, "process_file", recording)
    return seen


def test_a_test_whose_doubles_count_is_only_surveyed(server, surveyed):
    (server / "pkg" / "client.py").write_text(CLIENT)
    (server / "tests" / "test_client.py").write_text(DOUBLE)
    by_path = {f["path"]: f for f in findings()}
    assert "tests/test_client.py:2" in by_path["pkg/client.py"]["evidence"]["fix"]["reason"]
    assert sorted(surveyed) == ["tests/test_api.py", "tests/test_client.py"]  # the project has a fixable request


def test_a_surveyed_test_that_registers_routes_keeps_its_findings(server, surveyed):
    (server / "pkg" / "client.py").write_text(CLIENT)
    fake = ROUTER + '\n\ndef test_list(ep):\n    requests.get(ep + "/v1.1/images/detail?name=x")\n'
    (server / "tests" / "fake_server.py").write_text("import requests\n\n\n" + fake)
    found = findings()
    assert "tests/fake_server.py" in surveyed
    (server / "pyproject.toml").write_text("[tool.imslint]\ncheck-server-tests = true\n")
    checked = findings()  # the test analysed as any file: the same findings of it
    assert [f for f in found if f["path"] == "tests/fake_server.py"] == [
        f for f in checked if f["path"] == "tests/fake_server.py"
    ] != []


def test_a_surveyed_test_that_is_not_left_alone_after_all_is_analysed(server, surveyed, monkeypatch):
    import linter.projects as projects

    (server / "pkg" / "client.py").write_text(CLIENT)
    (server / "tests" / "test_client.py").write_text(DOUBLE + SERVER_TEST.replace("import requests\n", ""))
    original = projects.left_alone
    monkeypatch.setattr(projects, "left_alone", lambda survey, path: None if path.endswith("test_client.py") else original(survey, path))
    found = {(f["path"], f["code"]) for f in findings()}
    assert "tests/test_client.py" in surveyed and ("tests/test_client.py", "IMS005") in found
