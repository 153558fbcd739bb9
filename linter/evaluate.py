"""Evaluates expressions of one module to string templates and dictionaries to key lists.

Names are followed to their bindings: module, class (``self.ATTR``, ``Class.ATTR``) and function
scope, and imports through an optional project index. A value reached through a name bound in
another scope (a shared constant) is *anchored* at the use site, so a fix rewrites the use and
leaves the constant alone; a name bound in the same scope is edited where it is defined.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import libcst as cst

from .strings import (
    Lit,
    Template,
    concat,
    fstring_text,
    hole,
    join_with,
    literal,
    percent_format,
    posix_join,
    simple_string,
    source_label,
    str_format,
    url_join,
)
from .tree import ASSIGN, AUGASSIGN, CLASS, FUNCTION, IMPORT, PARAM, UNPACK, Binding, ModuleFacts, Scope, dotted_name

ImportResolver = Callable[[Binding], Optional[Template]]

_URLJOIN = ("urljoin", "parse.urljoin", "urllib.parse.urljoin")
_PATHJOIN = ("posixpath.join", "os.path.join", "path.join")
_URLENCODE = ("urlencode", "parse.urlencode", "urllib.parse.urlencode")
MAX_DEPTH = 60
MAX_HELPER_DEPTH = 3  # helpers inlined into helpers
_STRIPS = ("strip", "lstrip", "rstrip")
PROJECT_JOIN = re.compile(r"join|4url|url_for|make_url|build_url|build_path|make_path", re.I)


@dataclass
class MappingEntry:
    """One key of a dictionary: ``{"key": value}``, ``dict(key=value)`` or ``d["key"] = value``."""

    key: str
    key_node: cst.CSTNode  # SimpleString, or the keyword Name of ``dict(key=...)``
    value_node: Optional[cst.BaseExpression]


@dataclass
class MappingModel:
    entries: List[MappingEntry] = field(default_factory=list)
    opaque: List[cst.CSTNode] = field(default_factory=list)  # parts whose keys can't be read
    definition: Optional[cst.CSTNode] = None  # the dict expression the keys start from
    # Opaque parts whose key is a template with visible text (``d["property-%s" % k] = v``).
    key_templates: Dict[cst.CSTNode, Template] = field(default_factory=dict)


class Evaluator:
    def __init__(
        self,
        facts: ModuleFacts,
        resolve_import: Optional[ImportResolver] = None,
        env: Optional[Dict[Binding, Template]] = None,
        depth: int = 0,
    ) -> None:
        self.facts = facts
        self.resolve_import = resolve_import
        # Values of parameters, when a function is evaluated for one of its calls (a helper that
        # builds a URL from its arguments, a wrapper that sends one).
        self.env: Dict[Binding, Template] = env or {}
        self.depth = depth
        self._helpers: Dict[Tuple[cst.CSTNode, bool], bool] = {}
        self._builds: Dict[cst.CSTNode, bool] = {}  # functions of this module that build a string from parameters
        self._cache: Dict[cst.CSTNode, Tuple[Optional[Template], Dict[cst.CSTNode, int]]] = {}
        self._active: set = set()
        self.chains: Dict[Tuple[Scope, bool], list] = {}  # ``resolve.class_chain``'s answers
        # Choice points (a conditional expression, a name assigned in both branches of an if):
        # ``_choice`` says which option to take at each; ``_seen`` collects those met.
        self._choice: Dict[cst.CSTNode, int] = {}
        self._seen: Dict[cst.CSTNode, int] = {}

    # -- templates -------------------------------------------------------------------------------
    def evaluate(self, node: cst.CSTNode) -> Optional[Template]:
        """The template of ``node`` (first option at every choice), or None when not a string."""
        if not self._choice and node in self._cache:
            result, seen = self._cache[node]
            self._seen.update(seen)
            return result
        if node in self._active or len(self._active) > MAX_DEPTH:
            return None
        self._active.add(node)
        outer_seen, self._seen = self._seen, {}
        try:
            result = self._evaluate(node)
        except RecursionError:
            result = None
        finally:
            self._active.discard(node)
            inner_seen, self._seen = self._seen, outer_seen
            self._seen.update(inner_seen)
        if not self._choice:
            self._cache[node] = (result, inner_seen)
        return result

    def variants(self, node: cst.CSTNode, limit: int = 8) -> List[Optional[Template]]:
        """Every template ``node`` can take across its choice points (at most ``limit``)."""
        saved, self._seen = self._seen, {}
        try:
            results = [self.evaluate(node)]
            pending = [{point: option} for point, count in self._seen.items() for option in range(1, count)]
            explored = set()
            while pending and len(results) < limit:
                choice = pending.pop(0)
                key = frozenset(choice.items())
                if key in explored:
                    continue
                explored.add(key)
                self._choice, self._seen = choice, {}
                try:
                    results.append(self.evaluate(node))
                finally:
                    met, self._choice = self._seen, {}
                for point, count in met.items():
                    if point not in choice:
                        pending.extend({**choice, point: option} for option in range(1, count))
            return results
        finally:
            self._seen = saved

    def _choose(self, point: cst.CSTNode, count: int) -> int:
        self._seen[point] = count
        return self._choice.get(point, 0)

    def part(self, node: cst.CSTNode) -> Template:
        """Like ``evaluate`` but a runtime value becomes a hole."""
        result = self.evaluate(node)
        return result if result is not None else hole(node, source_label(node))

    def _evaluate(self, node: cst.CSTNode) -> Optional[Template]:
        kind = type(node)  # these node classes have no subclasses: ``is`` is ``isinstance``, and cheaper
        if kind is cst.SimpleString:
            return simple_string(node)
        if kind is cst.ConcatenatedString:
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            return concat(left, right) if left is not None and right is not None else None
        if kind is cst.FormattedString:
            return self._fstring(node)
        if kind is cst.BinaryOperation:
            return self._binary(node)
        if kind is cst.Call:
            return self._call(node)
        if kind is cst.Name:
            return self._name(node)
        if kind is cst.Attribute:
            return self._attribute(node)
        if kind is cst.IfExp:
            return self.evaluate(node.body if self._choose(node, 2) == 0 else node.orelse)
        if kind is cst.BooleanOperation and isinstance(node.operator, cst.Or):
            # ``base_path or default``: either one, as for a conditional expression
            return self.evaluate(node.left if self._choose(node, 2) == 0 else node.right)
        return None

    def _fstring(self, node: cst.FormattedString) -> Template:
        raw = "r" in node.prefix.lower()
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(fstring_text(part, raw))
            elif part.conversion is not None or part.format_spec is not None:
                parts.append(hole(part.expression, source_label(part.expression)))
            else:
                parts.append(self.part(part.expression))
        return concat(*parts)

    def _binary(self, node: cst.BinaryOperation) -> Optional[Template]:
        if isinstance(node.operator, cst.Add):
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            if left is None and right is None:
                return None
            return concat(left or self.part(node.left), right or self.part(node.right))
        if isinstance(node.operator, cst.Modulo):
            template = self.evaluate(node.left)
            if template is None:
                return None
            right = node.right
            if isinstance(right, cst.Tuple):
                return percent_format(template, [self.part(e.value) for e in right.elements], None, right)
            if isinstance(right, cst.Dict):
                named = {}
                for element in right.elements:
                    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                        key = simple_string(element.key)
                        if key is not None:
                            named[key.text] = self.part(element.value)
                return percent_format(template, None, named, right)
            return percent_format(template, [self.part(right)], None, right)
        return None

    def _call(self, node: cst.Call) -> Optional[Template]:
        func = node.func
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            template = self.evaluate(func.value)
            if template is None:
                return None
            named = {arg.keyword.value: self.part(arg.value) for arg in node.args if arg.keyword is not None}
            return str_format(template, [self.part(arg.value) for arg in positional], named, node)
        if isinstance(func, cst.Attribute) and func.attr.value == "join" and len(node.args) == 1:
            separator = self.evaluate(func.value)
            if separator is None or not separator.is_literal:
                return None
            sequence = node.args[0].value
            if not isinstance(sequence, (cst.List, cst.Tuple)):
                return hole(node, source_label(node))
            if any(isinstance(e, cst.StarredElement) for e in sequence.elements):
                return hole(node, source_label(node))
            return join_with(separator, [self._element_part(e.value, e) for e in sequence.elements])
        if isinstance(func, cst.Attribute) and func.attr.value in _STRIPS and len(positional) == len(node.args) <= 1:
            return self._strip(node, func)
        name = dotted_name(func) or ""
        if name == "str" and len(positional) == 1 == len(node.args):
            return self.evaluate(positional[0].value)
        if name.endswith(_URLJOIN) and len(positional) >= 2:
            return url_join(self.part(positional[0].value), self._element_part(positional[1].value, positional[1]))
        if name in _PATHJOIN and positional:
            return posix_join([self._element_part(arg.value, arg) for arg in positional])
        if name.endswith(_URLENCODE) and positional:
            return self.query_template(positional[0].value)
        if PROJECT_JOIN.search(name.rsplit(".", 1)[-1]) and len(positional) >= 2 and len(positional) == len(node.args):
            # A project's own segment-join helper (``path4url("images", image_id)``), when every
            # literal argument is one segment: joined with "/" like ``"/".join``.
            parts = [self._element_part(arg.value, arg) for arg in positional]
            literal_parts = [part for part in parts if part.is_literal]
            if literal_parts and all("/" not in part.text.strip("/") for part in literal_parts):
                return join_with(literal("/", separator=True), parts)
        return self._helper(node)

    def is_helper(self, call: cst.CSTNode, imported: bool = False) -> bool:
        """Whether ``call`` runs a project function that ``_helper`` inlines (one ``return``):
        of this module only, unless ``imported`` (that may load another module)."""
        from .resolve import function_of

        if not isinstance(call, cst.Call):
            return False
        key = (call, imported)
        if key not in self._helpers:
            callee = function_of(self, call.func, local=not imported, one_return=True, from_parameters=True)
            self._helpers[key] = callee is not None and _builds_from_parameters(callee)
        return self._helpers[key]

    def _strip(self, node: cst.Call, func: cst.Attribute) -> Optional[Template]:
        """``x.strip("/")``, ``x.rstrip("/")``, ``x.lstrip("/")``: the literal ends of ``x`` stripped;
        a runtime end stays a runtime value (what it holds is unknown either way)."""
        template = self.evaluate(func.value)
        if template is None:
            return None
        chars = None
        if node.args:
            argument = self.evaluate(node.args[0].value)
            if argument is None or not argument.is_literal:
                return None
            chars = argument.text
        which = func.attr.value
        pieces = list(template.pieces)
        if which in ("strip", "lstrip"):
            while pieces and isinstance(pieces[0], Lit):
                stripped = pieces[0].text.lstrip(chars)
                if stripped:
                    pieces[0] = pieces[0].slice(len(pieces[0].text) - len(stripped), len(pieces[0].text))
                    break
                pieces.pop(0)
        if which in ("strip", "rstrip"):
            while pieces and isinstance(pieces[-1], Lit):
                stripped = pieces[-1].text.rstrip(chars)
                if stripped:
                    pieces[-1] = pieces[-1].slice(0, len(stripped))
                    break
                pieces.pop()
        return Template(tuple(pieces), template.sources)

    def _helper(self, node: cst.Call) -> Optional[Template]:
        """A call of a project function whose one ``return`` builds a string from its parameters
        (``api_url(base, "/v1/images")``): the returned expression with the arguments put in.
        Text written in the helper itself is not editable here (other calls share it)."""
        from .resolve import argument_for, function_of, parameter_binding

        if self.depth >= MAX_HELPER_DEPTH:
            return None
        callee = function_of(self, node.func, one_return=True)
        if callee is None:
            return None
        returned = _single_return(callee.function)
        if returned is None:
            return None
        env = {}
        params = callee.function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            binding = parameter_binding(callee.facts, callee.function, param)
            argument = argument_for(callee, node, param)
            if binding is None or argument is None:
                continue
            value = self.evaluate(argument) if argument is not param.default else callee.evaluator.evaluate(argument)
            if value is not None:
                env[binding] = value
        inner = callee.evaluator.with_env(env)
        result = inner.evaluate(returned)
        if result is None:
            return None
        return detach_body(result, list(env.values()), callee.function.name.value).with_sources(returned)

    def _element_part(self, value: cst.CSTNode, element: cst.CSTNode) -> Template:
        """A list element or call argument; a lone literal remembers it is the whole element."""
        template = self.part(value)
        if len(template.pieces) == 1 and isinstance(template.pieces[0], Lit) and template.pieces[0].anchor is None:
            from dataclasses import replace

            return Template((replace(template.pieces[0], element=element),), template.sources)
        return template

    # -- names -------------------------------------------------------------------------------------
    def lookup(self, name: cst.Name) -> Optional[Binding]:
        use_scope = self.facts.scope_of.get(name)
        use_order = self.facts.order.get(name, 0)
        scope = use_scope
        while scope is not None:
            if scope.kind == CLASS and scope is not use_scope:
                scope = scope.parent
                continue
            bindings = scope.bindings.get(name.value)
            if bindings:
                if scope is use_scope:
                    reaching = self._reaching(name, [b for b in bindings if b.seq < use_order])
                    if len(reaching) > 1:
                        return reaching[self._choose(name, len(reaching))]
                    return reaching[0] if reaching else None
                return bindings[-1]
            scope = scope.parent
        return None

    def _reaching(self, use: cst.CSTNode, earlier: List[Binding]) -> List[Binding]:
        """The bindings that may reach ``use``: the last one, and earlier ones while the later
        ones sit in a block (an if/else branch, a loop) that does not contain the use."""
        reaching = []
        for binding in reversed(earlier):
            reaching.append(binding)
            block = self._block_of(binding.statement)
            if block is None or block is self.facts.module or any(a is block for a in self.facts.ancestors(use)):
                break
        return reaching

    def _block_of(self, statement: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
        node = statement
        while node is not None:
            node = self.facts.parent(node)
            if isinstance(node, (cst.IndentedBlock, cst.Module, cst.FunctionDef)):
                return node
        return None

    def binding_value(self, binding: Binding) -> Optional[Template]:
        if binding.kind == ASSIGN and binding.value is not None:
            value = self.evaluate(binding.value)
            return value.with_sources(binding.value) if value is not None else None
        if binding.kind == AUGASSIGN and binding.value is not None:
            # ``url += "/images/detail"``: whatever ``url`` held before (a runtime value is a hole).
            earlier = [b for b in binding.scope.bindings.get(binding.name, []) if b.seq < binding.seq]
            before = self.binding_value(earlier[-1]) if earlier else None
            if before is None:
                before = hole(earlier[-1].statement if earlier else binding.statement, binding.name)
            return concat(before, self.part(binding.value)).with_sources(binding.value)
        if binding.kind == IMPORT and self.resolve_import is not None:
            return self.resolve_import(binding)
        if binding.kind == PARAM and binding in self.env:
            return self.env[binding]
        if binding.kind == UNPACK and isinstance(binding.value, (cst.Tuple, cst.List)) and binding.index is not None:
            elements = binding.value.elements
            if binding.index < len(elements) and not any(isinstance(e, cst.StarredElement) for e in elements):
                value = self.evaluate(elements[binding.index].value)
                return value.with_sources(binding.value) if value is not None else None
        return None

    def with_env(self, env: Dict[Binding, Template]) -> "Evaluator":
        """An evaluator of the same module where the given parameters hold the given values."""
        return Evaluator(self.facts, self.resolve_import, {**self.env, **env}, self.depth + 1)

    def _name(self, node: cst.Name) -> Optional[Template]:
        binding = self.lookup(node)
        if binding is None:
            return None
        value = self.binding_value(binding)
        if value is None:
            return None
        if binding.scope is self.facts.scope_of.get(node) and binding.kind != IMPORT:
            return value
        return value.anchored(node)

    def _attribute(self, node: cst.Attribute) -> Optional[Template]:
        if node.attr.value == "value" and isinstance(node.value, cst.Attribute):
            inner = self.evaluate(node.value)  # an Enum member's value: ``Api.V1.value``
            return inner.anchored(node) if inner is not None else None
        if isinstance(node.value, cst.Name) and self.resolve_import is not None:
            binding = self.lookup(node.value)
            if binding is not None and binding.kind == IMPORT:
                value = self.resolve_import(binding, node.attr.value)
                return value.anchored(node) if value is not None else None
        owner = self._owner_class(node.value)
        if owner is None:
            return None
        name = node.attr.value
        instance = owner.instance_bindings.get(name, [])
        bindings = owner.bindings.get(name, [])
        if len(instance) > 1 or (instance and bindings):
            return None
        chosen = instance[0] if instance else (bindings[-1] if bindings else None)
        if chosen is None:
            return self._inherited(owner, name, node)
        value = self.binding_value(chosen)
        return value.anchored(node) if value is not None else None

    def _inherited(self, owner: Scope, name: str, node: cst.Attribute) -> Optional[Template]:
        """``self.X`` where a base class sets ``X`` (as a class attribute or in its methods)."""
        from .project import detach
        from .resolve import class_chain

        for scope, evaluator in class_chain(self, owner)[1:]:
            chosen = scope.bindings.get(name) or scope.instance_bindings.get(name)
            if not chosen:
                continue
            if len(chosen) > 1 and scope.instance_bindings.get(name):
                return None
            value = evaluator.binding_value(chosen[-1])
            if value is None:
                return None
            return (value if evaluator.facts is self.facts else detach(value)).anchored(node)
        return None

    def _owner_class(self, receiver: cst.CSTNode) -> Optional[Scope]:
        """The class scope ``self.X``, ``cls.X`` or ``ClassName.X`` refers to."""
        if not isinstance(receiver, cst.Name):
            return None
        if receiver.value in ("self", "cls"):
            scope = self.facts.scope_of.get(receiver)
            while scope is not None and scope.kind == FUNCTION:
                if scope.parent is not None and scope.parent.kind == CLASS:
                    return scope.parent
                scope = scope.parent
            return None
        binding = self.lookup(receiver)
        if binding is not None and isinstance(binding.statement, cst.ClassDef):
            return self.facts.scopes_by_node.get(binding.statement)
        return None

    # -- dictionaries ------------------------------------------------------------------------------
    def mapping(self, node: cst.CSTNode, use: Optional[cst.CSTNode] = None) -> Optional[MappingModel]:
        """The keys of a dictionary expression, following a name to its literal and later key sets."""
        if isinstance(node, cst.Name) and node.value == "None":
            return MappingModel(definition=node)
        if isinstance(node, cst.Dict):
            return self._dict_literal(node)
        if isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
            return self._dict_call(node)
        if isinstance(node, (cst.List, cst.Tuple)):
            return self._pairs(node)
        if isinstance(node, cst.Name):
            return self._mapping_name(node, use or node)
        return None

    def _dict_literal(self, node: cst.Dict) -> MappingModel:
        model = MappingModel(definition=node)
        for element in node.elements:
            key = self.evaluate(element.key) if isinstance(element, cst.DictElement) else None
            if key is not None and key.is_literal and isinstance(element.key, cst.SimpleString):
                model.entries.append(MappingEntry(key.text, element.key, element.value))
            else:
                model.opaque.append(element)
        return model

    def _dict_call(self, node: cst.Call) -> MappingModel:
        model = MappingModel(definition=node)
        for arg in node.args:
            if arg.keyword is not None:
                model.entries.append(MappingEntry(arg.keyword.value, arg.keyword, arg.value))
                continue
            inner = self.mapping(arg.value) if not arg.star else None
            if inner is None:
                model.opaque.append(arg)
            else:
                model.entries.extend(inner.entries)
                model.opaque.extend(inner.opaque)
        return model

    def _pairs(self, node) -> Optional[MappingModel]:
        model = MappingModel(definition=node)
        for element in node.elements:
            pair = element.value
            if (
                isinstance(pair, cst.Tuple)
                and len(pair.elements) == 2
                and isinstance(pair.elements[0].value, cst.SimpleString)
            ):
                key = simple_string(pair.elements[0].value)
                if key is not None:
                    model.entries.append(MappingEntry(key.text, pair.elements[0].value, pair.elements[1].value))
                    continue
            model.opaque.append(element)
        return model

    def _mapping_name(self, name: cst.Name, use: cst.CSTNode) -> Optional[MappingModel]:
        binding = self.lookup(name)
        if binding is None or binding.kind != ASSIGN or binding.value is None:
            return None
        if binding.value in self._active:
            return None
        self._active.add(binding.value)
        try:
            base = self.mapping(binding.value)
        finally:
            self._active.discard(binding.value)
        if base is None:
            return None
        model = MappingModel(list(base.entries), list(base.opaque), base.definition)
        use_order = self.facts.order.get(use, 0)
        same_scope = binding.scope is self.facts.scope_of.get(name)
        for change in self.facts.key_assignments.get((binding.scope, binding.name), []):
            if change.seq < binding.seq or (same_scope and change.seq > use_order):
                continue
            self._apply_key_change(model, change)
        return model

    def _apply_key_change(self, model: MappingModel, change) -> None:
        if change.key is None:  # name.update(...)
            call = change.value
            update = self._dict_call(call) if all(a.keyword is not None or not a.star for a in call.args) else None
            if update is None:
                model.opaque.append(call)
                return
            model.entries.extend(update.entries)
            model.opaque.extend(update.opaque)
            return
        key = self.evaluate(change.key)
        if key is not None and key.is_literal and isinstance(change.key, cst.SimpleString):
            model.entries.append(MappingEntry(key.text, change.key, change.value))
        else:
            model.opaque.append(change.statement)
            if key is not None and not key.is_literal:
                model.key_templates[change.statement] = key

    def query_template(self, node: cst.CSTNode) -> Template:
        """``urlencode(mapping)`` as ``k=v&k2=v2``; key pieces stay tied to their key nodes."""
        model = self.mapping(node)
        if model is None:
            return hole(node, source_label(node))
        parts: List[Template] = []
        for entry in model.entries:
            if parts:
                parts.append(literal("&", separator=True))
            key = self.evaluate(entry.key_node) if isinstance(entry.key_node, cst.SimpleString) else None
            if key is None:
                key = literal(entry.key, node=entry.key_node, raw_start=0)
            parts.append(key)
            parts.append(literal("=", separator=True))
            parts.append(self.part(entry.value_node) if entry.value_node is not None else hole(None))
        for opaque in model.opaque:
            if opaque in model.key_templates:  # ``d["property-%s" % k] = v``: its text shows
                if parts:
                    parts.append(literal("&", separator=True))
                parts += [model.key_templates[opaque], literal("=", separator=True), hole(opaque, "value")]
                continue
            parts.append(hole(opaque, source_label(opaque)))
        return concat(*parts)


def _builds_from_parameters(callee) -> bool:
    """Whether a function's one ``return`` is a string built from (some of) its parameters
    (remembered by the evaluator of the function's module)."""
    known = callee.evaluator._builds
    key = callee.function
    if key not in known:
        from .resolve import parameter_binding

        known[key] = False
        returned = _single_return(callee.function)
        if returned is not None:
            probe = Template((Lit("\x01"),))
            params = callee.function.params
            env = {}
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                binding = parameter_binding(callee.facts, callee.function, param)
                if binding is not None:
                    env[binding] = probe
            result = callee.evaluator.with_env(env).evaluate(returned)
            known[key] = result is not None and "\x01" in result.text
    return known[key]


def _single_return(function: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    """The value of a function whose body is (a docstring and) one ``return <value>``."""
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        statements = [body]
    else:
        statements = list(body.body)
    if statements and isinstance(statements[0], cst.SimpleStatementLine):
        first = statements[0].body[0] if len(statements[0].body) == 1 else None
        if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
            statements = statements[1:]
    if len(statements) != 1:
        return None
    only = statements[0]
    small = only.body if isinstance(only, cst.SimpleStatementSuite) else getattr(only, "body", None)
    if not isinstance(small, (list, tuple)) or len(small) != 1 or not isinstance(small[0], cst.Return):
        return None
    return small[0].value


def detach_body(template: Template, arguments: List[Template], helper: str) -> Template:
    """A helper's result: text that came in through its arguments keeps its nodes (the caller's
    text, editable there); the helper's own text is detached (not editable from one call)."""
    from .strings import Hole

    nodes = {id(p.node) for value in arguments for p in value.pieces if isinstance(p, Lit) and p.node is not None}
    anchors = {id(p.anchor) for value in arguments for p in value.pieces if isinstance(p, Lit) and p.anchor is not None}
    pieces = []
    for piece in template.pieces:
        if isinstance(piece, Lit):
            mine = (piece.anchor is not None and id(piece.anchor) in anchors) or (
                piece.anchor is None and piece.node is not None and id(piece.node) in nodes
            )
            pieces.append(piece if mine else Lit(piece.text, helper=piece.helper or helper))
        else:
            pieces.append(Hole(None, piece.label))
    sources = frozenset().union(*(value.sources for value in arguments)) if arguments else frozenset()
    return Template(tuple(pieces), sources)
