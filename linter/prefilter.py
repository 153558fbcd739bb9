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
from typing import Iterable, Optional, Set, Tuple

SEED = b"images"
# ``images`` with a literal's edge or a path separator on one side (see the argument above).
_SEGMENT = re.compile(rb"[/\"'}]images|images[/\"'{%?#]")


def is_seed(data: bytes) -> bool:
    return SEED in data and _SEGMENT.search(data) is not None


_WORD_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# Up to this many names, one ``bytes.find`` per name (C speed) beats one alternation regex.
_FIND_LIMIT = 6


class NamesPattern:
    """Finds any of a set of identifiers as a whole word in bytes, quickly.

    A single alternation regex with a look-behind, ``(?<!\\w)(?:A|B)(?!\\w)``, defeats ``re``'s
    prefix scan and took 2 s over stdlib+site-packages (190 MB); a substring search per name takes
    0.14 s. With many names, the alternation without look-behind (0.4-0.7 s) is used and the left
    boundary checked by hand: a match whose left neighbour is a word character hides no valid one,
    since any name starting inside it would have a word character on its left too.
    """

    def __init__(self, words) -> None:
        self.words = tuple(sorted(words, key=len, reverse=True))
        self._regex = re.compile(b"(?:" + b"|".join(re.escape(w) for w in self.words) + rb")(?![A-Za-z0-9_])")

    def search(self, data: bytes) -> Optional[Tuple[int, int]]:
        """The span of the first whole-word occurrence found, or None."""
        if len(self.words) <= _FIND_LIMIT:
            for word in self.words:
                span = _find_word(data, word)
                if span is not None:
                    return span
            return None
        for match in self._regex.finditer(data):
            if match.start() == 0 or data[match.start() - 1] not in _WORD_CHARS:
                return match.span()
        return None

    def found(self, data: bytes) -> Set[str]:
        """Every name that occurs in ``data`` as a whole word."""
        if len(self.words) <= _FIND_LIMIT:
            return {word.decode("utf-8") for word in self.words if _find_word(data, word) is not None}
        return {
            match.group().decode("utf-8")
            for match in self._regex.finditer(data)
            if match.start() == 0 or data[match.start() - 1] not in _WORD_CHARS
        }


def _find_word(data: bytes, word: bytes) -> Optional[Tuple[int, int]]:
    index = data.find(word)
    while index != -1:
        end = index + len(word)
        if (index == 0 or data[index - 1] not in _WORD_CHARS) and (end == len(data) or data[end] not in _WORD_CHARS):
            return index, end
        index = data.find(word, index + 1)
    return None


def names_pattern(names: Iterable[str]) -> Optional[NamesPattern]:
    """A matcher of any of ``names`` as a whole identifier (None when there is no name)."""
    # Non-ASCII bytes count as boundaries, so a non-ASCII name can only match more often.
    words = {name.encode("utf-8") for name in names if name.isidentifier()}
    return NamesPattern(words) if words else None


def mentions(data: bytes, pattern: Optional[NamesPattern]) -> bool:
    return pattern is not None and pattern.search(data) is not None


_BOM = b"\xef\xbb\xbf"


def undecodable(data: bytes) -> Optional[str]:
    """Why ``data`` cannot be read as Python text (the IMS000 message), or None when it can.

    Exactly ``source.decode_source``'s verdict, with a fast path for the common case: no NUL, no
    BOM, no ``coding`` in the first two lines (so PEP 263 says UTF-8) and valid UTF-8 (ASCII is
    checked at memory speed). Anything else takes the full route.
    """
    if b"\x00" not in data and not data.startswith(_BOM):
        first = data.find(b"\n")
        second = -1 if first == -1 else data.find(b"\n", first + 1)
        head = data if second == -1 else data[:second]  # PEP 263: a cookie is on line 1 or 2
        if b"coding" not in head:
            if data.isascii():
                return None
            try:
                data.decode("utf-8")
                return None
            except UnicodeDecodeError:
                pass
    from .source import SourceError, decode_source

    try:
        decode_source(data)
    except SourceError as exc:
        return str(exc)
    return None


def exported(data: bytes, known: Iterable[str] = ()) -> Set[str]:
    from .project import exported_names

    return exported_names(data, known)
