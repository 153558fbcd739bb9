"""The check shared by the endpoint rules (IMS001, IMS005, IMS006, IMS007): one finding per use."""
from __future__ import annotations

from typing import Iterator

from .endpoints import NEVER_EXISTED, called_title, replacement
from .evidence.record import DEFINITION, DOUBLE
from .findings import Finding


def endpoint_findings(ctx, rule) -> Iterator[Finding]:
    for site in ctx.sites:
        endpoint = site.match.endpoint
        if endpoint.code != rule.code:
            continue
        migration = ctx.migration(site)
        fix = ctx.fix_for(migration)
        evidence = ctx.evidence_of(site)
        title = called_title(site.match, site.template.text, site.method)
        instead = replacement(endpoint, ctx.options.target) if site.method is not None else "its v2 form"
        if endpoint.kind == NEVER_EXISTED:
            message = f"`{title}` never existed: use `{instead}`"
        else:
            message = f"`{title}` is abandoned: use `{instead}`"
        if site.role == DOUBLE:
            message += " (a test double)"
        elif site.role == DEFINITION:
            message += " (where it is sent)"
        if fix is None:
            message += f"; no fix: {_short(migration.why_not())}"
        yield ctx.finding(rule.code, rule.name, site.node, message, rule.severity, fix, evidence)


def _short(reason: str) -> str:
    """The first clause of a reason (the whole one is in the evidence, ``--show-fixes``, JSON)."""
    for stop in (";", " (", ":"):
        index = reason.find(stop)
        if 20 < index:
            reason = reason[:index]
    return reason
