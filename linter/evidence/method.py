"""Which HTTP method a request site sends, from evidence only.

Signals, each with a strength (``record``): the verb a client call names (``requests.delete``,
``session.request("HEAD", url)``, ``Request(url, method=...)``, ``getattr(client, "get")``), a
literal verb in any argument or ``method=`` of any call (a project's own wrapper:
``self._send("POST", path)``), the verb a followed wrapper passes on (``wrappers``), and, weakly,
a wrapper's name (``_get``). ``decide`` takes the strongest; when they disagree, or there is
none, the method is unknown and the message says so. A path never decides its method.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import libcst as cst

from .record import EXPLICIT, STRONG, WEAK, Fact

VERBS = ("GET", "HEAD", "DELETE", "POST", "PUT", "PATCH", "OPTIONS")
_LOWER_VERBS = frozenset(verb.lower() for verb in VERBS)
METHOD_KEYWORDS = frozenset({"method", "verb", "http_method", "request_method"})


@dataclass(frozen=True)
class Signal:
    method: str
    strength: int
    reason: str


def decide(signals: Sequence[Signal]) -> Fact:
    """The method the strongest signals agree on; unknown when they disagree or there are none."""
    if not signals:
        return Fact(None, "no HTTP method in the call or the code it goes through")
    top = max(signal.strength for signal in signals)
    best = [signal for signal in signals if signal.strength == top]
    methods = sorted({signal.method for signal in best})
    if len(methods) == 1:
        return Fact(methods[0], best[0].reason, top)
    return Fact(None, "conflicting methods: " + "; ".join(f"{s.method} ({s.reason})" for s in best), top)


def verb(text: Optional[str]) -> Optional[str]:
    """``"get"`` → ``"GET"``; anything but an HTTP verb → None."""
    if text is None:
        return None
    upper = text.strip().upper()
    return upper if upper in VERBS else None


def _literal(node: cst.CSTNode, evaluate) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.Attribute) and node.attr.value.upper() in VERBS:  # responses.GET, httpretty.GET
        return node.attr.value
    template = evaluate(node) if evaluate is not None else None
    return template.text if template is not None and template.is_literal else None


def name_signals(callee: str, client: bool) -> List[Signal]:
    """The verb a callee is named for: ``session.delete`` (a client: strong), ``self.head`` (a
    verb-named method: strong), ``self._get`` / ``get_json`` (named for it: weak)."""
    last = callee.rsplit(".", 1)[-1]
    if last in _LOWER_VERBS:
        return [Signal(last.upper(), STRONG, f"`{callee}`")]
    if last == "urlopen":
        return [Signal("GET", STRONG, f"`{callee}` without data")]
    words = [word for word in last.lower().split("_") if word]
    if words and 1 <= len(words) <= 2 and (words[0] in _LOWER_VERBS or words[-1] in _LOWER_VERBS):
        word = words[0] if words[0] in _LOWER_VERBS else words[-1]
        return [Signal(word.upper(), WEAK, f"the wrapper is named `{last}`")]
    return []


def call_signals(call: cst.Call, url_arg: Optional[cst.Arg], callee: str, evaluate=None) -> List[Signal]:
    """Signals a call itself gives: literal verbs among its arguments, ``request(...)``'s and
    ``Request(...)``'s method, ``getattr(client, "get")``."""
    found: List[Signal] = []
    last = callee.rsplit(".", 1)[-1]
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    for arg in call.args:
        if arg is url_arg or arg.star:
            continue
        if arg.keyword is not None and arg.keyword.value not in METHOD_KEYWORDS:
            continue
        value = verb(_literal(arg.value, evaluate))
        if value is not None:
            where = f"`{arg.keyword.value}=`" if arg.keyword is not None else "an argument"
            found.append(Signal(value, EXPLICIT, f"{where} of `{callee}` is {value!r}"))
    if last == "Request" and not any(arg.keyword is not None and arg.keyword.value == "method" for arg in call.args):
        data = any(arg.keyword is not None and arg.keyword.value == "data" for arg in call.args) or len(positional) > 1
        found.append(Signal("POST" if data else "GET", STRONG, f"`{callee}` {'with' if data else 'without'} data"))
    func = call.func
    if isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr":
        args = [arg for arg in func.args if arg.keyword is None]
        if len(args) >= 2:
            value = verb(_literal(args[1].value, evaluate))
            if value is not None:
                found.append(Signal(value, STRONG, f"`getattr(..., {value.lower()!r})`"))
    return found


def signals_of_call(call: cst.Call, url_arg: Optional[cst.Arg], callee: str, client: bool = False,
                    evaluate=None, facts=None) -> List[Signal]:
    found = call_signals(call, url_arg, callee, evaluate) + name_signals(callee, client)
    if facts is not None and callee.rsplit(".", 1)[-1] == "setopt":
        found += curl_signals(facts, call, evaluate)
    return found


# pycurl options that choose the method; a handle that sets none of them and performs sends GET.
_CURL_OPTIONS = {"POST": "POST", "POSTFIELDS": "POST", "HTTPPOST": "POST", "COPYPOSTFIELDS": "POST",
                 "UPLOAD": "PUT", "PUT": "PUT", "NOBODY": "HEAD"}


def curl_signals(facts, call: cst.Call, evaluate=None) -> List[Signal]:
    """``c.setopt(c.URL, url)``: the method the handle ``c`` sends, from the other options its
    function sets on it (``CUSTOMREQUEST``, ``POST``, ``UPLOAD``, ``NOBODY``) and its ``perform()``."""
    from ..tree import dotted_name

    func = call.func
    args = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name) or len(args) < 2:
        return []
    if (dotted_name(args[0].value) or "").rsplit(".", 1)[-1] != "URL":
        return []
    handle = func.value.value
    scope = facts.scope_of.get(call)
    chosen: List[Signal] = []
    performed = False
    for name in facts.names.get(handle, []):
        attribute = facts.parent(name)
        used = facts.parent(attribute) if isinstance(attribute, cst.Attribute) and attribute.value is name else None
        if not isinstance(used, cst.Call) or facts.scope_of.get(used) is not scope:
            continue
        if attribute.attr.value == "perform":
            performed = True
        options = [arg for arg in used.args if arg.keyword is None and not arg.star]
        if attribute.attr.value != "setopt" or len(options) < 2:
            continue
        option = (dotted_name(options[0].value) or "").rsplit(".", 1)[-1]
        if option == "CUSTOMREQUEST":
            value = verb(_literal(options[1].value, evaluate))
            if value is None:
                return []  # a method imslint cannot read: unknown
            chosen.append(Signal(value, EXPLICIT, f"`{handle}.setopt(CUSTOMREQUEST, {value!r})`"))
        elif option in _CURL_OPTIONS:
            chosen.append(Signal(_CURL_OPTIONS[option], STRONG, f"`{handle}.setopt({option}, ...)`"))
    if chosen:
        return chosen
    return [Signal("GET", STRONG, f"pycurl's default: `{handle}` sets no method before `perform()`")] if performed else []


__all__ = ["VERBS", "Signal", "decide", "verb", "signals_of_call", "name_signals", "call_signals"]
