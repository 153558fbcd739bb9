"""Runs the engine over many files: read, lint or fix, write; in worker processes when it pays.

Workers receive small picklable jobs and return small reports, so memory stays flat however
large the tree: no worker holds more than the file it is on, and results stream back in the
order the files were discovered.
"""
from __future__ import annotations

import difflib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from time import time_ns
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from .options import DEFAULT_MAX_FILE_SIZE, EngineOptions
from .engine import fix_source, lint_source, unreadable
from .findings import Finding

CHECK, FIX, DIFF = "check", "fix", "diff"
# Worker processes pay for themselves only with enough work: each starts in about 0.2 s (fork,
# then importing libcst), and libcst analyses about 0.2 MB/s. Below either threshold (files or
# bytes) one process is faster.
PARALLEL_THRESHOLD = 64
PARALLEL_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileJob:
    display_path: str
    abs_path: str
    codes: FrozenSet[str]
    target: str
    mode: str = CHECK
    unsafe: bool = False
    roots: Tuple[str, ...] = ()  # where absolute imports of project modules are looked up
    cache_dir: Optional[str] = None  # where results are cached (``linter.cache``); None: no cache
    double_endpoints: Tuple[Tuple[str, str], ...] = ()  # ``EngineOptions.double_endpoints``
    imported_elsewhere: Optional[Tuple[str, ...]] = None  # ``EngineOptions.imported_elsewhere``
    # When ``abs_path`` is a symbolic link: the file it points to (``fix`` writes that file), and
    # whether it lies inside the tree being checked (``fix`` refuses to write outside it).
    link_target: str = ""
    link_inside: bool = True
    # Run the pre-filter's ``ast`` screen first (``prefilter.alive``): a file it rules out is
    # reported clean without libcst (``Selection.screen``).
    screen: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # ``EngineOptions.max_file_size``
    survey_only: bool = False  # ``EngineOptions.survey_only``


@dataclass
class FileReport:
    display_path: str
    findings: List[Finding] = field(default_factory=list)
    fixed: int = 0
    diff: str = ""
    edits: List[dict] = field(default_factory=list)  # in DIFF mode: the diff as text edits (``line_edits``)
    written: bool = False
    facts: dict = field(default_factory=dict)  # for the project pass (``engine.file_facts``)
    not_written: bool = False  # ``fix`` had changes for the file and could not write them


def process_file(job: FileJob) -> FileReport:
    """Lints or fixes one file; every failure becomes an IMS000 finding, never an exception."""
    with collected_after():
        return _process_file(job)


