"""Finds where a module uses an abandoned endpoint, what the evidence says about each use, and
the filters each use sends.

Every string literal and every name used as a value is climbed to the largest expression that
builds a string from it; that expression is evaluated to a template and matched against the
catalogue by its path. Where the value goes decides the rest (``evidence``): the call that
receives it, followed through the project's wrappers to the call that sends it, gives the HTTP
method and the service; its context gives the role (a request, a test double, a compared value).
A definition whose value is consumed by a matched use (``url = ...`` then ``get(url)``) is
reported once, at the use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple
from urllib.parse import unquote_plus

import libcst as cst

from .calls import (
    FILESYSTEM,
    MESSAGE,
    REQUEST,
    ROUTE,
    STRING_OPERATION,
    TEST_DOUBLE,
    WRAPPER,
    CallSite,
    callee_name,
    classify,
)
from .endpoints import (
    HOLE_CHAR,
    LIST,
    NEVER_EXISTED,
    PROJECT,
    PathMatch,
    called_title,
    url_host,
    match_paths,
    select_endpoint,
)
from .evaluate import PROJECT_JOIN, Evaluator, MappingModel
from .evidence import method as method_evidence
from .evidence import role as role_evidence
from .evidence import service as service_evidence
from .evidence.record import CLIENT, DEFINITION, DOUBLE, OTHER, SERVER, Evidence, Fact
from .evidence.wrappers import Delivery, WrapperIndex, follow
from .strings import Hole, Template
from .tree import CLASS, MODULE, IMPORT, ModuleFacts, dotted_name, kinds
from .route_names import HANDLER_NAME, PATTERNS_CALL

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
    key_template: Optional[Template] = None  # a key built at runtime with visible text (``"property-%s" % k``)


def filter_literal(use: FilterUse, site: "RequestSite", evaluator: Evaluator) -> Optional[str]:
    """The literal text a request sends as filter ``use`` (percent-decoded from a query string),
    or None when it is computed at runtime (or not a string: ``{"limit": 5}``)."""
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


@dataclass
class OpaqueFilters:
    """Filters imslint cannot read (built at runtime)."""

    node: cst.CSTNode
    reason: str


# Calls that read a setting with a default: ``os.getenv``, ``os.environ.get``, ``environ.get``.
_ENV_GETTER = re.compile(r"(^|\.)(getenv|environ\.get)$")


@dataclass
class RequestSite:
    node: cst.CSTNode  # the URL expression reported
    template: Template
    match: PathMatch
    call: Optional[CallSite]  # the call receiving the URL (the first of ``delivery``)
    evidence: Evidence
    delivery: Optional[Delivery] = None
    filters: List[FilterUse] = field(default_factory=list)
    opaque: List[OpaqueFilters] = field(default_factory=list)
    params_model: Optional[MappingModel] = None
    in_test: bool = False  # in a test module, function or class

    @property
    def method(self) -> Optional[str]:
        return self.evidence.method.value

    @property
    def role(self) -> Optional[str]:
        return self.evidence.role.value

    @property
    def sender(self) -> Optional[CallSite]:
        """The call that finally sends the request (the call itself when nothing was followed)."""
        return self.delivery.last.site if self.delivery is not None else self.call


@dataclass(frozen=True)
class Route:
    """A route the module registers for an abandoned path: this code serves the API."""

    node: cst.CSTNode
    title: str


_STRING_PARTS = kinds(cst.ConcatenatedString, cst.FormattedStringExpression, cst.FormattedString)
_CONTAINERS = kinds(cst.Arg, cst.Element, cst.DictElement, cst.Tuple, cst.List, cst.Dict)
# What ``climb`` keeps as the top: an expression, but not the collection it may pass through.
_TOP_EXPRESSIONS = kinds(cst.BaseExpression) - kinds(cst.Tuple, cst.List, cst.Dict)
_STATEMENTS = kinds(cst.SimpleStatementLine, cst.BaseCompoundStatement)


def _is_builder_edge(parent: cst.CSTNode, child: cst.CSTNode, helper=None) -> bool:
    """Whether ``parent`` builds a string out of ``child`` (``helper(call)``: a project helper
    that returns a string built from its arguments, ``Evaluator.is_helper``)."""
    kind = type(parent)  # type checks, not ``isinstance``: this runs for every leaf's every step
    if kind in _STRING_PARTS:
        return True
    if kind is cst.IfExp:
        return child is not parent.test
    if kind is cst.BinaryOperation:
        return isinstance(parent.operator, (cst.Add, cst.Modulo))
    if kind is cst.Attribute:
        return parent.value is child and parent.attr.value in ("format", "join")
    if kind in _CONTAINERS:
        return True  # only followed further when a builder call/operation sits above
    if kind is cst.Call:
        if isinstance(parent.func, cst.Attribute) and parent.func.attr.value in ("format", "join"):
            return True
        if isinstance(parent.func, cst.Attribute) and parent.func.attr.value in ("strip", "lstrip", "rstrip"):
            return parent.func.value is child
        name = dotted_name(parent.func) or ""
        if name.endswith(("urljoin", "urlencode")) or name in ("posixpath.join", "os.path.join", "str"):
            return True
        if PROJECT_JOIN.search(name.rsplit(".", 1)[-1]):
            return True  # a project's segment joiner (``path4url("images", "detail")``)
        return helper is not None and helper(parent)
    return False


def _on_own_class(call: cst.CSTNode) -> bool:
    """``self.method(...)``, ``cls.method(...)``, ``super().method(...)``."""
    func = getattr(call, "func", None)
    if type(func) is not cst.Attribute:
        return False
    receiver = func.value
    if type(receiver) is cst.Name:
        return receiver.value in ("self", "cls")
    return type(receiver) is cst.Call and dotted_name(receiver.func) == "super"


def climb(facts: ModuleFacts, node: cst.CSTNode, helper=None) -> cst.CSTNode:
    """The largest string-building expression containing ``node``."""
    top = node
    current = node
    parent = facts.parent(current)
    while parent is not None and _is_builder_edge(parent, current, helper):
        if type(parent) in _TOP_EXPRESSIONS:
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




def _is_route_tuple(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """``("/v1.1/images/detail", ImageListHandler)`` in a route table: the server side."""
    element = facts.parent(node)
    table = facts.parent(element) if isinstance(element, cst.Element) else None
    if not isinstance(table, cst.Tuple) or len(table.elements) < 2 or table.elements[0] is not element:
        return False
    handler = table.elements[1].value
    if isinstance(handler, cst.Dict) and handler.elements and all(
        isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
        and method_evidence.verb(e.key.evaluated_value) is not None for e in handler.elements
    ):
        return True  # nova's ``('/images', {'GET': [controller, 'index']})``
    name = handler.attr.value if isinstance(handler, cst.Attribute) else getattr(handler, "value", "")
    if isinstance(name, str) and bool(HANDLER_NAME.search(name)):
        return True
    holder = facts.parent(table)
    call = facts.parent(holder) if isinstance(holder, cst.Arg) else None
    if isinstance(call, cst.Call) and callee_name(call.func).rsplit(".", 1)[-1] == PATTERNS_CALL:
        return True  # Django before 1.8: ``patterns('', (r'^api/v1.1/images/detail$', 'app.views.list'))``
    return False


def _in_route_paths(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """``app.route(("/v1/images/<id>", "//v1/images/<id>"), ...)``: one of the paths a route
    registration takes as a list or tuple (bottle, Flask's ``add_url_rule`` loops, aiohttp)."""
    element = facts.parent(node)
    paths = facts.parent(element) if isinstance(element, cst.Element) else None
    arg = facts.parent(paths) if isinstance(paths, (cst.Tuple, cst.List)) else None
    call = facts.parent(arg) if isinstance(arg, cst.Arg) else None
    if not isinstance(call, cst.Call) or arg.keyword is not None or call.args[0] is not arg:
        return False
    return classify(call, arg, isinstance(facts.parent(call), cst.Decorator)).kind == ROUTE


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
    """Docstrings, bare string statements and raised exceptions."""
    parent = facts.parent(node)
    if isinstance(parent, cst.Expr):
        return True
    if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Divide):
        return True  # pathlib: Path(...) / "images/detail"
    if _in_compared_collection(facts, node):
        return True
    for ancestor in facts.ancestors(node):
        kind = type(ancestor)
        if kind is cst.Raise:
            return True
        if kind in _STATEMENTS:
            return False
    return False




