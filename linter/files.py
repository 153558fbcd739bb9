"""File discovery: the files a run lints, found lazily from the paths on the command line.

Directories are walked depth first in name order. Inside them a file is linted when it matches
``include`` and is not excluded (``exclude``/``extend-exclude`` of the settings for its directory,
``.gitignore`` files and ``.git/info/exclude`` when ``respect-gitignore``). A path named on the
command line is always linted, unless ``force-exclude`` is set and ``exclude`` matches it or a
directory above it (as in ruff, ``.gitignore`` does not apply to named paths). Symbolic links are
followed only when they resolve inside the directory argument; every file is yielded once.
Problems are yielded as ``DiscoveryError`` items: discovery never raises for a path (an invalid
config file still raises ``ConfigError``).
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, Iterator, Optional, Sequence, Set, Tuple, Union

import pathspec

from .config import ConfigResolver, Settings


@dataclass(frozen=True)
class DiscoveredFile:
    display_path: str  # as the user expects it in output
    abs_path: Path  # absolute, symbolic links not resolved
    settings: Settings


@dataclass(frozen=True)
class DiscoveryError:
    display_path: str
    message: str


Discovered = Union[DiscoveredFile, DiscoveryError]
_FileId = Tuple[int, int]  # (st_dev, st_ino)


def discover(
    paths: Sequence[str], resolver: ConfigResolver, *, cwd: Optional[str] = None
) -> Iterator[Discovered]:
    """The files to lint under ``paths`` (default ``["."]``) and the problems met on the way."""
    cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())
    seen: Set[_FileId] = set()
    for given in paths or ["."]:
        yield from _discover_argument(given, os.path.join(cwd, given), resolver, seen)


def _discover_argument(
    given: str, path: str, resolver: ConfigResolver, seen: Set[_FileId]
) -> Iterator[Discovered]:
    path = os.path.abspath(path)
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as error:
        yield DiscoveryError(given, _describe(error, is_link=os.path.islink(path)))
        return
    if _force_excluded(path, is_dir, resolver):
        return
    if is_dir:
        top = _Directory(path, os.path.normpath(given), _outer_ignore_files(path))
        yield from _walk(top, os.path.realpath(path), frozenset(), resolver, seen)
    elif _first_time(path, seen):
        yield DiscoveredFile(given, Path(path), resolver.settings_for(path))


def _force_excluded(path: str, is_dir: bool, resolver: ConfigResolver) -> bool:
    """Whether ``force-exclude`` excludes a named path or a directory above it (up to the root)."""
    while True:
        settings = resolver.settings_for(path)
        if not settings.force_exclude:
            return False
        if settings.exclude.matches(path, is_dir=is_dir):
            return True
        parent = os.path.dirname(path)
        if path == str(settings.root) or parent == path:
            return False
        path, is_dir = parent, True


# --- gitignore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IgnoreFile:
    """The patterns of one ``.gitignore`` (or ``info/exclude``), relative to ``directory``."""

    directory: str
    spec: pathspec.GitIgnoreSpec

    def verdict(self, path: str, is_dir: bool) -> Optional[bool]:
        """True: ignored; False: re-included by a ``!`` pattern; None: no pattern matches."""
        key = path[len(self.directory.rstrip(os.sep)) + 1:].replace(os.sep, "/")
        key += "/" if is_dir else ""
        if hasattr(self.spec, "check_file"):
            return self.spec.check_file(key).include
        verdict = None  # pathspec < 0.12: the last matching pattern decides
        for pattern in self.spec.patterns:
            if pattern.include is not None and pattern.match_file(key) is not None:
                verdict = pattern.include
        return verdict


def _read_ignore_file(directory: str, path: str) -> Tuple[_IgnoreFile, ...]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return ()
    valid = [line for line in lines if _is_valid_pattern(line)]  # git skips bad lines too
    return (_IgnoreFile(directory, pathspec.GitIgnoreSpec.from_lines(valid)),)


def _is_valid_pattern(line: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


def _outer_ignore_files(top: str) -> Tuple[_IgnoreFile, ...]:
    """``.git/info/exclude`` and the ``.gitignore`` files of the repository above ``top``."""
    ancestors = []
    repository = top
    while not os.path.exists(os.path.join(repository, ".git")):
        parent = os.path.dirname(repository)
        if parent == repository:
            return ()  # not inside a git repository
        ancestors.append(parent)
        repository = parent
    found = _read_ignore_file(repository, os.path.join(repository, ".git", "info", "exclude"))
    for directory in reversed(ancestors):
        found += _read_ignore_file(directory, os.path.join(directory, ".gitignore"))
    return found


def _is_ignored(ignore_files: Tuple[_IgnoreFile, ...], path: str, is_dir: bool) -> bool:
    for ignore_file in reversed(ignore_files):  # the deepest file decides
        verdict = ignore_file.verdict(path, is_dir)
        if verdict is not None:
            return verdict
    return False


# --- walking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    path: str
    display: str
    ignore_files: Tuple[_IgnoreFile, ...]  # those of the directories above it


_DIRECTORY, _FILE, _SKIPPED, _PROBLEM = range(4)


def _walk(
    directory: _Directory, real_top: str, ancestors: FrozenSet[_FileId],
    resolver: ConfigResolver, seen: Set[_FileId],
) -> Iterator[Discovered]:
    try:
        directory_id = _file_id(os.stat(directory.path))
        if directory_id in ancestors:
            yield DiscoveryError(directory.display, "symbolic link loop, not followed")
            return
        with os.scandir(directory.path) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        yield DiscoveryError(directory.display, _describe(error, is_link=False))
        return
    settings = resolver.settings_for_directory(directory.path)
    ignore_files = directory.ignore_files
    if settings.respect_gitignore and any(entry.name == ".gitignore" for entry in entries):
        ignore_files += _read_ignore_file(directory.path, os.path.join(directory.path, ".gitignore"))
    for entry in entries:
        kind, problem = _classify(entry, real_top)
        is_dir = kind == _DIRECTORY
        if kind == _SKIPPED or settings.exclude.matches(entry.path, is_dir=is_dir):
            continue
        if settings.respect_gitignore and _is_ignored(ignore_files, entry.path, is_dir):
            continue
        display = _join_display(directory.display, entry.name)
        if is_dir:
            child = _Directory(entry.path, display, ignore_files)
            yield from _walk(child, real_top, ancestors | {directory_id}, resolver, seen)
        elif not settings.include.matches(entry.path):
            continue
        elif kind == _PROBLEM:
            yield DiscoveryError(display, problem)
        elif _first_time(entry.path, seen):
            yield DiscoveredFile(display, Path(entry.path), settings)


def _classify(entry: os.DirEntry, real_top: str) -> Tuple[int, str]:
    """What a directory entry is, following symbolic links that stay inside ``real_top``."""
    try:
        if entry.is_symlink():
            os.stat(entry.path)  # raises for a broken or looping link
            if not _is_within(os.path.realpath(entry.path), real_top):
                return _SKIPPED, ""
        if entry.is_dir():
            return _DIRECTORY, ""
        return (_FILE if entry.is_file() else _SKIPPED), ""
    except OSError as error:
        return _PROBLEM, _describe(error, is_link=entry.is_symlink())


def _is_within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _join_display(directory: str, name: str) -> str:
    return name if directory == os.curdir else os.path.join(directory, name)


def _file_id(status: os.stat_result) -> _FileId:
    return (status.st_dev, status.st_ino)


def _first_time(path: str, seen: Set[_FileId]) -> bool:
    """False for a file already yielded under another name (a link, a repeated argument)."""
    try:
        file_id = _file_id(os.stat(path))
    except OSError:  # vanished meanwhile: let reading it report the problem
        return True
    if file_id in seen:
        return False
    seen.add(file_id)
    return True


def _describe(error: OSError, *, is_link: bool) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if is_link and error.errno == errno.ENOENT:
        return "broken symbolic link"
    return (error.strerror or str(error)).lower()
