"""IMS004: a GET /v2/images list read once, without following ``next`` or a ``marker``."""
from __future__ import annotations

import weakref
from bisect import bisect_left
from typing import Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from linter.calls import REQUEST, callee_name
from linter.endpoints import HUAWEI_CLOUDIMAGES
from linter.findings import UNSAFE, Edit, Finding, Fix
from linter.responses import BODY, ListCall, ResponseFlow, for_context, method_call, positional
from linter.rule import Invalid, Rule, Valid
from linter.tree import IMPORT


class UnpaginatedImageList(Rule):
    """Flags a `GET /v2/images` list (already v2, or an abandoned list that imslint rewrites to it:
    `GET /v1.1/images/detail`, IMS001; the Glance v1 lists, IMS005; `GET /v2/images/detail`,
    IMS007) whose images are read after one request. v1.1 answered every image at once;
    v2 answers 25 a page with a relative `next` link until the last page, so the code silently
    sees only the first 25 images.

    A request is **paginated** (not flagged) when its `next` link is read (`body["next"]`,
    `body.get("next")`, `"next" in body`), when it sends a `marker`, or when it runs in a loop
    that updates a marker (`marker = ...`, `params["marker"] = ...`, `params.update(marker=...)`),
    reads a `next` link, or sends a `limit`. A `limit` on a single request does not make it
    paginated. Code that only needs the first page is not flagged either: `images[0]`,
    `images[:n]` with n up to 25, `if images:`. Neither is a request whose images are never read
    (its answer returned from the module as it is, or only its status checked). An abandoned
    list is not flagged on the `huawei-cloudimages` target, which rewrites it to
    `GET /v2/cloudimages` (500 a page, no `next` link).

    **Fix** (opt-in, unsafe: the code now sends one request a page) for the common shape, once
    the URL is `/v2/images` (an abandoned list gets the loop after its rewrite, in the next
    round of `imslint fix --unsafe-fixes`): a request `resp = client.get(URL, ...)` (or
    `.request("GET", URL, ...)`, `await ...`, `body = client.get(URL).json()`) in a block that
    is not a loop, followed
    in the same block by one statement that reads `resp.json()["images"]` (returns it, iterates
    it, assigns it). The request, and the statements between it and that read, move into a
    `while True:` loop that collects every page and follows `next`, resolved against the
    endpoint's scheme and host (`urllib.parse.urljoin(page_url, page["next"])`); `params` are
    sent with the first request only, since `next` keeps the query. The read then uses the
    collected images, so the result is the whole list, as v1.1 answered it. Other shapes
    (wrappers, the answer used after the read, a `return` between the request and the read, a
    request in a loop) are reported without a fix.
    """

    code = "IMS004"
    name = "unpaginated-image-list"
    summary = "A GET /v2/images list read once: v2 answers 25 images a page"
    severity = "warning"
    fixable = "sometimes"

    VALID = [
        Valid(
            "def names(ep):\n"
            '    url = f"{ep}/v2/images"\n'
            "    found = []\n"
            "    while url:\n"
            "        body = requests.get(url).json()\n"
            '        found += [i["name"] for i in body["images"]]\n'
            '        url = urljoin(url, body["next"]) if body.get("next") else None\n'
            "    return found\n"
        ),
        Valid(
            "marker = None\n"
            "while True:\n"
            '    page = requests.get(f"{ep}/v2/images", params={"limit": 100, "marker": marker}).json()["images"]\n'
            "    if not page:\n"
            "        break\n"
            "    handle(page)\n"
            '    marker = page[-1]["id"]\n'
        ),
        Valid('newest = requests.get(f"{ep}/v2/images", params={"limit": 1}).json()["images"][0]\n'),
        Valid('resp = requests.get(f"{ep}/v2/images")\nresp.raise_for_status()\n'),
        Valid('resp = requests.post(f"{ep}/v2/images", json={"name": "web"})\nprint(resp.json()["images"])\n'),
        Valid(
            'images = requests.get(f"{ep}/v1.1/images/detail").json()["images"]\nprint(len(images))\n',
            options={"target": "huawei-cloudimages"},
        ),
    ]
    INVALID = [
        Invalid(
            "import requests\n"
            "\n"
            "\n"
            "def list_images(endpoint, token):\n"
            "    resp = requests.get(\n"
            '        f"{endpoint}/v2/images",\n'
            '        headers={"X-Auth-Token": token},\n'
            '        params={"disk_format": "vhd"},\n'
            "    )\n"
            "    resp.raise_for_status()\n"
            '    return resp.json()["images"]\n',
            fixed="import requests\n"
            "import urllib.parse\n"
            "\n"
            "\n"
            "def list_images(endpoint, token):\n"
            "    images = []\n"
            '    page_url = f"{endpoint}/v2/images"\n'
            '    page_params = {"disk_format": "vhd"}\n'
            "    while True:\n"
            "        resp = requests.get(\n"
            "            page_url,\n"
            '            headers={"X-Auth-Token": token},\n'
            "            params=page_params,\n"
            "        )\n"
            "        resp.raise_for_status()\n"
            "        page = resp.json()\n"
            '        images.extend(page["images"])\n'
            '        if not page.get("next"):\n'
            "            break\n"
            '        page_url = urllib.parse.urljoin(page_url, page["next"])\n'
            "        page_params = None\n"
            "    return images\n",
            unsafe=True,
        ),
        Invalid(
            "from urllib.parse import urljoin\n"
            "\n"
            "\n"
            "async def names(client):\n"
            '    data = (await client.get("/v2/images?status=active")).json()\n'
            '    images = data.get("images", [])\n'
            '    return [i["name"] for i in images]\n',
            fixed="from urllib.parse import urljoin\n"
            "\n"
            "\n"
            "async def names(client):\n"
            "    images = []\n"
            '    page_url = "/v2/images?status=active"\n'
            "    while True:\n"
            "        data = (await client.get(page_url)).json()\n"
            '        images.extend(data.get("images", []))\n'
            '        if not data.get("next"):\n'
            "            break\n"
            '        page_url = urljoin(page_url, data["next"])\n'
            '    return [i["name"] for i in images]\n',
            unsafe=True,
        ),
        Invalid(
            "import urllib.parse\n"
            "\n"
            'for image in session.get(IMS + "/v2/images").json()["images"]:\n'
            '    print(image["id"])\n',
            fixed="import urllib.parse\n"
            "\n"
            "images = []\n"
            'page_url = IMS + "/v2/images"\n'
            "while True:\n"
            '    page = session.get(page_url).json()\n'
            '    images.extend(page["images"])\n'
            '    if not page.get("next"):\n'
            "        break\n"
            '    page_url = urllib.parse.urljoin(page_url, page["next"])\n'
            "for image in images:\n"
            '    print(image["id"])\n',
            unsafe=True,
        ),
        Invalid(
            "names = []\n"
            'for fmt in ("vhd", "qcow2"):\n'
            '    resp = requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": fmt})\n'
            '    names += [image["name"] for image in resp.json()["images"]]\n',
            fixed="names = []\n"
            'for fmt in ("vhd", "qcow2"):\n'
            '    resp = requests.get(f"{ep}/v2/images", params={"disk_format": fmt})\n'
            '    names += [image["name"] for image in resp.json()["images"]]\n',
            codes=("IMS001", "IMS004"),
        ),
        Invalid(
            'resp = requests.get(f"{ep}/v2/images", params={"limit": 1000})\n'
            'print(len(resp.json()["images"]), resp.headers["X-Openstack-Request-Id"])\n',
        ),
        Invalid(
            "def images(api):\n"
            '    return api.get("/v2/images").json()["images"]\n',
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        flow = for_context(ctx)
        if flow is None:
            return []
        findings = []
        for origin in flow.calls:
            if origin.request_site is not None and ctx.options.target == HUAWEI_CLOUDIMAGES:
                continue
            if not flow.reads_whole_list(origin) or flow.is_paginated(origin):
                continue
            findings.append(self._finding(ctx, flow, origin))
        return findings

    def _finding(self, ctx, flow: ResponseFlow, origin: ListCall) -> Finding:
        pages = "GET /v2/images answers 25 images a page, with a relative `next` link to the next page"
        if origin.is_v2:
            message = f"These images are read after one request, but {pages}: only the first page is seen"
            fix = _PageLoop(ctx, flow, origin).fix()
            if fix is None:
                message += "; follow `next` (or page with `marker`) until the last page"
        else:
            endpoint = origin.request_site.match.endpoint
            message = (
                f"These images are read after one request: once `{endpoint.title}` is rewritten ({endpoint.code}), "
                f"{pages}, so only the first page would be seen; follow `next`"
            )
            fix = None
        return ctx.finding(self.code, self.name, origin.url, message, self.severity, fix)


_NAMES = {
    "images": ("images", "all_images", "image_list", "listed_images"),
    "url": ("page_url", "next_url", "images_url"),
    "params": ("page_params", "first_params", "query_params"),
    "page": ("page", "body", "page_body", "answer"),
}
_STRINGS = (cst.SimpleString, cst.ConcatenatedString)
_MULTILINE_STRINGS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_CONTROL = (cst.Return, cst.Yield, cst.Break, cst.Continue, cst.Global, cst.Nonlocal, cst.FunctionDef, cst.ClassDef)


class _PageLoop:
    """Rewrites the common shape into a loop that collects every page (see the rule's docstring)."""

    def __init__(self, ctx, flow: ResponseFlow, origin: ListCall) -> None:
        self.ctx = ctx
        self.facts = flow.facts
        self.flow = flow
        self.origin = origin
        self.text: str = ctx.text
        self.newline = ctx.module.default_newline
        self.unit = ctx.module.default_indent  # until ``_edits`` knows the block (see ``_block_unit``)

    # -- the shape -------------------------------------------------------------------------------------
    def fix(self) -> Optional[Fix]:
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

    def _rewrite(self, statement, body, params: Optional[cst.Arg]) -> Optional[Fix]:
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
        if not self._reads_answer(read.base, response, body_name):
            return None
        return self._edits(statement, moved, body[stop], read, body_name, params)

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
    def _edits(self, statement, moved: List[cst.CSTNode], read_statement, read, body_name, params) -> Optional[Fix]:
        ctx = self.ctx
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
        urljoin, import_edit = self._urljoin()
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
            f"{inner}{page_url} = {urljoin}({page_url}, {page}[{quote}next{quote}]){nl}",
        ]
        if page_params is not None:
            out.append(f"{inner}{page_params} = None{nl}")
        region_end = self._line_after(moved[-1]) if moved else line_start
        edits = []
        if merged:
            region_end = self._line_after(read_statement)
        else:
            edits.append((start, end, images))
        content = "".join(out)
        if import_edit is not None and import_edit[0] >= line_start:
            content = import_edit[2] + content
        elif import_edit is not None:
            edits.append(import_edit)
        edits.append((line_start, region_end, content))
        message = "Collect every page: follow `next` until the last page (one request a page)"
        return Fix(UNSAFE, message, tuple(self._edit(*e) for e in sorted(edits)))

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

    def _urljoin(self) -> Tuple[str, Optional[Tuple[int, int, str]]]:
        """How to call urljoin here, and the import to add when none is there."""
        for name, bindings in self.facts.module_scope.bindings.items():
            for binding in bindings:
                if binding.kind != IMPORT or binding.imported is None:
                    continue
                module, original, level = binding.imported
                if level:
                    continue
                if (module, original) == ("urllib.parse", "urljoin"):
                    return name, None
                if (module, original) == ("urllib.parse", ""):
                    return ("urllib.parse.urljoin" if name == "urllib" else f"{name}.urljoin"), None
                if (module, original) == ("urllib", "parse"):
                    return f"{name}.urljoin", None
        offset, before_definition = self._import_offset()
        content = f"import urllib.parse{self.newline}" + self.newline * (2 if before_definition else 0)
        return "urllib.parse.urljoin", (offset, offset, content)

    def _import_offset(self) -> Tuple[int, bool]:
        """After the module's leading imports (and docstring), else before its first statement
        (and whether that statement is a ``def`` or ``class``, which wants two blank lines)."""
        last = None
        for number, statement in enumerate(self.ctx.module.body):
            small = _only_small(statement)
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                last = statement
            elif number == 0 and isinstance(small, cst.Expr) and isinstance(small.value, _STRINGS):
                last = statement
            else:
                break
        if last is not None:
            return self._line_after(last), False
        if not self.ctx.module.body:
            return len(self.text), False
        first = self.ctx.module.body[0]
        line, _ = self.ctx.lines.position(self.ctx.span(first)[0])
        if isinstance(first, (cst.FunctionDef, cst.ClassDef)) and first.decorators:
            line, _ = self.ctx.lines.position(self.ctx.span(first.decorators[0])[0])
        return self.ctx.lines.offset(line, 0), isinstance(first, (cst.FunctionDef, cst.ClassDef))

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
