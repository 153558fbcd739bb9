"""Everything the rules see about one parsed file, computed lazily and at most once."""
from __future__ import annotations

import re
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple, Union

import libcst as cst
from libcst._add_slots import add_slots
from libcst._nodes.internal import CodegenState

from .endpoints import NONE
from .evaluate import Evaluator
from .evidence.record import Evidence
from .findings import Edit, Finding, Fix
from .migrate import Location, Migration, plan
from .options import EngineOptions
from .planning import build_fix
from .sites import RequestSite, SiteFinder
from .strings import Lit
from .tree import ModuleFacts, collect

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offsets ↔ (line, column); lines split the way libcst splits them."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def position(self, offset: int) -> Tuple[int, int]:
        """1-based line, 1-based column."""
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


@add_slots
@dataclass(frozen=False)
class _OffsetState(CodegenState):
    """libcst's codegen recording each node's source offsets: ``PositionProvider``'s syntactic
    ranges (the same ``record_syntactic_position`` hoisting, the same trailing-newline handling),
    as character offsets, without its line/column objects for every node and token."""

    # start << 32 | end: one int a node, not a tuple of two (a large module has millions of nodes)
    spans: Dict[cst.CSTNode, int] = field(default_factory=dict)
    offset: int = 0
    _starts: List[int] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.tokens.append(token)
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.spans:  # a syntactic range recorded already wins
            self.spans[node] = start << 32 | self.offset

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node] >> 32
            if end_node is not None:
                end = self.spans[end_node] & _END
            self.spans[node] = start << 32 | end


_END = (1 << 32) - 1


def node_spans(module: cst.Module, text: str) -> Dict[cst.CSTNode, int]:
    """Source offsets of every node of ``module``, the tree of ``text`` (``PositionProvider``'s
    ranges), each as ``start << 32 | end`` (``FileContext.span`` unpacks them). Raises
    ParseFailure when the tree does not print ``text`` (``engine.check_reprinted``): the file
    is then reported as not analysed, and never fixed."""
    from .engine import check_reprinted

    state = _OffsetState(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    body_end = state.spans[module.body[-1]] & _END if module.body else 0
    check_reprinted("".join(state.tokens), text, body_end)
    return state.spans


class FileContext:
    def __init__(self, path: str, text: str, module: cst.Module, options: EngineOptions) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.options = options
        self.facts: ModuleFacts = collect(module)
        self.evaluator = Evaluator(self.facts, options.resolve_import)
        self._sites: Optional[List[RequestSite]] = None
        self.routes: list = []  # routes this module registers for abandoned paths (``sites.Route``)
        self._migrations: Optional[Dict[int, Migration]] = None
        self._fixes: Dict[int, Optional[Fix]] = {}
        self._positions = None
        self._lines: Optional[LineIndex] = None

    # -- analysis ---------------------------------------------------------------------------------
    @property
    def sites(self) -> List[RequestSite]:
        if self._sites is None:
            finder = SiteFinder(self.facts, self.evaluator, self.path, self.options.imported_elsewhere)
            self._sites = finder.find()
            self.routes = finder.routes
        return self._sites

    def find_routes(self) -> list:
        """The routes this module registers (found with its request sites)."""
        self.sites
        return self.routes

    def migration(self, site: RequestSite) -> Migration:
        if self._migrations is None:
            self._migrations = {id(s): plan(s, self.options.target, self.evaluator) for s in self.sites}
        return self._migrations[id(site)]

    def fix_for(self, migration: Migration) -> Optional[Fix]:
        """The one fix of a request site, shared by all its findings: the path and filters, the
        reads of its answer, its status checks and, for a list read once, the page loop; safe,
        unsafe or none by the contract (``evidence.safety``), which ``migration.verdict`` records."""
        key = id(migration)
        if key not in self._fixes:
            self._fixes[key] = build_fix(self, migration)
        return self._fixes[key]

    def reparsed(self, text: str) -> Optional["FileContext"]:
        """A context for this file with other text (a fix planned on a fix), or None if it does not parse."""
        from .engine import ParseFailure, parse

        try:
            context = FileContext(self.path, text, parse(text), self.options)
            context.span(context.module)  # its offsets, checked here: a tree that misprints is no context
            return context
        except ParseFailure:
            return None

    def evidence_of(self, site: RequestSite) -> Evidence:
        """The site's evidence record with the fix's verdict."""
        migration = self.migration(site)
        self.fix_for(migration)
        verdict = migration.verdict
        if verdict is None:
            return site.evidence
        return site.evidence.with_fix(verdict.value or NONE, verdict.reason)

    def text_edit(self, start: int, end: int, content: str) -> Edit:
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Edit(start, end, content, line, column, end_line, end_column)

    # -- positions ----------------------------------------------------------------------------------
    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Source offsets of a node (one codegen pass for the file, the first time)."""
        if self._positions is None:
            self._positions = node_spans(self.module, self.text)
        packed = self._positions[node]
        return packed >> 32, packed & _END

    def position(self, node: cst.CSTNode) -> Tuple[int, int]:
        """1-based line and column of a node's start."""
        return self.lines.position(self.span(node)[0])

    def location_span(self, location: Location) -> Tuple[int, int]:
        if isinstance(location, cst.CSTNode):
            return self.span(location)
        template, start, end = location
        covered = template.span(start, end)
        if not covered:
            return self.span(template.pieces[0].node) if template.pieces else (0, 0)
        first, low, _ = covered[0]
        last, _, high = covered[-1]
        return (self._piece_offset(first, low, True), self._piece_offset(last, high, False))

    def _piece_offset(self, piece, offset: int, start: bool) -> int:
        if isinstance(piece, Lit) and piece.anchor is None and piece.node is not None and piece.raw_start is not None:
            return self.span(piece.node)[0] + piece.raw_start + offset
        node = piece.anchor or piece.node
        if node is None:
            return 0
        low, high = self.span(node)
        return low if start else high

    def finding(
        self,
        code: str,
        name: str,
        location: Union[cst.CSTNode, Location],
        message: str,
        severity: str = "error",
        fix: Optional[Fix] = None,
        evidence: Optional[Evidence] = None,
    ) -> Finding:
        start, end = self.location_span(location)
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Finding(
            self.path, line, column, end_line, end_column, code, name, message, severity, fix, start, end, evidence
        )
