"""Following image list answers (``linter.responses``) and the rules built on it: IMS003, IMS004."""
from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from linter.engine import fix_source, lint_source
from linter.evaluate import Evaluator
from linter.responses import (
    BODY,
    ITEM,
    LIST,
    MAPPING,
    PROPERTIES,
    RESPONSE,
    TIMESTAMP,
    ResponseFlow,
    find_v2_list_calls,
    is_v2_image_list,
    query_keys,
)
from linter.tree import collect


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def flow_of(source: str) -> ResponseFlow:
    module = cst.parse_module(source)
    facts = collect(module)
    evaluator = Evaluator(facts)
    return ResponseFlow(facts, evaluator, find_v2_list_calls(facts, evaluator))


def node_of(flow: ResponseFlow, snippet: str, occurrence: int = -1) -> cst.CSTNode:
    """The expression whose code is ``snippet`` (the last one by default)."""
    render = flow.facts.module.code_for_node
    found = [n for n in flow.facts.order if isinstance(n, cst.BaseExpression) and render(n) == snippet]
    assert found, snippet
    return found[occurrence]


def kind(source: str, snippet: str, occurrence: int = -1):
    flow = flow_of(code(source))
    return flow.kind(node_of(flow, snippet, occurrence))


def codes(source: str, **kwargs):
    return [f.code for f in lint_source(code(source), "m.py", **kwargs)]


def findings(source: str, rule: str, **kwargs):
    return [f for f in lint_source(code(source), "m.py", **kwargs) if f.code == rule]


def fixed(source: str, unsafe: bool = False, **kwargs) -> str:
    outcome = fix_source(code(source), "m.py", unsafe=unsafe, **kwargs)
    assert outcome.errors == []
    return outcome.text


# -- the v2 list matcher ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\x00/v2/images",
        "/v2/images",
        "v2/images",
        "https://ims.eu-de.otc.t-systems.com/v2/images/",
        "\x00/v2/images?disk_format=vhd&limit=5",
        "\x00v2/images",
        "\x00/v2/images#frag",
    ],
)
def test_v2_list_paths(text):
    assert is_v2_image_list(text)


@pytest.mark.parametrize(
    "text",
    [
        "\x00/v2/images/\x00",
        "/v2/images/detail",
        "/v2/imagesx",
        "/v2/cloudimages",
        "/v2.1/images",
        "/v1.1/images/detail",
        "/v2/\x00/images",
        "xv2/images",
        "GET /v2/images is the list",
        "",
        "\x00/v2/images\x00",
    ],
)
def test_not_v2_list_paths(text):
    assert not is_v2_image_list(text)


def test_query_keys():
    assert query_keys("\x00/v2/images?limit=5&marker=\x00&\x00=1") == {"limit", "marker"}
    assert query_keys("/v2/images") == frozenset()


def test_finds_get_requests_of_the_list_only():
    flow = flow_of(
        code(
            """
            a = requests.get(f"{ep}/v2/images", params={"limit": 5})
            b = requests.post(f"{ep}/v2/images", json={})
            c = requests.get(f"{ep}/v2/images/{image_id}")
            log.info("GET /v2/images")
            responses.add(responses.GET, "https://ims.example/v2/images", json={})
            URL = ep + "/v2/images?marker=x"
            d = session.request("GET", URL)
            e = api.list_all("/v2/images")
            """
        )
    )
    found = {flow.facts.module.code_for_node(c.call.func): c.filter_keys for c in flow.calls}
    assert found == {"requests.get": {"limit"}, "session.request": {"marker"}, "api.list_all": frozenset()}


# -- kinds ----------------------------------------------------------------------------------------------

BASIC = """
    resp = requests.get(f"{ep}/v2/images")
    data = resp.json()
    images = data["images"]
    for img in images:
        print(img["properties"], img["created_at"])
"""


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("resp", RESPONSE),
        ("resp.json()", BODY),
        ("data", BODY),
        ('data["images"]', LIST),
        ("images", LIST),
        ("img", ITEM),
        ('img["properties"]', PROPERTIES),
        ('img["created_at"]', TIMESTAMP),
    ],
)
def test_basic_kinds(snippet, expected):
    assert kind(BASIC, snippet) == expected


