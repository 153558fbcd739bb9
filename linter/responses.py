"""Follows the answer of an image list request through a module.

From the request call a value changes kind as the code reads it::

    resp = requests.get(url)            RESPONSE
    data = resp.json()                  BODY      (also json.loads(resp.text), json.load(resp))
    images = data["images"]             LIST      (also data.get("images", []), sorted(...), a slice,
                                                   [i for i in ... if ...], an accumulator that
                                                   .extend()s / += pages, a helper that returns
                                                   or yields them, self.attr)
    for img in images: ...              ITEM      (also images[0], enumerate(...), comprehensions,
                                                   lambda key functions, function parameters)
    img["properties"]                   PROPERTIES
    img["created_at"]                   TIMESTAMP

Every value remembers the request it came from (``Value.origin``). Nothing here reports or
edits: the rules (IMS003, IMS004) decide what a read means. The analysis is per module and
lazy; ``for_context`` shares one per file between the rules.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

import libcst as cst

from .calls import REQUEST, WRAPPER, CallSite, callee_name, classify
from .endpoints import HOLE_CHAR, LIST as LIST_ENDPOINT, NEVER_EXISTED, parse_query
from .evaluate import Evaluator
from .sites import RequestSite, climb, filter_literal
from .tree import ASSIGN, AUGASSIGN, CLASS, FUNCTION, PARAM, UNPACK, Binding, ModuleFacts, Scope, dotted_name, kinds

REQUEST_OBJECT = "request-object"  # urllib.request.Request(url): a response once opened
RESPONSE = "response"
RAW = "raw"  # the undecoded body: resp.text, resp.content, resp.read()
BODY = "body"
LIST = "list"
ITEM = "item"
MAPPING = "mapping"  # {image["id"]: image for image in ...}
PROPERTIES = "properties"
TIMESTAMP = "timestamp"

PROPERTY_KEYS = ("properties", "metadata")  # v1.1 / Nova proxy: the custom properties of an image
TIMESTAMP_KEYS = ("created_at", "updated_at", "created", "updated")
V2_PAGE_SIZE = 25

_LIST_EXPRESSIONS = kinds(cst.Subscript, cst.Call, cst.Name, cst.Attribute, cst.Await, cst.BooleanOperation)
_USE_EXPRESSIONS = kinds(cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Await)  # ``ResponseFlow.uses``
_RESULTS, _READS = kinds(cst.Return, cst.Yield), kinds(cst.Subscript, cst.Comparison)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_LIST_CALLS = frozenset({"sorted", "list", "reversed", "tuple", "filter"})
_ITEM_CALLS = frozenset({"max", "min"})
_KEY_FUNCTION_CALLS = frozenset({"sorted", "max", "min", "filter", "map", "sort", "any", "all", "sum"})
# String methods whose result is still (a piece of) the timestamp: ``created_at.split(".")[0]``.
_STRING_METHODS = frozenset({"replace", "strip", "rstrip", "lstrip", "removesuffix", "upper", "lower",
                             "split", "rsplit", "partition", "rpartition"})


# -- which calls list images ---------------------------------------------------------------------------


def is_v2_image_list(text: str) -> bool:
    """Whether a URL or path template is ``GET /v2/images`` (whole segments; not ``/v2/images/{id}``).

    ``text`` is a template's text, holes as ``HOLE_CHAR``: ``"\\x00/v2/images?limit=5"`` matches,
    ``"/v2/images/\\x00"``, ``"/v2/imagesx"`` and ``"/v2/cloudimages"`` do not.
    """
    path = text
    for stop in "?#":
        found = path.find(stop)
        if found != -1:
            path = path[:found]
    if not path or any(character.isspace() for character in path):
        return False
    segments = path.rstrip("/").split("/")
    if len(segments) < 2 or segments[-1] != "images":
        return False
    version = segments[-2]
    # ``f"{base}v2/images"``: a runtime base that ends with the slash.
    return version == "v2" or (version.endswith("v2") and set(version[:-2]) == {HOLE_CHAR})


def query_keys(text: str) -> FrozenSet[str]:
    """The static keys of a template's query string."""
    stop = text.find("?")
    if stop == -1:
        return frozenset()
    params, _ = parse_query(text, stop)
    return frozenset(param.key for param in params if param.key_is_static)


@dataclass(eq=False)
class ListCall:
    """A request that lists images: its call, the URL expression and the filters it sends."""

    call: cst.Call
    url: cst.CSTNode
    site: CallSite
    filter_keys: FrozenSet[str]
    request_site: Optional[RequestSite] = None  # the abandoned query; None for a /v2/images call
    limit: Optional[int] = None  # the page size it asks for, when the code spells it as a number

    @property
    def is_v2(self) -> bool:
        return self.request_site is None

    @property
    def title(self) -> str:
        """``GET /v2/images``, or the abandoned query it stands for (``GET /v1.1/images/detail``)."""
        return "GET /v2/images" if self.request_site is None else self.request_site.match.endpoint.title


