"""Runs the rules over one file: decode, pre-filter, parse, analyse, suppress, and fix.

This is the library API the CLI, the flake8 plugin and editors share (``lint_source``,
``fix_source``); nothing here touches the file system.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Collection, List, Optional, Set, Tuple, Union

from .options import EngineOptions
from .endpoints import HUAWEI_IMS
from .findings import Finding, Fix
from .registry import UNREADABLE_CODE, UNREADABLE_NAME
from .source import SourceError, SourceText, decode_source

MAX_FIX_ROUNDS = 10

def could_match(text: str) -> bool:
    """Cheap test: can this file hold a finding at all? The pre-filter's own seed test
    (``prefilter.is_seed``), so the library API and the CLI agree."""
    from .prefilter import is_seed

    return is_seed(text.encode("utf-8", "surrogatepass"))


def unreadable(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(path, line, column, line, column, UNREADABLE_CODE, UNREADABLE_NAME, message, "error")


class ParseFailure(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column


# libcst's native parser recurses once per nesting level and dies with SIGSEGV (not an exception)
# when the C stack runs out: about 1,200 nested brackets or 3,400 chained lambdas on an 8 MB stack
# (LibCST issues #619, #1000). ``parse`` refuses such input before the parser sees it. Python
# itself allows no more than 200 nested brackets, so only code Python rejects loses the first
# limit; the second is far above real code (the stdlib's deepest is 258). Most texts are cleared
# from ``ast``'s statement positions (``nesting_bound``), the rest by a token pass.
MAX_BRACKETS = 200
MAX_NESTING = 1000
_OPENING, _CLOSING, _SIBLINGS = "([{", ")]}", (",", ";", "=")
_CLAUSES = frozenset({"else", "elif", "except", "finally"})  # they go on the statement above


def nesting(text: str, statement_lines: Optional[List[Tuple[int, int]]] = None, strict: bool = False) -> Tuple[int, int, int]:
    """(deepest bracket nesting, deepest expression nesting, its line), estimated from tokens.

    Every operator, keyword and implicitly concatenated string adds a level to the expression it
    sits in, as its node does in the tree; commas, semicolons and ``=`` start a sibling, a
    bracket a new expression. Text ``tokenize`` cannot read is measured up to where it stopped
    (``strict``: its error is raised).
    The same pass appends to ``statement_lines`` where ``pieces`` may cut: for each top-level
    statement but the first, a decorated one (its decorators start it) and an ``else``,
    ``elif``, ``except`` or ``finally`` clause, the line after the logical line before it and
    its own first line.
    """
    import io
    import keyword
    import tokenize

    not_starting = {tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                    tokenize.ENCODING, tokenize.ENDMARKER}
    chains = [0]  # operators so far in the expression of each open bracket
    total = indent = brackets = deepest = line = previous = 0
    # ``after_decorator`` starts true: the first statement is no place to cut either
    line_start, after_decorator, statements = True, True, statement_lines
    after_newline = 1  # the line after the last logical line
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string = token.type, token.string
            if line_start and statements is not None and kind not in not_starting:
                if not indent and not after_decorator and not (kind == tokenize.NAME and string in _CLAUSES):
                    statements.append((after_newline, token.start[0]))
                after_decorator, line_start = kind == tokenize.OP and string == "@", False
            if kind == tokenize.OP and string in _OPENING:
                chains.append(0)
                total += 1
                brackets = max(brackets, len(chains) - 1)
            elif kind == tokenize.OP and string in _CLOSING:
                if len(chains) > 1:
                    total -= chains.pop() + 1
                chains[-1] += 1
                total += 1
            elif kind == tokenize.OP and string in _SIBLINGS:
                total -= chains[-1]
                chains[-1] = 0
            elif kind == tokenize.OP or (kind == tokenize.NAME and keyword.iskeyword(string)) or (
                kind == tokenize.STRING and previous == tokenize.STRING
            ):
                chains[-1] += 1
                total += 1
            elif kind == tokenize.NEWLINE:
                chains, total, line_start, after_newline = [0], 0, True, token.end[0] + 1
            elif kind == tokenize.INDENT:
                indent += 1
            elif kind == tokenize.DEDENT:
                indent -= 1
            if total + indent > deepest:
                deepest, line = total + indent, token.start[0]
            if kind not in (tokenize.NL, tokenize.COMMENT):
                previous = kind
    except (tokenize.TokenError, SyntaxError):
        if strict:
            raise
        # libcst reports the error itself
    return brackets, deepest, line


def _fragment_depth(fragment: str) -> Optional[int]:
    import tokenize

    try:
        return nesting(fragment, strict=True)[1]
    except (tokenize.TokenError, SyntaxError):
        return None


def _admitted_by_ast(text: str) -> bool:
    """Whether ``nesting_bound`` shows, from ``ast``, that the token pass would find nothing too
    deep (a text ``ast`` parses has at most 200 nested brackets: its own limit). Only from 3.11
    on, whose ``ast.parse`` is seen to raise on deep nesting (``RecursionError``); older versions
    keep the token pass."""
    import ast
    import sys

    from .nesting_bound import depth_bound, offered

    if sys.version_info < (3, 11):
        return False
    tree = offered(text)  # the pre-filter's screen parsed most candidates a moment ago
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    bound = depth_bound(text, tree, MAX_NESTING, _fragment_depth)
    return bound is not None and bound <= MAX_NESTING


class _Parsing(threading.local):
    active = False


_PARSING = _Parsing()
_LEXICAL: Set[type] = set()  # libcst's lexical node classes, once the replacement is in place


def _validate_unless_parsed(node) -> None:
    # In place of ``CSTNode.__post_init__``: libcst validates every node it constructs, also the
    # ones its own parser builds. For the lexical ones (whitespace, newlines, comments: half of
    # all nodes) that only restates what its tokenizer produced; every other node is validated,
    # as some checks are syntax rules the parser does not apply itself (``b"a" "b"``, a bare
    # ``except:`` before another handler). Nodes built outside ``engine.parse`` (fixes,
    # ``with_changes``), and in other threads meanwhile, are validated whatever they are.
    if not (_PARSING.active and type(node) in _LEXICAL):
        node._validate()


def _parse_unvalidated(text: str):
    import libcst as cst
    from libcst._nodes.base import CSTNode

    if CSTNode.__post_init__ is not _validate_unless_parsed:
        _LEXICAL.update((cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace,
                         cst.EmptyLine, cst.Newline, cst.Comment))
        CSTNode.__post_init__ = _validate_unless_parsed
    _PARSING.active = True
    try:
        return cst.parse_module(text)
    finally:
        _PARSING.active = False


def parse(text: str):
    import libcst as cst

    from .pieces import PIECES_FROM, parse_in_pieces

    statements: Optional[List[Tuple[int, int]]] = [] if len(text) >= PIECES_FROM else None
    # (A text cut in pieces needs the token pass for where to cut.)
    brackets, depth, line = (0, 0, 0) if statements is None and _admitted_by_ast(text) else nesting(text, statements)
    if brackets > MAX_BRACKETS:
        raise ParseFailure(f"too deeply nested to parse: {brackets} levels of brackets (Python allows {MAX_BRACKETS})")
    if depth > MAX_NESTING:
        raise ParseFailure(f"too deeply nested to parse: an expression {depth} levels deep", line)
    try:
        module = parse_in_pieces(text, statements, _parse_unvalidated) if statements else None
        if module is None:
            module = _parse_unvalidated(text)
    except cst.ParserSyntaxError as exc:
        raise ParseFailure(f"syntax error: {exc.message}", exc.raw_line, exc.raw_column + 1)
    except RecursionError:
        raise ParseFailure("too deeply nested to parse")
    except Exception as exc:  # libcst raises a few other errors on odd input
        raise ParseFailure(f"cannot be parsed: {exc}")
    return module


def check_reprinted(code: str, text: str, body_end: int) -> None:
    """Raises ParseFailure unless every offset of ``code``, a tree of ``text`` printed again, up
    to ``body_end`` (where the module's last statement ends in it) is the same place in
    ``text``, and what follows holds no code. Node offsets (findings' positions, every fix's
    edits) are taken from that printing, and libcst does not always give the text back: it
    drops the space in ``except (E) :`` (LibCST issue #1457), and a fix then rewrote
    ``"/v1.1/images/detail"`` into ``"v21/imagel"``. After the last statement it may drop blank
    lines, comments and a last lone CR, which moves no statement."""
    if code == text:
        return
    if code[:body_end] == text[:body_end] and all(
        not line.strip() or line.lstrip().startswith("#") for line in text[body_end:].splitlines()
    ):
        return
    raise ParseFailure("libcst cannot reproduce this file's text from its tree, so positions and fixes "
                       "would be wrong: not analysed")


def _selected_rules(codes: Optional[Collection[str]]):
    from .registry import all_rules

    return [rule for rule in all_rules() if codes is None or rule.code in codes]


def analyse(
    text: str, path: str, codes: Optional[Collection[str]], options: EngineOptions, facts: Optional[dict] = None
) -> List[Finding]:
    """The findings for decoded text (raises ParseFailure); ``facts`` receives what the project
    pass needs to know about the file (``file_facts``)."""
    rules = _selected_rules(codes)
    # Without an import resolver only the file's own text counts; with one, the caller's
    # project-wide pre-filter (``runner.select_candidates``) already chose this file.
    if not rules or (options.resolve_import is None and not could_match(text)):
        return []
    module = parse(text)
    from .context import FileContext
    from .suppress import suppressions_for

    findings: List[Finding] = []
    try:  # the one traversal (FileContext) and the rules both recurse over the tree
        context = FileContext(path, text, module, options)
        if options.survey_only and not context.find_routes():  # its findings would be thrown away
            if facts is not None:
                facts.update(file_facts(context, with_constants=False))
            return []
        for rule in rules:
            findings.extend(rule().check(context))
    except RecursionError:
        raise ParseFailure("too deeply nested to analyse")
    if facts is not None:
        facts.update(file_facts(context))
    if findings:
        findings = _unsuppressed(findings, suppressions_for(text), facts)
    return sorted(set(findings), key=lambda f: (f.line, f.column, f.code, f.message))


def _unsuppressed(findings, suppressions, facts: Optional[dict]) -> List[Finding]:
    """The findings no suppression silences; those a todo marker silences go to ``facts["todo"]``,
    the open migration debt (``suppress``): ``{"line", "column", "code", "marker", "reason",
    "evidence"}`` each (the marker's line; the finding's evidence record, or None)."""
    kept, debt = suppressions.split(findings)
    if facts is not None and debt:
        facts["todo"] = [
            {"line": f.line, "column": f.column, "code": f.code, "marker": todo.line, "reason": todo.reason,
             "evidence": f.evidence.to_dict() if f.evidence is not None else None}
            for f, todo in sorted(debt, key=lambda pair: pair[0].sort_key)
        ]
    return kept


def file_facts(context, with_constants: bool = True) -> dict:
    """What the project pass (``projects``) needs from a file, as JSON-able data: the endpoint
    families its test doubles serve (with a line), the routes it registers for abandoned paths, the
    constants it imports and (``with_constants``; it takes planning every fix) those its fixes rewrite."""
    from .evidence.record import DOUBLE
    from .planning import endpoint_family

    doubles = {}
    for site in context.sites:
        if site.role == DOUBLE:
            key = ":".join(endpoint_family(site.match.endpoint))
            doubles.setdefault(key, context.position(site.node)[0])
    routes = [[context.position(route.node)[0], route.title] for route in context.routes]
    imported = sorted(map(list, getattr(context.options.resolve_import, "imported", ())))
    constants = _fixed_constants(context) if with_constants else []
    facts = {"doubles": doubles, "routes": routes, "imports": imported, "constants": constants}
    return {key: value for key, value in facts.items() if value}


def _fixed_constants(context) -> List[str]:
    """Module constants that fixes rewrite at their uses: with the project's imports known
    (``EngineOptions.imported_elsewhere``) they may be rewritten where they are defined instead."""
    import libcst as cst

    from .planning import assess
    from .strings import Lit
    from .tree import MODULE

    names = set()
    for site in context.sites:
        if assess(context, context.migration(site)).verdict.value == "none":
            continue
        for piece in site.template.pieces:
            if isinstance(piece, Lit) and piece.node is not None and piece.anchor is not None:
                if isinstance(piece.anchor, cst.Attribute):
                    names.add(piece.anchor.attr.value)  # a class constant (``self.LIST``)
                    continue
                binding = context.evaluator.lookup(piece.anchor) if isinstance(piece.anchor, cst.Name) else None
                if binding is not None and binding.scope.kind == MODULE:
                    names.add(binding.name)
    return sorted(names)


def decode_for(source: Union[str, bytes], path: str) -> SourceText:
    """The text imslint analyses for a file's content (raises ``SourceError``): a notebook's code
    cells joined (``notebooks.NotebookText``), else the decoded source."""
    from .notebooks import decode, is_notebook

    if is_notebook(path):
        return decode(source.encode("utf-8") if isinstance(source, str) else source)
    if isinstance(source, bytes):
        return decode_source(source)
    return SourceText(source, "utf-8")


def _told(findings: List[Finding], decoded: Optional[SourceText], facts: Optional[dict] = None) -> List[Finding]:
    """Findings as reports tell them: in a notebook, by cell (``Finding.cell``; the todo facts
    get a ``cell`` too)."""
    notebook = getattr(decoded, "notebook", None)
    if notebook is None:
        return findings
    for entry in (facts or {}).get("todo", ()):
        if "cell" not in entry:
            entry["cell"], entry["line"] = notebook.position(entry["line"])
            entry["marker"] = notebook.position(entry["marker"])[1]
    return decoded.to_cells(findings)



def lint_source(
    source: Union[str, bytes],
    path: str = "<stdin>",
    *,
    codes: Optional[Collection[str]] = None,
    target: str = HUAWEI_IMS,
    options: Optional[EngineOptions] = None,
    facts: Optional[dict] = None,
) -> List[Finding]:
    """Findings for one file's content; an unreadable file gives one IMS000 finding."""
    options = options or EngineOptions(target=target)
    decoded = None
    try:
        decoded = decode_for(source, path)
        large = too_large(source, options)
        if large is not None:
            return _told(unanalysed(decoded.text, path, large, codes, facts), decoded, facts)
        return _told(analyse(decoded.text, path, codes, options, facts), decoded, facts)
    except SourceError as exc:
        return _if_selected(unreadable(path, str(exc)), codes)
    except ParseFailure as exc:
        return _told(unparsable(decoded.text, path, exc, codes, facts), decoded, facts)


_UNITS = (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024))


def _shown_size(size: int, exact: bool = False) -> str:
    """``4.2 MB``, ``512 KB``; ``exact``: a configured limit, without a trailing ``.0``."""
    for unit, scale in _UNITS:
        if size >= scale:
            number = f"{size / scale:.1f}"
            return f"{number[:-2] if exact and number.endswith('.0') else number} {unit}"
    return f"{size} bytes"


def too_large(source: Union[str, bytes], options: EngineOptions) -> Optional[str]:
    """The IMS000 message for a file above ``max-file-size`` (``EngineOptions.max_file_size``),
    which is never parsed; None for a file within the limit."""
    limit = options.max_file_size
    if not limit:
        return None
    size = len(source) if isinstance(source, bytes) or source.isascii() else len(source.encode("utf-8", "surrogatepass"))
    if size <= limit:
        return None
    return (f"too large to analyse ({_shown_size(size)} > {_shown_size(limit, exact=True)}, the `max-file-size`"
            " limit): only the abandoned paths in its string literals are reported")


def unanalysed(text: str, path: str, message: str, codes=None, facts: Optional[dict] = None) -> List[Finding]:
    """A file too large to parse: IMS000 and the literal scan (``unparsable``) when its own text
    can hold an abandoned path (``could_match``), else nothing, as for any file that cannot; what
    it takes from other modules is not followed (that needs the parse)."""
    if not could_match(text):
        return []
    return unparsable(text, path, ParseFailure(message), codes, facts)


def unparsable(text: str, path: str, failure: "ParseFailure", codes=None, facts: Optional[dict] = None) -> List[Finding]:
    """IMS000 for a file that does not parse (saying plainly when it is Python 2), and the
    abandoned paths its string literals hold (no fix), so nothing is missed silently."""
    from .literal_scan import python2_cause, scan
    from .suppress import suppressions_for

    message, line, column = str(failure), failure.line, failure.column
    cause = python2_cause(text) if message.startswith("syntax error") else None
    if cause is not None:  # reported where the Python 2 code is, not where the parser gave up
        hint, line, column = cause
        message = f"Python 2 syntax ({hint}): imslint reads Python 3 only; abandoned paths in its text are still reported"
    from .prefilter import uses_client_library

    if uses_client_library(text.encode("utf-8", "surrogatepass")):
        message += "; its image client library calls (glanceclient, novaclient, openstacksdk) are not checked"
    findings = _if_selected(unreadable(path, message, line, column), codes)
    findings += _unsuppressed(scan(text, path, codes), suppressions_for(text), facts)
    return findings


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
    facts: Optional[dict] = None,
) -> FixOutcome:
    """Applies fixes until none is left (or ``MAX_FIX_ROUNDS``); re-parses after every round."""
    options = options or EngineOptions(target=target)
    try:
        decoded = decode_for(source, path)
        large = too_large(source, options)
        if large is not None:  # never parsed, so never fixed
            findings = unanalysed(decoded.text, path, large, codes, facts)
            return FixOutcome(decoded.text, _told(findings, decoded, facts), source=decoded)
        findings = analyse(decoded.text, path, codes, options, facts)
    except SourceError as exc:
        return FixOutcome(source if isinstance(source, str) else "", _if_selected(unreadable(path, str(exc)), codes))
    except ParseFailure as exc:
        text = decoded.text
        return FixOutcome(text, _told(unparsable(text, path, exc, codes, facts), decoded, facts), source=decoded)
    from .fixes import apply_fixes

    text = decoded.text
    initial = len(findings)
    errors: List[str] = []
    rejected: set = set()  # edits of fixes that broke the code; not offered again
    for _ in range(MAX_FIX_ROUNDS):
        fixes = [fix for fix in _applicable(findings, unsafe) if fix.edits not in rejected]
        if not fixes:
            break
        new_text, applied = apply_fixes(text, fixes)
        if not applied or new_text == text:
            break
        try:
            new_findings = analyse(new_text, path, codes, options)
        except ParseFailure:
            # Drop only the fix that breaks the code, not the others of its round (design §2.7).
            new_text, new_findings = _parsing_subset(text, applied, rejected, errors, path, codes, options)
            if new_findings is None:
                break
        text, findings = new_text, new_findings
    else:
        errors.append(f"fixes did not converge after {MAX_FIX_ROUNDS} rounds")
    if text != decoded.text:
        text, findings = _without_orphaned_imports(decoded.text, text, findings, path, codes, options)
    return FixOutcome(text, _told(findings, decoded, facts), max(0, initial - len(findings)), errors, decoded)


