"""The evidence model, question by question: the pure deciding functions over plain signals, and
the evidence the engine records for small programs (method, service, role, fix safety)."""
from __future__ import annotations

import pytest

from linter.endpoints import COMPUTE, HOLE_CHAR as H, IMAGE, IMAGE_V1, IMAGE_V2, called_title, match_paths, select_endpoint
from linter.engine import lint_source
from linter.evidence import method, safety, service
from linter.evidence.record import CLIENT, DEFINITION, DOUBLE, EXPLICIT, MEDIUM, SERVER, STRONG, WEAK, Evidence, Fact
from linter.evidence.role import is_test_path
from linter.imports import drop_orphaned_imports
from linter.literal_scan import python2_hint


# -- method -------------------------------------------------------------------------------------------

def test_method_takes_the_strongest_signal():
    fact = method.decide([method.Signal("GET", WEAK, "named _get"), method.Signal("POST", EXPLICIT, "'POST' given")])
    assert fact.value == "POST" and fact.reason == "'POST' given"


def test_method_is_unknown_when_strongest_signals_disagree_or_there_are_none():
    assert method.decide([method.Signal("GET", STRONG, "a"), method.Signal("HEAD", STRONG, "b")]).value is None
    assert method.decide([]).value is None


@pytest.mark.parametrize("name, client, expected", [
    ("requests.delete", True, "DELETE"), ("self.head", False, "HEAD"), ("self._get", False, "GET"),
    ("get_json", False, "GET"), ("self.list", False, None), ("send", False, None), ("urllib.request.urlopen", True, "GET"),
])
def test_method_from_names(name, client, expected):
    signals = method.name_signals(name, client)
    assert (signals[0].method if signals else None) == expected


# -- service ------------------------------------------------------------------------------------------

def test_service_takes_the_strongest_level_and_a_version_where_one_is_known():
    fact = service.decide([service.Signal(IMAGE, EXPLICIT, "port 9292"), service.Signal(IMAGE_V1, MEDIUM, "image/v1/"),
                           service.Signal(COMPUTE, WEAK, "class ComputeAPI")])
    assert fact.value == IMAGE_V1 and fact.strength == EXPLICIT


def test_the_version_comes_from_the_strongest_signals_that_name_one():
    fact = service.decide([service.Signal(IMAGE_V2, STRONG, "_endpoint_suffix '/v2'"),
                           service.Signal(IMAGE_V1, MEDIUM, "imports api.image_v1")])
    assert fact.value == IMAGE_V2
    tied = service.decide([service.Signal(IMAGE_V2, MEDIUM, "a"), service.Signal(IMAGE_V1, MEDIUM, "b")])
    assert tied.value == IMAGE


def test_service_conflict_at_the_top_is_unknown():
    fact = service.decide([service.Signal(IMAGE, STRONG, "a"), service.Signal(COMPUTE, STRONG, "b")])
    assert fact.value is None and "conflicting" in fact.reason


@pytest.mark.parametrize("host, double, expected", [
    ("controller:9292", False, IMAGE), ("nova-api:8774", False, COMPUTE),
    ("ims.eu-de.otc.t-systems.com", False, IMAGE), ("ecs.cn-north-4.myhuaweicloud.com", False, COMPUTE),
    ("api.digitalocean.com", False, "other-provider"), ("api.vendor.example", False, "other-provider"),
    ("gopher.test10.example", True, None), ("127.0.0.1", False, None), ("localhost", False, None), ("glance", False, IMAGE),
])
def test_hosts(host, double, expected):
    signals = service.host_signals(host, "the URL", double)
    assert (signals[0].service if signals else None) == expected


