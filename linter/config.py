"""Configuration: reading and validating ``[tool.imslint]``, and the ``Settings`` of a file.

A file's configuration comes from the nearest config file found upwards from its directory: in
each directory ``.imslint.toml``, then ``imslint.toml`` (both hold the keys at the top level),
then ``pyproject.toml`` when it has a ``[tool.imslint]`` table (one without is skipped, as ruff
does). ``--config FILE`` replaces the search for every file. Command-line overrides, given as a
mapping with the same kebab-case keys, are laid on top of whichever file applies.

Glob keys (``exclude``, ``extend-exclude``, ``include``, ``per-file-ignores``) use gitignore
semantics relative to the config file's directory (command-line globs: the working directory).
As in ruff, ``exclude`` replaces the default excludes; ``extend-exclude`` adds to them.
"""
from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from pathspec import GitIgnoreSpec

from .options import DEFAULT_MAX_FILE_SIZE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

ALL = "ALL"
TARGETS = ("huawei-ims", "openstack-glance", "huawei-cloudimages")
DEFAULT_TARGET = "huawei-ims"
DEFAULT_INCLUDE = ("*.py", "*.ipynb")
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".mypy_cache", ".nox",
    ".pants.d", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__", "_build",
    "buck-out", "build", "dist", "node_modules", "site-packages", "venv", ".imslint_cache",
)
PYPROJECT = "pyproject.toml"
CONFIG_FILENAMES = (".imslint.toml", "imslint.toml", PYPROJECT)  # preference within a directory


class ConfigError(Exception):
    """A config file or option is unreadable or invalid; the message names the file and the key."""


