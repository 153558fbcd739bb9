"""The check shared by the endpoint rules (IMS001, IMS005, IMS006, IMS007): one finding per use."""
from __future__ import annotations

from typing import Iterator

from .endpoints import NEVER_EXISTED, NOVA, called_title, family_replacement, replacement, title_as_code
from .evidence.record import DEFINITION, DOUBLE
from .findings import Finding


def endpoint_findings(ctx, rule) -> Iterator[Finding]:
    from .sdk_clients import client_uses

    for use in client_uses(ctx):  # requests a client library sends (glanceclient v1, novaclient)
        if use.code == rule.code:
            yield ctx.finding(rule.code, rule.name, use.node, use.message, rule.severity, None, use.evidence)
    for site in ctx.sites:
        endpoint = site.match.endpoint
        if endpoint.code != rule.code:
            continue
        migration = ctx.migration(site)
        fix = ctx.fix_for(migration)
        evidence = ctx.evidence_of(site)
        title = called_title(site.match, site.template.text, site.method, evidence.service.value is not None)
        if site.role == DEFINITION:  # a constant: no request sends it here, so no method to speak of
            title = title.replace(" (method unknown)", "")
        shown = title_as_code(title)
        target = ctx.options.target
        instead = replacement(endpoint, target, site.method) if site.method is not None else family_replacement(endpoint, target)
        what = {DOUBLE: "a test double for ", DEFINITION: "a constant for "}.get(site.role or "", "")
        verb = "never existed" if endpoint.kind == NEVER_EXISTED else "is abandoned"
        where = " on the image endpoint" if endpoint.kind == NOVA else ""
        message = f"{what}{shown}, which {verb}: use `{instead}`{where}" if what else f"{shown} {verb}: use `{instead}`{where}"
        if site.role == DOUBLE and fix is None:
            message += "; migrate it with the code it stands in for"
        elif site.role == DEFINITION:
            message += "; migrate the requests that send it"
        elif fix is None and endpoint.kind != NOVA:  # IMS006 never has one: it names another endpoint
            message += f"; no fix: {migration.why_not()}"
        yield ctx.finding(rule.code, rule.name, site.node, message, rule.severity, fix, evidence)