@pytest.mark.parametrize(
    "source, snippet, expected",
    [
        ('x = requests.get(f"{ep}/v2/images").json().get("images", [])\nx', "x", LIST),
        ('x = requests.get(f"{ep}/v2/images").json().get("images") or []\nx', "x", LIST),
        ('r = requests.get(f"{ep}/v2/images")\nx = json.loads(r.text)["images"]\nx', "x", LIST),
        ('r = requests.get(f"{ep}/v2/images")\nx = json.loads(r.content)\nx', "x", BODY),
        ('x = requests.get(f"{ep}/v2/images").json()["images"][0]\nx', "x", ITEM),
        ('x = requests.get(f"{ep}/v2/images").json()["images"][1:]\nx', "x", LIST),
        ('x = sorted(requests.get(f"{ep}/v2/images").json()["images"], key=k)\nx', "x", LIST),
        ('x = max(requests.get(f"{ep}/v2/images").json()["images"])\nx', "x", ITEM),
        ('x = next(iter(requests.get(f"{ep}/v2/images").json()["images"]))\nx', "x", ITEM),
        ('x = [i for i in requests.get(f"{ep}/v2/images").json()["images"] if i]\nx', "x", LIST),
        ('x = [i["id"] for i in requests.get(f"{ep}/v2/images").json()["images"]]\nx', "x", None),
        ('x = {i["id"]: i for i in requests.get(f"{ep}/v2/images").json()["images"]}\nx', "x", MAPPING),
        ('m = {i["id"]: i for i in requests.get(f"{ep}/v2/images").json()["images"]}\nx = m[k]\nx', "x", ITEM),
        ('m = {i["id"]: i for i in requests.get(f"{ep}/v2/images").json()["images"]}\nfor k, v in m.items():\n    v', "v", ITEM),
        ('for n, v in enumerate(requests.get(f"{ep}/v2/images").json()["images"]):\n    v', "v", ITEM),
        ('for n, v in enumerate(requests.get(f"{ep}/v2/images").json()["images"]):\n    n', "n", None),
        ('x = dict(requests.get(f"{ep}/v2/images").json()["images"][0])\nx', "x", ITEM),
        ('x = requests.get(f"{ep}/v2/images").json()["images"][0].copy()\nx', "x", ITEM),
        ('with requests.get(f"{ep}/v2/images") as r:\n    r', "r", RESPONSE),
        ('if (r := requests.get(f"{ep}/v2/images")):\n    r', "r", RESPONSE),
        ('async def f():\n    r = await client.get("/v2/images")\n    return r', "r", RESPONSE),
        ('t = requests.get(f"{ep}/v2/images").json()["images"][0]["updated_at"].rstrip("Z")\nt', "t", TIMESTAMP),
        ('x = requests.get(f"{ep}/v2/images/{i}").json()\nx["size"]', 'x["size"]', None),
        ('config = load()\nconfig["images"]', 'config["images"]', None),
    ],
)
def test_kinds(source, snippet, expected):
    assert kind(source, snippet) == expected


def test_urllib_request_and_urlopen():
    source = """
        req = urllib.request.Request(f"{ep}/v2/images", headers=h)
        with urllib.request.urlopen(req) as r:
            data = json.load(r)
        data["images"]
    """
    assert kind(source, "req") == "request-object"
    assert kind(source, "r") == RESPONSE
    assert kind(source, 'data["images"]') == LIST


def test_accumulated_pages_are_the_list():
    source = """
        images = []
        url = f"{ep}/v2/images"
        while url:
            body = requests.get(url).json()
            images.extend(body["images"])
            url = body.get("next")
        images
        more = []
        more += requests.get(f"{ep}/v2/images").json()["images"]
        more
        one = []
        for i in requests.get(f"{ep}/v2/images").json()["images"]:
            one.append(i)
        one
        other = []
        other.append(3)
        other
    """
    assert kind(source, "images") == LIST
    assert kind(source, "more") == LIST
    assert kind(source, "one") == LIST
    assert kind(source, "other") is None


def test_helpers_returning_and_yielding_images():
    source = """
        def list_images():
            resp = requests.get(f"{ep}/v2/images")
            return resp.json()["images"]

        def each():
            for image in requests.get(f"{ep}/v2/images").json()["images"]:
                yield image

        def again():
            yield from list_images()

        class Client:
            def fetch(self):
                self.images = list_images()

            def body(self):
                return requests.get(f"{ep}/v2/images").json()

            def use(self):
                for i in self.images:
                    i
                self.body()["images"]

        for a in list_images():
            a
        for b in each():
            b
        for c in again():
            c
    """
    for name in ("a", "b", "c", "i"):
        assert kind(source, name) == ITEM, name
    assert kind(source, 'self.body()["images"]') == LIST


def test_parameters_and_key_functions():
    source = """
        images = requests.get(f"{ep}/v2/images").json()["images"]

        def show(image, verbose=False):
            image

        class View:
            def render(self, image):
                image

            def run(self):
                self.render(images[0])

        show(images[0])
        sorted(images, key=lambda im: im)
        images.sort(key=lambda s: s)
        filter(lambda f: f, images)
        map(lambda a, b: b, images)
    """
    flow = flow_of(code(source))
    image = flow.value(node_of(flow, "image", 0))
    assert image.kind == ITEM and image.through_parameter
    assert flow.kind(node_of(flow, "image", 1)) == ITEM
    for name in ("im", "s", "f"):
        assert flow.kind(node_of(flow, name)) == ITEM, name
    assert flow.kind(node_of(flow, "b")) is None


def test_unrelated_names_are_not_images():
    source = """
        def images():
            return []

        for image in images():
            image
        resp = other.get(f"{ep}/v1/volumes")
        resp
    """
    assert kind(source, "image") is None
    assert kind(source, "resp") is None


def test_comprehension_names_do_not_leak():
    source = """
        names = [img["name"] for img in requests.get(f"{ep}/v2/images").json()["images"]]
        img = load()
        img
    """
    assert kind(source, "img", -1) is None
    assert kind(source, "img", 0) == ITEM


# -- whole-list reads and pagination ------------------------------------------------------------------


def whole_and_paged(source: str):
    flow = flow_of(code(source))
    (origin,) = flow.calls
    return flow.reads_whole_list(origin), flow.is_paginated(origin)


@pytest.mark.parametrize(
    "source, whole",
    [
        ('images = requests.get(f"{ep}/v2/images").json()["images"]\nfor i in images:\n    use(i)\n', True),
        ('n = len(requests.get(f"{ep}/v2/images").json()["images"])\n', True),
        ('last = requests.get(f"{ep}/v2/images").json()["images"][-1]\n', True),
        ('def f():\n    return requests.get(f"{ep}/v2/images").json()["images"]\n', True),
        ('first = requests.get(f"{ep}/v2/images").json()["images"][0]\n', False),
        ('top = requests.get(f"{ep}/v2/images").json()["images"][:10]\nfor t in top:\n    use(t)\n', False),
        ('top = requests.get(f"{ep}/v2/images").json()["images"][:30]\n', True),
        ('if requests.get(f"{ep}/v2/images").json()["images"]:\n    pass\n', False),
        ('empty = not requests.get(f"{ep}/v2/images").json()["images"]\n', False),
        ('any_ = bool(requests.get(f"{ep}/v2/images").json()["images"])\n', False),
        ('r = requests.get(f"{ep}/v2/images")\nr.raise_for_status()\n', False),
        ('def f():\n    return requests.get(f"{ep}/v2/images").json()\n', False),
        ('images = requests.get(f"{ep}/v2/images").json()["images"]\n', False),
    ],
)
def test_reads_whole_list(source, whole):
    assert whole_and_paged(source)[0] is whole


@pytest.mark.parametrize(
    "source, paged",
    [
        (
            'url = f"{ep}/v2/images"\nwhile url:\n    b = requests.get(url).json()\n    use(b["images"])\n'
            '    url = b.get("next")\n',
            True,
        ),
        ('b = requests.get(f"{ep}/v2/images").json()\nuse(b["images"])\nif "next" in b:\n    more()\n', True),
        (
            "marker = None\nwhile True:\n"
            '    page = requests.get(f"{ep}/v2/images", params=p).json()["images"]\n'
            '    use(page)\n    marker = page[-1]["id"]\n',
            True,
        ),
        (
            'p = {}\nwhile True:\n    page = requests.get(f"{ep}/v2/images", params=p).json()["images"]\n'
            '    use(page)\n    p["marker"] = page[-1]["id"]\n',
            True,
        ),
        (
            'p = {}\nwhile True:\n    page = requests.get(f"{ep}/v2/images", params=p).json()["images"]\n'
            '    use(page)\n    p.update(marker=page[-1]["id"])\n',
            True,
        ),
        ('for _ in range(9):\n    use(requests.get(f"{ep}/v2/images", params={"limit": 100}).json()["images"])\n', True),
        ('def page(m):\n    return requests.get(f"{ep}/v2/images", params={"marker": m}).json()["images"]\n', True),
        ('use(requests.get(f"{ep}/v2/images", params={"limit": 1000}).json()["images"])\n', False),
        ('for f in FORMATS:\n    use(requests.get(f"{ep}/v2/images", params={"disk_format": f}).json()["images"])\n', False),
        ('for i in requests.get(f"{ep}/v2/images", params={"limit": 1000}).json()["images"]:\n    use(i)\n', False),
    ],
)
def test_is_paginated(source, paged):
    assert whole_and_paged(source)[1] is paged


# -- IMS003 end to end -------------------------------------------------------------------------------


def test_v1_fields_of_a_helper_list_are_flagged_and_fixed_with_the_request():
    source = """
        def _list_images(ep):
            resp = requests.get(ep + "/v1.1/images/detail", params={"disk_format": "qcow2"})
            return resp.json()["images"]

        def describe(ep):
            return [(i["name"], i["is_public"], i["properties"]["__platform"]) for i in _list_images(ep)]
    """
    assert sorted(codes(source)) == ["IMS001", "IMS003", "IMS003", "IMS004"]
    # One safe fix: the path, the reads (followed into the private helper's only caller), the page loop.
    assert fixed(source) == code(
        """
        def _list_images(ep):
            images = []
            page_url = ep + "/v2/images"
            page_params = {"disk_format": "qcow2"}
            while True:
                resp = requests.get(page_url, params=page_params)
                page = resp.json()
                images.extend(page["images"])
                if not page.get("next"):
                    break
                page_url = page_url[: page_url.index("/v2/images")] + page["next"]
                page_params = None
            return images

        def describe(ep):
            return [(i["name"], i["visibility"] == "public", i["__platform"]) for i in _list_images(ep)]
        """
    )
    # Only IMS003 selected: its fix carries the request's rewrite, or the new reads would fail on v1.1.
    only = fix_source(code(source), "m.py", codes={"IMS003"}).text
    assert '"/v2/images"' in only and '"visibility"' in only


def test_no_fix_while_the_request_cannot_be_migrated():
    source = """
        resp = requests.get(ep + "/v1.1/images/detail", params={"size_min": 10})
        first = resp.json()["images"][0]
        print(first["is_public"])
    """
    (finding,) = findings(source, "IMS003")
    assert finding.fix is None
    assert "no fix: `size_min` cannot be translated" in finding.message
    assert fixed(source, unsafe=True) == code(source)


def test_reads_through_parameters_are_reported_without_fix():
    source = """
        def show(image):
            print(image["is_public"])

        for image in requests.get(f"{ep}/v2/images", params={"limit": 5}).json()["images"][:5]:
            show(image)
    """
    (finding,) = findings(source, "IMS003")
    assert finding.fix is None and "function parameter" in finding.message


@pytest.mark.parametrize(
    "read, expected",
    [
        ('x = img["is_public"]', 'x = img["visibility"] == "public"'),
        ("x = img['is_public']", "x = img['visibility'] == 'public'"),
        ('x = img.get("is_public")', 'x = img.get("visibility") == "public"'),
        ('x = img.get("is_public", False)', 'x = img.get("visibility") == "public"'),
        ('x = img["is_public"] == True', 'x = (img["visibility"] == "public") == True'),
        ('x = img["is_public"] and y', 'x = img["visibility"] == "public" and y'),
        ('x = -img["is_public"]', 'x = -(img["visibility"] == "public")'),
        ('x = img["is_public"] + 1', 'x = (img["visibility"] == "public") + 1'),
        ('x = str(img["is_public"]).lower()', 'x = str(img["visibility"] == "public").lower()'),
        ('x = f"{img[\'is_public\']}"', 'x = f"{img[\'visibility\'] == \'public\'}"'),
        ('x = img["size"]', 'x = int(img["__image_size"])'),
        ('x = img.get("size", 0)', 'x = int(img.get("__image_size", 0))'),
        ('x = img["properties"]["k"]', 'x = img["k"]'),
        ('x = img["properties"].get("k", 1)', 'x = img.get("k", 1)'),
        ('x = img.get("properties", {}).get("k")', 'x = img.get("k")'),
        ('x = img.get("properties", {})["k"]', 'x = img["k"]'),
        ('x = "k" in img["properties"]', 'x = "k" in img'),
        ('x = img["properties"][key]', 'x = img[key]'),
        ('x = img["metadata"]["k"]', 'x = img["k"]'),
        ('x = img["minRam"] + img["minDisk"]', 'x = img["min_ram"] + img["min_disk"]'),
        ('x = img["created"] < img["updated"]', 'x = img["created_at"] < img["updated_at"]'),
        ('x = img["OS-EXT-IMG-SIZE:size"]', 'x = int(img["__image_size"])'),
        ('x = img["status"] in ("ACTIVE",)', 'x = img["status"] in ("active",)'),
    ],
)
def test_item_fixes(read, expected):
    prefix = 'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
    result = fixed(prefix + read + "\n", unsafe=True)
    assert result == prefix + expected + "\n"
    assert fixed(result, unsafe=True) == result


@pytest.mark.parametrize(
    "read",
    [
        'x = img["deleted"]',
        'x = img.get("deleted_at")',
        'x = img["checksum"]',
        'x = img["virtual_size"]',
        'x = img.get("size")',
        'x = img.get("is_public", compute())',
        'x = "is_public" in img',
        'props = img["properties"]',
        'x = img["properties"]["name"]',
        'x = img["status"] == "SAVING"',
        'x = datetime.strptime(img["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")',
        'x = datetime.datetime.strptime(img.get("updated_at"), format=FORMAT)',
        'x = time.strptime(img["created_at"][:26], "%Y-%m-%dT%H:%M:%S.%f")',
    ],
)
def test_item_reads_reported_without_fix(read):
    prefix = 'FORMAT = "%Y-%m-%dT%H:%M:%S.%f"\nimg = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
    (finding,) = findings(prefix + read + "\n", "IMS003")
    assert finding.fix is None
    assert finding.line == 3


@pytest.mark.parametrize(
    "source",
    [
        'config = load()\nprint(config["size"], config["is_public"], config["properties"]["k"])\n',
        'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nprint(img["name"], img["visibility"])\n',
        'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nimg["is_public"] = True\ndel img["deleted"]\n',
        'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nprint(img["status"] == "active")\n',
        'img = requests.get(f"{ep}/v2/images/{image_id}").json()\nprint(img["size"], img["is_public"])\n',
        'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nstrptime(img["created_at"], "%Y-%m-%dT%H:%M:%SZ")\n',
        'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nstrptime(img["name"], "%f")\n',
        'data = requests.get(f"{ep}/v2/images?limit=1").json()\nprint(data["schema"], data["first"])\n',
        'img = nova.get(f"{ep}/v2.1/{project}/images/detail").json()["images"][0]\nprint(img["minRam"])\n',
    ],
)
def test_not_flagged(source):
    assert findings(source, "IMS003") == []


def test_size_fields_on_upstream_glance():
    source = 'img = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nx = (img["size"], img["checksum"], img["OS-EXT-IMG-SIZE:size"])\n'
    (finding,) = findings(source, "IMS003", target="openstack-glance")
    assert "OS-EXT-IMG-SIZE:size" in finding.message and finding.fix.applicability == "safe"
    assert len(findings(source, "IMS003")) == 3


# -- IMS004 end to end -------------------------------------------------------------------------------


def test_the_common_shape_becomes_a_loop_over_next():
    source = """
        import requests


        def list_all(ep, token):
            resp = requests.get(f"{ep}/v2/images", headers={"X-Auth-Token": token}, params={"status": "active"})
            resp.raise_for_status()
            return resp.json()["images"]
    """
    (finding,) = findings(source, "IMS004")
    assert finding.fix.applicability == "unsafe" and finding.line == 5
    assert fixed(source) == code(source)
    assert fixed(source, unsafe=True) == code(
        """
        import requests


        def list_all(ep, token):
            images = []
            page_url = f"{ep}/v2/images"
            page_params = {"status": "active"}
            while True:
                resp = requests.get(page_url, headers={"X-Auth-Token": token}, params=page_params)
                resp.raise_for_status()
                page = resp.json()
                images.extend(page["images"])
                if not page.get("next"):
                    break
                page_url = page_url[: page_url.index("/v2/images")] + page["next"]
                page_params = None
            return images
        """
    )


