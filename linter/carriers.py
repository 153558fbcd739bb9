"""Which files take an ``images`` path from another module: the pre-filter's import graph.

The byte pass (``runner.select_candidates``) gives each file a kind (live or not, ``prefilter``)
and its import records (``prefilter.import_records``). Here the records are resolved against the
checked files, and which names each module *carries* (``project.Summary.carriers``) is found on
demand: a module is parsed (with ``ast``, once) only when a file imports it and it is live or
itself takes a carried name (a relay). A file takes a carried value when it imports a carried
name, or imports the module (or a package's submodule) and names one of its carried attributes;
such a file is a candidate even without an ``images`` literal of its own. Carried names only
grow, so the worklist reaches a fixpoint; no file is parsed twice (``prefilter``'s argument).
"""
from __future__ import annotations

import os
import re
from collections import deque
from typing import Callable, Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

from .prefilter import ImportRecord

# An ASCII letter or underscore, or any non-ASCII character; then digits too. Written as negated
# ASCII ranges: the class up to U+10FFFF costs 10 ms to compile, on every start.
_IDENTIFIER = re.compile(r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*\Z")


def module_suffixes(path: str) -> List[str]:
    """The dotted names ``path`` can be imported as from some package root: ``a/b/c.py`` gives
    ``c``, ``b.c``, ``a.b.c``; ``a/b/__init__.py`` gives ``b``, ``a.b`` (up to the first directory
    that is no identifier)."""
    directory, name = os.path.split(os.path.normpath(path))
    stem = name[:-3] if name.endswith(".py") else name
    parts: List[str] = []
    if stem != "__init__":
        if not _IDENTIFIER.match(stem):
            return []
        parts.append(stem)
    found = []
    if parts:
        found.append(stem)
    while True:
        directory, part = os.path.split(directory)
        if not part or not _IDENTIFIER.match(part):
            break
        parts.insert(0, part)
        found.append(".".join(parts))
    return found


def summary_details(summary) -> object:
    """A module's ``project.Summary`` as the index keeps it ("unparsable" for None: ``ast``
    cannot parse it, or it cannot be read)."""
    return "unparsable" if summary is None else summary.to_json()


def attribute_pattern(names: Iterable[str]) -> "re.Pattern[bytes]":
    """``.NAME`` (spaces allowed after the dot) for any of ``names``, as a whole identifier."""
    return re.compile(rb"\.[ \t]*(" + b"|".join(re.escape(name.encode("utf-8")) for name in names) + rb")(?![\w\x80-\xff])")


class FileFacts:
    """What the graph knows of one file; ``summary`` and ``mentions`` are filled in on demand
    (and kept in the pre-filter index when there is one)."""

    __slots__ = ("path", "live", "records", "details", "read", "store")

    def __init__(self, path: str, live: bool, records: Sequence[ImportRecord], details: list,
                 read: Callable[[str], bytes], store: Callable[[], None]) -> None:
        self.path = path
        self.live = live
        self.records = records
        self.details = details  # the index's details: [records, summary, mentions]
        self.read = read
        self.store = store  # tells the index the entry changed

    def summary(self):
        """The file's ``project.Summary`` (parsed once), or None when ``ast`` cannot parse it."""
        from .project import Summary, summarise

        cached = self.details[1]
        if cached is None:
            try:
                summary = summarise(self.read(self.path))
            except OSError:
                summary = None
            self.details[1] = summary_details(summary)
            self.store()
            return summary
        return None if cached == "unparsable" else Summary.from_json(cached)

    def mentions(self, names: FrozenSet[str]) -> bool:
        """Whether the file's bytes have ``.NAME`` for one of ``names`` (an attribute use)."""
        known: Dict[str, bool] = self.details[2]
        if any(known.get(name) for name in names):
            return True
        unknown = sorted(name for name in names if name not in known)
        if not unknown:
            return False
        try:
            data = self.read(self.path)
        except OSError:
            return True  # let processing report it
        found = {match.group(1).decode("utf-8") for match in attribute_pattern(unknown).finditer(data)}
        for name in unknown:
            known[name] = name in found
        self.store()
        return bool(found)


class Graph:
    """The checked files' imports, resolved; ``solve`` marks the files that take carried names."""

    def __init__(self, files: Sequence[FileFacts]) -> None:
        self.files = files
        self.by_path = {os.path.normpath(facts.path): number for number, facts in enumerate(files)}
        self.by_suffix: Dict[str, List[int]] = {}
        for number, facts in enumerate(files):
            for suffix in module_suffixes(facts.path):
                self.by_suffix.setdefault(suffix, []).append(number)
        self.carried: Dict[int, FrozenSet[str]] = {}  # files whose carried names were computed
        self.opaque: Set[int] = set()  # modules ``ast`` cannot parse: taken to carry every name
        self.importers: Set[int] = set()
        self.dependents: Dict[int, List[Tuple[int, int]]] = {}  # imported file -> (file, record number)
        self._resolved: Dict[Tuple[int, int, str], Tuple[int, ...]] = {}
        absolute: Dict[Tuple[str, Tuple[str, ...]], Tuple[int, ...]] = {}  # the same import in many files
        for number, facts in enumerate(files):
            for record_number, record in enumerate(facts.records):
                level, module, names = record
                if level:
                    targets = self._targets(number, level, module, names)
                else:
                    key = (module, names)
                    targets = absolute.get(key)
                    if targets is None:
                        targets = absolute[key] = self._targets(number, 0, module, names)
                for target in targets:
                    if target != number:
                        self.dependents.setdefault(target, []).append((number, record_number))

    def _targets(self, number: int, level: int, module: str, names: Sequence[str]) -> Tuple[int, ...]:
        targets = set(self.resolve(number, level, module))
        for name in names:
            if name != "*":
                targets.update(self.resolve(number, level, f"{module}.{name}" if module else name))
        return tuple(targets)

    # -- resolution ----------------------------------------------------------------------------------
    def resolve(self, number: int, level: int, module: str) -> Tuple[int, ...]:
        """The checked files ``module`` (``level`` dots before it) can be, imported from file
        ``number``: by path when relative, by the dotted name's ending when absolute."""
        key = (number if level else -1, level, module)
        found = self._resolved.get(key)
        if found is None:
            if level:
                base = os.path.dirname(os.path.normpath(self.files[number].path))
                for _ in range(level - 1):
                    base = os.path.dirname(base)
                parts = [part for part in module.split(".") if part]
                stem = os.path.join(base, *parts)
                candidates = [stem + ".py", os.path.join(stem, "__init__.py")] if parts else [os.path.join(base, "__init__.py")]
                found = tuple(self.by_path[c] for c in candidates if c in self.by_path)
            else:
                found = tuple(self.by_suffix.get(module, ())) if module else ()
            self._resolved[key] = found
        return found

    def exports(self, number: int, level: int, module: str):
        """What ``module`` (imported from file ``number``) carries: the union over the files it
        can be (``project.Exports``); None when one of them is a module ``ast`` cannot parse."""
        from .project import NOTHING, Exports

        targets = self.resolve(number, level, module)
        if not targets:
            return NOTHING
        if len(targets) == 1:
            target = targets[0]
            return None if target in self.opaque else self.carried.get(target, NOTHING)
        names: Set[str] = set()
        classes: Dict[str, Set[str]] = {}
        for target in targets:
            if target in self.opaque:
                return None
            found = self.carried.get(target, NOTHING)
            names |= found.names
            for name, attrs in found.classes:
                classes.setdefault(name, set()).update(attrs)
        return Exports(frozenset(names), tuple(sorted((name, frozenset(attrs)) for name, attrs in classes.items())))

    # -- the fixpoint ------------------------------------------------------------------------------------
    def solve(self) -> Set[int]:
        """The files (by number) that take a carried value from another module."""
        queue = deque()
        for number in sorted(self.dependents):
            if self.files[number].live and self._needed(number) and self._compute(number):
                queue.append(number)
        while queue:
            changed = queue.popleft()
            for number, record_number in self.dependents.get(changed, ()):
                if number not in self.importers and not self.files[number].live \
                        and self._takes(number, self.files[number].records[record_number]):
                    self.importers.add(number)
                if self._needed(number) and (number in self.carried or number in self.importers or self._relays(
                        number, self.files[number].records[record_number])) and self._compute(number):
                    queue.append(number)
        return self.importers

    def _needed(self, number: int) -> bool:
        """Whether what file ``number`` carries can matter: some file imports it."""
        return number in self.dependents

    def _compute(self, number: int) -> bool:
        """Recomputes what file ``number`` carries; True when that grew."""
        from .project import NOTHING, Exports

        if number in self.opaque:
            return False
        old = self.carried.get(number, NOTHING)
        summary = self.files[number].summary()
        if summary is None:
            self.opaque.add(number)
            return True
        new = summary.carriers(lambda level, module: self.exports(number, level, module))
        if old:
            classes = old.class_attributes
            for name, attrs in new.classes:
                classes[name] = classes.get(name, frozenset()) | attrs
            new = Exports(old.names | new.names, tuple(sorted(classes.items())))
        self.carried[number] = new
        return new != old

    def _takes(self, number: int, record: ImportRecord) -> bool:
        """Whether the import ``record`` of file ``number`` takes a carried value: a carried name
        imported, a carried class imported and one of its carried attributes named, or the module
        imported and one of its carried names named (``.NAME`` in the file)."""
        level, module, names = record
        facts = self.files[number]
        found = self.exports(number, level, module)
        if found is None:
            return True
        if not names:  # ``import module``: ``module.NAME``
            return self._named(facts, found)
        if "*" in names and found:
            return True
        classes = found.class_attributes
        for name in names:
            if name == "*":
                continue
            if name in found.names or (name in classes and facts.mentions(classes[name])):
                return True
            inner = self.exports(number, level, f"{module}.{name}" if module else name)  # a submodule
            if inner is None or (inner and self._named(facts, inner)):
                return True
        return False

    def _relays(self, number: int, record: ImportRecord) -> bool:
        """Whether the import ``record`` brings something carried into file ``number`` at all (a
        name, a class it may subclass, a module): then what the file carries may grow."""
        level, module, names = record
        found = self.exports(number, level, module)
        if found is None:
            return True
        if not names or "*" in names:
            return bool(found)
        classes = found.class_attributes
        for name in names:
            if name in found.names or name in classes:
                return True
            inner = self.exports(number, level, f"{module}.{name}" if module else name)
            if inner is None or inner:
                return True
        return False

    @staticmethod
    def _named(facts: "FileFacts", found) -> bool:
        """Whether the file names something ``found`` carries as an attribute (``module.NAME``,
        ``module.Class.ATTR``, ``class C(module.Class)`` and then ``self.ATTR``)."""
        if found.names and facts.mentions(found.names):
            return True
        return any(facts.mentions(frozenset({name})) and facts.mentions(attrs) for name, attrs in found.classes)


__all__ = ["FileFacts", "Graph", "module_suffixes"]