def test_a_doubles_made_up_host_is_weak_and_what_the_test_imports_decides():
    [signal] = service.host_signals("gopher.dev10.com", "the URL", double=True)
    assert signal.service == "other-provider" and signal.strength == WEAK
    assert service.host_signals("gopher.dev10.com", "the URL")[0].strength == STRONG  # live code: another provider
    source = (
        "from requests_mock.contrib import fixture\nimport testtools\n"
        "from openstackclient.api import image_v1\n\nFAKE_URL = 'http://gopher.dev10.com'\n\n\n"
        "class TestImage(testtools.TestCase):\n"
        "    def setUp(self):\n        super().setUp()\n        self.requests_mock = self.useFixture(fixture.Fixture())\n\n"
        "    def test_list(self):\n"
        "        self.requests_mock.register_uri('GET', FAKE_URL + '/v1/images', json={'images': []})\n"
    )
    [finding] = lint_source(source, "tests/unit/api/test_image_v1.py")
    assert finding.code == "IMS005" and finding.evidence.role.value == DOUBLE
    assert finding.evidence.service.value == IMAGE_V1 and "image_v1" in finding.evidence.service.reason
    without_import = source.replace("from openstackclient.api import image_v1\n", "")
    assert lint_source(without_import, "tests/unit/api/test_image_v1.py") == []  # a bare /v1/images needs evidence


@pytest.mark.parametrize("module, expected", [
    ("openstackclient.api.image_v1", IMAGE_V1), ("openstack.image.v1._proxy", IMAGE_V1),
    ("glanceclient.v1.images", IMAGE_V1), ("novaclient.v2", COMPUTE), ("myapp.imagery_v1", None), ("openstack.image.v2", None),
])
def test_imported_client_modules(module, expected):
    signals = service.import_signals([module])
    assert (signals[0].service if signals else None) == expected


def test_a_path_passed_as_a_frameworks_base_path_is_sent():
    source = (
        "class Proxy:\n"
        "    def images(self, **query):\n"
        "        return self._list(Image, base_path='/images/detail', **query)\n\n"
        "    def listed(self, details=True):\n"
        "        base_path = '/images/detail' if details else None\n"
        "        return self._list(Image, base_path=base_path)\n"
    )
    findings = lint_source(source, "openstack/image/v1/_proxy.py")
    assert [(f.code, f.line) for f in findings] == [("IMS005", 3), ("IMS005", 7)]
    assert all(f.fix is None and f.evidence.method.value is None for f in findings)  # `_list` says no method
    compute = lint_source(source, "openstack/compute/v2/_proxy.py")
    assert [f.code for f in compute] == ["IMS006", "IMS006"]
    assert lint_source(source, "app/proxy.py") == []  # no service evidence: a relative path is not enough


@pytest.mark.parametrize("path, expected", [
    ("glance/api/v1/router.py", IMAGE_V1), ("glance/api/v2/images.py", IMAGE_V2),
    ("nova/api/openstack/compute/images.py", COMPUTE), ("openstack/compute/v2/_proxy.py", COMPUTE),
    ("tempest/lib/services/image/v1/images_client.py", IMAGE_V1), ("novaclient/v2/images.py", COMPUTE),
    ("nova/image/glance.py", IMAGE), ("app/client.py", None),
])
def test_module_paths(path, expected):
    signals = service.module_path_signals(path)
    assert (signals[0].service if signals else None) == expected


def test_a_class_name_alone_is_never_service_evidence():
    source = (
        "class SavedImages:\n"
        "    def all(self):\n"
        "        return self._get('images/detail')\n"
    )
    assert lint_source(source, "x.py") == []  # no evidence which endpoint: not even sent by something known


# -- endpoints ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, method_, base, key", [
    ("/v1/images/" + H + "/members", "GET", None, "v1-members"),
    ("/v1/images/" + H + "/members/" + H, "PUT", None, "v1-member"),
    ("/v1/images", "POST", None, "v1-create"),
    ("/v1.1/images/" + H, "GET", None, "v1-download"),
    ("/v1.1/images/" + H, "PUT", None, "v1-update"),
    (H + "/v2.1/" + H + "/images/" + H + "/metadata/k", "DELETE", None, "nova-metadata-key"),
    ("images", "GET", IMAGE_V1, "image-relative-list"),
    ("images/" + H, "HEAD", IMAGE_V1, "image-relative-head"),
    ("images/" + H, "GET", COMPUTE, "compute-relative-show"),
    ("images/detail", "GET", IMAGE_V2, "image-v2-relative-detail"),
    ("images/detail", None, None, "compute-relative-detail"),
])
def test_select_endpoint(text, method_, base, key):
    match = select_endpoint(match_paths(text), method_, base)
    assert match is not None and match.endpoint.key == key


