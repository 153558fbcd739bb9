"""``--statistics``: one line per code with its count, name and a fixable marker (like ruff)."""
from __future__ import annotations

from collections import Counter
from typing import Dict, Sequence, Set

from ..findings import Finding
from .common import SAFE_MARKER, marker, printable


def render_statistics(findings: Sequence[Finding], *, unsafe_fixes: bool = False) -> str:
    """``count<TAB>code<TAB>marker name`` lines, most frequent first.

    The marker (``common``'s vocabulary) is ``[*]`` when some findings of the code have a safe
    fix, ``[-]`` when some have only an unsafe one, blank when none has a fix. ``unsafe_fixes``
    is accepted for symmetry with the other formatters; it changes nothing.
    """
    counts: Counter = Counter(finding.code for finding in findings)
    names: Dict[str, str] = {}
    safe: Set[str] = set()
    unsafe: Set[str] = set()
    for finding in findings:
        names.setdefault(finding.code, finding.name)
        if finding.fix is not None:
            (safe if finding.fix.is_safe else unsafe).add(finding.code)
    order = sorted(counts, key=lambda code: (-counts[code], code))
    count_width = max((len(str(n)) for n in counts.values()), default=1)
    code_width = max((len(code) for code in counts), default=0)
    marker_width = len(SAFE_MARKER)
    return "".join(
        f"{counts[code]:>{count_width}}\t{code:<{code_width}}\t"
        f"{marker(code in safe, code in unsafe):<{marker_width}} {printable(names[code])}\n"
        for code in order
    )
