"""IMS008: this project serves the abandoned image API (it registers routes for its paths)."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid


class AbandonedApiServer(Rule):
    """Flags a module that registers server routes for abandoned image paths (`mapper.connect(
    "/images/detail", ...)` in a v1 API package, `@app.route("/v1/images")`, a route table of the
    compute proxy's `/images`): the project *serves* the abandoned API rather than calling it.

    A server's own tests exercise that server, and its views build its links: none of them is a
    client to migrate. So, over a project (the directory holding `setup.py`, `setup.cfg` or
    `pyproject.toml`), imslint reports this once, at the first route file, and does not check the
    project's tests or the files beside its routes. Set `check-server-tests = true` to check them.

    **Fix**: none. Retiring a served API is a decision for its maintainers.
    """

    code = "IMS008"
    name = "abandoned-api-server"
    summary = "This project serves the abandoned image API (its tests and views are not checked)"
    severity = "warning"
    fixable = "never"

    VALID = [
        Valid('requests.get(f"{ep}/v2/images")\n'),
        Valid('@app.route("/v2/images")\ndef images():\n    return []\n'),
    ]
    INVALID = [
        Invalid('@app.route("/v1/images/detail")\ndef detail():\n    return {"images": []}\n'),
        Invalid('mapper.connect("/v1.1/images/detail", controller=images, action="detail")\n'),
        Invalid('ROUTE_LIST = (\n    ("/images/detail", {"GET": [image_controller, "detail"]}),\n)\n'),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        ctx.sites  # routes are found with the sites
        if not ctx.routes:
            return []
        first = ctx.routes[0]
        count = len(ctx.routes)
        more = f" and {count - 1} more route{'s' if count > 2 else ''}" if count > 1 else ""
        message = f"Serves the abandoned `{first.title}`{more}: its project's tests and views are not checked"
        return [ctx.finding(self.code, self.name, first.node, message, self.severity)]
