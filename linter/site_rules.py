"""The check shared by the endpoint rules (IMS001, IMS005, IMS006, IMS007): one finding per use."""
from __future__ import annotations

from typing import Iterator

from .endpoints import NEVER_EXISTED, called_title, replacement
from .findings import Finding


def endpoint_findings(ctx, rule) -> Iterator[Finding]:
    for site in ctx.sites:
        endpoint = site.match.endpoint
        if endpoint.code != rule.code:
            continue
        migration = ctx.migration(site)
        fix = ctx.fix_for(migration)
        instead = replacement(endpoint, ctx.options.target)
        method = site.call.method if site.call is not None else None
        title = called_title(site.match, site.template.text, method)
        if endpoint.kind == NEVER_EXISTED:
            message = f"`{title}` never existed (a half-done migration?); use `{instead}`"
        else:
            message = f"`{title}` is abandoned; use `{instead}`"
        origins = _origins(ctx, site)
        if origins:
            message += f" (path built from {origins})"
        if fix is None and migration.blocked:
            message += f" (no automatic fix: {migration.blocked[0]})"
        yield ctx.finding(rule.code, rule.name, site.node, message, rule.severity, fix)


def _origins(ctx, site) -> str:
    """The constants the matched path segments came through, e.g. "`API_VERSION`"."""
    names = []
    start = site.match.segment_spans[0][0]
    end = site.match.segment_spans[-1][1]
    for piece, _, _ in site.template.span(start, end):
        anchor = getattr(piece, "anchor", None)
        if anchor is not None:
            code = ctx.module.code_for_node(anchor)
            if code not in names:
                names.append(code)
    return ", ".join(f"`{name}`" for name in names)
