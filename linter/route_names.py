"""How a server route registration is spelled: the names both the engine (``calls``, ``sites``)
and the ``ast`` screen of server tests (``server_tests``) go by, so the two cannot drift apart.
No libcst here: the screen runs in the main process before any file is analysed.
"""
from __future__ import annotations

import re

HTTP_METHODS = ("get", "head", "delete", "post", "put", "patch", "options")

ROUTE_CALLS = frozenset(
    {"route", "add_url_rule", "add_api_route", "api_route", "add_route", "add_resource", "connect",
     "re_path", "path", "url", "Rule", "add_view", "register_route"}
)
# The second element of a route table's tuple: ``("/v1/images", ImageListHandler)``.
HANDLER_NAME = re.compile(r"(Handler|View|Resource|Controller|Endpoint|App)$")
# Django before 1.8 wraps its route tuples in ``patterns('', ...)``.
PATTERNS_CALL = "patterns"


def is_route_call(name: str, in_decorator: bool) -> bool:
    """Whether a call of the dotted ``name`` registers a route for the path it takes
    (``in_decorator``: the call is a decorator, ``@app.route(path)``, ``@router.get(path)``)."""
    last = name.rsplit(".", 1)[-1]
    if in_decorator:
        return last in ROUTE_CALLS or last in HTTP_METHODS or last.endswith("route")
    if last in ROUTE_CALLS or last.startswith("add_") and last[4:] in HTTP_METHODS:
        return True
    return name.split(".", 1)[0] == "web" and last in HTTP_METHODS  # aiohttp: web.get(path, handler)