# --- globs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Globs:
    """gitignore-style patterns in groups, each group relative to its own directory.

    As with nested ``.gitignore`` files, the last group with a matching pattern decides, and
    within a group the last matching pattern (``!pattern`` re-includes). A path outside a group's
    directory is matched by its basename against the patterns that name no directory
    (``build``, ``*.py``, ``.venv/``; not ``/top.py`` or ``src/*.py``).
    """

    groups: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (directory, patterns)
    _specs: tuple = field(default=(), init=False, repr=False, compare=False)
    # [``_split_by_name``'s answer], made lazily
    _by_name: list = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        specs = tuple(_compile(patterns) for _, patterns in self.groups)
        object.__setattr__(self, "_specs", specs)

    @classmethod
    def relative_to(cls, directory: "os.PathLike[str] | str", patterns: Iterable[str]) -> "Globs":
        """Raises ``ValueError`` for a pattern gitignore syntax rejects."""
        return cls(((os.path.abspath(directory), tuple(patterns)),))

    def __add__(self, other: "Globs") -> "Globs":
        return Globs(self.groups + other.groups)

    def matches(self, path: "os.PathLike[str] | str", *, is_dir: bool = False) -> bool:
        return self.verdict(path, is_dir=is_dir) is True

    def verdict(self, path: "os.PathLike[str] | str", *, is_dir: bool = False) -> Optional[bool]:
        """True: matched; False: re-included by a ``!`` pattern; None: no pattern matches."""
        path = os.path.abspath(path)
        suffix = "/" if is_dir else ""
        for (directory, _), (inside, outside) in zip(reversed(self.groups), reversed(self._specs)):
            relative = _relative_key(path, directory)
            if relative == "":
                continue
            if relative is None:
                verdict = _spec_verdict(outside, os.path.basename(path) + suffix)
            else:
                verdict = _spec_verdict(inside, relative + suffix)
            if verdict is not None:
                return verdict
        return None

    def matches_file_itself(self, path: "os.PathLike[str] | str") -> bool:
        """Whether a file matches in its own right, not by lying in a matching directory (so
        ``*.py`` does not take in ``x.py/notes.txt``): name patterns test its basename, path
        patterns its path relative to the group's directory; the last match decides."""
        path = os.path.abspath(path)
        matched = False
        for directory, patterns in self.groups:
            relative = _relative_key(path, directory)
            for pattern in patterns:
                negated = pattern.startswith("!")
                pattern = pattern[1:] if negated else pattern
                key = os.path.basename(path) if _is_name_pattern(pattern) else relative
                if key and _compile((pattern,))[0].match_file(key):
                    matched = not negated
        return matched

    def matcher_for(self, directory: str) -> Callable[[str, str, bool], bool]:
        """``matches`` for the entries of ``directory`` (absolute), as ``match(name, path, is_dir)``.

        A walk asks this for every entry, so the common case is answered by the entry's name.
        Without ``!`` a path matches when any pattern matches it, so the name patterns (``build``,
        ``*.pyc``, ``.venv/``) and the others (``/site``, ``docs/_build/``) can be asked apart.
        For the name patterns, an entry inside a group's directory matches exactly when the part
        of ``directory`` below the group's directory matches (everything in a matched directory
        is matched) or the entry's own name does (a name pattern matches a path when it matches
        one of its components, and no component above the entry matched), and an entry outside
        it by its name alone, as in ``verdict``; the others go to ``matches``. With a ``!``
        pattern, or a group's directory strictly inside ``directory`` (its own directory is never
        matched by a group), everything takes ``matches``.
        """
        split = self._split_by_name()
        if split is None or any(_is_strictly_inside(root, directory) for root, _ in self.groups):
            return lambda name, path, is_dir: self.matches(path, is_dir=is_dir)
        by_names, by_paths = split
        if by_names.inherited(directory):
            return lambda name, path, is_dir: True
        if by_paths is None:
            return by_names.entry_matches
        return lambda name, path, is_dir: by_names.entry_matches(name, path, is_dir) or by_paths.matches(path, is_dir=is_dir)

    def _split_by_name(self) -> "Optional[Tuple[_ByName, Optional[Globs]]]":
        """The name patterns and the other patterns (None: there are none) for ``matcher_for``;
        None when a ``!`` pattern makes the order matter. Made once per ``Globs``."""
        if not self._by_name:
            patterns = [pattern for _, group in self.groups for pattern in group]
            split = None
            if not any(pattern.startswith("!") for pattern in patterns):
                by_paths = Globs(tuple((root, tuple(p for p in group if not _is_name_pattern(p)))
                                       for root, group in self.groups))
                by_names = _ByName(tuple((root, tuple(p for p in group if _is_name_pattern(p)))
                                         for root, group in self.groups))
                has_paths = any(not _is_name_pattern(pattern) for pattern in patterns)
                split = (by_names, by_paths if has_paths else None)
            object.__setattr__(self, "_by_name", [split])
        return self._by_name[0]

    def include_matcher(self) -> Callable[[str, str], bool]:
        """``matches_file_itself`` as ``match(name, path)``: by the name alone when every pattern
        is a name pattern (then only the basename is ever tested)."""
        if any(not _is_name_pattern(pattern) for _, patterns in self.groups for pattern in patterns):
            return lambda name, path: self.matches_file_itself(path)
        test = _NamePatterns([pattern for _, patterns in self.groups for pattern in patterns])
        return lambda name, path: test.verdict(name) is True

    def unmatched_by(self, directory: "os.PathLike[str] | str") -> "Globs":
        """These globs without the patterns that match ``directory``: inside a directory named on
        the command line, only what matches entries in their own right excludes them."""
        groups = []
        for root, patterns in self.groups:
            single = [Globs(((root, (pattern,)),)) for pattern in patterns]
            kept = (p for p, g in zip(patterns, single) if not g.matches(directory, is_dir=True))
            groups.append((root, tuple(kept)))
        return Globs(tuple(groups))


class _ByName:
    """``Globs.matcher_for`` for globs of name patterns without ``!``: ``inherited`` tells
    whether a directory lies in a matched one (memoised; a walk asks for each directory after
    its parent), ``entry_matches`` tests an entry's own name against every group."""

    def __init__(self, groups: Sequence[Tuple[str, Tuple[str, ...]]]) -> None:
        self.groups = [(root, _NamePatterns(patterns)) for root, patterns in groups if patterns]
        self.every = _NamePatterns([pattern for _, patterns in groups for pattern in patterns])
        self._inherited: Dict[Tuple[int, str], bool] = {}

    def entry_matches(self, name: str, path: str, is_dir: bool) -> bool:
        return self.every.verdict(name, is_dir=is_dir) is True

    def inherited(self, directory: str) -> bool:
        return any(self._inherited_in(index, directory) for index in range(len(self.groups)))

    def _inherited_in(self, index: int, directory: str) -> bool:
        """Whether a component of ``directory`` below group ``index``'s directory matches it."""
        key = (index, directory)
        if key not in self._inherited:
            root, patterns = self.groups[index]
            parent, name = os.path.split(directory)
            self._inherited[key] = _is_strictly_inside(directory, root) and (
                patterns.verdict(name, is_dir=True) is True or self._inherited_in(index, parent)
            )
        return self._inherited[key]


