"""``--show-files`` and ``--show-settings``: which files a run would check, and with what settings.

Both discover files exactly as a run does (excludes, ``.gitignore``, ``force-exclude``) but read
none of them. ``--show-settings`` describes the first file found (as Ruff does), or the
working directory when there is none.
"""
from __future__ import annotations

import os
from typing import Dict, List, Sequence, Tuple

from .config import ConfigResolver, Globs, Settings
from .files import DiscoveredFile, discover


def files_to_check(paths: Sequence[str], resolver: ConfigResolver) -> Tuple[List[DiscoveredFile], List[str]]:
    """The files a run would check, and ``path: problem`` for what discovery could not use."""
    files: List[DiscoveredFile] = []
    problems: List[str] = []
    for item in discover(list(paths), resolver):
        if isinstance(item, DiscoveredFile):
            files.append(item)
        else:
            problems.append(f"{item.display_path}: {item.message}")
    return files, problems


def settings_for_first_file(paths: Sequence[str], resolver: ConfigResolver) -> Dict[str, object]:
    """The settings of the first file a run would check, as plain data (``describe``)."""
    for item in discover(list(paths), resolver):
        if isinstance(item, DiscoveredFile):
            return describe(item.display_path, item.abs_path, item.settings)
    return describe(os.curdir, os.getcwd(), resolver.settings_for_directory(os.getcwd()), is_file=False)


def describe(shown: str, path: str, settings: Settings, *, is_file: bool = True) -> Dict[str, object]:
    config = None if settings.path is None else _relative(str(settings.path))
    described: Dict[str, object] = {
        "file" if is_file else "directory": shown,
        "config-file": config,
        "root": _relative(str(settings.root)),
        "select": sorted(settings.enabled),
    }
    if is_file:
        described["codes-for-file"] = sorted(settings.codes_for(path))
    described.update({
        "per-file-ignores": [
            {"patterns": [("!" if entry.negated else "") + pattern for pattern in _patterns(entry.globs)],
             "codes": sorted(entry.codes)}
            for entry in settings.per_file_ignores
        ],
        "target": settings.target,
        "unsafe-fixes": settings.unsafe_fixes,
        "respect-gitignore": settings.respect_gitignore,
        "force-exclude": settings.force_exclude,
        "max-file-size": settings.max_file_size,
        "include": _patterns(settings.include),
        "exclude": _patterns(settings.exclude),
    })
    return described


def render_settings(described: Dict[str, object]) -> str:
    """``key = value`` lines, values as TOML would write them (JSON's syntax for these types)."""
    import json

    lines = []
    for key, value in described.items():
        if key in ("file", "directory"):
            lines.append(f"Resolved settings for: {value}")
        elif key == "config-file":
            lines.append(f"Config file: {value if value is not None else 'none (defaults)'}")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _patterns(globs: Globs) -> List[str]:
    return [pattern for _, patterns in globs.groups for pattern in patterns]


def _relative(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative
