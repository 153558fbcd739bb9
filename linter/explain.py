"""``imslint explain CODE``: a rule's documentation with its examples."""
from __future__ import annotations

import inspect
from typing import List, Optional

from .registry import UNREADABLE_CODE, UNREADABLE_NAME, rules_by_code

_UNREADABLE_DOC = """A file that cannot be decoded (bad encoding declaration, invalid bytes, NUL bytes) or
parsed (syntax error, nesting too deep), or that could not be read or written. The file is
reported once and skipped; the run goes on and exits 1."""


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.rstrip("\n").splitlines())


def fix_safety_contract() -> str:
    """The contract every fix is judged by (``evidence.safety``'s documentation)."""
    from .evidence import safety

    doc = inspect.cleandoc(safety.__doc__ or "")
    return doc.split("\n\n", 1)[1] if "\n\n" in doc else doc


def explain_rule(code: str) -> Optional[str]:
    if code == UNREADABLE_CODE:
        return f"# {UNREADABLE_CODE} ({UNREADABLE_NAME})\n\n{_UNREADABLE_DOC}\n"
    rule = rules_by_code().get(code)
    if rule is None:
        return None
    parts: List[str] = [f"# {rule.code} ({rule.name})", "", f"{rule.summary}.", "", rule.doc(), ""]
    parts.append(f"Fix: {rule.fixable}. Severity: {rule.severity}.")
    if rule.fixable != "never":
        parts += ["", "## When a fix is safe", "", fix_safety_contract()]
    parts += ["", "## Code that is flagged", ""]
    for example in rule.INVALID:
        note = " (with --unsafe-fixes)" if example.unsafe else ""
        parts += [_indent(example.code), ""]
        if example.fixed is not None:
            parts += [f"  is fixed to{note}:", "", _indent(example.fixed), ""]
        else:
            parts += ["  has no automatic fix.", ""]
    parts += ["## Code that passes", ""]
    for example in rule.VALID:
        options = "".join(f"  ({key} = {value!r})" for key, value in example.options.items())
        parts += [_indent(example.code) + options, ""]
    return "\n".join(parts)