def find_v2_list_calls(facts: ModuleFacts, evaluator: Evaluator) -> List[ListCall]:
    """Calls that send ``GET /v2/images`` (or an unknown method: a wrapper's ``_get``)."""
    found: List[ListCall] = []
    seen: Set[cst.CSTNode] = set()
    for leaf in (*facts.string_leaves, *facts.name_leaves):
        top = climb(facts, leaf)
        if top in seen:
            continue
        seen.add(top)
        arg = facts.parent(top)
        call = facts.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or isinstance(facts.parent(call), cst.Decorator) or call in seen:
            continue
        template = evaluator.evaluate(top)
        if template is None or not is_v2_image_list(template.text):
            continue
        site = classify(call, arg)
        if site.kind not in (REQUEST, WRAPPER) or site.method not in (None, "GET"):
            continue
        keys = set(query_keys(template.text))
        limits = [_query_value(template.text, "limit")]
        if site.params is not None:
            model = evaluator.mapping(site.params.value, site.params.value)
            entries = model.entries if model is not None else []
            keys |= {entry.key for entry in entries}
            limits += [_number(entry.value_node, evaluator) for entry in entries if entry.key == "limit"]
        for arg in site.filter_kwargs:
            if arg.keyword is not None:
                keys.add(arg.keyword.value)
                if arg.keyword.value == "limit":
                    limits.append(_number(arg.value, evaluator))
        seen.add(call)
        found.append(ListCall(call, top, site, frozenset(keys), limit=_one_limit(limits)))
    return found


def _number(node: Optional[cst.CSTNode], evaluator: Evaluator) -> Optional[int]:
    """The whole number ``node`` evaluates to (``5``, ``"5"``, a constant), or None."""
    if node is None:
        return None
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    return _whole_number(_literal(evaluator, node))


def _whole_number(text: Optional[str]) -> Optional[int]:
    return int(text) if text is not None and text.isdigit() else None


def _query_value(text: str, key: str) -> Optional[int]:
    """The number sent as ``key`` in a template's query string, or None."""
    stop = text.find("?")
    params, _ = parse_query(text, stop) if stop != -1 else ((), None)
    for param in params:
        if param.key == key and param.value_span is not None:
            return _whole_number(text[slice(*param.value_span)])
    return None


def _one_limit(limits: List[Optional[int]]) -> Optional[int]:
    """The limit of a request whose limit may be spelt in several places: only when all agree."""
    numbers = [limit for limit in limits if limit is not None]
    return numbers[0] if numbers and len(set(numbers)) == 1 else None


def list_calls_of_sites(sites: Sequence[RequestSite], evaluator: Evaluator) -> List[ListCall]:
    """The abandoned list queries the fix rewrites to ``GET /v2/images`` (IMS001's
    ``/v1.1/images/detail``; IMS005's Glance v1 lists; IMS007's ``/v2/images/detail``), when a
    request call sends them. The Nova proxy lists (IMS006) answer in another shape."""
    found = []
    for site in sites:
        call = site.call
        if site.match.endpoint.kind not in (LIST_ENDPOINT, NEVER_EXISTED):
            continue
        if call is None or call.kind not in (REQUEST, WRAPPER):
            continue
        keys = frozenset(use.key for use in site.filters)
        limits = [_sent_number(site, use, evaluator) for use in site.filters if use.key == "limit"]
        found.append(ListCall(call.call, site.node, call, keys, site, _one_limit(limits)))
    return found


def _sent_number(site: RequestSite, use, evaluator: Evaluator) -> Optional[int]:
    """The number an abandoned query sends as one filter (``use``), or None."""
    if isinstance(use.value_node, cst.Integer):
        return int(use.value_node.evaluated_value)
    return _whole_number(filter_literal(use, site, evaluator))


# -- values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    kind: str
    origin: ListCall
    through_parameter: bool = False  # reached a function through one of its parameters
    first_page: bool = False  # a part of the list the first page holds (``images[:10]``)

    def become(self, kind: str) -> "Value":
        return Value(kind, self.origin, self.through_parameter, self.first_page)


