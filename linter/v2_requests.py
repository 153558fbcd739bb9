"""Requests a file already sends to the v2 image API: the "done" column of ``imslint report``.

Read-only, and no rule: ``responses.find_v2_list_calls`` finds ``GET /v2/images`` lists only (what
IMS004 needs); a migration also moves shows (``GET /v2/images/{id}``), deletes and the other
``/v2/images/{id}/...`` requests, so this counts every client call (a request or the project's
wrapper, never a test double) whose URL template has the whole segments ``v2/images``, with or
without an image id after them. ``/v2/images/detail`` never existed (IMS007) and is not counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Set



@dataclass(frozen=True)
class V2Request:
    kind: str  # "list", "show", "delete" or "other"
    method: Optional[str]
    line: int
    start: int  # offsets of the call in the text
    end: int


def v2_path_kind(text: str) -> Optional[str]:
    """``list`` for ``.../v2/images``, ``image`` for ``.../v2/images/{id}[/...]``, else None.

    ``text`` is a template's text with holes as ``HOLE_CHAR`` (``"\\x00/v2/images/\\x00"``); the
    list test is IMS004's (``responses.is_v2_image_list``), applied to the path up to ``images``."""
    from .responses import is_v2_image_list

    if is_v2_image_list(text):
        return "list"
    segments = text.split("?", 1)[0].split("#", 1)[0].split("/")
    for index, segment in enumerate(segments[:-1]):
        if segment == "images" and is_v2_image_list("/".join(segments[: index + 1])):
            rest = [part for part in segments[index + 1:] if part]
            return "image" if rest and rest[0] != "detail" else None
    return None


def _kind(path_kind: str, method: Optional[str]) -> str:
    if path_kind == "list":
        return "list" if method in (None, "GET") else "other"
    if method == "DELETE":
        return "delete"
    return "show" if method in (None, "GET") else "other"


def v2_requests(context) -> List[V2Request]:
    """The v2 image requests of a parsed file (``context.FileContext``), in file order."""
    import libcst as cst

    from .calls import REQUEST, WRAPPER, classify
    from .sites import climb

    facts, evaluator = context.facts, context.evaluator
    found: List[V2Request] = []
    seen: Set[int] = set()
    for leaf in (*facts.string_leaves, *facts.name_leaves):
        top = climb(facts, leaf)
        if id(top) in seen:
            continue
        seen.add(id(top))
        arg = facts.parent(top)
        call = facts.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or isinstance(facts.parent(call), cst.Decorator) or id(call) in seen:
            continue
        template = evaluator.evaluate(top)
        path_kind = v2_path_kind(template.text) if template is not None else None
        if path_kind is None:
            continue
        site = classify(call, arg)
        if site.kind not in (REQUEST, WRAPPER):
            continue
        seen.add(id(call))
        start, end = context.span(call)
        found.append(V2Request(_kind(path_kind, site.method), site.method, context.position(call)[0], start, end))
    return sorted(found, key=lambda request: request.start)


def count_v2_requests(text: str, path: str, options) -> List[V2Request]:
    """``v2_requests`` of a file's text; [] when it does not parse (its findings say why)."""
    from .context import FileContext
    from .engine import ParseFailure, parse

    if "images" not in text:
        return []
    try:
        return v2_requests(FileContext(path, text, parse(text), options))
    except (ParseFailure, RecursionError):
        return []
