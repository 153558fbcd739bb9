"""Output formats: turn findings into the text `imslint check` prints.

``render(findings, fmt, ...)`` picks the formatter module for ``fmt``; each module has
``render(findings, options) -> str``. Formatter modules are imported on first use.
"""
from __future__ import annotations

from importlib import import_module
from typing import Sequence

from ..findings import Finding
from .common import Options
from .statistics import render_statistics
from .summary import summary_line

MODULES = {
    "text": "text",
    "full": "text",
    "concise": "concise",
    "grouped": "grouped",
    "json": "json_array",
    "json-lines": "json_lines",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}
FORMATS = tuple(MODULES)
DEFAULT_FORMAT = "text"

__all__ = ["FORMATS", "DEFAULT_FORMAT", "render", "render_statistics", "summary_line"]


def render(
    findings: Sequence[Finding],
    fmt: str,
    *,
    rules: Sequence[type] = (),
    show_fixes: bool = False,
    color: bool = False,
    unsafe_fixes: bool = False,
    fingerprints=None,
) -> str:
    """The whole text to print for ``findings`` (already sorted and filtered) in format ``fmt``.

    ``rules`` (rule classes) supplies metadata such as SARIF rule descriptors; codes without
    a class fall back to the finding's own name and severity.
    """
    if fmt not in MODULES:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    module = import_module(f"{__name__}.{MODULES[fmt]}")
    options = Options(
        rules=tuple(rules), show_fixes=show_fixes, color=color, unsafe_fixes=unsafe_fixes,
        fingerprints=fingerprints,
    )
    return module.render(list(findings), options)
