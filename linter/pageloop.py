"""The page loop: a ``GET /v2/images`` request whose images are read once, rewritten into a loop
that collects every page by following ``next`` (IMS004's fix, and part of the fix of an abandoned
list whose whole answer is read: v1.1 answered every image at once).

``PageLoop(ctx, flow, origin).plan()`` gives the loop's edits for the common shape, or None:
a request ``resp = client.get(URL, ...)`` in a block that is not a loop, followed in the same block
by one statement that reads ``resp.json()["images"]``. The request, and the statements between it
and that read, move into a ``while True:`` loop; only statements that are the same on every page
may move (``resp.raise_for_status()``, ``data = resp.json()``): anything else (``out.append(...)``)
would run once a page, so no loop is offered. ``next`` is a path from the API's root (Glance
answers ``/v2/images?marker=...``), so the next URL keeps whatever comes before ``/v2/images`` in
the first one (a host, a path prefix such as ``https://host/image``), where ``urljoin`` would drop
a prefix.
"""
from __future__ import annotations

import weakref
from bisect import bisect_left
from dataclasses import dataclass
from typing import List, Optional, Sequence, Set, Tuple

import libcst as cst

from .calls import REQUEST, callee_name
from .findings import Edit
from .responses import BODY, ListCall, ResponseFlow, method_call, positional


@dataclass(frozen=True)
class LoopPlan:
    edits: Tuple[Edit, ...]
    proven: bool  # the loop gives every image the one request gave on v1.1, nothing else changes
    reason: str  # why it is not proven (empty when it is)


_NAMES = {
    "images": ("images", "all_images", "image_list", "listed_images"),
    "url": ("page_url", "next_url", "images_url"),
    "params": ("page_params", "first_params", "query_params"),
    "page": ("page", "body", "page_body", "answer"),
}
_MULTILINE_STRINGS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_CONTROL = (cst.Return, cst.Yield, cst.Break, cst.Continue, cst.Global, cst.Nonlocal, cst.FunctionDef, cst.ClassDef)


