"""The README's before-and-after example is what imslint does: its findings and its fix."""
from __future__ import annotations

import re
from pathlib import Path

from linter.engine import fix_source, lint_source

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _block(title: str) -> str:
    match = re.search(r"```python\n# client\.py, " + re.escape(title) + r"[^\n]*\n(.*?)```", README, re.S)
    assert match, title
    return match.group(1)


def test_before_and_after():
    before, after = _block("before"), _block("after")
    assert fix_source(before, "client.py").text == after


def test_the_console_output_lists_the_findings():
    console = re.search(r"\$ imslint check client\.py\n(.*?)\nFound", README, re.S).group(1)
    shown = console.splitlines()
    found = [f"client.py:{f.line}:{f.column}: {f.code} [*] {f.message}" for f in lint_source(_block("before"), "client.py")]
    assert sorted(shown) == sorted(found)
