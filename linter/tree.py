"""One traversal of a module that records what the analyses need.

Instead of libcst's metadata providers (a deep copy plus one pass per provider, several times the
cost of parsing), a single walk records: each node's parent and visit order, the scopes with
their name bindings, keys set one at a time on dictionaries, and the leaves a string template
can start from (literals and names used as values).

The walk is not libcst's visitor: ``CSTNode.visit`` rebuilds every node it passes (its
``_visit_and_replace_children`` constructs and validates a copy), which cost as much as parsing.
Here each node's children are read from its fields in the order libcst's visitor visits them
(``_child_fields``: read once per node class from that method's source, so the visit order, and
with it every ``order`` and ``seq``, is libcst's own), and whitespace, comment and punctuation
nodes, which no analysis looks at, are neither recorded nor entered (``_SKIPPED``).
"""
from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst
from libcst._nodes.base import CSTNode

MODULE, CLASS, FUNCTION = "module", "class", "function"

# How a name got its value. Only ASSIGN/AUGASSIGN values are followed; the rest are runtime values.
ASSIGN, AUGASSIGN, PARAM, IMPORT, OTHER = "assign", "augassign", "param", "import", "other"
UNPACK = "unpack"  # ``a, b = value``: element ``index`` of ``value``


@dataclass(eq=False)
class Scope:
    node: cst.CSTNode
    kind: str
    parent: Optional["Scope"]
    bindings: Dict[str, List["Binding"]] = field(default_factory=dict)
    # For a class: attributes set on ``self`` in its methods, by name.
    instance_bindings: Dict[str, List["Binding"]] = field(default_factory=dict)

    def bind(self, binding: "Binding") -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


@dataclass(eq=False)
class Binding:
    name: str
    seq: int
    kind: str
    scope: Scope
    value: Optional[cst.BaseExpression] = None
    statement: Optional[cst.CSTNode] = None
    # For imports: (module, imported name, relative level).
    imported: Optional[Tuple[str, str, int]] = None
    index: Optional[int] = None  # for UNPACK: which element of ``value``


@dataclass(eq=False)
class KeyAssignment:
    """``name[key] = value`` or ``name.update(...)`` applied to a dictionary held in a name."""

    seq: int
    statement: cst.CSTNode
    key: Optional[cst.BaseExpression]  # None for ``update``
    value: cst.BaseExpression  # the assigned value, or the ``update`` call


