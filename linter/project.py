"""Constants across the modules of the scanned project.

Two jobs:

* the pre-filter's ``ast`` stage (``prefilter``'s argument): ``summarise`` says which names a
  module binds to values that can carry an ``images`` path to an importer, and what it imports;
  ``screen`` says whether a file's own literals can make a finding at all;
* ``ImportResolver``: resolves an imported name to its template when a file needs it, loading the
  defining module on demand (cached per process) with the same evaluator as the file itself.
"""
from __future__ import annotations

import ast
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from .cache import settled_signature_of
from .endpoints import HOLE_CHAR
from .nesting_bound import offer

RELEVANT = "images"  # every abandoned endpoint's path has an ``images`` segment


# -- the pre-filter's ast stage -------------------------------------------------------------------------

# What a binding's code holds, from its source lines: (a live ``images`` occurrence, the names,
# the attribute names). Read from the bytes (``prefilter.classify``, identifier and ``.name``
# scans): text in strings and comments counts too, an over-approximation.
Facts = Tuple[bool, FrozenSet[str], FrozenSet[str]]
_NO_FACTS: Facts = (False, frozenset(), frozenset())
_IDENTIFIER = re.compile(rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*")
_ATTRIBUTE = re.compile(rb"\.[ \t]*([A-Za-z_\x80-\xff][\w\x80-\xff]*)")
_SELF_STORE = re.compile(rb"(?<![\w.])self[ \t]*\.[ \t]*([A-Za-z_\x80-\xff][\w\x80-\xff]*)[ \t]*(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_IDENTIFIER_TEXT = re.compile(r"[^\W\d]\w*")
_ATTRIBUTE_TEXT = re.compile(r"\.[ \t]*([^\W\d]\w*)")


@dataclass(frozen=True)
class Exports:
    """What a module carries to importers: names whose value can hold a live ``images`` path
    (constants, one-``return`` helpers), and classes with the attributes that can (class
    attributes, ``self.X = ...`` in their methods, one-``return`` methods, inherited ones)."""

    names: FrozenSet[str] = frozenset()
    classes: Tuple[Tuple[str, FrozenSet[str]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.names or self.classes)

    @property
    def class_attributes(self) -> Dict[str, FrozenSet[str]]:
        return dict(self.classes)


NOTHING = Exports()


@dataclass
class Summary:
    """What the pre-filter needs from one ``ast`` parse of a module (``prefilter``'s argument).

    ``bindings``: names bound at module level (nested blocks included) other than classes, with
    the facts of the code binding them (a function's only if it is one ``return``, as the helpers
    the evaluator inlines are); ``classes``: module-level classes, their bases as written and
    their attributes' facts; ``imports``: the module-level imports ``(alias, level, module, name)``
    (``name`` "" for ``import module``); ``attributes``: every ``.name`` in the file.
    """

    bindings: Dict[str, Facts]
    classes: Dict[str, Tuple[Tuple[str, ...], Dict[str, Facts]]]
    imports: Tuple[Tuple[str, int, str, str], ...]
    attributes: FrozenSet[str]

    def to_json(self) -> list:
        def facts(value: Facts) -> list:
            return [value[0], sorted(value[1]), sorted(value[2])]

        return [{name: facts(value) for name, value in self.bindings.items()},
                {name: [list(bases), {attr: facts(value) for attr, value in attrs.items()}]
                 for name, (bases, attrs) in self.classes.items()},
                [list(entry) for entry in self.imports], sorted(self.attributes)]

    @classmethod
    def from_json(cls, data: list) -> "Summary":
        def facts(value: list) -> Facts:
            return bool(value[0]), frozenset(value[1]), frozenset(value[2])

        bindings, classes, imports, attributes = data
        return cls({name: facts(value) for name, value in bindings.items()},
                   {name: (tuple(bases), {attr: facts(value) for attr, value in attrs.items()})
                    for name, (bases, attrs) in classes.items()},
                   tuple((str(a), int(level), str(m), str(n)) for a, level, m, n in imports), frozenset(attributes))

    def carriers(self, exports: Callable[[int, str], Optional[Exports]]) -> Exports:
        """What this module carries, given what the modules it imports carry (``exports(level,
        module)``; None: a module ``ast`` cannot parse, taken to carry everything)."""
        everything = self.attributes
        names: Set[str] = set()
        classes: Dict[str, Set[str]] = {}
        modules: Dict[str, Tuple[FrozenSet[str], Dict[str, FrozenSet[str]]]] = {}  # alias -> carried (names, classes)
        for alias, level, module, name in self.imports:
            if name == "*":
                continue
            if name == "":
                found = exports(level, module)
                modules[alias] = (everything, {}) if found is None else (found.names, found.class_attributes)
                continue
            found = exports(level, module)
            if found is None:
                names.add(alias)
                classes[alias] = set(everything)
            else:
                if name in found.names:
                    names.add(alias)
                attrs = found.class_attributes.get(name)
                if attrs:
                    classes[alias] = set(attrs)
            inner = exports(level, f"{module}.{name}" if module else name)  # ``from pkg import module``
            if inner is None:
                modules[alias] = (everything, {})
            elif inner:
                modules[alias] = (inner.names, inner.class_attributes)

        def carries(facts: Facts) -> bool:
            live, used, attrs = facts
            if live or not used.isdisjoint(names):
                return True
            for name in used:
                if name in classes and not attrs.isdisjoint(classes[name]):
                    return True
                if name in modules and not attrs.isdisjoint(modules[name][0]):
                    return True  # ``module.NAME``; ``module.Class.ATTR`` is not followed, a base class is
            return False

        changed = True
        while changed:  # names built from other names of the module, classes from their bases
            changed = False
            for name, facts in self.bindings.items():
                if name not in names and carries(facts):
                    names.add(name)
                    changed = True
            for name, (bases, attrs) in self.classes.items():
                carried = classes.setdefault(name, set())
                size = len(carried)
                carried.update(attr for attr, facts in attrs.items() if attr not in carried and carries(facts))
                for base in bases:
                    root, _, rest = base.partition(".")
                    if not rest:
                        carried |= classes.get(root, set())
                    elif root in modules and "." not in rest:
                        carried |= modules[root][1].get(rest, frozenset())
                if len(carried) != size:
                    changed = True
        return Exports(frozenset(names), tuple(sorted((name, frozenset(attrs)) for name, attrs in classes.items() if attrs)))


def _parse(source: bytes) -> Optional[ast.Module]:
    """The module's ``ast``, or None when ``ast`` cannot parse it (any reason)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def summarise(source: bytes) -> Optional[Summary]:
    """The module's ``Summary``, or None when ``ast`` cannot parse it."""
    tree = _parse(source)
    return None if tree is None else summary_of(tree, source)


def summary_of(tree: ast.Module, source: bytes) -> Summary:
    starts = [0] + [match.end() for match in _LINE_BREAK.finditer(source)]

    def lines(node: ast.AST) -> bytes:
        first, last = node.lineno, getattr(node, "end_lineno", None) or node.lineno
        return source[starts[first - 1] if first - 1 < len(starts) else len(source):
                      starts[last] if last < len(starts) else len(source)]

    bindings: Dict[str, Facts] = {}
    classes: Dict[str, Tuple[Tuple[str, ...], Dict[str, Facts]]] = {}
    imports: List[Tuple[str, int, str, str]] = []

    def bind(table: Dict[str, Facts], name: str, facts: Facts) -> None:
        old = table.get(name)
        table[name] = facts if old is None else (old[0] or facts[0], old[1] | facts[1], old[2] | facts[2])

    for statement in _module_statements(tree.body):
        if isinstance(statement, ast.ClassDef):
            bases = tuple(_dotted(base) for base in statement.bases if _dotted(base))
            attributes: Dict[str, Facts] = {}
            for inner in _module_statements(statement.body):
                if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    text = lines(inner)
                    facts = _facts(text)
                    if _single_return_value(inner) is not None:
                        bind(attributes, inner.name, facts)
                    if not facts[0]:  # ``self.X = ...`` in a method without a live literal
                        for match in _SELF_STORE.finditer(text):
                            bind(attributes, match.group(1).decode("utf-8", "replace"), facts)
                        continue
                    for node in ast.walk(inner):  # with one: each assignment's own lines
                        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                            node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None else []
                        for target in targets:
                            for element in ast.walk(target):
                                if isinstance(element, ast.Attribute) and isinstance(element.value, ast.Name) \
                                        and element.value.id == "self" and isinstance(element.ctx, ast.Store):
                                    bind(attributes, element.attr, _facts(lines(node)))
                elif isinstance(inner, ast.ClassDef):
                    bind(attributes, inner.name, _facts(lines(inner)))
                else:
                    text = lines(inner)
                    facts = _facts(text)
                    for name in _bound(inner, text):
                        bind(attributes, name, facts)
            old = classes.get(statement.name)
            if old is not None:
                for attr, facts in old[1].items():
                    bind(attributes, attr, facts)
                bases = old[0] + bases
            classes[statement.name] = (bases, attributes)
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bind(bindings, statement.name, _facts(lines(statement)) if _single_return_value(statement) is not None else _NO_FACTS)
            continue
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                imports.append((alias.asname or alias.name.split(".")[0], 0, alias.name, ""))
        elif isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                imports.append((alias.asname or alias.name, statement.level or 0, statement.module or "", alias.name))
        text = lines(statement)
        facts = _facts(text)
        for name in _bound(statement, text):
            bind(bindings, name, facts)
    attributes_used = frozenset(match.decode("utf-8", "replace") for match in _ATTRIBUTE.findall(source))
    return Summary(bindings, classes, tuple(imports), attributes_used)


def _facts(text: bytes) -> Facts:
    from .prefilter import classify

    decoded = text.decode("utf-8", "replace")
    return (classify(text) is not None, frozenset(_IDENTIFIER_TEXT.findall(decoded)),
            frozenset(_ATTRIBUTE_TEXT.findall(decoded)))


def _module_statements(body):
    """The statements of a scope, the blocks of ``if``/``try``/``with``/``for``/``while``/``match``
    opened (their names bind in the same scope), function and class bodies not."""
    for statement in body:
        if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)) or \
                type(statement).__name__ in ("TryStar", "Match"):
            yield statement  # its own targets (``for X in``, ``with ... as X``, walrus) bind too
            blocks = [getattr(statement, field, None) or [] for field in ("body", "orelse", "finalbody")]
            blocks += [handler.body for handler in getattr(statement, "handlers", ())]
            blocks += [case.body for case in getattr(statement, "cases", ())]
            for block in blocks:
                yield from _module_statements(block)
            continue
        yield statement


def _single_return_value(function) -> Optional[ast.AST]:
    """The value of a function whose body is (a docstring and) one ``return <value>``
    (``evaluate._single_return``, on ``ast``)."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    return body[0].value


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _bound(statement: ast.stmt, text: bytes = b":=") -> Set[str]:
    """The names a statement binds in its scope (walrus and loop targets included, nested blocks
    left to ``_module_statements``; function and class bodies not); ``text``: its source lines."""
    kind = type(statement)
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return {statement.name}
    if kind is ast.Import or kind is ast.ImportFrom:
        return {alias.asname or alias.name.split(".")[0] for alias in statement.names if alias.name != "*"}
    if kind is ast.Assign:
        pending: List[ast.AST] = list(statement.targets)
        values = [statement.value]
    elif kind in (ast.AnnAssign, ast.AugAssign):
        pending, values = [statement.target], [statement.value] if statement.value is not None else []
    elif kind in (ast.For, ast.AsyncFor):
        pending, values = [statement.target], [statement.iter]
    elif kind in (ast.With, ast.AsyncWith):
        pending = [item.optional_vars for item in statement.items if item.optional_vars is not None]
        values = [item.context_expr for item in statement.items]
    elif kind in (ast.If, ast.While):
        pending, values = [], [statement.test]
    elif kind is ast.Expr or kind is ast.Return:
        pending, values = [], [statement.value] if statement.value is not None else []
    elif kind in (ast.Try, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal):
        return set()
    else:  # anything else (``match``, ``del``, ``assert``...): every name it stores
        pending, values = [statement], []
    bound: Set[str] = set()
    while pending:
        node = pending.pop()
        if type(node) is ast.Name:
            if type(node.ctx) is ast.Store:
                bound.add(node.id)
            continue
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse", "finalbody", "handlers", "cases") and node is statement:
                continue  # the blocks: their own statements
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, ast.AST) and not isinstance(item, (ast.Lambda, ast.stmt)))
            elif isinstance(value, ast.AST) and not isinstance(value, ast.Lambda):
                pending.append(value)
    if b":=" in text:  # walrus targets
        for value in values:
            for node in ast.walk(value):
                if type(node) is ast.NamedExpr and type(node.target) is ast.Name:
                    bound.add(node.target.id)
    return bound


def screen(source: bytes, client_library: bool = False) -> bool:
    """Whether one of the file's string literals has a live ``images`` segment outside the places
    the engine never reports (``prefilter``'s argument), or, for a file that uses an image client
    library (``client_library``: ``prefilter.uses_client_library``), whether it may pin or build
    such a client itself; True when ``ast`` cannot parse it."""
    from .prefilter import STRONG, value_kind

    tree = _parse(source)
    if tree is None:
        return True
    offer(source, tree)  # (the nesting guard of the libcst parse that follows uses it too)
    if client_library and _may_use_image_client(tree):
        return True
    # (node, parent, grandparent, whether the node lies in a ``raise`` statement)
    pending: List[Tuple[ast.AST, Optional[ast.AST], Optional[ast.AST], bool]] = [(tree, None, None, False)]
    while pending:
        node, parent, grandparent, raised = pending.pop()
        kind = type(node)
        if kind is ast.Constant:
            value = node.value
            if type(value) is not str or "images" not in value:
                continue
            after_hole = False
            subject, holder, above = node, parent, grandparent
            if type(parent) is ast.JoinedStr:  # a piece of an f-string: the engine sees the f-string
                values = parent.values
                index = next(i for i, part in enumerate(values) if part is node)
                after_hole = index > 0 and type(values[index - 1]) is ast.FormattedValue
                subject, holder, above = parent, grandparent, None
            found = value_kind(value, after_hole)
            if found == STRONG:
                return True
            if found is not None and not raised and not _never_reported(subject, holder, above):
                return True
            continue
        if kind is ast.Raise:
            raised = True
        for child in ast.iter_child_nodes(node):
            pending.append((child, node, parent, raised))
    return False


# What ``sdk_clients`` reports needs a client built (or pinned: ``image_api_version=``) in the
# module itself, by a call whose name, through the module's imports (``_Finder._qualified``), is
# one of its constructors, all of them in these packages and named so; or ``OS_IMAGE_API_VERSION``
# set in ``os.environ`` (``_Finder._environment_pin``).
_CLIENT_PACKAGES = frozenset({"glanceclient", "novaclient", "openstack"})
_CLIENT_CONSTRUCTORS = frozenset({"Client", "connect", "Connection", "from_config"})
_ENVIRONMENT_SETTERS = frozenset({"setdefault", "putenv"})


def _may_use_image_client(tree: ast.Module) -> bool:
    """Whether the module may build one of those clients: a call whose name's root is bound by an
    import (anywhere in the module) from one of the packages, and whose last part, or the imported
    name it stands for, is a constructor's name; or may set the variable: a subscript of
    ``environ``, or a call of ``setdefault`` or ``putenv``."""
    imported: Dict[str, Set[str]] = {}  # bound name -> the last parts of what imports bind to it
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Subscript:
            value = node.value
            if (type(value) is ast.Name and value.id == "environ") or (type(value) is ast.Attribute and value.attr == "environ"):
                return True
        elif kind is ast.Call:
            func = node.func
            if (type(func) is ast.Attribute and func.attr in _ENVIRONMENT_SETTERS) or (type(func) is ast.Name and func.id == "putenv"):
                return True
        elif kind is ast.Import:
            for alias in node.names:
                if alias.name.split(".")[0] in _CLIENT_PACKAGES:
                    bound = alias.asname or alias.name.split(".")[0]
                    imported.setdefault(bound, set()).add(alias.name.rsplit(".", 1)[-1])
        elif kind is ast.ImportFrom and not node.level and (node.module or "").split(".")[0] in _CLIENT_PACKAGES:
            for alias in node.names:
                imported.setdefault(alias.asname or alias.name, set()).add(alias.name)
    if not imported:
        return False
    for node in ast.walk(tree):
        if type(node) is not ast.Call:
            continue
        func, last = node.func, None
        if type(func) is ast.Attribute:
            last = func.attr
            while type(func) is ast.Attribute:
                func = func.value
        if type(func) is ast.Name and func.id in imported:
            names = {last} if last is not None else imported[func.id]
            if names & _CLIENT_CONSTRUCTORS:
                return True
    return False


def _never_reported(node: ast.AST, holder: Optional[ast.AST], above: Optional[ast.AST]) -> bool:
    """A literal (``node``: the string, or the f-string it is a piece of) in a place the engine
    never reports: a bare string statement (docstring), a subscript, a comparison (also as an
    element of a compared tuple, list or set), a dictionary key whose value is not a dictionary
    (a test double's ``{URL: {"GET": ...}}`` is one), a path divided with ``/``."""
    kind = type(holder)
    if kind is ast.Expr:
        return True
    if kind is ast.Subscript:
        return holder.slice is node
    if kind is ast.Compare:
        return True
    if kind is ast.Dict:
        for key, value in zip(holder.keys, holder.values):
            if key is node:
                return type(value) is not ast.Dict
        return False
    if kind is ast.BinOp:
        return type(holder.op) is ast.Div
    if kind in (ast.Tuple, ast.List, ast.Set):
        return type(above) is ast.Compare
    return False


def _statement_assignments(statement):
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Name):
                yield target.id, statement.value
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and statement.value is not None:
        if isinstance(statement.target, ast.Name):
            yield statement.target.id, statement.value
    elif isinstance(statement, ast.ImportFrom):
        for alias in statement.names:
            yield alias.asname or alias.name, ast.Name(id=alias.name)


# -- import resolution (libcst, on demand) ---------------------------------------------------------------


def find_module(current_file: str, module: str, level: int, roots: Sequence[str]) -> Optional[str]:
    """The file defining ``module`` as imported from ``current_file`` (``from ..a import b``: level 2)."""
    if level:
        base = os.path.dirname(os.path.abspath(current_file))
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases: Tuple[str, ...] = (base,)
    else:
        bases = (_package_root(current_file), *roots)
    return _remembered(_MODULES, (bases, module), _module_in)


def _module_in(key: Tuple[Tuple[str, ...], str]) -> Optional[str]:
    bases, module = key
    parts = [part for part in module.split(".") if part]
    for base in bases:
        stem = os.path.join(base, *parts) if parts else base
        for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
            if parts and _is_file(candidate):
                return candidate
            if not parts and candidate.endswith("__init__.py") and _is_file(candidate):
                return candidate
    return None


def _is_file(path: str) -> bool:
    return _remembered(_FILES, path, os.path.isfile)


def real_path(path: str) -> str:
    """``os.path.realpath``, remembered while a run lasts."""
    return _remembered(_REAL_PATHS, path, os.path.realpath)


def _remembered(known: Optional[dict], key, compute: Callable):
    """``compute(key)``, kept in ``known`` (one of the memos below) while a run lasts."""
    if known is None:
        return compute(key)
    if key not in known:
        known[key] = compute(key)
    return known[key]


# Package roots by directory, whether a path is a file, which file a module is and where a link
# leads, while a run lasts (``remember_package_roots``): a tree asks the same few thousand paths
# tens of thousands of times (each import of each file, each cached result's check). None: not
# kept (an editor's process outlives changes to the tree).
_PACKAGE_ROOTS: Optional[Dict[str, str]] = None
_FILES: Optional[Dict[str, bool]] = None
_MODULES: Optional[Dict[Tuple[Tuple[str, ...], str], Optional[str]]] = None
_REAL_PATHS: Optional[Dict[str, str]] = None


def remember_package_roots(remember: bool) -> None:
    """Keeps package roots and module files from now on (forgetting those known), or stops."""
    global _PACKAGE_ROOTS, _FILES, _MODULES, _REAL_PATHS
    _PACKAGE_ROOTS, _FILES, _MODULES, _REAL_PATHS = ({}, {}, {}, {}) if remember else (None, None, None, None)


def _package_root(path: str) -> str:
    return _remembered(_PACKAGE_ROOTS, os.path.dirname(os.path.abspath(path)), _root_above)


def _root_above(directory: str) -> str:
    while _is_file(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


# The files whose cached results the current file's analysis used (``cache.dependencies``).
touched: Set[str] = set()


class _FileCache:
    """What was computed from files, least recently used first out, each with the file's
    signature when it was read (taken before reading: a later change always shows)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: "OrderedDict[str, Tuple[object, object]]" = OrderedDict()

    def get(self, path: str, compute: Callable[[str], object]):
        touched.add(path)
        if path in self.entries:
            self.entries.move_to_end(path)
            return self.entries[path][1]
        signature = settled_signature_of(path)
        self.entries[path] = (signature, None)  # guards against import cycles while loading
        self.entries[path] = (signature, compute(path))
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return self.entries[path][1]

    def changed(self) -> bool:
        return any(signature is None or settled_signature_of(path) != signature for path, (signature, _) in self.entries.items())

    def clear(self) -> None:
        self.entries.clear()


class _ModuleCache(_FileCache):
    """Evaluators of modules loaded for their constants, per process (a few hundred at most)."""

    def evaluator(self, path: str, roots: Tuple[str, ...]):
        return self.get(real_path(path), lambda key: _load(key, roots))


def _load(path: str, roots: Tuple[str, ...]):
    from .engine import ParseFailure, parse
    from .evaluate import Evaluator
    from .source import SourceError, decode_source
    from .tree import collect

    try:
        with open(path, "rb") as stream:
            text = decode_source(stream.read()).text
        module = parse(text)
    except (OSError, SourceError, ParseFailure):
        return None
    facts = collect(module)
    return Evaluator(facts, ImportResolver(path, roots))


_CACHE = _ModuleCache(256)

# What ``ast`` says of a module that is imported from (parsing with ``ast`` is several times
# cheaper than with libcst, and most imported names are functions, classes or tables, never
# strings): read once per module for every question below.
_STRING_LIKE = (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Name, ast.Attribute, ast.Call, ast.IfExp)


class _Everything(frozenset):
    def __contains__(self, item) -> bool:
        return True


@dataclass(frozen=True)
class _Outline:
    values: Dict[str, ast.AST]  # top-level name -> its class or its last assigned value
    # The names the module binds in its scope with ``def``, ``class`` or an import: all that
    # ``locate``'s callers follow (functions, classes, re-exports of either); every name when
    # ``ast`` cannot parse it (libcst decides then).
    names: FrozenSet[str]
    # Functions (anywhere in the module) whose body may be one ``return``: the only ones that
    # ``evaluate._single_return`` can inline as helpers, so the only reason to load the module
    # with libcst for a helper call. A superset: any leading constant counts as the docstring.
    one_return: FrozenSet[str]
    # Those of them whose returned expression names one of their parameters: the only ones that
    # can build a string from their arguments (``evaluate._builds_from_parameters``).
    from_parameters: FrozenSet[str]
    # The names it binds with an import: a re-export (a package's ``__init__``) may relay a helper.
    relayed: FrozenSet[str]

    def follows(self, name: str, one_return: bool, from_parameters: bool) -> bool:
        """Whether a caller of ``ImportResolver.locate`` (with its wishes) can use ``name`` here."""
        if name not in self.names:
            return False
        if name in self.relayed or not one_return:
            return True
        return name in (self.from_parameters if from_parameters else self.one_return)


def _outline(path: str) -> _Outline:
    return _OUTLINES.get(real_path(path), _read_outline)


def _read_outline(path: str) -> _Outline:
    try:
        with open(path, "rb") as stream:
            tree = _parse(stream.read())
    except OSError:
        return _Outline({}, frozenset(), frozenset(), frozenset(), frozenset())
    if tree is None:
        return _Outline({}, _Everything(), _Everything(), _Everything(), _Everything())
    values = {}
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            values[statement.name] = statement
        for target, value in _statement_assignments(statement):
            values[target] = value
    names, relayed = set(), set()
    for statement in _module_statements(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names |= _bound(statement)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            relayed |= _bound(statement)
    names |= relayed
    one_return, from_parameters = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            returned = _one_return(node.body)
            if returned is None:
                continue
            one_return.add(node.name)
            arguments = node.args
            parameters = {arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
            if returned.value is not None and any(
                type(name) is ast.Name and name.id in parameters for name in ast.walk(returned.value)
            ):
                from_parameters.add(node.name)
    return _Outline(values, frozenset(names), frozenset(one_return), frozenset(from_parameters), frozenset(relayed))


def _one_return(body: list) -> Optional[ast.Return]:
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, (ast.Constant, ast.JoinedStr)):
        body = body[1:]
    return body[0] if len(body) == 1 and isinstance(body[0], ast.Return) else None


_OUTLINES = _FileCache(512)


def forget_changed_modules() -> bool:
    """Forgets every module loaded for its constants when any of them changed on disk since it
    was read; for long-lived processes (repeated ``lint_paths``, editors). All go, not just the
    changed ones: a module's values can come from the modules it imports."""
    if not (_CACHE.changed() or _OUTLINES.changed()):
        return False
    _CACHE.clear()
    _OUTLINES.clear()
    return True


def _may_be_string(path: str, name: str, is_class: bool) -> bool:
    value = _outline(path).values.get(name)
    if is_class:
        return isinstance(value, ast.ClassDef)
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    return isinstance(value, _STRING_LIKE)


class ImportResolver:
    """Resolves ``from x import NAME`` and ``module.NAME`` to templates for one file."""

    def __init__(self, current_file: str, roots: Sequence[str] = ()) -> None:
        self.current_file = current_file
        self.roots = tuple(roots)
        # (defining file, name) of every imported constant whose value holds ``images``: what other
        # modules take from a module (``projects``: a constant imported elsewhere is not rewritten
        # where it is defined).
        self.imported: Set[Tuple[str, str]] = set()

    def __call__(self, binding, attribute: Optional[str] = None):
        module, name, level = binding.imported
        if attribute is None:  # ``from module import NAME``
            return self._constant(find_module(self.current_file, module, level, self.roots), name)
        if name:  # ``from pkg import mod`` then ``mod.NAME``, or ``from mod import Class``: ``Class.NAME``
            submodule = find_module(self.current_file, f"{module}.{name}" if module else name, level, self.roots)
            if submodule:
                return self._constant(submodule, attribute)
            target = find_module(self.current_file, module, level, self.roots)
            return self._constant(target, name, attribute)
        # ``import pkg.mod as m`` then ``m.NAME``
        return self._constant(find_module(self.current_file, module, level, self.roots), attribute)

    def locate(self, binding, attribute: Optional[str] = None, one_return: bool = False,
               from_parameters: bool = False):
        """(evaluator of the defining module, name there) for an imported name, ``module.NAME``
        when ``attribute`` is given; None when the module is not part of the project. For
        following functions and classes (wrappers, base classes), never for editing them.
        ``one_return``: only a function whose body may be one ``return`` is wanted (a helper);
        ``from_parameters``: one whose returned expression also names a parameter."""
        module, name, level = binding.imported
        if attribute is not None and name:
            submodule = find_module(self.current_file, f"{module}.{name}" if module else name, level, self.roots)
            path, name = (submodule, attribute) if submodule else (None, name)
        elif attribute is not None:
            path, name = find_module(self.current_file, module, level, self.roots), attribute
        else:
            path = find_module(self.current_file, module, level, self.roots)
            if path is None and module:  # ``from pkg import module``: a module, no name to follow
                find_module(self.current_file, f"{module}.{name}", level, self.roots)  # (recorded for the cache)
                return None
        if path is None or not _outline(path).follows(name, one_return, from_parameters):
            return None  # nothing there a caller could follow: the module is not loaded
        evaluator = _CACHE.evaluator(path, self.roots)
        return (evaluator, name) if evaluator is not None else None

    def _constant(self, path: Optional[str], name: str, attribute: Optional[str] = None):
        if path is None or not _may_be_string(path, name, attribute is not None):
            return None
        evaluator = _CACHE.evaluator(path, self.roots)
        if evaluator is None:
            return None
        bindings = evaluator.facts.module_scope.bindings.get(name)
        if not bindings:
            return None
        binding = bindings[-1]
        if attribute is not None:  # a class attribute (an Enum member, a constants class)
            scope = evaluator.facts.scopes_by_node.get(binding.statement)
            members = scope.bindings.get(attribute) if scope is not None else None
            if not members:
                return None
            binding = members[-1]
        value = evaluator.binding_value(binding)
        if value is None:
            return None
        if RELEVANT in value.text and attribute is None:
            self.imported.add((real_path(path), name))
        return detach(value)


def detach(template):
    """A template from another module: text only (it is rewritten at the use site, never there)."""
    from .strings import Hole, Lit, Template

    pieces = tuple(
        Lit(piece.text) if isinstance(piece, Lit) else Hole(None, piece.label) for piece in template.pieces
    )
    return Template(pieces)


__all__ = ["Exports", "Summary", "summarise", "screen", "find_module", "ImportResolver", "detach", "HOLE_CHAR"]
