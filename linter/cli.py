"""The ``imslint`` command line: click commands over the library API, nothing more.

Exit codes (design §4): 0 clean, 1 findings (also unreadable files and failed writes), 2 usage,
configuration or internal error.
"""
from __future__ import annotations

import os
import sys
import time
from typing import List, Optional, Sequence

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
TEXT_FORMATS = ("text", "full", "concise", "grouped")


def _split_codes(values: Sequence[str]) -> List[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def common_options(function):
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--output-format", "-o", "output_format", default=None, envvar="IMSLINT_OUTPUT_FORMAT",
                     help="text (default), concise, grouped, json, json-lines, sarif, github, gitlab, junit."),
        click.option("--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE."),
        click.option("--select", multiple=True, help="Codes or prefixes to enable (comma-separated)."),
        click.option("--ignore", multiple=True, help="Codes or prefixes to disable."),
        click.option("--extend-select", multiple=True, help="Codes to enable on top of the configured ones."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use."),
        click.option("--target", type=click.Choice(["huawei-ims", "openstack-glance", "huawei-cloudimages"]),
                     help="The API to migrate to (default huawei-ims)."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
        click.option("--statistics", is_flag=True, help="Print a count per rule code."),
        click.option("--show-fixes", is_flag=True, help="Show what each fix would do."),
        click.option("--stdin-filename", help="The name of the file read from standard input (PATH '-')."),
        click.option("--force-exclude", is_flag=True, default=None, help="Apply excludes to paths given explicitly."),
        click.option("--no-respect-gitignore", is_flag=True, help="Lint files .gitignore excludes."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPUs)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False), envvar="IMSLINT_CACHE_DIR",
                     help="Where to keep the cache (default .imslint_cache)."),
        click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary or progress."),
        click.option("--verbose", "-v", is_flag=True, help="Also name the files that were checked."),
        click.option("--color/--no-color", default=None, help="Colour output (default: on a terminal, unless NO_COLOR)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imslint")
def main() -> None:
    """Find and rewrite calls to Huawei Cloud IMS's abandoned image APIs (GET /v1.1/images/detail...)."""


@main.command()
@common_options
def check(**options) -> None:
    """Report abandoned image API calls. Exit 0 clean, 1 findings, 2 error."""
    sys.exit(_run("check", options))


@main.command()
@common_options
@click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply fixes that can change results.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes; write nothing.")
def fix(**options) -> None:
    """Apply fixes (safe ones unless --unsafe-fixes); --diff shows them without writing."""
    sys.exit(_run("diff" if options.pop("diff") else "fix", options))


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
    if options.get("force_exclude"):
        overrides["force-exclude"] = True
    if options.get("no_respect_gitignore"):
        overrides["respect-gitignore"] = False
    if options.get("unsafe_fixes"):
        overrides["unsafe-fixes"] = True
    return overrides


