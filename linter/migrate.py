"""Plans the migration of one request site: path, filters, and how safe the result is.

The plan is abstract (template and node edits); ``edits.EditRealizer`` turns it into text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union

import libcst as cst

from .edits import NodeEdit, TemplateEdit
from .endpoints import (
    KEEP,
    LOWER,
    NONE,
    SAFE,
    TIMESTAMP_GT,
    UNSAFE,
    list_path,
    path_edits,
    plan_filter,
    runtime_key_reason,
    translate_value,
)
from .evaluate import Evaluator
from .evidence.record import Fact
from .sites import FilterUse, RequestSite, filter_literal
from .strings import Hole, Template

Location = Union[cst.CSTNode, Tuple[Template, int, int]]


@dataclass
class FilterIssue:
    """A filter to report as IMS002: where, why, and whether the site's fix still applies."""

    location: Location
    message: str
    blocks_fix: bool


@dataclass
class Migration:
    site: RequestSite
    edits: List[object] = field(default_factory=list)
    safety: str = SAFE  # SAFE, UNSAFE, or NONE when no fix is offered
    notes: List[str] = field(default_factory=list)  # what the fix does or leaves to a person
    blocked: List[str] = field(default_factory=list)  # why the filters cannot be translated
    unsafe: List[str] = field(default_factory=list)  # why the filters' translation may change results
    issues: List[FilterIssue] = field(default_factory=list)
    verdict: Optional[Fact] = None  # the fix-safety contract's answer (``evidence.safety``), once decided
    assessment: Optional[object] = None  # ``planning.assess``: the verdict and the fix's parts

    def block(self, reason: str) -> None:
        self.blocked.append(reason)
        self.safety = NONE

    def mark_unsafe(self, reason: str = "") -> None:
        if self.safety == SAFE:
            self.safety = UNSAFE
        if reason:
            self.unsafe.append(reason)

    def why_not(self) -> str:
        """Why the site has no fix, for messages."""
        if self.verdict is not None and self.verdict.value == NONE:
            return self.verdict.reason
        return self.blocked[0] if self.blocked else "no automatic rewrite"


def plan(site: RequestSite, target: str, evaluator: Evaluator) -> Migration:
    """The path and filter edits of a site and how the filters translate; whether the fix is safe
    as a whole (method, service, role, readers, pages) is ``context.FileContext``'s question."""
    migration = Migration(site)
    new_path = list_path(target)
    template = site.template
    for start, end, text in path_edits(site.match, template.text, target):
        migration.edits.append(TemplateEdit(template, start, end, text))
    for use in site.filters:
        _plan_filter(migration, use, target, evaluator)
    for opaque in site.opaque:
        migration.issues.append(
            FilterIssue(
                opaque.node,
                f"filters imslint cannot check ({opaque.reason}): make sure GET {new_path} has each",
                blocks_fix=False,
            )
        )
        migration.mark_unsafe("filters are built at runtime: check that GET /v2/images has each of them")
    return migration


def _location(use: FilterUse, site: RequestSite) -> Location:
    if use.key_node is not None:
        return use.key_node
    assert use.key_span is not None
    return (site.template, use.key_span[0], use.key_span[1])


def _plan_filter(migration: Migration, use: FilterUse, target: str, evaluator: Evaluator) -> None:
    site = migration.site
    if use.key_template is not None:  # a key built at runtime whose text starts ``use.key`` (``property-*``)
        reason = runtime_key_reason(use.key[:-1], target)
        location = _location(use, site) if use.key_span is not None or use.key_node is not None else site.node
        if reason is not None:
            migration.issues.append(FilterIssue(location, reason, blocks_fix=True))
            migration.block(f"filter names `{use.key}` have no v2 form")
        else:
            migration.issues.append(FilterIssue(location, f"filter names `{use.key}` are built at runtime: check "
                                                "that GET /v2/images takes each of them", blocks_fix=False))
            migration.mark_unsafe(f"filter names `{use.key}` are built at runtime")
        return
    value = filter_literal(use, site, evaluator)
    filter_plan = plan_filter(use.key, target, value)
    location = _location(use, site)
    if filter_plan.safety == NONE:
        migration.issues.append(FilterIssue(location, filter_plan.reason or use.key, blocks_fix=True))
        migration.block(f"`{use.key}` cannot be translated")
        return
    if filter_plan.safety == UNSAFE:
        migration.mark_unsafe(f"`{use.key}` changes meaning on v2 (IMS002)")
    if filter_plan.reason:
        migration.issues.append(FilterIssue(location, filter_plan.reason, blocks_fix=False))
    if filter_plan.new_key != use.key:
        _rename_key(migration, use, filter_plan.new_key or use.key, evaluator)
        migration.notes.append(f"`{use.key}` → `{filter_plan.new_key}`")
    if filter_plan.value_op != KEEP:
        _translate_value(migration, use, filter_plan.value_op, value, evaluator)