def _process_file(job: FileJob) -> FileReport:
    report = FileReport(job.display_path)
    try:
        with open(job.abs_path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        report.findings = [unreadable(job.display_path, f"cannot be read: {exc.strerror or exc}")]
        return report
    caching = job.cache_dir is not None and job.mode != FIX  # a written file is never cached
    if caching:
        from . import cache

        cache.record_imports()
        cache.begin_job()
    if job.screen and not (job.max_file_size and len(data) > job.max_file_size):  # a large file is never parsed
        from .notebooks import scannable
        from .prefilter import alive

        if not alive(scannable(job.abs_path, data)[0]):
            if caching:
                from hashlib import sha256

                cache.store(job.cache_dir, cache.key(job, sha256(data).hexdigest()), report, job.abs_path)
            return report
    from .project import ImportResolver

    options = EngineOptions(
        target=job.target, resolve_import=ImportResolver(job.abs_path, job.roots), double_endpoints=job.double_endpoints,
        imported_elsewhere=job.imported_elsewhere, max_file_size=job.max_file_size, survey_only=job.survey_only,
    )
    try:
        if job.mode == CHECK:
            report.findings = lint_source(data, job.display_path, codes=job.codes, options=options, facts=report.facts)
        else:
            report = _fix(job, data, options, report)
    except Exception as exc:  # a bug must not stop the run: report it against the file
        report.findings = [unreadable(job.display_path, f"internal error while analysing: {exc!r}")]
        return report  # not cached: the next run tries again
    if caching:
        from hashlib import sha256

        cache.store(job.cache_dir, cache.key(job, sha256(data).hexdigest()), report, job.abs_path)
    return report


def _fix(job: FileJob, data: bytes, options: EngineOptions, report: FileReport) -> FileReport:
    from .fixes import FileChanged, NotFixed, write_atomically

    outcome = fix_source(data, job.display_path, codes=job.codes, unsafe=job.unsafe, options=options, facts=report.facts)
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
        report.edits = file_edits(original, outcome.text, job.display_path)
        return report
    try:
        write_atomically(_write_path(job), outcome.encoded(), data)
        report.written = True
    except (OSError, NotFixed) as exc:
        report.fixed, report.not_written = 0, True
        report.findings = _findings_on_disk(job, data, options, changed=isinstance(exc, FileChanged))
        report.findings += [unreadable(job.display_path, error) for error in outcome.errors]
        report.findings.append(unreadable(job.display_path, f"not fixed: {exc}"))
    return report


def _findings_on_disk(job: FileJob, data: bytes, options: EngineOptions, *, changed: bool) -> List[Finding]:
    """The findings of a file ``fix`` did not write: those of ``data``, or when someone changed
    the file meanwhile, of what it holds now (nothing if it cannot be read any more)."""
    if changed:
        try:
            data = _read(job.link_target or job.abs_path)
        except OSError:
            return []
    return lint_source(data, job.display_path, codes=job.codes, options=options)


def _write_path(job: FileJob) -> str:
    """The file ``fix`` writes for ``job``: the file itself, or the one its symbolic link points to."""
    from .fixes import Refused

    if not job.link_target:
        return job.abs_path
    if not job.link_inside:
        raise Refused(
            f"it is a symbolic link to {job.link_target}, outside the checked tree; fix that file"
            " where it lives"
        )
    return job.link_target


def unified_diff(before: str, after: str, path: str) -> str:
    from .notebooks import cell_diff, is_notebook

    if is_notebook(path):  # one diff per changed code cell
        by_cell = cell_diff(before, after, path)
        if by_cell is not None:
            return by_cell
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


# A line as Python counts them: ended by \n, \r\n or \r (str.splitlines also splits at \f...).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def file_edits(before: str, after: str, path: str) -> List[dict]:
    """``line_edits``; for a notebook, per code cell (each edit with its ``cell``)."""
    from .notebooks import cell_edits, is_notebook

    by_cell = cell_edits(before, after) if is_notebook(path) else None
    return line_edits(before, after) if by_cell is None else by_cell


def line_edits(before: str, after: str) -> List[dict]:
    """The change from ``before`` to ``after`` as edits of whole lines of ``before``, in the shape
    of a fix's edits in the JSON output (``Edit.to_dict``: 1-based lines and columns, ends
    exclusive), first to last."""
    old_lines, new_lines = _LINE.findall(before), _LINE.findall(after)

    def position(index: int) -> dict:
        """Where line ``index`` (0-based) of ``before`` starts; past the last: the end of the text."""
        if index == len(old_lines) and old_lines and not old_lines[-1].endswith(("\n", "\r")):
            return {"line": index, "column": len(old_lines[-1]) + 1}
        return {"line": index + 1, "column": 1}

    # Lines as ``unified_diff`` matches them (difflib's "popular" lines heuristic on), so the
    # edits are the hunks ``--diff`` prints. Without it, a file of many alike lines (blank ones,
    # one shape of call) took quadratic time: 76 s for a 4,000-line file, against 0.2 s.
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines)
    return [
        {"content": "".join(new_lines[j1:j2]), "location": position(i1), "end_location": position(i2)}
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


@dataclass
class Selection:
    """What the pre-filter kept (``candidates``), what it could not read, and how many it saw."""

    candidates: List[object] = field(default_factory=list)
    problems: List[FileReport] = field(default_factory=list)
    files_seen: int = 0
    # Per candidate: analyse it only when the ``ast`` screen says its own literals can make a
    # finding (``prefilter.alive``): a live file that takes nothing from another module.
    screen: List[bool] = field(default_factory=list)


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _read_scannable(path: str) -> bytes:
    """The bytes the pre-filter reads: a notebook's code cells as Python (``notebooks.scannable``)."""
    from .notebooks import scannable

    return scannable(path, _read(path))[0]


def _read_with_status(path: str) -> Tuple[bytes, os.stat_result]:
    """The bytes and the status taken *before* reading, so a later change always shows."""
    with open(path, "rb") as stream:
        status = os.fstat(stream.fileno())
        return stream.read(), status


# The pre-filter index (``cache.PrefilterIndex``) is loaded once a run has seen this many files:
# a pre-commit run over a few files reads them faster than it loads the index of a whole tree.
INDEX_AFTER = 256


# ``cache_dir`` of the functions below: a directory, None (no cache), or this (``cache.directory()``).
FROM_ENVIRONMENT = "<from the environment>"


def _cache_directory(cache_dir: Optional[str]) -> Optional[str]:
    if cache_dir != FROM_ENVIRONMENT:
        return cache_dir
    from . import cache

    return cache.directory()


def select_candidates(files: Iterable[object], cache_dir: Optional[str] = FROM_ENVIRONMENT,
                      index_at_once: bool = False, pool: Optional["Pool"] = None) -> Selection:
    """Reads every file once; keeps those that can hold a finding (see ``prefilter``).

    ``files`` yields objects with ``display_path`` and ``abs_path``. Files that cannot be read
    or decoded are reported here, so a binary ``.py`` file never goes unnoticed. A file is kept
    when its bytes are live (``prefilter.classify``) or it takes a carried name from another
    module (``carriers.Graph``, from the import records of the same pass); a live file that takes
    nothing is kept with ``screen`` set: the worker runs the ``ast`` screen before libcst. Only
    what was learnt is kept between the steps, never the files' bytes. Candidates come out in the
    order the files came in. With the cache on, what was learnt from a file's bytes is kept in
    the pre-filter index, and an unchanged file is not read (or parsed) again at all; the index is
    loaded once ``INDEX_AFTER`` files came, or at once when a tree is checked (``index_at_once``)
    and an earlier run kept one. Once many files need reading, ``pool``'s workers read them
    (``_ByteReads``) while this process goes on finding files; what is learnt is taken in order.
    """
    from .cache import settled_signature, signature
    from .carriers import Graph
    from .prefilter import disabled

    selection = Selection()
    everything = disabled()
    index = None
    scanned: List[Tuple[object, str, list, Optional[list], object]] = []  # (item, path, verdict, details, told)

    def changed() -> None:
        if index is not None:
            index.touch()

    # What the import graph's answer depends on: every file's path and settled signature, in
    # order (None once one cannot be trusted: then the graph is solved afresh, and not kept).
    signed: Optional[List[str]] = [] if not everything else None
    started = time_ns()
    reads = _ByteReads(pool)
    # (item, path, verdict or None, its signature if looked up, the read or None, whether indexed then)
    seen: List[tuple] = []
    if index_at_once:
        index = _prefilter_index(cache_dir, only_if_kept=True)
    for item in files:
        selection.files_seen += 1
        if index is None and selection.files_seen == INDEX_AFTER:
            index = _prefilter_index(cache_dir)
        path = str(item.abs_path)
        status = getattr(item, "status", None)
        current = signature(status) if status is not None and index is not None else None
        verdict = index.lookup(path, current) if index is not None else None
        seen.append((item, path, verdict, current, reads.add(path) if verdict is None else None, index is not None))
    reads.finish()
    for item, path, verdict, current, read, indexed in seen:
        details = None  # the import records and what the graph learns: taken from the index when needed
        told = changed
        if verdict is not None and signed is not None:  # unchanged since indexed
            if current is None:
                signed = None
            else:
                signed.append(f"{path}\0{current}")
        if verdict is None:
            status, verdict, details = reads.result(read)
            if status is None:  # it cannot be read (``verdict``: why)
                selection.problems.append(FileReport(item.display_path, [unreadable(item.display_path, verdict)]))
                continue
            # Its signature counts when settled (as the index keeps it): a racily clean file
            # may still change unseen, so the graph's answer is then not kept.
            settled = settled_signature(status, started)
            if signed is not None and settled is not None:
                signed.append(f"{path}\0{settled}")
            else:
                signed = None
            if indexed:
                index.store(path, status, verdict, details)
            else:
                # Not in the index (seen before it was loaded): what is learnt of it later is not
                # worth saving the whole index for (every warm run did).
                told = _nothing
        if verdict[0] == "problem":
            selection.problems.append(FileReport(item.display_path, [unreadable(item.display_path, verdict[1])]))
            continue
        scanned.append((item, path, verdict, details, told))
    if everything:
        selection.candidates = [item for item, *_ in scanned]
        selection.screen = [False] * len(scanned)
    else:
        digest = _digest(signed) if signed is not None and index is not None else None
        # When no file changed since the graph was last solved, its answer holds.
        importers = index.solved(digest) if digest is not None else None
        if importers is None:
            importers = Graph([
                _file_facts(path, verdict, details, told, index) for _, path, verdict, details, told in scanned
            ]).solve()
            if digest is not None:
                index.remember(digest, list(importers))
        importers = set(importers)
        for number, (item, _, verdict, _, _) in enumerate(scanned):
            if verdict[0] != "other" or number in importers:
                selection.candidates.append(item)
                selection.screen.append(number not in importers)
    if index is not None:
        index.save()
    return selection


def _nothing() -> None:
    pass


def read_facts(path: str, with_summary: bool = False) -> tuple:
    """What the byte pass learns of one file: (status taken before reading, verdict, details),
    or (None, why it cannot be read, None); ``with_summary``: a live file's details hold its
    summary too (``carriers.FileFacts.summary``: the import graph asks for most of them)."""
    from .notebooks import scannable
    from .prefilter import classify, undecodable

    try:
        data, status = _read_with_status(path)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}", None
    data, not_a_notebook = scannable(path, data)  # a notebook: its code cells as Python
    problem = not_a_notebook or undecodable(data)
    if problem is not None:
        return status, ["problem", problem], [[], None, {}]
    verdict, details = [classify(data) or "other", None], _new_details(data)
    if with_summary and verdict[0] != "other":
        from .carriers import summary_details
        from .project import summarise

        details[1] = summary_details(summarise(data))
    return status, verdict, details