def _use_color(choice: Optional[bool], stream) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _run(mode: str, options) -> int:
    from .config import ConfigError, ConfigResolver
    from .registry import known_codes
    from .report import FORMATS, render, render_statistics, summary_line

    started = time.perf_counter()
    output_format = options.get("output_format") or "text"
    if output_format not in FORMATS:
        click.echo(f"imslint: unknown output format {output_format!r} (choose from {', '.join(FORMATS)})", err=True)
        return EXIT_ERROR
    try:
        resolver = ConfigResolver(known_codes(), overrides=_overrides(options), config_file=options.get("config_file"))
    except ConfigError as exc:
        click.echo(f"imslint: {exc}", err=True)
        return EXIT_ERROR
    paths = list(options.get("paths") or ())
    try:
        if paths == ["-"]:
            reports, files_checked = _run_stdin(mode, options, resolver), 1
        elif "-" in paths:
            raise click.UsageError("'-' (standard input) cannot be combined with other paths")
        else:
            reports, files_checked = _run_paths(mode, paths, options, resolver)
    except ConfigError as exc:
        click.echo(f"imslint: {exc}", err=True)
        return EXIT_ERROR
    findings = sorted((f for report in reports for f in report.findings), key=lambda f: f.sort_key)
    fixed = sum(report.fixed for report in reports)
    unsafe = bool(options.get("unsafe_fixes"))
    stdin_fix = paths == ["-"] and mode == "fix"
    out_stream = sys.stderr if stdin_fix else sys.stdout
    target_file = options.get("output_file")
    color = False if target_file else _use_color(options.get("color"), out_stream)

    chunks: List[str] = []
    if mode == "diff":
        chunks.extend(report.diff for report in reports if report.diff)
    from .registry import all_rules

    # Rule metadata only where it is shown, SARIF's rule descriptors (rule modules import libcst).
    rules = all_rules() if output_format == "sarif" else ()
    rendered = render(findings, output_format, rules=rules, show_fixes=bool(options.get("show_fixes")),
                      color=color, unsafe_fixes=unsafe)
    if rendered:
        chunks.append(rendered if rendered.endswith("\n") else rendered + "\n")
    if options.get("statistics") and findings:
        chunks.append(render_statistics(findings, unsafe_fixes=unsafe) + "\n")
    if output_format in TEXT_FORMATS and not options.get("quiet"):
        elapsed = time.perf_counter() - started
        summary = summary_line(findings, files_checked=files_checked, elapsed=elapsed, unsafe_fixes=unsafe, fixed=fixed)
        chunks.append(summary + "\n")
    _emit("".join(chunks), target_file, out_stream)

    if options.get("exit_zero"):
        return EXIT_CLEAN
    if mode == "diff" and any(report.diff for report in reports):
        return EXIT_FINDINGS
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _emit(text: str, target_file: Optional[str], stream) -> None:
    if target_file:
        with open(target_file, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    stream.write(text)
    stream.flush()


def _run_paths(mode: str, paths: List[str], options, resolver):
    from .api import run_paths
    from .progress import Progress

    progress = Progress(enabled=not options.get("quiet") and sys.stderr.isatty())

    def on_report(report) -> None:
        progress.advance(report.display_path)
        if options.get("verbose"):
            click.echo(f"checked {report.display_path}", err=True)

    try:
        return run_paths(
            paths, resolver, mode=mode, unsafe=bool(options.get("unsafe_fixes")),
            jobs=options.get("jobs"), on_report=on_report,
            cache_dir=options.get("cache_dir"), use_cache=not options.get("no_cache"),
        )
    finally:
        progress.close()


def _run_stdin(mode: str, options, resolver):
    from .engine import fix_source, lint_source
    from .options import EngineOptions
    from .runner import FileReport

    name = options.get("stdin_filename") or "-"
    settings = resolver.settings_for(name if name != "-" else "stdin.py")
    codes = frozenset(settings.codes_for(name))
    from .project import ImportResolver

    engine_options = EngineOptions(
        target=settings.target, resolve_import=ImportResolver(os.path.abspath(name), (os.getcwd(),))
    )
    data = sys.stdin.buffer.read()
    if mode == "check":
        return [FileReport(name, lint_source(data, name, codes=codes, options=engine_options))]
    unsafe = bool(options.get("unsafe_fixes")) or settings.unsafe_fixes
    outcome = fix_source(data, name, codes=codes, unsafe=unsafe, options=engine_options)
    report = FileReport(name, list(outcome.findings), outcome.fixed)
    if mode == "diff":
        from .runner import unified_diff

        if outcome.source is not None and outcome.text != outcome.source.text:
            report.diff = unified_diff(outcome.source.text, outcome.text, name)
        return [report]
    fixed_bytes = outcome.encoded() if outcome.source is not None else data
    sys.stdout.buffer.write(fixed_bytes)
    sys.stdout.flush()
    return [report]


if __name__ == "__main__":  # pragma: no cover
    main()