class PageLoop:
    """Rewrites the common shape into a loop that collects every page (see the module docstring)."""

    def __init__(self, ctx, flow: ResponseFlow, origin: ListCall) -> None:
        self.ctx = ctx
        self.facts = flow.facts
        self.flow = flow
        self.origin = origin
        self.text: str = ctx.text
        self.newline = ctx.module.default_newline
        self.unit = ctx.module.default_indent  # until ``_edits`` knows the block (see ``_block_unit``)

    # -- the shape -------------------------------------------------------------------------------------
    def plan(self) -> Optional[LoopPlan]:
        origin = self.origin
        call = origin.call
        if origin.site.kind != REQUEST or callee_name(call.func).rsplit(".", 1)[-1] not in ("get", "request"):
            return None
        url_arg = self.facts.parent(origin.url)
        params = origin.site.params
        extra = [arg for arg in positional(call) if arg is not url_arg]
        if extra and callee_name(call.func).endswith("request") and isinstance(extra[0].value, cst.SimpleString):
            extra = extra[1:]  # request("GET", url)
        if url_arg.star or extra or any(arg.star for arg in call.args) or self.flow.loop_of(call) is not None:
            return None
        located = self._statement_of(call)
        if located is None:
            return None
        statement, body = located
        return self._rewrite(statement, body, params)

    def _statement_of(self, node: cst.CSTNode) -> Optional[Tuple[cst.CSTNode, Sequence[cst.CSTNode]]]:
        """The statement holding the request and the block it stands in, when the statement always
        sends the request once (not in a lambda, a comprehension's element, a branch or an ``elif``)."""
        child = node
        for ancestor in self.facts.ancestors(node):
            if isinstance(ancestor, (cst.IndentedBlock, cst.Module)):
                return child, ancestor.body
            if not _always_once(ancestor, child):
                return None
            child = ancestor
        return None

    def _request_expression(self) -> cst.CSTNode:
        parent = self.facts.parent(self.origin.call)
        return parent if isinstance(parent, cst.Await) else self.origin.call

    def _rewrite(self, statement, body, params: Optional[cst.Arg]) -> Optional[LoopPlan]:
        request = self._request_expression()
        small = _only_small(statement)
        response = body_name = None
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            target = small.targets[0].target.value
            if small.value is request:
                response = target
            elif method_call(small.value, "json") is request and not small.value.args:
                body_name = target
        start = body.index(statement)
        names = {n for n in (response, body_name) if n}
        if not names:  # the statement itself reads the list
            stop = start
        else:
            stop = None
            for number in range(start + 1, len(body)):
                found = self._body_statement(body[number], response) if body_name is None else None
                if found is not None:
                    body_name = found
                    names.add(found)
                    continue
                if self._list_reads(body[number]):
                    stop = number
                    break
            if stop is None:
                return None
        reads = self._list_reads(body[stop])
        if len(reads) != 1:
            return None
        read = reads[0]
        moved = list(body[start:stop])
        if any(self._contains(node, _CONTROL) for node in moved[1:]) or not self._names_confined(
            names, statement, body[stop], read.node, read.base
        ):
            return None
        if not all(self._same_every_page(node, response, body_name) for node in moved[1:]):
            return None  # it would run once a page (``out.append("# images")``)
        if not self._reads_answer(read.base, response, body_name):
            return None
        return self._edits(statement, moved, body[stop], read, body_name, params)

    def _same_every_page(self, statement: cst.CSTNode, response: Optional[str], body_name: Optional[str]) -> bool:
        """A statement between the request and the read that may run once a page: it only checks
        the answer (``resp.raise_for_status()``, ``assert resp.ok``, ``if resp.status_code != 200:
        raise ...``) or names its body (``data = resp.json()``)."""
        if isinstance(statement, cst.If):
            body = statement.body
            lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
            only_raises = all(
                isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite))
                and all(isinstance(small, cst.Raise) for small in line.body)
                for line in lines
            )
            return statement.orelse is None and only_raises and self._mentions_only(statement.test, response)
        small = _only_small(statement)
        if isinstance(small, cst.Expr):
            receiver = method_call(small.value, "raise_for_status")
            return isinstance(receiver, cst.Name) and receiver.value == response and not small.value.args
        if isinstance(small, cst.Assert):
            return self._mentions_only(small.test, response)
        if isinstance(small, cst.Assign) and body_name is not None:
            target = small.targets[0].target if len(small.targets) == 1 else None
            receiver = method_call(small.value, "json")
            return (
                isinstance(target, cst.Name) and target.value == body_name
                and isinstance(receiver, cst.Name) and receiver.value == response
            )
        return False

    def _mentions_only(self, test: cst.CSTNode, response: Optional[str]) -> bool:
        """A test on the response's status only: ``resp.ok``, ``resp.status_code != 200``."""
        for node in self.facts.subtree(test):
            if isinstance(node, cst.Call):
                return False
            if isinstance(node, cst.Name) and _is_variable(self.facts, node) and node.value != response:
                return False
        return response is not None

    def _reads_answer(self, base: cst.CSTNode, response: Optional[str], body_name: Optional[str]) -> bool:
        """The list is read from the body name, from ``response.json()``, or from the request itself."""
        if body_name is not None:
            return isinstance(base, cst.Name) and base.value == body_name
        receiver = method_call(base.expression if isinstance(base, cst.Await) else base, "json")
        if response is not None:
            return isinstance(receiver, cst.Name) and receiver.value == response
        return receiver is not None and self._inside(self.origin.call, base)

    def _body_statement(self, node: cst.CSTNode, response: Optional[str]) -> Optional[str]:
        """``data = resp.json()``: the name of the answer's body."""
        small = _only_small(node)
        if response is None or not isinstance(small, cst.Assign) or len(small.targets) != 1:
            return None
        target = small.targets[0].target
        receiver = method_call(small.value, "json")
        if isinstance(target, cst.Name) and isinstance(receiver, cst.Name) and receiver.value == response:
            return target.value if not small.value.args else None
        return None

    def _list_reads(self, node: cst.CSTNode):
        return [
            read
            for read in self.flow.reads_of(self.origin, BODY, "images")
            if read.via != "in" and not read.store and self._inside(read.node, node)
        ]

    def _inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.facts.ancestors(node))

    def _contains(self, node: cst.CSTNode, kinds) -> bool:
        return any(isinstance(n, kinds) for n in self.flow.subtree(node))

    def _names_confined(self, names: Set[str], first, last, read_node, base) -> bool:
        """The response and body names are used only up to the read, and there only in ``base``."""
        scope = self.facts.scope_of[first]
        begin = self.facts.order[first]
        for node in self.flow.subtree(scope.node):
            order = self.facts.order.get(node, 0)
            if order <= begin or not isinstance(node, cst.Name) or node.value not in names:
                continue
            if not _is_variable(self.facts, node):
                continue
            if self._inside(node, last):
                if not self._inside(node, base):
                    return False
            elif order > self.facts.order[last]:
                return False
        return True

    # -- the text --------------------------------------------------------------------------------------
    def _edits(self, statement, moved: List[cst.CSTNode], read_statement, read, body_name, params) -> Optional[LoopPlan]:
        ctx = self.ctx
        url = self.flow.evaluator.evaluate(self.origin.url)
        if url is None or "/v2/images" not in url.text:
            return None  # the next page's URL is built from the part before ``/v2/images``
        code_start = ctx.span(moved[0] if moved else read_statement)[0]
        line, column = ctx.lines.position(code_start)
        line_start = ctx.lines.offset(line, 0)
        indent = self.text[line_start:code_start]
        if indent.strip():
            return None
        self.unit = self._block_unit(statement)
        taken = self._taken_names(statement)
        merged = self._merged_target(read_statement, read, taken, moved)
        images = merged or self._fresh("images", taken)
        page_url = self._fresh("url", taken)
        page_params = self._fresh("params", taken) if params is not None else None
        page = body_name or self._fresh("page", taken)
        quote = read.key_node.quote if isinstance(read.key_node, cst.SimpleString) else '"'
        replacements = [(*self._outer_span(self.origin.url), page_url)]
        if params is not None:
            replacements.append((*self._outer_span(params.value), page_params))

        nl, inner = self.newline, indent + self.unit
        out = [f"{indent}{images} = []{nl}", f"{indent}{page_url} = {self._source(self.origin.url)}{nl}"]
        if params is not None:
            out.append(f"{indent}{page_params} = {self._source(params.value)}{nl}")
        out.append(f"{indent}while True:{nl}")
        if moved:
            out.append(self._indented(line_start, self._line_after(moved[-1]), replacements, indent))
        if not body_name:
            base_start, base_end = ctx.span(read.base)
            request = self._indented(base_start, base_end, replacements, indent)
            out.append(f"{inner}{page} = {request}{nl}")
        start, end = ctx.span(read.node)
        base_start, base_end = ctx.span(read.base)
        listed = self.text[start:base_start] + page + self.text[base_end:end]
        out += [
            f"{inner}{images}.extend({listed}){nl}",
            f"{inner}if not {page}.get({quote}next{quote}):{nl}",
            f"{inner}{self.unit}break{nl}",
            f"{inner}{page_url} = {page_url}[: {page_url}.index({quote}/v2/images{quote})] + {page}[{quote}next{quote}]{nl}",
        ]
        if page_params is not None:
            out.append(f"{inner}{page_params} = None{nl}")
        region_end = self._line_after(moved[-1]) if moved else line_start
        edits = []
        if merged:
            region_end = self._line_after(read_statement)
        else:
            edits.append((start, end, images))
        edits.append((line_start, region_end, "".join(out)))
        limits = sorted(self.origin.filter_keys & {"limit", "marker"})
        reason = f"the request sends `{limits[0]}`, so one request did not give every image" if limits else ""
        return LoopPlan(tuple(self._edit(*e) for e in sorted(edits)), not limits, reason)

    def _merged_target(self, read_statement, read, taken: Set[str], moved) -> Optional[str]:
        """``images = resp.json()["images"]``: collect straight into ``images``."""
        small = _only_small(read_statement)
        if not isinstance(small, cst.Assign) or small.value is not read.node or len(small.targets) != 1:
            return None
        target = small.targets[0].target
        if not isinstance(target, cst.Name) or read_statement.trailing_whitespace.comment is not None:
            return None
        if any(line.comment is not None for line in read_statement.leading_lines):
            return None
        if any(isinstance(n, cst.Name) and n.value == target.value for m in moved for n in self.flow.subtree(m)):
            return None
        return target.value

    def _taken_names(self, statement: cst.CSTNode) -> Set[str]:
        """Names the new ones must not shadow: those of the function (or module) and the module's."""
        root = next((a for a in self.facts.ancestors(statement) if isinstance(a, cst.FunctionDef)), self.ctx.module)
        taken = set(self.facts.module_scope.bindings)
        for node in self.flow.subtree(root):
            if isinstance(node, cst.Name) and _is_variable(self.facts, node, params=True):
                taken.add(node.value)
        return taken

    def _fresh(self, role: str, taken: Set[str]) -> str:
        for candidate in _NAMES[role]:
            if candidate not in taken:
                taken.add(candidate)
                return candidate
        number = 2
        while f"{_NAMES[role][0]}_{number}" in taken:
            number += 1
        taken.add(f"{_NAMES[role][0]}_{number}")
        return f"{_NAMES[role][0]}_{number}"

    def _outer_span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """The node's offsets with its own parentheses."""
        start, end = self.ctx.span(node)
        lpar, rpar = getattr(node, "lpar", ()), getattr(node, "rpar", ())
        if lpar and rpar:
            start, end = self.ctx.span(lpar[0])[0], self.ctx.span(rpar[-1])[1]
        return start, end

    def _source(self, node: cst.CSTNode) -> str:
        """The node's code as a value of its own: parenthesised when it spans lines."""
        start, end = self._outer_span(node)
        source = self.text[start:end]
        if "\n" in source and not getattr(node, "lpar", ()):
            source = f"({source})"
        return source

    def _line_after(self, node: cst.CSTNode) -> int:
        """The offset where the line after ``node``'s last line starts."""
        line, _ = self.ctx.lines.position(self.ctx.span(node)[1])
        starts = self.ctx.lines.starts
        return starts[line] if line < len(starts) else len(self.text)

    def _block_unit(self, statement: cst.CSTNode) -> str:
        """One level of indentation as the block holding ``statement`` spells it: its own relative
        indent, else the module's. Not the file's unit: in a tab-indented file a body may be
        indented with a tab and four spaces (relative indent: four spaces), and libcst, like
        consistent tab/space mixing, needs each deeper line to start with the exact whitespace of
        the line it nests in. A tab there put the loop's lines at tab-spaces-tab and the moved
        lines at tab-tab-spaces: they do not nest, and the fix did not parse."""
        parent = self.facts.parent(statement)
        if isinstance(parent, cst.IndentedBlock) and parent.indent is not None:
            return parent.indent
        return self.ctx.module.default_indent

    def _indented(self, start: int, end: int, replacements, indent: str) -> str:
        """``text[start:end]`` one level deeper (but for lines inside strings), with replacements.
        The level goes in after the lines' ``indent`` (the body's whitespace, which every statement
        line of the body starts with), so the lines keep that exact prefix; a continuation line
        that does not start with it (its indentation is free) gets it after its own whitespace,
        where it does not move that whitespace's tab stops (no spaces before a tab)."""
        inside = [r for r in replacements if start <= r[0] and r[1] <= end]
        strings = [(a, b) for a, b in self._multiline_strings() if a < end and start < b]
        edits = list(inside)
        starts = self.ctx.lines.starts
        for offset in starts[bisect_left(starts, start) : bisect_left(starts, end)]:
            line_end = self.text.find("\n", offset)
            blank = not self.text[offset : line_end if line_end != -1 else len(self.text)].strip()
            covered = any(a < offset < b for a, b, _ in inside) or any(a < offset < b for a, b in strings)
            if not blank and not covered:
                at = offset + len(indent)
                if not self.text.startswith(indent, offset):
                    at = _after_blanks(self.text, offset)
                edits.append((at, at, self.unit))
        result = self.text[start:end]
        for a, b, content in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            result = result[: a - start] + content + result[b - start :]
        return result

    def _multiline_strings(self) -> List[Tuple[int, int]]:
        """Offsets of the string literals that span lines (their inner lines keep their text)."""
        if self.ctx not in _MULTILINE_STRINGS:
            spans = [self.ctx.span(node) for node in self.facts.string_leaves]
            _MULTILINE_STRINGS[self.ctx] = [
                (a, b) for a, b in spans if "\n" in self.text[a:b] or "\r" in self.text[a:b]
            ]
        return _MULTILINE_STRINGS[self.ctx]

    def _edit(self, start: int, end: int, content: str) -> Edit:
        line, column = self.ctx.lines.position(start)
        end_line, end_column = self.ctx.lines.position(end)
        return Edit(start, end, content, line, column, end_line, end_column)


