"""IMS007: ``/v2/images/detail``, a path that never existed."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid
from linter.site_rules import endpoint_findings


class NonexistentImagePath(Rule):
    """Flags `GET /v2/images/detail`: the v2 API has no `/detail` list (v1.1's `detail` was
    dropped), so such a call answers 404. It is usually a half-done migration that changed
    the version but kept the v1 path.

    Also a relative `images/detail` sent to a v2 image endpoint (a class with
    `_endpoint_suffix = "/v2"`, an adapter whose endpoint ends in `/v2`).

    **Fix**: drop `/detail`, giving `GET /v2/images`, and translate v1 filters as IMS001 does (an
    untranslatable filter is reported as IMS002 and blocks the fix). The old call never worked,
    so its result is no reference; the fix is safe on the same contract as IMS001 otherwise
    (method, service, readers, and a page loop where the whole list is read).
    """

    code = "IMS007"
    name = "nonexistent-image-path"
    summary = "GET /v2/images/detail never existed; use GET /v2/images"
    severity = "error"
    fixable = "sometimes"

    VALID = [
        Valid('requests.get(f"{ep}/v2/images", params={"name": "web"})\n'),
        Valid('requests.get(f"{ep}/v2/images/{image_id}")\n'),
    ]
    INVALID = [
        Invalid(
            'r = requests.get(f"{ep}/v2/images/detail", params={"name": "web"})\n',
            fixed='r = requests.get(f"{ep}/v2/images", params={"name": "web"})\n',
        ),
        Invalid(
            'r = requests.get(ep + "/v2/images/detail?size_min=10")\n',
            codes=("IMS007", "IMS002"),
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        return endpoint_findings(ctx, self)
