"""The ``imslint`` command line: click commands over the library API, nothing more.

Exit codes (design §4): 0 clean, 1 findings (also unreadable files and failed writes), 2 usage,
configuration or internal error. ``check`` takes Ruff's options (``--fix``, ``--unsafe-fixes``,
``--diff``, ``--fix-only``, ``--exit-non-zero-on-fix``, ``--stdin-filename``, ``--show-files``,
``--show-settings``); ``fix`` is ``check --fix``. What a run does with them is ``command``'s job.
"""
from __future__ import annotations

import sys
from typing import List, Sequence

import click

from . import __version__

def _split_codes(values: Sequence[str]) -> List[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def common_options(function):
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--unsafe-fixes/--no-unsafe-fixes", "unsafe_fixes", default=None,
                     help="Include fixes that can change results (shown, and applied with --fix).",),
        click.option("--diff", is_flag=True,
                     help="Write nothing; print a unified diff of the fixes (exit 1 if there is one). Implies --fix-only."),
        click.option("--fix-only", is_flag=True, help="Apply fixes; report only files that could not be fixed."),
        click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a file was fixed, even if nothing is left."),
        click.option("--output-format", "-o", "output_format", default=None, envvar="IMSLINT_OUTPUT_FORMAT",
                     help="text (default), concise, grouped, json, json-lines, sarif, github, gitlab, junit."),
        click.option("--output-file", help="Write the report to FILE (summaries stay on stderr for machine formats)."),
        click.option("--select", multiple=True, help="Codes or prefixes to enable (comma-separated)."),
        click.option("--ignore", multiple=True, help="Codes or prefixes to disable."),
        click.option("--extend-select", multiple=True, help="Codes to enable on top of the configured ones."),
        click.option("--config", "config_file", help="Configuration file to use."),
        click.option("--target", type=click.Choice(["huawei-ims", "openstack-glance", "huawei-cloudimages"]),
                     help="The API to migrate to (default huawei-ims)."),
        click.option("--max-file-size", metavar="SIZE",
                     help="Files above this size (bytes, or 4MB, 512KB) get IMS000 and a literal scan, not a parse; 0: no limit."),
        click.option("--exit-zero", "-e", is_flag=True, help="Exit 0 even when there are findings."),
        click.option("--statistics", is_flag=True, help="Print a count per rule code."),
        click.option("--show-fixes", is_flag=True, help="Show what each fix would do."),
        click.option("--show-files", is_flag=True, help="List the files a run would check, and exit."),
        click.option("--show-settings", is_flag=True, help="Print the settings for the first file, and exit."),
        click.option("--stdin-filename", help="Read standard input as this file (no PATH needed)."),
        click.option("--force-exclude", is_flag=True, default=None, help="Apply excludes to paths given explicitly."),
        click.option("--no-respect-gitignore", is_flag=True, help="Lint files .gitignore excludes."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPUs)."),
        click.option("--no-cache", "-n", is_flag=True, help="Neither read nor write the result cache."),
        click.option("--cache-dir", envvar="IMSLINT_CACHE_DIR", help="Where to keep the cache (default .imslint_cache)."),
        click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary or progress."),
        click.option("--verbose", "-v", is_flag=True, help="Also name the files that were checked."),
        click.option("--color/--no-color", default=None,
                     help="Colour text output (default: on a terminal; FORCE_COLOR forces, NO_COLOR stops it)."),
        click.option("--baseline", "baseline", metavar="FILE",
                     help="Report (and fail on) only the findings not in this baseline file."),
        click.option("--write-baseline", "write_baseline", metavar="FILE",
                     help="Record today's findings in FILE (the baseline), report nothing, exit 0."),
        click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODES` comments for today's findings, exit 0."),
        click.option("--reason", metavar="TEXT", help="With --add-noqa: text written after the codes."),
        click.option("--interactive", "-i", is_flag=True,
                     help="With fix: show each fix (diff, safety, evidence) and ask yes/no/all/quit."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imslint")
def main() -> None:
    """Find and rewrite calls to Huawei Cloud IMS's abandoned image APIs (GET /v1.1/images/detail...)."""


@main.command()
@click.option("--fix", is_flag=True, help="Apply safe fixes (with --unsafe-fixes, unsafe ones too); report what is left.")
@common_options
def check(**options) -> None:
    """Report abandoned image API calls (--fix: and rewrite them). Exit 0 clean, 1 findings, 2 error."""
    sys.exit(_run(options))


@main.command()
@common_options
def fix(**options) -> None:
    """Apply fixes and report what is left: the same as `imslint check --fix`."""
    sys.exit(_run(dict(options, fix=True)))


@main.command(name="report")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-o", "--output-format", "report_format", type=click.Choice(["markdown", "html"]),
              default="markdown", show_default=True, help="The page to write.")
@click.option("--output-file", help="Write the page to FILE instead of standard output.")
@click.option("--select", multiple=True, help="Codes or prefixes to enable (comma-separated).")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Codes to enable on top of the configured ones.")
@click.option("--config", "config_file", help="Configuration file to use.")
@click.option("--target", type=click.Choice(["huawei-ims", "openstack-glance", "huawei-cloudimages"]),
              help="The API to migrate to (default huawei-ims).")
@click.option("--force-exclude", is_flag=True, default=None, help="Apply excludes to paths given explicitly.")
@click.option("--no-respect-gitignore", is_flag=True, help="Lint files .gitignore excludes.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPUs).")
@click.option("--no-cache", "-n", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", envvar="IMSLINT_CACHE_DIR", help="Where to keep the cache (default .imslint_cache).")
@click.option("--verbose", "-v", is_flag=True, help="On an internal error, print the traceback.")
def report_command(**options) -> None:
    """A migration report: per package and file, the request sites on v2, safe- and unsafe-fixable,
    manual (with reasons) and todo-marked, with the total as a bar. Exit 0, or 2 on an error."""
    sys.exit(_guarded(options, _report))


def _report(options) -> int:
    import os

    from .config import ConfigResolver
    from .output import ReportFile
    from .progress_report import collect
    from .registry import known_codes

    paths = list(options.get("paths") or ())
    missing = [path for path in paths if not os.path.lexists(path)]
    if missing:
        from .command import UsageProblem

        raise UsageProblem(f"no such file or directory: {', '.join(missing)}")
    resolver = ConfigResolver(known_codes(), overrides=_overrides(options), config_file=options.get("config_file"))
    report_file = ReportFile(options["output_file"]) if options.get("output_file") else None
    try:
        state = collect(paths, resolver, jobs=options.get("jobs"), cache_dir=options.get("cache_dir"),
                        use_cache=not options.get("no_cache"))
        if options["report_format"] == "html":
            from .report.progress_html import render
        else:
            from .report.progress_markdown import render
        page = render(state)
    except BaseException:
        if report_file is not None:
            report_file.abandon()
        raise
    if report_file is not None:
        report_file.write(page)
    else:
        click.echo(page, nl=False)
    return 0


@main.command(name="server")
def server_command() -> None:
    """A Language Server on stdin/stdout: diagnostics on open/change/save, fixes as code actions
    (needs the `lsp` extra: pip install 'imslint[lsp]')."""
    from .lsp import MissingPygls, serve

    try:
        serve()
    except MissingPygls as exc:
        _say(str(exc))
        sys.exit(2)


@main.command(name="rules")
@click.option("--output-format", "-o", "output_format", type=click.Choice(["text", "json"]), default="text")
def rules_command(output_format: str) -> None:
    """List the rules."""
    from .registry import UNREADABLE_CODE, UNREADABLE_NAME, all_rules
    from .report.common import NO_FIX_MARKER, SAFE_MARKER, UNSAFE_MARKER, rule_marker

    rows = [(UNREADABLE_CODE, UNREADABLE_NAME, "never", NO_FIX_MARKER, "A file that cannot be read, decoded, parsed or written")]
    rows += [(rule.code, rule.name, rule.fixable, rule_marker(rule), rule.summary) for rule in all_rules()]
    if output_format == "json":
        import json

        fix_kind = {SAFE_MARKER: "safe", UNSAFE_MARKER: "unsafe", NO_FIX_MARKER: None}
        click.echo(json.dumps([
            {"code": code, "name": name, "fixable": fixable, "fix": fix_kind[marker], "summary": summary}
            for code, name, fixable, marker, summary in rows
        ], indent=2))
        return
    for code, name, _, marker, summary in rows:
        click.echo(f"{code}  {marker:<3}  {name:<26} {summary}")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation and examples."""
    from .explain import explain_rule

    text = explain_rule(code.upper())
    if text is None:
        raise click.UsageError(f"unknown rule code {code!r}; `imslint rules` lists them")
    click.echo(text)


# -- running -------------------------------------------------------------------------------------------


def _overrides(options) -> dict:
    overrides = {}
    for key, cli_key in (("select", "select"), ("ignore", "ignore"), ("extend-select", "extend_select")):
        if options.get(cli_key):
            overrides[key] = _split_codes(options[cli_key])
    if options.get("target"):
        overrides["target"] = options["target"]
    if options.get("max_file_size") is not None:
        overrides["max-file-size"] = options["max_file_size"]
    if options.get("force_exclude"):
        overrides["force-exclude"] = True
    if options.get("no_respect_gitignore"):
        overrides["respect-gitignore"] = False
    if options.get("unsafe_fixes") is not None:
        overrides["unsafe-fixes"] = options["unsafe_fixes"]
    return overrides


def _request(options):
    from .command import Request

    return Request(
        paths=tuple(options.get("paths") or ()),
        fix=bool(options.get("fix")),
        fix_only=bool(options.get("fix_only")),
        diff=bool(options.get("diff")),
        unsafe_fixes=options.get("unsafe_fixes"),
        exit_zero=bool(options.get("exit_zero")),
        exit_non_zero_on_fix=bool(options.get("exit_non_zero_on_fix")),
        output_format=options.get("output_format") or "text",
        output_file=options.get("output_file"),
        statistics=bool(options.get("statistics")),
        show_fixes=bool(options.get("show_fixes")),
        show_files=bool(options.get("show_files")),
        show_settings=bool(options.get("show_settings")),
        stdin_filename=options.get("stdin_filename"),
        quiet=bool(options.get("quiet")),
        verbose=bool(options.get("verbose")),
        color=options.get("color"),
        config_file=options.get("config_file"),
        overrides=_overrides(options),
        jobs=options.get("jobs"),
        cache_dir=options.get("cache_dir"),
        no_cache=bool(options.get("no_cache")),
        baseline=options.get("baseline"),
        write_baseline=options.get("write_baseline"),
        add_noqa=bool(options.get("add_noqa")),
        reason=options.get("reason"),
        interactive=bool(options.get("interactive")),
    )


def _say(message: str) -> None:
    """One line on stderr, prefixed ``imslint:``."""
    from .report.common import printable

    click.echo(f"imslint: {printable(message)}", err=True)


def _run(options) -> int:
    """Runs a check or fix; every error a user can cause is one line on stderr and exit 2."""
    from .command import execute

    request = _request(options)
    return _guarded(options, lambda _: execute(request, warn=_say))


def _guarded(options, run) -> int:
    """``run(options)``; every error a user can cause is one line on stderr and exit 2, and so is
    a bug (``--verbose`` adds its traceback)."""
    from .baseline import BaselineError
    from .command import EXIT_ERROR, UsageProblem
    from .config import ConfigError
    from .output import OutputError

    try:
        return run(options)
    except (UsageProblem, ConfigError, OutputError, BaselineError) as exc:
        _say(str(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug: still one line, the traceback only when asked for
        if options.get("verbose"):
            import traceback

            traceback.print_exc()
        _say(f"internal error: {exc!r}" + ("" if options.get("verbose") else " (--verbose shows the traceback)"))
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    main()
