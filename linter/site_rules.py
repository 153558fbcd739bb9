"""The check shared by the endpoint rules (IMS001, IMS005, IMS006, IMS007): one finding per use."""
from __future__ import annotations

from typing import Iterator

from .endpoints import NEVER_EXISTED, called_title, family_replacement, replacement
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
        target = ctx.options.target
        instead = replacement(endpoint, target) if site.method is not None else family_replacement(endpoint, target)
        what = {DOUBLE: "a test double for ", DEFINITION: "a constant for "}.get(site.role or "", "")
        verb = "never existed" if endpoint.kind == NEVER_EXISTED else "is abandoned"
        message = f"{what}`{title}`, which {verb}: use `{instead}`" if what else f"`{title}` {verb}: use `{instead}`"
        if site.role == DOUBLE and fix is None:
            message += "; migrate it with the code it stands in for"
        elif site.role == DEFINITION:
            message = message.replace(" (method unknown)", "") + "; migrate the requests that send it"
        elif fix is None:
            message += f"; no fix: {_short(migration.why_not())}"
        yield ctx.finding(rule.code, rule.name, site.node, message, rule.severity, fix, evidence)


def _short(reason: str) -> str:
    """The first clause of a reason (the whole one is in the evidence, ``--show-fixes``, JSON)."""
    for stop in (";", " (", ":"):
        index = reason.find(stop)
        if 20 < index:
            reason = reason[:index]
    return reason
