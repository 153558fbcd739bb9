"""The migration's state, per package and per file: what ``imslint report`` renders.

Counted in **request sites**, not findings: the findings of one request share its one fix
(``README``: "one request, one fix"), so they are one site; a request without a fix is one site
with its companions (IMS002-IMS004 findings with the same evidence in the file, nearest first).
A site is

* **on v2**: a client call to ``/v2/images[/{id}...]`` with no finding left (``v2_requests``);
* **safe** / **unsafe**: its fix is safe (``imslint fix``) or unsafe (``--unsafe-fixes`` or
  ``fix --interactive``);
* **manual**: no fix; the reason is the evidence's (``evidence.fix.reason``), else the message;
* **todo**: silenced by a ``# imslint: todo[...]`` marker (one marker, one site), with its reason.

Findings ``noqa``/``ignore`` silence are not counted: someone decided they stay.
"""
from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .findings import Finding
from .report.common import relative_posix

CATEGORIES = ("on_v2", "safe", "unsafe", "manual", "todo")
TITLES = {"on_v2": "on v2", "safe": "safe fix", "unsafe": "unsafe fix", "manual": "manual", "todo": "todo"}
PRIMARY = frozenset({"IMS000", "IMS001", "IMS005", "IMS006", "IMS007", "IMS008"})  # a request, a file, a server


@dataclass
class Site:
    category: str
    line: int
    codes: Tuple[str, ...]
    reason: str = ""
    cell: Optional[int] = None  # in a notebook: the cell ``line`` is in

    @property
    def place(self) -> str:
        return f"cell {self.cell}:{self.line}" if self.cell is not None else str(self.line)


@dataclass
class Counts:
    on_v2: int = 0
    safe: int = 0
    unsafe: int = 0
    manual: int = 0
    todo: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in CATEGORIES)

    @property
    def remaining(self) -> int:
        return self.total - self.on_v2

    def add(self, other: "Counts") -> None:
        for name in CATEGORIES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def percent(self, name: str) -> float:
        return 100.0 * getattr(self, name) / self.total if self.total else 0.0

    def as_dict(self) -> Dict[str, int]:
        return {**{name: getattr(self, name) for name in CATEGORIES}, "total": self.total}


@dataclass
class FileState:
    path: str
    sites: List[Site] = field(default_factory=list)

    @property
    def package(self) -> str:
        return posixpath.dirname(self.path) or "."

    @property
    def counts(self) -> Counts:
        counts = Counts()
        for site in self.sites:
            setattr(counts, site.category, getattr(counts, site.category) + 1)
        return counts


@dataclass
class Package:
    name: str
    files: List[FileState]

    @property
    def counts(self) -> Counts:
        total = Counts()
        for state in self.files:
            total.add(state.counts)
        return total


@dataclass
class Migration:
    packages: List[Package]
    paths: Tuple[str, ...] = ()

    @property
    def counts(self) -> Counts:
        total = Counts()
        for package in self.packages:
            total.add(package.counts)
        return total

    def reasons(self, category: str) -> List[Tuple[str, int, List[str]]]:
        """``(reason, sites, ["path:line", ...])`` of a category, most frequent first."""
        where: Dict[str, List[str]] = {}
        for package in self.packages:
            for state in package.files:
                for site in state.sites:
                    if site.category == category:
                        where.setdefault(site.reason, []).append(f"{state.path}:{site.place}")
        return sorted(((reason, len(places), places) for reason, places in where.items()), key=lambda r: (-r[1], r[0]))


def _reason(finding: Finding) -> str:
    evidence = finding.evidence
    if evidence is not None and evidence.fix.value == "none" and evidence.fix.reason:
        return evidence.fix.reason
    message = finding.message
    marker = message.find("; no fix: ")
    return message[marker + len("; no fix: "):] if marker != -1 else message


def _category(finding: Finding) -> str:
    if finding.fix is None or not finding.fix.edits:
        return "manual"
    return "safe" if finding.fix.is_safe else "unsafe"


def _evidence_key(finding: Finding) -> Optional[str]:
    return _key(finding.evidence.to_dict()) if finding.evidence is not None else None


def _key(evidence: Optional[dict]) -> Optional[str]:
    """The evidence record as comparable text (without the strengths a cached record may carry)."""
    if evidence is None:
        return None
    return json.dumps({name: {"value": part.get("value"), "reason": part.get("reason")}
                       for name, part in evidence.items()}, sort_keys=True)


@dataclass
class _Group:
    """The findings of one site while they are gathered: a request without a fix, or a todo marker."""

    findings: List[Finding]
    line: int
    cell: Optional[int]
    keys: set  # the evidence records of its findings
    todo: Optional[Tuple[Tuple[str, ...], str]] = None  # a marker's (codes, reason)


