"""Follows a URL through a project's own wrappers to the call that finally sends it.

``self._send("POST", "/v1/images")`` runs ``_send(self, verb, path)``, which calls
``requests.request(verb, self.endpoint + path)``: the URL parameter reaches a client call, whose
method is the wrapper's ``verb`` parameter, which this call sets to ``"POST"``. Each step is a
``Hop``: the call, the argument holding the URL, what the call is (``calls.classify``), and the
URL as that call sends it (the outer value put in for the parameter). Wrappers are followed in the
module and in the project's other modules (``resolve.function_of``), a few levels deep.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..calls import FILESYSTEM, MESSAGE, REQUEST, ROUTE, STRING_OPERATION, TEST_DOUBLE, WRAPPER, CallSite, callee_name, classify
from ..resolve import Callee, function_of, parameter_binding, parameter_for
from ..strings import Lit, Template
from ..tree import Binding

MAX_HOPS = 4
SENTINEL = "\x01"  # stands for the followed parameter while looking for where it goes
_SENTINEL = Template((Lit(SENTINEL),))
_IGNORED = (MESSAGE, STRING_OPERATION, FILESYSTEM, ROUTE)


@dataclass(eq=False)
class Hop:
    call: cst.Call
    arg: cst.Arg
    site: CallSite
    evaluator: object  # evaluates this hop's expressions (parameters bound for hops after the first)
    url: Optional[Template]  # the URL as this call sends it
    callee: Optional[Callee] = None  # the wrapper this call runs, when it was followed


@dataclass(eq=False)
class Delivery:
    """The calls a URL goes through, outermost first; ``others`` are further sending calls of the
    same wrapper (a wrapper that sends the URL twice, or by method)."""

    hops: List[Hop]
    others: List[Hop] = field(default_factory=list)

    @property
    def first(self) -> Hop:
        return self.hops[0]

    @property
    def last(self) -> Hop:
        return self.hops[-1]

    @property
    def followed(self) -> bool:
        return len(self.hops) > 1


# The (call, argument) pairs inside a function that a parameter's value reaches.
_Targets = List[Tuple[cst.Call, cst.Arg]]


class WrapperIndex:
    """Where each wrapper parameter goes, computed once per (function, parameter)."""

    def __init__(self) -> None:
        self._targets: Dict[Tuple[cst.CSTNode, str], _Targets] = {}

    def targets(self, callee: Callee, param: cst.Param) -> _Targets:
        key = (callee.function, param.name.value)
        if key not in self._targets:
            self._targets[key] = []  # a recursive wrapper reaches nothing new
            self._targets[key] = _find_targets(callee, param)
        return self._targets[key]


def _find_targets(callee: Callee, param: cst.Param) -> _Targets:
    binding = parameter_binding(callee.facts, callee.function, param)
    if binding is None:
        return []
    probe = callee.evaluator.with_env({binding: _SENTINEL})
    found: _Targets = []
    for node in callee.facts.subtree(callee.function.body):
        if not isinstance(node, cst.Call):
            continue
        for arg in node.args:
            if arg.star:
                continue
            template = probe.evaluate(arg.value)
            if template is not None and SENTINEL in template.text:
                found.append((node, arg))
                break
    return found


def follow(site: CallSite, arg: cst.Arg, evaluator, url: Optional[Template], index: WrapperIndex) -> Delivery:
    """The delivery of ``url`` passed as ``arg`` of ``site.call``."""
    first = Hop(site.call, arg, site, evaluator, url)
    hops = [first]
    others: List[Hop] = []
    seen = set()
    current = first
    while current.site.kind == WRAPPER and len(hops) < MAX_HOPS:
        callee = function_of(current.evaluator, current.call.func)
        if callee is None or id(callee.function) in seen:
            break
        seen.add(id(callee.function))
        param = parameter_for(callee, current.call, current.arg)
        if param is None:
            break
        current.callee = callee
        env = _environment(callee, current)
        inner_evaluator = callee.evaluator.with_env(env)
        candidates = []
        for call, inner_arg in index.targets(callee, param):
            inner_site = classify(call, inner_arg, isinstance(callee.facts.parent(call), cst.Decorator))
            if inner_site.kind in _IGNORED:
                continue
            inner_url = inner_evaluator.evaluate(inner_arg.value)
            candidates.append(Hop(call, inner_arg, inner_site, inner_evaluator, inner_url))
        if not candidates:
            break
        # A client call or a double first, then a further wrapper.
        candidates.sort(key=lambda hop: 0 if hop.site.kind in (REQUEST, TEST_DOUBLE) else 1)
        hops.append(candidates[0])
        others.extend(candidates[1:])
        current = candidates[0]
    return Delivery(hops, others)


def _environment(callee: Callee, hop: Hop) -> Dict[Binding, Template]:
    """The wrapper's parameters with the values this call passes (the URL's own as evaluated)."""
    from ..project import detach
    from ..resolve import argument_for

    env: Dict[Binding, Template] = {}
    params = callee.function.params
    foreign = callee.evaluator.facts is not hop.evaluator.facts
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        binding = parameter_binding(callee.facts, callee.function, param)
        if binding is None:
            continue
        argument = argument_for(callee, hop.call, param)
        if argument is None:
            continue
        if argument is param.default:
            value = callee.evaluator.evaluate(argument)
        elif argument is hop.arg.value and hop.url is not None:
            value = hop.url
        else:
            value = hop.evaluator.evaluate(argument)
        if value is not None:
            env[binding] = detach(value) if foreign else value
    return env


def method_parameter(hop: Hop) -> Optional[cst.Param]:
    """The wrapper parameter a sending call takes its method from: ``requests.request(verb, url)``."""
    call = hop.call
    name = callee_name(call.func)
    last = name.rsplit(".", 1)[-1]
    candidates = []
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if last == "request" and positional and positional[0] is not hop.arg:
        candidates.append(positional[0].value)
    elif last == "request" and len(positional) > 1:
        candidates.append(positional[1].value)
    candidates += [arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value in ("method", "verb")]
    for node in candidates:
        if isinstance(node, cst.Name):
            binding = hop.evaluator.lookup(node)
            statement = binding.statement if binding is not None else None
            if isinstance(statement, cst.Param):
                return statement
    return None


__all__ = ["Hop", "Delivery", "WrapperIndex", "follow", "method_parameter", "REQUEST", "WRAPPER", "TEST_DOUBLE"]
