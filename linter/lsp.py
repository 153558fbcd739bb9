"""``imslint server``: a Language Server (pygls) over stdin/stdout.

* **Diagnostics** are published when a document is opened, changed and saved (and cleared when it
  is closed): one per finding, code ``IMS001``..., source ``imslint``. Each carries in ``data``
  the fix (``{"applicability": "safe"|"unsafe", "message": ...}`` or null) and the evidence
  record (method, service, role, fix: each a value and a reason), as ``-o json`` gives them.
* **Code actions**: each fix of a diagnostic in the requested range, once per fix (the findings
  of one request share it): a safe one as a preferred ``quickfix``, an unsafe one as a
  ``quickfix`` titled ``... (unsafe)``; ``source.fixAll.imslint`` applies every safe fix. An
  action's edit is what ``imslint fix`` writes for that fix (unused imports dropped), as edits of
  whole lines.

A document is linted alone, as ``imslint check --stdin-filename PATH`` does: its configuration
(``pyproject.toml``...) is found from its path and constants imported from the project resolve,
but the project pass (test doubles in other files) does not run, so a fix the whole-tree
``imslint fix`` refuses for a double elsewhere may be offered. Positions use the encoding the
client and pygls agreed on (UTF-16 unless the client offers another).
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

from . import __version__
from .source import physical_lines

FIX_ALL_KIND = "source.fixAll.imslint"


class MissingPygls(Exception):
    pass


def _types():
    try:
        from lsprotocol import types
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise MissingPygls("the language server needs pygls: pip install 'imslint[lsp]'")
    return types


class Linter:
    """Lints documents as files of the project they live in; remembers the last result per URI."""

    def __init__(self) -> None:
        self.reload()
        self.findings: Dict[str, Tuple[str, list]] = {}  # uri -> (text linted, findings)

    def reload(self) -> None:
        """Reads the configuration files again (on save: one of them may be what was saved)."""
        from .config import ConfigResolver
        from .registry import known_codes

        self.resolver = ConfigResolver(known_codes())

    def _settings(self, path: str):
        from .options import EngineOptions
        from .project import ImportResolver, forget_changed_modules

        forget_changed_modules()  # an editor's process outlives changes to the modules it read

        absolute = os.path.abspath(path)
        settings = self.resolver.settings_for(absolute)
        roots = tuple(dict.fromkeys([os.getcwd(), str(settings.root)]))
        options = EngineOptions(target=settings.target, resolve_import=ImportResolver(absolute, roots),
                                max_file_size=settings.max_file_size)
        return frozenset(settings.codes_for(absolute)), options

    def lint(self, uri: str, path: str, text: str) -> list:
        from .engine import lint_source

        codes, options = self._settings(path)
        findings = lint_source(text, path, codes=codes, options=options)
        self.findings[uri] = (text, findings)
        return findings

    def fix_all(self, path: str, text: str) -> str:
        """``text`` with every safe fix applied, as ``imslint fix`` writes it."""
        from .engine import fix_source

        codes, options = self._settings(path)
        return fix_source(text, path, codes=codes, options=options).text

    def forget(self, uri: str) -> None:
        self.findings.pop(uri, None)


def _lines(text: str) -> List[str]:
    return physical_lines(text)


def _position(codec, lines: List[str], line: int, column: int):
    """An LSP position from a 1-based line and a 1-based column in code points."""
    types = _types()
    return codec.position_to_client_units(lines, types.Position(line=max(line - 1, 0), character=max(column - 1, 0)))


def _range(codec, lines: List[str], line: int, column: int, end_line: int, end_column: int):
    types = _types()
    return types.Range(start=_position(codec, lines, line, column), end=_position(codec, lines, end_line, end_column))


def diagnostic(finding, codec, lines: List[str]):
    types = _types()
    severity = types.DiagnosticSeverity.Error if finding.severity == "error" else types.DiagnosticSeverity.Warning
    fix = finding.fix
    return types.Diagnostic(
        range=_range(codec, lines, finding.line, finding.column, finding.end_line, finding.end_column),
        message=finding.message,
        severity=severity,
        code=finding.code,
        source="imslint",
        data={
            "fix": None if fix is None else {"applicability": fix.applicability, "message": fix.message},
            "evidence": finding.evidence.to_dict() if finding.evidence is not None else None,
        },
    )


def text_edits(before: str, after: str, codec):
    """``after`` as LSP edits of whole lines of ``before`` (``runner.line_edits``)."""
    from .runner import line_edits

    types = _types()
    lines = _lines(before)
    edits = []
    for edit in line_edits(before, after):
        start, end = edit["location"], edit["end_location"]
        edits.append(types.TextEdit(
            range=_range(codec, lines, start["line"], start["column"], end["line"], end["column"]),
            new_text=edit["content"],
        ))
    return edits


def _overlaps(finding, start_line: int, end_line: int) -> bool:
    """Whether the finding's lines (0-based here) meet ``[start_line, end_line]``."""
    return finding.line - 1 <= end_line and finding.end_line - 1 >= start_line


