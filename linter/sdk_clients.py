"""Abandoned image APIs reached through client libraries rather than URLs (the policy's detection
targets, ``ims-api-migration.md`` 6.3–6.5):

* a python-glanceclient **v1** client (``glanceclient.Client("1", ...)``, ``Client(version=1)``,
  ``glanceclient.v1.client.Client(...)``) and the calls on its ``images`` / ``image_members``
  managers: each sends a Glance v1 request (``images.get`` is ``HEAD /v1/images/{id}``);
* a python-novaclient client (``novaclient.client.Client(...)``) and the calls on its
  ``images`` manager: the compute image proxy;
* openstacksdk pinned to the v1 image API (``openstack.connect(image_api_version="1")``), and
  the image calls of its compute proxy (``conn.compute.images()``: the compute image proxy).

Evidence only: the client must be built in this module from a literal version, and reach the call
through a local name, ``self.<attr>`` set in the same class, or the call chain itself. A client
passed in or built elsewhere is not followed (no finding). None of these has a fix: the v2
client's methods take other arguments and answer other objects.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Dict, List, Optional

import libcst as cst

from .evidence.record import CLIENT, COMPUTE, EXPLICIT, IMAGE_V1, Evidence, Fact
from .responses import subscript_index
from .tree import IMPORT, dotted_name

GLANCE_V1 = "glance-v1"
NOVA = "nova"

_GLANCE_BY_VERSION = frozenset({"glanceclient.Client", "glanceclient.client.Client"})
_GLANCE_V1 = frozenset({"glanceclient.v1.client.Client", "glanceclient.v1.Client"})
_NOVA = frozenset({"novaclient.client.Client", "novaclient.v2.client.Client", "novaclient.v2.Client",
                   "novaclient.v1_1.client.Client"})
_CONNECTIONS = frozenset({"openstack.connect", "openstack.connection.Connection", "openstack.Connection"})
_FROM_CONFIG = "openstack.connection.from_config"  # a connection too (``_is_connection``)
_V1_VERSIONS = frozenset({"1", "1.0", "1.1", "v1"})

# What each manager call sends (python-glanceclient v1 ImageManager / ImageMemberManager;
# python-novaclient v2 ImageManager).
_GLANCE_CALLS = {
    ("images", "list"): "GET /v1/images/detail", ("images", "find"): "GET /v1/images/detail",
    ("images", "get"): "HEAD /v1/images/{id}", ("images", "delete"): "DELETE /v1/images/{id}",
    ("images", "data"): "GET /v1/images/{id}", ("images", "create"): "POST /v1/images",
    ("images", "update"): "PUT /v1/images/{id}",
    ("image_members", "list"): "GET /v1/images/{id}/members", ("image_members", "get"): "GET /v1/images/{id}/members",
    ("image_members", "create"): "PUT /v1/images/{id}/members/{member}",
    ("image_members", "delete"): "DELETE /v1/images/{id}/members/{member}",
}
_NOVA_CALLS = {
    "list": "GET /images/detail", "find": "GET /images/detail", "findall": "GET /images/detail",
    "get": "GET /images/{id}", "delete": "DELETE /images/{id}", "set_meta": "POST /images/{id}/metadata",
    "delete_meta": "DELETE /images/{id}/metadata/{key}",
}
# A glanceclient v1 image's own methods (``Image.delete()`` ...) and what they send.
_RESOURCE_CALLS = {"delete": "DELETE /v1/images/{id}", "update": "PUT /v1/images/{id}",
                   "data": "GET /v1/images/{id}", "get": "HEAD /v1/images/{id}"}
# openstacksdk's compute proxy image calls (the Nova image proxy; ``images()`` lists with details).
_COMPUTE_PROXY_CALLS = {
    "images": "GET /images/detail", "get_image": "GET /images/{id}", "find_image": "GET /images/{id}",
    "delete_image": "DELETE /images/{id}", "get_image_metadata": "GET /images/{id}/metadata",
    "fetch_image_metadata": "GET /images/{id}/metadata", "set_image_metadata": "POST /images/{id}/metadata",
    "delete_image_metadata": "DELETE /images/{id}/metadata/{key}",
}
_REPLACEMENT = {
    GLANCE_V1: "a v2 client (`glanceclient.Client('2', ...)`), whose `images` methods send `/v2/images`",
    NOVA: "the image service (`glanceclient.Client('2', ...).images` or openstacksdk's `conn.image`)",
}


@dataclass(frozen=True)
class ClientUse:
    """One abandoned request a client library call sends."""

    node: cst.CSTNode
    code: str  # IMS005 (Glance v1, a v1 pin) or IMS006 (the compute proxy)
    message: str
    evidence: Evidence


def client_uses(ctx) -> List[ClientUse]:
    """Every abandoned request the module sends through a client library, computed once per file."""
    if ctx not in _PER_FILE:
        _PER_FILE[ctx] = _find(ctx)
    return _PER_FILE[ctx]


_PER_FILE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _find(ctx) -> List[ClientUse]:
    text = ctx.text
    if not any(marker in text for marker in ("glanceclient", "novaclient", "openstack", "OS_IMAGE_API_VERSION")):
        return []
    finder = _Finder(ctx)
    return finder.uses()


class _Finder:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.facts = ctx.facts
        self.evaluator = ctx.evaluator
        self._attributes: Optional[Dict[tuple, List[cst.BaseExpression]]] = None

    def uses(self) -> List[ClientUse]:
        found = []
        for node in self.facts.order:
            kind = type(node)  # neither class has subclasses
            if kind is cst.Call:
                use = self._manager_call(node) or self._resource_call(node) or self._compute_proxy_call(node) \
                    or self._v1_pin(node) or self._environment_pin(node)
                if use is not None:
                    found.append(use)
            elif kind is cst.Assign:
                use = self._environment_pin(node)
                if use is not None:
                    found.append(use)
        return found

    # -- calls on a client's managers ----------------------------------------------------------------
    def _manager_call(self, call: cst.Call) -> Optional[ClientUse]:
        func = call.func
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Attribute):
            return None
        manager, method = func.value.attr.value, func.attr.value
        client = self._client_kind(func.value.value)
        if client == GLANCE_V1 and (manager, method) in _GLANCE_CALLS:
            sent, code, via = _GLANCE_CALLS[manager, method], "IMS005", "through glanceclient v1"
            built = f"`{_code(func.value.value)}` is a glanceclient v1 client built in this module"
        elif client == NOVA and manager == "images" and method in _NOVA_CALLS:
            sent, code, via = _NOVA_CALLS[method], "IMS006", "to the compute image proxy (novaclient)"
            built = f"`{_code(func.value.value)}` is a novaclient client built in this module"
        else:
            return None
        return _client_use(call, code, sent, via, _REPLACEMENT[client], client, built)

    def _resource_call(self, call: cst.Call) -> Optional[ClientUse]:
        """``image = gc.images.get(id); image.delete()`` (also ``self.image``, or ``for image in
        gc.images.list()``): a glanceclient v1 image's own methods."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _RESOURCE_CALLS:
            return None
        if func.attr.value == "get" and call.args:  # ``image.get("name")``: a mapping's get, not the lazy load
            return None
        source = next((value for value in self._sources(func.value) if self._v1_manager_call(value)), None)
        if source is None:
            return None
        via = f"through glanceclient v1 (the image came from `{_code(source.func)}()`)"
        built = f"`{_code(func.value)}` is an image a glanceclient v1 client answered"
        return _client_use(call, "IMS005", _RESOURCE_CALLS[func.attr.value], via, _REPLACEMENT[GLANCE_V1], GLANCE_V1, built)

    def _sources(self, holder: cst.BaseExpression) -> List[cst.BaseExpression]:
        """What a name or ``self.<attr>`` was set to: assigned values, or a ``for`` loop's iterable."""
        if isinstance(holder, cst.Name):
            binding = self.evaluator.lookup(holder)
            if binding is None:
                return []
            if isinstance(binding.statement, (cst.For, cst.CompFor)) and binding.statement.target is not None:
                return [binding.statement.iter]
            return [binding.value] if binding.value is not None else []
        if isinstance(holder, cst.Attribute) and dotted_name(holder.value) == "self":
            return self._self_values(holder)
        return []

    def _v1_manager_call(self, value: cst.BaseExpression) -> bool:
        """``gc.images.get(...)`` (``find``, ``create``, ``list``) on a glanceclient v1 client."""
        if isinstance(value, cst.Call) and dotted_name(value.func) in ("list", "sorted") and value.args:
            value = value.args[0].value  # ``list(gc.images.list())``
        if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
            return False
        manager = value.func.value
        return (isinstance(manager, cst.Attribute) and manager.attr.value == "images"
                and value.func.attr.value in ("get", "find", "create", "list")
                and self._client_kind(manager.value) == GLANCE_V1)

    def _compute_proxy_call(self, call: cst.Call) -> Optional[ClientUse]:
        """``conn.compute.images()``, ``conn.compute.get_image(...)``: openstacksdk's compute proxy."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _COMPUTE_PROXY_CALLS:
            return None
        proxy = func.value
        if not (isinstance(proxy, cst.Attribute) and proxy.attr.value == "compute" and self._is_connection(proxy.value)):
            return None
        instead = f"`{_code(proxy.value)}.image` (`images()`, `get_image`, `delete_image`)"
        built = f"`{_code(proxy.value)}` is an openstacksdk connection"
        return _client_use(call, "IMS006", _COMPUTE_PROXY_CALLS[func.attr.value],
                           "to the compute image proxy (openstacksdk)", instead, NOVA, built)

    def _is_connection(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        if depth > 3:
            return False
        if isinstance(node, cst.Call):
            if self._qualified(node.func) in _CONNECTIONS or self._qualified(node.func) == _FROM_CONFIG:
                return True
            returned = self._factory_return(node)
            return returned is not None and self._is_connection(returned, depth + 1)
        if isinstance(node, cst.Name):
            binding = self.evaluator.lookup(node)
            value = binding.value if binding is not None else None
            return value is not None and self._is_connection(value, depth + 1)
        if isinstance(node, cst.Attribute) and dotted_name(node.value) == "self":
            values = self._self_values(node)
            return bool(values) and all(self._is_connection(value, depth + 1) for value in values)
        return False

    def _client_kind(self, receiver: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        """GLANCE_V1 or NOVA when ``receiver`` is a client built here; else None."""
        if depth > 3:
            return None
        if isinstance(receiver, cst.Call):
            return self._constructed(receiver) or self._factory_kind(receiver, depth)
        if isinstance(receiver, cst.Name):
            binding = self.evaluator.lookup(receiver)
            value = binding.value if binding is not None else None
            return self._client_kind(value, depth + 1) if value is not None else None
        if isinstance(receiver, cst.Attribute) and dotted_name(receiver.value) == "self":
            kinds = {self._client_kind(value, depth + 1) for value in self._self_values(receiver)}
            return kinds.pop() if len(kinds) == 1 else None  # every assignment builds the same kind
        return None

    def _factory_kind(self, call: cst.Call, depth: int) -> Optional[str]:
        """``glance_client()``, ``self.get_glance_client()``: a function of this module whose one
        ``return`` builds a client."""
        returned = self._factory_return(call)
        return self._client_kind(returned, depth + 1) if returned is not None else None

    def _factory_return(self, call: cst.Call) -> Optional[cst.Call]:
        """The call a module function (or method) returns, when it has one ``return``, its last statement."""
        from .resolve import function_of

        callee = function_of(self.evaluator, call.func, local=True)
        if callee is None or not isinstance(callee.function.body, cst.IndentedBlock):
            return None
        returns = [node for node in self.facts.subtree(callee.function) if isinstance(node, cst.Return)]
        last = callee.function.body.body[-1] if callee.function.body.body else None
        only = returns[0] if len(returns) == 1 else None
        if only is None or not isinstance(last, cst.SimpleStatementLine) or only not in last.body:
            return None
        return only.value if isinstance(only.value, cst.Call) else None

    def _self_values(self, attribute: cst.Attribute) -> List[cst.BaseExpression]:
        """What ``self.<name>`` is set to in the class the use is in (empty: set elsewhere)."""
        from .resolve import enclosing_class

        owner = enclosing_class(self.facts, attribute)
        key = (id(owner.node) if owner is not None else None, attribute.attr.value)
        return self._self_attributes().get(key, []) if owner is not None else []

    def _self_attributes(self) -> Dict[tuple, List[cst.BaseExpression]]:
        """``self.<name> = value`` in each class of the module, by (class, name) (indexed once)."""
        from .resolve import enclosing_class

        if self._attributes is None:
            self._attributes = {}
            for node in self.facts.order:
                if isinstance(node, cst.Assign) and len(node.targets) == 1:
                    target = node.targets[0].target
                    if isinstance(target, cst.Attribute) and dotted_name(target.value) == "self":
                        owner = enclosing_class(self.facts, node)
                        if owner is not None:
                            key = (id(owner.node), target.attr.value)
                            self._attributes.setdefault(key, []).append(node.value)
        return self._attributes

    def _constructed(self, call: cst.Call) -> Optional[str]:
        name = self._qualified(call.func)
        if name in _GLANCE_V1:
            return GLANCE_V1
        if name in _NOVA:
            return NOVA
        if name in _GLANCE_BY_VERSION:
            version = _argument(call, 0, "version")
            if version is None or (isinstance(version, cst.Name) and version.value == "None"):
                # No version: glanceclient takes it from the endpoint's last segment (``.../v1``).
                endpoint = _argument(call, 1, "endpoint") if version is not None else _keyword_value(call, "endpoint")
                text = self._literal(endpoint) if endpoint is not None else None
                return GLANCE_V1 if text is not None and text.rstrip("/").rsplit("/", 1)[-1] in _V1_VERSIONS else None
            return GLANCE_V1 if self._literal(version) in _V1_VERSIONS else None
        return None

    # -- openstacksdk pinned to v1 -------------------------------------------------------------------
    def _environment_pin(self, node: cst.CSTNode) -> Optional[ClientUse]:
        """``os.environ["OS_IMAGE_API_VERSION"] = "1"`` (or ``os.environ.setdefault(...)``): every
        openstacksdk connection and OpenStack client the process makes then uses the v1 image API."""
        value = None
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Subscript) and dotted_name(target.value) in ("os.environ", "environ"):
                key = subscript_index(target)
                value = node.value if key is not None and self._literal(key) == "os_image_api_version" else None
        elif isinstance(node, cst.Call) and (dotted_name(node.func) or "").endswith(("environ.setdefault", "putenv")):
            key, given = _argument(node, 0, "key"), _argument(node, 1, "value")
            value = given if key is not None and self._literal(key) == "os_image_api_version" else None
        if value is None or self._literal(value) not in _V1_VERSIONS:
            return None
        return _pin_use(value, f"`OS_IMAGE_API_VERSION={_code(value)}`",
                        "`OS_IMAGE_API_VERSION` set to 1 pins openstacksdk and the OpenStack clients to the v1 image "
                        "API (`/v1/images/...`)", "every image request of the process")

    def _v1_pin(self, call: cst.Call) -> Optional[ClientUse]:
        if self._qualified(call.func) not in _CONNECTIONS:
            return None
        pin = next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == "image_api_version"), None)
        if pin is None or self._literal(pin.value) not in _V1_VERSIONS:
            return None
        return _pin_use(pin.value, f"`image_api_version={_code(pin.value)}`",
                        "`image_api_version` pins openstacksdk to the v1 image API: `conn.image` then sends "
                        "`/v1/images/...`", "every method of `conn.image`")

    # -- names ---------------------------------------------------------------------------------------
    def _qualified(self, func: cst.BaseExpression) -> Optional[str]:
        """``gc_client.Client`` → ``glanceclient.client.Client`` through the module's imports."""
        name = dotted_name(func)
        if not name:
            return None
        root, _, rest = name.partition(".")
        node = func
        while isinstance(node, cst.Attribute):
            node = node.value
        binding = self.evaluator.lookup(node) if isinstance(node, cst.Name) else None
        if binding is None or binding.kind != IMPORT or binding.imported is None:
            return None
        module, imported, level = binding.imported
        if level:
            return None
        if imported:
            head = f"{module}.{imported}"
        else:  # ``import a.b`` binds ``a``; ``import a.b as c`` (even ``as a``) binds ``a.b``
            head = module if _renamed(binding.statement, binding.name) else root
        return f"{head}.{rest}" if rest else head

    def _literal(self, node: cst.BaseExpression) -> Optional[str]:
        if isinstance(node, (cst.Integer, cst.Float)):
            return node.value
        template = self.evaluator.evaluate(node)
        return template.text.strip().lower() if template is not None and template.is_literal else None


