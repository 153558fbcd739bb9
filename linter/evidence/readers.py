"""Who reads the answer of a request, and whether a rewrite to v2 covers every reader.

A fix is safe only when every reader of the answer is followed and the rewrite covers it. For
an image list the answer is followed with ``responses.ResponseFlow`` (``resp.json()``,
``json.loads(content)`` of a tuple-unpacked ``(response, content)``, the images, each image);
here each place a followed value is *used* is judged:

* covered: a field read (IMS003 rewrites v1-only fields), iteration, ``len``/``sorted``/..., a
  status check, ``raise_for_status()``, a log or print;
* not followed (unsafe at most): the value is returned, passed to or stored for code imslint does
  not see (a public function's callers, a constructor, ``self.images``);
* blocking (no fix): the raw body compared or parsed as a whole (``assertEqual('{"images": []}',
  resp.text)``), an attribute of the response imslint does not know.

For a DELETE (v2 answers 204 where v1.1 answered 200) the response's status checks against 200
are rewritten to accept both; any other read blocks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import libcst as cst

from ..calls import _is_message_call, callee_name
from ..endpoints import NONE, SAFE, UNSAFE
from ..responses import BODY, ITEM, LIST, MAPPING, PROPERTIES, RAW, RESPONSE, TIMESTAMP, ListCall, ResponseFlow, is_store
from ..tree import dotted_name
from .role import expected_value

TextEdit = Tuple[int, int, str]

_RESPONSE_ATTRIBUTES = frozenset(
    {"json", "raise_for_status", "status_code", "status", "ok", "headers", "reason", "url", "close",
     "elapsed", "encoding", "request", "getheader", "getheaders", "read", "text", "content", "history",
     "is_success", "is_error", "raise_on_status", "release_conn"}
)
_NEUTRAL_CALLS = frozenset(
    {"len", "list", "sorted", "reversed", "tuple", "set", "frozenset", "iter", "next", "enumerate", "zip",
     "bool", "any", "all", "sum", "min", "max", "filter", "map", "isinstance", "id", "print", "str",
     "repr", "dict", "copy", "deepcopy", "loads", "load", "decode", "get", "keys", "values", "items",
     "extend", "append", "sort", "index", "count", "pop"}
)
_SERIALISERS = frozenset({"dumps", "dump", "pformat", "pprint", "safe_dump"})


@dataclass
class Verdict:
    safety: str  # SAFE, UNSAFE or NONE
    reason: str = ""
    edits: List[TextEdit] = field(default_factory=list)  # status checks to rewrite with the request

    def worst(self, safety: str, reason: str) -> None:
        order = (SAFE, UNSAFE, NONE)
        if order.index(safety) > order.index(self.safety):
            self.safety, self.reason = safety, reason


def list_readers(flow: ResponseFlow, origin: ListCall, position) -> Verdict:
    """How the readers of an image list's answer fare on v2 (``position(node)``: its line, for reasons)."""
    verdict = Verdict(SAFE)
    for node in flow.uses(origin):
        safety, why = _use(flow, node, flow.value(node).kind)
        if safety != SAFE:
            verdict.worst(safety, f"{why} (line {position(node)[0]})")
            if verdict.safety == NONE:
                break
    return verdict