def _rename_key(migration: Migration, use: FilterUse, new_key: str, evaluator: Evaluator) -> None:
    site = migration.site
    if use.origin == "url":
        assert use.key_span is not None
        migration.edits.append(TemplateEdit(site.template, use.key_span[0], use.key_span[1], new_key))
        return
    if isinstance(use.key_node, cst.Name):
        if not new_key.isidentifier():
            migration.block(f"`{new_key}` is not a valid keyword argument name")
            return
        migration.edits.append(NodeEdit(use.key_node, new_key))
        return
    key_template = evaluator.evaluate(use.key_node) if use.key_node is not None else None
    if key_template is None:
        migration.block(f"cannot rewrite the key `{use.key}`")
        return
    migration.edits.append(TemplateEdit(key_template, 0, len(key_template.text), new_key))


def _translate_value(
    migration: Migration, use: FilterUse, op: str, value: Optional[str], evaluator: Evaluator
) -> None:
    site = migration.site
    if value is not None:
        new_value = translate_value(op, value)
        if new_value is None:
            what = "a time imslint can normalise" if op == TIMESTAMP_GT else "`true` or `false`"
            migration.block(f"the value {value!r} of `{use.key}` is not {what}")
            return
        if new_value == value:
            return
        if use.origin == "url":
            assert use.value_span is not None
            migration.edits.append(TemplateEdit(site.template, use.value_span[0], use.value_span[1], new_value))
        else:
            value_template = evaluator.evaluate(use.value_node)
            migration.edits.append(TemplateEdit(value_template, 0, len(value_template.text), new_value))
        return
    # A runtime value.
    if op == TIMESTAMP_GT and not _formats_utc_seconds(use, site, evaluator):
        migration.block(f"`{use.key}` is computed at runtime; `updated_at=gt:` needs UTC `yyyy-MM-ddThh:mm:ssZ`")
        return
    if use.origin == "url":
        if use.value_span is None or op != TIMESTAMP_GT:
            migration.block(f"the value of `{use.key}` is computed at runtime inside the URL")
            return
        migration.edits.append(TemplateEdit(site.template, use.value_span[0], use.value_span[0], "gt:"))
        return
    node = use.value_node
    if node is None:
        migration.block(f"the value of `{use.key}` is not visible")
        return
    if op == LOWER and isinstance(node, cst.Name) and node.value in ("True", "False"):
        migration.edits.append(NodeEdit(node, f'"{node.value.lower()}"'))
        return
    code = evaluator.facts.module.code_for_node(node)
    if op == LOWER:
        migration.edits.append(NodeEdit(node, f"str({code}).lower()"))
        migration.mark_unsafe(f"`{use.key}` is computed at runtime: v2 takes only `true` or `false`")
        return
    if any(char in code for char in "\"'\\{}\n"):
        migration.edits.append(NodeEdit(node, f'"gt:" + str({code})'))
    else:
        migration.edits.append(NodeEdit(node, f'f"gt:{{{code}}}"'))


_UTC_SECONDS = ("%Y-%m-%dT%H:%M:%SZ",)


def _formats_utc_seconds(use: FilterUse, site: RequestSite, evaluator: Evaluator) -> bool:
    """The runtime time is written with ``.strftime("%Y-%m-%dT%H:%M:%SZ")``: the form IMS takes."""
    node = use.value_node
    if use.origin == "url":
        if use.value_span is None:
            return False
        covered = site.template.span(*use.value_span)
        holes = [piece for piece, _, _ in covered if isinstance(piece, Hole)]
        node = holes[0].node if len(holes) == 1 and len(covered) == 1 else None
    if isinstance(node, cst.FormattedStringExpression):
        node = node.expression
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "strftime"):
        return False
    if len(node.args) != 1:
        return False
    fmt = evaluator.evaluate(node.args[0].value)
    return fmt is not None and fmt.is_literal and fmt.text in _UTC_SECONDS
