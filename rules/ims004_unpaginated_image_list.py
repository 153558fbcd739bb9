"""IMS004: a GET /v2/images list read once, without following ``next`` or a ``marker``."""
from __future__ import annotations

from typing import Iterable

from linter.endpoints import HUAWEI_CLOUDIMAGES
from linter.evidence import role as role_evidence
from linter.evidence.record import CLIENT
from linter.findings import UNSAFE, Finding, Fix
from linter.pageloop import PageLoop
from linter.planning import LIMIT_UNKNOWN, assess
from linter.responses import ListCall, ResponseFlow, for_context
from linter.rule import Invalid, Rule, Valid


class UnpaginatedImageList(Rule):
    """Flags a `GET /v2/images` list (already v2, or an abandoned list that imslint rewrites to it:
    `GET /v1.1/images/detail`, IMS001; the Glance v1 lists, IMS005; `GET /v2/images/detail`,
    IMS007) whose images are read after one request. v1.1 answered every image at once;
    v2 answers 25 a page with a relative `next` link until the last page, so the code silently
    sees only the first 25 images.

    A request is **paginated** (not flagged) when its `next` link is read (`body["next"]`,
    `body.get("next")`, `"next" in body`), when it sends a `marker`, or when it runs in a loop
    that updates a marker (`marker = ...`, `params["marker"] = ...`, `params.update(marker=...)`),
    reads a `next` link, or sends a `limit`. A `limit` on a single request does not make it
    paginated, but a literal `limit` of at most 25 means the first page holds every image asked
    for (not flagged); a larger or unknown one gets no page loop (it would return every image
    where the code asked for a number of them) and no proof that the first page holds them, since
    IMS does not document v2's maximum page size. Code that only needs the first page is not flagged either: `images[0]`,
    `images[:n]` with n up to 25, `if images:`. Neither is a request whose images are never read
    (its answer returned from the module as it is, or only its status checked). An abandoned
    list is not flagged on the `huawei-cloudimages` target, which rewrites it to
    `GET /v2/cloudimages` (500 a page, no `next` link).

    **Fix** for the common shape: unsafe for a request already on v2 (the code now sends one
    request a page and sees more images than before); for an abandoned list (IMS001, IMS005,
    IMS007) the loop is part of the request's one fix, which is safe when nothing else stands
    in the way, since v1.1 answered every image at once: a request `resp = client.get(URL, ...)` (or
    `.request("GET", URL, ...)`, `await ...`, `body = client.get(URL).json()`) in a block that
    is not a loop, followed
    in the same block by one statement that reads `resp.json()["images"]` (returns it, iterates
    it, assigns it). The request, and the statements between it and that read, move into a
    `while True:` loop that collects every page and follows `next`. Glance's `next` is a path
    from the API root (`/v2/images?marker=...`), so the next URL keeps what comes before
    `/v2/images` in the first one (`page_url[: page_url.index("/v2/images")] + page["next"]`):
    a host, or a path prefix such as `https://host/image`, which `urljoin` would drop. `params`
    are sent with the first request only, since `next` keeps the query. Only statements that
    are the same on every page may move into the loop (`resp.raise_for_status()`,
    `data = resp.json()`); anything else between the request and the read (`out.append(...)`)
    means no loop. Other shapes (wrappers, the answer used after the read, a `return` between
    the request and the read, a request in a loop) are reported without a fix. A test that lists
    what it created on its own server or fake is not flagged.
    """

    code = "IMS004"
    name = "unpaginated-image-list"
    summary = "A GET /v2/images list read once: v2 answers 25 images a page"
    severity = "warning"
    fixable = "sometimes"

    VALID = [
        Valid(
            "def names(ep):\n"
            '    url = f"{ep}/v2/images"\n'
            "    found = []\n"
            "    while url:\n"
            "        body = requests.get(url).json()\n"
            '        found += [i["name"] for i in body["images"]]\n'
            '        url = urljoin(url, body["next"]) if body.get("next") else None\n'
            "    return found\n"
        ),
        Valid(
            "marker = None\n"
            "while True:\n"
            '    page = requests.get(f"{ep}/v2/images", params={"limit": 100, "marker": marker}).json()["images"]\n'
            "    if not page:\n"
            "        break\n"
            "    handle(page)\n"
            '    marker = page[-1]["id"]\n'
        ),
        Valid('newest = requests.get(f"{ep}/v2/images", params={"limit": 1}).json()["images"][0]\n'),
        Valid(
            'resp = requests.get(f"{ep}/v2/images", params={"limit": 5, "sort_key": "created_at"})\n'
            'newest = [image["name"] for image in resp.json()["images"]]\n'
        ),  # five fit in the first page
        Valid('resp = requests.get(f"{ep}/v2/images")\nresp.raise_for_status()\n'),
        Valid('resp = requests.post(f"{ep}/v2/images", json={"name": "web"})\nprint(resp.json()["images"])\n'),
        Valid(
            'images = requests.get(f"{ep}/v1.1/images/detail").json()["images"]\nprint(len(images))\n',
            options={"target": "huawei-cloudimages"},
        ),
    ]
    INVALID = [
        Invalid(
            "import requests\n"
            "\n"
            "\n"
            "def list_images(endpoint, token):\n"
            "    resp = requests.get(\n"
            '        f"{endpoint}/v2/images",\n'
            '        headers={"X-Auth-Token": token},\n'
            '        params={"disk_format": "vhd"},\n'
            "    )\n"
            "    resp.raise_for_status()\n"
            '    return resp.json()["images"]\n',
            fixed="import requests\n"
            "\n"
            "\n"
            "def list_images(endpoint, token):\n"
            "    images = []\n"
            '    page_url = f"{endpoint}/v2/images"\n'
            '    page_params = {"disk_format": "vhd"}\n'
            "    while True:\n"
            "        resp = requests.get(\n"
            "            page_url,\n"
            '            headers={"X-Auth-Token": token},\n'
            "            params=page_params,\n"
            "        )\n"
            "        resp.raise_for_status()\n"
            "        page = resp.json()\n"
            '        images.extend(page["images"])\n'
            '        if not page.get("next"):\n'
            "            break\n"
            '        page_url = page_url[: page_url.index("/v2/images")] + page["next"]\n'
            "        page_params = None\n"
            "    return images\n",
            unsafe=True,
        ),
        Invalid(
            "async def names(client):\n"
            '    data = (await client.get("/v2/images?status=active")).json()\n'
            '    images = data.get("images", [])\n'
            '    return [i["name"] for i in images]\n',
            fixed="async def names(client):\n"
            "    images = []\n"
            '    page_url = "/v2/images?status=active"\n'
            "    while True:\n"
            "        data = (await client.get(page_url)).json()\n"
            '        images.extend(data.get("images", []))\n'
            '        if not data.get("next"):\n'
            "            break\n"
            '        page_url = page_url[: page_url.index("/v2/images")] + data["next"]\n'
            '    return [i["name"] for i in images]\n',
            unsafe=True,
        ),
        Invalid(
            'for image in session.get(IMS + "/v2/images").json()["images"]:\n'
            '    print(image["id"])\n',
            fixed="images = []\n"
            'page_url = IMS + "/v2/images"\n'
            "while True:\n"
            '    page = session.get(page_url).json()\n'
            '    images.extend(page["images"])\n'
            '    if not page.get("next"):\n'
            "        break\n"
            '    page_url = page_url[: page_url.index("/v2/images")] + page["next"]\n'
            "for image in images:\n"
            '    print(image["id"])\n',
            unsafe=True,
        ),
        Invalid(
            "def names(ep):\n"
            '    resp = requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "vhd"})\n'
            '    return sorted(image["name"] for image in resp.json()["images"])\n',
            fixed="def names(ep):\n"
            "    images = []\n"
            '    page_url = f"{ep}/v2/images"\n'
            '    page_params = {"disk_format": "vhd"}\n'
            "    while True:\n"
            '        resp = requests.get(page_url, params=page_params)\n'
            "        page = resp.json()\n"
            '        images.extend(page["images"])\n'
            '        if not page.get("next"):\n'
            "            break\n"
            '        page_url = page_url[: page_url.index("/v2/images")] + page["next"]\n'
            "        page_params = None\n"
            '    return sorted(image["name"] for image in images)\n',
            codes=("IMS001", "IMS004"),  # safe: v1.1 answered every image at once, the loop collects them all
        ),
        Invalid(
            "names = []\n"
            'for fmt in ("vhd", "qcow2"):\n'
            '    resp = requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": fmt})\n'
            '    names += [image["name"] for image in resp.json()["images"]]\n',
            codes=("IMS001", "IMS004"),  # no page loop fits a request that a loop already repeats
        ),
        Invalid(
            'resp = requests.get(f"{ep}/v1.1/images/detail?limit=100")\n'
            'names = [image["name"] for image in resp.json()["images"]]\n',
            fixed='resp = requests.get(f"{ep}/v2/images?limit=100")\n'
            'names = [image["name"] for image in resp.json()["images"]]\n',
            unsafe=True,
            codes=("IMS001", "IMS004"),
        ),  # no page loop: it would give every image where the code asked for 100; the path alone is unsafe
        Invalid(
            'resp = requests.get(f"{ep}/v2/images", params={"limit": 1000})\n'
            'print(len(resp.json()["images"]), resp.headers["X-Openstack-Request-Id"])\n',
        ),
        Invalid(
            "def images(api):\n"
            '    return api.get("/v2/images").json()["images"]\n',
        ),
        Invalid(
            "def write_listing(ep, out):\n"
            '    resp = requests.get(f"{ep}/v2/images")\n'
            '    out.append("# images")\n'
            '    out.extend(image["name"] for image in resp.json()["images"])\n',
        ),  # no loop: the heading would be written once a page
    ]

    def check(self, ctx) -> Iterable[Finding]:
        flow = for_context(ctx)
        if flow is None:
            return []
        findings = []
        for origin in flow.calls:
            if not flow.misses_pages(origin):
                continue
            site = origin.request_site
            if site is None:
                if role_evidence.is_test_path(ctx.path) or role_evidence.in_test(ctx.facts, origin.call):
                    continue  # a test lists what it created on its own server or fake
                findings.append(self._v2_finding(ctx, flow, origin))
            elif ctx.options.target != HUAWEI_CLOUDIMAGES and site.role == CLIENT and site.method == "GET":
                migration = ctx.migration(site)
                fix = ctx.fix_for(migration)
                if "limit" in origin.filter_keys:
                    message = f"The images are read once: {LIMIT_UNKNOWN}"
                else:
                    looped = fix is not None and assess(ctx, migration).final is not None
                    message = f"The images are read once: v2 answers 25 a page; {'the fix adds a page loop' if looped else 'follow `next`'}"
                findings.append(ctx.finding(self.code, self.name, origin.url, message, self.severity, fix,
                                            ctx.evidence_of(site)))
        return findings

    def _v2_finding(self, ctx, flow: ResponseFlow, origin: ListCall) -> Finding:
        if "limit" in origin.filter_keys:  # a loop would return more images than were asked for
            return ctx.finding(self.code, self.name, origin.url, f"The images are read once: {LIMIT_UNKNOWN}", self.severity)
        message = "The images are read once, but GET /v2/images answers 25 a page: follow `next`"
        plan = PageLoop(ctx, flow, origin).plan()
        fix = None
        if plan is not None:
            fix = Fix(UNSAFE, "Collect every page: follow `next` to the last page (one request a page)", plan.edits)
        else:
            message += " (no fix: no page loop fits this code)"
        return ctx.finding(self.code, self.name, origin.url, message, self.severity, fix)
