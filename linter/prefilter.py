"""Decides from a file's bytes, without parsing, whether it can hold a finding.

Soundness argument (tested over every fixture): every endpoint in the catalogue has a literal
``images`` path segment, so every finding's URL template contains the text ``images`` as a whole
segment: bounded by ``/``, ``?``, ``#`` or the end of a literal piece. That text comes either from
a string literal of the file itself — then the file's bytes hold ``images`` next to a ``/``, a
quote, an f-string brace or a ``%``/``{`` placeholder (a *seed*; prose such as "save images" or
identifiers such as ``imagesx`` are not) — or from a constant defined in another module and
imported: then the file
names that constant (``from .paths import LIST``, ``paths.LIST``), and the constant's module is
a seed or re-exports one. So: seeds, plus files that mention a name some candidate module
exports with ``images`` in its value (computed with ``ast`` on those modules only, to a fixpoint
for re-exports), are the only files that can have findings. The one case this misses is a
segment split across literals (``"ima" + "ges"``), which the engine could match but no real code
writes.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern, Set

SEED = b"images"
# ``images`` with a literal's edge or a path separator on one side (see the argument above).
_SEGMENT = re.compile(rb"[/\"'}]images|images[/\"'{%?#]")


def is_seed(data: bytes) -> bool:
    return SEED in data and _SEGMENT.search(data) is not None


def names_pattern(names: Iterable[str]) -> Optional[Pattern[bytes]]:
    """A bytes regex matching any of ``names`` as a whole identifier."""
    words = sorted({name.encode() for name in names if name.isidentifier()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(rb"(?<![A-Za-z0-9_])(?:" + b"|".join(re.escape(w) for w in words) + rb")(?![A-Za-z0-9_])")


def mentions(data: bytes, pattern: Optional[Pattern[bytes]]) -> bool:
    return pattern is not None and pattern.search(data) is not None


def exported(data: bytes, known: Iterable[str] = ()) -> Set[str]:
    from .project import exported_names

    return exported_names(data, known)