@pytest.mark.parametrize("text, method_, base", [
    ("images", "GET", None),  # live on v2, and no evidence of the endpoint
    ("images/" + H, "GET", IMAGE),  # v2's GET /v2/images/{id} is live
    ("/v1.1/images/detailed", "GET", None),  # a word, not an image ID
    ("/v1/images/detail", "POST", None),  # not a method the v1 API answers there
])
def test_select_endpoint_refuses(text, method_, base):
    assert select_endpoint(match_paths(text), method_, base) is None


def test_title_says_when_the_method_is_unknown():
    match = select_endpoint(match_paths("/v1/images/" + H), None, None)
    assert called_title(match, "/v1/images/" + H, None) == "/v1/images/{id} (method unknown)"


# -- the safety contract ----------------------------------------------------------------------------

def _case(**changes):
    base = dict(
        no_rewrite=None, expected_method="GET", method=Fact("GET", "requests.get", STRONG),
        service=Fact(IMAGE_V1, "the path", MEDIUM), role=Fact(CLIENT, "sent", STRONG), followed=True,
        filters="safe", filters_reason="", readers="safe", readers_reason="", pages="safe", pages_reason="",
    )
    base.update(changes)
    return safety.Case(**base)


def test_the_contract_is_safe_only_with_every_piece_of_evidence():
    assert safety.decide(_case()).value == "safe"


@pytest.mark.parametrize("changes, expected", [
    ({"role": Fact(DOUBLE, "m.get", STRONG)}, "none"),
    ({"role": Fact(DEFINITION, "a constant", WEAK)}, "none"),
    ({"method": Fact(None, "no method")}, "none"),
    ({"method": Fact("POST", "given", EXPLICIT)}, "none"),
    ({"method": Fact("GET", "named _get", WEAK)}, "unsafe"),
    ({"service": Fact(None, "no evidence")}, "none"),
    ({"service": Fact(IMAGE, "image_client", WEAK)}, "none"),
    ({"service": Fact(COMPUTE, "service_type", EXPLICIT)}, "none"),
    ({"followed": False}, "unsafe"),
    ({"filters": "unsafe", "filters_reason": "changes-since"}, "unsafe"),
    ({"filters": "none", "filters_reason": "size_min"}, "none"),
    ({"readers": "unsafe", "readers_reason": "returned"}, "unsafe"),
    ({"readers": "none", "readers_reason": "compared"}, "none"),
    ({"pages": "none", "pages_reason": "no loop fits"}, "none"),
    ({"pages": "unsafe", "pages_reason": "limit"}, "unsafe"),
    ({"shared": "url used at line 3"}, "none"),
    ({"doubles": "a double at line 9"}, "none"),
    ({"no_rewrite": "HEAD"}, "none"),
])
def test_the_contract_falls_back(changes, expected):
    verdict = safety.decide(_case(**changes))
    assert verdict.value == expected and verdict.reason


# -- the record -------------------------------------------------------------------------------------------

def test_evidence_round_trips_through_json():
    evidence = Evidence(Fact("GET", "a", STRONG), Fact(IMAGE, "b", MEDIUM), Fact(CLIENT, "c", STRONG), Fact("safe", "d"))
    again = Evidence.from_dict(evidence.to_dict())
    assert again.to_dict() == evidence.to_dict()
    assert "method: GET (a)" in evidence.lines()


def test_findings_carry_their_evidence():
    [finding] = lint_source('requests.delete(f"{ep}/v1.1/images/{i}").raise_for_status()\n', "x.py")
    data = finding.to_dict()["evidence"]
    assert data["method"]["value"] == "DELETE" and data["role"]["value"] == CLIENT
    assert data["service"]["value"] == IMAGE_V1 and data["fix"]["value"] == "safe"