@dataclass(eq=False)
class ModuleFacts:
    module: cst.Module
    parents: Dict[cst.CSTNode, cst.CSTNode]
    order: Dict[cst.CSTNode, int]
    scope_of: Dict[cst.CSTNode, Scope]
    module_scope: Scope
    string_leaves: List[cst.CSTNode]
    name_leaves: List[cst.CSTNode]
    key_assignments: Dict[Tuple[Scope, str], List[KeyAssignment]]
    name_loads: Dict[Tuple[Scope, str], int]
    scopes_by_node: Dict[cst.CSTNode, Scope]
    names: Dict[str, List[cst.Name]]  # every Name node, by identifier
    ends: Dict[cst.CSTNode, int] = field(default_factory=dict)  # the order of each node's last descendant
    _nodes: Optional[List[cst.CSTNode]] = None  # every node in visit order, made when first needed

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def subtree(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        """``node`` and every (recorded) node below it, in source order (a slice of the visit order)."""
        if self._nodes is None:
            self._nodes = list(self.order)
        return self._nodes[self.order[node] - 1 : self.ends[node]]

    def ancestors(self, node: cst.CSTNode):
        node = self.parents.get(node)
        while node is not None:
            yield node
            node = self.parents.get(node)


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _all_subclasses(base: type) -> List[type]:
    found, pending = [], [base]
    while pending:
        for klass in pending.pop().__subclasses__():
            found.append(klass)
            pending.append(klass)
    return found


def _hash_nodes_in_c() -> None:
    """libcst hashes a node by its identity (``CSTNode.__hash__`` returns ``id(self)``, and
    ``__eq__`` is ``is``) in a Python method, which every dictionary keyed by nodes here calls:
    nine million calls in a cold run of the cloud corpus, 6 % of it. ``object.__hash__`` is the
    same identity hash, in C."""
    python_hash = CSTNode.__dict__["__hash__"]
    for klass in (CSTNode, *_all_subclasses(CSTNode)):
        if klass.__dict__.get("__hash__") is python_hash:
            klass.__hash__ = object.__hash__


_hash_nodes_in_c()


def kinds(*classes: type) -> FrozenSet[type]:
    """The node classes and all their subclasses: ``type(node) in kinds(...)`` answers
    ``isinstance(node, classes)`` for hot loops. libcst's nodes are abstract-base-class instances,
    so an ``isinstance`` that fails runs ``ABCMeta.__instancecheck__``: about 20 times a set lookup."""
    return frozenset(klass for base in classes for klass in (base, *_all_subclasses(base)))


_VALUE_PARENTS = kinds(
    cst.Arg,
    cst.BinaryOperation,
    cst.FormattedStringExpression,
    cst.Element,
    cst.DictElement,
    cst.Return,
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
)


def _is_target(parent: cst.CSTNode, node: cst.CSTNode) -> bool:
    """An assignment target or a keyword argument's name: not a use of a value."""
    if isinstance(parent, cst.Arg):
        return parent.keyword is node
    return isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node


# The walk does not recurse, but libcst's codegen (positions, fixes) does, one level of Python
# frames per tree level or more: deeper trees are refused as libcst's recursive visitor used to
# refuse them (``RecursionError``: the engine reports "too deeply nested to analyse").
MAX_DEPTH = 290


class _Collector:
    def __init__(self, module: cst.Module) -> None:
        self.parents: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.order: Dict[cst.CSTNode, int] = {}
        self.ends: Dict[cst.CSTNode, int] = {}
        self.scope_of: Dict[cst.CSTNode, Scope] = {}
        self.parent: Optional[cst.CSTNode] = None  # the parent of the node being recorded
        self.module_scope = Scope(module, MODULE, None)
        self.string_leaves: List[cst.CSTNode] = []
        self.name_leaves: List[cst.CSTNode] = []
        self.key_assignments: Dict[Tuple[Scope, str], List[KeyAssignment]] = {}
        self.name_loads: Dict[Tuple[Scope, str], int] = {}
        self.scopes_by_node: Dict[cst.CSTNode, Scope] = {module: self.module_scope}
        self.names: Dict[str, List[cst.Name]] = {}
        self.counter = 0
        self._opened: Optional[Scope] = None  # a scope the handler of the current node opened

    # -- the walk --------------------------------------------------------------------------------
    def walk(self, root: cst.CSTNode) -> None:
        """Records every node below ``root`` (itself included) in libcst's visit order."""
        order, parents, scope_of, ends = self.order, self.parents, self.scope_of, self.ends
        handlers, recorded = _HANDLERS, _RECORDED
        pending: list = [(root, None, self.module_scope, 0)]
        pop, push = pending.pop, pending.append
        while pending:
            entry = pop()
            if type(entry) is not tuple:  # the end of a node's subtree
                ends[entry] = self.counter
                continue
            node, parent, scope, depth = entry
            if depth > MAX_DEPTH:
                raise RecursionError(f"a tree more than {MAX_DEPTH} levels deep")
            self.counter += 1
            order[node] = self.counter
            if parent is not None:
                parents[node] = parent
            scope_of[node] = scope
            kind = type(node)
            handler = handlers.get(kind)
            if handler is not None:
                self.parent = parent
                self._opened = None
                handler(self, node, scope)
                if self._opened is not None:
                    scope = self._opened
            push(node)
            children = []
            for name in _child_fields(kind):
                value = getattr(node, name)
                if type(value) is tuple or type(value) is list:
                    children.extend(child for child in value if type(child) in recorded)
                elif type(value) in recorded:
                    children.append(value)
            depth += 1
            for child in reversed(children):
                push((child, node, scope, depth))

    # -- scopes ----------------------------------------------------------------
    def _enter_scope(self, node: cst.CSTNode, kind: str, scope: Scope) -> Scope:
        new = Scope(node, kind, scope)
        self._opened = new  # the node's descendants are in it
        self.scopes_by_node[node] = new
        return new

    def _function(self, node: cst.FunctionDef, scope: Scope) -> None:
        scope.bind(Binding(node.name.value, self.counter, OTHER, scope, statement=node))
        inner = self._enter_scope(node, FUNCTION, scope)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            inner.bind(Binding(param.name.value, self.counter, PARAM, inner, statement=param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                inner.bind(Binding(star.name.value, self.counter, PARAM, inner, statement=star))

    def _lambda(self, node: cst.Lambda, scope: Scope) -> None:
        inner = self._enter_scope(node, FUNCTION, scope)
        for param in node.params.params:
            inner.bind(Binding(param.name.value, self.counter, PARAM, inner, statement=param))

    def _class(self, node: cst.ClassDef, scope: Scope) -> None:
        scope.bind(Binding(node.name.value, self.counter, OTHER, scope, statement=node))
        self._enter_scope(node, CLASS, scope)

    # -- bindings ----------------------------------------------------------------
    def _bind_target(self, target: cst.BaseExpression, kind: str, value, statement, scope: Scope) -> None:
        if isinstance(target, cst.Name):
            scope.bind(Binding(target.value, self.counter, kind, scope, value, statement))
        elif isinstance(target, (cst.Tuple, cst.List)):
            starred = any(isinstance(element, cst.StarredElement) for element in target.elements)
            for number, element in enumerate(target.elements):
                if kind == ASSIGN and value is not None and not starred and isinstance(element.value, cst.Name):
                    name = element.value.value
                    scope.bind(Binding(name, self.counter, UNPACK, scope, value, statement, index=number))
                    continue
                self._bind_target(element.value, OTHER, None, statement, scope)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, OTHER, None, statement, scope)
        elif isinstance(target, cst.Attribute):
            self._bind_self_attribute(target, kind, value, statement, scope)
        elif isinstance(target, cst.Subscript) and kind == ASSIGN:
            self._record_key_assignment(target, value, statement, scope)

    def _bind_self_attribute(self, target: cst.Attribute, kind, value, statement, scope: Scope) -> None:
        if not (isinstance(target.value, cst.Name) and target.value.value == "self"):
            return
        if scope.kind == FUNCTION and scope.parent is not None and scope.parent.kind == CLASS:
            owner = scope.parent
            binding = Binding(target.attr.value, self.counter, kind, owner, value, statement)
            owner.instance_bindings.setdefault(target.attr.value, []).append(binding)

    def _record_key_assignment(self, target: cst.Subscript, value, statement, scope: Scope) -> None:
        if not isinstance(target.value, cst.Name) or len(target.slice) != 1:
            return
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            key = (scope, target.value.value)
            self.key_assignments.setdefault(key, []).append(
                KeyAssignment(self.counter, statement, index.value, value)
            )

    def _assign(self, node: cst.Assign, scope: Scope) -> None:
        for target in node.targets:
            self._bind_target(target.target, ASSIGN, node.value, node, scope)

    def _ann_assign(self, node: cst.AnnAssign, scope: Scope) -> None:
        if node.value is not None:
            self._bind_target(node.target, ASSIGN, node.value, node, scope)

    def _aug_assign(self, node: cst.AugAssign, scope: Scope) -> None:
        kind = AUGASSIGN if isinstance(node.operator, cst.AddAssign) else OTHER
        self._bind_target(node.target, kind, node.value, node, scope)

    def _named_expr(self, node: cst.NamedExpr, scope: Scope) -> None:
        self._bind_target(node.target, ASSIGN, node.value, node, scope)

    def _for(self, node, scope: Scope) -> None:
        self._bind_target(node.target, OTHER, None, node, scope)

    def _as_name(self, node: cst.AsName, scope: Scope) -> None:
        parent = self.parent
        if isinstance(parent, cst.WithItem):  # ``with Client(...) as c``: c is (usually) the client
            self._bind_target(node.name, ASSIGN, parent.item, parent, scope)
        elif isinstance(parent, cst.ExceptHandler):
            self._bind_target(node.name, OTHER, None, parent, scope)

    def _import(self, node: cst.Import, scope: Scope) -> None:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                name = alias.asname.name.value
            else:
                name = module.split(".")[0]
            scope.bind(Binding(name, self.counter, IMPORT, scope, statement=node, imported=(module, "", 0)))

    def _import_from(self, node: cst.ImportFrom, scope: Scope) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        for alias in node.names:
            original = dotted_name(alias.name) or ""
            name = original
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                name = alias.asname.name.value
            scope.bind(
                Binding(name, self.counter, IMPORT, scope, statement=node, imported=(module or "", original, level))
            )

    def _expr_statement(self, node: cst.Expr, scope: Scope) -> None:
        # ``name.update({...})`` on a dictionary held in a name.
        call = node.value
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "update"
            and isinstance(call.func.value, cst.Name)
        ):
            key = (scope, call.func.value.value)
            self.key_assignments.setdefault(key, []).append(KeyAssignment(self.counter, node, None, call))

    # -- leaves ------------------------------------------------------------------
    def _string(self, node: cst.CSTNode, scope: Scope) -> None:
        self.string_leaves.append(node)

    def _name(self, node: cst.Name, scope: Scope) -> None:
        self.names.setdefault(node.value, []).append(node)
        parent = self.parent
        if type(parent) is cst.Attribute and parent.attr is node:
            return
        if type(parent) in _VALUE_PARENTS and not _is_target(parent, node):
            self.name_leaves.append(node)
        key = (scope, node.value)
        self.name_loads[key] = self.name_loads.get(key, 0) + 1

    def _attribute(self, node: cst.Attribute, scope: Scope) -> None:
        parent = self.parent
        if type(parent) in _VALUE_PARENTS and not _is_target(parent, node):
            self.name_leaves.append(node)


_HANDLERS = {
    cst.FunctionDef: _Collector._function,
    cst.Lambda: _Collector._lambda,
    cst.ClassDef: _Collector._class,
    cst.Assign: _Collector._assign,
    cst.AnnAssign: _Collector._ann_assign,
    cst.AugAssign: _Collector._aug_assign,
    cst.NamedExpr: _Collector._named_expr,
    cst.For: _Collector._for,
    cst.CompFor: _Collector._for,
    cst.AsName: _Collector._as_name,
    cst.Import: _Collector._import,
    cst.ImportFrom: _Collector._import_from,
    cst.Expr: _Collector._expr_statement,
    cst.SimpleString: _Collector._string,
    cst.FormattedString: _Collector._string,
    cst.Name: _Collector._name,
    cst.Attribute: _Collector._attribute,
}


# Nodes no analysis looks at: whitespace, comments and punctuation, operators (read through their
# parent's ``operator`` field). They are neither recorded nor entered.
_SKIPPED = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline,
    cst.Comment, cst.Comma, cst.Semicolon, cst.Colon, cst.Dot, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.AssignEqual,
    cst.ImportStar, cst.ParamSlash, cst.ParamStar,
    *(operator for base in (cst.BaseBinaryOp, cst.BaseAugOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp)
      for operator in _all_subclasses(base)),
})

