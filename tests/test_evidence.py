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


@pytest.mark.parametrize("host, expected", [
    (f"ims.{H}.myhuaweicloud.com", IMAGE), (f"ecs.{H}.otc.t-systems.com", COMPUTE), (f"{H}:9292", IMAGE),
    (f"{H}.iaas.cloud.ibm.com", "other-provider"), (f"{H}-api.hetzner.cloud", "other-provider"),
    (f"{H}.myhuaweicloud.com", None), (f"{H}.example.com", None), (H, None), (f"{H}.{H}", None),
    (f"api.{H}.glance.internal", IMAGE), (f"{H}.local", None),
])
def test_hosts_filled_in_at_runtime(host, expected):
    signals = service.host_signals(host, "the URL")
    assert (signals[0].service if signals else None) == expected
    if expected == "other-provider":
        assert signals[0].strength == MEDIUM and "{...}" in signals[0].reason


def test_another_providers_domain_under_a_runtime_region_is_no_finding():
    ibm = ('import requests\n\ndef images(region, headers):\n'
           '    return requests.get("https://%s.iaas.cloud.ibm.com/v1/images?version=2020-04-07" % region,\n'
           '                        headers=headers).json()["images"]\n')
    assert lint_source(ibm, "vpc/images.py") == []
    ims = ibm.replace("%s.iaas.cloud.ibm.com", "ims.%s.myhuaweicloud.com")
    assert {f.code for f in lint_source(ims, "vpc/images.py")} >= {"IMS005"}


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
    assert hint in python2_hint(text)


def test_python2_is_reported_where_its_code_is():
    text = ("import os\n\n\ndef setup(protocol):\n    if protocol:\n        print \"unknown %s\" % protocol\n"
            "    requests.get('http://glance:9292/v1/images/detail')\n    os.umask(022)\n")
    found = {f.code: (f.line, f.column) for f in lint_source(text, "tools/setup.py")}
    assert found == {"IMS000": (6, 9), "IMS005": (7, 18)}
    octal = text.replace('        print \"unknown %s\" % protocol\n', "        pass\n")
    assert [(f.line, f.column) for f in lint_source(octal, "tools/setup.py") if f.code == "IMS000"] == [(8, 14)]


def test_rst_backquotes_and_old_python3_are_not_called_python2():
    assert python2_hint('def f(async=False):\n    """Use ``x``, `y`."""\n') is None


def test_a_link_header_a_view_writes_is_no_request():
    view = ('from flask import Response, request\n\n\ndef post():\n    r = Response("{}", status=201)\n'
            '    r.headers.add("Location", "http://%s:%d/v1/images/%s" % (request.host, 9292, "42"))\n    return r\n')
    assert lint_source(view, "api/views.py") == []
    double = view.replace('r.headers.add("Location", ', 'responses.add("DELETE", ')
    [finding] = lint_source("import responses\n" + double, "tests/test_views.py")
    assert finding.code == "IMS005" and finding.evidence.role.value == DOUBLE


def test_pycurl_sends_get_unless_an_option_says_otherwise():
    source = ("import pycurl\n\n\ndef image(env, buf, image_id):\n    c = pycurl.Curl()\n"
              "    c.setopt(c.URL, 'http://' + env.host + ':8774/v2/' + env.project_id + '/images/' + image_id)\n"
              "    c.setopt(c.WRITEFUNCTION, buf.write)\n    c.perform()\n")
    [finding] = lint_source(source, "cloud/nova.py")
    assert finding.code == "IMS006" and finding.evidence.method.value == "GET"
    posted = source.replace("    c.perform()", "    c.setopt(c.CUSTOMREQUEST, 'DELETE')\n    c.perform()")
    assert lint_source(posted, "cloud/nova.py")[0].evidence.method.value == "DELETE"
    unread = source.replace("    c.perform()", "    c.setopt(c.CUSTOMREQUEST, verb)\n    c.perform()")
    assert lint_source(unread, "cloud/nova.py")[0].evidence.method.value is None
    assert lint_source(source.replace("    c.perform()\n", ""), "cloud/nova.py")[0].evidence.method.value is None


def test_a_helper_that_returns_the_path_is_reported_once_at_the_request_that_sends_it():
    source = ('import requests\n\n\ndef list_url(ep):\n    return ep + "/v1.1/images/detail"\n\n\n'
              'def first(token):\n'
              '    return requests.get(list_url("https://ims.eu-de.otc.t-systems.com"), headers={"X": token}).json()["images"][0]\n')
    [finding] = lint_source(source, "cloud/ims.py")
    assert finding.code == "IMS001" and finding.line == 9 and finding.fix is None
    assert "written in `list_url`" in finding.message
    unsent = source.split("\n\n\ndef first")[0] + "\n"
    [definition] = lint_source(unsent, "cloud/ims.py")
    assert definition.line == 5 and definition.evidence.role.value == DEFINITION


