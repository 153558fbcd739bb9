"""Runs the rules over one file: decode, pre-filter, parse, analyse, suppress, and fix.

This is the library API the CLI, the flake8 plugin and editors share (``lint_source``,
``fix_source``); nothing here touches the file system.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, List, Optional, Union

from .options import EngineOptions
from .endpoints import HUAWEI_IMS
from .findings import Finding, Fix
from .registry import UNREADABLE_CODE, UNREADABLE_NAME
from .source import SourceError, SourceText, decode_source

MAX_FIX_ROUNDS = 10

# Every finding needs one of these byte strings in the file (see ``could_match``).
PREFILTER_TOKENS = ("images",)


def could_match(text: str) -> bool:
    """Cheap test: can this file hold a finding at all? Sound, never skips a real finding."""
    return any(token in text for token in PREFILTER_TOKENS)


def unreadable(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(path, line, column, line, column, UNREADABLE_CODE, UNREADABLE_NAME, message, "error")


class ParseFailure(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def parse(text: str):
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ParseFailure(f"syntax error: {exc.message}", exc.raw_line, exc.raw_column + 1)
    except RecursionError:
        raise ParseFailure("too deeply nested to parse")
    except Exception as exc:  # libcst raises a few other errors on odd input
        raise ParseFailure(f"cannot be parsed: {exc}")


def _selected_rules(codes: Optional[Collection[str]]):
    from .registry import all_rules

    return [rule for rule in all_rules() if codes is None or rule.code in codes]


def analyse(text: str, path: str, codes: Optional[Collection[str]], options: EngineOptions) -> List[Finding]:
    """The findings for decoded text (raises ParseFailure)."""
    rules = _selected_rules(codes)
    # Without an import resolver only the file's own text counts; with one, the caller's
    # project-wide pre-filter (``runner.select_candidates``) already chose this file.
    if not rules or (options.resolve_import is None and not could_match(text)):
        return []
    module = parse(text)
    from .context import FileContext
    from .suppress import parse_suppressions

    context = FileContext(path, text, module, options)
    findings: List[Finding] = []
    try:
        for rule in rules:
            findings.extend(rule().check(context))
    except RecursionError:
        raise ParseFailure("too deeply nested to analyse")
    if findings:
        suppressions = parse_suppressions(text)
        findings = [f for f in findings if not suppressions.silences(f)]
    return sorted(set(findings), key=lambda f: (f.line, f.column, f.code, f.message))


def _decode(source: Union[str, bytes]) -> SourceText:
    if isinstance(source, bytes):
        return decode_source(source)
    return SourceText(source, "utf-8")


def lint_source(
    source: Union[str, bytes],
    path: str = "<stdin>",
    *,
    codes: Optional[Collection[str]] = None,
    target: str = HUAWEI_IMS,
    options: Optional[EngineOptions] = None,
) -> List[Finding]:
    """Findings for one file's content; an unreadable file gives one IMS000 finding."""
    options = options or EngineOptions(target=target)
    try:
        text = _decode(source).text
        return analyse(text, path, codes, options)
    except SourceError as exc:
        return _if_selected(unreadable(path, str(exc)), codes)
    except ParseFailure as exc:
        return _if_selected(unreadable(path, str(exc), exc.line, exc.column), codes)


def _if_selected(finding: Finding, codes: Optional[Collection[str]]) -> List[Finding]:
    return [finding] if codes is None or finding.code in codes else []


@dataclass
class FixOutcome:
    """The result of fixing one file's text."""

    text: str  # the fixed text (the input when nothing applied)
    findings: List[Finding]  # what remains after fixing
    fixed: int = 0  # findings that went away
    errors: List[str] = field(default_factory=list)  # fixes dropped because they broke the code
    source: Optional[SourceText] = None

    def encoded(self) -> bytes:
        assert self.source is not None
        return self.source.encode(self.text)


def fix_source(
    source: Union[str, bytes],
    path: str = "<stdin>",
    *,
    codes: Optional[Collection[str]] = None,
    unsafe: bool = False,
    target: str = HUAWEI_IMS,
    options: Optional[EngineOptions] = None,
) -> FixOutcome:
    """Applies fixes until none is left (or ``MAX_FIX_ROUNDS``); re-parses after every round."""
    options = options or EngineOptions(target=target)
    try:
        decoded = _decode(source)
        findings = analyse(decoded.text, path, codes, options)
    except SourceError as exc:
        return FixOutcome(source if isinstance(source, str) else "", _if_selected(unreadable(path, str(exc)), codes))
    except ParseFailure as exc:
        text = decoded.text
        return FixOutcome(text, _if_selected(unreadable(path, str(exc), exc.line, exc.column), codes), source=decoded)
    from .fixes import apply_fixes

    text = decoded.text
    initial = len(findings)
    errors: List[str] = []
    for _ in range(MAX_FIX_ROUNDS):
        fixes = _applicable(findings, unsafe)
        if not fixes:
            break
        new_text, applied = apply_fixes(text, fixes)
        if not applied or new_text == text:
            break
        try:
            new_findings = analyse(new_text, path, codes, options)
        except ParseFailure as exc:
            errors.append(f"a fix would have produced code that does not parse ({exc}); it was not applied")
            break
        text, findings = new_text, new_findings
    else:
        errors.append(f"fixes did not converge after {MAX_FIX_ROUNDS} rounds")
    return FixOutcome(text, findings, max(0, initial - len(findings)), errors, decoded)


def _applicable(findings: List[Finding], unsafe: bool) -> List[Fix]:
    seen = {}
    for finding in findings:
        fix = finding.fix
        if fix is not None and fix.edits and (fix.is_safe or unsafe):
            seen.setdefault(fix.edits, fix)
    return list(seen.values())
