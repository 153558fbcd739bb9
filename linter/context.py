"""Everything the rules see about one parsed file, computed lazily and at most once."""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .edits import CannotEdit, EditRealizer
from .endpoints import NONE, SAFE, list_path
from .evaluate import Evaluator
from .findings import Edit, Finding, Fix
from .migrate import Location, Migration, plan
from .options import EngineOptions
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


class FileContext:
    def __init__(self, path: str, text: str, module: cst.Module, options: EngineOptions) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.options = options
        self.facts: ModuleFacts = collect(module)
        self.evaluator = Evaluator(self.facts, options.resolve_import)
        self._sites: Optional[List[RequestSite]] = None
        self._migrations: Optional[Dict[int, Migration]] = None
        self._fixes: Dict[int, Optional[Fix]] = {}
        self._positions = None
        self._lines: Optional[LineIndex] = None

    # -- analysis ---------------------------------------------------------------------------------
    @property
    def sites(self) -> List[RequestSite]:
        if self._sites is None:
            self._sites = SiteFinder(self.facts, self.evaluator).find()
        return self._sites

    def migration(self, site: RequestSite) -> Migration:
        if self._migrations is None:
            self._migrations = {id(s): plan(s, self.options.target, self.evaluator) for s in self.sites}
            self._reconcile_shared_definitions()
        return self._migrations[id(site)]

    def _reconcile_shared_definitions(self) -> None:
        """A URL defined once and used by several calls is fixed for all of them or for none."""
        assert self._migrations is not None
        owners: Dict[cst.CSTNode, List[Migration]] = {}
        for migration in self._migrations.values():
            for node in _edited_definitions(migration):
                owners.setdefault(node, []).append(migration)
        for sharing in owners.values():
            if len(sharing) < 2:
                continue
            worst = max((m.safety for m in sharing), key=("safe", "unsafe", "none").index)
            for migration in sharing:
                if worst == NONE and migration.safety != NONE:
                    line = self.position(sharing[0].site.node)[0]
                    migration.block(f"its URL is shared with another use that cannot be migrated (near line {line})")
                elif worst != SAFE:
                    migration.mark_unsafe()

    def fix_for(self, migration: Migration) -> Optional[Fix]:
        key = id(migration)
        if key not in self._fixes:
            self._fixes[key] = self._build_fix(migration)
        return self._fixes[key]

    def _build_fix(self, migration: Migration) -> Optional[Fix]:
        if migration.safety == NONE:
            return None
        realizer = EditRealizer(self.module, self.span, self.facts.parents)
        try:
            text_edits = realizer.realize(migration.edits)
        except CannotEdit as exc:
            migration.block(str(exc))
            return None
        lines = self.lines
        edits = []
        for start, end, content in text_edits:
            line, column = lines.position(start)
            end_line, end_column = lines.position(end)
            edits.append(Edit(start, end, content, line, column, end_line, end_column))
        message = f"Rewrite to GET {list_path(self.options.target)}"
        if migration.notes:
            message += "; " + "; ".join(dict.fromkeys(migration.notes))
        return Fix(migration.safety, message, tuple(edits))

    # -- positions ----------------------------------------------------------------------------------
    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def _code_range(self, node: cst.CSTNode):
        if self._positions is None:
            self._positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions[node]

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Source offsets of a node."""
        code_range = self._code_range(node)
        lines = self.lines
        return (
            lines.offset(code_range.start.line, code_range.start.column),
            lines.offset(code_range.end.line, code_range.end.column),
        )

    def position(self, node: cst.CSTNode) -> Tuple[int, int]:
        code_range = self._code_range(node)
        return code_range.start.line, code_range.start.column + 1

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
    ) -> Finding:
        start, end = self.location_span(location)
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Finding(self.path, line, column, end_line, end_column, code, name, message, severity, fix, start, end)


def _edited_definitions(migration: Migration) -> List[cst.CSTNode]:
    """Literal nodes outside the site's own expression that the path edits would change."""
    from .edits import TemplateEdit

    nodes = []
    for edit in migration.edits:
        if not isinstance(edit, TemplateEdit) or edit.template is not migration.site.template:
            continue
        for piece, _, _ in edit.template.span(edit.start, max(edit.end, edit.start + 1)):
            if isinstance(piece, Lit) and piece.anchor is None and piece.node is not None:
                nodes.append(piece.node)
    return nodes