class _NamePatterns:
    """Name patterns (no ``/`` but a trailing one) tested against one path component.

    The last matching pattern decides (``!`` re-includes), as in gitignore. Without ``!`` the
    order does not matter, and plain names (``build``, ``.venv/``) are looked up in sets and
    ``*`` + plain text (``*.py``) is a suffix test, so the default excludes or includes cost a
    lookup an entry; the other patterns go through pathspec's own regular expressions.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        any_order = not any(pattern.startswith("!") for pattern in patterns)
        self.names: set = set()
        self.directory_names: set = set()
        suffixes: List[str] = []
        self.globs: list = []
        for pattern in patterns:
            name = pattern[:-1] if pattern.endswith("/") else pattern
            if any_order and _is_plain(name):
                (self.directory_names if pattern.endswith("/") else self.names).add(name)
            elif any_order and pattern.startswith("*") and _is_plain(pattern[1:]):
                suffixes.append(pattern[1:])
            else:  # order matters once a pattern can re-include: then every pattern comes here
                self.globs.extend(r for r in _compile((pattern,))[0].patterns if r.include is not None)
        self.suffixes = tuple(suffixes)

    def verdict(self, name: str, *, is_dir: bool = False) -> Optional[bool]:
        if name in self.names or (is_dir and name in self.directory_names):
            return True
        if self.suffixes and name.endswith(self.suffixes):
            return True
        key = name + "/" if is_dir else name
        verdict = None
        for regex in self.globs:
            if regex.match_file(key) is not None:
                verdict = regex.include
        return verdict


def _is_plain(text: str) -> bool:
    """Text gitignore takes literally: no wildcard, class, escape, separator, comment or negation,
    no surrounding spaces."""
    return bool(text) and text == text.strip() and not any(c in text for c in "*?[]\\/#!")


def _relative_key(path: str, directory: str) -> Optional[str]:
    """``path`` relative to ``directory`` with ``/`` separators; None when outside it."""
    if path == directory:
        return ""
    prefix = directory.rstrip(os.sep) + os.sep
    return path[len(prefix):].replace(os.sep, "/") if path.startswith(prefix) else None


def _is_strictly_inside(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip(os.sep) + os.sep)


def _is_name_pattern(pattern: str) -> bool:
    """``build``, ``*.py``, ``.venv/``: patterns that name no directory above the entry."""
    return "/" not in pattern.lstrip("!").rstrip("/")


@lru_cache(maxsize=None)
def _compile(patterns: Tuple[str, ...]) -> Tuple[GitIgnoreSpec, GitIgnoreSpec]:
    """Specs for paths inside the group's directory, and for basenames of paths outside it."""
    names_only = [p for p in patterns if _is_name_pattern(p)]
    return GitIgnoreSpec.from_lines(patterns), GitIgnoreSpec.from_lines(names_only)


def _spec_verdict(spec: GitIgnoreSpec, key: str) -> Optional[bool]:
    if hasattr(spec, "check_file"):
        return spec.check_file(key).include
    verdict = None  # pathspec < 0.12 has no check_file: the last matching pattern decides
    for pattern in spec.patterns:
        if pattern.include is not None and pattern.match_file(key) is not None:
            verdict = pattern.include
    return verdict


@dataclass(frozen=True)
class PerFileIgnore:
    """Codes ignored in the files a glob matches (a glob starting with ``!``: all other files)."""

    globs: Globs
    codes: FrozenSet[str]
    negated: bool = False

    def applies_to(self, path: "os.PathLike[str] | str") -> bool:
        return self.globs.matches(path) != self.negated


# --- rule selection ----------------------------------------------------------------------------


def expand_selector(selector: str, known_codes: Iterable[str]) -> FrozenSet[str]:
    """The known codes a selector (``ALL``, a prefix such as ``IMS00``, or a code) names."""
    if selector == ALL:
        return frozenset(known_codes)
    return frozenset(code for code in known_codes if code.startswith(selector))


@dataclass(frozen=True)
class RuleSelection:
    """One layer of selectors (defaults, a config file, the command line), applied in order."""

    select: Optional[Tuple[str, ...]] = None  # None: keep what earlier layers enabled
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()


DEFAULT_SELECTION = RuleSelection(select=(ALL,))


