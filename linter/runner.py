"""Runs the engine over many files: read, lint or fix, write; in worker processes when it pays.

Workers receive small picklable jobs and return small reports, so memory stays flat however
large the tree: no worker holds more than the file it is on, and results stream back in the
order the files were discovered.
"""
from __future__ import annotations

import difflib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, Iterator, List, Optional, Tuple

from .options import EngineOptions
from .engine import fix_source, lint_source, unreadable
from .findings import Finding

CHECK, FIX, DIFF = "check", "fix", "diff"
# Below this many files one process is faster than starting workers.
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class FileJob:
    display_path: str
    abs_path: str
    codes: FrozenSet[str]
    target: str
    mode: str = CHECK
    unsafe: bool = False
    roots: Tuple[str, ...] = ()  # where absolute imports of project modules are looked up


@dataclass
class FileReport:
    display_path: str
    findings: List[Finding] = field(default_factory=list)
    fixed: int = 0
    diff: str = ""
    written: bool = False


def process_file(job: FileJob) -> FileReport:
    """Lints or fixes one file; every failure becomes an IMS000 finding, never an exception."""
    report = FileReport(job.display_path)
    try:
        with open(job.abs_path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        report.findings = [unreadable(job.display_path, f"cannot be read: {exc.strerror or exc}")]
        return report
    from .project import ImportResolver

    options = EngineOptions(target=job.target, resolve_import=ImportResolver(job.abs_path, job.roots))
    try:
        if job.mode == CHECK:
            report.findings = lint_source(data, job.display_path, codes=job.codes, options=options)
            return report
        return _fix(job, data, options, report)
    except Exception as exc:  # a bug must not stop the run: report it against the file
        report.findings = [unreadable(job.display_path, f"internal error while analysing: {exc!r}")]
        return report


def _fix(job: FileJob, data: bytes, options: EngineOptions, report: FileReport) -> FileReport:
    from .fixes import FileChanged, write_atomically

    outcome = fix_source(data, job.display_path, codes=job.codes, unsafe=job.unsafe, options=options)
    report.findings = list(outcome.findings)
    report.findings += [unreadable(job.display_path, error) for error in outcome.errors]
    if outcome.source is None:
        return report
    original = outcome.source.text
    if outcome.text == original:
        return report
    report.fixed = outcome.fixed
    if job.mode == DIFF:
        report.diff = unified_diff(original, outcome.text, job.display_path)
        return report
    try:
        write_atomically(job.abs_path, outcome.encoded(), data)
        report.written = True
    except (OSError, FileChanged) as exc:
        report.fixed = 0
        report.findings.append(unreadable(job.display_path, f"not fixed: {exc}"))
    return report


def unified_diff(before: str, after: str, path: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass
class Selection:
    """What the pre-filter kept (``candidates``), what it could not read, and how many it saw."""

    candidates: List[object] = field(default_factory=list)
    problems: List[FileReport] = field(default_factory=list)
    files_seen: int = 0


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def select_candidates(files: Iterable[object]) -> Selection:
    """Reads every file once; keeps those that can hold a finding (see ``prefilter``).

    ``files`` yields objects with ``display_path`` and ``abs_path``. Files that cannot be read
    or decoded are reported here, so a binary ``.py`` file never goes unnoticed.
    """
    from .prefilter import exported, is_seed, mentions, names_pattern
    from .source import SourceError, decode_source

    selection = Selection()
    seeds: List[object] = []
    others: List[object] = []
    names: set = set()
    for item in files:
        selection.files_seen += 1
        try:
            data = _read(str(item.abs_path))
        except OSError as exc:
            selection.problems.append(
                FileReport(item.display_path, [unreadable(item.display_path, f"cannot be read: {exc.strerror or exc}")])
            )
            continue
        if is_seed(data):
            seeds.append(item)
            names |= exported(data)
            continue
        try:
            decode_source(data)
        except SourceError as exc:
            selection.problems.append(FileReport(item.display_path, [unreadable(item.display_path, str(exc))]))
            continue
        others.append(item)
    selection.candidates.extend(seeds)
    new_names = set(names)
    while new_names and others:  # files that import those names, then re-exports of them
        pattern = names_pattern(new_names)
        remaining, found = [], set()
        for item in others:
            try:
                data = _read(str(item.abs_path))
            except OSError:
                continue
            if mentions(data, pattern):
                selection.candidates.append(item)
                found |= exported(data, names)
            else:
                remaining.append(item)
        others = remaining
        new_names = found - names
        names |= found
    return selection


def default_jobs() -> int:
    return os.cpu_count() or 1


def run(jobs: Iterable[FileJob], workers: Optional[int] = None) -> Iterator[FileReport]:
    """Reports in job order; worker processes once there are enough files to pay for them."""
    workers = workers or default_jobs()
    batch: List[FileJob] = []
    iterator = iter(jobs)
    for job in iterator:
        batch.append(job)
        if len(batch) >= PARALLEL_THRESHOLD:
            break
    if workers <= 1 or len(batch) < PARALLEL_THRESHOLD:
        for job in batch:
            yield process_file(job)
        return
    def everything():
        yield from batch
        yield from iterator

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(process_file, everything(), chunksize=16)
