"""Which calls send HTTP requests, with which method, and where their filters are.

A URL is reported wherever it is used, but what the call does with it decides the fix: the HTTP
method, the ``params=`` mapping, a wrapper's keyword arguments, or nothing at all for a test
double or a server route registration.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst


from .route_names import HTTP_METHODS, is_route_call

REQUEST, WRAPPER, TEST_DOUBLE, ROUTE, MESSAGE = "request", "wrapper", "test-double", "route", "message"
STRING_OPERATION = "string-operation"  # "...".endswith(URL), path.replace(URL, ...): text, not a request
_STRING_METHODS = frozenset(
    {"endswith", "startswith", "replace", "find", "rfind", "index", "rindex", "count", "split", "rsplit",
     "strip", "lstrip", "rstrip", "removeprefix", "removesuffix", "partition", "rpartition", "match",
     "search", "fullmatch", "sub", "subn", "compile", "escape"}
)
FILESYSTEM = "filesystem"

# Keyword arguments of HTTP clients (requests, httpx, keystoneauth, urllib) that are not filters.
TRANSPORT_KWARGS = frozenset(
    """headers timeout verify auth cookies json data files allow_redirects follow_redirects stream
    cert proxies proxy endpoint_filter endpoint_override raise_exc microversion connect_retries
    status_code_retries authenticated user_agent logger method url body content extensions hooks
    retries context service_type interface region_name ok_codes session token log
    global_request_id requests_auth connect_timeout read_timeout""".split()
)
_TRANSPORT_RECEIVER = re.compile(r"session|sess$|client|http|adapter|conn|pool|requests|httpx|urllib|agent", re.I)
TEST_DOUBLE_ROOTS = frozenset({"responses", "respx", "httpretty", "requests_mock", "rsps", "aioresponses"})
_TEST_DOUBLE_METHODS = frozenset({"add", "register_uri", "add_callback", "replace", "upsert", "add_passthru"})
# Calls that take file-system paths, never URLs.
_FILESYSTEM_CALLS = frozenset(
    {"open", "makedirs", "mkdir", "exists", "isdir", "isfile", "listdir", "scandir", "walk", "glob",
     "Path", "PurePath", "PosixPath", "rmtree", "copy", "copyfile", "copytree", "move", "remove",
     "unlink", "rmdir", "stat", "chdir", "iglob", "rename", "replace"}
)
_MESSAGE_CALLS = frozenset(
    {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log",
     "echo", "secho", "write", "fail", "skip", "xfail", "format_exc"}
)


@dataclass
class CallSite:
    call: cst.Call
    kind: str  # REQUEST, WRAPPER, TEST_DOUBLE, ROUTE or MESSAGE
    method: Optional[str]  # upper-case HTTP method when known
    callee: str  # dotted name of the function, for messages
    params: Optional[cst.Arg] = None  # ``params=`` argument
    filter_kwargs: List[cst.Arg] = field(default_factory=list)  # a wrapper's keyword filters


def _string_value(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.Attribute):  # responses.GET, httpretty.GET
        return node.attr.value
    return None


def _keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _is_message_call(name: str, last: str) -> bool:
    if last not in _MESSAGE_CALLS:
        return False
    if last in ("print", "echo", "secho", "fail", "skip", "xfail"):
        return True
    receiver = name.rsplit(".", 1)[0].lower() if "." in name else ""
    return "log" in receiver or receiver in ("warnings", "sys.stderr", "sys.stdout", "click", "pytest")


def _is_exception(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.endswith(("Error", "Exception", "Warning")) or last == "Exception"


def callee_name(func: cst.CSTNode) -> str:
    """``a.b.c`` for a call's function, looking through calls: ``session.Session().get`` → ``session.Session.get``."""
    parts = []
    while True:
        if isinstance(func, cst.Attribute):
            parts.append(func.attr.value)
            func = func.value
        elif isinstance(func, cst.Call):
            func = func.func
        elif isinstance(func, cst.Name):
            parts.append(func.value)
            return ".".join(reversed(parts))
        else:
            return ".".join(reversed(parts))


def classify(call: cst.Call, url_arg: cst.Arg, in_decorator: bool = False) -> CallSite:
    """What ``call`` does with the URL passed as ``url_arg``."""
    name = callee_name(call.func)
    last = name.rsplit(".", 1)[-1]
    root = name.split(".", 1)[0]
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]

    if _is_message_call(name, last) or _is_exception(name):
        return CallSite(call, MESSAGE, None, name)
    if last in _STRING_METHODS and root not in TEST_DOUBLE_ROOTS:
        return CallSite(call, STRING_OPERATION, None, name)
    if last in _FILESYSTEM_CALLS and (root in ("os", "shutil", "pathlib", "glob", "open", "Path") or name == last):
        return CallSite(call, FILESYSTEM, None, name)
    if is_route_call(name, in_decorator):
        return CallSite(call, ROUTE, None, name)  # ``@app.route(path)``, ``mapper.connect(path)``
    if in_decorator:
        return CallSite(call, MESSAGE, None, name)  # another decorator's argument (``@utils.arg("images", ...)``)
    if _writes_link_header(last, positional, url_arg):
        return CallSite(call, MESSAGE, None, name)  # a link a server's view builds: not a request
    if root in TEST_DOUBLE_ROOTS or last in _TEST_DOUBLE_METHODS:
        method = None
        if positional and positional[0] is not url_arg:
            method = (_string_value(positional[0].value) or "").upper() or None
        elif last in HTTP_METHODS:
            method = last.upper()
        return CallSite(call, TEST_DOUBLE, method, name)

    method = _method(call, url_arg, last, positional)
    params = _keyword(call, "params")
    site = CallSite(call, REQUEST, method, name, params)
    receiver = name.rsplit(".", 2)[-2] if name.count(".") >= 1 else ""
    known_client = bool(_TRANSPORT_RECEIVER.search(receiver)) or last in ("urlopen", "Request", "request")
    if not known_client:
        site.kind = WRAPPER
        site.filter_kwargs = [
            arg for arg in call.args
            if arg.keyword is not None and arg.keyword.value not in TRANSPORT_KWARGS and arg is not params
        ]
        site.filter_kwargs += [arg for arg in call.args if arg.star == "**"]
    return site


_LINK_HEADERS = frozenset({"location", "content-location", "link", "refresh"})


def _writes_link_header(last: str, positional: List[cst.Arg], url_arg: cst.Arg) -> bool:
    """``response.headers.add("Location", url)``, ``add_header("Link", ...)``: a header the code
    writes into a response it serves."""
    if last not in ("add", "set", "add_header", "setdefault", "append", "setitem") or len(positional) < 2:
        return False
    header = _string_value(positional[0].value)
    return positional[1] is url_arg and header is not None and header.lower() in _LINK_HEADERS


def _method(call: cst.Call, url_arg: cst.Arg, last: str, positional: List[cst.Arg]) -> Optional[str]:
    if last in HTTP_METHODS:
        return last.upper()
    if last == "request":
        # requests/httpx/http.client: request(METHOD, url); keystoneauth: request(url, METHOD).
        if positional and positional[0] is not url_arg:
            return (_string_value(positional[0].value) or "").upper() or None
        method = _keyword(call, "method")
        if method is None and len(positional) > 1:
            method = positional[1]
        value = _string_value(method.value) if method is not None else None
        return value.upper() if value else None
    if last == "Request":  # urllib.request.Request(url, data=None, headers={}, method=None)
        method = _keyword(call, "method")
        value = _string_value(method.value) if method is not None else None
        if value:
            return value.upper()
        return "POST" if _keyword(call, "data") is not None else "GET"
    if last == "urlopen":
        return "GET"
    return None
