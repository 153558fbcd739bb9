"""Plans the one fix of a request site and decides, by the contract, whether it is safe.

A site's fix is everything its rewrite needs, as one edit set: the path and filters
(``migrate.plan``), the rewrites of the reads of its answer (IMS003, ``fields``), its status
checks (a DELETE answers 204 on v2) and, for a list whose whole answer is read once, the page loop
(``pageloop``) planned on the text with the other edits applied. The facts the contract needs are
gathered here; ``evidence.safety.decide`` rules; the verdict is kept on the migration so every
finding of the site shows the same evidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import libcst as cst

from .calls import REQUEST
from .edits import CannotEdit, EditRealizer, TemplateEdit
from .endpoints import (
    CREATE,
    DELETE_IMAGE,
    DOWNLOAD,
    HUAWEI_CLOUDIMAGES,
    IMAGE_METADATA,
    LIST,
    MEMBERS,
    NEVER_EXISTED,
    NOVA,
    RELATIVE_IMAGE,
    UPDATE,
    list_path,
)
from .evidence import readers as readers_evidence
from .evidence import safety
from .evidence.record import DOUBLE, Fact
from .findings import Fix
from .migrate import Migration
from .strings import Lit, Template

TextEdit = Tuple[int, int, str]

NO_REWRITE = {  # why these requests have no automatic rewrite (the rule docs say more)
    IMAGE_METADATA: "v2 answers the metadata as a JSON body, not x-image-meta-* headers",
    DOWNLOAD: "v2 splits the data (/file) from the metadata",
    CREATE: "v2 creates in two requests (POST, then PUT .../file)",
    UPDATE: "v2 updates with a JSON patch (PATCH)",
    MEMBERS: "v2's members API takes other fields",
    RELATIVE_IMAGE: "the version is part of an endpoint imslint cannot see",
    NOVA: "it must go to the image endpoint, whose answer has other fields",
}
EXPECTED_METHOD = {LIST: "GET", NEVER_EXISTED: "GET", DELETE_IMAGE: "DELETE"}


@dataclass
class _Assessment:
    verdict: Fact
    edits: List[TextEdit] = field(default_factory=list)  # path, filters and reads (use-site constants)
    read_edits: List[TextEdit] = field(default_factory=list)
    origin: object = None  # the list call, when a page loop is part of the fix
    final: Optional[str] = None  # the text with the page loop, when there is one


def assess(ctx, migration: Migration) -> _Assessment:
    """The contract's verdict on a site's fix and its parts, computed once per migration."""
    if migration.assessment is None:
        migration.assessment = _assess(ctx, migration)
        migration.verdict = migration.assessment.verdict
    return migration.assessment


def _assess(ctx, migration: Migration) -> _Assessment:
    site = migration.site
    kind = site.match.endpoint.kind
    if kind in NO_REWRITE:
        return _Assessment(Fact(safety.NONE, NO_REWRITE[kind]))
    try:
        path_edits = _realize(ctx, migration.edits)
        edit_problem = None
    except CannotEdit as exc:
        path_edits, edit_problem = [], str(exc)
    readers, read_edits, origin, pages_needed = _readers(ctx, migration)
    case = safety.Case(
        no_rewrite=None,
        expected_method=EXPECTED_METHOD.get(kind),
        method=site.evidence.method,
        service=site.evidence.service,
        role=site.evidence.role,
        followed=site.delivery is not None and site.delivery.last.site.kind == REQUEST,
        filters=migration.safety,
        filters_reason=(migration.blocked or migration.unsafe or [""])[0],
        readers=readers.safety,
        readers_reason=readers.reason,
        pages=safety.SAFE,
        pages_reason="",
        shared=_shared(ctx, migration),
        doubles=_doubles(ctx, site),
        edit_problem=edit_problem,
    )
    verdict = safety.decide(case)
    edits = sorted(set(path_edits) | set(read_edits))
    if verdict.value == safety.NONE or not pages_needed:
        return _Assessment(verdict, edits, read_edits)
    if "limit" in origin.filter_keys:  # a loop would return every image where the code asked for some
        verdict = safety.decide(_replace(case, pages=safety.UNSAFE, pages_reason=LIMIT_UNKNOWN))
        return _Assessment(verdict, edits, read_edits)
    final, loop = _with_page_loop(ctx, edits, origin)
    pages = (safety.NONE, "no page loop fits this code (v2 answers 25 images a page)")
    if final is not None:
        pages = (safety.SAFE, "") if loop.proven else (safety.UNSAFE, loop.reason)
    verdict = safety.decide(_replace(case, pages=pages[0], pages_reason=pages[1]))
    return _Assessment(verdict, edits, read_edits, origin, final)


# Why a list that sends ``limit`` gets no page loop and the path alone is not proven to keep its result.
LIMIT_UNKNOWN = ("it sends `limit`, which v2 honours only up to a maximum page size IMS does not document: "
                 "follow `next` if it asks for more images than that")


def build_fix(ctx, migration: Migration) -> Optional[Fix]:
    found = assess(ctx, migration)
    if found.verdict.value == safety.NONE:
        return None
    final = found.final
    at_definition = _definition_template(ctx, migration)
    if at_definition is not None:  # the module's constants themselves are rewritten (``_definition_template``)
        edits = sorted(set(_realize(ctx, _retemplated(migration, at_definition))) | set(found.read_edits))
        final = _with_page_loop(ctx, edits, found.origin)[0] if found.final is not None else None
        if found.final is not None and final is None:
            edits, final = found.edits, found.final
    else:
        edits = found.edits
    text_edits = _diff_edits(ctx.text, final) if final is not None else edits
    return Fix(found.verdict.value, _message(ctx, migration, found.final is not None, found.read_edits),
               tuple(ctx.text_edit(*edit) for edit in text_edits))


def _realize(ctx, edits) -> List[TextEdit]:
    return EditRealizer(ctx.module, ctx.span, ctx.facts.parents).realize(edits)


# -- constants rewritten where they are defined --------------------------------------------------------

def _definition_template(ctx, migration: Migration):
    """The site's template with some module constants no longer anchored at their uses, so that the
    fix rewrites them where they are defined: a module-level constant bound once, that no other
    module of the project imports (``options.imported_elsewhere``; unknown for one file alone),
    every use of which is a site whose fix rewrites it to the same value with the same safety.
    None when no constant qualifies (the uses are rewritten, as for shared or imported constants)."""
    from dataclasses import replace as replace_piece

    from .tree import ASSIGN

    elsewhere = ctx.options.imported_elsewhere
    if elsewhere is None:
        return None
    site = migration.site
    verdict = assess(ctx, migration).verdict.value
    anchors = {p.anchor for p in site.template.pieces if isinstance(p, Lit) and p.node is not None
               and isinstance(p.anchor, (cst.Name, cst.Attribute))}
    chosen = set()
    for anchor in anchors:
        binding, uses = _constant_uses(ctx, anchor, elsewhere)
        if binding is None or binding.kind != ASSIGN or len(binding.scope.bindings.get(binding.name, [])) != 1:
            continue
        value = _anchor_rewrite(ctx, migration, anchor)
        if value is None or not uses:
            continue
        if all(_rewrites_use(ctx, use, value, verdict) for use in uses):
            chosen.add(anchor)
    if not chosen:
        return None
    pieces = tuple(
        replace_piece(p, anchor=None, anchor_value=None, anchor_offset=0) if isinstance(p, Lit) and p.anchor in chosen else p
        for p in site.template.pieces
    )
    return Template(pieces, site.template.sources)


def _constant_uses(ctx, anchor, elsewhere):
    """(binding, uses) of the constant an anchor names: a module constant (``LIST``) no other
    module imports, or a class attribute read as ``self.LIST`` / ``cls.LIST`` / ``Class.LIST``
    of a class no other module imports (every ``.LIST`` of the module must be one of those)."""
    from .resolve import enclosing_class
    from .tree import CLASS, MODULE

    if isinstance(anchor, cst.Name):
        binding = ctx.evaluator.lookup(anchor)
        if binding is None or binding.scope.kind != MODULE or binding.name in elsewhere:
            return None, []
        return binding, readers_evidence._uses(ctx, binding)
    receiver = anchor.value
    if not isinstance(receiver, cst.Name):
        return None, []
    owner = enclosing_class(ctx.facts, anchor) if receiver.value in ("self", "cls") else None
    if owner is None:
        found = ctx.evaluator.lookup(receiver)
        owner = ctx.facts.scopes_by_node.get(found.statement) if found is not None else None
    if owner is None or owner.kind != CLASS or owner.node.name.value in elsewhere:
        return None, []
    name = anchor.attr.value
    bindings = owner.bindings.get(name, [])
    if len(bindings) != 1 or owner.instance_bindings.get(name):
        return None, []
    uses = [node for node in ctx.facts.order if isinstance(node, cst.Attribute) and node.attr.value == name]
    for use in uses:
        receiver = use.value
        inside = receiver.value in ("self", "cls") and enclosing_class(ctx.facts, use) is owner if isinstance(receiver, cst.Name) else False
        named = isinstance(receiver, cst.Name) and receiver.value == owner.node.name.value
        if not (inside or named):
            return None, []  # ``other.LIST``: maybe this class's, maybe not
    return bindings[0], uses


def _anchor_rewrite(ctx, migration: Migration, anchor) -> Optional[str]:
    """What the fix writes in place of a constant's name at this use (the constant's new value)."""
    span = ctx.span(anchor)
    try:
        edits = _realize(ctx, [e for e in migration.edits if isinstance(e, TemplateEdit)])
    except CannotEdit:
        return None
    return next((content for start, end, content in edits if (start, end) == span), None)


def _rewrites_use(ctx, use, value: str, verdict: Optional[str]) -> bool:
    for other in ctx.sites:
        if not any(isinstance(p, Lit) and p.anchor is use for p in other.template.pieces):
            continue
        migration = ctx.migration(other)
        return assess(ctx, migration).verdict.value == verdict and _anchor_rewrite(ctx, migration, use) == value
    return False


def _retemplated(migration: Migration, template) -> list:
    return [TemplateEdit(template, e.start, e.end, e.text) if isinstance(e, TemplateEdit) and e.template is migration.site.template
            else e for e in migration.edits]


def _none(migration: Migration, reason: str) -> None:
    migration.verdict = Fact(safety.NONE, reason)
    return None


def _replace(case: safety.Case, **changes) -> safety.Case:
    from dataclasses import replace

    return replace(case, **changes)


def _message(ctx, migration: Migration, pages: bool, read_edits) -> str:
    site = migration.site
    kind = site.match.endpoint.kind
    if kind == DELETE_IMAGE:
        message = "Rewrite to `DELETE /v2/images/{id}`"
    else:
        message = f"Rewrite to `GET {list_path(ctx.options.target)}`"
    extras = list(dict.fromkeys(migration.notes))
    if pages:
        extras.append("collect every page")
    if read_edits:
        extras.append("read the v2 fields" if kind != DELETE_IMAGE else "accept 204 as well as 200")
    return message + (" (" + "; ".join(extras) + ")" if extras else "")


# -- readers ------------------------------------------------------------------------------------------

def _readers(ctx, migration: Migration):
    """(verdict, read edits, the list call, whether a page loop is needed)."""
    from .fields import hazards
    from .responses import for_context

    site = migration.site
    kind = site.match.endpoint.kind
    if kind == DELETE_IMAGE:
        if site.call is None:
            return readers_evidence.Verdict(safety.NONE, "no call sends it"), [], None, False
        verdict = readers_evidence.delete_readers(ctx, site.call.call)
        return verdict, list(verdict.edits), None, False
    flow = for_context(ctx)
    origin = _by_site(ctx, flow).get(id(site)) if flow is not None else None
    if origin is None:
        return readers_evidence.Verdict(safety.SAFE), [], None, False
    verdict = readers_evidence.list_readers(flow, origin, ctx.position)
    edits: List[TextEdit] = []
    for hazard in _by_origin(ctx, hazards(ctx, flow)).get(id(origin), ()):
        line = ctx.position(hazard.node)[0]
        if hazard.rewrite is None:
            why = f": {hazard.blocked}" if hazard.blocked else ""
            verdict.worst(safety.NONE, f"a read v2 cannot serve at line {line} ({hazard.what[0].lower()}{hazard.what[1:]}{why})")
            continue
        if hazard.rewrite.applicability == safety.UNSAFE:
            verdict.worst(safety.UNSAFE, f"{hazard.what} (line {line}): {hazard.rewrite.message}")
        edits += [(e.start, e.end, e.content) for e in hazard.rewrite.edits]
    pages = ctx.options.target != HUAWEI_CLOUDIMAGES and flow.misses_pages(origin)
    return verdict, edits, origin, pages


# Indexes made once per file, kept on its context as ``fields.hazards`` does: looking through every
# call or hazard of the file for each request made a file of many requests quadratic.

def _by_site(ctx, flow) -> dict:
    """The flow's list calls by the request site they answer (``id``; the first call of a site)."""
    index = getattr(ctx, "_list_calls_by_site", None)
    if index is None:
        index = ctx._list_calls_by_site = {}
        for call in flow.calls:
            if call.request_site is not None:
                index.setdefault(id(call.request_site), call)
    return index


