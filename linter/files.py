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
from typing import Dict, FrozenSet, Iterator, Optional, Sequence, Set, Tuple, Union

from .config import ConfigResolver, Globs, Settings


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
        walk = _Walk(path, resolver, seen)
        shown = os.path.normpath(given)
        yield from walk.directory(path, shown, walk.outer_gitignores(), frozenset())
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


_DIRECTORY, _FILE, _SKIPPED, _PROBLEM = range(4)


class _Walk:
    """The walk of one directory named on the command line (``top``).

    Patterns that match ``top`` itself (or a directory above it) are dropped for the walk, so a
    named directory is linted even when excluded; inside it, excluded entries are pruned.
    """

    def __init__(self, top: str, resolver: ConfigResolver, seen: Set[_FileId]) -> None:
        self.top = top
        self.real_top = os.path.realpath(top)
        self.resolver = resolver
        self.seen = seen
        self._excludes: Dict[Settings, Globs] = {}

    def outer_gitignores(self) -> Globs:
        """``.git/info/exclude`` and the ``.gitignore`` files of the repository above ``top``."""
        directories = []
        repository = self.top
        while not os.path.exists(os.path.join(repository, ".git")):
            parent = os.path.dirname(repository)
            if parent == repository:
                return Globs()  # not inside a git repository
            directories.append(parent)
            repository = parent
        found = _read_gitignore(repository, os.path.join(repository, ".git", "info", "exclude"))
        for directory in reversed(directories):
            found += _read_gitignore(directory, os.path.join(directory, ".gitignore"))
        return found.unmatched_by(self.top)

    def directory(
        self, path: str, display: str, gitignores: Globs, ancestors: FrozenSet[_FileId]
    ) -> Iterator[Discovered]:
        try:
            directory_id = _file_id(os.stat(path))
            if directory_id in ancestors:
                yield DiscoveryError(display, "symbolic link loop, not followed")
                return
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            yield DiscoveryError(display, _describe(error, is_link=False))
            return
        settings = self.resolver.settings_for_directory(path)
        exclude = self._exclude(settings)
        respect_gitignore = settings.respect_gitignore
        if respect_gitignore and any(entry.name == ".gitignore" for entry in entries):
            gitignores += _read_gitignore(path, os.path.join(path, ".gitignore"))
        for entry in entries:
            kind, problem = self._classify(entry)
            is_dir = kind == _DIRECTORY
            if kind == _SKIPPED or exclude.matches(entry.path, is_dir=is_dir):
                continue
            if respect_gitignore and gitignores.matches(entry.path, is_dir=is_dir):
                continue
            shown = _join_display(display, entry.name)
            if is_dir:
                inside = ancestors | {directory_id}
                yield from self.directory(entry.path, shown, gitignores, inside)
            elif not settings.include.matches_file_itself(entry.path):
                continue
            elif kind == _PROBLEM:
                yield DiscoveryError(shown, problem)
            elif _first_time(entry.path, self.seen):
                yield DiscoveredFile(shown, Path(entry.path), settings)

    def _exclude(self, settings: Settings) -> Globs:
        if settings not in self._excludes:
            self._excludes[settings] = settings.exclude.unmatched_by(self.top)
        return self._excludes[settings]

    def _classify(self, entry: os.DirEntry) -> Tuple[int, str]:
        """What an entry is, following symbolic links that stay inside the named directory."""
        try:
            if entry.is_symlink():
                os.stat(entry.path)  # raises for a broken or looping link
                if not _is_within(os.path.realpath(entry.path), self.real_top):
                    return _SKIPPED, ""
            if entry.is_dir():
                return _DIRECTORY, ""
            return (_FILE if entry.is_file() else _SKIPPED), ""
        except OSError as error:
            return _PROBLEM, _describe(error, is_link=entry.is_symlink())


def _read_gitignore(directory: str, path: str) -> Globs:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return Globs()
    return Globs.relative_to(directory, [line for line in lines if _is_valid_pattern(line)])


def _is_valid_pattern(line: str) -> bool:
    """git skips the lines it cannot parse; so do we."""
    try:
        Globs.relative_to(os.curdir, [line])
    except ValueError:
        return False
    return True


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
