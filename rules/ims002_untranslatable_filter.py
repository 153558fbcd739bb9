"""IMS002: a filter of an abandoned query that GET /v2/images cannot express exactly."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid


class UntranslatableFilter(Rule):
    """Flags a filter of an abandoned image query that `GET /v2/images` cannot express exactly,
    so migrating the call would change which images come back, or fail.

    | v1.1 filter | on `GET /v2/images` | fix |
    |---|---|---|
    | `changes-since=T` | `updated_at=gt:T` (T in UTC `yyyy-MM-ddThh:mm:ssZ`), but v1.1 **also listed deleted images** changed since T and v2 never lists deleted images | unsafe (`--unsafe-fixes`) for a literal T (normalised) or one written with `strftime("%Y-%m-%dT%H:%M:%SZ")`; none for other runtime values (`isoformat()` gives microseconds and offsets) |
    | `size_min`, `size_max` | no such filter on IMS (`size` reads 0); filter on `int(image["__image_size"])` | none, call left as is |
    | `is_public` | none: v1 ignored it for non-admins; `visibility` narrows results | none |
    | `property-<k>` | `<k>` only for IMS's documented `__*` keys | none for other keys, and for names built at runtime (`"property-%s" % k`) |
    | `deleted`, unknown keys | none | none |
    | filters built at runtime | cannot be checked | the IMS001 fix becomes unsafe |

    With `target = "openstack-glance"` (upstream Glance v2), `size_min`/`size_max` and any
    `property-<k>` translate exactly and are not reported.
    """

    code = "IMS002"
    name = "untranslatable-filter"
    summary = "A filter of an abandoned query has no exact GET /v2/images equivalent"
    severity = "warning"
    fixable = "sometimes"

    VALID = [
        Valid('requests.get(ep + "/v1.1/images/detail", params={"disk_format": "qcow2", "limit": 10})\n'),
        Valid('requests.get(ep + "/v2/images", params={"updated_at": "gt:2024-01-01T00:00:00Z"})\n'),
        Valid(
            'requests.get(ep + "/v1.1/images/detail", params={"size_min": 1024})\n',
            options={"target": "openstack-glance"},
        ),
    ]
    INVALID = [
        Invalid(
            'r = requests.get(f"{ep}/v1.1/images/detail?changes-since={since}")\n',
            fixed=None,  # a time computed at runtime: IMS needs UTC yyyy-MM-ddThh:mm:ssZ
            codes=("IMS001", "IMS002"),
        ),
        Invalid(
            'params = {"name": "web"}\nparams["changes-since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")\n'
            'r = requests.get(ep + "/v1.1/images/detail", params=params)\n',
            fixed='params = {"name": "web"}\nparams["updated_at"] = "gt:" + str(since.strftime("%Y-%m-%dT%H:%M:%SZ"))\n'
            'r = requests.get(ep + "/v2/images", params=params)\n',
            unsafe=True,
            codes=("IMS001", "IMS002"),
        ),
        Invalid(
            'r = requests.get(ep + "/v1.1/images/detail", params={"is_public": True})\n',
            codes=("IMS001", "IMS002"),
        ),
        Invalid(
            'r = requests.get(ep + "/v1.1/images/detail?property-owner_team=web")\n',
            codes=("IMS001", "IMS002"),
        ),
        Invalid(
            'r = requests.get(ep + "/v1.1/images/detail", params=build_filters())\n',
            fixed='r = requests.get(ep + "/v2/images", params=build_filters())\n',
            unsafe=True,
            codes=("IMS001", "IMS002"),
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        for site in ctx.sites:
            migration = ctx.migration(site)
            fix = ctx.fix_for(migration)
            for issue in migration.issues:
                yield ctx.finding(
                    self.code,
                    self.name,
                    issue.location,
                    issue.message,
                    self.severity,
                    None if issue.blocks_fix else fix,
                    ctx.evidence_of(site),
                )