def test_a_runtime_base_before_images_detail_is_reported_either_way():
    source = ('import requests\n\n\ndef images(url, token):\n'
              '    return requests.get(url + "/images/detail", headers={"X-Auth-Token": token}).json()["images"]\n')
    [finding] = lint_source(source, "cloud/api.py")
    assert finding.code == "IMS006" and finding.fix is None
    assert "`GET images/detail` (relative to a compute or v1 image endpoint)" in finding.message
    for other in ('url + "/images/" + image_id', 'url + "/images"', 'url + "/images/detailed"'):
        assert lint_source(source.replace('url + "/images/detail"', other), "cloud/api.py") == []


def test_a_settings_default_host_is_medium_evidence():
    source = ('import os\n\nimport requests\n\nGLANCE = os.getenv("GLANCE_URL", "http://controller:9292")\n\n\n'
              'def drop(image_id):\n    requests.delete(GLANCE + "/v1/images/" + image_id).raise_for_status()\n')
    [finding] = lint_source(source, "tools/clean.py")
    assert finding.evidence.service.value == IMAGE and finding.evidence.service.strength == MEDIUM
    assert "the default of `os.getenv(...)`" in finding.evidence.service.reason and finding.fix is not None
    other = source.replace("http://controller:9292", "https://api.vendor-cloud.com")
    assert lint_source(other, "tools/clean.py") == []  # another provider's default: its /v1/images
    unset = source.replace(', "http://controller:9292"', "")
    assert lint_source(unset, "tools/clean.py")[0].fix is None  # no default: no evidence


def test_routes_given_as_a_tuple_of_paths_and_old_django_patterns():
    bottle = ("import bottle\n\n\ndef images_id(image_id):\n    return ''\n\n\napp = bottle.Bottle()\n"
              "app.route(('/v1/images/<image_id>', '//v1/images/<image_id>'), method=('GET', 'DELETE'), callback=images_id)\n")
    [finding] = lint_source(bottle, "dwarf/image/api.py")
    assert finding.code == "IMS008"
    django = ("from django.conf.urls.defaults import patterns\n\n"
              "urlpatterns = patterns('',\n    (r'^api/v1.1/images/detail$', 'synnefo.api.images.list_images'),\n)\n")
    [finding] = lint_source(django, "synnefo/api/urls.py")
    assert finding.code == "IMS008"
    listed = bottle.replace("app.route((", "requests.get((")  # a tuple passed to a request call is no route
    assert all(f.code != "IMS008" for f in lint_source("import requests\n" + listed, "dwarf/image/api.py"))


def test_a_webob_blank_request_goes_to_the_projects_own_app():
    source = ("import webob\n\n\ndef test_index(app):\n"
              "    req = webob.Request.blank('/v1.1/images/detail')\n    res = req.get_response(app)\n")
    [finding] = lint_source(source, "nova/tests/test_images.py")
    assert finding.evidence.role.value == SERVER and finding.fix is None


def test_an_endpoint_the_class_sets_to_end_in_a_version():
    source = ("from openstackclient.api import api\n\n\nclass APIv1(api.BaseAPI):\n"
              "    def __init__(self, endpoint=None, **kwargs):\n"
              "        super().__init__(endpoint=endpoint, **kwargs)\n"
              "        self.endpoint = '/'.join([self.endpoint.rstrip('/'), 'v1'])\n\n"
              "    def image_list(self, **filter):\n        return self.list('/images/detail', **filter)['images']\n")
    [finding] = lint_source(source, "openstackclient/api/image_v1.py")
    assert finding.code == "IMS005" and finding.evidence.service.value == IMAGE_V1
    assert "the end of `self.endpoint` (set in the class) is 'v1'" in finding.evidence.service.reason
    v2 = source.replace("'v1'])", "'v2'])")
    assert "IMS007" in {f.code for f in lint_source(v2, "openstackclient/api/image_v2.py")}  # never existed on v2


def test_a_tests_own_verb_helper_with_a_path_without_host_is_the_projects_app():
    source = ("import json\n\nfrom synnefo.api.tests import BaseAPITest\n\n\nclass ImageAPITest(BaseAPITest):\n"
              "    def test_delete_image(self):\n        response = self.delete('/api/v1.1/images/42', 'user')\n"
              "        self.assertEqual(response.status_code, 204)\n")
    [finding] = lint_source(source, "synnefo/api/test/images.py")
    assert finding.evidence.role.value == SERVER and finding.fix is None
    hosted = source.replace("'/api/v1.1/images/42'", "'http://glance:9292/v1/images/42'")
    assert lint_source(hosted, "synnefo/api/test/images.py")[0].evidence.role.value != SERVER


def test_the_text_scan_of_an_unparsable_file_judges_hosts_as_the_engine_does():
    text = ('print "x"\nibm = "https://%s.iaas.cloud.ibm.com/v1/images?version=2020-04-07" % region\n'
            'do = "https://api.digitalocean.com/v1/images"\nglance = "http://glance:9292/v1/images/detail"\n')
    found = [(f.code, f.line) for f in lint_source(text, "tools/images.py")]
    assert found == [("IMS000", 1), ("IMS005", 4)]
