"""Tells the image service from the compute service around a call.

Signals, strongest first: a ``service_type`` (keyword, ``endpoint_filter`` or the adapter the
call goes through), the port in a literal URL (9292 Glance, 8774 Nova), and the names of the
client and the class (``image_client``, ``compute``, ``nova``, ``api_version = "v1"``).
"""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .calls import CallSite, callee_name
from .endpoints import literal_host
from .tree import ASSIGN

IMAGE_SERVICE, COMPUTE_SERVICE = "image", "compute"

_IMAGE_WORDS = re.compile(r"image|glance|ims", re.I)
_COMPUTE_WORDS = re.compile(r"compute|nova|ecs|server", re.I)


def _service_word(text: str) -> Optional[str]:
    text = text.lower()
    if text in ("image", "images"):
        return IMAGE_SERVICE
    if text in ("compute",):
        return COMPUTE_SERVICE
    return None


def _literal(evaluator, node) -> Optional[str]:
    template = evaluator.evaluate(node)
    return template.text if template is not None and template.is_literal else None


def _service_type_in(call: cst.Call, evaluator) -> Optional[str]:
    for arg in call.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "service_type":
            value = _literal(evaluator, arg.value)
            if value:
                return _service_word(value)
        if arg.keyword.value == "endpoint_filter":
            mapping = evaluator.mapping(arg.value)  # a dict literal, or a name bound to one
            for entry in mapping.entries if mapping is not None else ():
                if entry.key == "service_type" and entry.value_node is not None:
                    value = _literal(evaluator, entry.value_node)
                    if value:
                        return _service_word(value)
    return None


def _module_service_type(facts, evaluator) -> Optional[str]:
    """The one service type the module's clients are built for, when they all agree."""
    found = set()
    for node in facts.order:
        if isinstance(node, cst.Call):
            service = _service_type_in(node, evaluator)
            if service:
                found.add(service)
    return found.pop() if len(found) == 1 else None


def service_of(call_site: CallSite, facts, evaluator) -> Optional[str]:
    call = call_site.call
    found = _service_type_in(call, evaluator)
    if found:
        return found
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    if isinstance(receiver, cst.Name):  # an adapter/session built with a service_type
        binding = evaluator.lookup(receiver)
        if binding is not None and binding.kind == ASSIGN and isinstance(binding.value, cst.Call):
            found = _service_type_in(binding.value, evaluator)
            if found:
                return found
    for arg in call.args:
        template = evaluator.evaluate(arg.value)
        host = literal_host(template.text) if template is not None else None
        if host and host.endswith(":9292"):
            return IMAGE_SERVICE
        if host and host.endswith(":8774"):
            return COMPUTE_SERVICE
    module_service = _module_service_type(facts, evaluator)
    if module_service:
        return module_service
    name = callee_name(call.func).rsplit(".", 1)[0]
    if _COMPUTE_WORDS.search(name):
        return COMPUTE_SERVICE
    if _IMAGE_WORDS.search(name):
        return IMAGE_SERVICE
    return _class_signal(call, facts, evaluator)


def _class_signal(call: cst.Call, facts, evaluator) -> Optional[str]:
    """``api_version = "v1"`` or an image/compute class name around the call."""
    for ancestor in facts.ancestors(call):
        if isinstance(ancestor, cst.ClassDef):
            scope = facts.scopes_by_node.get(ancestor)
            for binding in (scope.bindings.get("api_version", []) if scope else []):
                value = evaluator.evaluate(binding.value) if binding.value is not None else None
                if value is not None and value.text.startswith("v1"):
                    return IMAGE_SERVICE
            if _COMPUTE_WORDS.search(ancestor.name.value):
                return COMPUTE_SERVICE
            if _IMAGE_WORDS.search(ancestor.name.value):
                return IMAGE_SERVICE
    return None