def resolve_enabled(known_codes: Sequence[str], layers: Iterable[RuleSelection]) -> FrozenSet[str]:
    """Ruff's algorithm: within a layer, selectors apply from least to most specific (``ALL``,
    then by length) and at equal specificity an ignore beats a select; a layer with ``select``
    starts afresh, one without it amends the codes enabled so far."""
    enabled: set = set()
    for layer in layers:
        selects = (layer.select or ()) + layer.extend_select
        updates: Dict[str, bool] = {}
        for specificity in sorted({_specificity(s) for s in selects + layer.ignore}):
            for selectors, state in ((selects, True), (layer.ignore, False)):
                for selector in selectors:
                    if _specificity(selector) == specificity:
                        codes = expand_selector(selector, known_codes)
                        updates.update(dict.fromkeys(codes, state))
        if layer.select is not None:
            enabled = set()
        enabled |= {code for code, state in updates.items() if state}
        enabled -= {code for code, state in updates.items() if not state}
    return frozenset(enabled)


def _specificity(selector: str) -> int:
    return 0 if selector == ALL else len(selector)


# --- settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Everything configuration decides for the files under one config file."""

    enabled: FrozenSet[str]
    per_file_ignores: Tuple[PerFileIgnore, ...]
    target: str
    respect_gitignore: bool
    force_exclude: bool
    unsafe_fixes: bool
    check_server_tests: bool
    max_file_size: int  # bytes; 0: no limit (``options.DEFAULT_MAX_FILE_SIZE``)
    include: Globs
    exclude: Globs
    root: Path
    path: Optional[Path]

    def codes_for(self, path: "os.PathLike[str] | str") -> FrozenSet[str]:
        """The enabled codes minus the per-file ignores that match ``path``."""
        ignored = [entry.codes for entry in self.per_file_ignores if entry.applies_to(path)]
        return self.enabled.difference(*ignored)


class _Invalid(Exception):
    """A bad value; the caller adds the file and key to the message."""


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", str: "a string", int: "an integer", float: "a float",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _string_list(value: object, expected: str) -> Tuple[str, ...]:
    if not isinstance(value, (list, tuple)):  # tuples: command-line values
        raise _Invalid(f"expected {expected}, got {_toml_type(value)}")
    wrong = [item for item in value if not isinstance(item, str)]
    if wrong:
        raise _Invalid(f"expected {expected}, got an array holding {_toml_type(wrong[0])}")
    return tuple(value)


def _codes(value: object, known_codes: Sequence[str]) -> Tuple[str, ...]:
    selectors = _string_list(value, "an array of rule codes")
    for selector in selectors:
        if not expand_selector(selector, known_codes):
            hint = _did_you_mean(selector, [ALL, *known_codes])
            raise _Invalid(f"unknown rule code or prefix {selector!r}{hint}")
    return selectors


def _globs(value: object, directory: str) -> Globs:
    patterns = _string_list(value, "an array of glob patterns")
    for pattern in patterns:
        try:
            GitIgnoreSpec.from_lines([pattern])
        except ValueError as error:
            raise _Invalid(f"invalid glob pattern {pattern!r}: {error}") from None
    return Globs.relative_to(directory, patterns)


def _per_file_ignores(value: object, known_codes: Sequence[str], directory: str):
    if not isinstance(value, dict):
        raise _Invalid(f"expected a table of glob = [rule codes], got {_toml_type(value)}")
    entries = []
    for glob, codes in value.items():
        negated = glob.startswith("!")
        try:
            globs = _globs([glob[1:] if negated else glob], directory)
            selectors = _codes(codes, known_codes)
        except _Invalid as error:
            raise _Invalid(f"{glob!r}: {error}") from None
        ignored = frozenset().union(*(expand_selector(s, known_codes) for s in selectors))
        entries.append(PerFileIgnore(globs, ignored, negated))
    return tuple(entries)


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_toml_type(value)}")
    return value


def _target(value: object) -> str:
    if value not in TARGETS:
        raise _Invalid(f"expected one of {', '.join(map(repr, TARGETS))}, got {value!r}")
    return value  # type: ignore[return-value]


_SIZE = re.compile(r"(\d+(?:\.\d+)?) ?([KMG]i?B|B)?", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}  # binary: 1 MB = 1,048,576 bytes