def test_a_request_that_sends_a_limit_gets_no_page_loop():
    # A loop would answer every image where the code asked for a number of them.
    source = """
        import requests


        def newest(ep, token):
            resp = requests.get(f"{ep}/v2/images", headers={"X-Auth-Token": token}, params={"limit": 100})
            return [image["name"] for image in resp.json()["images"]]
    """
    (finding,) = findings(source, "IMS004")
    assert finding.fix is None and "`limit`" in finding.message
    assert findings(source.replace('{"limit": 100}', '{"limit": 25}'), "IMS004") == []
    assert findings(source.replace('{"limit": 100}', '{"limit": "10"}'), "IMS004") == []
    assert len(findings(source.replace('{"limit": 100}', '{"limit": size}'), "IMS004")) == 1
    abandoned = source.replace('f"{ep}/v2/images"', 'f"{ep}/v1.1/images/detail"')
    (listed,) = findings(abandoned, "IMS001")
    assert listed.fix.applicability == "unsafe" and "maximum page size" in listed.evidence.fix.reason
    assert "while True" not in fixed(abandoned, unsafe=True)
    small = abandoned.replace('{"limit": 100}', '{"limit": 5}')
    assert findings(small, "IMS004") == [] and findings(small, "IMS001")[0].fix.applicability == "safe"


def test_collects_straight_into_the_assigned_name():
    source = """
        '''Docstring.'''
        from urllib import parse as up


        def names(session):
            body = session.get("/v2/images").json()
            found = body.get("images", [])
            return [i["name"] for i in found]
    """
    assert fixed(source, unsafe=True) == code(
        """
        '''Docstring.'''
        from urllib import parse as up


        def names(session):
            found = []
            page_url = "/v2/images"
            while True:
                body = session.get(page_url).json()
                found.extend(body.get("images", []))
                if not body.get("next"):
                    break
                page_url = page_url[: page_url.index("/v2/images")] + body["next"]
            return [i["name"] for i in found]
        """
    )


def test_the_loop_needs_no_import():
    """The next URL is built from the first one, so no ``urljoin`` (and no import) is needed."""
    source = '"""Doc."""\nimages = session.request("GET", IMS + "/v2/images").json()["images"]\nprint(len(images))\n'
    assert fixed(source, unsafe=True) == code(
        '''
        """Doc."""
        images = []
        page_url = IMS + "/v2/images"
        while True:
            page = session.request("GET", page_url).json()
            images.extend(page["images"])
            if not page.get("next"):
                break
            page_url = page_url[: page_url.index("/v2/images")] + page["next"]
        print(len(images))
        '''
    )


def test_names_in_use_are_not_shadowed():
    source = """
        def f(page, page_url, images):
            resp = requests.get(f"{page_url}/v2/images")
            return [page(i) for i in resp.json()["images"]] + images
    """
    result = fixed(source, unsafe=True)
    assert "all_images = []" in result and "next_url = f\"{page_url}/v2/images\"" in result
    assert "body = resp.json()" in result and "for i in all_images]" in result


@pytest.mark.parametrize(
    "source",
    [
        # a wrapper: it may page itself
        'def f():\n    return api.get("/v2/images").json()["images"]\n',
        # the response is used after the read
        'r = requests.get(f"{ep}/v2/images")\nx = r.json()["images"]\nprint(x, r.headers)\n',
        'r = requests.get(f"{ep}/v2/images")\nprint(r.json()["images"], r.status_code)\n',
        # a return between the request and the read
        'def f():\n    r = requests.get(f"{ep}/v2/images")\n    if not r.ok:\n        return []\n    return r.json()["images"]\n',
        # the request runs in a loop
        'for fmt in FORMATS:\n    r = requests.get(f"{ep}/v2/images", params={"disk_format": fmt})\n    use(r.json()["images"])\n',
        # params given positionally, or the request in a lambda, or on one line with its block
        'r = requests.get(f"{ep}/v2/images", {"limit": 5})\nuse(r.json()["images"])\n',
        'f = lambda: requests.get(f"{ep}/v2/images").json()["images"]\nuse(f())\n',
        'if ok: use(requests.get(f"{ep}/v2/images").json()["images"])\n',
        # two reads in one statement
        'r = requests.get(f"{ep}/v2/images")\nuse(r.json()["images"], r.json()["images"])\n',
        # urllib: the answer is read another way
        'req = Request(f"{ep}/v2/images")\nwith urlopen(req) as r:\n    use(json.load(r)["images"])\n',
    ],
)
def test_other_shapes_are_reported_without_fix(source):
    (finding,) = findings(source, "IMS004")
    assert finding.fix is None


