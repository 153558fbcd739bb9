"""What role the code holding an abandoned path plays: a client request, a test double, an
expected (compared or asserted) value, server code, or a definition whose sending is not traced.

Test doubles are recognised by what they are, not by the file they are in: a mock library's
registration (``responses.add``, ``requests_mock``'s ``m.get`` — also through an attribute,
``self.mock = self.useFixture(requests_mock.fixture.Fixture())``), a ``dict(method=..., uri=...)``
spec, an expected-call tuple ``("GET", url, ...)``, a fixture dict keyed by URL whose values are
keyed by verbs. Their keywords (``json=``, ``text=``, ``uri=``) are never filters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from ..calls import TEST_DOUBLE_ROOTS, callee_name
from ..tree import dotted_name
from .method import verb
from .test_paths import is_test_path

_ASSERT_CALL = re.compile(r"^(assert\w*|fail\w*|expect\w*|call|mock\.call|mocker\.call|has_calls|check_\w+)$", re.I)
_MOCK_FACTORIES = re.compile(r"requests_mock|responses|httpretty|respx|aioresponses|Mocker|RequestsMock|MockRouter|FakeSession")
_SPEC_URL_KEYS = frozenset({"uri", "url", "path"})
_SPEC_ANSWER_KEYS = frozenset({"json", "text", "status_code", "content", "body", "validate", "reason",
                               "response", "headers", "complete_qs"})


@dataclass(frozen=True)
class Double:
    method: Optional[str]  # the verb the double answers, when it says
    reason: str


def in_test(facts, node: cst.CSTNode) -> bool:
    """Inside a ``test_*`` function or a ``Test*`` class."""
    for ancestor in facts.ancestors(node):
        if isinstance(ancestor, cst.FunctionDef) and ancestor.name.value.startswith("test"):
            return True
        if isinstance(ancestor, cst.ClassDef) and (ancestor.name.value.startswith("Test") or ancestor.name.value.endswith("Test")):
            return True
    return False


def expected_value(facts, node: cst.CSTNode) -> Optional[str]:
    """Why ``node`` is a compared or asserted string (None when it is not): an argument of an
    assertion (``assertEqual``, ``assert_called_with``, ``mock.call``), or an element of a value
    that is (an expected-calls list)."""
    for ancestor in facts.ancestors(node):
        if isinstance(ancestor, (cst.Comparison, cst.ComparisonTarget)):
            return "a compared value"
        if isinstance(ancestor, cst.Assert):
            return "an asserted value"
        if isinstance(ancestor, cst.Arg):
            call = facts.parent(ancestor)
            if isinstance(call, cst.Call):
                last = callee_name(call.func).rsplit(".", 1)[-1]
                if _ASSERT_CALL.match(last) or _ASSERT_CALL.match(callee_name(call.func)):
                    return f"an argument of `{callee_name(call.func)}`"
                return None
        if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement, cst.Lambda, cst.FunctionDef)):
            return None
    return None


def double_in_data(facts, evaluator, node: cst.CSTNode) -> Optional[Double]:
    """``dict(method="GET", uri=URL, json=...)``, ``{"method": ..., "url": URL, "status_code": ...}``,
    an expected-call tuple ``("DELETE", URL, {}, None)``, or a fixture dict ``{URL: {"GET": ...}}``."""
    parent = facts.parent(node)
    # dict(method=..., uri=URL) / {"uri": URL, ...}
    if isinstance(parent, cst.Arg) and parent.keyword is not None and parent.keyword.value in _SPEC_URL_KEYS:
        call = facts.parent(parent)
        if isinstance(call, cst.Call) and dotted_name(call.func) == "dict":
            keys = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
            return _spec(keys, evaluator)
    if isinstance(parent, cst.DictElement) and parent.value is node and isinstance(parent.key, cst.SimpleString):
        key = parent.key.evaluated_value
        container = facts.parent(parent)
        if key in _SPEC_URL_KEYS and isinstance(container, cst.Dict):
            keys = {}
            for element in container.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    keys[element.key.evaluated_value] = element.value
            return _spec(keys, evaluator)
    # ("GET", URL, ...)
    if isinstance(parent, cst.Element):
        container = facts.parent(parent)
        if isinstance(container, (cst.Tuple, cst.List)) and len(container.elements) >= 2:
            elements = [e.value for e in container.elements]
            if elements[1] is node:
                method = verb(_literal(evaluator, elements[0]))
                if method is not None:
                    return Double(method, f"an expected call `({method!r}, URL, ...)`")
    # {URL: {"GET": ...}}
    if isinstance(parent, cst.DictElement) and parent.key is node and isinstance(parent.value, cst.Dict):
        verbs = []
        for element in parent.value.elements:
            if isinstance(element, cst.DictElement):
                method = verb(_literal(evaluator, element.key))
                if method is None:
                    return None
                verbs.append(method)
        if verbs:
            method = verbs[0] if len(set(verbs)) == 1 else None
            return Double(method, "a fixture keyed by URL and method (`{URL: {" + ", ".join(repr(v) for v in verbs) + ": ...}}`)")
    return None


def _spec(keys, evaluator) -> Optional[Double]:
    if "method" not in keys:
        return None
    if "uri" not in keys and not (_SPEC_ANSWER_KEYS & set(keys)):
        return None  # dict(method=..., url=...) alone may be a request's keyword arguments
    method = verb(_literal(evaluator, keys["method"]))
    return Double(method, "a request-mock spec `dict(method=..., uri=...)`")


def _literal(evaluator, node) -> Optional[str]:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    template = evaluator.evaluate(node) if node is not None else None
    return template.text if template is not None and template.is_literal else None


def mock_receiver(evaluator, call: cst.Call) -> Optional[str]:
    """The mock library behind ``m.get(...)``/``self.mock.get(...)`` (None when not a mock):
    ``m = requests_mock.Mocker()``, ``with responses.RequestsMock() as rsps``,
    ``self.mock = self.useFixture(requests_mock.fixture.Fixture())``, a ``requests_mock`` fixture."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    receiver = func.value
    name = dotted_name(receiver) or ""
    if name.split(".")[0] in TEST_DOUBLE_ROOTS or name.rsplit(".", 1)[-1] in TEST_DOUBLE_ROOTS:
        return name
    value = _bound_value(evaluator, receiver)
    if isinstance(value, cst.Call):
        made = cst.Module(body=[]).code_for_node(value)
        if _MOCK_FACTORIES.search(made) or _made_from_mock_import(evaluator, value):
            return callee_name(value.func)
    return None


