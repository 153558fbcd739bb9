"""Constants across the modules of the scanned project.

Two jobs, both cheap:

* ``exported_names``: which module-level (or class-level) names of a module hold a string that
  contains ``images``, found with the standard ``ast`` module (several times faster than libcst).
  The pre-filter uses these names to keep files that build an endpoint from imported constants.
* ``ImportResolver``: resolves an imported name to its template when a file needs it, loading the
  defining module on demand (cached per process) with the same evaluator as the file itself.
"""
from __future__ import annotations

import ast
import os
import time
from collections import OrderedDict
from typing import Callable, Iterable, Optional, Sequence, Set, Tuple

from .endpoints import HOLE_CHAR
from .prefilter import VALUE_SEGMENT

RELEVANT = "images"  # every abandoned endpoint's path has an ``images`` segment


# -- exported names (ast) ----------------------------------------------------------------------------


def exported_names(source: bytes, relevant: Iterable[str] = ()) -> Set[str]:
    """Names bound at module or class level to values that mention ``images`` (or a relevant name)."""
    return names_and_uses(source, relevant)[0]


def names_and_uses(source: bytes, relevant: Iterable[str] = ()) -> Tuple[Set[str], bool]:
    """``exported_names``, and whether the module can take the value of a ``relevant`` name
    from another module (``imports_any``); one parse for both. A module ``ast`` cannot parse
    exports nothing and counts as using every name (the engine reports why it does not parse)."""
    tree = _parse(source)
    if tree is None:
        return set(), True
    known = set(relevant)
    return _exported(tree, known), imports_any(tree, known)


def _parse(source: bytes) -> Optional[ast.Module]:
    """The module's ``ast``, or None when ``ast`` cannot parse it (any reason)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _exported(tree: ast.Module, known: Set[str]) -> Set[str]:
    names: Set[str] = set()
    changed = True
    while changed:  # names built from other names of the module
        changed = False
        for target, value in _assignments(tree):
            if target not in names and _mentions(value, known | names):
                names.add(target)
                changed = True
    return names


def seed_facts(source: bytes) -> Tuple[Set[str], bool]:
    """For a file whose bytes pass the seed test: ``exported_names``, and whether one of its own
    string literals has an ``images`` segment (``prefilter.VALUE_SEGMENT`` on the value: implicit
    concatenation joined, escapes decoded, f-string pieces apart). Without one, the file's own
    text cannot make an endpoint and it is a candidate only as an importer. One parse for both;
    a module ``ast`` cannot parse counts as having one (the engine reports why it does not parse)."""
    tree = _parse(source)
    if tree is None:
        return set(), True
    own = any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) and VALUE_SEGMENT.search(node.value)
        for node in ast.walk(tree)
    )
    return _exported(tree, set()), own


def imports_any(tree: ast.Module, names: Set[str]) -> bool:
    """Whether the module can get the value of one of ``names`` from another module the ways the
    evaluator does (through ``ImportResolver``): ``from m import NAME`` (under any alias), or
    ``X.NAME`` where ``X`` (or the start of ``X.Y``) is bound by an import. Imports anywhere in
    the file count, and a ``*`` import counts as importing everything: over-approximations."""
    bound: Set[str] = set()
    attributes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in names or alias.name == "*":
                    return True
                bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            bound.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Attribute) and node.attr in names:
            attributes.append(node)
    return any(_root_name(node.value) in bound for node in attributes)


def _root_name(node: ast.AST) -> Optional[str]:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _assignments(tree: ast.Module):
    for statement in tree.body:
        yield from _statement_assignments(statement)
        if isinstance(statement, ast.ClassDef):
            for inner in statement.body:
                yield from _statement_assignments(inner)


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


def _mentions(value: ast.AST, names: Set[str]) -> bool:
    for node in ast.walk(value):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and VALUE_SEGMENT.search(node.value):
            return True
        if isinstance(node, ast.Name) and node.id in names:
            return True
        if isinstance(node, ast.Attribute) and node.attr in names:
            return True
    return False


# -- import resolution (libcst, on demand) ---------------------------------------------------------------


def find_module(current_file: str, module: str, level: int, roots: Sequence[str]) -> Optional[str]:
    """The file defining ``module`` as imported from ``current_file`` (``from ..a import b``: level 2)."""
    parts = [part for part in module.split(".") if part]
    if level:
        base = os.path.dirname(os.path.abspath(current_file))
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        bases = [_package_root(current_file), *roots]
    for base in bases:
        stem = os.path.join(base, *parts) if parts else base
        for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
            if parts and os.path.isfile(candidate):
                return candidate
            if not parts and candidate.endswith("__init__.py") and os.path.isfile(candidate):
                return candidate
    return None


def _package_root(path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


def _signature(path: str) -> Optional[str]:
    """The file's signature, or None (gone, or racily clean: ``cache.settled_signature``); None
    never counts as unchanged, so an entry read from a racily clean file is not trusted later."""
    from .cache import settled_signature

    try:
        return settled_signature(os.stat(path), time.time_ns())
    except OSError:
        return None


class _FileCache:
    """What was computed from files, least recently used first out, each with the file's
    signature when it was read (taken before reading: a later change always shows)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: "OrderedDict[str, Tuple[object, object]]" = OrderedDict()

    def get(self, path: str, compute: Callable[[str], object]):
        if path in self.entries:
            self.entries.move_to_end(path)
            return self.entries[path][1]
        signature = _signature(path)
        self.entries[path] = (signature, None)  # guards against import cycles while loading
        self.entries[path] = (signature, compute(path))
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return self.entries[path][1]

    def changed(self) -> bool:
        return any(signature is None or _signature(path) != signature for path, (signature, _) in self.entries.items())

    def clear(self) -> None:
        self.entries.clear()