def sites_of(findings: Sequence[Finding], todo: Sequence[dict] = ()) -> List[Site]:
    """The request sites of one file's findings and todo entries (``facts["todo"]``; see the
    module docstring): one per fix, one per request without a fix, one per todo marker; the other
    findings (IMS002-IMS004 without a fix) join the nearest site with the same evidence."""
    ordered = sorted(findings, key=lambda f: f.sort_key)
    by_fix: Dict[Tuple, List[Finding]] = {}
    groups: List[_Group] = []
    for marker, entries in _markers(todo).items():
        codes = tuple(sorted({str(e["code"]) for e in entries}))
        groups.append(_Group([], marker[1], marker[0] or None, {_key(e.get("evidence")) for e in entries} - {None},
                             (codes, str(entries[0].get("reason") or "") or "(no reason given)")))
    companions: List[Finding] = []
    for finding in ordered:
        if finding.fix is not None and finding.fix.edits:
            by_fix.setdefault(finding.fix.edits, []).append(finding)
        elif finding.code in PRIMARY:
            groups.append(_Group([finding], finding.line, finding.cell, {_evidence_key(finding)} - {None}))
        else:
            companions.append(finding)
    for finding in companions:  # join the nearest site with the same evidence
        key = _evidence_key(finding)
        same = [g for g in groups if key is not None and key in g.keys and g.cell == finding.cell]
        if same:
            min(same, key=lambda g: abs(g.line - finding.line)).findings.append(finding)
        else:
            groups.append(_Group([finding], finding.line, finding.cell, {key} - {None}))
    sites = []
    for fixed in by_fix.values():
        head = next((f for f in fixed if f.code in PRIMARY), fixed[0])
        sites.append(Site(_category(head), head.line, tuple(sorted({f.code for f in fixed})), head.fix.message, head.cell))
    for group in groups:
        if group.todo is not None:
            sites.append(Site("todo", group.line, group.todo[0], group.todo[1], group.cell))
            continue
        head = group.findings[0]
        sites.append(Site("manual", head.line, tuple(sorted({f.code for f in group.findings})), _reason(head), head.cell))
    return sorted(sites, key=_order)


def _order(site: Site) -> Tuple[int, int]:
    return (site.cell or 0, site.line)


def _markers(todo: Sequence[dict]) -> Dict[Tuple[int, int], List[dict]]:
    """Todo entries by marker: ``(cell or 0, marker line)``."""
    markers: Dict[Tuple[int, int], List[dict]] = {}
    for entry in todo:
        if isinstance(entry, dict):
            markers.setdefault((int(entry.get("cell") or 0), int(entry["marker"])), []).append(entry)
    return markers


def file_state(path: str, findings: Sequence[Finding], todo: Sequence[dict], v2: Sequence[object],
               notebook=None) -> FileState:
    """A file's sites; ``v2`` are its v2 requests (``v2_requests.V2Request``): those with a finding
    inside the call (a v2 list read once: IMS004) count where that finding does, not as done.
    ``notebook`` (``notebooks.Notebook``) tells a notebook's lines by cell."""
    sites = sites_of(findings, todo)
    starts = [f.start for f in findings]
    for request in v2:
        if not any(request.start <= start < request.end for start in starts):
            cell, line = notebook.position(request.line) if notebook is not None else (None, request.line)
            sites.append(Site("on_v2", line, (), f"{request.method or 'GET'} {request.kind}", cell))
    return FileState(relative_posix(path), sorted(sites, key=_order))


def migration(states: Sequence[FileState], paths: Sequence[str] = ()) -> Migration:
    """Files with at least one site, grouped by package (directory), both sorted by name."""
    packages: Dict[str, List[FileState]] = {}
    for state in sorted(states, key=lambda s: s.path):
        if state.sites:
            packages.setdefault(state.package, []).append(state)
    return Migration([Package(name, files) for name, files in sorted(packages.items())], tuple(paths))


def collect(paths: Sequence[str], resolver, *, jobs=None, cache_dir=None, use_cache=True) -> Migration:
    """Lints ``paths`` (as ``imslint check`` does) and counts each candidate file's v2 requests."""
    import os

    from .api import run_paths
    from .engine import decode_for
    from .options import EngineOptions
    from .project import ImportResolver
    from .runner import CHECK
    from .v2_requests import count_v2_requests

    reports, _ = run_paths(paths, resolver, mode=CHECK, jobs=jobs, cache_dir=cache_dir, use_cache=use_cache)
    roots = tuple(dict.fromkeys([os.getcwd(), *(os.path.abspath(p) for p in paths if os.path.isdir(p))]))
    states = []
    for report in reports:
        v2: List[object] = []
        absolute = os.path.abspath(report.display_path)
        decoded = None
        try:
            with open(absolute, "rb") as stream:
                decoded = decode_for(stream.read(), report.display_path)
        except Exception:  # unreadable: its IMS000 finding says why
            pass
        text = decoded.text if decoded is not None else None
        if text is not None:
            settings = resolver.settings_for(absolute)
            options = EngineOptions(target=settings.target, resolve_import=ImportResolver(absolute, roots),
                                    max_file_size=settings.max_file_size)
            v2 = count_v2_requests(text, report.display_path, options)
        states.append(file_state(report.display_path, report.findings, report.facts.get("todo", ()), v2,
                                 getattr(decoded, "notebook", None)))
    return migration(states, paths)
