"""The closing line of a run: what was found, what `imslint fix` can do, how long it took."""
from __future__ import annotations

from typing import Sequence

from ..findings import Finding


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def fixable_clause(findings: Sequence[Finding], unsafe_fixes: bool) -> str:
    safe = sum(1 for f in findings if f.fix is not None and f.fix.is_safe)
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.is_safe)
    if unsafe_fixes or not safe:
        total = safe + unsafe if unsafe_fixes else unsafe
        return f" {total} fixable with `imslint fix --unsafe-fixes`." if total else ""
    clause = f" {safe} fixable with `imslint fix`"
    if unsafe:
        clause += f" ({unsafe} more with `--unsafe-fixes`)"
    return clause + "."


def summary_line(
    findings: Sequence[Finding],
    *,
    files_checked: int,
    elapsed: float,
    unsafe_fixes: bool = False,
    fixed: int = 0,
    todo: int = 0,
    in_baseline: int = 0,
) -> str:
    """E.g. ``Found 3 findings in 2 files (12 files checked, 0.41s). 2 fixable with ...``.

    ``findings`` are those left; ``fixed`` counts those `imslint fix` just removed; ``todo`` the
    findings ``# imslint: todo[...]`` markers silence (open migration debt); ``in_baseline``
    those ``--baseline`` knows and does not report.
    """
    stats = f"{plural(files_checked, 'file')} checked, {elapsed:.2f}s"
    prefix = f"Fixed {plural(fixed, 'finding')}. " if fixed else ""
    suffix = debt_clause(todo, in_baseline)
    if not findings:
        return f"{prefix}All checks passed! ({stats}){suffix}"
    files = len({finding.path for finding in findings})
    return (
        f"{prefix}Found {plural(len(findings), 'finding')} in {plural(files, 'file')} ({stats})."
        + fixable_clause(findings, unsafe_fixes)
        + suffix
    )


def debt_clause(todo: int, in_baseline: int) -> str:
    """`` 2 marked todo (open migration debt); 5 in the baseline.``, or ``""``."""
    parts = []
    if todo:
        parts.append(f"{todo} marked todo (open migration debt)")
    if in_baseline:
        parts.append(f"{in_baseline} in the baseline")
    return " " + "; ".join(parts) + "." if parts else ""


def fixes_line(findings_left: Sequence[Finding], *, fixed: int, files: int, applied: bool, unsafe_fixes: bool) -> str:
    """The closing line of ``--fix-only`` (``applied``) and ``--diff``: ``Fixed 3 findings in 2
    files.``, ``Would fix ...``, or ``No fixes applied.``; and the unsafe fixes held back."""
    held_back = 0 if unsafe_fixes else sum(1 for f in findings_left if f.fix is not None and not f.fix.is_safe)
    if fixed:
        line = f"{'Fixed' if applied else 'Would fix'} {plural(fixed, 'finding')} in {plural(files, 'file')}."
    else:
        line = "No fixes applied." if applied else "No fixes to apply."
    if held_back:
        more = f"{held_back} more fix" if held_back == 1 else f"{held_back} more fixes"
        line = line[:-1] + f" ({more} with `--unsafe-fixes`)."
    return line
