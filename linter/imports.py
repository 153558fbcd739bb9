"""Keeps fixed code clean for other linters: an import the fixes left unused goes too.

A fix that inlines an imported constant (``requests.get(BASE + LIST_PATH)`` becomes
``requests.get(BASE + "/v2/images")``) can leave ``from .paths import LIST_PATH`` unused (pyflakes'
F401). Only names that were used before the fixes and are used nowhere after them are removed;
an import used by ``__all__``, a re-export or a ``*`` import stays.
"""
from __future__ import annotations

import ast
from typing import Set

import libcst as cst


def _used_names(tree: ast.AST) -> Set[str]:
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            used.add(node.id)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            for item in ast.walk(node.value):
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    used.add(item.value)
    return used


def _imported(tree: ast.Module) -> Set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names if alias.name != "*")
    return names


def drop_orphaned_imports(before: str, after: str) -> str:
    """``after`` without the module-level ``from ... import NAME`` names that ``before`` used and
    ``after`` no longer uses; ``after`` unchanged when there is none (or anything is unclear)."""
    try:
        old_tree, new_tree = ast.parse(before), ast.parse(after)
    except (SyntaxError, ValueError, RecursionError):
        return after
    orphaned = (_imported(new_tree) & _used_names(old_tree)) - _used_names(new_tree)
    if not orphaned:
        return after
    try:
        module = cst.parse_module(after)
    except Exception:
        return after
    changed = module.visit(_Remover(orphaned))
    return changed.code


class _Remover(cst.CSTTransformer):
    def __init__(self, names: Set[str]) -> None:
        self.names = names

    def visit_FunctionDef(self, node) -> bool:
        return False

    def visit_ClassDef(self, node) -> bool:
        return False

    def leave_SimpleStatementLine(self, original, updated):
        if len(updated.body) != 1 or not isinstance(updated.body[0], cst.ImportFrom):
            return updated
        statement = updated.body[0]
        if isinstance(statement.names, cst.ImportStar):
            return updated
        kept = [alias for alias in statement.names if _bound(alias) not in self.names]
        if len(kept) == len(statement.names):
            return updated
        if not kept:
            return cst.RemoveFromParent()
        last = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        kept = [*kept[:-1], last]
        parenthesised = statement.lpar is not None
        return updated.with_changes(body=[statement.with_changes(names=kept, lpar=statement.lpar if parenthesised else None,
                                                                 rpar=statement.rpar if parenthesised else None)])


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value if isinstance(name, cst.Name) else ""
