"""File discovery: the files a run lints, found lazily from the paths on the command line.

Directories are walked depth first in name order. Inside them a file is linted when it matches
``include`` and is not excluded (``exclude``/``extend-exclude`` of the settings for its directory,
``.gitignore`` files and ``.git/info/exclude`` when ``respect-gitignore``). A path named on the
command line is always linted, unless ``force-exclude`` is set and ``exclude`` matches it or a
directory above it (as in ruff, ``.gitignore`` does not apply to named paths). Symbolic links are
followed only when they resolve inside the directory argument; every file is yielded once, under
the first name found. A file that is itself a symbolic link carries the file it points to
(``link_target``) and whether that file lies inside the checked tree (``link_inside``): the
directory argument, or for a named file the working directory or its config file's directory.
``fix`` writes the target, or refuses when it lies outside.
Problems are yielded as ``DiscoveryError`` items: discovery never raises for a path (an invalid
config file still raises ``ConfigError``).
"""
from __future__ import annotations

import errno
import operator
import os
import stat
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterator, NamedTuple, Optional, Sequence, Set, Tuple, Union

from .config import ConfigResolver, Globs, Settings


@dataclass(frozen=True)
class DiscoveredFile:
    display_path: str  # as the user expects it in output
    abs_path: str  # absolute, symbolic links not resolved
    settings: Settings
    # Taken while walking (the check for a second name of the file needs it); the pre-filter
    # index compares it instead of taking another.
    status: Optional[os.stat_result] = field(default=None, compare=False, repr=False)
    link_target: str = ""  # a symbolic link's final target (resolved); "" for a plain file
    link_inside: bool = True  # whether ``link_target`` lies inside the checked tree


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
        yield from _discover_argument(given, os.path.join(cwd, given), resolver, seen, cwd)


def _discover_argument(
    given: str, path: str, resolver: ConfigResolver, seen: Set[_FileId], cwd: str
) -> Iterator[Discovered]:
    path = os.path.abspath(path)
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as error:
        yield DiscoveryError(given, _describe(error, is_link=os.path.islink(path)))
        return
    if force_excluded(path, is_dir, resolver):
        return
    if is_dir:
        walk = _Walk(path, resolver, seen)
        shown = os.path.normpath(given)
        yield from walk.files(path, shown)
    elif _first_time(path, seen)[0]:
        settings = resolver.settings_for(path)
        if not os.path.islink(path):
            yield DiscoveredFile(given, path, settings)
            return
        target = os.path.realpath(path)
        roots = [cwd] + ([str(settings.root)] if settings.path is not None else [])
        inside = any(_is_within(target, os.path.realpath(root)) for root in roots)
        yield DiscoveredFile(given, path, settings, link_target=target, link_inside=inside)


def force_excluded(path: str, is_dir: bool, resolver: ConfigResolver) -> bool:
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


class _Subdirectory(NamedTuple):
    path: str
    display: str
    gitignores: Globs
    ancestors: FrozenSet[_FileId]


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
        self._excludes: Dict[int, Tuple[Settings, Globs]] = {}
        self._includes: Dict[int, Tuple[Settings, Callable[[str, str], bool]]] = {}

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

    def files(self, path: str, display: str) -> Iterator[Discovered]:
        """Depth first in name order. A stack of directory listings, not recursion: a ``yield
        from`` chain costs every file the depth of its directory, and deep trees exist."""
        stack = [self._directory(path, display, self.outer_gitignores(), frozenset())]
        while stack:
            for item in stack[-1]:
                if isinstance(item, _Subdirectory):
                    stack.append(self._directory(*item))
                    break
                yield item
            else:
                stack.pop()

    def _directory(
        self, path: str, display: str, gitignores: Globs, ancestors: FrozenSet[_FileId]
    ) -> Iterator["Discovered | _Subdirectory"]:
        """The files of one directory, and its subdirectories to walk at their place in the order."""
        try:
            directory_id = _file_id(os.stat(path))
            if directory_id in ancestors:
                yield DiscoveryError(display, "symbolic link loop, not followed")
                return
            with os.scandir(path) as listing:
                entries = sorted(listing, key=_name)
        except OSError as error:
            yield DiscoveryError(display, _describe(error, is_link=False))
            return
        names = {entry.name for entry in entries}
        settings = self.resolver.settings_for_directory(path, names=names)
        excluded = self._exclude(settings).matcher_for(path)
        included = self._include(settings)
        respect_gitignore = settings.respect_gitignore
        if respect_gitignore and ".gitignore" in names:
            gitignores += _read_gitignore(path, os.path.join(path, ".gitignore"))
        ignored = gitignores.matcher_for(path) if respect_gitignore else None
        for entry in entries:
            kind, problem = self._classify(entry)
            is_dir = kind == _DIRECTORY
            name = entry.name
            if kind == _SKIPPED or excluded(name, entry.path, is_dir):
                continue
            if ignored is not None and ignored(name, entry.path, is_dir):
                continue
            shown = _join_display(display, name)
            if is_dir:
                yield _Subdirectory(entry.path, shown, gitignores, ancestors | {directory_id})
            elif not included(name, entry.path):
                continue
            elif kind == _PROBLEM:
                yield DiscoveryError(shown, problem)
            else:
                first, status = _first_time(entry, self.seen)
                if first:
                    # _classify let a link through only when its target is inside ``top``.
                    target = os.path.realpath(entry.path) if entry.is_symlink() else ""
                    yield DiscoveredFile(shown, entry.path, settings, status, link_target=target)

    # Keyed by identity: the resolver hands out one Settings object per config file, and
    # hashing a Settings (every field, deeply) for each directory costs more than the walk.

    def _include(self, settings: Settings) -> Callable[[str, str], bool]:
        if id(settings) not in self._includes:
            self._includes[id(settings)] = (settings, settings.include.include_matcher())
        return self._includes[id(settings)][1]

    def _exclude(self, settings: Settings) -> Globs:
        if id(settings) not in self._excludes:
            self._excludes[id(settings)] = (settings, settings.exclude.unmatched_by(self.top))
        return self._excludes[id(settings)][1]

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
    if directory == os.curdir:
        return name
    return directory + name if directory.endswith(os.sep) else directory + os.sep + name


_name = operator.attrgetter("name")


def _file_id(status: os.stat_result) -> _FileId:
    return (status.st_dev, status.st_ino)


def _first_time(path: "os.DirEntry | str", seen: Set[_FileId]) -> Tuple[bool, Optional[os.stat_result]]:
    """False for a file already yielded under another name (a link, a repeated argument); and
    the file's status. A file that vanished meanwhile counts as new: reading it reports it."""
    try:
        status = path.stat() if isinstance(path, os.DirEntry) else os.stat(path)
    except OSError:
        return True, None
    file_id = _file_id(status)
    if file_id in seen:
        return False, status
    seen.add(file_id)
    return True, status


def _describe(error: OSError, *, is_link: bool) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if is_link and error.errno == errno.ENOENT:
        return "broken symbolic link"
    return (error.strerror or str(error)).lower()