def _use(flow: ResponseFlow, node: cst.CSTNode, kind: str) -> Tuple[str, str]:
    """Whether a place where a followed value is used is covered by the rewrite."""
    facts = flow.facts
    parent = facts.parent(node)
    if isinstance(parent, cst.Await):
        return SAFE, ""
    if isinstance(parent, cst.Attribute) and parent.value is node:
        name = parent.attr.value
        if kind == RESPONSE:
            return (SAFE, "") if name in _RESPONSE_ATTRIBUTES else (NONE, f"reads `.{name}` of the response")
        if kind == RAW and name in ("decode", "strip", "splitlines", "encode"):
            return SAFE, ""
        return SAFE, ""  # methods of dicts and lists (``get``, ``items``...) are followed as reads
    if kind == RAW:
        if isinstance(parent, cst.Arg):
            call = facts.parent(parent)
            name = callee_name(call.func) if isinstance(call, cst.Call) else ""
            last = name.rsplit(".", 1)[-1]
            if last in ("loads", "load") or _is_message_call(name, last):
                return SAFE, ""
            if expected_value(facts, node) is not None:
                return NONE, "the raw body is compared as a whole"
            return NONE, f"the raw body goes to `{name}`, which imslint cannot see into"
        if expected_value(facts, node) is not None or isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            return NONE, "the raw body is compared as a whole"
        if isinstance(parent, (cst.Assign, cst.AnnAssign)):
            return SAFE, ""  # followed through the name
        return NONE, "the raw body is used in a way imslint does not follow"
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)) and kind in (BODY, LIST):
        return NONE, "the answer is compared as a whole"
    if isinstance(parent, cst.Arg):
        call = facts.parent(parent)
        if not isinstance(call, cst.Call):
            return SAFE, ""
        name = callee_name(call.func)
        last = name.rsplit(".", 1)[-1]
        if expected_value(facts, node) is not None and kind in (BODY, LIST, ITEM):
            return NONE, "the answer is compared as a whole"
        if last in _SERIALISERS:
            return UNSAFE, f"the answer is serialised whole by `{name}`: v2 images have other fields"
        if last in _NEUTRAL_CALLS or _is_message_call(name, last):
            return SAFE, ""
        if flow.value(call) is not None or flow.function_of_callee(call.func) is not None:
            return SAFE, ""  # the flow follows it into the function (or it stays the list)
        if kind in (PROPERTIES, TIMESTAMP, MAPPING):
            return SAFE, ""  # IMS003 judges these reads
        return UNSAFE, f"the {_what(kind)} go to `{name}`, which imslint did not follow"
    if isinstance(parent, (cst.Return, cst.Yield)):
        function = next((a for a in facts.ancestors(parent) if isinstance(a, (cst.FunctionDef, cst.Lambda))), None)
        if isinstance(function, cst.FunctionDef) and _private(function) and flow.calls_of(function):
            return SAFE, ""
        if kind in (BODY, LIST, ITEM, RESPONSE):
            where = f"`{function.name.value}`" if isinstance(function, cst.FunctionDef) else "the module"
            if isinstance(function, cst.FunctionDef) and flow.calls_of(function):
                return UNSAFE, (f"the {_what(kind)} are returned by {where}, which code outside this module may "
                                "call too (its calls here are followed)")
            return UNSAFE, f"the {_what(kind)} are returned by {where} to callers imslint did not see"
        return SAFE, ""
    if isinstance(parent, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
        targets = parent.targets if isinstance(parent, cst.Assign) else [parent]
        for target in targets:
            inner = target.target
            if isinstance(inner, cst.Attribute) and kind in (BODY, LIST, ITEM, RESPONSE):
                return UNSAFE, f"the {_what(kind)} are kept in `{dotted_name(inner) or 'an attribute'}` for code imslint did not see"
            if isinstance(inner, cst.Subscript) and kind in (BODY, LIST, ITEM):
                return UNSAFE, f"the {_what(kind)} are stored in a container imslint does not follow"
        return SAFE, ""
    if isinstance(parent, (cst.Element, cst.DictElement)) and kind in (BODY, LIST, ITEM):
        container = facts.parent(parent)
        if isinstance(container, (cst.List, cst.Tuple, cst.Set, cst.Dict)) and flow.value(container) is None:
            holder = facts.parent(container)
            if isinstance(holder, (cst.For, cst.CompFor)):
                return SAFE, ""
            return UNSAFE, f"the {_what(kind)} are put in a value imslint does not follow"
    return SAFE, ""


def _private(function: cst.FunctionDef) -> bool:
    return function.name.value.startswith("_") and not function.name.value.startswith("__")


def _what(kind: str) -> str:
    return {RESPONSE: "response and its images", BODY: "answer's images", LIST: "images", ITEM: "images"}.get(
        kind, "images"
    )


# -- DELETE -------------------------------------------------------------------------------------------


def delete_readers(ctx, call: cst.Call) -> Verdict:
    """How the readers of a DELETE's answer fare on v2 (204 where v1.1 answered 200): unused,
    ``raise_for_status()``, ``.ok``, a log of the text are covered; a comparison of the status
    with 200 is rewritten to accept 204 too; anything else blocks."""
    facts = ctx.facts
    parent = facts.parent(call)
    if isinstance(parent, cst.Await):
        call, parent = parent, facts.parent(parent)
    if isinstance(parent, cst.Expr):
        return Verdict(SAFE)
    if isinstance(parent, cst.Attribute) and parent.attr.value in ("raise_for_status", "ok", "close"):
        return Verdict(SAFE)
    name = _assigned_name(parent, call)
    if name is None:
        return Verdict(NONE, "the DELETE's answer is used where imslint does not follow it (v2 answers 204, not 200)")
    binding = _binding_of(ctx, parent, name)
    verdict = Verdict(SAFE)
    for use in _uses(ctx, binding):
        use_parent = facts.parent(use)
        if isinstance(use_parent, cst.Attribute) and use_parent.value is use:
            attribute = use_parent.attr.value
            if attribute in ("raise_for_status", "ok", "close", "text", "content", "reason", "headers"):
                if attribute in ("text", "content", "headers") and not _in_message(facts, use_parent):
                    verdict.worst(NONE, f"reads `.{attribute}` of the DELETE's answer (line {ctx.position(use)[0]})")
                continue
            if attribute in ("status_code", "status"):
                if _shown(facts, use_parent):
                    continue  # a message: it only tells which status came
                edit = _status_edit(ctx, use_parent)
                if edit is None:
                    verdict.worst(UNSAFE, f"the status (204 on v2, 200 on v1.1) is used where imslint cannot rewrite it (line {ctx.position(use)[0]})")
                elif edit != ():
                    verdict.edits.append(edit)
                continue
        verdict.worst(NONE, f"uses the DELETE's answer where imslint does not follow it (line {ctx.position(use)[0]})")
    return verdict


def _assigned_name(parent, call) -> Optional[str]:
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        return parent.targets[0].target.value
    if isinstance(parent, cst.WithItem) and parent.asname is not None and isinstance(parent.asname.name, cst.Name):
        return parent.asname.name.value
    return None


def _binding_of(ctx, statement, name: str):
    scope = ctx.facts.scope_of.get(statement)
    for binding in (scope.bindings.get(name, []) if scope is not None else []):
        if binding.statement is statement:
            return binding
    return None


def _uses(ctx, binding) -> List[cst.Name]:
    """The names that read ``binding``'s value (in its scope and nested ones)."""
    if binding is None:
        return []
    found = []
    for node in ctx.facts.names.get(binding.name, []):
        if ctx.facts.order.get(node, 0) <= binding.seq or is_store(ctx.facts, node):
            continue
        parent = ctx.facts.parent(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            continue
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            continue
        if ctx.evaluator.lookup(node) is binding:
            found.append(node)
    return found


def _in_message(facts, node) -> bool:
    for ancestor in facts.ancestors(node):
        if isinstance(ancestor, cst.Raise):
            return True
        if isinstance(ancestor, cst.Call):
            name = callee_name(ancestor.func)
            if _is_message_call(name, name.rsplit(".", 1)[-1]) or name.rsplit(".", 1)[-1].endswith(("Error", "Exception")):
                return True
        if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            return False
    return False


def _shown(facts, node) -> bool:
    """``node`` is formatted into text (``"failed: %d" % ...``, an f-string, a message)."""
    parent = facts.parent(node)
    if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo) and parent.right is node:
        return True
    if isinstance(parent, cst.Element):
        holder = facts.parent(facts.parent(parent))
        if isinstance(holder, cst.BinaryOperation) and isinstance(holder.operator, cst.Modulo):
            return True
    return isinstance(parent, cst.FormattedStringExpression) or _in_message(facts, node)


def _status_edit(ctx, attribute: cst.Attribute):
    """``resp.status_code == 200`` → ``resp.status_code in (200, 204)`` (``!=`` → ``not in``; 200
    also spelt ``requests.codes.ok``, ``HTTPStatus.OK``, ``http.client.OK``; ``is`` as ``==``).
    ``()``: a check that already accepts 204 (``in (200, 204)``, ``< 300``); None: one imslint
    cannot rewrite."""
    facts = ctx.facts
    parent = facts.parent(attribute)
    comparison = facts.parent(parent) if isinstance(parent, cst.ComparisonTarget) else parent
    if not isinstance(comparison, cst.Comparison) or len(comparison.comparisons) != 1:
        return None
    target = comparison.comparisons[0]
    operator = target.operator
    other = target.comparator if comparison.left is attribute else comparison.left
    if _is_ok_status(other) and isinstance(operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
        start, end = ctx.span(comparison)
        keyword = "in" if isinstance(operator, (cst.Equal, cst.Is)) else "not in"
        status, ok = (ctx.text[slice(*ctx.span(node))] for node in (attribute, other))
        return (start, end, f"{status} {keyword} ({ok}, 204)")
    if isinstance(other, (cst.Tuple, cst.List, cst.Set)) and isinstance(operator, (cst.In, cst.NotIn)):
        codes = {e.value.value for e in other.elements if isinstance(e.value, cst.Integer)}
        return () if "204" in codes else None
    if isinstance(other, cst.Integer) and isinstance(operator, (cst.LessThan, cst.LessThanEqual)) and int(other.value) > 204:
        return ()
    return None


# How code spells 200 OK besides the number (requests, http, Python 2's httplib, six).
_OK_NAMES = frozenset({
    "requests.codes.ok", "requests.codes.OK", "codes.ok", "codes.OK", "HTTPStatus.OK", "http.HTTPStatus.OK",
    "http.client.OK", "client.OK", "httplib.OK", "http_client.OK", "six.moves.http_client.OK",
})


def _is_ok_status(node: cst.CSTNode) -> bool:
    return (isinstance(node, cst.Integer) and node.value == "200") or dotted_name(node) in _OK_NAMES
