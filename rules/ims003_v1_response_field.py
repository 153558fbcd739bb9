"""IMS003: code reads a field of an image list answer that GET /v2/images drops, renames or empties."""
from __future__ import annotations

from typing import Iterable

from linter.fields import hazards
from linter.findings import Finding, Fix
from linter.responses import for_context
from linter.rule import Invalid, Rule, Valid


class V1ResponseField(Rule):
    """Flags code that reads, from the images of a `GET /v2/images` list, or of an abandoned list
    that imslint rewrites to it (`GET /v1.1/images/detail`, IMS001; the Glance v1 lists, IMS005;
    `GET /v2/images/detail`, IMS007), a field that v2 drops, renames or empties.

    The answer is followed from the request through the module: `resp.json()["images"]`,
    `data = resp.json(); data["images"]`, `data.get("images", [])`, `json.loads(resp.text)`,
    `for image in ...`, comprehensions, `enumerate`, `images[0]`, `sorted(..., key=lambda i: ...)`,
    lists built with `.extend(...)`/`+=` page by page, `self.images`, and helper functions of the
    same module that return or yield the images (or get one as a parameter).

    | read on an image | on v2 | fix |
    |---|---|---|
    | `is_public` | `visibility` | `image["visibility"] == "public"` (safe) |
    | `properties["k"]`, `.get("properties", {}).get("k")`, `"k" in image["properties"]` | each property is a top-level key | `image["k"]`, `image.get("k")`, `"k" in image` (safe; unsafe for a key built at runtime; none for a key v2 uses itself, like `name`) |
    | `deleted`, `deleted_at` | absent: v2 lists only live images | none |
    | `size` (IMS) | reads 0; the byte count is `__image_size`, a string | `int(image["__image_size"])` (unsafe: the docs leave open whether it equals the v1.1 size) |
    | `checksum`, `virtual_size` (IMS) | unavailable | none |
    | `created_at`/`updated_at` parsed by `strptime` with `%f` | whole seconds with `Z` (`2018-09-06T14:03:27Z`): ValueError | none |
    | Nova proxy fields: `minRam`, `minDisk`, `created`, `updated` | `min_ram`, `min_disk`, `created_at`, `updated_at` | rename (safe) |
    | Nova `metadata["k"]`, `OS-EXT-IMG-SIZE:size`, upper-case `status` (`"ACTIVE"`) | top-level `k`, `__image_size`, lower-case `status` | as `properties`, as `size`, `"ACTIVE"` → `"active"` (others none) |

    `size`, `checksum` and `virtual_size` are only flagged on IMS targets (upstream Glance
    reports them). Reads of other dictionaries (`config["size"]`), of fields v2 keeps
    (`name`, `visibility`, ...), and of single-image answers (`GET /v2/images/{id}`) are not
    flagged; neither are writes (`image["is_public"] = ...`).

    When the request still calls the abandoned query, the read rewrites are part of the request's
    one fix (IMS001, IMS005, IMS007), which every finding of that request carries: the new reads
    only work on the v2 answer, and the old ones only on v1.1. A read with no mechanical rewrite
    (`deleted`, `checksum`, a `%f` timestamp) means no fix for the request at all. The Nova proxy's own lists (IMS006) are not followed: there
    `minRam` and `metadata` are right until the call moves to the image endpoint. A read reached
    through a function parameter is reported without a fix (the function may have other callers).
    """

    code = "IMS003"
    name = "v1-response-field"
    summary = "A field of the v1.1 image list answer that GET /v2/images drops, renames or empties"
    severity = "warning"
    fixable = "sometimes"

    VALID = [
        Valid('config = load()\nprint(config["size"], config["is_public"])\n'),
        Valid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'print(image["name"], image["visibility"] == "public", int(image["__image_size"]))\n'
        ),
        Valid('image = requests.get(f"{ep}/v2/images/{image_id}").json()\nprint(image["size"], image["checksum"])\n'),
        Valid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nprint(image["size"])\n',
            options={"target": "openstack-glance"},
        ),
        Valid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'created = datetime.strptime(image["created_at"], "%Y-%m-%dT%H:%M:%SZ")\n'
        ),
        Valid('image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nimage["is_public"] = True\n'),
    ]
    INVALID = [
        Invalid(
            'image = requests.get(f"{ep}/v2/images", params={"limit": 1}).json()["images"][0]\n'
            'shared = not image["is_public"]\n'
            "flag = image.get('is_public', False) == True\n",
            fixed='image = requests.get(f"{ep}/v2/images", params={"limit": 1}).json()["images"][0]\n'
            'shared = not image["visibility"] == "public"\n'
            "flag = (image.get('visibility') == 'public') == True\n",
        ),
        Invalid(
            'first = requests.get(f"{ep}/v1.1/images/detail?limit=1").json()["images"][0]\n'
            'os_type = first["properties"]["__os_type"]\n'
            'platform = first.get("properties", {}).get("__platform", "unknown")\n',
            fixed='first = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'os_type = first["__os_type"]\n'
            'platform = first.get("__platform", "unknown")\n',
            codes=("IMS001", "IMS003"),
        ),
        Invalid(
            "def biggest(ep):\n"
            '    data = requests.get(ep + "/v2/images?limit=1&sort_key=size").json()\n'
            '    return data["images"][0]["size"]\n',
            fixed="def biggest(ep):\n"
            '    data = requests.get(ep + "/v2/images?limit=1&sort_key=size").json()\n'
            '    return int(data["images"][0]["__image_size"])\n',
            unsafe=True,
        ),
        Invalid(
            "def live_names(ep):\n"
            '    url = f"{ep}/v2/images"\n'
            "    names = []\n"
            "    while url:\n"
            "        body = requests.get(url).json()\n"
            '        names += [i["name"] for i in body["images"] if not i["deleted"]]\n'
            '        url = urljoin(url, body["next"]) if "next" in body else None\n'
            "    return names\n",
        ),
        Invalid(
            'images = session.get(IMS + "/v1.1/images/detail", params={"size_min": 1}).json()["images"]\n'
            'stamps = [datetime.strptime(i["created_at"], "%Y-%m-%dT%H:%M:%S.%f") for i in images[:10]]\n',
            codes=("IMS001", "IMS002", "IMS003"),
        ),
        Invalid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'ok = image["status"] == "ACTIVE" and image["minRam"] <= 2048\n',
            fixed='image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'ok = image["status"] == "active" and image["min_ram"] <= 2048\n',
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        flow = for_context(ctx)
        if flow is None:
            return []
        findings = []
        for hazard in hazards(ctx, flow):
            origin = hazard.value.origin
            line = ctx.position(origin.url)[0]
            message = f"{hazard.what}: {hazard.reason} (request at line {line})"
            fix = evidence = None
            if origin.request_site is not None:
                evidence = ctx.evidence_of(origin.request_site)
                fix = ctx.fix_for(ctx.migration(origin.request_site))  # the request's fix carries the read
                why = ctx.migration(origin.request_site).why_not()
                if fix is None:
                    here = f"at line {ctx.position(hazard.node)[0]}"
                    message += "; no fix" if here in why else f"; no fix: {why}"
            elif hazard.rewrite is not None:
                rewrite = hazard.rewrite
                fix = Fix(rewrite.applicability, rewrite.message, rewrite.edits)
            elif hazard.blocked:
                message += f"; no fix: {hazard.blocked}"
            findings.append(ctx.finding(self.code, self.name, hazard.node, message, self.severity, fix, evidence))
        return findings
