"""Which function a call runs and which classes a class inherits from, in the module or in the
project's other modules (through the import resolver).

Only definitions imslint can read count: a function or class of the scanned code. The answers are
used to follow a project's own wrappers and helpers and to read class attributes through base
classes; code of another module is read, never edited (its templates are detached).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Set, Tuple

import libcst as cst

from .tree import CLASS, FUNCTION, IMPORT, Binding, Scope, dotted_name

MAX_BASES = 8  # classes followed up an inheritance chain
MAX_RELAYS = 3  # re-exports followed to a function (``from .urls import image_url`` in an ``__init__``)


@dataclass(frozen=True)
class Callee:
    function: cst.FunctionDef
    evaluator: object  # the Evaluator of the module that defines it
    bound: bool  # called as a method of an instance or class: its first parameter is not passed

    @property
    def facts(self):
        return self.evaluator.facts


def enclosing_class(facts, node: cst.CSTNode) -> Optional[Scope]:
    """The class whose method (or nested function of a method) ``node`` is in."""
    scope = facts.scope_of.get(node)
    while scope is not None:
        if scope.kind == CLASS:
            return scope
        scope = scope.parent
    return None


def _class_binding(evaluator, binding: Optional[Binding], local: bool = False) -> Optional[Tuple[Scope, object]]:
    if binding is None:
        return None
    if isinstance(binding.statement, cst.ClassDef):
        scope = evaluator.facts.scopes_by_node.get(binding.statement)
        return (scope, evaluator) if scope is not None else None
    if not local and binding.kind == IMPORT and getattr(evaluator.resolve_import, "locate", None) is not None:
        return _imported_class(evaluator, binding, None)
    return None


def _imported_class(evaluator, binding: Binding, attribute: Optional[str]) -> Optional[Tuple[Scope, object]]:
    located = evaluator.resolve_import.locate(binding, attribute)
    if located is None or located[0] is None or located[1] is None:
        return None
    other, name = located
    for candidate in other.facts.module_scope.bindings.get(name, [])[::-1]:
        found = _class_binding(other, candidate) if candidate.kind != IMPORT or candidate is not binding else None
        if found is not None:
            return found
    return None


def class_of_expression(evaluator, node: cst.CSTNode, local: bool = False) -> Optional[Tuple[Scope, object]]:
    """The class a base-class expression (``Base``, ``module.Base``) names (``local``: of this module only)."""
    if isinstance(node, cst.Name):
        return _class_binding(evaluator, evaluator.lookup(node), local)
    if not local and isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        binding = evaluator.lookup(node.value)
        if binding is not None and binding.kind == IMPORT and getattr(evaluator.resolve_import, "locate", None):
            return _imported_class(evaluator, binding, node.attr.value)
    return None


def class_chain(evaluator, scope: Scope, local: bool = False) -> List[Tuple[Scope, object]]:
    """The class and the classes it inherits from (breadth first, as far as they can be read;
    ``local``: those of this module only). Kept by the evaluator: every ``self.method(...)``
    of a class asks again, and each base may be another module's."""
    known = getattr(evaluator, "chains", None)
    if known is not None and (scope, local) in known:
        return known[(scope, local)]
    chain: List[Tuple[Scope, object]] = []
    seen: Set[int] = set()
    pending = [(scope, evaluator)]
    while pending and len(chain) < MAX_BASES:
        current, owner = pending.pop(0)
        if id(current.node) in seen:
            continue
        seen.add(id(current.node))
        chain.append((current, owner))
        node = current.node
        if isinstance(node, cst.ClassDef):
            for base in node.bases:
                found = class_of_expression(owner, base.value, local)
                if found is not None:
                    pending.append(found)
    if known is not None:
        known[(scope, local)] = chain
    return chain


def class_attribute(evaluator, scope: Scope, name: str, local: bool = False) -> Optional[Tuple[Binding, object]]:
    """The binding of class attribute ``name`` on the class or its bases, with its module's evaluator."""
    for current, owner in class_chain(evaluator, scope, local):
        bindings = current.bindings.get(name)
        if bindings:
            return bindings[-1], owner
    return None


def base_names(evaluator, scope: Scope) -> List[str]:
    """The dotted names of the classes a class inherits from, as written, up the readable chain."""
    names = []
    for current, _ in class_chain(evaluator, scope):
        node = current.node
        if isinstance(node, cst.ClassDef):
            names.extend(dotted_name(base.value) or "" for base in node.bases)
    return [name for name in names if name]


def _method_in(evaluator, scope: Scope, name: str, local: bool = False) -> Optional[Tuple[cst.FunctionDef, object]]:
    found = class_attribute(evaluator, scope, name, local)
    if found is None:
        return None
    binding, owner = found
    if isinstance(binding.statement, cst.FunctionDef):
        return binding.statement, owner
    return None


