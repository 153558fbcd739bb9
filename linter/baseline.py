"""The baseline (ratchet) of a gradual migration: today's findings, recorded so CI fails on new ones only.

``imslint check --write-baseline FILE`` records the findings of a run; ``imslint check --baseline
FILE`` reports (and fails on) only the findings that are not in it. A finding is known by the
fingerprint the GitLab report gives it (``report.common.fingerprints``: path, code, message
without line numbers, and its occurrence among identical findings of the file), so moved lines and
edits elsewhere in the file keep it matched. Paths are taken relative to the baseline file's
directory, so a check run from a subdirectory matches too; run from that directory, the
fingerprints are exactly the GitLab report's.

The file is JSON, sorted and stable (the same findings always give the same bytes)::

    {
      "imslint-baseline": 1,
      "findings": [
        {"path": "pkg/client.py", "code": "IMS001", "message": "...", "fingerprint": "<sha256>"}
      ]
    }

A baseline entry of a checked file that no finding matches any more was migrated (or removed):
that is progress, reported on stderr with a hint to shrink the baseline, never an error.
"""
from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

from .findings import Finding
from .report.common import dump_json, fingerprints, relative_posix

VERSION = 1
KEY = "imslint-baseline"


class BaselineError(Exception):
    """The baseline file cannot be read or written; one line, exit 2."""


@dataclass
class Baseline:
    path: str
    entries: List[dict] = field(default_factory=list)

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


@dataclass
class Comparison:
    """What a run's findings are against a baseline."""

    new: List[Finding]  # not in the baseline: reported
    known: int  # in the baseline: not reported
    fixed: List[dict]  # baseline entries of checked files that nothing matches any more
    fingerprints: Dict[Finding, str]  # every finding's fingerprint (the GitLab report shows them)


def _relative_to(directory: str, path: str) -> str:
    """``path`` (as a finding shows it) relative to ``directory``, with ``/`` separators."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, directory)
    except ValueError:  # another drive
        return relative_posix(absolute)
    return relative_posix(relative) if not relative.startswith(os.pardir) else relative.replace(os.sep, "/")


def keyed(findings: Sequence[Finding], directory: str) -> List[Tuple[Finding, str, str]]:
    """``(finding, path relative to directory, fingerprint)`` for findings in report order."""
    ordered = sorted(findings, key=lambda f: f.sort_key)
    moved = [f.with_path(_relative_to(directory, f.path)) for f in ordered]
    return [(f, m.path, fp) for f, m, fp in zip(ordered, moved, fingerprints(moved))]


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist; create it with `imslint check --write-baseline {path}`")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {getattr(exc, 'strerror', None) or exc}")
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}")
    if not isinstance(data, dict) or data.get(KEY) != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"baseline {path} is not an imslint baseline (version {VERSION}); write it with --write-baseline")
    entries = data["findings"]
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("path", "fingerprint")):
            raise BaselineError(f"baseline {path}: entry {index + 1} needs a \"path\" and a \"fingerprint\"")
    return Baseline(path, entries)


def render(findings: Sequence[Finding], directory: str) -> str:
    entries = [
        {"path": path, "code": f.code, "message": f.message, "fingerprint": fp}
        for f, path, fp in keyed(findings, directory)
    ]
    entries.sort(key=lambda e: (e["path"], e["code"], e["message"], e["fingerprint"]))
    return dump_json({KEY: VERSION, "findings": entries}, indent=2) + "\n"


def write(path: str, findings: Sequence[Finding]) -> int:
    """Writes the baseline of ``findings`` atomically; returns how many it holds."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise BaselineError(f"cannot write baseline {path}: it is a directory")
    import tempfile  # here: a run without a baseline to write need not load it

    text = render(findings, directory)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".imslint-baseline-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {(exc.strerror or str(exc)).lower()}")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise BaselineError(f"cannot write baseline {path}: {(exc.strerror or str(exc)).lower()}")
    return len(findings)


def in_scope(entry_path: str, scopes: Sequence[str]) -> bool:
    """Whether a baseline path lies in one of the checked paths (relative to the baseline's directory)."""
    for scope in scopes:
        if scope in (".", "") or entry_path == scope or entry_path.startswith(scope.rstrip("/") + "/"):
            return True
    return False


def compare(baseline: Baseline, findings: Sequence[Finding], checked: Sequence[str]) -> Comparison:
    """Splits ``findings`` into new ones and those the baseline knows; ``checked`` are the paths
    the run was given (``[]``: the working directory), for telling migrated entries apart from
    entries of files this run did not look at."""
    directory = baseline.directory
    known_prints = {entry["fingerprint"] for entry in baseline.entries}
    new: List[Finding] = []
    matched = set()
    prints: Dict[Finding, str] = {}
    for finding, _, fp in keyed(findings, directory):
        prints[finding] = fp
        if fp in known_prints:
            matched.add(fp)
        else:
            new.append(finding)
    scopes = [posixpath.normpath(_relative_to(directory, path)) for path in (checked or ["."])]
    fixed = [e for e in baseline.entries if e["fingerprint"] not in matched and in_scope(e["path"], scopes)]
    return Comparison(new, len(findings) - len(new), fixed, prints)
