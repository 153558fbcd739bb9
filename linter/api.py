"""The library API: what the CLI, the flake8 plugin and editors build on.

    >>> from linter import lint_source, fix_source, lint_paths
    >>> findings = lint_source(code, "client.py")
    >>> outcome = fix_source(code, "client.py", unsafe=False)   # outcome.text
    >>> findings = lint_paths(["src"])                            # config files honoured
"""
from __future__ import annotations

import os
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from .engine import FixOutcome, fix_source, lint_source
from .findings import Finding

__all__ = ["lint_source", "fix_source", "lint_paths", "run_paths", "FixOutcome"]


def run_paths(
    paths: Sequence[str],
    resolver,
    *,
    mode: str = "check",
    unsafe: bool = False,
    jobs: Optional[int] = None,
    on_report: Optional[Callable[[object], None]] = None,
    cache_dir: Optional[str] = None,
    use_cache: bool = True,
) -> Tuple[list, int]:
    """Discovers, pre-filters and processes files; returns (file reports, files seen).

    Results are cached in ``cache_dir`` (default: ``IMSLINT_CACHE_DIR`` or ``.imslint_cache``)
    unless ``use_cache`` is false or ``IMSLINT_NO_CACHE`` is set."""
    from . import cache, project
    from .engine import unreadable
    from .files import DiscoveryError, discover
    from .runner import FileJob, FileReport, run, select_candidates

    problems: List[FileReport] = []
    roots = tuple(dict.fromkeys([os.getcwd(), *(os.path.abspath(p) for p in paths if os.path.isdir(p))]))

    def files():
        for item in discover(list(paths), resolver):
            if isinstance(item, DiscoveryError):
                problems.append(FileReport(item.display_path, [unreadable(item.display_path, item.message)]))
                continue
            yield item

    # This process may have linted before (a library user): what it knows of other modules
    # must not outlive a change to them.
    project.forget_changed_modules()
    cache.forget_hashes()
    cache_dir = cache.directory(cache_dir, enabled=use_cache)
    selection = select_candidates(files(), cache_dir)
    jobs_list = [
        FileJob(
            item.display_path,
            str(item.abs_path),
            frozenset(item.settings.codes_for(item.abs_path)),
            item.settings.target,
            mode,
            unsafe or item.settings.unsafe_fixes,
            roots,
            link_target=item.link_target,
            link_inside=item.link_inside,
        )
        for item in selection.candidates
    ]
    reports = []
    for report in run(jobs_list, jobs, cache_dir):
        if on_report is not None:
            on_report(report)
        reports.append(report)
    return reports + selection.problems + problems, selection.files_seen


def lint_paths(
    paths: Sequence[str] = (".",),
    *,
    config_file: Optional[str] = None,
    overrides: Optional[Mapping[str, object]] = None,
    jobs: Optional[int] = None,
) -> List[Finding]:
    """Findings for files and directories, with configuration resolved as the CLI does.

    ``overrides`` takes configuration keys (``{"select": ["IMS001"], "target": "openstack-glance"}``).
    Raises ``linter.config.ConfigError`` for bad configuration.
    """
    from .config import ConfigResolver
    from .registry import known_codes

    resolver = ConfigResolver(known_codes(), overrides=dict(overrides or {}), config_file=config_file)
    reports, _ = run_paths(paths, resolver, jobs=jobs)
    return sorted((f for report in reports for f in report.findings), key=lambda f: f.sort_key)