@dataclass(frozen=True)
class Read:
    """``base[key]``, ``base.get(key, ...)`` or ``key in base`` on a tracked value."""

    node: cst.BaseExpression  # the whole read (the Subscript, the Call, the Comparison)
    base: cst.BaseExpression
    key_node: cst.BaseExpression
    key: Optional[str]  # None when the key is built at runtime
    value: Value  # what ``base`` is
    via: str  # "subscript", "get" or "in"
    store: bool = False  # an assignment or ``del`` target


def subscript_index(node: cst.Subscript) -> Optional[cst.BaseExpression]:
    """The index of ``x[i]`` (one element, not a slice)."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return node.slice[0].slice.value


def positional(call: cst.Call) -> List[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)


def method_call(node: cst.CSTNode, *names: str) -> Optional[cst.BaseExpression]:
    """The receiver of ``receiver.name(...)`` when ``node`` is such a call."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in names:
        return node.func.value
    return None


def is_store(facts: ModuleFacts, node: cst.CSTNode) -> bool:
    """``node`` is (part of) an assignment, ``for`` or ``del`` target."""
    child = node
    for parent in facts.ancestors(node):
        if isinstance(parent, (cst.Tuple, cst.List, cst.StarredElement, cst.Element)):
            child = parent
            continue
        if isinstance(parent, (cst.AssignTarget, cst.Del)):
            return True
        if isinstance(parent, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
            return getattr(parent, "target", None) is child
        return False
    return False


def enclosing_function(facts: ModuleFacts, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    return next((a for a in facts.ancestors(node) if isinstance(a, (cst.FunctionDef, cst.Lambda))), None)


def _binds(target: cst.CSTNode, name: str) -> bool:
    return name in _target_names(target)


def _target_names(target: cst.CSTNode) -> Set[str]:
    """The names a ``for`` target binds (``x``, ``a, (b, *c)``)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _target_names(element.value)}
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


@dataclass(eq=False)
class _Index:
    """What the flow needs to find quickly, from one pass over the recorded nodes."""

    results: Dict[cst.CSTNode, List[cst.CSTNode]]  # function -> its Return / Yield nodes
    calls_by_name: Dict[str, List[cst.Call]]  # callee's last name -> calls
    accumulations: Dict[Tuple[Scope, str], List[cst.Call]]  # name.extend(...) / name.append(...)
    reads: List[cst.CSTNode]  # Subscript, Call (.get) and Comparison nodes, in source order
    comprehension_names: Set[str]  # the names some comprehension's ``for`` binds


def _build_index(facts: ModuleFacts) -> _Index:
    index = _Index({}, {}, {}, [], set())
    for node in facts.order:
        kind = type(node)
        if kind in _RESULTS:
            function = enclosing_function(facts, node)
            if function is not None:
                index.results.setdefault(function, []).append(node)
        elif kind is cst.Call:
            func = node.func
            name = None
            if isinstance(func, (cst.Name, cst.Attribute)):
                name = func.value if isinstance(func, cst.Name) else func.attr.value
            if name is not None:
                index.calls_by_name.setdefault(name, []).append(node)
            receiver = method_call(node, "extend", "append")
            if isinstance(receiver, cst.Name):
                key = (facts.scope_of[node], receiver.value)
                index.accumulations.setdefault(key, []).append(node)
            if method_call(node, "get") is not None:
                index.reads.append(node)
        elif kind in _READS:
            index.reads.append(node)
        elif kind is cst.CompFor:
            index.comprehension_names |= _target_names(node.target)
    return index


class ResponseFlow:
    """The kind and origin of expressions in one module, for a set of image list calls."""

    def __init__(self, facts: ModuleFacts, evaluator: Evaluator, calls: Sequence[ListCall]) -> None:
        self.facts = facts
        self.evaluator = evaluator
        self.calls = list(calls)
        self._by_call = {c.call: c for c in self.calls}
        self._memo: Dict[cst.CSTNode, Optional[Value]] = {}
        self._active: Set[cst.CSTNode] = set()
        self._index: Optional[_Index] = None
        self._reads: Optional[List[Read]] = None
        self._lists: Optional[Dict[ListCall, List[cst.CSTNode]]] = None
        self._uses: Optional[Dict[ListCall, List[cst.CSTNode]]] = None
        self._reads_by_origin: Optional[Dict[ListCall, List[Read]]] = None

    def subtree(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        return self.facts.subtree(node)

    @property
    def index(self) -> _Index:
        if self._index is None:
            self._index = _build_index(self.facts)
        return self._index

    # -- the kind of an expression ---------------------------------------------------------------------
    def value(self, node: Optional[cst.CSTNode]) -> Optional[Value]:
        if node is None:
            return None
        if node in self._memo:
            return self._memo[node]
        if node in self._active or len(self._active) > 80:
            return None
        self._active.add(node)
        try:
            result = self._value(node)
        except RecursionError:
            result = None
        finally:
            self._active.discard(node)
        self._memo[node] = result
        return result

    def kind(self, node: Optional[cst.CSTNode]) -> Optional[str]:
        value = self.value(node)
        return value.kind if value is not None else None

    def _value(self, node: cst.CSTNode) -> Optional[Value]:
        if isinstance(node, cst.Await):
            return self.value(node.expression)
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        if isinstance(node, cst.Name):
            return self._name(node)
        if isinstance(node, cst.Attribute):
            return self._attribute(node)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            return self.value(node.left)
        if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
            return self._filtered(node)
        if isinstance(node, cst.DictComp):
            element = self._comprehension_item(node, node.value)
            return element.become(MAPPING) if element is not None else None
        return None

    def _call(self, node: cst.Call) -> Optional[Value]:
        origin = self._by_call.get(node)
        if origin is not None:
            return Value(REQUEST_OBJECT if callee_name(node.func).endswith("Request") else RESPONSE, origin)
        func = node.func
        args = positional(node)
        if isinstance(func, cst.Attribute) and func.attr.value == "getresponse":
            return self._connection_response(node)
        if isinstance(func, cst.Attribute):
            receiver = self.value(func.value)
            method = func.attr.value
            if receiver is not None:
                found = self._method(node, receiver, method, args)
                if found is not None:
                    return found
        name = dotted_name(func) or ""
        last = name.rsplit(".", 1)[-1]
        first = self.value(args[0].value) if args else None
        if last == "loads" and first is not None and first.kind == RAW:
            return first.become(BODY)
        if last == "load" and first is not None and first.kind == RESPONSE:
            return first.become(BODY)
        if last == "urlopen" and first is not None and first.kind == REQUEST_OBJECT:
            return first.become(RESPONSE)
        if last in _LIST_CALLS:
            for arg in args:
                found = self.value(arg.value)
                if found is not None and found.kind == LIST:
                    return found
            return None
        if last in _ITEM_CALLS and len(args) == 1 and first is not None and first.kind == LIST:
            return first.become(ITEM)
        if name == "next" and args and isinstance(args[0].value, cst.Call):
            inner = args[0].value
            if dotted_name(inner.func) == "iter" and positional(inner):
                found = self.value(positional(inner)[0].value)
                return found.become(ITEM) if found is not None and found.kind == LIST else None
        if name in ("dict", "copy.copy", "copy.deepcopy", "deepcopy") and first is not None and first.kind == ITEM:
            return first
        function = self.function_of_callee(func)
        return self._result_of(function) if function is not None else None

    def _method(self, node: cst.Call, receiver: Value, method: str, args: List[cst.Arg]) -> Optional[Value]:
        kind = receiver.kind
        if kind == RESPONSE and method == "json":
            return receiver.become(BODY)
        if kind == RESPONSE and method == "read":
            return receiver.become(RAW)
        if kind == RAW and method == "decode":
            return receiver
        if method == "get" and args:
            return self._key(receiver, args[0].value)
        if method == "copy" and kind in (ITEM, LIST):
            return receiver
        if method == "values" and kind == MAPPING:
            return receiver.become(LIST)
        if kind == TIMESTAMP and method in _STRING_METHODS:
            return receiver
        return None

    def _connection_response(self, node: cst.Call) -> Optional[Value]:
        """``conn.getresponse()`` after ``conn.request("GET", path)`` (http.client) in the same scope."""
        connection = node.func.value
        if not isinstance(connection, cst.Name):
            return None
        scope, order = self.facts.scope_of.get(node), self.facts.order.get(node, 0)
        sent = [
            origin
            for origin in self.calls
            if method_call(origin.call, "request") is not None
            and isinstance(origin.call.func.value, cst.Name)
            and origin.call.func.value.value == connection.value
            and self.facts.scope_of.get(origin.call) is scope
            and self.facts.order.get(origin.call, 0) < order
        ]
        if not sent:
            return None
        latest = max(sent, key=lambda origin: self.facts.order.get(origin.call, 0))
        return Value(RESPONSE, latest)

    def _key(self, receiver: Value, key_node: cst.BaseExpression) -> Optional[Value]:
        """``receiver[key]`` / ``receiver.get(key)``."""
        kind = receiver.kind
        if kind == MAPPING:
            return receiver.become(ITEM)
        key = self.literal_key(key_node)
        if kind in (BODY, RESPONSE) and key == "images":
            return receiver.become(LIST)
        if kind == ITEM and key in PROPERTY_KEYS:
            return receiver.become(PROPERTIES)
        if kind == ITEM and key in TIMESTAMP_KEYS:
            return receiver.become(TIMESTAMP)
        return None

    def _subscript(self, node: cst.Subscript) -> Optional[Value]:
        base = self.value(node.value)
        if base is None:
            return None
        index = subscript_index(node)
        if index is None:  # a slice
            if base.kind == LIST and _first_page_index(node):
                return Value(LIST, base.origin, base.through_parameter, True)
            return base if base.kind in (LIST, TIMESTAMP) else None
        if base.kind == LIST:
            return base.become(ITEM)
        if base.kind == TIMESTAMP:  # a piece of a split timestamp
            return base
        return self._key(base, index)

    def _attribute(self, node: cst.Attribute) -> Optional[Value]:
        receiver = self.value(node.value)
        if receiver is not None and receiver.kind == RESPONSE and node.attr.value in ("text", "content"):
            return receiver.become(RAW)
        owner = self._owner_class(node.value)
        if owner is None:
            return None
        for binding in owner.instance_bindings.get(node.attr.value, []):
            found = self._binding(binding, node)
            if found is not None:
                return found
        return None

    def _filtered(self, node) -> Optional[Value]:
        """``[image for image in images if ...]``: still the list of images."""
        element = self._comprehension_item(node, node.elt)
        return element.become(LIST) if element is not None else None

    def _comprehension_item(self, node, element: cst.BaseExpression) -> Optional[Value]:
        if not isinstance(element, cst.Name):
            return None
        found = self.value(element)
        return found if found is not None and found.kind == ITEM else None

    # -- names ---------------------------------------------------------------------------------------
    def _name(self, node: cst.Name) -> Optional[Value]:
        # Looking for the comprehension that binds a name climbs the tree: only for names one binds.
        comprehension = self._comprehension_for(node) if node.value in self.index.comprehension_names else None
        if comprehension is not None:
            return self._element(comprehension.target, comprehension.iter, node.value)
        binding = self.evaluator.lookup(node)
        return self._binding(binding, node) if binding is not None else None

    def _comprehension_for(self, node: cst.Name) -> Optional[cst.CompFor]:
        child: cst.CSTNode = node
        for ancestor in self.facts.ancestors(node):
            if isinstance(ancestor, _SCOPE_NODES):
                return None
            if isinstance(ancestor, _COMPREHENSIONS):
                comp_for: Optional[cst.CompFor] = ancestor.for_in
                while comp_for is not None:
                    if comp_for.iter is not child and _binds(comp_for.target, node.value):
                        return comp_for
                    comp_for = comp_for.inner_for_in
            child = ancestor
        return None

    def _element(self, target: cst.BaseExpression, iterable: cst.BaseExpression, name: str) -> Optional[Value]:
        """What ``name`` is in ``for target in iterable``."""
        if isinstance(target, cst.Name):
            found = self.value(iterable)
            return found.become(ITEM) if found is not None and found.kind == LIST else None
        if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
            second = target.elements[1].value
            if not (isinstance(second, cst.Name) and second.value == name) or not isinstance(iterable, cst.Call):
                return None
            if dotted_name(iterable.func) == "enumerate" and positional(iterable):
                found = self.value(positional(iterable)[0].value)
                return found.become(ITEM) if found is not None and found.kind == LIST else None
            receiver = method_call(iterable, "items")
            found = self.value(receiver) if receiver is not None else None
            return found.become(ITEM) if found is not None and found.kind == MAPPING else None
        return None

    def _binding(self, binding: Binding, use: cst.CSTNode) -> Optional[Value]:
        statement = binding.statement
        if binding.kind == ASSIGN and binding.value is not None:
            if _is_empty_list(binding.value):
                return self._accumulated(binding)
            return self.value(binding.value)
        if binding.kind == AUGASSIGN and binding.value is not None:
            found = self.value(binding.value)
            return found if found is not None and found.kind == LIST else None
        if binding.kind == UNPACK and binding.value is not None:
            # ``response, content = http.request(url, "GET")`` (httplib2): the body is the second.
            found = self.value(binding.value)
            if found is not None and found.kind == RESPONSE:
                return found.become(RAW) if binding.index == 1 else found if binding.index == 0 else None
            return None
        if binding.kind == PARAM and isinstance(statement, cst.Param):
            return self._parameter(statement)
        if isinstance(statement, cst.For) and _binds(statement.target, binding.name):
            return self._element(statement.target, statement.iter, binding.name)
        if isinstance(statement, cst.WithItem) and statement.asname is not None:
            if isinstance(statement.asname.name, cst.Name) and statement.asname.name.value == binding.name:
                found = self.value(statement.item)
                return found if found is not None and found.kind in (RESPONSE, BODY) else None
        return None

    def _accumulated(self, binding: Binding) -> Optional[Value]:
        """``images = []`` followed by ``images.extend(page)``, ``.append(image)`` or ``+= page``."""
        for call in self.index.accumulations.get((binding.scope, binding.name), []):
            if self.facts.order.get(call, 0) <= binding.seq or not positional(call):
                continue
            found = self.value(positional(call)[0].value)
            wanted = LIST if call.func.attr.value == "extend" else ITEM
            if found is not None and found.kind == wanted:
                return found.become(LIST)
        for later in binding.scope.bindings.get(binding.name, []):
            if later.kind == AUGASSIGN and later.seq > binding.seq:
                found = self.value(later.value)
                if found is not None and found.kind == LIST:
                    return found
        return None

    def _owner_class(self, receiver: cst.CSTNode) -> Optional[Scope]:
        """The class whose method ``self.X`` / ``cls.X`` is read in."""
        if not (isinstance(receiver, cst.Name) and receiver.value in ("self", "cls")):
            return None
        scope = self.facts.scope_of.get(receiver)
        while scope is not None and scope.kind == FUNCTION:
            if scope.parent is not None and scope.parent.kind == CLASS:
                return scope.parent
            scope = scope.parent
        return None

    # -- functions -----------------------------------------------------------------------------------
    def function_of_callee(self, func: cst.CSTNode) -> Optional[cst.FunctionDef]:
        """The function of this module a call runs: ``helper(...)``, ``self.helper(...)``."""
        binding = None
        if isinstance(func, cst.Name):
            binding = self.evaluator.lookup(func)
        elif isinstance(func, cst.Attribute):
            owner = self._owner_class(func.value)
            bindings = owner.bindings.get(func.attr.value, []) if owner is not None else []
            binding = bindings[-1] if bindings else None
        if binding is not None and isinstance(binding.statement, cst.FunctionDef):
            return binding.statement
        return None

    def _result_of(self, function: cst.FunctionDef) -> Optional[Value]:
        for node in self.index.results.get(function, []):
            if isinstance(node, cst.Return):
                found = self.value(node.value)
                if found is not None:
                    return found
            elif isinstance(node, cst.Yield) and node.value is not None:
                if isinstance(node.value, cst.From):
                    found = self.value(node.value.item)
                    if found is not None and found.kind == LIST:
                        return found
                    continue
                found = self.value(node.value)
                if found is not None and found.kind == ITEM:
                    return found.become(LIST)
        return None

    def calls_of(self, function: cst.FunctionDef) -> List[cst.Call]:
        return [
            call
            for call in self.index.calls_by_name.get(function.name.value, [])
            if self.function_of_callee(call.func) is function
        ]

    def _parameter(self, param: cst.Param) -> Optional[Value]:
        parameters = self.facts.parent(param)
        owner = self.facts.parent(parameters)
        if isinstance(owner, cst.Lambda):
            return self._key_function_parameter(owner, param)
        if not isinstance(owner, cst.FunctionDef) or param.star:
            return None
        ordered = [*owner.params.posonly_params, *owner.params.params]
        skip = 1 if self._is_method(owner) else 0
        for call in self.calls_of(owner):
            arg = self._argument_for(call, ordered, param, skip)
            found = self.value(arg.value) if arg is not None else None
            if found is not None:
                return Value(found.kind, found.origin, True, found.first_page)
        return None

    def _is_method(self, function: cst.FunctionDef) -> bool:
        scope = self.facts.scopes_by_node.get(function)
        if scope is None or scope.parent is None or scope.parent.kind != CLASS:
            return False
        return not any(dotted_name(d.decorator) == "staticmethod" for d in function.decorators)

    @staticmethod
    def _argument_for(call: cst.Call, ordered: List[cst.Param], param: cst.Param, skip: int) -> Optional[cst.Arg]:
        named = keyword(call, param.name.value)
        if named is not None:
            return named
        if any(arg.star for arg in call.args) or param not in ordered:
            return None
        position = ordered.index(param) - (skip if isinstance(call.func, cst.Attribute) else 0)
        args = positional(call)
        return args[position] if 0 <= position < len(args) else None

    def _key_function_parameter(self, function: cst.Lambda, param: cst.Param) -> Optional[Value]:
        """``sorted(images, key=lambda image: ...)``, ``images.sort(key=...)``, ``filter(lambda i: ..., images)``."""
        if not function.params.params or function.params.params[0] is not param:
            return None
        arg = self.facts.parent(function)
        call = self.facts.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call):
            return None
        name = (dotted_name(call.func) or "").rsplit(".", 1)[-1] or (
            call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
        )
        if name not in _KEY_FUNCTION_CALLS:
            return None
        candidates = [a.value for a in positional(call) if a is not arg]
        receiver = method_call(call, "sort")
        if receiver is not None:
            candidates.append(receiver)
        for candidate in candidates:
            found = self.value(candidate)
            if found is not None and found.kind == LIST:
                return found.become(ITEM)
        return None

    # -- reads -----------------------------------------------------------------------------------------
    def literal_key(self, node: cst.CSTNode) -> Optional[str]:
        return _literal(self.evaluator, node)

    def reads(self) -> List[Read]:
        """Every keyed read of a tracked value, in source order."""
        if self._reads is None:
            self._reads = [read for node in self.index.reads for read in self._read(node)]
        return self._reads

    def _read(self, node: cst.CSTNode) -> Iterator[Read]:
        if isinstance(node, cst.Subscript):
            index = subscript_index(node)
            base = node.value
            via = "subscript"
        elif isinstance(node, cst.Call):
            args = positional(node)
            index = args[0].value if args else None
            base = node.func.value
            via = "get"
        else:
            if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.In, cst.NotIn)):
                return
            index, base, via = node.left, node.comparisons[0].comparator, "in"
        if index is None:
            return
        value = self.value(base)
        if value is None:
            return
        store = via == "subscript" and is_store(self.facts, node)
        yield Read(node, base, index, self.literal_key(index), value, via, store)

    def reads_from(self, origin: ListCall) -> List[Read]:
        """``reads()`` of the values ``origin`` answered, in source order (grouped once per module)."""
        if self._reads_by_origin is None:
            self._reads_by_origin = {}
            for read in self.reads():
                self._reads_by_origin.setdefault(read.value.origin, []).append(read)
        return self._reads_by_origin.get(origin, [])

    def reads_of(self, origin: ListCall, kind: str, key: str) -> List[Read]:
        return [r for r in self.reads_from(origin) if r.value.kind == kind and r.key == key]

    # -- uses of the list ------------------------------------------------------------------------------
    def list_nodes(self, origin: ListCall) -> List[cst.CSTNode]:
        """Every expression that is the list of images ``origin`` answered (all of it)."""
        if self._lists is None:
            self._lists = {}
            for node in self.facts.order:
                if type(node) not in _LIST_EXPRESSIONS:
                    continue
                value = self.value(node)
                if value is not None and value.kind == LIST and not value.first_page and not is_store(self.facts, node):
                    self._lists.setdefault(value.origin, []).append(node)
        return self._lists.get(origin, [])

    def uses(self, origin: ListCall) -> List[cst.CSTNode]:
        """Every expression (name, attribute, call, subscript, await) whose value comes from
        ``origin``'s answer and is read, not stored, in source order; the module is walked once for
        all the calls (a walk per call made a file of many calls quadratic)."""
        if self._uses is None:
            self._uses = {}
            for node in self.facts.order:
                if type(node) not in _USE_EXPRESSIONS:
                    continue
                value = self.value(node)
                if value is not None and not is_store(self.facts, node):
                    self._uses.setdefault(value.origin, []).append(node)
        return self._uses.get(origin, [])

    def reads_whole_list(self, origin: ListCall) -> bool:
        """Whether some code needs every image of the answer (not just the first or whether any)."""
        return any(self._use_of_list(node, origin) == "whole" for node in self.list_nodes(origin))

    def _use_of_list(self, node: cst.CSTNode, origin: ListCall) -> str:
        """``whole``, ``first`` (the first page is enough) or ``passed`` (followed elsewhere)."""
        parent = self.facts.parent(node)
        if isinstance(parent, cst.Await) or (
            isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.Or) and parent.left is node
        ):
            return "passed"
        if isinstance(parent, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.NamedExpr)):
            targets = parent.targets if isinstance(parent, cst.Assign) else [parent]
            named = all(isinstance(t.target, cst.Name) for t in targets)
            return "passed" if named else "whole"
        if isinstance(parent, cst.Arg):
            call = self.facts.parent(parent)
            found = self.value(call)
            if (found is not None and found.kind == LIST) or method_call(call, "extend") is not None:
                return "passed"
            if isinstance(call, cst.Call) and dotted_name(call.func) == "bool":
                return "first"
            return "whole"
        if isinstance(parent, (cst.Return, cst.Yield)):
            function = enclosing_function(self.facts, parent)
            if isinstance(function, cst.FunctionDef) and self.calls_of(function):
                return "passed"
            return "whole"
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return "first" if _first_page_index(parent) else "whole"
        if isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is node:
            return "first"
        if isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.And) and parent.left is node:
            return "first"
        if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
            return "first"
        if isinstance(parent, cst.Attribute):
            return "whole"
        return "whole"

    # -- pagination ----------------------------------------------------------------------------------
    def follows_next(self, origin: ListCall) -> bool:
        """The answer's ``next`` link is read: ``body["next"]``, ``body.get("next")``, ``"next" in body``."""
        return any(
            read.key == "next" and read.value.kind in (BODY, RESPONSE) for read in self.reads_from(origin)
        )

    def loop_of(self, call: cst.Call) -> Optional[cst.CSTNode]:
        """The loop (or comprehension) that sends the request again, if any, within its function.
        A ``for`` loop's iterable, and a comprehension's first one, are evaluated once."""
        child: cst.CSTNode = call
        for ancestor in self.facts.ancestors(call):
            if isinstance(ancestor, _SCOPE_NODES):
                return None
            if isinstance(ancestor, cst.While) or (isinstance(ancestor, cst.For) and ancestor.iter is not child):
                return ancestor
            if isinstance(ancestor, _COMPREHENSIONS) and not (
                child is ancestor.for_in and self._inside(call, ancestor.for_in.iter)
            ):
                return ancestor
            child = ancestor
        return None

    def _inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.facts.ancestors(node))

    def misses_pages(self, origin: ListCall) -> bool:
        """Whether the code reads every image of one v2 answer that may not hold them all: it reads
        the whole list, does not page, and does not ask for a page size of at most 25."""
        first_page_enough = origin.limit is not None and 0 < origin.limit <= V2_PAGE_SIZE
        return not first_page_enough and self.reads_whole_list(origin) and not self.is_paginated(origin)

    def is_paginated(self, origin: ListCall) -> bool:
        """Follows ``next``, sends a ``marker``, or runs in a loop that pages (marker, ``next``, ``limit``)."""
        if self.follows_next(origin) or "marker" in origin.filter_keys:
            return True
        loop = self.loop_of(origin.call)
        if loop is None:
            return False
        return "limit" in origin.filter_keys or pages_in_loop(self.facts, self.evaluator, loop)


def pages_in_loop(facts: ModuleFacts, evaluator: Evaluator, loop: cst.CSTNode) -> bool:
    """A loop that updates a marker (``marker = ...``, ``params["marker"] = ...``,
    ``params.update(marker=...)``) or reads a ``next`` link."""
    found = False

    class _Visitor(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            if "marker" in node.value.lower() and is_store(facts, node):
                found = True

        def visit_Subscript(self, node: cst.Subscript) -> None:
            nonlocal found
            index = subscript_index(node)
            key = _literal(evaluator, index) if index is not None else None
            if key == "next" or (key == "marker" and is_store(facts, node)):
                found = True

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            args = positional(node)
            if method_call(node, "get") is not None and args and _literal(evaluator, args[0].value) == "next":
                found = True
            if method_call(node, "update") is not None:
                if keyword(node, "marker") is not None:
                    found = True
                model = evaluator.mapping(args[0].value) if args else None
                if model is not None and any(entry.key == "marker" for entry in model.entries):
                    found = True

    loop.visit(_Visitor())
    return found


def _literal(evaluator: Evaluator, node: cst.CSTNode) -> Optional[str]:
    template = evaluator.evaluate(node)
    return template.text if template is not None and template.is_literal else None


def _is_empty_list(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.List):
        return not node.elements
    return isinstance(node, cst.Call) and dotted_name(node.func) == "list" and not node.args


def _first_page_index(node: cst.Subscript) -> bool:
    """``images[0]`` or ``images[:n]`` with n at most a page: the first page holds them."""
    index = subscript_index(node)
    if index is not None:
        return isinstance(index, cst.Integer) and index.evaluated_value == 0
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice):
        return False
    part = node.slice[0].slice
    lower_ok = part.lower is None or (isinstance(part.lower, cst.Integer) and part.lower.evaluated_value == 0)
    upper = part.upper
    if not lower_ok or part.step is not None or not isinstance(upper, cst.Integer):
        return False
    return 0 <= upper.evaluated_value <= V2_PAGE_SIZE


# -- one analysis per file -------------------------------------------------------------------------------

_PER_FILE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def for_context(ctx) -> Optional[ResponseFlow]:
    """The flow of every image list call of the file (None when there is none), computed once."""
    if ctx in _PER_FILE:
        return _PER_FILE[ctx]
    calls = list_calls_of_sites(ctx.sites, ctx.evaluator)
    if "v2" in ctx.text:
        calls += find_v2_list_calls(ctx.facts, ctx.evaluator)
    flow = ResponseFlow(ctx.facts, ctx.evaluator, calls) if calls else None
    _PER_FILE[ctx] = flow
    return flow
