"""Plans the migration of one request site: path, filters, and how safe the result is.

The plan is abstract (template and node edits); ``edits.EditRealizer`` turns it into text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_plus
from typing import List, Optional, Tuple, Union

import libcst as cst

from .calls import TEST_DOUBLE
from .edits import NodeEdit, TemplateEdit
from .endpoints import (
    DELETE_IMAGE,
    IMAGE_METADATA,
    KEEP,
    NOVA,
    RELATIVE_IMAGE,
    LOWER,
    NONE,
    SAFE,
    TIMESTAMP_GT,
    UNSAFE,
    list_path,
    path_edits,
    plan_filter,
    translate_value,
)
from .evaluate import Evaluator
from .sites import FilterUse, RequestSite
from .strings import HOLE_CHAR, Template

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
    blocked: List[str] = field(default_factory=list)  # why no fix is offered
    issues: List[FilterIssue] = field(default_factory=list)

    def block(self, reason: str) -> None:
        self.blocked.append(reason)
        self.safety = NONE

    def mark_unsafe(self) -> None:
        if self.safety == SAFE:
            self.safety = UNSAFE


def plan(site: RequestSite, target: str, evaluator: Evaluator) -> Migration:
    migration = Migration(site)
    call = site.call
    new_path = list_path(target)
    kind = site.match.endpoint.kind
    if kind == IMAGE_METADATA:
        migration.block(
            "HEAD returned the metadata in x-image-meta-* headers; GET /v2/images/{id} returns it as "
            "JSON (`is_public` → `visibility`, `X-Image-Meta-Property-k` → top-level `k`), so the code "
            "reading the response must change too"
        )
    elif kind == NOVA:
        migration.block(
            "the request must go to the image (IMS) endpoint, and the answer's fields differ "
            "(`imslint explain IMS006`)"
        )
    elif kind == RELATIVE_IMAGE:
        migration.block("the version is in an image endpoint imslint cannot see; send `/v2/images` to an unversioned one")
    elif kind == DELETE_IMAGE and call is not None and not _result_unused(call.call, evaluator):
        migration.mark_unsafe()
        migration.notes.append("v2 answers 204 where v1.1 answered 200: check code that tests the status")
    if call is not None and call.kind == TEST_DOUBLE:
        migration.block("a test double for the abandoned API: migrate it together with the code it stands in for")
    elif call is None and isinstance(evaluator.facts.parent(site.node), cst.DictElement) and (
        evaluator.facts.parent(site.node).key is site.node
    ):
        migration.block("a URL used as a dictionary key (a fake answer or a route table?): migrate it with its users")
    elif call is None and _defines_shared_constant(site, evaluator):
        migration.block(
            "a module or class constant other code may import: each request imslint can trace to it "
            "is reported and fixed where it is sent; change or remove the constant once they are migrated"
        )
    elif call is None:
        migration.mark_unsafe()
        migration.notes.append("the request that sends this URL was not found: check the filters it sends")
    template = site.template
    for start, end, text in path_edits(site.match, template.text, target):
        migration.edits.append(TemplateEdit(template, start, end, text))
    for use in site.filters:
        _plan_filter(migration, use, target, evaluator)
    for opaque in site.opaque:
        migration.issues.append(
            FilterIssue(
                opaque.node,
                f"filters imslint cannot check: {opaque.reason}; make sure none of them is one "
                f"GET {new_path} lacks (`changes-since`, `size_min`, `size_max`, `is_public`, `property-*`)",
                blocks_fix=False,
            )
        )
        migration.mark_unsafe()
        migration.notes.append("review the filters built at runtime")
    return migration


def _defines_shared_constant(site: RequestSite, evaluator: Evaluator) -> bool:
    """The URL is the value of a module-level or class-level assignment."""
    from .tree import CLASS, MODULE

    parent = evaluator.facts.parent(site.node)
    if not isinstance(parent, (cst.Assign, cst.AnnAssign)):
        return False
    scope = evaluator.facts.scope_of.get(parent)
    return scope is not None and scope.kind in (MODULE, CLASS)


def _result_unused(call: cst.Call, evaluator: Evaluator) -> bool:
    """The call is a statement of its own, or only ``.raise_for_status()`` is called on it."""
    parent = evaluator.facts.parent(call)
    if isinstance(parent, cst.Expr):
        return True
    return (
        isinstance(parent, cst.Attribute)
        and parent.attr.value == "raise_for_status"
        and isinstance(evaluator.facts.parent(parent), cst.Call)
        and isinstance(evaluator.facts.parent(evaluator.facts.parent(parent)), cst.Expr)
    )


def _location(use: FilterUse, site: RequestSite) -> Location:
    if use.key_node is not None:
        return use.key_node
    assert use.key_span is not None
    return (site.template, use.key_span[0], use.key_span[1])


def _literal_value(use: FilterUse, site: RequestSite, evaluator: Evaluator) -> Optional[str]:
    if use.origin == "url":
        if use.value_span is None:
            return None
        text = site.template.text[use.value_span[0] : use.value_span[1]]
        # A query string holds percent-encoded text (``%2B08:00``); translate what it means.
        return None if HOLE_CHAR in text else unquote_plus(text)
    if use.value_node is None:
        return None
    value = evaluator.evaluate(use.value_node)
    return value.text if value is not None and value.is_literal else None


def _plan_filter(migration: Migration, use: FilterUse, target: str, evaluator: Evaluator) -> None:
    site = migration.site
    value = _literal_value(use, site, evaluator)
    filter_plan = plan_filter(use.key, target, value)
    location = _location(use, site)
    if filter_plan.safety == NONE:
        migration.issues.append(FilterIssue(location, filter_plan.reason or use.key, blocks_fix=True))
        migration.block(f"`{use.key}` cannot be translated")
        return
    if filter_plan.safety == UNSAFE:
        migration.mark_unsafe()
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
    if use.origin == "url":
        if use.value_span is None or op != TIMESTAMP_GT:
            migration.block(f"the value of `{use.key}` is computed at runtime inside the URL")
            return
        migration.edits.append(TemplateEdit(site.template, use.value_span[0], use.value_span[0], "gt:"))
        migration.notes.append(f"the time sent as `{use.key}` must be UTC `yyyy-MM-ddThh:mm:ssZ`")
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
        return
    if any(char in code for char in "\"'\\{}\n"):
        migration.edits.append(NodeEdit(node, f'"gt:" + str({code})'))
    else:
        migration.edits.append(NodeEdit(node, f'f"gt:{{{code}}}"'))
    migration.notes.append(f"the time sent as `{use.key}` must be UTC `yyyy-MM-ddThh:mm:ssZ`")
