"""imslint: find and rewrite calls to Huawei Cloud IMS's abandoned image APIs.

Library API (imported lazily, so ``import linter`` stays cheap):
``lint_source(source, path) -> list[Finding]``, ``fix_source(source, path, unsafe=False) ->
FixOutcome``, ``lint_paths(paths) -> list[Finding]``.
"""
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["lint_source", "fix_source", "lint_paths", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .api import fix_source, lint_paths, lint_source


def __getattr__(name: str) -> Any:
    if name in ("lint_source", "fix_source", "lint_paths"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'linter' has no attribute {name!r}")
