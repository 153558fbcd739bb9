"""``imslint report --format html``: the migration's state as one self-contained page.

Inline CSS only: no script, no font, no image, no link to anything, so the page opens from a
mail attachment or a CI artifact as it is. Every count is text in the page (and in ``data-``
attributes), so what is on screen can be checked from the rendered DOM.
"""
from __future__ import annotations

from html import escape
from typing import List

from ..progress_report import CATEGORIES, TITLES, Counts, Migration
from .common import printable
from .progress_markdown import headline, next_steps

COLORS = {"on_v2": "#2e7d32", "safe": "#1565c0", "unsafe": "#e08600", "manual": "#c62828", "todo": "#7b7b7b"}

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; font-family: ui-monospace, monospace; }
.meta { color: #555; margin-top: 0; }
.headline { font-size: 1.15rem; font-weight: 600; }
.bar { display: flex; height: 1.6rem; border-radius: .3rem; overflow: hidden; background: #eee;
       border: 1px solid #ccc; }
.bar.small { height: .8rem; width: 10rem; display: inline-flex; vertical-align: middle; }
.seg { display: block; height: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: 1.2rem; margin: .6rem 0 1rem; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: .4rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: .15rem; }
.count { font-weight: 700; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .3rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; font-family: ui-monospace, monospace; word-break: break-all; }
th { background: #f5f5f7; font-weight: 600; }
td.zero { color: #aaa; }
ul.reasons li { margin: .35rem 0; } code { font-family: ui-monospace, monospace; font-size: .92em; }
.places { color: #555; font-size: .9em; }
"""


def _style() -> str:
    rules = [f".c-{name} {{ background: {color}; }}" for name, color in COLORS.items()]
    return CSS + "\n".join(rules) + "\n"


def _text(text: str) -> str:
    return escape(printable(text))


def bar(counts: Counts, small: bool = False) -> str:
    label = "; ".join(f"{TITLES[c]}: {getattr(counts, c)}" for c in CATEGORIES)
    segments = "".join(
        f'<span class="seg c-{c}" style="width:{counts.percent(c):.3f}%" title="{escape(TITLES[c])}: {getattr(counts, c)}"></span>'
        for c in CATEGORIES if getattr(counts, c)
    )
    return f'<div class="bar{" small" if small else ""}" role="img" aria-label="{escape(label)}">{segments}</div>'


def _cells(counts: Counts) -> str:
    cells = []
    for c in CATEGORIES:
        value = getattr(counts, c)
        zero = ' class="zero"' if not value else ""
        cells.append(f'<td data-category="{c}" data-count="{value}"{zero}>{value}</td>')
    return "".join(cells) + f'<td data-category="total" data-count="{counts.total}">{counts.total}</td>'


def _table(title: str, rows: List[str]) -> str:
    head = "".join(f"<th>{escape(TITLES[c])}</th>" for c in CATEGORIES)
    return (f"<table><thead><tr><th>{escape(title)}</th>{head}<th>total</th><th>progress</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _row(kind: str, name: str, counts: Counts) -> str:
    return (f'<tr data-{kind}="{escape(name)}"><td>{_text(name)}</td>{_cells(counts)}'
            f"<td>{bar(counts, small=True)} {counts.percent('on_v2'):.0f}%</td></tr>")


def render(state: Migration) -> str:
    counts = state.counts
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>imslint migration report</title>", f"<style>{_style()}</style></head><body>",
           "<h1>imslint migration report</h1>"]
    if state.paths:
        out.append('<p class="meta">Checked: ' + ", ".join(f"<code>{_text(p)}</code>" for p in state.paths) + "</p>")
    out.append(f'<p class="headline" id="headline">{_text(headline(counts))}</p>')
    out.append(bar(counts))
    out.append('<ul class="legend" id="totals">' + "".join(
        f'<li data-category="{c}"><span class="swatch c-{c}"></span>{escape(TITLES[c])}: '
        f'<span class="count" data-count="{getattr(counts, c)}">{getattr(counts, c)}</span></li>'
        for c in CATEGORIES) + f'<li data-category="total">total: <span class="count" data-count="{counts.total}">'
        f"{counts.total}</span></li></ul>")
    if not counts.total:
        out.append("<p>No request to the image API was found.</p></body></html>\n")
        return "\n".join(out)
    out.append("<h2>Packages</h2>")
    out.append(_table("package", [_row("package", p.name, p.counts) for p in state.packages]))
    out.append("<h2>Files</h2>")
    for package in state.packages:
        out.append(f"<h3>{_text(package.name)}</h3>")
        out.append(_table("file", [_row("file", f.path, f.counts) for f in package.files]))
    for category, title in (("manual", "Manual work (no automatic fix)"), ("todo", "Open todo markers")):
        reasons = state.reasons(category)
        if not reasons:
            continue
        out.append(f'<h2>{escape(title)}</h2><ul class="reasons" id="{category}-reasons">')
        for reason, sites, places in reasons:
            where = ", ".join(f"<code>{_text(place)}</code>" for place in places)
            out.append(f'<li data-sites="{sites}">{_inline_code(reason)} <span class="places">— {sites}'
                       f' site{"s" if sites != 1 else ""}: {where}</span></li>')
        out.append("</ul>")
    out.append("<h2>Next steps</h2><ul>" + "".join(f"<li>{_inline_code(step)}</li>" for step in next_steps(counts)) + "</ul>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _inline_code(text: str) -> str:
    """Markdown-style `code` spans as <code> (the steps are shared with the Markdown page)."""
    parts = _text(text).split("`")
    return "".join(f"<code>{part}</code>" if index % 2 else part for index, part in enumerate(parts))