def _by_origin(ctx, found) -> dict:
    """``fields.hazards`` by the list call whose answer they read (``id``), in source order."""
    index = getattr(ctx, "_hazards_by_origin", None)
    if index is None:
        index = ctx._hazards_by_origin = {}
        for hazard in found:
            index.setdefault(id(hazard.value.origin), []).append(hazard)
    return index


def _doubles_by_family(ctx) -> dict:
    """The module's test doubles by endpoint family (``endpoint_family``), in source order."""
    index = getattr(ctx, "_doubles_by_family", None)
    if index is None:
        index = ctx._doubles_by_family = {}
        for other in ctx.sites:
            if other.role == DOUBLE:
                index.setdefault(endpoint_family(other.match.endpoint), []).append(other)
    return index


# -- the page loop, planned on the rewritten text ---------------------------------------------------

def _with_page_loop(ctx, edits: List[TextEdit], origin):
    """(the final text, the loop plan) with the page loop planned on ``edits`` applied, or (None, None)."""
    from .pageloop import PageLoop
    from .responses import for_context

    text = _apply(ctx.text, edits)
    rewritten = ctx.reparsed(text)
    if rewritten is None:
        return None, None
    start = _moved(ctx.span(origin.call)[0], edits)
    flow = for_context(rewritten)
    if flow is None:
        return None, None
    again = next((c for c in flow.calls if c.is_v2 and rewritten.span(c.call)[0] == start), None)
    if again is None:
        return None, None
    plan = PageLoop(rewritten, flow, again).plan()
    if plan is None:
        return None, None
    return _apply(text, [(e.start, e.end, e.content) for e in plan.edits]), plan