class _ModuleCache(_FileCache):
    """Evaluators of modules loaded for their constants, per process (a few hundred at most)."""

    def evaluator(self, path: str, roots: Tuple[str, ...]):
        return self.get(os.path.realpath(path), lambda key: _load(key, roots))


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

# What ``ast`` says a module binds at top level (parsing with ``ast`` is several times cheaper than
# with libcst, and most imported names are functions, classes or tables, never strings).
_STRING_LIKE = (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Name, ast.Attribute, ast.Call, ast.IfExp)


def _top_level_values(path: str):
    return _TOP_LEVEL.get(path, _read_top_level_values)


def _read_top_level_values(path: str):
    try:
        with open(path, "rb") as stream:
            tree = _parse(stream.read())
    except OSError:
        return {}
    if tree is None:
        return {}
    values = {}
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            values[statement.name] = statement
        for target, value in _statement_assignments(statement):
            values[target] = value
    return values


_TOP_LEVEL = _FileCache(512)


def forget_changed_modules() -> bool:
    """Forgets every module loaded for its constants when any of them changed on disk since it
    was read; for long-lived processes (repeated ``lint_paths``, editors). All go, not just the
    changed ones: a module's values can come from the modules it imports."""
    if not (_CACHE.changed() or _TOP_LEVEL.changed()):
        return False
    _CACHE.clear()
    _TOP_LEVEL.clear()
    return True


def _may_be_string(path: str, name: str, is_class: bool) -> bool:
    value = _top_level_values(os.path.realpath(path)).get(name)
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

    def locate(self, binding, attribute: Optional[str] = None):
        """(evaluator of the defining module, name there) for an imported name, ``module.NAME``
        when ``attribute`` is given; None when the module is not part of the project. For
        following functions and classes (wrappers, base classes), never for editing them."""
        module, name, level = binding.imported
        if attribute is not None and name:
            submodule = find_module(self.current_file, f"{module}.{name}" if module else name, level, self.roots)
            path, name = (submodule, attribute) if submodule else (None, name)
        elif attribute is not None:
            path, name = find_module(self.current_file, module, level, self.roots), attribute
        else:
            path = find_module(self.current_file, module, level, self.roots)
            if path is None and module:  # ``from pkg import module``
                path = find_module(self.current_file, f"{module}.{name}", level, self.roots)
                return (_CACHE.evaluator(path, self.roots), None) if path else None
        if path is None:
            return None
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
            self.imported.add((os.path.realpath(path), name))
        return detach(value)


def detach(template):
    """A template from another module: text only (it is rewritten at the use site, never there)."""
    from .strings import Hole, Lit, Template

    pieces = tuple(
        Lit(piece.text) if isinstance(piece, Lit) else Hole(None, piece.label) for piece in template.pieces
    )
    return Template(pieces)


__all__ = ["exported_names", "names_and_uses", "seed_facts", "imports_any", "find_module", "ImportResolver", "detach", "HOLE_CHAR"]
