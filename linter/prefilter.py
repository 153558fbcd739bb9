"""Decides from a file's bytes whether it can hold a finding: a byte test, then ``ast``.

Soundness argument (tested over every fixture, rule example and cross-module case in
``tests/test_prefilter.py``): every endpoint in the catalogue has a literal ``images`` path
segment, and ``endpoints.match_paths`` compares segments whole, splitting the template's text on
``/`` and ending the path at ``?`` or ``#``. So in the template's text ``images`` is followed by
``/``, ``?``, ``#`` or the end of the text. That text comes either from a string literal of the
file itself, or from a constant defined in another module and imported.

* In the file's own literal, what follows ``images`` in the bytes is then one of ``/ ? #``, the
  end of the literal (a quote; also a ``\\`` escape or line continuation) or the start of a hole
  that supplies what follows (``{`` of an f-string or ``str.format``, ``%`` of %-formatting,
  ``$`` of ``string.Template``). The byte test is this right-hand boundary alone (the left can be
  anything: ``f"{base}images"`` when ``base`` ends with ``/``), so prose ("save images.") and
  longer words (``'imagesc'``) are not *seeds*. The bytes that pass are then parsed with
  ``ast``, and the same test is made on each string literal's value (``project.seed_facts``):
  a comment, an identifier or a bytes literal cannot be the text the engine matches.
* From another module: then the file names that constant (``from .paths import LIST``,
  ``paths.LIST``, ``Routes.LIST``), and the constant's module is a seed or re-exports one. So
  seeds, plus files that mention a name some candidate module exports with ``images`` in its
  value (``project.exported_names``, with ``ast`` on those modules only, to a fixpoint for
  re-exports), are the only files that can have findings. Names are matched as whole words
  anywhere in the bytes first; a file that mentions one is then parsed with ``ast`` and kept
  only when it can take such a value the ways the engine does (``project.imports_any``: from
  an import of the name, or an attribute of an imported name), an over-approximation of the
  engine's own resolution; its exports count either way (it may relay them).

What this misses: a segment split across literals (``"ima" + "ges"``) or spelt with escapes
in the bytes (``"\\x69mages"``), which the engine could match but no real code writes. A file
``ast`` cannot parse is always kept (the engine then reports why).

Reading is the cost once the pre-filter is this cheap: ``runner.select_candidates`` reads each
file once (and again once per round of new names, usually one or two), and with the cache on
keeps what it learnt in an index so that unchanged files are not read at all
(``cache.PrefilterIndex``).
"""
from __future__ import annotations

import re
from typing import Iterable, Optional, Set, Tuple

SEED = b"images"
# ``images`` followed by what can end a path segment in the template (see the argument above).
_SEGMENT = re.compile(rb"images[/?#\"'{%$\\]")
# The same test on a string *value* (a constant another module may import): the literal's end
# is the end of the value.
VALUE_SEGMENT = re.compile(r"images(?:$|[/?#{%$\\])")


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


def seed_facts(data: bytes) -> Tuple[Set[str], bool]:
    """For bytes that pass ``is_seed``: what the file exports, and whether it is a seed when
    parsed (``project.seed_facts``: ``images`` in prose, a comment or a bytes literal is not)."""
    from .project import seed_facts

    return seed_facts(data)


def exported_and_used(data: bytes, known: Iterable[str]) -> Tuple[Set[str], bool]:
    """What a file that mentions some ``known`` names exports, and whether it can import one of
    them at all: a file that only mentions them (``self.LIST``, a local ``LIST = []``, a comment)
    cannot get their values, so only its exports matter (``project.names_and_uses``)."""
    from .project import names_and_uses

    return names_and_uses(data, known)
