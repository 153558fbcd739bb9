"""``imslint report --format markdown``: the migration's state as a Markdown page (``progress_report``)."""
from __future__ import annotations

from typing import List

from ..progress_report import CATEGORIES, TITLES, Counts, Migration
from .common import printable

BAR_WIDTH = 30
# One character per category, so the bar reads in plain text too: done, safe, unsafe, manual, todo.
BAR_CHARS = {"on_v2": "█", "safe": "▓", "unsafe": "▒", "manual": "░", "todo": "·"}


def bar(counts: Counts, width: int = BAR_WIDTH) -> str:
    """A text bar, ``width`` characters split between the categories (largest remainders)."""
    if not counts.total:
        return " " * width
    exact = {name: getattr(counts, name) * width / counts.total for name in CATEGORIES}
    cells = {name: int(value) for name, value in exact.items()}
    for name in sorted(CATEGORIES, key=lambda n: exact[n] - cells[n], reverse=True)[: width - sum(cells.values())]:
        cells[name] += 1
    return "".join(BAR_CHARS[name] * cells[name] for name in CATEGORIES)


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def _row(name: str, counts: Counts) -> str:
    values = " | ".join(str(getattr(counts, c)) for c in CATEGORIES)
    return f"| {_cell(name)} | {values} | {counts.total} | `{bar(counts, 12)}` {counts.percent('on_v2'):.0f}% |"


def _table(title: str) -> List[str]:
    return [f"| {title} | " + " | ".join(TITLES[c] for c in CATEGORIES) + " | total | progress |",
            "|---|" + "---:|" * (len(CATEGORIES) + 1) + "---|"]


def headline(counts: Counts) -> str:
    parts = ", ".join(f"{getattr(counts, c)} {TITLES[c]}" for c in CATEGORIES)
    return f"{counts.percent('on_v2'):.0f}% on v2: {counts.total} request sites ({parts})."


def render(state: Migration) -> str:
    counts = state.counts
    lines = ["# imslint migration report", ""]
    if state.paths:
        lines += ["Checked: " + ", ".join(f"`{printable(p)}`" for p in state.paths), ""]
    lines += [f"**{headline(counts)}**", "", f"`{bar(counts)}`", "",
              "Legend: " + ", ".join(f"`{BAR_CHARS[c]}` {TITLES[c]}" for c in CATEGORIES), ""]
    if not counts.total:
        lines += ["No request to the image API was found.", ""]
        return "\n".join(lines)
    lines += ["## Packages", ""] + _table("package")
    lines += [_row(package.name, package.counts) for package in state.packages] + [""]
    lines += ["## Files", ""]
    for package in state.packages:
        lines += [f"### {_cell(package.name)}", ""] + _table("file")
        lines += [_row(file.path, file.counts) for file in package.files] + [""]
    for category, title in (("manual", "Manual work (no automatic fix)"), ("todo", "Open todo markers")):
        reasons = state.reasons(category)
        if not reasons:
            continue
        lines += [f"## {title}", ""]
        for reason, sites, places in reasons:
            where = ", ".join(f"`{printable(place)}`" for place in places)
            lines.append(f"- {printable(reason)} — {sites} site{'s' if sites != 1 else ''}: {where}")
        lines.append("")
    lines += ["## Next steps", ""] + [f"- {step}" for step in next_steps(counts)] + [""]
    return "\n".join(lines)


def next_steps(counts: Counts) -> List[str]:
    steps = []
    if counts.safe:
        steps.append(f"`imslint fix` applies the {counts.safe} safe fix{'es' if counts.safe != 1 else ''}.")
    if counts.unsafe:
        steps.append(f"`imslint fix --interactive` reviews the {counts.unsafe} unsafe"
                     f" fix{'es' if counts.unsafe != 1 else ''} one at a time.")
    if counts.manual:
        steps.append(f"{counts.manual} site{'s need' if counts.manual != 1 else ' needs'} a person: see the reasons"
                     " above (`imslint check --show-fixes` prints the evidence).")
    if counts.todo:
        steps.append(f"{counts.todo} todo marker{'s' if counts.todo != 1 else ''} still open.")
    if not counts.remaining:
        steps.append("Nothing left: the migration is done.")
    return steps
