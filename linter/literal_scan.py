"""The token-level scan of a file imslint cannot parse (Python 2, a syntax error, too large): the
string literals that hold an abandoned path are reported without a fix, so nothing is missed
silently. Also says plainly when a file is Python 2.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Iterator, List, Optional, Tuple

from .endpoints import HOLE_CHAR, called_title, match_paths, select_endpoint, title_as_code
from .findings import Finding
from .registry import rules_by_code

# Python 2 statements that Python 3 rejects, read from the tokens of one logical line (strings and
# comments left out, so ``backquotes`` in a docstring are no evidence).
_PYTHON2_LINES = (
    (re.compile(r"^print [^=(.,)\[]"), "a `print` statement"),
    (re.compile(r"^except [\w.]+ ?, ?\w+ ?:"), "`except X, e:`"),
    (re.compile(r"^raise [\w.]+ ?,"), "`raise E, message`"),
    (re.compile(r"^exec (S|\w)"), "an `exec` statement"),
)


# What stands for a runtime value inside a literal: %-fields, {}-fields.
_FIELD = re.compile(r"%(?:\([^)%]*\))?[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[sdirfx]|\{[^{}]*\}")


def python2_hint(text: str) -> Optional[str]:
    """What makes this file Python 2, from its tokens (not its strings or comments), or None."""
    cause = python2_cause(text)
    return cause[0] if cause is not None else None


def python2_cause(text: str) -> Optional[Tuple[str, int, int]]:
    """(what makes this file Python 2, its line, its column from 1), from the tokens, or None."""
    words: List[str] = []
    previous = None
    first = None  # where the logical line starts
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string = token.type, token.string
            adjacent = previous is not None and previous.end == token.start
            at = token.start
            if kind == tokenize.ERRORTOKEN and string == "`":
                return "backquotes", at[0], at[1] + 1
            if adjacent and previous.type == tokenize.NUMBER and previous.string == "0" and kind == tokenize.NUMBER:
                # Python 3 reads ``0777`` as ``0`` then ``777``
                return "an octal literal such as `0777`", previous.start[0], previous.start[1] + 1
            if adjacent and previous.type == tokenize.NUMBER and kind == tokenize.NAME and string in ("L", "l"):
                return "a long literal such as `10L`", previous.start[0], previous.start[1] + 1
            if adjacent and previous.string == "<" and string == ">":
                return "the `<>` operator", previous.start[0], previous.start[1] + 1
            previous = token
            if kind == tokenize.STRING and re.match(r"[uU][rR]", string):
                return "a `ur\"...\"` literal", at[0], at[1] + 1
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                logical = " ".join(words)
                for pattern, what in _PYTHON2_LINES:
                    if pattern.match(logical) and first is not None:
                        return what, first[0], first[1] + 1
                words, first = [], None
            elif kind == tokenize.STRING:
                words.append("S")
                first = first or at
            elif kind not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                words.append(string)
                first = first or at
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return None


def _literals(text: str) -> Iterator[Tuple[str, int, int, int, int]]:
    """(value, line, column, end line, end column) of each string literal, as far as tokens go."""
    readline = io.StringIO(text).readline
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type != tokenize.STRING:
                continue
            value = _value(token.string)
            if value is not None:
                yield value, token.start[0], token.start[1] + 1, token.end[0], token.end[1] + 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return


def _value(literal: str) -> Optional[str]:
    # Parsed, not ``ast.literal_eval``-ed: that builds a self-referencing closure on every call,
    # cyclic garbage only the collector frees (2.4 million literals of a 40 MB file: 2.5 GB).
    try:
        node = ast.parse(literal, mode="eval").body
    except Exception:
        node = None
    if type(node) is ast.Constant:
        value = node.value
    else:  # an f-string, or what Python cannot read: the text between the quotes
        match = re.match(r"^[A-Za-z]*(\"\"\"|'''|\"|')(.*)\1$", literal, re.S)
        value = match.group(2) if match else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else None


def _another_providers(template: str) -> bool:
    """The URL's host is another provider's (``api.vendor.com``, ``{region}.iaas.cloud.ibm.com``),
    as the engine judges hosts: its ``/v1/images`` is that provider's."""
    from .endpoints import url_host
    from .evidence.record import OTHER
    from .evidence.service import host_signals

    return any(signal.service == OTHER for signal in host_signals(url_host(template), "the URL"))


def scan(text: str, path: str, codes=None) -> List[Finding]:
    """Findings for the abandoned paths written in a file's string literals (no fixes)."""
    rules = rules_by_code()
    findings = []
    for value, line, column, end_line, end_column in _literals(text):
        if "images" not in value:
            continue
        template = _FIELD.sub(HOLE_CHAR, value)
        matches = [m for m in match_paths(template) if not m.endpoint.relative]
        match = select_endpoint(matches, None, None)
        if match is None or _another_providers(template):
            continue
        code = match.endpoint.code
        if codes is not None and code not in codes:
            continue
        shown = title_as_code(called_title(match, template, None))
        message = f"{shown} is abandoned: found in the text of a file imslint cannot parse; migrate it by hand"
        rule = rules.get(code)
        name = rule.name if rule is not None else code
        findings.append(Finding(path, line, column, end_line, end_column, code, name, message, "error"))
    return findings
