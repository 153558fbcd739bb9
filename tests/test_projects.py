"""What a whole project decides (``linter.projects``): requests and their test doubles in other
files move together, a project that serves the abandoned API is reported once and its tests are
left alone, and a constant is rewritten where it is defined only when every use migrates alike."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from linter.cli import main

CLIENT = 'import requests\n\n\ndef drop(ep, image_id):\n    requests.delete(f"{ep}/v1.1/images/{image_id}").raise_for_status()\n'
DOUBLE = 'def test_drop(requests_mock):\n    requests_mock.delete("http://ims.test/v1.1/images/abc", status_code=200)\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "setup.py").write_text("")
    (root / "pkg" / "__init__.py").write_text("")
    monkeypatch.chdir(root)
    return root


def run(*args):
    result = CliRunner().invoke(main, [*args, "--no-cache"], catch_exceptions=False)
    return result


def findings(*args):
    return json.loads(run("check", "-o", "json", *args, ".").stdout)


def test_a_request_served_by_a_double_in_another_file_gets_no_fix(project):
    (project / "pkg" / "client.py").write_text(CLIENT)
    assert [f["fix"]["applicability"] for f in findings()] == ["safe"]  # alone, it is safe
    (project / "tests").mkdir()
    (project / "tests" / "test_client.py").write_text(DOUBLE)
    by_path = {f["path"]: f for f in findings()}
    request = by_path["pkg/client.py"]
    assert request["fix"] is None
    assert "tests/test_client.py:2" in request["evidence"]["fix"]["reason"]
    run("fix", ".")
    assert (project / "pkg" / "client.py").read_text() == CLIENT


def test_doubles_of_another_project_do_not_block(project, tmp_path):
    (project / "pkg" / "client.py").write_text(CLIENT)
    other = project / "vendored"
    other.mkdir()
    (other / "setup.py").write_text("")
    (other / "test_other.py").write_text(DOUBLE)
    by_path = {f["path"]: f for f in findings()}
    assert by_path["pkg/client.py"]["fix"]["applicability"] == "safe"


def test_a_server_project_is_reported_once_and_its_tests_are_left_alone(project):
    api = project / "pkg" / "api" / "v1"
    api.mkdir(parents=True)
    (api / "router.py").write_text('def setup(mapper, c):\n    mapper.connect("/images/detail", controller=c)\n'
                                   '    mapper.connect("/images", controller=c)\n')
    (api / "images.py").write_text('def link():\n    return {"href": "/v1/images/detail"}\n')
    (project / "pkg" / "api" / "v2").mkdir()
    (project / "pkg" / "api" / "v2" / "router.py").write_text('def setup(mapper, c):\n    mapper.connect("/images", controller=c)\n')
    (project / "tests").mkdir()
    (project / "tests" / "test_api.py").write_text(
        'import requests\n\n\ndef test_list():\n'
        '    assert requests.get("http://127.0.0.1:9292/v1/images/detail").json()["images"] == []\n'
    )
    (project / "pkg" / "client.py").write_text(CLIENT)
    found = findings()
    assert [(f["path"], f["code"]) for f in found if f["code"] == "IMS008"] == [("pkg/api/v1/router.py", "IMS008")]
    assert not [f for f in found if f["path"].startswith("tests/")]
    assert "pkg/client.py" in {f["path"] for f in found}  # its own clients are still checked
    (project / "pyproject.toml").write_text("[tool.imslint]\ncheck-server-tests = true\n")
    assert [f for f in findings() if f["path"].startswith("tests/")]


def test_a_module_constant_is_rewritten_where_defined_when_every_use_migrates(project):
    (project / "pkg" / "client.py").write_text(
        'import requests\n\nIMAGES = "/v1.1/images/"\n\n\n'
        'def drop(ep, i):\n    requests.delete(ep + IMAGES + i).raise_for_status()\n\n\n'
        'def drop_again(ep, i):\n    requests.delete(ep + IMAGES + i).raise_for_status()\n'
    )
    run("fix", ".")
    text = (project / "pkg" / "client.py").read_text()
    assert 'IMAGES = "/v2/images/"' in text and text.count("ep + IMAGES + i") == 2


def test_a_constant_other_modules_import_is_rewritten_at_the_uses(project):
    (project / "pkg" / "paths.py").write_text('IMAGES = "/v1.1/images/"\n')
    (project / "pkg" / "client.py").write_text(
        'import requests\n\nfrom .paths import IMAGES\n\n\n'
        'def drop(ep, i):\n    requests.delete(ep + IMAGES + i).raise_for_status()\n'
    )
    # the constant's own file is not reported: its importer reports where it is sent
    assert [f["path"] for f in findings()] == ["pkg/client.py"]
    run("fix", ".")
    assert (project / "pkg" / "paths.py").read_text() == 'IMAGES = "/v1.1/images/"\n'
    text = (project / "pkg" / "client.py").read_text()
    assert 'requests.delete(ep + "/v2/images/" + i)' in text
    assert "import IMAGES" not in text  # no import left unused (F401)
    # now nothing imports it: the leftover constant is reported where it is defined
    assert [f["path"] for f in findings()] == ["pkg/paths.py"]


def test_a_local_constant_with_a_use_that_cannot_migrate_is_rewritten_at_the_other_uses(project):
    (project / "pkg" / "client.py").write_text(
        'import requests\n\nIMAGES = "/v1.1/images/"\n\n\n'
        'def drop(ep, i):\n    requests.delete(ep + IMAGES + i).raise_for_status()\n\n\n'
        'def meta(ep, i):\n    return requests.head(ep + IMAGES + i).headers\n'
    )
    run("fix", ".")
    text = (project / "pkg" / "client.py").read_text()
    assert 'IMAGES = "/v1.1/images/"' in text and 'requests.delete(ep + "/v2/images/" + i)' in text
    assert "requests.head(ep + IMAGES + i)" in text


def test_a_class_constant_is_rewritten_where_defined_when_its_uses_migrate(project):
    (project / "pkg" / "client.py").write_text(
        'import requests\n\n\nclass Images:\n    DELETE_PATH = "/v1.1/images/"\n\n'
        '    def drop(self, ep, i):\n        requests.delete(ep + self.DELETE_PATH + i).raise_for_status()\n'
    )
    run("fix", ".")
    text = (project / "pkg" / "client.py").read_text()
    assert 'DELETE_PATH = "/v2/images/"' in text and "ep + self.DELETE_PATH + i" in text
    assert findings() == []




HELPERS = '''def image_url(base, path):
    """``path`` on ``base``."""
    return base + path


def auth_headers(token):
    headers = {"X-Auth-Token": token}
    return headers


def default_headers(version):
    return {"Accept": "application/json"}
'''


def _client_findings(project, name: str, params: str, call: str):
    """The IMS001 findings of a client that imports ``name`` from ``pkg/urls.py``, whether that
    module was parsed with libcst for them, and the line of the request."""
    from linter import project as project_module

    caller = f"import requests\nfrom pkg.urls import {name}\n\n\ndef images({params}):\n    return {call}.json()\n"
    (project / "pkg" / "client.py").write_text(caller)
    for memo in (project_module._CACHE, project_module._OUTLINES):  # as in a new process
        memo.clear()
    found = findings("--select", "IMS001")
    loaded = any(path.endswith("urls.py") for path in project_module._CACHE.entries)
    return [(f["path"], f["line"], f["column"]) for f in found], found, loaded, caller.splitlines()[5]


def test_an_imported_one_return_helper_is_followed_and_other_functions_cost_no_parse(project):
    """A call of another module's function is inlined only when its body is one ``return``
    (``evaluate._single_return``), so only then is that module parsed with libcst."""
    (project / "pkg" / "urls.py").write_text(HELPERS)
    where, found, loaded, line = _client_findings(project, "image_url", "ep", 'requests.get(image_url(ep, "/v1.1/images/detail"))')
    # the docstring does not hide the one return: the helper's result is what is sent
    assert where == [("pkg/client.py", 6, line.index("image_url(") + 1)]
    assert found[0]["evidence"]["method"]["value"] == "GET"
    assert loaded

    where, _, loaded, line = _client_findings(
        project, "auth_headers", "ep, token", 'requests.get(ep + "/v1.1/images/detail", headers=auth_headers(token))'
    )
    assert where == [("pkg/client.py", 6, line.index("ep +") + 1)]
    assert not loaded  # two statements: no helper imslint inlines, so nothing made it parse that module

    where, _, loaded, line = _client_findings(
        project, "default_headers", "ep", 'requests.get(ep + "/v1.1/images/detail", headers=default_headers(ep))'
    )
    assert where == [("pkg/client.py", 6, line.index("ep +") + 1)]
    assert not loaded  # one return, but naming no parameter: it builds nothing from what the caller passes


def test_a_helper_re_exported_by_a_package_is_followed(project):
    """``from .helpers import image_url`` in a package's ``__init__``: the client imports the helper
    from the package, and the request is reported where the helper's result is sent."""
    (project / "pkg" / "urlpkg").mkdir()
    (project / "pkg" / "urlpkg" / "__init__.py").write_text("from .helpers import image_url\n")
    (project / "pkg" / "urlpkg" / "helpers.py").write_text("def image_url(base, path):\n    return base + path\n")
    caller = (
        "import requests\nfrom pkg.urlpkg import image_url\n\n\n"
        'def images(ep):\n    return requests.get(image_url(ep, "/v1.1/images/detail")).json()\n'
    )
    (project / "pkg" / "client.py").write_text(caller)
    found = findings("--select", "IMS001")
    line = caller.splitlines()[5]
    assert [(f["path"], f["line"], f["column"]) for f in found] == [("pkg/client.py", 6, line.index("image_url(") + 1)]
    assert found[0]["evidence"]["method"]["value"] == "GET"
