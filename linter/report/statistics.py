"""``--statistics``: one line per code with its count, name and a fixable marker (like ruff)."""
from __future__ import annotations

from collections import Counter
from typing import Dict, Sequence

from ..findings import Finding
from .common import NO_FIX_MARKER, SAFE_MARKER, UNSAFE_MARKER, fix_applies, printable


def render_statistics(findings: Sequence[Finding], *, unsafe_fixes: bool = False) -> str:
    """``count<TAB>code<TAB>marker name`` lines, most frequent first.

    The marker is ``[*]`` when `imslint fix` fixes some findings of the code, ``[-]`` when only
    ``--unsafe-fixes`` would, ``[ ]`` when none has a fix.
    """
    counts: Counter = Counter(finding.code for finding in findings)
    names: Dict[str, str] = {}
    markers: Dict[str, str] = {}
    for finding in findings:
        names.setdefault(finding.code, finding.name)
        if fix_applies(finding.fix, unsafe_fixes):
            markers[finding.code] = SAFE_MARKER
        elif finding.fix is not None:
            markers.setdefault(finding.code, UNSAFE_MARKER)
    order = sorted(counts, key=lambda code: (-counts[code], code))
    count_width = max((len(str(n)) for n in counts.values()), default=1)
    code_width = max((len(code) for code in counts), default=0)
    return "".join(
        f"{counts[code]:>{count_width}}\t{code:<{code_width}}\t"
        f"{markers.get(code, NO_FIX_MARKER)} {printable(names[code])}\n"
        for code in order
    )