def _made_from_mock_import(evaluator, value: cst.Call) -> bool:
    """``fixture.Fixture()`` after ``from requests_mock.contrib import fixture``."""
    for node in evaluator.facts.subtree(value) if value in evaluator.facts.order else ():
        if isinstance(node, cst.Name):
            binding = evaluator.lookup(node)
            imported = binding.imported if binding is not None else None
            if imported is not None and _MOCK_FACTORIES.search(".".join(part for part in imported[:2] if part)):
                return True
    return False


def _bound_value(evaluator, receiver: cst.CSTNode) -> Optional[cst.CSTNode]:
    """What a receiver name or ``self.attr`` was assigned (the last assignment found)."""
    if isinstance(receiver, cst.Name):
        binding = evaluator.lookup(receiver)
        return binding.value if binding is not None else None
    if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name) and receiver.value.value == "self":
        from ..resolve import enclosing_class

        owner = enclosing_class(evaluator.facts, receiver)
        bindings = owner.instance_bindings.get(receiver.attr.value, []) if owner is not None else []
        return bindings[-1].value if bindings else None
    return None


def bound_value(evaluator, receiver: cst.CSTNode) -> Optional[cst.CSTNode]:
    return _bound_value(evaluator, receiver)


# Test clients that call the project's own views in-process, never a remote API.
_APP_TEST_CASES = frozenset({"TestCase", "SimpleTestCase", "TransactionTestCase", "LiveServerTestCase",
                             "APITestCase", "APISimpleTestCase", "APITransactionTestCase"})
_APP_TEST_MODULES = ("django.test", "rest_framework.test", "flask_testing")
_APP_CLIENT_FACTORIES = frozenset({"test_client", "TestClient", "TestApp", "APIClient"})


def own_app_client(evaluator, call: cst.Call) -> Optional[str]:
    """Why ``call`` goes to this project's own views (None when it does not): Django's
    ``self.client`` in a Django or DRF test case, or a client made by ``app.test_client()``,
    ``TestClient(app)``, ``TestApp(app)``, ``APIClient()``, ``django.test.Client()``, webob's
    ``Request.blank(path)`` (an in-process request for a WSGI app), and a test's own
    ``self.get("/path")`` helper (a test base class's client: a path with no host)."""
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    if receiver is None:
        return None
    if call.func.attr.value == "blank" and dotted_name(receiver).rsplit(".", 1)[-1] == "Request":
        return f"`{dotted_name(call.func)}()` builds an in-process request for a WSGI app (this project's own)"
    if isinstance(receiver, cst.Name) and receiver.value == "self" and call.func.attr.value in _VERB_HELPERS \
            and in_test(evaluator.facts, call) and _relative_path_argument(evaluator, call):
        return f"`self.{call.func.attr.value}(path)` in a test sends a path without a host: the test base class's client for this project's own app"
    if isinstance(receiver, cst.Attribute) and dotted_name(receiver) == "self.client":
        from ..resolve import enclosing_class

        owner = enclosing_class(evaluator.facts, call)
        for base in owner.node.bases if owner is not None and isinstance(owner.node, cst.ClassDef) else ():
            module = _imported_from(evaluator, base.value)
            if module is not None and module.startswith(_APP_TEST_MODULES) and dotted_name(base.value).rsplit(".", 1)[-1] in _APP_TEST_CASES:
                return f"`self.client` of a `{module}` test case calls this project's own views"
    value = _bound_value(evaluator, receiver)
    if isinstance(value, cst.Call):
        made = callee_name(value.func)
        last = made.rsplit(".", 1)[-1]
        module = _imported_from(evaluator, value.func) or ""
        if last in _APP_CLIENT_FACTORIES or (last == "Client" and module.startswith("django.test")):
            return f"a test client (`{made}()`) calls this project's own app"
    return None


_VERB_HELPERS = frozenset({"get", "post", "put", "patch", "delete", "head"})


def _relative_path_argument(evaluator, call: cst.Call) -> bool:
    """The call's first argument is a path with no scheme or host (``"/api/v1.1/images/detail"``)."""
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    template = evaluator.evaluate(positional[0].value) if positional else None
    return template is not None and template.text.startswith("/") and not template.text.startswith("//")


def _imported_from(evaluator, node: cst.CSTNode) -> Optional[str]:
    """The module the root name of ``node`` (``TestCase``, ``test.TestCase``) is imported from."""
    root = node
    while isinstance(root, cst.Attribute):
        root = root.value
    binding = evaluator.lookup(root) if isinstance(root, cst.Name) else None
    imported = binding.imported if binding is not None else None
    if imported is None:
        return None
    module, name, _ = imported
    full = f"{module}.{name}" if name else module
    rest = dotted_name(node).split(".")[1:]
    return ".".join([full, *rest[:-1]]) if isinstance(node, cst.Attribute) else module


__all__ = ["Double", "is_test_path", "in_test", "expected_value", "double_in_data", "mock_receiver", "bound_value",
           "own_app_client"]