def _always_once(parent: cst.CSTNode, child: cst.CSTNode) -> bool:
    """Whether evaluating ``parent`` evaluates ``child`` exactly once."""
    if isinstance(parent, (cst.Lambda, cst.FunctionDef, cst.ClassDef, cst.SimpleStatementSuite, cst.While)):
        return False
    if isinstance(parent, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        return child is parent.for_in
    if isinstance(parent, cst.CompFor):
        return child is parent.iter
    if isinstance(parent, (cst.IfExp, cst.If)):
        return child is parent.test
    if isinstance(parent, cst.For):
        return child is parent.iter
    if isinstance(parent, cst.BooleanOperation):
        return child is parent.left
    return True


def _is_variable(facts, name: cst.Name, params: bool = False) -> bool:
    """A name that stands for a variable (not an attribute, a keyword or, unless asked, a parameter)."""
    parent = facts.parent(name)
    if isinstance(parent, cst.Attribute):
        return parent.value is name
    if isinstance(parent, cst.Arg):
        return parent.value is name
    if isinstance(parent, cst.Param):
        return params
    return not isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.ImportAlias))


def _after_blanks(text: str, offset: int) -> int:
    """The offset of the first character after the spaces, tabs and form feeds at ``offset``."""
    while offset < len(text) and text[offset] in " \t\f":
        offset += 1
    return offset


def _only_small(statement: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None