_RECORDED = kinds(CSTNode) - _SKIPPED

_VISIT_HELPERS = frozenset({"visit_required", "visit_optional", "visit_sequence", "visit_body_sequence",
                            "visit_sentinel", "visit_iterable", "visit_body_iterable"})
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _child_fields(kind: type) -> Tuple[str, ...]:
    """The fields of a node class holding children, in the order libcst's visitor visits them:
    read from the source of its ``_visit_and_replace_children``, where each child is visited by a
    ``visit_*(self, "field", ...)`` helper (once per class)."""
    found = _FIELDS.get(kind)
    if found is None:
        owner = next(klass for klass in kind.__mro__ if "_visit_and_replace_children" in klass.__dict__)
        source = textwrap.dedent(inspect.getsource(owner.__dict__["_visit_and_replace_children"]))
        calls = [
            node for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in _VISIT_HELPERS
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
        ]
        calls.sort(key=lambda node: (node.lineno, node.col_offset))
        found = tuple(dict.fromkeys(call.args[1].value for call in calls))
        _FIELDS[kind] = found
    return found


def collect(module: cst.Module) -> ModuleFacts:
    collector = _Collector(module)
    collector.walk(module)
    return ModuleFacts(
        module=module,
        parents=collector.parents,
        order=collector.order,
        scope_of=collector.scope_of,
        module_scope=collector.module_scope,
        string_leaves=collector.string_leaves,
        name_leaves=collector.name_leaves,
        key_assignments=collector.key_assignments,
        name_loads=collector.name_loads,
        scopes_by_node=collector.scopes_by_node,
        names=collector.names,
        ends=collector.ends,
    )
