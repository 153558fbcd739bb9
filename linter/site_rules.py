"""The check shared by the endpoint rules (IMS001, IMS005, IMS006, IMS007): one finding per use."""
from __future__ import annotations

from typing import Iterator

from .endpoints import NEVER_EXISTED, replacement
from .findings import Finding


def endpoint_findings(ctx, rule) -> Iterator[Finding]:
    for site in ctx.sites:
        endpoint = site.match.endpoint
        if endpoint.code != rule.code:
            continue
        migration = ctx.migration(site)
        fix = ctx.fix_for(migration)
        instead = replacement(endpoint, ctx.options.target)
        if endpoint.kind == NEVER_EXISTED:
            message = f"`{endpoint.title}` never existed (a half-done migration?); use `{instead}`"
        else:
            message = f"`{endpoint.title}` is abandoned; use `{instead}`"
        if fix is None and migration.blocked:
            message += f" (no automatic fix: {migration.blocked[0]})"
        yield ctx.finding(rule.code, rule.name, site.node, message, rule.severity, fix)