def code_actions(uri: str, text: str, findings: list, request_range, codec, only=None, fix_all=None) -> list:
    """The quick fixes for the findings in ``request_range`` and, when ``fix_all`` (text -> fixed
    text) is given and a safe fix exists, the source action that applies every safe fix."""
    from .interactive import fixed_text

    types = _types()
    wanted = lambda kind: not only or any(kind == o or kind.startswith(o + ".") for o in only)  # noqa: E731
    lines = _lines(text)
    actions = []
    if wanted(types.CodeActionKind.QuickFix):
        seen = {}
        for finding in findings:
            fix = finding.fix
            if fix is None or not fix.edits or not _overlaps(finding, request_range.start.line, request_range.end.line):
                continue
            seen.setdefault(fix.edits, (fix, []))[1].append(finding)
        for fix, covered in seen.values():
            after = fixed_text(text, fix)
            if after == text:
                continue
            title = f"imslint: {fix.message}" + ("" if fix.is_safe else " (unsafe)")
            actions.append(types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                is_preferred=fix.is_safe,
                diagnostics=[diagnostic(f, codec, lines) for f in covered],
                edit=types.WorkspaceEdit(changes={uri: text_edits(text, after, codec)}),
            ))
    if fix_all is not None and wanted(FIX_ALL_KIND) and any(f.fix is not None and f.fix.is_safe for f in findings):
        fixed = fix_all(text)
        if fixed != text:
            actions.append(types.CodeAction(title="imslint: apply every safe fix", kind=FIX_ALL_KIND,
                                            edit=types.WorkspaceEdit(changes={uri: text_edits(text, fixed, codec)})))
    return actions


def make_server():
    types = _types()
    try:
        from pygls.lsp.server import LanguageServer
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise MissingPygls("the language server needs pygls: pip install 'imslint[lsp]'")

    server = LanguageServer("imslint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    linter = Linter()

    def publish(uri: str) -> None:
        from .notebooks import is_notebook

        document = server.workspace.get_text_document(uri)
        if is_notebook(document.path):  # its JSON text is no Python: `imslint check` reads notebooks
            return
        try:
            findings = linter.lint(uri, document.path, document.source)
        except Exception as exc:  # a bug must not take the editor's server down
            server.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                             message=f"imslint: internal error: {exc!r}"))
            return
        codec, lines = document.position_codec, _lines(document.source)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[diagnostic(f, codec, lines) for f in findings]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        linter.reload()
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        linter.forget(params.text_document.uri)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]))
    def code_action(params: types.CodeActionParams) -> Optional[list]:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        text = document.source
        from .notebooks import is_notebook

        if is_notebook(document.path):
            return []
        cached = linter.findings.get(uri)
        findings = cached[1] if cached is not None and cached[0] == text else linter.lint(uri, document.path, text)
        return code_actions(uri, text, findings, params.range, document.position_codec, params.context.only,
                            fix_all=lambda source: linter.fix_all(document.path, source))

    return server


def serve() -> None:
    make_server().start_io()
