"""``imslint fix --interactive``: review the fixes one at a time, as Fixit's ``fix --interactive`` does.

For each fix, in file and line order: the findings it settles, its safety and message, the
evidence behind it (method, service, role, fix) and the unified diff of that fix alone (with the
imports it leaves unused dropped, as ``fix`` does); then ``Apply this fix? [y]es [n]o [a]ll [q]uit``.

* ``y`` writes the fix (re-parsed first, written atomically), then the files are linted again, so
  the fixes still to come apply to the new text; ``n`` skips it (not offered again); ``q`` stops.
* ``a`` applies this fix and every later *safe* one without asking. Unsafe fixes are still asked
  one by one, unless unsafe fixes are on (``--unsafe-fixes`` or the ``unsafe-fixes`` setting):
  then ``a`` covers them too.
* Standard input must be a terminal; the prompt reads a line (``yes``/``no``... also do), and the
  end of input counts as ``q``.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import click

from .findings import Finding, Fix

ANSWERS = {"y": "y", "yes": "y", "n": "n", "no": "n", "a": "a", "all": "a", "q": "q", "quit": "q"}


@dataclass
class Candidate:
    """One fix of one file and the findings it settles."""

    path: str
    fix: Fix
    findings: List[Finding]

    @property
    def first(self) -> Finding:
        return self.findings[0]


@dataclass
class Tally:
    applied: int = 0
    applied_unsafe: int = 0
    declined: int = 0
    failed: int = 0
    files: Set[str] = field(default_factory=set)


def candidates(reports: Sequence[object]) -> List[Candidate]:
    """Every fix with edits, once per fix (the findings of one request share it), in file and line order."""
    found: Dict[Tuple[str, Tuple], Candidate] = {}
    for report in reports:
        for finding in sorted(report.findings, key=lambda f: f.sort_key):
            fix = finding.fix
            if fix is None or not fix.edits:
                continue
            key = (report.display_path, fix.edits)
            if key in found:
                found[key].findings.append(finding)
            else:
                found[key] = Candidate(report.display_path, fix, [finding])
    return sorted(found.values(), key=lambda c: (c.path, c.first.line, c.first.column))


def identity(candidate: Candidate, text: str) -> Tuple:
    """What a fix is, whatever the offsets: it survives other fixes moving it (for ``n``)."""
    return (candidate.path, candidate.fix.message,
            tuple((text[e.start:e.end], e.content) for e in sorted(candidate.fix.edits, key=lambda e: e.start)))


def fixed_text(text: str, fix: Fix) -> str:
    """``text`` with ``fix`` applied and the imports it leaves unused dropped (as ``fix`` does)."""
    from .fixes import apply_fixes
    from .imports import drop_orphaned_imports

    after, applied = apply_fixes(text, [fix])
    if not applied:
        return text
    return drop_orphaned_imports(text, after)


class Session:
    def __init__(self, request, paths: Sequence[str], resolver, *, echo: Callable[[str], None] = click.echo,
                 ask: Optional[Callable[[str], str]] = None) -> None:
        from .output import use_color

        self.request = request
        self.paths = list(paths)
        self.resolver = resolver
        self.echo = echo
        self.ask = ask or _ask
        self.color = use_color(request.color, sys.stdout)
        self.tally = Tally()
        self.declined: Set[Tuple] = set()
        self.automatic = False  # after ``a``
        self.reports: List[object] = []
        self.files_seen = 0
        self.started = time.perf_counter()

    def lint(self) -> List[object]:
        from .api import run_paths
        from .runner import CHECK

        self.reports, self.files_seen = run_paths(
            self.paths, self.resolver, mode=CHECK, jobs=self.request.jobs,
            cache_dir=self.request.cache_dir, use_cache=not self.request.no_cache,
        )
        return self.reports

    def unsafe_allowed(self, path: str) -> bool:
        return bool(self.resolver.settings_for(os.path.abspath(path)).unsafe_fixes)

    def run(self) -> int:
        from .command import EXIT_CLEAN, EXIT_FINDINGS

        self.lint()
        quit_ = False
        while not quit_:
            applied_one = False
            texts: Dict[str, Optional[str]] = {}
            for candidate in candidates(self.reports):
                if candidate.path not in texts:
                    texts[candidate.path] = _read_text(candidate.path)
                text = texts[candidate.path]
                if text is None:
                    continue
                key = identity(candidate, text)
                if key in self.declined:
                    continue
                answer = self.decide(candidate, text)
                if answer == "q":
                    quit_ = True
                    break
                if answer == "n":
                    self.declined.add(key)
                    self.tally.declined += 1
                    continue
                if self.apply(candidate, text):
                    applied_one = True
                    break  # lint again: later fixes apply to the new text
                self.declined.add(key)
            if not applied_one:
                break
            self.lint()
        return self.close(EXIT_CLEAN, EXIT_FINDINGS)

    def decide(self, candidate: Candidate, text: str) -> str:
        safe = candidate.fix.is_safe
        if self.automatic and (safe or self.unsafe_allowed(candidate.path)):
            return "y"
        self.show(candidate, text)
        answer = self.ask("Apply this unsafe fix? [y]es [n]o [a]ll [q]uit" if not safe else
                          "Apply this fix? [y]es [n]o [a]ll [q]uit")
        if answer == "a":
            self.automatic = True
            return "y"
        return answer

    def show(self, candidate: Candidate, text: str) -> None:
        from .report.common import BOLD, CYAN, RED, YELLOW, Options, location, paint, printable
        from .report.text import code_and_message, evidence_lines
        from .runner import unified_diff

        options = Options(color=self.color)
        first = candidate.first
        self.echo("")
        self.echo(paint(location(first), BOLD, enabled=self.color))
        for finding in candidate.findings:
            self.echo("  " + code_and_message(finding, options))
        fix = candidate.fix
        label = "safe fix" if fix.is_safe else "UNSAFE fix (may change what the request returns)"
        self.echo(f"  {paint(label + ':', YELLOW if fix.is_safe else RED, enabled=self.color)} {printable(fix.message)}")
        for line in evidence_lines(first, "    "):
            self.echo(line)
        after = fixed_text(text, fix)
        for line in unified_diff(text, after, candidate.path).splitlines():
            style = CYAN if line.startswith("@@") else (RED if line.startswith("-") else None)
            if line.startswith("+") and not line.startswith("+++"):
                style = "32"
            self.echo(paint(printable(line, keep="\t"), style, enabled=self.color) if style else printable(line, keep="\t"))

    def apply(self, candidate: Candidate, text: str) -> bool:
        """Writes the fix; False (and a line saying why) when it cannot be."""
        from .engine import ParseFailure, decode_for, parse
        from .fixes import NotFixed, write_atomically

        path = candidate.path
        try:
            with open(path, "rb") as stream:
                data = stream.read()
            source = decode_for(data, path)
        except Exception as exc:  # unreadable now: say so, go on
            return self.failed(path, f"cannot be read: {exc}")
        if source.text != text:
            return self.failed(path, "changed on disk during the review; lint it again")
        after = fixed_text(text, candidate.fix)
        try:
            parse(after)
        except ParseFailure as exc:
            return self.failed(path, f"the fix would produce code that does not parse ({exc}); not applied")
        try:
            write_atomically(path, source.encode(after), data)
        except (OSError, NotFixed, ValueError) as exc:
            return self.failed(path, f"not fixed: {exc}")
        self.tally.applied += 1
        self.tally.applied_unsafe += not candidate.fix.is_safe
        self.tally.files.add(path)
        if self.automatic:
            from .report.common import location

            self.echo(f"applied: {location(candidate.first)}: {candidate.fix.message}")
        return True

    def failed(self, path: str, why: str) -> bool:
        from .report.common import printable

        self.tally.failed += 1
        self.echo(f"imslint: {printable(path)}: {printable(why)}")
        return False

    def close(self, clean: int, findings_left: int) -> int:
        from .report.summary import plural, summary_line

        tally = self.tally
        unsafe = f" ({tally.applied_unsafe} unsafe)" if tally.applied_unsafe else ""
        self.echo("")
        fixes = f"{tally.applied} fix" if tally.applied == 1 else f"{tally.applied} fixes"
        self.echo(f"Applied {fixes}{unsafe} to {plural(len(tally.files), 'file')};"
                  f" declined {tally.declined}.")
        left = sorted((f for report in self.reports for f in report.findings), key=lambda f: f.sort_key)
        if not self.request.quiet:
            self.echo(summary_line(left, files_checked=self.files_seen, elapsed=time.perf_counter() - self.started))
        if self.request.exit_zero:
            return clean
        return findings_left if left or tally.failed else clean


def _read_text(path: str) -> Optional[str]:
    from .engine import decode_for

    try:
        with open(path, "rb") as stream:
            return decode_for(stream.read(), path).text
    except Exception:
        return None


def _ask(prompt: str) -> str:
    while True:
        try:
            answer = click.prompt(prompt, default="", show_default=False, prompt_suffix=" ")
        except click.Abort:  # end of input, Ctrl-C
            click.echo("")
            return "q"
        answer = ANSWERS.get(answer.strip().lower())
        if answer is not None:
            return answer
        click.echo("Answer y (apply), n (skip), a (apply this and all later ones) or q (stop).")


def review(request, paths: Sequence[str], resolver) -> int:
    """Runs the review; exit code as ``fix`` (1 when findings are left or a fix could not be written)."""
    from .command import UsageProblem

    if not sys.stdin.isatty():
        raise UsageProblem("--interactive asks before each fix: standard input must be a terminal")
    return Session(request, paths, resolver).run()