def _read_facts_of(paths: List[str]) -> List[tuple]:
    return [read_facts(path, with_summary=True) for path in paths]


class _ByteReads:
    """The byte pass's reads (``read_facts``): here, one at a time, for the first ``READ_HERE``
    files; after that in batches in the pool's workers (when it has more than one), so that this
    process goes on finding files and looking them up meanwhile (and the workers parse the live
    files' summaries, which the import graph would parse here one by one)."""

    READ_HERE = 1024  # a run that reads fewer files does not start workers for it
    BATCH = 256

    def __init__(self, pool: Optional["Pool"]) -> None:
        self.pool = pool if pool is not None and pool.workers > 1 else None
        self.count = 0
        self.here: Dict[int, tuple] = {}
        self.batch: List[str] = []
        self.batches: List[Tuple[int, object]] = []  # (number of its first read, future)

    def add(self, path: str) -> int:
        """Starts reading ``path``; its number for ``result``."""
        number = self.count
        self.count += 1
        if self.pool is None or number < self.READ_HERE:
            self.here[number] = read_facts(path)
            return number
        self.batch.append(path)
        if len(self.batch) >= self.BATCH:
            self._send()
        return number

    def finish(self) -> None:
        if self.batch:
            self._send()

    def _send(self) -> None:
        first = self.count - len(self.batch)
        self.batches.append((first, self.pool.executor(self.pool.workers).submit(_read_facts_of, self.batch)))
        self.batch = []

    def result(self, number: int) -> tuple:
        """The read ``number`` (asked for in increasing order)."""
        if number in self.here:
            return self.here.pop(number)
        while True:
            first, future = self.batches[0]
            results = future.result()
            if number < first + len(results):
                return results[number - first]
            self.batches.pop(0)  # every read of it was taken


