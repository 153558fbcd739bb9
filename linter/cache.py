"""A cache of per-file results for repeated runs, in ``.imslint_cache/`` of the working directory.

An entry is found by a key over everything a file's result depends on that can be named up front:
the file's content (SHA-256), where it is (relative imports) and how it is shown, the rule codes,
target, mode and ``unsafe`` flag, the import roots, and a fingerprint of imslint's own code. A
result also depends on the modules it imported constants from, and those are only known after the
analysis: every import resolution a worker performs (``project.find_module``) is recorded with
the file it found and that file's hash, under the file whose resolver made it. An entry holds the
resolutions of the file itself and of every module its analysis touched in the worker's module
caches (``project.touched``: a cached module can carry values it resolved for an earlier file),
and transitively of the modules those resolutions found: everything the result can depend on,
and no more (an entry holding the worker's whole history grew with every file). An entry is
used only when each recorded resolution still finds the same file with the same content, so
creating, deleting or editing an imported module invalidates it. Each found file's record also
holds its ``signature`` (size, times, inode), taken just before the file was read for its hash
and only when settled (see ``settled_signature``): a file whose signature is unchanged has not been
written since, so a warm run takes one ``stat`` of it instead of reading and hashing it.

Entries are JSON (never pickle: a cache directory checked into a repository must not run code),
written atomically. ``--no-cache`` or ``IMSLINT_NO_CACHE=1`` turns the cache off, ``--cache-dir``
or ``IMSLINT_CACHE_DIR`` moves it; the directory may be deleted at any time. Files that could
not be read are never cached.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from typing import Dict, List, Optional, Tuple

FORMAT = 3
DIRECTORY = ".imslint_cache"

# (current_file, module, level, roots) -> found file (or None); recorded per process, by the
# real path of the file whose resolver asked.
_Query = Tuple[str, str, int, Tuple[str, ...]]
_RESOLVED: Dict[str, Dict[_Query, Optional[str]]] = {}
_HASHES: Dict[str, Tuple[Optional[str], Optional[str]]] = {}  # path -> (hash, settled signature)
_FINGERPRINT: List[str] = []


def directory(chosen: Optional[str] = None, *, enabled: bool = True) -> Optional[str]:
    """The cache directory to use, or None when caching is off: off when not ``enabled``
    (``--no-cache``) or ``IMSLINT_NO_CACHE`` is set; else ``chosen`` (``--cache-dir``),
    ``IMSLINT_CACHE_DIR`` or ``.imslint_cache``, as an absolute path."""
    if not enabled or os.environ.get("IMSLINT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    return os.path.abspath(chosen or os.environ.get("IMSLINT_CACHE_DIR") or DIRECTORY)


def fingerprint() -> str:
    """A digest of imslint's version and the source of the ``linter`` package and its rules."""
    if not _FINGERPRINT:
        from . import __version__
        from . import rules  # noqa: F401 - the rules subpackage may live elsewhere (package-dir)

        digest = hashlib.sha256(f"{FORMAT}\0{__version__}".encode())
        for package in (os.path.dirname(__file__), os.path.dirname(rules.__file__)):
            for directory_path, subdirectories, names in sorted(os.walk(package)):
                subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
                for name in sorted(n for n in names if n.endswith(".py")):
                    with open(os.path.join(directory_path, name), "rb") as stream:
                        digest.update(name.encode() + b"\0" + stream.read())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def file_hash(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


def _hash_once(path: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(content hash, settled signature or None) of the file at ``path``, taken once a process."""
    if path is None:
        return None, None
    if path not in _HASHES:
        # Taken before the read: a write after it moves the signature, so a signature equal to
        # this one later means the content hashed below is still the content.
        recorded = settled_signature_of(path)
        _HASHES[path] = (file_hash(os.path.realpath(path)), recorded)
    return _HASHES[path]


def forget_hashes() -> None:
    """Forgets the content hashes taken of imported modules (they may have changed since)."""
    _HASHES.clear()


def record_imports() -> None:
    """Wraps ``project.find_module`` in this process so every resolution is recorded (once)."""
    from . import project

    if getattr(project.find_module, "_imslint_recording", False):
        return
    original = project.find_module

    def find_module(current_file, module, level, roots):
        found = original(current_file, module, level, roots)
        query = (str(current_file), str(module), int(level), tuple(str(root) for root in roots))
        _RESOLVED.setdefault(project.real_path(query[0]), {})[query] = None if found is None else str(found)
        return found

    find_module._imslint_recording = True  # type: ignore[attr-defined]
    find_module._imslint_original = original  # type: ignore[attr-defined]
    project.find_module = find_module


def begin_job() -> None:
    """A new file's analysis starts: what it touches in the module caches is noted afresh."""
    from . import project

    project.touched.clear()


def dependencies(path: str) -> List[list]:
    """The resolutions a result for ``path`` can depend on (see above), each with the hash of
    the file it found: those of ``path``, of the modules its analysis touched, and of the
    modules they found, transitively."""
    from . import project

    pending = [project.real_path(path), *project.touched]
    seen = set()
    found_records = []
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for query, found in _RESOLVED.get(current, {}).items():
            found_records.append([list(query[:3]) + [list(query[3])], found, *_hash_once(found)])
            if found is not None:
                pending.append(project.real_path(found))
    return found_records


def key(job, content_hash: str) -> str:
    parts = [FORMAT, fingerprint(), str(job.display_path), os.path.abspath(job.abs_path), sorted(job.codes),
             str(job.target), job.mode, bool(job.unsafe), [str(root) for root in job.roots], content_hash,
             [list(pair) for pair in job.double_endpoints],
             None if job.imported_elsewhere is None else list(job.imported_elsewhere), bool(getattr(job, "screen", False)),
             getattr(job, "max_file_size", None), bool(getattr(job, "survey_only", False))]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _entry_path(cache_dir: str, entry_key: str) -> str:
    return os.path.join(cache_dir, f"v{FORMAT}", entry_key[:2], entry_key + ".json")


class Validator:
    """Checks recorded resolutions against the tree as it is now (memoised for one run)."""

    def __init__(self) -> None:
        from .project import find_module

        self.find_module = getattr(find_module, "_imslint_original", find_module)
        self.resolved: Dict[_Query, Optional[str]] = {}
        self.signatures: Dict[str, Optional[str]] = {}
        self.hashes: Dict[str, Optional[str]] = {}

    def holds(self, dependencies: List[list]) -> bool:
        for (current_file, module, level, roots), found, content_hash, found_signature in dependencies:
            query = (current_file, module, level, tuple(roots))
            if query not in self.resolved:
                now = self.find_module(current_file, module, level, tuple(roots))
                self.resolved[query] = None if now is None else str(now)
            now = self.resolved[query]
            if now != found:
                return False
            if found is not None and not self._unchanged(found, content_hash, found_signature):
                return False
        return True

    def _unchanged(self, path: str, content_hash: Optional[str], recorded_signature: Optional[str]) -> bool:
        """Whether the file at ``path`` still has the content hashed as ``content_hash``."""
        if recorded_signature is not None:
            if path not in self.signatures:
                try:
                    self.signatures[path] = signature(os.stat(path))
                except OSError:
                    self.signatures[path] = None
            if self.signatures[path] == recorded_signature:
                return True
        if path not in self.hashes:
            self.hashes[path] = file_hash(os.path.realpath(path))
        return self.hashes[path] == content_hash


def load(cache_dir: str, entry_key: str, validator: Validator):
    """The cached ``FileReport`` for ``entry_key``, or None (missing, unreadable or stale)."""
    try:
        with open(_entry_path(cache_dir, entry_key), encoding="utf-8") as stream:
            entry = json.load(stream)
        if entry.get("format") != FORMAT or not validator.holds(entry["dependencies"]):
            return None
        return _report(entry["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(cache_dir: str, entry_key: str, report, path: str) -> None:
    """Writes an entry for ``report``, the result for the file at ``path`` (with the imports it
    depends on, ``dependencies``); errors are ignored."""
    entry = {"format": FORMAT, "dependencies": dependencies(path), "report": dataclasses.asdict(report)}
    _write_json(cache_dir, _entry_path(cache_dir, entry_key), entry)


def _write_json(cache_dir: str, path: str, data) -> None:
    """Writes ``data`` to ``path`` atomically (a reader sees the old or the new file); a cache
    that cannot be written is no error."""
    import tempfile  # here: a warm run that writes nothing need not load it

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _ignore_in_git(cache_dir)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, separators=(",", ":"))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, TypeError, ValueError):  # a value JSON cannot hold: no entry, no error
        pass


def _ignore_in_git(cache_dir: str) -> None:
    marker = os.path.join(cache_dir, ".gitignore")
    if not os.path.exists(marker):
        with open(marker, "w", encoding="utf-8") as stream:
            stream.write("# written by imslint: this directory is a cache\n*\n")


def _report(data: dict):
    from .evidence.record import Evidence
    from .findings import Edit, Finding, Fix
    from .runner import FileReport

    findings = []
    for finding in data["findings"]:
        fix = finding.get("fix")
        if fix is not None:
            fix = Fix(**dict(fix, edits=tuple(Edit(**edit) for edit in fix["edits"])))
        evidence = finding.get("evidence")
        if evidence is not None:
            evidence = Evidence.from_dict(evidence)
        findings.append(Finding(**dict(finding, fix=fix, evidence=evidence)))
    return FileReport(**dict(data, findings=findings))


# -- the pre-filter index --------------------------------------------------------------------------------------


def signature(status: os.stat_result) -> str:
    # %-formatting: a third quicker than an f-string here, and a warm run signs every file.
    return "%x.%x.%x.%x" % (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


# A file whose change time is this close to when it was looked at may change again within the
# same clock tick without its signature changing ("racily clean", as git calls it).
RACY_NS = 2_000_000_000


def settled_signature(status: os.stat_result, now_ns: int) -> Optional[str]:
    """``signature``, or None while the file is racily clean at ``now_ns`` (not to be trusted)."""
    if max(status.st_mtime_ns, status.st_ctime_ns) > now_ns - RACY_NS:
        return None
    return signature(status)


def settled_signature_of(path: str) -> Optional[str]:
    """The file's ``settled_signature`` now, or None (gone, or racily clean); None never counts
    as unchanged, so what was read from a racily clean file is not trusted later."""
    try:
        return settled_signature(os.stat(path), time.time_ns())
    except OSError:
        return None


class PrefilterIndex:
    """The pre-filter's verdict on each file, reused while the file's signature is unchanged.

    Reading every file is most of a warm run's cost, and hashing needs the bytes, so unlike result
    entries this index is keyed the way git's index is: size, modification and change times (in
    nanoseconds) and inode. Any write to a file moves its change time (the kernel sets it; no
    tool can set it back), a replacement by rename changes the inode, and a file changed less
    than ``RACY_NS`` before the run started is never indexed. The verdict on a file is ``[kind,
    payload]``: the kind ``problem`` (payload: the IMS000 message), ``strong``, ``weak`` or
    ``other`` (``prefilter.classify``). What the import graph needs of it, its *details* ``[records,
    summary, mentions]`` (its import records, and what the graph learnt on demand:
    ``carriers.FileFacts``' ``ast`` summary and the attribute names looked for), live in a second
    file read only when the graph must be solved again; the graph's answer (``solution``) is kept
    for the exact set of unchanged files it was solved for. So a warm run reads and parses nothing
    that has not changed, and reads only the verdicts. Entries are grouped by directory.
    """

    @staticmethod
    def path_in(cache_dir: str) -> str:
        return os.path.join(cache_dir, f"v{FORMAT}", "prefilter.json")

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir
        self.path = self.path_in(cache_dir)
        self.details_path = os.path.join(cache_dir, f"v{FORMAT}", "prefilter-graph.json")
        self.started = time.time_ns()
        self.changed = False
        self.details_changed = False
        # directory -> name -> [signature, kind, payload]
        self.directories: Dict[str, Dict[str, list]] = {}
        # directory -> name -> [signature, [records, summary, mentions]], loaded when first needed
        self._details: Optional[Dict[str, Dict[str, list]]] = None
        # [digest of every checked file's path and settled signature, the files that take a
        # carried name (by number)]: the import graph's answer, reused while no file changed.
        self.solution: Optional[list] = None
        data = _read_index(self.path)
        if data is not None:
            self.directories = data["directories"]
            solution = data.get("solution")
            if isinstance(solution, list) and len(solution) == 2 and isinstance(solution[1], list):
                self.solution = solution

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.directories.values())

    def lookup(self, path: str, current: Optional[str] = None) -> Optional[list]:
        """The verdict ``[kind, payload]`` when indexed and unchanged, else None; ``current``: the
        file's signature, when the caller has just taken its status (else it is taken here)."""
        directory, name = os.path.split(path)
        entry = self.directories.get(directory, {}).get(name)
        if not isinstance(entry, list) or len(entry) != 3:
            return None
        if current is None:
            try:
                current = signature(os.stat(path))
            except OSError:
                return None
        return entry[1:] if entry[0] == current else None

    def details(self, path: str) -> Optional[list]:
        """The details ``[records, summary, mentions]`` of an indexed file (to be updated in place
        and then ``touch``ed), or None when they are not kept."""
        directory, name = os.path.split(path)
        verdict = self.directories.get(directory, {}).get(name)
        entry = self._all_details().get(directory, {}).get(name)
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(verdict, list) or entry[0] != verdict[0]:
            return None
        return entry[1]

    def _all_details(self) -> Dict[str, Dict[str, list]]:
        if self._details is None:
            data = _read_index(self.details_path)
            self._details = data["directories"] if data is not None else {}
        return self._details

    def store(self, path: str, status: os.stat_result, verdict: list, details: list) -> None:
        """Indexes a file just read: its verdict and details (``details`` is then updated in
        place and ``touch``ed, as ``details``' answer is)."""
        directory, name = os.path.split(path)
        entries = self.directories.setdefault(directory, {})
        kept = self._all_details().setdefault(directory, {})
        settled = settled_signature(status, self.started)
        if settled is None:
            entries.pop(name, None)
            kept.pop(name, None)
        else:
            entries[name] = [settled, *verdict]
            kept[name] = [settled, details]
        self.changed = self.details_changed = True

    def touch(self) -> None:
        """Details returned by ``details`` or given to ``store`` were updated."""
        self.details_changed = True

    def solved(self, digest: str) -> Optional[List[int]]:
        """The importers the graph found for exactly these files, unchanged (``digest``), or None."""
        if self.solution is not None and self.solution[0] == digest:
            return self.solution[1]
        return None

    def remember(self, digest: str, importers: List[int]) -> None:
        self.solution = [digest, sorted(importers)]
        self.changed = True

    def save(self) -> None:
        if self.changed:
            directories = {directory: entries for directory, entries in self.directories.items() if entries}
            _write_json(self.cache_dir, self.path, {"fingerprint": fingerprint(), "directories": directories,
                                                    "solution": self.solution})
        if self.details_changed and self._details is not None:
            directories = {directory: entries for directory, entries in self._details.items() if entries}
            _write_json(self.cache_dir, self.details_path, {"fingerprint": fingerprint(), "directories": directories})


def _read_index(path: str) -> Optional[dict]:
    """An index file written by this very code (``fingerprint``), or None."""
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
        if data.get("fingerprint") == fingerprint() and isinstance(data["directories"], dict):
            return data
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        pass
    return None


class ContentMemo:
    """Answers of a pure function of a file's bytes, by their digest, kept between runs in
    ``name`` (written by this very code only: ``fingerprint``). Without a cache directory it
    remembers nothing."""

    def __init__(self, cache_dir: Optional[str], name: str) -> None:
        self.cache_dir = cache_dir
        self.path = os.path.join(cache_dir, f"v{FORMAT}", name) if cache_dir else ""
        self.answers: Dict[str, object] = {}
        self.asked: set = set()  # what is saved: the answers this run asked for
        self.changed = False
        if cache_dir:
            try:
                with open(self.path, encoding="utf-8") as stream:
                    data = json.load(stream)
                if data.get("fingerprint") == fingerprint() and isinstance(data.get("answers"), dict):
                    self.answers = data["answers"]
            except (OSError, ValueError, AttributeError):
                pass

    def get(self, data: bytes, compute):
        digest = hashlib.sha256(data).hexdigest()
        self.asked.add(digest)
        if digest not in self.answers:
            self.answers[digest] = compute(data)
            self.changed = True
        return self.answers[digest]

    def save(self) -> None:
        if self.cache_dir and (self.changed or self.asked != set(self.answers)):
            answers = {digest: self.answers[digest] for digest in sorted(self.asked)}
            _write_json(self.cache_dir, self.path, {"fingerprint": fingerprint(), "answers": answers})
            self.changed = False
