"""Finds the rule classes in ``linter.rules`` (one module per rule)."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Dict, List, Type

from .rule import Rule

# IMS000 has no module: the engine itself reports unreadable files.
UNREADABLE_CODE = "IMS000"
UNREADABLE_NAME = "unreadable-file"


@lru_cache(maxsize=None)
def all_rules() -> List[Type[Rule]]:
    from . import rules as rules_package

    found = []
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda rule: rule.code)


def rules_by_code() -> Dict[str, Type[Rule]]:
    return {rule.code: rule for rule in all_rules()}


def known_codes() -> List[str]:
    return sorted([UNREADABLE_CODE, *rules_by_code()])