def _new_details(data: bytes) -> list:
    """A file's details for the import graph (``cache.PrefilterIndex``): its import records, and
    the summary and attribute mentions the graph fills in on demand."""
    from .prefilter import import_records

    return [[list(record) for record in import_records(data)], None, {}]


def _file_facts(path: str, verdict: list, details: Optional[list], told, index):
    """What the import graph needs of a file: its details from the index (or read again)."""
    from .carriers import FileFacts

    if details is None and index is not None:
        details = index.details(path)
    if details is None:  # indexed, but its details are not kept (any more): read it again
        told = _nothing
        try:
            details = _new_details(_read_scannable(path))
        except OSError:
            details = [[], None, {}]
    records = [(level, module, tuple(names)) for level, module, names in details[0]]
    return FileFacts(path, verdict[0] != "other", records, details, _read_scannable, told)


def _digest(signed: List[str]) -> str:
    from hashlib import sha256

    return sha256("\n".join(signed).encode("utf-8", "surrogatepass")).hexdigest()




def _prefilter_index(cache_dir: Optional[str], only_if_kept: bool = False):
    """The pre-filter index (None without a cache); ``only_if_kept``: only when one is on disk."""
    cache_dir = _cache_directory(cache_dir)
    if cache_dir is None:
        return None
    from . import cache

    if only_if_kept and not os.path.exists(cache.PrefilterIndex.path_in(cache_dir)):
        return None
    return cache.PrefilterIndex(cache_dir)


def default_jobs() -> int:
    return os.cpu_count() or 1


# A file whose analysis takes longer than this (seconds) shows on the progress line.
SLOW = 1.0
# Collect garbage less often while analysing: a parsed module is a few hundred thousand objects
# that all survive, and the default thresholds rescan them many times per file.
GC_THRESHOLD = (50_000, 20, 20)