# Class attributes that say which API version or host a client class talks to.
_VERSION_ATTRIBUTES = ("api_version", "_api_version", "version", "_endpoint_suffix", "endpoint_suffix", "api_prefix")
_HOST_ATTRIBUTES = ("base_url", "_base_url", "host", "_host", "endpoint", "_endpoint", "url", "server", "api_url")
_TENANT_LABEL = re.compile(r"tenant|project", re.I)


@dataclass(frozen=True)
class _Use:
    site: CallSite
    arg: cst.Arg


class SiteFinder:
    def __init__(self, facts: ModuleFacts, evaluator: Evaluator, path: str = "", imported_elsewhere=None) -> None:
        self.facts = facts
        self.evaluator = evaluator
        self.path = path
        self.imported_elsewhere = imported_elsewhere  # ``EngineOptions.imported_elsewhere``
        self.wrappers = WrapperIndex()
        self.routes: List[Route] = []
        self._module_signals: Optional[list] = None
        self._class_signals: Dict[int, list] = {}
        self.test_module = role_evidence.is_test_path(path)

    # -- the sites ------------------------------------------------------------------------------------
    def find(self) -> List[RequestSite]:
        def helper(call: cst.CSTNode) -> bool:
            """Climbs through the project's URL helpers: this module's, another module's functions,
            an imported class's; a method called on ``self``, ``cls`` or ``super()`` only when
            this module defines it (following inherited methods loads every base's module)."""
            return self.evaluator.is_helper(call, imported=not _on_own_class(call))

        candidates: Dict[cst.CSTNode, None] = {}
        for leaf in (*self.facts.string_leaves, *self.facts.name_leaves):
            candidates.setdefault(climb(self.facts, leaf, helper), None)
        found = []
        consumed: Set[cst.CSTNode] = set()  # definitions whose value a use reaches
        file_paths: Set[cst.CSTNode] = set()  # definitions used as file-system paths: their other uses are too
        for node in candidates:
            if _excluded_context(self.facts, node):
                continue
            matched = [(t, self._matches(t)) for t in self.evaluator.variants(node) if t is not None]
            matched = [(t, m) for t, m in matched if m]
            if not matched:
                continue
            for template, _ in matched:
                consumed |= template.sources
            found.extend(self._uses(node, matched, file_paths))
        sites = []
        for site in found:
            if site.node in consumed or site.template.sources & file_paths:
                continue  # a definition reported at its use; a file-system path
            if site.match.endpoint.kind in (LIST, NEVER_EXISTED) and site.role != DOUBLE:
                self._collect_filters(site)
            sites.append(site)
        return sites

    def _matches(self, template: Template) -> List[PathMatch]:
        return [m for m in match_paths(template.text) if not _needs_tenant_label(m) or _tenant_hole(template, m)]

    def _uses(self, node, matched, file_paths) -> List[RequestSite]:
        double = role_evidence.double_in_data(self.facts, self.evaluator, node)
        use = self._use(node) if double is None else None  # ``dict(method=..., uri=URL)`` is no call of URL
        kind = use.site.kind if use is not None else None
        if kind == FILESYSTEM:
            for template, _ in matched:
                file_paths |= template.sources
            return []
        if kind in (MESSAGE, STRING_OPERATION):
            return []
        if use is not None and self.evaluator.is_helper(use.site.call, imported=True):
            return []  # a helper builds a URL from it: reported where the result is sent
        if kind == ROUTE or _is_route_tuple(self.facts, node) or _in_route_paths(self.facts, node):
            for template, matches in matched:
                service = self._service(template, None, matches)
                route = select_endpoint(matches, None, service.value) if service.value != OTHER else None
                if route is not None:  # ``/images`` is abandoned in a v1 or compute router, not in a v2 one
                    self.routes.append(Route(node, called_title(route, template.text, None).replace(" (method unknown)", "")))
                    break
            return []
        if role_evidence.expected_value(self.facts, node) is not None:
            return []  # a compared or asserted string, not a request
        delivery = follow(use.site, use.arg, self.evaluator, matched[0][0], self.wrappers) if use is not None else None
        if delivery is not None and any(hop.site.kind in (MESSAGE, STRING_OPERATION) for hop in delivery.hops[1:]):
            return []
        method = self._method(delivery, double)
        role = self._role(node, use, delivery, double)
        if role is None:
            return []
        in_test = self.test_module or role_evidence.in_test(self.facts, node)
        sites = []
        codes: Set[str] = set()
        for template, matches in matched:
            service = self._service(template, delivery, matches, role.value == DOUBLE)
            if service.value == OTHER:
                continue
            match = select_endpoint(matches, method.value, service.value)
            if match is None or match.endpoint.code in codes:
                continue
            if match.endpoint.relative and PROJECT not in match.endpoint.segments and not self._sent(
                node, delivery, role, service, method
            ):
                continue
            codes.add(match.endpoint.code)  # one finding per use and code; fix rounds do the rest
            evidence = Evidence(method, service, role)
            sites.append(RequestSite(node, template, match, use.site if use else None, evidence, delivery, in_test=in_test))
        return sites

    def _use(self, node: cst.CSTNode) -> Optional[_Use]:
        parent = self.facts.parent(node)
        if not isinstance(parent, cst.Arg):
            return None
        call = self.facts.parent(parent)
        if not isinstance(call, cst.Call):
            return None
        in_decorator = isinstance(self.facts.parent(call), cst.Decorator)
        site = classify(call, parent, in_decorator)
        if site.kind in (REQUEST, WRAPPER) and role_evidence.mock_receiver(self.evaluator, call) is not None:
            site.kind, site.filter_kwargs = TEST_DOUBLE, []
        elif site.kind == WRAPPER and self._is_client_receiver(call):
            site.kind, site.filter_kwargs = REQUEST, []  # its keywords are transport options
        return _Use(site, parent)

    def _is_client_receiver(self, call: cst.Call) -> bool:
        """``s.get(...)`` where ``s = requests.Session()`` (or ``with ... as s``, ``self.s = ...``)."""
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        value = role_evidence.bound_value(self.evaluator, receiver) if receiver is not None else None
        return isinstance(value, cst.Call) and callee_name(value.func).endswith(_CLIENT_CONSTRUCTORS)

    def _sent(self, node, delivery: Optional[Delivery], role: Fact, service: Fact, method: Fact = None) -> bool:
        """A relative path counts only where something sends it: a client call or a double, a
        verb-named method, a declaration a framework sends (``base_path = ...``), or a call in a
        class whose attributes say which API it talks to."""
        if role.value == DOUBLE:
            return True
        if delivery is None:
            return is_declarative(self.facts, node) and service.known
        keyword = delivery.first.arg.keyword
        if keyword is not None and _DECLARATIVE_NAME.search(keyword.value) and service.known:
            return True  # ``self._list(Image, base_path="/images/detail")``: a path the framework sends
        last = delivery.last.site
        if last.kind in (REQUEST, TEST_DOUBLE):
            return True
        name = callee_name(last.call.func).rsplit(".", 1)[-1]
        if name in method_evidence._LOWER_VERBS:
            return True
        if method is not None and method.known and method.strength >= 3:
            return True  # ``self.do_request("GET", path)``: a verb goes with the path
        return service.known and service.strength >= 3

    # -- evidence -----------------------------------------------------------------------------------
    def _method(self, delivery: Optional[Delivery], double) -> Fact:
        signals = []
        if double is not None and double.method is not None:
            signals.append(method_evidence.Signal(double.method, 4, double.reason))
        if delivery is not None:
            for hop in (*delivery.hops, *delivery.others):
                client = hop.site.kind in (REQUEST, TEST_DOUBLE)
                signals += method_evidence.signals_of_call(
                    hop.call, hop.arg, callee_name(hop.call.func), client, hop.evaluator.evaluate, hop.evaluator.facts
                )
        fact = method_evidence.decide(signals)
        if fact.value is None and delivery is not None and not signals:
            last = delivery.last
            return Fact(None, f"`{callee_name(last.call.func)}` does not say which HTTP method it sends")
        if fact.value is None and delivery is None and double is None:
            return Fact(None, "the value is not sent where imslint can see it")
        return fact

    def _role(self, node, use: Optional[_Use], delivery: Optional[Delivery], double) -> Optional[Fact]:
        if double is not None:
            return Fact(DOUBLE, double.reason, 3)
        if delivery is None:
            return self._definition_role(node)
        for hop in delivery.hops:
            if hop.site.kind == TEST_DOUBLE:
                return Fact(DOUBLE, f"`{callee_name(hop.call.func)}` registers a test double", 3)
        last = delivery.last
        name = callee_name(last.call.func)
        through = ""
        if delivery.followed:
            through = " through " + ", ".join(f"`{callee_name(h.call.func)}`" for h in delivery.hops[:-1])
        own_app = role_evidence.own_app_client(last.evaluator, last.call)
        if own_app is not None:
            return Fact(SERVER, own_app, 3)
        if last.site.kind == REQUEST:
            return Fact(CLIENT, f"sent by `{name}`{through}", 3)
        if delivery.followed:
            return Fact(CLIENT, f"passed to `{name}`{through}, which imslint cannot follow further", 2)
        return Fact(CLIENT, f"passed to `{name}` (defined outside the scanned code, or not followed)", 2)

    def _definition_role(self, node) -> Optional[Fact]:
        """A value no call receives: a constant other code may send, a declaration a framework
        sends (``base_path = ...``), a returned value; a local value nothing sends is no finding."""
        parent = self.facts.parent(node)
        if isinstance(parent, cst.Arg) and is_declarative(self.facts, node):
            return Fact(DEFINITION, f"`{parent.keyword.value}=`, a path a framework sends", 1)
        if isinstance(parent, cst.Return):
            return Fact(DEFINITION, "returned to callers imslint did not follow", 1)
        holder = parent
        while isinstance(holder, (cst.Element, cst.Tuple, cst.List, cst.DictElement, cst.Dict, cst.Set)):
            holder = self.facts.parent(holder)
        if isinstance(holder, (cst.Assign, cst.AnnAssign)):
            scope = self.facts.scope_of.get(holder)
            if scope is not None and scope.kind == CLASS and is_declarative(self.facts, node):
                return Fact(DEFINITION, "a class attribute a framework sends (`base_path = ...`)", 1)
            if scope is not None and scope.kind in (MODULE, CLASS):
                names = [t.target.value for t in getattr(holder, "targets", [holder]) if isinstance(t.target, cst.Name)]
                elsewhere = self.imported_elsewhere
                if scope.kind == MODULE and elsewhere is not None and names and set(names) <= set(elsewhere):
                    return None  # the modules that import it report where it is sent
                return Fact(DEFINITION, "a module or class constant; no request sending it was traced in this file", 1)
        if isinstance(parent, cst.DictElement) and parent.key is node:
            return Fact(DEFINITION, "a URL used as a dictionary key (a fake answer or a route table?)", 1)
        return None

    def _default_host_signals(self, template: Template, double: bool) -> List[service_evidence.Signal]:
        """A URL that starts with a setting read at runtime with a default host
        (``os.getenv("GLANCE_URL", "http://controller:9292")``): what the default's host says,
        at most medium (the setting may point elsewhere)."""
        first = template.pieces[0] if template.pieces else None
        node = first.node if isinstance(first, Hole) else None
        if isinstance(node, cst.Name):
            binding = self.evaluator.lookup(node)
            node = binding.value if binding is not None and binding.kind != IMPORT else None
        if not isinstance(node, cst.Call) or not _ENV_GETTER.search(dotted_name(node.func) or ""):
            return []
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        default = next((arg.value for arg in node.args if arg.keyword is not None and arg.keyword.value == "default"),
                       positional[1].value if len(positional) > 1 else None)
        value = self.evaluator.evaluate(default) if default is not None else None
        if value is None or not value.is_literal:
            return []
        where = f"the default of `{dotted_name(node.func)}(...)`"
        return [service_evidence.Signal(signal.service, min(signal.strength, 2), signal.reason)
                for signal in service_evidence.host_signals(url_host(value.text), where, double)]

    def _service(self, template: Template, delivery: Optional[Delivery], matches: List[PathMatch],
                 double: bool = False) -> Fact:
        signals = list(self._module())
        signals += service_evidence.host_signals(url_host(template.text), "the URL", double)
        signals += self._default_host_signals(template, double)
        absolute = next((m for m in matches if not m.endpoint.relative), None)
        if absolute is not None:
            endpoint = absolute.endpoint
            signals += service_evidence.shape_signals(endpoint.key, endpoint.code)
            if endpoint.version_index is not None:
                start, end = absolute.segment_spans[endpoint.version_index]
                signals += service_evidence.version_segment_signal(template.text[start:end])
        if delivery is not None:
            for number, hop in enumerate(delivery.hops):
                signals += self._hop_service(hop, number > 0, double)
        return service_evidence.decide(signals)

    def _module(self) -> list:
        """Signals of the whole module (its path, the client libraries it imports), made once."""
        if self._module_signals is None:
            imported = []
            for bindings in self.facts.module_scope.bindings.values():
                for binding in bindings:
                    if binding.kind == IMPORT and binding.imported is not None:
                        module, name, _ = binding.imported
                        imported.append(f"{module}.{name}" if name else module)
            self._module_signals = (
                service_evidence.module_path_signals(self.path)
                + service_evidence.import_signals(imported)
                + self._module_service_types()
            )
        return self._module_signals

    def _module_service_types(self) -> list:
        """The one ``service_type`` every client of the module is built for, when they agree."""
        from .evidence.record import MEDIUM

        found = set()
        for node in self.facts.order:
            if isinstance(node, cst.Call) and any(a.keyword is not None and a.keyword.value in ("service_type", "endpoint_filter")
                                                  for a in node.args):
                service = _service_type_in(node, self.evaluator)
                if service:
                    found.add(service)
        if len(found) != 1:
            return []
        service = found.pop()
        return [service_evidence.Signal(service, MEDIUM, f"the module's clients are built for `service_type={service!r}`")]

    def _hop_service(self, hop, inner: bool, double: bool = False) -> list:
        from .evidence.record import EXPLICIT, STRONG

        signals = []
        evaluator = hop.evaluator
        call = hop.call
        where = f"`{callee_name(call.func)}`"
        found = _service_type_in(call, evaluator)
        if found:
            signals.append(service_evidence.Signal(found, EXPLICIT, f"`service_type` of {where} is {found!r}"))
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        value = role_evidence.bound_value(evaluator, receiver) if receiver is not None else None
        if isinstance(value, cst.Call):
            found = _service_type_in(value, evaluator)
            if found:
                signals.append(service_evidence.Signal(found, EXPLICIT, f"the client {where} goes through has `service_type={found!r}`"))
            signals += _override_hosts(value, evaluator, "the client's `endpoint_override`")
        signals += _override_hosts(call, evaluator, f"`endpoint_override` of {where}")
        if inner and hop.url is not None:
            signals += service_evidence.host_signals(url_host(hop.url.text), f"the URL {where} sends", double)
            composed = next((m for m in match_paths(hop.url.text) if not m.endpoint.relative), None)
            if composed is not None:  # what the path the wrapper builds says (``/v1/`` + "images/detail")
                signals += service_evidence.shape_signals(composed.endpoint.key, composed.endpoint.code)
                if composed.endpoint.version_index is not None:
                    start, end = composed.segment_spans[composed.endpoint.version_index]
                    signals += service_evidence.version_segment_signal(hop.url.text[start:end])
        for arg in call.args:
            if arg is hop.arg or arg.star or (arg.keyword is not None and arg.keyword.value not in ("service", "service_type", "kind")):
                continue
            if arg.keyword is None and isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue  # a literal ``"image"`` is as likely a response key (``self._get(url, "image")``)
            template = evaluator.evaluate(arg.value)
            word = service_evidence.service_word(template.text) if template is not None and template.is_literal else None
            if word is not None:
                signals.append(service_evidence.Signal(word, STRONG, f"{where} is given the service {template.text!r}"))
        if receiver is not None:
            signals += service_evidence.name_signals((dotted_name(receiver) or "").rsplit(".", 1)[-1], "the client")
        signals += self._class(evaluator, call)
        return signals

    def _class(self, evaluator, node) -> list:
        """Signals of the class a call is made in (and its bases): version, host and service
        attributes; its base classes' names (weak). Never the class's own name."""
        from .evidence.record import EXPLICIT
        from .resolve import base_names, class_attribute, enclosing_class

        owner = enclosing_class(evaluator.facts, node)
        if owner is None:
            return []
        key = id(owner.node)
        if key in self._class_signals:
            return self._class_signals[key]
        self._class_signals[key] = []
        signals = []
        for name in ("service_type", "_service_type", "service"):
            found = class_attribute(evaluator, owner, name)
            text = _binding_text(found)
            word = service_evidence.service_word(text)
            if word is not None:
                signals.append(service_evidence.Signal(word, EXPLICIT, f"the class attribute `{name}` is {text!r}"))
        for name in _VERSION_ATTRIBUTES:
            signals += service_evidence.version_signals(_binding_text(class_attribute(evaluator, owner, name)),
                                                        f"the class attribute `{name}`", "suffix" in name)
        for name in ("port", "_port", "api_port"):
            found = class_attribute(evaluator, owner, name)
            if found is not None and isinstance(found[0].value, cst.Integer):
                signals += service_evidence.host_signals(f"host:{found[0].value.value}", f"the class attribute `{name}`")
        for name in _HOST_ATTRIBUTES:
            text = _binding_text(class_attribute(evaluator, owner, name), literal_only=False)
            signals += service_evidence.host_signals(url_host(text) if text else None, f"the class attribute `{name}`")
        signals += self._endpoint_version_signals(evaluator, owner.node)
        for name in base_names(evaluator, owner):
            signals += service_evidence.name_signals(name.rsplit(".", 1)[-1], "the base class")
        self._class_signals[key] = signals
        return signals

    def _endpoint_version_signals(self, evaluator, class_node: cst.CSTNode) -> list:
        """``self.endpoint = "/".join([self.endpoint.rstrip("/"), "v1"])`` (or ``+ "/v1"``) in a
        method of the class: the endpoint its relative paths go to ends in that version."""
        signals = []
        for node in evaluator.facts.subtree(class_node):
            if not isinstance(node, cst.Assign) or len(node.targets) != 1:
                continue
            target = node.targets[0].target
            if not (isinstance(target, cst.Attribute) and dotted_name(target.value) == "self"
                    and target.attr.value in _HOST_ATTRIBUTES):
                continue
            template = evaluator.evaluate(node.value)
            last = template.text.rstrip("/").rsplit("/", 1)[-1] if template is not None and "/" in template.text else ""
            if HOLE_CHAR not in last:
                signals += service_evidence.version_signals(
                    last or None, f"the end of `self.{target.attr.value}` (set in the class)", suffix=True)
        return signals

    # -- filters -----------------------------------------------------------------------------------
    def _collect_filters(self, site: RequestSite) -> None:
        match = site.match
        for param in match.query:
            if not param.key_is_static:
                prefix = param.key.split(HOLE_CHAR, 1)[0]
                if prefix:  # ``property-%s``: its visible text may already say it has no v2 form
                    site.filters.append(FilterUse(prefix + "*", "url", key_span=param.key_span, value_span=param.value_span,
                                                  key_template=site.template))
                else:
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
                    key = model.key_templates.get(part)
                    prefix = key.text.split(HOLE_CHAR, 1)[0] if key is not None else ""
                    if prefix:
                        site.filters.append(FilterUse(prefix + "*", "params", part, None, key_template=key))
                    else:
                        site.opaque.append(OpaqueFilters(part, "these `params` keys are built at runtime"))
        for arg in _filter_kwargs(site):
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


