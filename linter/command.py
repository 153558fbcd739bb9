"""What `imslint check` and `imslint fix` do with their options: run, report, exit code.

``cli`` turns the options into a ``Request``; ``execute`` runs it and returns the exit code
(0 clean, 1 findings, 2 usage, configuration or internal error). Where each output goes:

* the report (the chosen format) goes to stdout or ``--output-file``; when standard input is
  being fixed, stdout carries the fixed source and the report goes to stderr (or the file);
* ``--diff`` puts the unified diff there instead (with ``-o json``/``json-lines``: the fixes as
  edits, ``report.fixes_json``), and nothing else;
* the summary and ``--statistics`` follow a text report; beside a machine format, and beside a
  diff, they go to stderr, as do progress, ``--verbose`` notes, warnings and, in ``--diff`` runs,
  the files imslint could not read (IMS000).
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from .report.summary import fixes_line
from .runner import CHECK, DIFF, FIX

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
TEXT_FORMATS = ("text", "full", "concise", "grouped")
DIFF_FORMATS = TEXT_FORMATS + ("json", "json-lines")  # what --diff can print
SHOW_FORMATS = TEXT_FORMATS + ("json",)  # what --show-files / --show-settings can print


class UsageProblem(Exception):
    """Options that cannot work together, or a path that does not exist: exit 2, one line."""


@dataclass(frozen=True)
class Request:
    paths: Tuple[str, ...] = ()
    fix: bool = False
    fix_only: bool = False
    diff: bool = False
    unsafe_fixes: Optional[bool] = None  # None: as configured
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False
    output_format: str = "text"
    output_file: Optional[str] = None
    statistics: bool = False
    show_fixes: bool = False
    show_files: bool = False
    show_settings: bool = False
    stdin_filename: Optional[str] = None
    quiet: bool = False
    verbose: bool = False
    color: Optional[bool] = None
    config_file: Optional[str] = None
    overrides: Mapping[str, object] = field(default_factory=dict)  # config keys from the command line
    jobs: Optional[int] = None
    cache_dir: Optional[str] = None
    no_cache: bool = False
    baseline: Optional[str] = None  # report only findings not in this baseline (``linter.baseline``)
    write_baseline: Optional[str] = None  # record today's findings there instead of reporting them
    add_noqa: bool = False  # write ``# noqa: CODES`` for today's findings (``linter.noqa``)
    reason: Optional[str] = None  # with add_noqa: the text after the codes
    interactive: bool = False  # fix one fix at a time, asking (``linter.interactive``)

    @property
    def mode(self) -> str:
        if self.diff:
            return DIFF
        return FIX if self.fix or self.fix_only else CHECK

    @property
    def reads_stdin(self) -> bool:
        """As in Ruff: ``--stdin-filename`` or a ``-`` path reads standard input."""
        return self.stdin_filename is not None or "-" in self.paths


@dataclass
class _Outputs:
    report: str = ""  # to stdout, or --output-file
    notes: str = ""  # to stderr


def check_request(request: Request) -> None:
    """Raises ``UsageProblem`` for options that cannot work together."""
    from .report import FORMATS

    fmt = request.output_format
    if fmt not in FORMATS:
        raise UsageProblem(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    pairs = [
        ("--exit-zero", request.exit_zero, "--exit-non-zero-on-fix", request.exit_non_zero_on_fix),
        ("--diff", request.diff, "--statistics", request.statistics),
        ("--show-files", request.show_files, "--show-settings", request.show_settings),
    ]
    for show, shown in (("--show-files", request.show_files), ("--show-settings", request.show_settings)):
        pairs += [(show, shown, "--statistics", request.statistics),
                  (show, shown, "--stdin-filename", request.stdin_filename is not None)]
    for first, first_on, second, second_on in pairs:
        if first_on and second_on:
            raise UsageProblem(f"{first} cannot be used with {second}")
    fixing = request.fix or request.fix_only or request.diff
    pairs = [
        ("--add-noqa", request.add_noqa, "--fix, --fix-only or --diff", fixing),
        ("--add-noqa", request.add_noqa, "--stdin-filename", request.reads_stdin),
        ("--add-noqa", request.add_noqa, "--write-baseline", request.write_baseline is not None),
        ("--write-baseline", request.write_baseline is not None, "--fix, --fix-only or --diff", fixing),
        ("--write-baseline", request.write_baseline is not None, "--baseline", request.baseline is not None),
        ("--interactive", request.interactive, "--diff or --fix-only", request.diff or request.fix_only),
        ("--interactive", request.interactive, "--stdin-filename", request.reads_stdin),
        ("--interactive", request.interactive, "--add-noqa", request.add_noqa),
        ("--interactive", request.interactive, "--write-baseline", request.write_baseline is not None),
        ("--interactive", request.interactive, "--output-file", request.output_file is not None),
    ]
    for show, shown in (("--show-files", request.show_files), ("--show-settings", request.show_settings)):
        pairs += [(show, shown, option, on) for option, on in (
            ("--add-noqa", request.add_noqa), ("--write-baseline", request.write_baseline is not None),
            ("--interactive", request.interactive))]
    for first, first_on, second, second_on in pairs:
        if first_on and second_on:
            raise UsageProblem(f"{first} cannot be used with {second}")
    if request.reason is not None and not request.add_noqa:
        raise UsageProblem("--reason goes with --add-noqa")
    if request.interactive and not request.fix:
        raise UsageProblem("--interactive reviews fixes: use `imslint fix --interactive` (or check --fix --interactive)")
    if request.interactive and fmt not in TEXT_FORMATS:
        raise UsageProblem(f"--interactive shows each fix as text, not {fmt}")
    if request.add_noqa and request.reason:
        from .noqa import NoqaError, check_reason

        try:
            check_reason(request.reason)
        except NoqaError as exc:
            raise UsageProblem(str(exc))
    if request.diff and fmt not in DIFF_FORMATS:
        raise UsageProblem(
            f"--diff prints a unified diff, or with -o json / json-lines the fixes as JSON; not {fmt}")
    if (request.show_files or request.show_settings) and fmt not in SHOW_FORMATS:
        raise UsageProblem(f"--show-files and --show-settings print text or json, not {fmt}")


def execute(request: Request, *, warn: Callable[[str], None]) -> int:
    """Runs ``request``; ``warn`` prints one line to stderr. Raises ``UsageProblem``,
    ``config.ConfigError`` and ``output.OutputError`` (exit 2) before changing any file."""
    from .config import ConfigResolver
    from .output import ReportFile
    from .registry import known_codes

    started = time.perf_counter()
    check_request(request)
    paths = _paths(request, warn)
    resolver = ConfigResolver(known_codes(), overrides=dict(request.overrides), config_file=request.config_file)
    baseline = None
    if request.baseline is not None:
        from .baseline import load

        baseline = load(request.baseline)
    report_file = ReportFile(request.output_file) if request.output_file else None
    try:
        if request.show_files or request.show_settings:
            outputs = _show(request, paths, resolver)
            code = EXIT_CLEAN
        elif request.interactive:
            from .interactive import review

            outputs, code = _Outputs(), review(request, paths, resolver)
        elif request.add_noqa or request.write_baseline is not None:
            outputs, code = _record(request, paths, resolver)
        else:
            outputs, code = _lint(request, paths, resolver, started, baseline)
    except BaseException:
        if report_file is not None:
            report_file.abandon()
        raise
    if report_file is not None:
        report_file.write(outputs.report)
    else:
        stream = sys.stderr if request.reads_stdin and request.mode == FIX else sys.stdout
        stream.write(outputs.report)
        stream.flush()
    if outputs.notes:
        sys.stderr.write(outputs.notes)
        sys.stderr.flush()
    return code


def _paths(request: Request, warn: Callable[[str], None]) -> List[str]:
    paths = list(request.paths)
    if request.reads_stdin:
        ignored = [path for path in paths if path != "-"]
        if ignored:
            warn(f"warning: ignoring {', '.join(ignored)}: standard input is read instead (--stdin-filename or -)")
        return ["-"]
    missing = [path for path in paths if not os.path.lexists(path)]
    if missing:
        raise UsageProblem(f"no such file or directory: {', '.join(missing)}")
    return paths


def _show(request: Request, paths: List[str], resolver) -> _Outputs:
    from .report.common import dump_json, printable
    from .show import files_to_check, render_settings, settings_for_first_file

    json_output = request.output_format == "json"
    if request.show_settings:
        described = settings_for_first_file(paths, resolver)
        return _Outputs(dump_json(described, indent=2) + "\n" if json_output else render_settings(described))
    files, problems = files_to_check(paths, resolver)
    notes = "".join(f"imslint: {printable(problem)}\n" for problem in problems)
    if json_output:
        return _Outputs(dump_json([item.display_path for item in files], indent=2) + "\n", notes)
    return _Outputs("".join(printable(item.display_path) + "\n" for item in files), notes)


def _lint(request: Request, paths: List[str], resolver, started: float, baseline=None) -> Tuple[_Outputs, int]:
    # Each file's settings say whether its unsafe fixes apply (the flags are among their
    # overrides); ``shown_unsafe`` is what the summary assumes: the flag, else the config here.
    shown_unsafe = request.unsafe_fixes
    if shown_unsafe is None:
        shown_unsafe = resolver.settings_for_directory(os.getcwd()).unsafe_fixes
    if request.reads_stdin:
        reports = _lint_stdin(request, resolver)
        files_checked = len(reports)  # none when --force-exclude excludes the name
    else:
        reports, files_checked = _lint_paths(request, paths, resolver)
    outputs = _compose(request, reports, files_checked, shown_unsafe, time.perf_counter() - started, baseline)
    return outputs, _exit_code(request, reports)


def _record(request: Request, paths: List[str], resolver) -> Tuple[_Outputs, int]:
    """``--write-baseline`` (today's findings into the baseline file) or ``--add-noqa`` (into
    ``# noqa`` comments); the closing line, and the files that could not be changed, on stderr."""
    from .report.summary import plural

    reports, _ = _lint_paths(request, paths, resolver)
    findings = sorted((f for report in reports for f in report.findings), key=lambda f: f.sort_key)
    if request.write_baseline is not None:
        from .baseline import write

        count = write(request.write_baseline, findings)
        return _Outputs("", f"Wrote {plural(count, 'finding')} to the baseline {request.write_baseline}.\n"), EXIT_CLEAN
    from .noqa import NoqaError, add_noqa_to_file
    from .report.common import printable

    notes, directives, changed, failed = "", 0, 0, False
    for report in reports:
        wanted = [f for f in report.findings if f.code != "IMS000"]
        if not wanted:
            continue
        try:
            added = add_noqa_to_file(report.display_path, wanted, request.reason or "")
        except NoqaError as exc:
            notes += f"imslint: {printable(report.display_path)}: {printable(str(exc))}\n"
            failed = True
            continue
        directives += added.directives
        changed += added.directives > 0
        for finding in added.skipped:
            notes += (f"imslint: {printable(report.display_path)}:{finding.line}: no comment can silence {finding.code}"
                      " there (every line it could use is inside a string or continued)\n")
    closing = f"Added {plural(directives, 'noqa directive')} to {plural(changed, 'file')}.\n"
    return _Outputs("", notes + ("" if request.quiet else closing)), EXIT_FINDINGS if failed else EXIT_CLEAN


def _lint_paths(request: Request, paths: List[str], resolver):
    from .api import run_paths
    from .progress import Progress

    progress = Progress(enabled=not request.quiet and sys.stderr.isatty())

    def on_report(report) -> None:
        progress.advance(report.display_path)
        if request.verbose:
            sys.stderr.write(f"checked {report.display_path}\n")

    try:
        return run_paths(
            paths, resolver, mode=request.mode, jobs=request.jobs, on_report=on_report,
            cache_dir=request.cache_dir, use_cache=not request.no_cache,
        )
    finally:
        progress.close()


def _lint_stdin(request: Request, resolver):
    """Lints or fixes standard input as the file ``--stdin-filename`` names; in FIX mode the
    fixed source (or the input as it was) is written to stdout at once."""
    from .engine import fix_source, lint_source
    from .options import EngineOptions
    from .project import ImportResolver
    from .engine import unreadable
    from .files import force_excluded
    from .runner import FileReport, file_edits, unified_diff

    name = request.stdin_filename or "-"
    settings = resolver.settings_for(name if name != "-" else "stdin.py")
    codes = frozenset(settings.codes_for(name))
    engine_options = EngineOptions(
        target=settings.target, resolve_import=ImportResolver(os.path.abspath(name), (os.getcwd(),)),
        max_file_size=settings.max_file_size,
    )
    data = sys.stdin.buffer.read()
    if name != "-" and force_excluded(os.path.abspath(name), False, resolver):
        if request.mode == FIX:  # an editor pipes through ``fix``: it gets its text back
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return []  # excluded, as Ruff's --force-exclude does with --stdin-filename
    if request.mode == CHECK:
        return [FileReport(name, lint_source(data, name, codes=codes, options=engine_options))]
    outcome = fix_source(data, name, codes=codes, unsafe=settings.unsafe_fixes, options=engine_options)
    report = FileReport(name, list(outcome.findings), outcome.fixed)
    report.findings += [unreadable(name, error) for error in outcome.errors]
    changed = outcome.source is not None and outcome.text != outcome.source.text
    if request.mode == DIFF:
        if changed:
            report.diff = unified_diff(outcome.source.text, outcome.text, name)
            report.edits = file_edits(outcome.source.text, outcome.text, name)
        return [report]
    from .fixes import NotFixed

    try:
        fixed = outcome.encoded() if changed else data
    except NotFixed as exc:  # a notebook whose JSON layout cannot be written back
        report.findings.append(unreadable(name, f"not fixed: {exc}"))
        fixed, changed, report.fixed = data, False, 0
    sys.stdout.buffer.write(fixed)
    sys.stdout.flush()
    report.written = changed
    return [report]


def _compose(request: Request, reports: Sequence[object], files_checked: int, unsafe: bool, elapsed: float,
             baseline=None) -> _Outputs:
    from .registry import UNREADABLE_CODE

    findings = sorted((f for report in reports for f in report.findings), key=lambda f: f.sort_key)
    findings, known, prints, progress = _against_baseline(request, baseline, reports, findings)
    problems = [finding for finding in findings if finding.code == UNREADABLE_CODE]
    fixed = sum(report.fixed for report in reports if report.written or report.diff)
    if request.mode == DIFF:
        return _diff_outputs(request, reports, findings, problems, fixed, unsafe)
    if request.fix_only:
        written = sum(1 for report in reports if report.written)
        closing = fixes_line(findings, fixed=fixed, files=written, applied=True, unsafe_fixes=unsafe)
        return _report_outputs(request, problems, closing, unsafe)
    from .report import summary_line

    todo = sum(len(getattr(report, "facts", {}).get("todo", ())) for report in reports)
    closing = summary_line(findings, files_checked=files_checked, elapsed=elapsed, unsafe_fixes=unsafe, fixed=fixed,
                           todo=todo, in_baseline=known)
    outputs = _report_outputs(request, findings, closing, unsafe, prints)
    outputs.notes += progress
    return outputs


def _against_baseline(request: Request, baseline, reports: Sequence[object], findings: List[object]):
    """(the findings to report, how many the baseline knows, their fingerprints, the progress note)."""
    if baseline is None:
        return findings, 0, None, ""
    from .baseline import compare
    from .report.summary import plural

    checked = [request.stdin_filename or "-"] if request.reads_stdin else list(request.paths)
    comparison = compare(baseline, findings, checked)
    new = set(comparison.new)
    for report in reports:
        report.findings = [finding for finding in report.findings if finding in new]
    progress = ""
    if comparison.fixed and not request.quiet:
        progress = (f"{plural(len(comparison.fixed), 'baseline finding')} fixed; run `imslint check"
                    f" --write-baseline {request.baseline}` to shrink it.\n")
    return [f for f in findings if f in new], comparison.known, comparison.fingerprints, progress


def _diff_outputs(request: Request, reports, findings, problems, fixed: int, unsafe: bool) -> _Outputs:
    """The diff (or the fixes as JSON) alone; what could not be read and the closing line on stderr."""
    from .report import render

    changed = [report for report in reports if report.diff]
    if request.output_format in TEXT_FORMATS:
        report = "".join(report.diff for report in changed)
    else:
        from .report.fixes_json import render_fixes

        report = render_fixes(changed, request.output_format)
    notes = render(problems, "concise")
    if not request.quiet:
        notes += fixes_line(findings, fixed=fixed, files=len(changed), applied=False, unsafe_fixes=unsafe) + "\n"
    return _Outputs(report, notes)


def _report_outputs(request: Request, shown, closing: str, unsafe: bool, prints=None) -> _Outputs:
    """The report in its format; statistics and ``closing`` after a text report, else on stderr."""
    from .output import use_color
    from .registry import all_rules
    from .report import render, render_statistics

    fmt = request.output_format
    human = fmt in TEXT_FORMATS
    color = False
    if human and request.output_file:
        color = bool(request.color)  # a file is coloured only when asked by --color
    elif human:
        color = use_color(request.color, sys.stderr if request.reads_stdin and request.mode == FIX else sys.stdout)
    rules = all_rules() if fmt == "sarif" else ()  # rule modules import libcst: only where shown
    report = render(shown, fmt, rules=rules, show_fixes=request.show_fixes, color=color, unsafe_fixes=unsafe,
                    fingerprints=prints)
    if report and not report.endswith("\n"):
        report += "\n"
    tail = render_statistics(shown, unsafe_fixes=unsafe) if request.statistics and shown else ""
    if not request.quiet:
        tail += closing + "\n"
    return _Outputs(report + tail, "") if human else _Outputs(report, tail)


def _exit_code(request: Request, reports: Sequence[object]) -> int:
    if request.exit_zero:
        return EXIT_CLEAN
    if request.mode == DIFF:
        return EXIT_FINDINGS if any(report.diff for report in reports) else EXIT_CLEAN
    wrote = request.exit_non_zero_on_fix and any(report.written for report in reports)
    if request.fix_only:
        failed = any(report.not_written for report in reports)
        return EXIT_FINDINGS if failed or wrote else EXIT_CLEAN
    return EXIT_FINDINGS if wrote or any(report.findings for report in reports) else EXIT_CLEAN