@contextmanager
def collecting_less() -> Iterator[None]:
    """Garbage collection at ``GC_THRESHOLD`` meanwhile: a run keeps what it allocates (reports,
    the pre-filter index, a parsed module), which the default thresholds rescan again and again."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def collected_after() -> Iterator[None]:
    """No garbage collection meanwhile, then one of the youngest generation: what the block
    allocated. A file's tree is alive until its analysis ends, so every collection during it
    scanned the whole tree again (a tenth of a cold run, a sixth on a large file), and once the
    analysis is over the tree is garbage that one pass frees. Only cyclic garbage waits for
    that pass, and analysing makes little (``literal_scan._value`` says why it avoids
    ``ast.literal_eval``)."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _worker_start() -> None:
    """In each worker: leave what the parent had loaded out of garbage collection, and collect
    less often (``GC_THRESHOLD``)."""
    import gc

    from .project import remember_package_roots

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    remember_package_roots(True)  # a worker lives for one run


class Pool:
    """Worker processes kept for a whole run (both passes of ``api``'s project pass): started
    the first time a pass has enough work for them, so that the passes share them and what they
    cached (the modules loaded for their constants, ``project._CACHE``)."""

    def __init__(self, workers: Optional[int] = None) -> None:
        self.workers = workers or default_jobs()
        self._executor = None
        self.validator = None  # ``cache.Validator``, shared by the passes: each module is checked once a run

    def executor(self, wanted: int):
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(max_workers=min(self.workers, wanted), initializer=_worker_start)
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def run(
    jobs: Iterable[FileJob], workers: Optional[int] = None, cache_dir: Optional[str] = FROM_ENVIRONMENT,
    pool: Optional[Pool] = None,
) -> Iterator[FileReport]:
    """Reports in job order: cached results first looked up, the rest processed here or, when
    there is enough work to pay for starting them, in worker processes (``pool``'s, else a pool
    of this call's own)."""
    if pool is None:
        with Pool(workers) as own:
            yield from run(jobs, workers, cache_dir, own)
        return
    workers = pool.workers if workers is None else workers
    jobs = list(jobs)  # candidates only: a few small records, never file contents
    cached: List[Optional[FileReport]] = [None] * len(jobs)
    sizes = [0] * len(jobs)
    cache_dir = _cache_directory(cache_dir) if jobs else None
    if cache_dir is not None:
        from hashlib import sha256

        from . import cache

        if pool.validator is None:
            pool.validator = cache.Validator()
        validator = pool.validator
        for index, job in enumerate(jobs):
            job = jobs[index] = replace(job, cache_dir=cache_dir)
            try:
                data = _read(job.abs_path)
            except OSError:
                continue
            sizes[index] = len(data)
            if job.mode != FIX:
                cached[index] = cache.load(cache_dir, cache.key(job, sha256(data).hexdigest()), validator)
    else:
        for index, job in enumerate(jobs):
            try:
                sizes[index] = os.path.getsize(job.abs_path)
            except OSError:
                pass
    missing = [job for job, report in zip(jobs, cached) if report is None]
    missing_sizes = [size for size, report in zip(sizes, cached) if report is None]
    if workers > 1 and len(missing) > 1 and (len(missing) >= PARALLEL_THRESHOLD or sum(missing_sizes) >= PARALLEL_BYTES):
        executor = pool.executor(len(missing))
        # Largest files first, one a task, so that no worker is left with a big file at the
        # end; the reports still come out in job order.
        largest_first = sorted(range(len(missing)), key=lambda index: -missing_sizes[index])
        futures = {index: executor.submit(process_file, missing[index]) for index in largest_first}
        started = [(futures[index], missing[index].display_path) for index in largest_first]
        results = (_result(futures.pop(index), started, pool.workers) for index in range(len(missing)))
        yield from _in_order(cached, results)
        return
    yield from _in_order(cached, _here(missing))


def _result(future, started, workers: int) -> FileReport:
    """The future's report; while waiting longer than ``SLOW``, the files the workers are on
    (the first ones submitted that are not done) show on the progress line."""
    from concurrent.futures import TimeoutError as Timeout

    from . import progress

    while True:
        try:
            return future.result(timeout=SLOW if progress.active() else None)
        except Timeout:
            running = [path for other, path in started if not other.done()][:workers]
            progress.working(running)


def _here(jobs: List[FileJob]) -> Iterator[FileReport]:
    """The jobs processed in this process (garbage collected less often meanwhile), each one
    that takes longer than ``SLOW`` shown on the progress line."""
    import threading

    from . import progress

    with collecting_less():
        for job in jobs:
            timer = None
            if progress.active():
                timer = threading.Timer(SLOW, progress.working, [[job.display_path]])
                timer.daemon = True
                timer.start()
            try:
                report = process_file(job)
            finally:
                if timer is not None:
                    timer.cancel()
            yield report


def _in_order(cached: List[Optional[FileReport]], processed: Iterator[FileReport]) -> Iterator[FileReport]:
    for report in cached:
        yield report if report is not None else next(processed)
