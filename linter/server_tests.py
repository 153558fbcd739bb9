"""Which tests of a server project need no analysis at all.

A project that registers routes for the abandoned paths leaves its tests alone
(``projects.left_alone``): whatever a test's own analysis finds is thrown away. In the cloud
benchmark such tests are about 40 % of the engine's time (glance's and nova's), so the project
pass analyses every other candidate first, and a test waits until it is known whether its
project serves. It is then not analysed when nothing it could tell the pass can matter:

* it cannot be a route file itself (a route file is never left alone, and adds view
  directories): ``may_register_routes`` finds none of the shapes the engine takes for a route;
* its test doubles count for no request: only a fixable finding of the same project asks for
  them (``projects.doubles_for``), so the project has none;
* the constants it imports count for no definition (``projects.imported_elsewhere``): it
  imports nothing straight from a file whose result depends on what others import from it
  (``imports_from``, ``depends_on_imports``).

A test that still needs its first pass, in a project that serves, is only *surveyed*
(``EngineOptions.survey_only``): its request sites and routes are found, which give its doubles,
routes and imported constants, and no rule runs nor any fix is planned (the page loops of a big
test module were most of its cost), unless it registers routes itself.

``check-server-tests = true`` checks the tests as any other file.
"""
from __future__ import annotations

import ast
import os
from typing import Iterable, Optional, Sequence, Set

from .route_names import HANDLER_NAME, PATTERNS_CALL, is_route_call


def _callee_name(func: ast.AST) -> str:
    """``calls.callee_name`` on ``ast``: ``a.b.c``, looking through calls."""
    parts = []
    while True:
        if isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        elif isinstance(func, ast.Call):
            func = func.func
        elif isinstance(func, ast.Name):
            parts.append(func.id)
            break
        else:
            break
    return ".".join(reversed(parts))


def _handler_like(node: ast.AST) -> bool:
    """The second element of a route table's tuple as ``sites._is_route_tuple`` accepts it (any
    dictionary: the engine asks for HTTP verbs as its keys)."""
    if isinstance(node, ast.Dict):
        return True
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return bool(HANDLER_NAME.search(name))


def _may_be_a_path(node: ast.AST) -> bool:
    """Whether a route call's argument may be a path the engine matches: anything but a literal
    without ``images`` (``@mock.patch("nova.compute.api.API.get")`` is no route of an image path)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and "images" in node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return any(_may_be_a_path(element) for element in node.elts)
    return True


def may_register_routes(source: bytes) -> bool:
    """Whether the engine could find a route registration in the file: a call that registers
    routes (``route_names.is_route_call``, as a decorator or not), Django's ``patterns()``, or a
    tuple shaped like a route table's row. True when ``ast`` cannot parse the file."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    decorators = set()
    for node in ast.walk(tree):
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            decorators.update(id(d) for d in node.decorator_list if isinstance(d, ast.Call))
        elif kind is ast.Call:
            name = _callee_name(node.func)
            routes = is_route_call(name, id(node) in decorators) or name.rsplit(".", 1)[-1] == PATTERNS_CALL
            if routes and any(_may_be_a_path(arg) for arg in (*node.args, *(k.value for k in node.keywords))):
                return True
        elif kind is ast.Tuple and len(node.elts) >= 2 and _handler_like(node.elts[1]):
            return True
    return False


def imports_from(source: bytes, path: str, roots: Sequence[str], files: Set[str]) -> bool:
    """Whether the file may import a name straight from one of ``files`` (real paths): what
    ``project.ImportResolver`` records for ``projects.imported_elsewhere`` is the module a name
    is imported from (``from m import NAME``, ``from pkg import m`` then ``m.NAME``, ``import
    pkg.m`` then ``pkg.m.NAME``). Judged on every import statement the bytes may hold."""
    from .prefilter import import_records
    from .project import find_module

    for level, module, names in import_records(source):
        targets = [module] + [f"{module}.{name}" if module else name for name in names if name != "*"]
        for target in targets:
            found = find_module(path, target, level, roots)
            if found is not None and os.path.realpath(found) in files:
                return True
    return False


def depends_on_imports(findings: Iterable[object], facts: Optional[dict]) -> bool:
    """Whether a file's result depends on which of its constants other files import: it has
    constants a fix rewrites, or findings reported at a definition."""
    return bool((facts or {}).get("constants")) or any(
        f.evidence is not None and f.evidence.role.value == "definition" for f in findings
    )