def _apply(text: str, edits) -> str:
    for start, end, content in sorted(set(edits), reverse=True):
        text = text[:start] + content + text[end:]
    return text


def _moved(offset: int, edits: List[TextEdit]) -> int:
    """Where ``offset`` is once ``edits`` (none of them covering it) are applied."""
    shift = 0
    for start, end, content in edits:
        if end <= offset:
            shift += len(content) - (end - start)
    return offset + shift


def _diff_edits(before: str, after: str) -> List[TextEdit]:
    """One edit of whole lines turning ``before`` into ``after``: from the first line that differs
    to the last (the page loop rewrites whole statements; one range keeps the fix one piece)."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = sum(len(line) for line in old[:head])
    end = len(before) - sum(len(line) for line in old[len(old) - tail:])
    return [(start, end, "".join(new[head:len(new) - tail]))]


# -- what else shares the URL, or serves it --------------------------------------------------------------

def _shared(ctx, migration: Migration) -> Optional[str]:
    """A use of a definition the fix edits that the fix leaves alone (closures included)."""
    site = migration.site
    inside = set(ctx.facts.subtree(site.node))
    if site.call is not None:  # the request's own arguments (``params=FILTERS``)
        inside |= set(ctx.facts.subtree(site.call.call))
    for source in site.template.sources:  # the definitions the URL was built from
        if source in ctx.facts.order:
            inside |= set(ctx.facts.subtree(source))
    for node in _edited_literals(migration):
        if node in inside:
            continue
        statement = next((a for a in ctx.facts.ancestors(node) if isinstance(a, (cst.Assign, cst.AnnAssign, cst.AugAssign))), None)
        if statement is None:
            continue
        for binding in _bindings_of(ctx, statement):
            for use in readers_evidence._uses(ctx, binding):
                if use in inside or _same_rewrite(ctx, migration, use) or readers_evidence._in_message(ctx.facts, use):
                    continue
                if node is _mapping_definition(migration) and _builds_mapping(ctx, use):
                    continue  # ``params["k"] = v``, ``params.update(...)``: part of the filters
                return (
                    f"`{binding.name}`, which the fix rewrites, is also used at line {ctx.position(use)[0]}, "
                    "which this fix does not migrate"
                )
    return None


def _mapping_definition(migration: Migration):
    model = migration.site.params_model
    return model.definition if model is not None else None


def _builds_mapping(ctx, use) -> bool:
    from .responses import is_store

    parent = ctx.facts.parent(use)
    if isinstance(parent, cst.Subscript) and parent.value is use and is_store(ctx.facts, parent):
        return True
    return isinstance(parent, cst.Attribute) and parent.attr.value == "update" and isinstance(ctx.facts.parent(parent), cst.Call)


def _edited_literals(migration: Migration) -> List[cst.CSTNode]:
    """Literals the fix edits: those of the URL, and the keys of a filter mapping defined apart."""
    nodes = []
    model = migration.site.params_model
    if model is not None and model.definition is not None and any(
        e.template is not migration.site.template for e in migration.edits if isinstance(e, TemplateEdit)
    ):
        nodes.append(model.definition)
    for edit in migration.edits:
        if not isinstance(edit, TemplateEdit) or edit.template is not migration.site.template:
            continue  # a filter key's edit: the mapping is the request's own
        for piece, _, _ in edit.template.span(edit.start, max(edit.end, edit.start + 1)):
            if isinstance(piece, Lit) and piece.anchor is None and piece.node is not None:
                nodes.append(piece.node)
    return nodes


def _bindings_of(ctx, statement):
    """The bindings of ``statement``'s scope that ``statement`` makes, in the scope's order
    (the scopes' bindings indexed by statement once per file)."""
    scope = ctx.facts.scope_of.get(statement)
    if scope is None:
        return []
    index = getattr(ctx, "_bindings_by_statement", None)
    if index is None:
        index = ctx._bindings_by_statement = {}
        for each in {id(s): s for s in ctx.facts.scope_of.values()}.values():
            for bindings in each.bindings.values():
                for binding in bindings:
                    index.setdefault((id(each), id(binding.statement)), []).append(binding)
    return index.get((id(scope), id(statement)), [])


def _sites_holding(ctx, node: cst.CSTNode) -> list:
    """The request sites whose call (or node) holds ``node``, in ``ctx.sites`` order (indexed once)."""
    index = getattr(ctx, "_sites_by_node", None)
    if index is None:
        index = ctx._sites_by_node = {}
        for site in ctx.sites:
            for inner in ctx.facts.subtree(site.node):
                index.setdefault(inner, []).append(site)
    return index.get(node, [])


def _same_rewrite(ctx, migration: Migration, use: cst.CSTNode) -> bool:
    """``use`` is in another site whose fix makes the same path edits and is offered too."""
    for other in _sites_holding(ctx, use):
        if other is migration.site:
            continue
        other_migration = ctx.migration(other)
        if other.match.endpoint.kind in NO_REWRITE or other.role == DOUBLE:
            return False
        return [(e.start, e.end, e.text) for e in other_migration.edits if isinstance(e, TemplateEdit)] == [
            (e.start, e.end, e.text) for e in migration.edits if isinstance(e, TemplateEdit)
        ]
    return False


def _doubles(ctx, site) -> Optional[str]:
    """A test double of this module (or of the project, ``options.double_endpoints``) that serves
    the same endpoint: the request and its doubles move together or not at all."""
    family = endpoint_family(site.match.endpoint)
    for other in _doubles_by_family(ctx).get(family, ()):
        if other is not site:
            return f"its test double stays at v1 (line {ctx.position(other.node)[0]}): migrate them together"
    elsewhere = dict(ctx.options.double_endpoints)
    where = elsewhere.get(":".join(family))
    if where is not None:
        return f"its test doubles ({where}) stay at v1: migrate them together"
    return None


def endpoint_family(endpoint) -> Tuple[str, str]:
    """Endpoints that answer the same request: the v1 image API's lists are one family."""
    group = "compute" if endpoint.code == "IMS006" else "image"
    return group, endpoint.action