def test_abandoned_query_is_rewritten_with_its_page_loop_in_one_safe_fix():
    source = """
        import requests


        def vhd(ep):
            resp = requests.get(ep + "/v1.1/images/detail", params={"disk_format": "vhd"})
            return [i["id"] for i in resp.json()["images"]]
    """
    (finding,) = findings(source, "IMS004")
    assert finding.fix.applicability == "safe" and "page loop" in finding.message
    (query,) = findings(source, "IMS001")
    assert query.fix == finding.fix  # one fix for the request, carried by both findings
    result = fixed(source)
    assert '"/v2/images"' in result and "while True:" in result and "for i in images]" in result
    assert codes(result) == []


@pytest.mark.parametrize(
    "path, code_",
    [("/v1.1/images/detail", "IMS001"), ("/v1/images/detail", "IMS005"), ("/v1/images", "IMS005"), ("/v2/images/detail", "IMS007")],
)
def test_every_abandoned_list_rewritten_to_v2_counts(path, code_):
    source = f'images = requests.get("https://ims.example.com{path}").json()["images"]\nprint([i["is_public"] for i in images])\n'
    assert sorted(codes(source)) == sorted([code_, "IMS003", "IMS004"])
    (finding,) = findings(source, "IMS003")
    assert "request at line 1" in finding.message and finding.fix is not None
    assert '/v2/images"' in fixed(source) and 'i["visibility"] == "public"' in fixed(source)
    assert "while True:" in fixed(source)


def test_a_bare_v1_list_without_image_evidence_gets_no_fix():
    source = 'images = requests.get(ep + "/v1/images").json()["images"]\nprint([i["is_public"] for i in images])\n'
    assert all(f.fix is None for f in findings(source, "IMS005") + findings(source, "IMS003"))


def test_nova_proxy_lists_are_not_followed():
    source = 'images = requests.get(ecs + "/v2.1/" + project + "/images/detail").json()["images"]\nprint(images[0]["minRam"])\n'
    assert "IMS003" not in codes(source) and "IMS004" not in codes(source)


def test_cloudimages_target_is_not_paged_by_next():
    source = 'images = requests.get(ep + "/v1.1/images/detail").json()["images"]\nuse(images)\n'
    assert codes(source) == ["IMS001", "IMS004"]
    assert codes(source, target="huawei-cloudimages") == ["IMS001"]


def test_page_loop_keeps_layout_of_moved_statements():
    source = (
        "import urllib.parse\r\n\r\ndef f(ep):\r\n"
        "\tresp = requests.get(ep + '/v2/images')  # list\r\n"
        "\t# status\r\n"
        "\tif resp.status_code != 200:\r\n"
        '\t\traise RuntimeError("""bad\r\nanswer""")\r\n'
        "\r\n"
        "\tdata = resp.json()\r\n"
        "\treturn data['images']\r\n"
    )
    result = fix_source(source, "m.py", unsafe=True).text
    assert result == (
        "import urllib.parse\r\n\r\ndef f(ep):\r\n"
        "\timages = []\r\n"
        "\tpage_url = ep + '/v2/images'\r\n"
        "\twhile True:\r\n"
        "\t\tresp = requests.get(page_url)  # list\r\n"
        "\t\t# status\r\n"
        "\t\tif resp.status_code != 200:\r\n"
        '\t\t\traise RuntimeError("""bad\r\nanswer""")\r\n'
        "\r\n"
        "\t\tdata = resp.json()\r\n"
        "\t\timages.extend(data['images'])\r\n"
        "\t\tif not data.get('next'):\r\n"
        "\t\t\tbreak\r\n"
        "\t\tpage_url = page_url[: page_url.index('/v2/images')] + data['next']\r\n"
        "\treturn images\r\n"
    )