def function_of(evaluator, func: cst.CSTNode, local: bool = False, one_return: bool = False,
                from_parameters: bool = False) -> Optional[Callee]:
    """The function a call's ``func`` runs: ``helper``, ``self.method``, ``cls.method``,
    ``super().method``, ``Class.method``, or an imported project function (unless ``local``:
    then only what this module defines, which costs no other module's parse). ``one_return``:
    the caller wants only a function whose body is one ``return`` (``evaluate._single_return``),
    and ``from_parameters`` one that returns something made of its parameters, so an imported
    function that cannot be one is not loaded (the answer may then be None)."""
    facts = evaluator.facts
    if isinstance(func, cst.Name):
        binding = evaluator.lookup(func)
        if binding is None:
            return None
        if isinstance(binding.statement, cst.FunctionDef):
            return Callee(binding.statement, evaluator, False)
        return None if local else _imported_function(evaluator, binding, None, one_return, from_parameters)
    if not isinstance(func, cst.Attribute):
        return None
    name = func.attr.value
    receiver = func.value
    if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
        owner = enclosing_class(facts, func)
        found = _method_in(evaluator, owner, name, local) if owner is not None else None
        return Callee(found[0], found[1], True) if found else None
    if isinstance(receiver, cst.Call) and dotted_name(receiver.func) == "super":
        owner = enclosing_class(facts, func)
        if owner is None:
            return None
        for current, module_evaluator in class_chain(evaluator, owner, local)[1:]:
            bindings = current.bindings.get(name)
            if bindings and isinstance(bindings[-1].statement, cst.FunctionDef):
                return Callee(bindings[-1].statement, module_evaluator, True)
        return None
    if isinstance(receiver, cst.Name):
        klass = _class_binding(evaluator, evaluator.lookup(receiver), local)
        if klass is not None:
            found = _method_in(klass[1], klass[0], name, local)
            if found is not None:
                decorators = {dotted_name(d.decorator) for d in found[0].decorators}
                return Callee(found[0], found[1], "classmethod" in decorators)
        binding = evaluator.lookup(receiver)
        if not local and binding is not None:
            return _imported_function(evaluator, binding, name, one_return, from_parameters)  # ``module.function(...)``
    return None


def _imported_function(evaluator, binding: Binding, attribute: Optional[str], one_return: bool,
                       from_parameters: bool, relays: int = 0) -> Optional[Callee]:
    """The function an imported name (or ``module.attribute``) is, in the project's other module
    (through re-exports: ``from .urls import image_url`` in a package's ``__init__``)."""
    if binding.kind != IMPORT or getattr(evaluator.resolve_import, "locate", None) is None:
        return None
    located = evaluator.resolve_import.locate(binding, attribute, one_return=one_return, from_parameters=from_parameters)
    if not located or located[0] is None or located[1] is None:
        return None
    other, name = located
    for candidate in other.facts.module_scope.bindings.get(name, [])[::-1]:
        if isinstance(candidate.statement, cst.FunctionDef):
            return Callee(candidate.statement, other, False)
        if candidate.kind == IMPORT and candidate is not binding and relays < MAX_RELAYS:
            found = _imported_function(other, candidate, None, one_return, from_parameters, relays + 1)
            if found is not None:
                return found
    return None


def is_method(facts, function: cst.FunctionDef) -> bool:
    scope = facts.scopes_by_node.get(function)
    if scope is None or scope.parent is None or scope.parent.kind != CLASS:
        return False
    return not any(dotted_name(d.decorator) == "staticmethod" for d in function.decorators)


def parameter_for(callee: Callee, call: cst.Call, arg: cst.Arg) -> Optional[cst.Param]:
    """The parameter of the callee that receives ``arg`` of ``call`` (None: a ``*args`` / ``**kw`` or no match)."""
    function = callee.function
    params = function.params
    if arg.keyword is not None:
        for param in (*params.params, *params.kwonly_params):
            if param.name.value == arg.keyword.value:
                return param
        return None
    if arg.star:
        return None
    ordered = [*params.posonly_params, *params.params]
    skip = 1 if (callee.bound and is_method(callee.facts, function)) else 0
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in positional[: positional.index(arg)] if a is not arg):
        return None
    index = positional.index(arg) + skip
    return ordered[index] if index < len(ordered) else None


def argument_for(callee: Callee, call: cst.Call, param: cst.Param) -> Optional[cst.BaseExpression]:
    """The expression ``call`` passes for ``param`` (its default when none is passed)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param.name.value:
            return arg.value
    params = callee.function.params
    ordered = [*params.posonly_params, *params.params]
    if param in ordered:
        skip = 1 if (callee.bound and is_method(callee.facts, callee.function)) else 0
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star for a in positional):
            return None
        index = ordered.index(param) - skip
        if 0 <= index < len(positional):
            return positional[index].value
    return param.default


def parameter_binding(facts, function: cst.FunctionDef, param: cst.Param) -> Optional[Binding]:
    scope = facts.scopes_by_node.get(function)
    if scope is None or scope.kind != FUNCTION:
        return None
    for binding in scope.bindings.get(param.name.value, []):
        if binding.statement is param:
            return binding
    return None
