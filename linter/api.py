"""The library API: what the CLI, the flake8 plugin and editors build on.

    >>> from linter import lint_source, fix_source, lint_paths
    >>> findings = lint_source(code, "client.py")
    >>> outcome = fix_source(code, "client.py", unsafe=False)   # outcome.text
    >>> findings = lint_paths(["src"])                            # config files honoured
"""
from __future__ import annotations

import os
from typing import Callable, List, Mapping, Optional, Sequence, Set, Tuple

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
    from .runner import FileReport, Pool, collecting_less

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
    project.remember_package_roots(True)  # for this run only: the tree may change after it
    try:
        with collecting_less(), Pool(jobs) as pool:  # the byte pass and both analysis passes share the workers
            return _run_in(pool, paths, files(), problems, roots, mode, unsafe, on_report,
                           cache.directory(cache_dir, enabled=use_cache))
    finally:
        project.remember_package_roots(False)


def _run_in(pool, paths, files, problems, roots, mode, unsafe, on_report, cache_dir) -> Tuple[list, int]:
    """Pre-filters the files and runs the candidates with the project pass (``_two_passes``)."""
    from .runner import FileJob, select_candidates

    # A tree checked before: its pre-filter index pays for itself from the first file (``INDEX_AFTER``).
    selection = select_candidates(files, cache_dir, index_at_once=any(os.path.isdir(path) for path in paths), pool=pool)
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
            screen=screen,
            max_file_size=item.settings.max_file_size,
        )
        for item, screen in zip(selection.candidates, selection.screen)
    ]
    reports = _two_passes(jobs_list, selection.candidates, mode, pool, cache_dir, on_report)
    return reports + selection.problems + problems, selection.files_seen


def _two_passes(jobs_list, candidates, mode: str, pool, cache_dir, on_report) -> list:
    """Runs the jobs knowing what the project says (``projects``): a first pass checks every
    candidate (cached), the project's test doubles and routes are surveyed, then the files whose
    result depends on them run again (all of them when fixing), with server tests left alone.
    Both passes share ``pool``'s workers (and the modules they loaded)."""
    from dataclasses import replace

    from . import projects as project_pass
    from .evidence.test_paths import is_test_path
    from .runner import CHECK, FileReport, run
    from .server_tests import depends_on_imports

    checks = {job.abs_path: item.settings.check_server_tests for job, item in zip(jobs_list, candidates)}
    first: List[Optional[FileReport]] = [None] * len(jobs_list)

    survey_only: Set[int] = set()  # waiting tests of serving projects: only their facts are taken

    def first_pass(numbers: List[int]) -> object:
        """Checks the jobs ``numbers``; the projects of every file checked so far."""
        checks_of = [replace(jobs_list[n], mode=CHECK, survey_only=n in survey_only) for n in numbers]
        for number, report in zip(numbers, run(checks_of, None, cache_dir, pool)):
            if on_report is not None:
                on_report(report)  # progress: most files are done after this pass
            first[number] = report
        done = [(report, job.abs_path) for report, job in zip(first, jobs_list) if report is not None]
        return project_pass.survey(done, os.getcwd())

    # A server project's tests wait until it is known whether their project serves; most of
    # them then need no analysis at all (``server_tests``).
    layout = project_pass.Projects(os.getcwd())
    waiting = [
        not checks[job.abs_path] and is_test_path(os.path.relpath(job.abs_path, layout.root_of(job.abs_path)))
        for job in jobs_list
    ]
    survey = first_pass([number for number, waits in enumerate(waiting) if not waits])
    if any(waiting):
        analysed = _tests_to_analyse(jobs_list, waiting, first, survey, on_report, cache_dir)
        # A test of a project that serves is left alone unless it registers routes itself (the
        # engine then analyses it in full): only what it tells the project pass is computed.
        survey_only.update(n for n in analysed if survey.project_of(jobs_list[n].abs_path).serves)
        survey = first_pass(analysed)
    final: List[object] = list(first)
    again = []
    for index, job in enumerate(jobs_list):
        if not checks[job.abs_path] and project_pass.left_alone(survey, job.abs_path) is not None:
            final[index] = FileReport(job.display_path)  # a server's own test or view
            continue
        # A surveyed test not left alone after all: its findings were not computed (one that
        # registers routes was analysed in full).
        unknown = index in survey_only and not first[index].facts.get("routes")
        findings = first[index].findings
        fixable = any(f.fix is not None for f in findings)
        constants = depends_on_imports(findings, first[index].facts)
        doubles = project_pass.doubles_for(survey, job.abs_path) if fixable or unknown else ()
        if unknown or (mode != CHECK and fixable) or doubles or constants:  # its result depends on the project
            imported = project_pass.imported_elsewhere(survey, job.abs_path)
            again.append((index, replace(job, double_endpoints=doubles, imported_elsewhere=imported)))
    for (index, _), report in zip(again, run([job for _, job in again], None, cache_dir, pool)):
        final[index] = report
    by_path = {report.display_path: report.findings for report in final}
    project_pass.keep_one_server_finding(by_path, survey, {job.display_path: job.abs_path for job in jobs_list})
    for report in final:
        report.findings = by_path.get(report.display_path, report.findings)
    return final


def _tests_to_analyse(jobs_list, waiting, first, survey, on_report, cache_dir) -> List[int]:
    """The waiting tests that need their first pass; the others (left alone by their server
    project, and telling the project pass nothing it needs: ``server_tests``) get an empty
    report here. The route screen's answers are kept in the cache (a warm run parses nothing)."""
    from .cache import ContentMemo
    from .runner import FileReport, _read_scannable
    from .server_tests import depends_on_imports, imports_from, may_register_routes

    fixable_in, importing = set(), set()  # project roots with a fixable finding; files that depend on importers
    for report, job in zip(first, jobs_list):
        if report is None:
            continue
        if any(f.fix is not None for f in report.findings):
            fixable_in.add(survey.root_of(job.abs_path))
        if depends_on_imports(report.findings, report.facts):
            importing.add(os.path.realpath(job.abs_path))
    analyse = []
    routes = ContentMemo(cache_dir, "server-tests.json")
    for number, job in enumerate(jobs_list):
        if not waiting[number]:
            continue
        if survey.project_of(job.abs_path).serves and survey.root_of(job.abs_path) not in fixable_in:
            try:
                data = _read_scannable(job.abs_path)
            except OSError:
                data = None  # its own pass reports why it cannot be read
            if data is not None and not routes.get(data, may_register_routes) and not (
                importing and imports_from(data, job.abs_path, job.roots, importing)
            ):
                first[number] = FileReport(job.display_path)
                if on_report is not None:
                    on_report(first[number])
                continue
        analyse.append(number)
    routes.save()
    return analyse


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