def _filter_kwargs(site: RequestSite) -> List[cst.Arg]:
    """A wrapper's keyword arguments that are filters: when the wrapper was followed to the call
    that sends, those whose parameter reaches that call's ``params=`` or URL; else all of them
    but transport options (``calls.TRANSPORT_KWARGS``)."""
    call = site.call
    if call is None or not call.filter_kwargs:
        return []
    delivery = site.delivery
    if delivery is None or not delivery.followed or delivery.first.callee is None:
        return call.filter_kwargs
    sender = delivery.last
    reached = set()
    for arg in sender.call.args:
        if arg is sender.arg or (arg.keyword is not None and arg.keyword.value == "params") or arg.star == "**":
            for inner in sender.evaluator.facts.subtree(arg.value):
                if isinstance(inner, cst.Name):
                    reached.add(inner.value)
    params = delivery.first.callee.function.params
    kwargs = params.star_kwarg.name.value if isinstance(params.star_kwarg, cst.Param) else None
    named = {p.name.value for p in (*params.params, *params.kwonly_params)}
    kept = []
    for arg in call.filter_kwargs:
        if arg.keyword is not None and arg.keyword.value in named:
            if arg.keyword.value in reached:
                kept.append(arg)
        elif kwargs is not None and kwargs in reached:
            kept.append(arg)
    return kept


def _needs_tenant_label(match: PathMatch) -> bool:
    return match.endpoint.relative and PROJECT in match.endpoint.segments


def _tenant_hole(template: Template, match: PathMatch) -> bool:
    """``"/%s/images/detail" % tenant_id``: the runtime first segment is named for a project."""
    index = match.endpoint.segments.index(PROJECT)
    start, end = match.segment_spans[index]
    if HOLE_CHAR not in template.text[start:end]:
        return True  # a literal project id
    for piece, _, _ in template.span(start, end):
        if isinstance(piece, Hole) and _TENANT_LABEL.search(piece.label or ""):
            return True
    return False


def _service_type_in(call: cst.Call, evaluator) -> Optional[str]:
    """``service_type=`` or ``endpoint_filter={"service_type": ...}`` of a call."""
    for arg in call.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "service_type":
            return service_evidence.service_word(_literal_text(evaluator, arg.value))
        if arg.keyword.value == "endpoint_filter":
            mapping = evaluator.mapping(arg.value)
            for entry in mapping.entries if mapping is not None else ():
                if entry.key == "service_type" and entry.value_node is not None:
                    return service_evidence.service_word(_literal_text(evaluator, entry.value_node))
    return None


def _override_hosts(call: cst.Call, evaluator, where: str) -> list:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("endpoint_override", "base_url", "endpoint"):
            template = evaluator.evaluate(arg.value)
            if template is not None:
                found = service_evidence.host_signals(url_host(template.text), where)
                tail = template.text.rstrip("/").rsplit("/", 1)[-1]
                return found + service_evidence.version_signals(tail if tail.startswith("v") else None, where, True)
    return []


def _literal_text(evaluator, node) -> Optional[str]:
    template = evaluator.evaluate(node)
    return template.text if template is not None and template.is_literal else None


def _binding_text(found, literal_only: bool = True) -> Optional[str]:
    """The text of a class attribute's value (from ``resolve.class_attribute``)."""
    if found is None:
        return None
    binding, owner = found
    value = owner.binding_value(binding)
    if value is None or (literal_only and not value.is_literal):
        return None
    return value.text