_NO_FIX = "the v2 calls take other arguments and answer other objects"


def _client_use(call: cst.Call, code: str, request: str, via: str, instead: str, client: str, built: str) -> ClientUse:
    """The finding for ``call``, which sends ``request`` (``GET /v1/images/detail``) ``via`` a client."""
    shown = f"{_code(call.func)}()"
    method = request.split()[0]
    message = f"`{shown}` sends `{request}` {via}, which is abandoned: use {instead}; no fix: {_NO_FIX}"
    evidence = Evidence(
        Fact(method, f"`{shown}` sends {method}", EXPLICIT),
        Fact(IMAGE_V1 if client == GLANCE_V1 else COMPUTE, built, EXPLICIT),
        Fact(CLIENT, f"sent by the client library (`{shown}`)", EXPLICIT),
        Fact("none", _NO_FIX),
    )
    return ClientUse(call, code, message, evidence)


def _pin_use(value: cst.CSTNode, setting: str, what: str, requests: str) -> ClientUse:
    """The finding for a setting (``value``) that pins clients to the v1 image API."""
    message = f"{what}, which is abandoned: use version 2; no fix: the v2 API answers other objects"
    evidence = Evidence(
        Fact(None, requests),
        Fact(IMAGE_V1, setting, EXPLICIT),
        Fact(CLIENT, "the clients it configures send the requests", EXPLICIT),
        Fact("none", "the v2 API answers other objects"),
    )
    return ClientUse(value, "IMS005", message, evidence)


def _renamed(statement: Optional[cst.CSTNode], name: str) -> bool:
    """Whether ``import ... as name`` binds ``name`` in the import statement."""
    aliases = statement.names if isinstance(statement, cst.Import) else ()
    return any(alias.asname is not None and isinstance(alias.asname.name, cst.Name) and alias.asname.name.value == name
               for alias in aliases)


def _keyword_value(call: cst.Call, keyword: str) -> Optional[cst.BaseExpression]:
    return next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == keyword), None)


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if len(positional) > position else None


def _code(node: cst.CSTNode) -> str:
    """Short code for a message: ``glanceclient.Client(...).images.list`` for a long receiver."""
    if isinstance(node, cst.Call):
        return f"{_code(node.func)}(...)"
    if isinstance(node, cst.Attribute):
        return f"{_code(node.value)}.{node.attr.value}"
    code = cst.Module(body=[]).code_for_node(node)
    return code if len(code) <= 40 else code[:37] + "..."
