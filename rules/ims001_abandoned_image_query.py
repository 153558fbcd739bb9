"""IMS001: a use of the abandoned ``GET /v1.1/images/detail``."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid
from linter.site_rules import endpoint_findings


class AbandonedImageQuery(Rule):
    """Flags every use of Huawei Cloud IMS's abandoned native OpenStack query
    `GET /v1.1/images/detail`, however the URL is built: literals, f-strings, `+`, implicit
    concatenation, `%`, `str.format`, `urljoin`, `posixpath.join`, `"/".join([...])`, and names
    bound to constants in the module, the class (`self.LIST_PATH`) or the function.

    **Why**: IMS marks the v1.1 query "abandoned and not recommended" (OTC: "deprecated");
    the recommended query is `GET /v2/images` ("Querying Images (Native OpenStack API)").

    **Fix**: the path becomes `/v2/images` (only the literal text that holds it is edited; a URL
    assembled from a shared constant is rewritten at the use site) and the filters are
    translated wherever they are written: the URL's query string, a `params=` mapping (also one
    held in a name, with keys set one at a time), `urlencode({...})`, or a wrapper's keyword
    arguments. `name`, `container_format`, `disk_format`, `status`, `min_ram`, `min_disk`,
    `sort_key`, `sort_dir`, `limit` and `marker` stay as they are; `protected` is lower-cased;
    `property-__os_type=...` (IMS's documented `__*` keys) becomes `__os_type=...`.

    The fix is **safe** only with positive evidence that the rewritten request returns the same
    images and that every reader of the answer still works (the contract, printed below): a
    client request (not a test double), GET known from the call, the image service known from
    evidence (here the path itself: only the image API has `/v1.1/images/detail`), the answer's
    readers followed, and, when the whole list is read once, a page loop in the same fix (v1.1
    answered every image at once, v2 answers 25 a page). It is **unsafe** (applied only with
    `--unsafe-fixes`, with the reason in `--show-fixes`) when a filter changes meaning
    (`changes-since`, see IMS002), filters are built at runtime, the answer goes to code imslint
    does not see, or the request goes through a wrapper it could not follow. No fix is offered
    when a filter has no v2 equivalent (`size_min`, `size_max`, `is_public`, other `property-*`
    keys, unknown keys: IMS002 says which), a reader of the answer cannot be rewritten (IMS003),
    the list needs a page loop that does not fit the code, a test double for the same endpoint
    stays behind, or the URL is shared with a use the fix leaves alone.

    **What the fix does not change** (check by hand):
    - v2 items differ: `is_public` → `visibility`, `properties[k]` → top-level `k`, `size` reads 0
      on IMS (the byte count is `__image_size`), timestamps are whole seconds with `Z` (IMS003).
    - v2 lists only *accepted* shared images by default, v1.1 listed all shared images, so
      pending and rejected shares disappear from the result (`member_status` selects them).
    """

    code = "IMS001"
    name = "abandoned-image-query"
    summary = "GET /v1.1/images/detail is abandoned; use GET /v2/images"
    severity = "error"
    fixable = "sometimes"

    VALID = [
        Valid('requests.get(f"{endpoint}/v2/images", params={"disk_format": "qcow2"})\n'),
        Valid('requests.get(f"{endpoint}/v1.1/images/details-report")\n'),
        Valid('requests.get(f"{endpoint}/v1.1/images/detailed")\n'),
        Valid('requests.get(f"{endpoint}/v1.1/snapshots/detail")\n'),
        Valid('def f():\n    """Calls GET /v1.1/images/detail."""\n'),
        Valid('# requests.get(endpoint + "/v1.1/images/detail")\n'),
        Valid('log.warning("GET /v1.1/images/detail is deprecated")\n'),
        Valid('raise RuntimeError(f"{endpoint}/v1.1/images/detail failed")\n'),
    ]
    INVALID = [
        Invalid(
            'resp = requests.get(f"{endpoint}/v1.1/images/detail", headers=headers)\n',
            fixed='resp = requests.get(f"{endpoint}/v2/images", headers=headers)\n',
        ),
        Invalid(
            'resp = requests.get("https://ims.eu-de.otc.t-systems.com/v1.1/images/detail?disk_format=qcow2")\n',
            fixed='resp = requests.get("https://ims.eu-de.otc.t-systems.com/v2/images?disk_format=qcow2")\n',
        ),
        Invalid(
            'API = "v1.1"\n\n\ndef images(ep):\n    return requests.get(f"{ep}/{API}/images/detail")\n',
            fixed='API = "v1.1"\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v2/images")\n',
            unsafe=True,  # the answer is returned to callers imslint does not see
        ),
        Invalid(
            'def newest(ep):\n'
            '    url = "{}/v1.1/images/detail".format(ep)\n'
            '    r = session.get(url, params={"property-__os_type": "Linux"})\n'
            '    return r.json()["images"][0]["name"]\n',
            fixed='def newest(ep):\n'
            '    url = "{}/v2/images".format(ep)\n'
            '    r = session.get(url, params={"__os_type": "Linux"})\n'
            '    return r.json()["images"][0]["name"]\n',
        ),
        Invalid(
            'def names(ep, token):\n'
            '    resp = requests.get(ep + "/v1.1/images/detail", headers={"X-Auth-Token": token})\n'
            '    resp.raise_for_status()\n'
            '    return [image["name"] for image in resp.json()["images"]]\n',
            fixed='def names(ep, token):\n'
            '    images = []\n'
            '    page_url = ep + "/v2/images"\n'
            '    while True:\n'
            '        resp = requests.get(page_url, headers={"X-Auth-Token": token})\n'
            '        resp.raise_for_status()\n'
            '        page = resp.json()\n'
            '        images.extend(page["images"])\n'
            '        if not page.get("next"):\n'
            '            break\n'
            '        page_url = page_url[: page_url.index("/v2/images")] + page["next"]\n'
            '    return [image["name"] for image in images]\n',
            codes=("IMS001", "IMS004"),
        ),
        Invalid(
            'r = api.get("/v1.1/images/detail", name="web", protected=True)\n',
            fixed='r = api.get("/v2/images", name="web", protected="true")\n',
            unsafe=True,  # `api.get` is not followed: its method and keywords are inferred
        ),
        Invalid(
            'r = requests.get(ep + "/v1.1/images/detail", params={"changes-since": "2024-05-01T10:00:00.123456"})\n',
            fixed='r = requests.get(ep + "/v2/images", params={"updated_at": "gt:2024-05-01T10:00:00Z"})\n',
            unsafe=True,
            codes=("IMS001", "IMS002"),
        ),
        Invalid(
            'r = requests.get(ep + "/v1.1/images/detail", params={"size_min": 1024})\n',
            fixed=None,
            codes=("IMS001", "IMS002"),
        ),
        Invalid(
            'def test_list(requests_mock):\n'
            '    requests_mock.get("http://ims.test/v1.1/images/detail", json={"images": []})\n',
            fixed=None,  # a test double: migrated with the code it stands in for
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        return endpoint_findings(ctx, self)
