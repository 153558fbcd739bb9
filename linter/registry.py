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


@lru_cache(maxsize=None)
def _module_codes() -> List[str]:
    """Codes from the rule modules' names (``ims001_...`` → IMS001), without importing them:
    rule modules import libcst, and a clean pre-commit run must not pay for that."""
    from . import rules as rules_package

    codes = []
    for info in pkgutil.iter_modules(rules_package.__path__):
        prefix = info.name.split("_", 1)[0].upper()
        if len(prefix) == 6 and prefix.startswith("IMS") and prefix[3:].isdigit():
            codes.append(prefix)
    return codes


def known_codes() -> List[str]:
    return sorted({UNREADABLE_CODE, *_module_codes()})