def _without_orphaned_imports(before: str, after: str, findings, path, codes, options):
    """``after`` without the imports the fixes left unused (``imports``), when it still parses."""
    from .imports import drop_orphaned_imports

    cleaned = drop_orphaned_imports(before, after)
    if cleaned == after:
        return after, findings
    try:
        return cleaned, analyse(cleaned, path, codes, options)
    except ParseFailure:
        return after, findings


def _parsing_subset(text: str, fixes: List[Fix], rejected: set, errors: List[str], path, codes, options):
    """(text, findings) with as many of ``fixes`` applied as still parse, one added at a time;
    ``(text, None)`` when none does. Each fix left out is reported in ``errors``."""
    from .fixes import apply_fixes

    kept: List[Fix] = []
    result: Tuple[str, Optional[List[Finding]]] = (text, None)
    for fix in fixes:
        candidate, _ = apply_fixes(text, [*kept, fix])
        try:
            result = (candidate, analyse(candidate, path, codes, options))
            kept.append(fix)
        except ParseFailure as exc:
            rejected.add(fix.edits)
            errors.append(
                f"a fix would have produced code that does not parse ({exc}); it was not applied: {fix.message}"
            )
    return result


def _applicable(findings: List[Finding], unsafe: bool) -> List[Fix]:
    seen = {}
    for finding in findings:
        fix = finding.fix
        if fix is not None and fix.edits and (fix.is_safe or unsafe):
            seen.setdefault(fix.edits, fix)
    return list(seen.values())
