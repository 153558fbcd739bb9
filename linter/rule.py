"""What a rule is: a code, a name, its documentation and examples, and a check.

Rules live one per module in ``linter.rules`` (the ``rules/`` folder). Each module defines one
``Rule`` subclass; its docstring is the rule's documentation and its ``VALID`` / ``INVALID``
examples are run by the test suite and printed by ``imslint explain``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Dict, Iterable, List, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .context import FileContext
    from .findings import Finding


@dataclass(frozen=True)
class Valid:
    """Code that must produce no finding of the rule."""

    code: str
    options: Dict[str, object] = field(default_factory=dict)  # config overrides, e.g. target


@dataclass(frozen=True)
class Invalid:
    """Code that must be flagged by the rule.

    ``fixed`` is the expected result of ``imslint fix`` (``None``: no fix is offered);
    ``unsafe`` says the fix is only applied with ``--unsafe-fixes``; ``codes`` lists every code
    the example must produce (the rule's own code at least).
    """

    code: str
    fixed: Optional[str] = None
    unsafe: bool = False
    codes: Tuple[str, ...] = ()
    options: Dict[str, object] = field(default_factory=dict)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[str] = "error"
    fixable: ClassVar[str] = "sometimes"  # "always", "sometimes" or "never"
    VALID: ClassVar[List[Valid]] = []
    INVALID: ClassVar[List[Invalid]] = []

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    def check(self, ctx: "FileContext") -> Iterable["Finding"]:  # pragma: no cover - abstract
        raise NotImplementedError