# -- roles -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("tests/unit/test_images.py", True), ("glance/tests/functional/v1/test_api.py", True), ("conftest.py", True),
    ("app/client.py", False), ("app/latest.py", False),
])
def test_test_paths(path, expected):
    assert is_test_path(path) == expected


def test_doubles_have_no_filters_and_no_fix():
    source = 'def specs(base):\n    return [dict(method="GET", uri=base + "/v1/images/detail", json={"images": []})]\n'
    findings = lint_source(source, "x.py")
    assert [f.code for f in findings] == ["IMS005"]
    assert findings[0].fix is None and findings[0].evidence.role.value == DOUBLE


@pytest.mark.parametrize("head, receiver", [
    ("from django.test import TestCase\n\n\nclass T(TestCase):\n", "self.client"),
    ("from rest_framework import test\n\n\nclass T(test.APITestCase):\n", "self.client"),
    ("from myapp import app\n\n\nclass T:\n    client = None\n", "app.test_client()"),
])
def test_a_test_client_of_the_projects_own_app_is_server_code(head, receiver):
    call = receiver if receiver.startswith("self.") else "c"
    setup = "" if call.startswith("self.") else f"        c = {receiver}\n"
    source = head + "    def test_list(self):\n" + setup + f"        r = {call}.get('/api/v1.1/images/detail')\n        assert r.json()['images']\n"
    [finding] = lint_source(source, "app/tests/test_api.py")
    assert finding.evidence.role.value == SERVER and finding.fix is None


def test_self_client_of_a_plain_test_case_is_still_a_client():
    source = (
        "import unittest\n\nimport requests\n\n\nclass T(unittest.TestCase):\n"
        "    def setUp(self):\n        self.client = requests.Session()\n\n"
        "    def test_list(self):\n        r = self.client.get('https://ims.example.com/v1.1/images/detail')\n"
        "        assert r.json()['images']\n"
    )
    findings = lint_source(source, "tests/test_live.py")
    assert findings and all(f.evidence.role.value == CLIENT for f in findings)


def test_a_wrapper_passes_the_verb_it_is_given():
    source = (
        "import requests\n\n\nclass Api:\n"
        "    def _send(self, verb, path):\n        return requests.request(verb, self.endpoint + path)\n\n"
        "    def drop(self, image_id):\n        return self._send('DELETE', '/v1.1/images/' + image_id)\n"
    )
    [finding] = lint_source(source, "x.py")
    assert finding.evidence.method.value == "DELETE"
    assert "through `self._send`" in finding.evidence.role.reason


# -- cleanups and the literal scan ---------------------------------------------------------------------

def test_orphaned_import_is_dropped_only_when_it_was_used_before():
    before = "from a import X, Y\nimport b\n\nprint(X, Y)\n"
    after = 'from a import X, Y\nimport b\n\nprint("x", Y)\n'
    assert drop_orphaned_imports(before, after) == 'from a import Y\nimport b\n\nprint("x", Y)\n'
    unused_before = "from a import X\n\nprint(1)\n"
    assert drop_orphaned_imports(unused_before, unused_before + "#\n") == unused_before + "#\n"
    exported = '__all__ = ["X"]\nfrom a import X\nprint(X)\n'
    assert drop_orphaned_imports(exported, exported.replace("print(X)", "print(1)")) == exported.replace("print(X)", "print(1)")


@pytest.mark.parametrize("text, hint", [
    ('print "hello"\n', "print"), ("try:\n    pass\nexcept ValueError, e:\n    pass\n", "except"),
    ("x = 0777\n", "octal"), ("x = `y`\n", "backquotes"),
])
def test_python2_hints(text, hint):
    assert hint in python2_hint(text, 1)


def test_rst_backquotes_and_old_python3_are_not_called_python2():
    assert python2_hint('def f(async=False):\n    """Use ``x``, `y`."""\n') is None