def _size(value: object) -> int:
    """A size in bytes: an integer, or a string with a unit (``"4MB"``, ``"512 KB"``); 0: no limit."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise _Invalid(f"expected a size of 0 or more bytes, got {value}")
        return value
    match = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        shown = repr(value) if isinstance(value, str) else _toml_type(value)
        raise _Invalid(f"expected a size in bytes or a string such as \"4MB\" or \"512KB\", got {shown}")
    number, unit = match.groups()
    return int(float(number) * _UNITS[(unit or "")[:1].lower()])


_Check = Callable[[object, Sequence[str], str], Any]  # (value, known codes, directory)
_CHECKS: Dict[str, _Check] = {
    "select": lambda value, known, _: _codes(value, known),
    "ignore": lambda value, known, _: _codes(value, known),
    "extend-select": lambda value, known, _: _codes(value, known),
    "extend-ignore": lambda value, known, _: _codes(value, known),
    "exclude": lambda value, _, directory: _globs(value, directory),
    "extend-exclude": lambda value, _, directory: _globs(value, directory),
    "include": lambda value, _, directory: _globs(value, directory),
    "per-file-ignores": _per_file_ignores,
    "extend-per-file-ignores": _per_file_ignores,
    "target": lambda value, *_: _target(value),
    "respect-gitignore": lambda value, *_: _boolean(value),
    "force-exclude": lambda value, *_: _boolean(value),
    "unsafe-fixes": lambda value, *_: _boolean(value),
    "check-server-tests": lambda value, *_: _boolean(value),
    "max-file-size": lambda value, *_: _size(value),
}
CONFIG_KEYS = tuple(_CHECKS)


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    by_lower = {option.lower(): option for option in options}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def _validate(
    table: Mapping[str, object], known_codes: Sequence[str], directory: str, where: str, flag: str
) -> Dict[str, Any]:
    """Checked values by key; errors read ``{where}unknown key …`` or ``{where}{flag}{key}: …``."""
    options = {}
    for key, value in table.items():
        check = _CHECKS.get(key)
        if check is None:
            raise ConfigError(f"{where}unknown key {key!r}{_did_you_mean(key, CONFIG_KEYS)}")
        try:
            options[key] = check(value, known_codes, directory)
        except _Invalid as error:
            raise ConfigError(f"{where}{flag}{key}: {error}") from None
    return options


def _combine(
    known_codes: Sequence[str], file: Mapping[str, Any], cli: Mapping[str, Any],
    root: str, path: Optional[str],
) -> Settings:
    def pick(key: str, default: Any) -> Any:
        return cli.get(key, file.get(key, default))

    def layer(options: Mapping[str, Any]) -> RuleSelection:
        return RuleSelection(
            select=options.get("select"),
            extend_select=options.get("extend-select", ()),
            ignore=options.get("ignore", ()) + options.get("extend-ignore", ()),
        )

    no_globs = Globs()
    return Settings(
        enabled=resolve_enabled(known_codes, [DEFAULT_SELECTION, layer(file), layer(cli)]),
        per_file_ignores=pick("per-file-ignores", ())
        + file.get("extend-per-file-ignores", ())
        + cli.get("extend-per-file-ignores", ()),
        target=pick("target", DEFAULT_TARGET),
        respect_gitignore=pick("respect-gitignore", True),
        force_exclude=pick("force-exclude", False),
        unsafe_fixes=pick("unsafe-fixes", False),
        check_server_tests=pick("check-server-tests", False),
        max_file_size=pick("max-file-size", DEFAULT_MAX_FILE_SIZE),
        include=pick("include", Globs.relative_to(root, DEFAULT_INCLUDE)),
        exclude=pick("exclude", Globs.relative_to(root, DEFAULT_EXCLUDE))
        + file.get("extend-exclude", no_globs)
        + cli.get("extend-exclude", no_globs),
        root=Path(root),
        path=Path(path) if path is not None else None,
    )


def settings_from_table(
    table: Mapping[str, object],
    known_codes: Sequence[str],
    *,
    root: "os.PathLike[str] | str",
    overrides: Optional[Mapping[str, object]] = None,
) -> Settings:
    """Settings from an in-memory ``[tool.imslint]`` table (for tests and rule examples)."""
    root = os.path.abspath(root)
    file = _validate(table, known_codes, root, "[tool.imslint] ", "")
    cli = _validate(overrides or {}, known_codes, root, "", "--")
    return _combine(known_codes, file, cli, root, None)


# --- config files ------------------------------------------------------------------------------


def read_config_file(path: str, shown: Optional[str] = None) -> Optional[Mapping[str, object]]:
    """The imslint table of a config file; ``None`` for a pyproject.toml without one.

    ``shown`` is how error messages name the file (default: ``path``).
    """
    shown = path if shown is None else shown
    try:
        with open(path, "rb") as stream:
            document = tomllib.load(stream)
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:  # tomllib decodes the bytes as UTF-8 first
        raise ConfigError(f"{shown}: cannot read: not UTF-8 (byte 0x{error.object[error.start]:02x}"
                          f" at offset {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{shown}: invalid TOML: {error}") from None
    if os.path.basename(path) != PYPROJECT:
        return document
    tool = document.get("tool", {})
    table = tool.get("imslint") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{shown}: [tool.imslint] must be a table, got {_toml_type(table)}")
    return table


class ConfigResolver:
    """Finds and caches the ``Settings`` for each directory.

    ``overrides`` holds command-line values under the config keys (``{"select": ["IMS001"]}``);
    they are validated at once and win over every config file. Files with no config file above
    them use the one found from ``cwd`` (as ruff does), else the defaults rooted at ``cwd``.
    """

    def __init__(
        self,
        known_codes: Sequence[str],
        overrides: Optional[Mapping[str, object]] = None,
        config_file: "os.PathLike[str] | str | None" = None,
        cwd: "os.PathLike[str] | str | None" = None,
    ) -> None:
        self.known_codes = tuple(known_codes)
        self.cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())
        self._overrides = _validate(overrides or {}, self.known_codes, self.cwd, "", "--")
        self._by_directory: Dict[str, Settings] = {}
        self._fallback: Optional[Settings] = None
        self._fixed: Optional[Settings] = None
        if config_file is not None:
            path = os.path.join(self.cwd, config_file)
            if os.path.isdir(path):
                raise ConfigError(f"{self._shown(path)}: is a directory, not a config file")
            if not os.path.isfile(path):
                raise ConfigError(f"{self._shown(path)}: config file not found")
            self._fixed = self._load(path, required=True)

    def settings_for(self, file_path: "os.PathLike[str] | str") -> Settings:
        """The settings for a file (the config search starts in its directory)."""
        return self.settings_for_directory(os.path.dirname(os.path.join(self.cwd, file_path)))

    def settings_for_directory(
        self, directory: "os.PathLike[str] | str", *, names: Optional[AbstractSet[str]] = None
    ) -> Settings:
        """The settings for the files directly inside ``directory``; ``names``, when the caller
        has listed the directory, spares looking for config files that are not there."""
        if self._fixed is not None:
            return self._fixed
        return self._search(os.path.abspath(os.path.join(self.cwd, directory)), self._default, names)

    def _search(
        self, directory: str, otherwise: Callable[[], Settings], names: Optional[AbstractSet[str]] = None
    ) -> Settings:
        passed = []
        settings = None
        while settings is None:
            settings = self._by_directory.get(directory)
            if settings is None:
                passed.append(directory)
                if names is None or not names.isdisjoint(CONFIG_FILENAMES):
                    settings = self._load_from_directory(directory)
                names = None  # the listing was of the first directory only
            parent = os.path.dirname(directory)
            if settings is None and parent == directory:
                settings = otherwise()
            directory = parent
        self._by_directory.update(dict.fromkeys(passed, settings))
        return settings

    def _default(self) -> Settings:
        if self._fallback is None:
            self._fallback = self._search(self.cwd, self._defaults_at_cwd)
        return self._fallback

    def _defaults_at_cwd(self) -> Settings:
        return _combine(self.known_codes, {}, self._overrides, self.cwd, None)

    def _load_from_directory(self, directory: str) -> Optional[Settings]:
        for name in CONFIG_FILENAMES:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                settings = self._load(path, required=False)
                if settings is not None:
                    return settings
        return None

    def _load(self, path: str, *, required: bool) -> Optional[Settings]:
        shown = self._shown(path)
        table = read_config_file(path, shown)
        if table is None and not required:
            return None
        is_pyproject = os.path.basename(path) == PYPROJECT
        where = f"{shown}: [tool.imslint] " if is_pyproject else f"{shown}: "
        root = os.path.dirname(os.path.abspath(path))
        file = _validate(table or {}, self.known_codes, root, where, "")
        return _combine(self.known_codes, file, self._overrides, root, os.path.abspath(path))

    def _shown(self, path: str) -> str:
        relative = os.path.relpath(path, self.cwd)
        outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
        return os.path.abspath(path) if outside else relative
