"""Finds where a module uses an abandoned endpoint, and the filters each use sends.

Every string literal and every name used as a value is climbed to the largest expression that
builds a string from it; that expression is evaluated to a template and matched against the
catalogue. A definition whose value is consumed by a matched use (``url = ...`` then
``get(url)``) is reported once, at the use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .calls import (
    FILESYSTEM,
    MESSAGE,
    REQUEST,
    ROUTE,
    STRING_OPERATION,
    TEST_DOUBLE,
    TEST_DOUBLE_ROOTS,
    WRAPPER,
    CallSite,
    callee_name,
    classify,
)
from .signals import IMAGE_SERVICE, service_of
from .endpoints import (
    DELETE_IMAGE,
    IMAGE_METADATA,
    LIST,
    NEVER_EXISTED,
    RELATIVE_IMAGE,
    PathMatch,
    is_host_of_other_service,
    match_paths,
)
from .evaluate import Evaluator, MappingModel
from .strings import Template
from .tree import ModuleFacts, dotted_name

_BUILDER_CALLS = ("format", "join", "urljoin", "urlencode")


@dataclass
class FilterUse:
    """One filter sent by a request.

    ``origin`` is ``url`` (in the URL's query string: spans index the URL template), ``params``
    (a key of the mapping passed as ``params=`` or to ``urlencode``) or ``kwarg`` (a keyword of
    a wrapper call).
    """

    key: str
    origin: str
    key_node: Optional[cst.CSTNode] = None
    value_node: Optional[cst.CSTNode] = None
    key_span: Optional[Tuple[int, int]] = None
    value_span: Optional[Tuple[int, int]] = None


@dataclass
class OpaqueFilters:
    """Filters imslint cannot read (built at runtime)."""

    node: cst.CSTNode
    reason: str


@dataclass
class RequestSite:
    node: cst.CSTNode  # the URL expression reported
    template: Template
    match: PathMatch
    call: Optional[CallSite]
    filters: List[FilterUse] = field(default_factory=list)
    opaque: List[OpaqueFilters] = field(default_factory=list)
    params_model: Optional[MappingModel] = None


def _is_builder_edge(parent: cst.CSTNode, child: cst.CSTNode) -> bool:
    """Whether ``parent`` builds a string out of ``child``."""
    if isinstance(parent, (cst.ConcatenatedString, cst.FormattedStringExpression, cst.FormattedString)):
        return True
    if isinstance(parent, cst.IfExp):
        return child is not parent.test
    if isinstance(parent, cst.BinaryOperation):
        return isinstance(parent.operator, (cst.Add, cst.Modulo))
    if isinstance(parent, cst.Attribute):
        return parent.value is child and parent.attr.value in ("format", "join")
    if isinstance(parent, (cst.Arg, cst.Element, cst.DictElement, cst.Tuple, cst.List, cst.Dict)):
        return True  # only followed further when a builder call/operation sits above
    if isinstance(parent, cst.Call):
        if isinstance(parent.func, cst.Attribute) and parent.func.attr.value in ("format", "join"):
            return True
        name = dotted_name(parent.func) or ""
        return name.endswith(("urljoin", "urlencode")) or name in ("posixpath.join", "os.path.join")
    return False


def climb(facts: ModuleFacts, node: cst.CSTNode) -> cst.CSTNode:
    """The largest string-building expression containing ``node``."""
    top = node
    current = node
    parent = facts.parent(current)
    while parent is not None and _is_builder_edge(parent, current):
        if isinstance(parent, (cst.BaseExpression,)) and not isinstance(
            parent, (cst.Tuple, cst.List, cst.Dict)
        ):
            top = parent
        current, parent = parent, facts.parent(parent)
    return top


_DECLARATIVE_NAME = re.compile(r"(^|_)(base_?path|path|url|uri|endpoint|href|resource_path|list_path)$", re.I)


def is_declarative(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """``base_path = "/images/detail"`` or ``base_path="/images/detail"``: a path a framework sends."""
    parent = facts.parent(node)
    if isinstance(parent, cst.Arg) and parent.keyword is not None:
        return bool(_DECLARATIVE_NAME.search(parent.keyword.value))
    targets = []
    if isinstance(parent, cst.Assign):
        targets = [target.target for target in parent.targets]
    elif isinstance(parent, cst.AnnAssign):
        targets = [parent.target]
    for target in targets:
        name = target.attr.value if isinstance(target, cst.Attribute) else getattr(target, "value", "")
        if isinstance(name, str) and _DECLARATIVE_NAME.search(name):
            return True
    return False


def applies(
    match: PathMatch, call: Optional[CallSite], declarative: bool = False, service: Optional[str] = None
) -> bool:
    """Whether a path match is a use of the abandoned endpoint, given the call sending it.

    Only the documented abandoned methods count (GET /v1.1/images/{id} is live, DELETE is not);
    a path ambiguous without its method is reported only when the method is known; generic
    paths (``/v1/images``, ``/v2/x/images``) never on a host that is clearly another service.
    """
    endpoint = match.endpoint
    method = call.method if call is not None else None
    if method is not None and method not in endpoint.methods:
        return False
    if method is None and endpoint.kind in (DELETE_IMAGE, IMAGE_METADATA):
        return False
    if endpoint.relative:
        if not declarative and (call is None or call.kind not in (REQUEST, WRAPPER, TEST_DOUBLE)):
            return False
        wants_image = endpoint.kind == RELATIVE_IMAGE
        if (service == IMAGE_SERVICE) != wants_image:
            return False
    if endpoint.code in ("IMS005", "IMS006"):  # generic v1 paths: not on another service's host
        return not is_host_of_other_service(match.host)
    return True


_HANDLER_NAME = re.compile(r"(Handler|View|Resource|Controller|Endpoint|App)$")


def _is_route_tuple(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """``("/v1.1/images/detail", ImageListHandler)`` in a route table: the server side."""
    element = facts.parent(node)
    table = facts.parent(element) if isinstance(element, cst.Element) else None
    if not isinstance(table, cst.Tuple) or len(table.elements) < 2 or table.elements[0] is not element:
        return False
    handler = table.elements[1].value
    name = handler.attr.value if isinstance(handler, cst.Attribute) else getattr(handler, "value", "")
    return isinstance(name, str) and bool(_HANDLER_NAME.search(name))


_COLLECTIONS = (cst.Tuple, cst.List, cst.Set)
# Constructors of HTTP clients: keyword arguments of their methods are transport options.
_CLIENT_CONSTRUCTORS = (
    "Session", "Client", "AsyncClient", "Adapter", "HTTPConnection", "HTTPSConnection", "PoolManager",
    "ClientSession",
)


def _is_name_of_something_else(facts: ModuleFacts, name: cst.Name) -> bool:
    """``x.NAME`` or ``f(NAME=...)``: the identifier, but not a use of the variable."""
    parent = facts.parent(name)
    return (isinstance(parent, cst.Attribute) and parent.attr is name) or (
        isinstance(parent, cst.Arg) and parent.keyword is name
    )


def _in_compared_collection(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """A literal in a tuple/list/set that is only ever compared against: ``path in (...)``, or a
    constant ``LEGACY = (...)`` whose every use is a comparison (a log classifier, not a client)."""
    element = facts.parent(node)
    collection = facts.parent(element) if isinstance(element, cst.Element) else None
    if not isinstance(collection, _COLLECTIONS):
        return False
    holder = facts.parent(collection)
    if isinstance(holder, (cst.Comparison, cst.ComparisonTarget)):
        return True
    if not isinstance(holder, cst.Assign) or len(holder.targets) != 1:
        return False
    target = holder.targets[0].target
    if not isinstance(target, cst.Name):
        return False
    uses = [
        use for use in facts.names.get(target.value, ())
        if use is not target and not _is_name_of_something_else(facts, use)
    ]
    return bool(uses) and all(isinstance(facts.parent(use), (cst.Comparison, cst.ComparisonTarget)) for use in uses)


def _excluded_context(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """Docstrings, bare string statements, assert messages and raised exceptions."""
    parent = facts.parent(node)
    if isinstance(parent, cst.Expr):
        return True
    if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Divide):
        return True  # pathlib: Path(...) / "images/detail"
    if _is_route_tuple(facts, node):
        return True
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
        return True  # ``path == "/v1.1/images/detail"``, ``"..." in url``: compared, not requested
    if _in_compared_collection(facts, node):
        return True
    for ancestor in facts.ancestors(node):
        if isinstance(ancestor, (cst.Raise, cst.Assert)):
            return True
        if isinstance(ancestor, cst.SimpleStatementLine) or isinstance(ancestor, cst.BaseCompoundStatement):
            return False
    return False


class SiteFinder:
    def __init__(self, facts: ModuleFacts, evaluator: Evaluator) -> None:
        self.facts = facts
        self.evaluator = evaluator

    def find(self) -> List[RequestSite]:
        candidates: Dict[cst.CSTNode, None] = {}
        for leaf in (*self.facts.string_leaves, *self.facts.name_leaves):
            top = climb(self.facts, leaf)
            candidates.setdefault(top, None)
        matched: List[Tuple[cst.CSTNode, Template, PathMatch, Optional[CallSite]]] = []
        consumed = set()  # definitions whose value a use reaches (a request, or a path operation)
        file_paths = set()  # definitions used as file-system paths: their other uses are too
        for node in candidates:
            if _excluded_context(self.facts, node):
                continue
            call = None
            found = set()
            for template in self.evaluator.variants(node):
                matches = match_paths(template.text) if template is not None else []
                if not matches:
                    continue
                consumed |= template.sources
                call = call or self._call_of(node)
                if call is not None and call.kind == FILESYSTEM:
                    file_paths |= template.sources
                if call is not None and call.kind in (MESSAGE, ROUTE, FILESYSTEM, STRING_OPERATION):
                    break
                declarative = is_declarative(self.facts, node)
                service = service_of(call, self.facts, self.evaluator) if call is not None else None
                match = next((m for m in matches if applies(m, call, declarative, service)), None)
                if match is not None and match.endpoint.code not in found:
                    found.add(match.endpoint.code)  # one finding per use and code; fix rounds do the rest
                    matched.append((node, template, match, call))
        sites = []
        for node, template, match, call in matched:
            if node in consumed:
                continue  # a definition; its use is reported instead
            if template.sources & file_paths:
                continue  # the same value is used as a file-system path: it is not a URL
            site = RequestSite(node, template, match, call)
            if match.endpoint.kind in (LIST, NEVER_EXISTED):
                self._collect_filters(site)
            sites.append(site)
        return sites

    def _call_of(self, node: cst.CSTNode) -> Optional[CallSite]:
        parent = self.facts.parent(node)
        if not isinstance(parent, cst.Arg):
            return None
        call = self.facts.parent(parent)
        if not isinstance(call, cst.Call):
            return None
        in_decorator = isinstance(self.facts.parent(call), cst.Decorator)
        site = classify(call, parent, in_decorator)
        if site.kind in (REQUEST, WRAPPER) and self._is_mock_receiver(call):
            site.kind = TEST_DOUBLE
        elif site.kind == WRAPPER and self._is_client_receiver(call):
            site.kind, site.filter_kwargs = REQUEST, []  # its keywords are transport options
        return site

    def _receiver_constructor(self, call: cst.Call) -> str:
        """``requests.Session`` for ``s.get(...)`` where ``s = requests.Session()`` (or ``with ... as s``)."""
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        if not isinstance(receiver, cst.Name):
            return ""
        binding = self.evaluator.lookup(receiver)
        value = binding.value if binding is not None else None
        return callee_name(value.func) if isinstance(value, cst.Call) else ""

    def _is_client_receiver(self, call: cst.Call) -> bool:
        return self._receiver_constructor(call).endswith(_CLIENT_CONSTRUCTORS)

    def _is_mock_receiver(self, call: cst.Call) -> bool:
        """``m.get(...)`` where ``m`` came from ``requests_mock.Mocker()``, ``responses.RequestsMock()``..."""
        name = self._receiver_constructor(call)
        return bool(name) and (
            name.split(".")[0] in TEST_DOUBLE_ROOTS or name.endswith(("Mocker", "RequestsMock", "MockRouter"))
        )

    # -- filters -----------------------------------------------------------------------------------
    def _collect_filters(self, site: RequestSite) -> None:
        match = site.match
        for param in match.query:
            if not param.key_is_static:
                site.opaque.append(OpaqueFilters(site.node, "a query parameter name is built at runtime"))
                continue
            site.filters.append(FilterUse(param.key, "url", key_span=param.key_span, value_span=param.value_span))
        if match.runtime_suffix:
            site.opaque.append(OpaqueFilters(site.node, "a runtime value is appended to the path (a query string?)"))
        call = site.call
        if call is None:
            return
        if call.params is not None:
            model = self.evaluator.mapping(call.params.value, call.params.value)
            if model is None:
                site.opaque.append(OpaqueFilters(call.params.value, "`params` is built at runtime"))
            else:
                site.params_model = model
                for entry in model.entries:
                    site.filters.append(FilterUse(entry.key, "params", entry.key_node, entry.value_node))
                for part in model.opaque:
                    site.opaque.append(OpaqueFilters(part, "these `params` keys are built at runtime"))
        for arg in call.filter_kwargs:
            if arg.keyword is not None:
                site.filters.append(FilterUse(arg.keyword.value, "kwarg", arg.keyword, arg.value))
                continue
            model = self.evaluator.mapping(arg.value)
            if model is None:
                site.opaque.append(OpaqueFilters(arg, "keyword arguments unpacked at runtime"))
                continue
            for entry in model.entries:
                site.filters.append(FilterUse(entry.key, "params", entry.key_node, entry.value_node))
            for part in model.opaque:
                site.opaque.append(OpaqueFilters(part, "these keyword arguments are built at runtime"))