# -- every fix parses and is a fixed point -------------------------------------------------------------

SAMPLES = [
    """
    import requests
    from datetime import datetime

    def list_images(ep):
        resp = requests.get(ep + "/v1.1/images/detail", params={"disk_format": "vhd", "limit": 10})
        return resp.json()["images"]

    def report(ep):
        for n, img in enumerate(list_images(ep)):
            print(n, img["size"], img["is_public"], img.get("properties", {}).get("__os_type"))
            print(datetime.strptime(img["created_at"], "%Y-%m-%dT%H:%M:%S.%f"), img["deleted"])
    """,
    """
    class Client:
        def __init__(self, session):
            self.session = session

        async def images(self):
            data = (await self.session.get("/v2/images")).json()
            return data["images"]

        async def sizes(self):
            return {i["id"]: i["size"] for i in await self.images()}
    """,
    """
    def biggest(ep):
        with requests.Session() as session:
            resp = session.get(f"{ep}/v2/images", params=dict(limit=5))
            images = resp.json()["images"]
        return max(images, key=lambda i: i["size"])["properties"]["__platform"]
    """,
    """
    for image in requests.get(IMS + "/v1.1/images/detail?status=active").json()["images"]:
        if image["is_public"] == True and image["minRam"] >= 512:
            print(image["properties"]["hw_firmware_type"])
    """,
]


@pytest.mark.parametrize("source", SAMPLES)
def test_fixes_parse_and_are_idempotent(source):
    once = fix_source(code(source), "m.py", unsafe=True)
    assert once.errors == []
    cst.parse_module(once.text)
    again = fix_source(once.text, "m.py", unsafe=True)
    assert again.text == once.text
    # what is left has no fix: a request whose readers block it (IMS003), or no loop fits
    assert all(f.fix is None for f in once.findings if f.code in ("IMS001", "IMS004"))


@pytest.mark.parametrize(
    "source",
    [
        'x = requests.get(f"{ep}/v2/images").json()["images"] if ok else []\nuse(x)\n',
        'x = ok and len(requests.get(f"{ep}/v2/images").json()["images"])\n',
        'if ok:\n    pass\nelif len(requests.get(f"{ep}/v2/images").json()["images"]) > 3:\n    pass\n',
        'while len(requests.get(f"{ep}/v2/images").json()["images"]) > 3:\n    pass\n',
    ],
)
def test_requests_sent_conditionally_are_not_moved(source):
    (finding,) = findings(source, "IMS004")
    assert finding.fix is None


def test_a_request_in_a_comprehension_element_runs_in_a_loop():
    source = 'counts = [len(requests.get(f"{ep}/v2/images", params={"name": n}).json()["images"]) for n in names]\n'
    flow = flow_of(source)
    (origin,) = flow.calls
    assert flow.loop_of(origin.call) is not None
    (finding,) = findings(source, "IMS004")
    assert finding.fix is None
    once = 'names = [i["name"] for i in requests.get(f"{ep}/v2/images").json()["images"]]\n'
    assert flow_of(once).loop_of(flow_of(once).calls[0].call) is None
    assert "while True:" in fixed(once, unsafe=True)


def test_a_size_already_made_a_number_is_not_wrapped_again():
    source = """
        import requests


        def sizes(base):
            images = requests.get(base + '/v2/images').json()['images']
            return [int(image['size']) + 1 for image in images[:3]]
    """
    assert "int(image['__image_size']) + 1" in fixed(source, unsafe=True)
    assert "int(int(" not in fixed(source, unsafe=True)


@pytest.mark.parametrize("bases", [
    (cst.BaseExpression,), (cst.BaseCompoundStatement, cst.SimpleStatementLine), (cst.BaseString,),
    (cst.BaseSmallStatement,), (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Await),
])
def test_node_kinds_answer_isinstance_for_every_libcst_node_class(bases):
    """``tree.kinds`` stands in for ``isinstance`` in the hot loops: it must hold every subclass,
    however deep in libcst's class tree."""
    from libcst._nodes.base import CSTNode

    from linter.tree import kinds

    every_class = kinds(CSTNode)
    assert cst.If in every_class and cst.FormattedStringText in every_class
    chosen = kinds(*bases)
    for klass in every_class:
        assert (klass in chosen) == issubclass(klass, bases), klass
