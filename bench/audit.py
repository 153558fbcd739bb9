#!/usr/bin/env python3
"""The real-world audit (issue 10): imslint over released cloud code, laid out for a person to judge.

For each package of the cloud corpus (``bench/corpus.py``; ``--packages`` for a subset), over its
unpacked tree, without the cache and with a configuration that lints every ``.py`` file
(``exclude = []``, ``respect-gitignore = false``, as the benchmark does), it runs

* ``imslint check -o json``                  -> ``bench/.cache/audit/<package>/findings.json``
* ``imslint fix --diff``                     -> ``bench/.cache/audit/<package>/safe.diff``
* ``imslint fix --unsafe-fixes --diff``      -> ``bench/.cache/audit/<package>/unsafe.diff``

and writes, under ``bench/.cache/audit/`` (git-ignored):

* ``REVIEW.md``: every diff hunk (package, file, line, the hunk, the findings on its lines with
  code, message and fix applicability) and a deterministic sample of findings per rule per
  package (``--sample N``, evenly spaced over the package's findings of that rule in path/line
  order) with the source lines around each;
* ``hunks.json``: the same, machine-readable, plus per package the findings per code, the hunk
  counts, exit codes and wall times;
* ``audit-review.md``: the review table pre-filled with one row per hunk and per sampled finding
  (verdict and note empty), to be copied into the committed ``bench/audit-review.md`` and judged.

A hunk of the unsafe diff that is identical to one of the safe diff is the safe hunk (counted
once); every other hunk of the unsafe diff is an *unsafe hunk* (it may also carry safe edits that
fell into the same hunk: its findings say which).

``--tally [FILE]`` reads a reviewed table (default ``bench/audit-review.md``) and prints the
totals issue 10 asks for: wrong safe hunks, wrong unsafe hunks, and the share of findings with the
right rule and method outside server trees (findings in server trees counted separately; the
``server`` column, or when it is empty the package's server-tree globs in ``bench/corpus.py``).

    .venv/bin/python bench/audit.py [--packages glance,nova] [--sample 5] [--jobs N]
    .venv/bin/python bench/audit.py --tally [bench/audit-review.md]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import bench as bench_script  # bench/bench.py, beside this script (sys.path[0])

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
cloud = bench_script.cloud_module()

AUDIT = cloud.CACHE / "audit"
REVIEW_TABLE = BENCH / "audit-review.md"
CONFIG = "# written by bench/audit.py: lint every .py file of the release\nexclude = []\nrespect-gitignore = false\n"
CONTEXT_LINES = 3
TABLE_COLUMNS = ("id", "package", "file", "line", "kind", "code", "server", "verdict", "note")
KINDS = ("safe hunk", "unsafe hunk", "finding", "missed")


def imslint_command() -> List[str]:
    script = Path(sys.executable).parent / "imslint"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "linter"]


# -- running --------------------------------------------------------------------------------------------------------


def run_step(arguments: Sequence[str], cwd: Path, jobs: Optional[int]) -> Tuple[subprocess.CompletedProcess, float]:
    command = [*imslint_command(), *arguments, "--no-cache", "--config", str(AUDIT / "imslint.toml")]
    if jobs:
        command += ["--jobs", str(jobs)]
    command.append(".")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                            env=dict(os.environ, IMSLINT_NO_CACHE="1", NO_COLOR="1"))
    return result, time.perf_counter() - started


def audit_package(package: cloud.Package, tree: Path, jobs: Optional[int]) -> dict:
    out = AUDIT / package.key
    out.mkdir(parents=True, exist_ok=True)
    steps = {}
    check, steps["check"] = run_step(["check", "-o", "json", "--exit-zero"], tree, jobs)
    safe, steps["fix --diff"] = run_step(["fix", "--diff", "-q"], tree, jobs)
    unsafe, steps["fix --unsafe-fixes --diff"] = run_step(["fix", "--diff", "--unsafe-fixes", "-q"], tree, jobs)
    (out / "findings.json").write_text(check.stdout)
    (out / "safe.diff").write_text(safe.stdout)
    (out / "unsafe.diff").write_text(unsafe.stdout)
    errors = {}
    for name, result in (("check", check), ("fix --diff", safe), ("fix --unsafe-fixes --diff", unsafe)):
        # check runs with --exit-zero (0); a diff exits 1 when there is one. 2 is an error.
        if result.returncode not in (0, 1) or (name == "check" and result.returncode != 0):
            errors[name] = f"exit {result.returncode}: {result.stderr.strip()[-1500:]}"
    (out / "stderr.txt").write_text("".join(f"== {n}\n{r.stderr}\n" for n, r in
                                            (("check", check), ("fix --diff", safe), ("fix --unsafe-fixes --diff", unsafe))))
    try:
        findings = json.loads(check.stdout or "[]")
    except ValueError:
        findings = []
        errors.setdefault("check", f"no JSON: {check.stderr.strip()[-1500:]}")
    return {"package": package, "tree": tree, "findings": findings, "safe_diff": safe.stdout,
            "unsafe_diff": unsafe.stdout, "seconds": steps, "errors": errors,
            "exit": {"check": check.returncode, "fix --diff": safe.returncode,
                     "fix --unsafe-fixes --diff": unsafe.returncode}}


# -- diffs ----------------------------------------------------------------------------------------------------------


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_diff(text: str) -> List[dict]:
    """The hunks of a unified diff: file, old/new ranges, the old lines removed, the text."""
    hunks: List[dict] = []
    current: Optional[dict] = None
    path = None
    old_line = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("--- "):
            current = None
            continue
        if line.startswith("+++ "):
            name = line[4:].rstrip("\n")
            path = name[2:] if name.startswith("b/") else name
            continue
        match = _HUNK.match(line)
        if match and path is not None:
            old_start, old_len = int(match.group(1)), int(match.group(2) if match.group(2) is not None else 1)
            new_start, new_len = int(match.group(3)), int(match.group(4) if match.group(4) is not None else 1)
            current = {"file": path, "old_start": old_start, "old_len": old_len, "new_start": new_start,
                       "new_len": new_len, "header": line.rstrip("\n"), "text": line, "removed": [], "added": 0}
            hunks.append(current)
            old_line = old_start
            continue
        if current is None:
            continue
        current["text"] += line
        if line.startswith("-"):
            current["removed"].append(old_line)
            old_line += 1
        elif line.startswith("+"):
            current["added"] += 1
        elif line.startswith("\\"):
            pass
        else:
            old_line += 1
    for hunk in hunks:
        # The first changed old line (a pure insertion: the line it was inserted before).
        hunk["line"] = hunk["removed"][0] if hunk["removed"] else _first_insertion(hunk)
    return hunks


def _first_insertion(hunk: dict) -> int:
    line = hunk["old_start"]
    for text in hunk["text"].splitlines()[1:]:
        if text.startswith("+"):
            return line
        if not text.startswith("-"):
            line += 1
    return hunk["old_start"]


def finding_lines(finding: dict) -> set:
    lines = set(range(finding["line"], (finding.get("end_line") or finding["line"]) + 1))
    for edit in (finding.get("fix") or {}).get("edits") or []:
        start = edit.get("location", {}).get("line")
        end = edit.get("end_location", {}).get("line", start)
        if start:
            lines.update(range(start, (end or start) + 1))
    return lines


def hunk_findings(hunk: dict, findings: List[dict]) -> List[dict]:
    """The findings whose lines (or whose fix's edited lines) meet the old lines the hunk changes
    (for a pure insertion: the hunk's old range)."""
    lines = set(hunk["removed"]) or set(range(hunk["old_start"], hunk["old_start"] + max(1, hunk["old_len"])))
    return [f for f in findings if f["path"] == hunk["file"] and finding_lines(f) & lines]


def brief(finding: dict) -> dict:
    fix = finding.get("fix") or {}
    return {"code": finding["code"], "line": finding["line"], "column": finding["column"],
            "message": finding["message"], "applicability": fix.get("applicability"),
            "fix_message": fix.get("message"), "evidence": finding.get("evidence")}


# -- sampling -------------------------------------------------------------------------------------------------------


def sample(findings: List[dict], per_rule: int) -> Dict[str, List[dict]]:
    """Up to ``per_rule`` findings per code, evenly spaced over them in (path, line, column) order."""
    by_code: Dict[str, List[dict]] = {}
    for finding in sorted(findings, key=lambda f: (f["path"], f["line"], f["column"], f["code"])):
        by_code.setdefault(finding["code"], []).append(finding)
    chosen: Dict[str, List[dict]] = {}
    for code in sorted(by_code):
        items = by_code[code]
        if len(items) <= per_rule:
            chosen[code] = items
        else:
            chosen[code] = [items[(i * len(items)) // per_rule] for i in range(per_rule)]
    return chosen


def source_context(tree: Path, finding: dict, around: int = CONTEXT_LINES) -> str:
    path = tree / finding["path"]
    try:
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return "(file cannot be read)"
    first = max(1, finding["line"] - around)
    last = min(len(lines), (finding.get("end_line") or finding["line"]) + around)
    width = len(str(last))
    marked = set(range(finding["line"], (finding.get("end_line") or finding["line"]) + 1))
    return "\n".join(f"{'>' if n in marked else ' '} {n:>{width}} | {lines[n - 1]}" for n in range(first, last + 1))


# -- the review files -------------------------------------------------------------------------------------------------


def fence(text: str, language: str = "") -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{language}\n{text.rstrip(chr(10))}\n{ticks}"


def build(results: List[dict], per_rule: int) -> Tuple[dict, str, List[List[str]]]:
    """(hunks.json document, REVIEW.md text, review table rows)."""
    document = {"engine": engine_version(), "sample_per_rule": per_rule, "packages": []}
    review = ["# imslint real-world audit: review file", "",
              f"Engine: {document['engine']}. Generated by `bench/audit.py`; judge each item and record the "
              "verdict in `bench/audit-review.md` (rows pre-filled in `bench/.cache/audit/audit-review.md`).", ""]
    rows: List[List[str]] = []
    summary = ["| package | version | .py files | findings (in server trees) | per code | safe hunks (in server trees) | "
               "unsafe hunks (in server trees) | check s | fix --diff s | unsafe --diff s | errors |",
               "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|"]
    body: List[str] = []
    for result in results:
        package: cloud.Package = result["package"]
        findings = result["findings"]
        safe_hunks = parse_diff(result["safe_diff"])
        safe_keys = {(h["file"], h["text"]) for h in safe_hunks}
        unsafe_hunks = [h for h in parse_diff(result["unsafe_diff"]) if (h["file"], h["text"]) not in safe_keys]
        counts: Dict[str, int] = {}
        for finding in findings:
            counts[finding["code"]] = counts.get(finding["code"], 0) + 1
        counts = dict(sorted(counts.items()))
        py_files = len(cloud.py_files(result["tree"]))
        entry = {"package": package.name, "version": package.version, "kind": package.kind, "py_files": py_files,
                 "findings": len(findings), "findings_per_code": counts,
                 "findings_in_server_trees": sum(1 for f in findings if cloud.is_server_path(package, f["path"])),
                 "safe_hunks": len(safe_hunks), "unsafe_hunks": len(unsafe_hunks),
                 "safe_diff_files": len({h["file"] for h in safe_hunks}),
                 "unsafe_diff_files": len({h["file"] for h in parse_diff(result["unsafe_diff"])}),
                 "seconds": {k: round(v, 2) for k, v in result["seconds"].items()}, "exit": result["exit"],
                 "errors": result["errors"], "hunks": [], "sample": {}}
        document["packages"].append(entry)
        per_code = ", ".join(f"{c} {n}" for c, n in counts.items()) or "-"
        s = result["seconds"]
        server_safe = sum(1 for h in safe_hunks if cloud.is_server_path(package, h["file"]))
        server_unsafe = sum(1 for h in unsafe_hunks if cloud.is_server_path(package, h["file"]))
        entry["safe_hunks_in_server_trees"], entry["unsafe_hunks_in_server_trees"] = server_safe, server_unsafe
        summary.append(f"| {package.name} | {package.version} | {py_files:,} | {len(findings)} "
                       f"({entry['findings_in_server_trees']}) | {per_code} | {len(safe_hunks)} ({server_safe}) | "
                       f"{len(unsafe_hunks)} ({server_unsafe}) | {s['check']:.1f} | {s['fix --diff']:.1f} | "
                       f"{s['fix --unsafe-fixes --diff']:.1f} | {'; '.join(result['errors']) or ''} |")
        body += [f"## {package.key} ({package.kind})", "", package.why, ""]
        if package.server_trees:
            body += [f"Server trees (counted separately): {', '.join(f'`{g}`' for g in package.server_trees)}", ""]
        for name, error in result["errors"].items():
            body += [f"**{name} failed**:", "", fence(error), ""]
        for kind, prefix, hunks in (("safe hunk", "S", safe_hunks), ("unsafe hunk", "U", unsafe_hunks)):
            body += [f"### {kind}s ({len(hunks)})", ""]
            for number, hunk in enumerate(hunks, 1):
                ident = f"{prefix}-{package.name}-{number}"
                on_lines = hunk_findings(hunk, findings)
                server = "yes" if cloud.is_server_path(package, hunk["file"]) else "no"
                codes = ",".join(sorted({f["code"] for f in on_lines})) or "-"
                entry["hunks"].append({"id": ident, "kind": kind, "file": hunk["file"], "line": hunk["line"],
                                       "header": hunk["header"], "text": hunk["text"], "server_tree": server == "yes",
                                       "findings": [brief(f) for f in on_lines]})
                body += [f"#### {ident}: `{hunk['file']}:{hunk['line']}`" + (" (server tree)" if server == "yes" else ""),
                         ""]
                for f in on_lines:
                    fix = f.get("fix") or {}
                    body.append(f"- {f['code']} at {f['line']}:{f['column']} [{fix.get('applicability') or 'no fix'}]: "
                                f"{f['message']}" + (f" — fix: {fix['message']}" if fix.get("message") else ""))
                if not on_lines:
                    body.append("- (no finding on the changed lines)")
                body += ["", fence(hunk["text"], "diff"), ""]
                rows.append([ident, package.name, hunk["file"], str(hunk["line"]), kind, codes, server, "", ""])
        chosen = sample(findings, per_rule)
        body += [f"### sampled findings (up to {per_rule} per rule, of {len(findings)})", ""]
        for code, items in chosen.items():
            body += [f"#### {code}: {len(items)} of {counts[code]}", ""]
            entry["sample"][code] = []
            for number, finding in enumerate(items, 1):
                ident = f"F-{package.name}-{code}-{number}"
                fix = finding.get("fix") or {}
                server = "yes" if cloud.is_server_path(package, finding["path"]) else "no"
                entry["sample"][code].append(dict(brief(finding), id=ident, path=finding["path"], server_tree=server == "yes"))
                body += [f"**{ident}** `{finding['path']}:{finding['line']}:{finding['column']}`"
                         + (" (server tree)" if server == "yes" else "")
                         + f" [{fix.get('applicability') or 'no fix'}] {finding['message']}"
                         + (f" — fix: {fix['message']}" if fix.get("message") else ""), "",
                         fence(source_context(result["tree"], finding), "text"), ""]
                rows.append([ident, package.name, finding["path"], str(finding["line"]), "finding", code, server, "", ""])
    review += ["## Summary", ""] + summary + [""] + body
    return document, "\n".join(review) + "\n", rows


def engine_version() -> str:
    version = subprocess.run([*imslint_command(), "--version"], capture_output=True, text=True).stdout.strip()
    # The last commit that changed the engine (bench-only commits do not change what is audited).
    commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", "linter", "rules", "pyproject.toml"], cwd=PROJECT,
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "linter", "rules"], cwd=PROJECT,
                           capture_output=True, text=True).stdout.strip()
    return f"{version} (commit {commit}{', engine files modified' if dirty else ''})"


TABLE_INTRO = """# imslint real-world audit: the review table

One row per hunk of `imslint fix --diff` (kind `safe hunk`) and of `imslint fix --unsafe-fixes --diff`
not already in the safe diff (`unsafe hunk`), and per sampled finding (`finding`) of `bench/audit.py`
over the cloud corpus (`bench/corpus.py`). Rows may be added for real requests imslint missed
(kind `missed`). `id` refers to `bench/.cache/audit/REVIEW.md`, where each item is shown with its
context; `server` is `yes` for files in a server tree (the package's globs in `bench/corpus.py`:
code that serves the abandoned API and its own tests), counted separately.

`verdict`: `right`, or `wrong` (for findings optionally `wrong-rule`, `wrong-method` — right site,
wrong rule or HTTP method — or `false` — not an abandoned-API use at all); empty = not reviewed.
A hunk is `right` only if the rewritten code does what the original did against the new API (or
the change is what a person migrating it would write). `note`: why.

Regenerate the rows with `bench/audit.py` (they land in `bench/.cache/audit/audit-review.md`), copy
them here, judge them, then `bench/audit.py --tally` prints the totals.
"""


def table_text(rows: List[List[str]], intro: str = TABLE_INTRO, engine: str = "") -> str:
    lines = [intro.rstrip("\n"), ""]
    if engine:
        lines += [f"Engine audited: {engine}", ""]
    lines.append("| " + " | ".join(TABLE_COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in TABLE_COLUMNS) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


# -- tally ------------------------------------------------------------------------------------------------------------


def parse_table(text: str) -> List[Dict[str, str]]:
    """The rows of the first Markdown table whose header has ``kind`` and ``verdict`` columns."""
    rows: List[Dict[str, str]] = []
    header: Optional[List[str]] = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("|"):
            if header is not None and rows:
                break
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        if header is None:
            lowered = [c.lower() for c in cells]
            if "kind" in lowered and "verdict" in lowered:
                header = lowered
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)))))
    return rows


def verdict_of(text: str) -> Optional[str]:
    text = text.strip().lower()
    if not text:
        return None
    if text in ("right", "ok", "correct", "yes", "✓"):
        return "right"
    if text.startswith(("wrong", "false", "no", "✗", "bad")):
        return text if text in ("wrong-rule", "wrong-method", "false") else "wrong"
    return "unknown"


def is_server(row: Dict[str, str]) -> bool:
    value = row.get("server", "").strip().lower()
    if value in ("yes", "y", "true", "1", "server"):
        return True
    if value in ("no", "n", "false", "0", "-"):
        return False
    name = row.get("package", "").strip()
    for package in cloud.PACKAGES:
        if name in (package.name, package.key):
            return cloud.is_server_path(package, row.get("file", ""))
    return False


def tally(path: Path) -> dict:
    rows = parse_table(path.read_text())
    totals: Dict[str, Dict[str, int]] = OrderedDict()
    unknown = []
    for row in rows:
        kind = row.get("kind", "").strip().lower()
        if kind not in KINDS:
            unknown.append(row)
            continue
        group = kind if kind != "finding" else ("finding (server tree)" if is_server(row) else "finding (outside server trees)")
        verdict = verdict_of(row.get("verdict", "")) if kind != "missed" else "missed"
        counts = totals.setdefault(group, {})
        counts["total"] = counts.get("total", 0) + 1
        key = verdict or "unreviewed"
        counts[key] = counts.get(key, 0) + 1
    return {"rows": len(rows), "groups": totals, "unknown_kind": unknown}


def print_tally(result: dict, path: Path) -> int:
    print(f"tally of {path}: {result['rows']} rows")
    groups = result["groups"]
    if not groups:
        print("  no rows yet")
    for name in ("safe hunk", "unsafe hunk", "finding (outside server trees)", "finding (server tree)", "missed"):
        counts = groups.get(name)
        if not counts:
            continue
        if name == "missed":
            print(f"  missed requests recorded: {counts['total']}")
            continue
        wrong = sum(v for k, v in counts.items() if k in ("wrong", "wrong-rule", "wrong-method", "false"))
        right = counts.get("right", 0)
        reviewed = right + wrong + counts.get("unknown", 0)
        detail = ", ".join(f"{k} {v}" for k, v in counts.items() if k not in ("total",))
        if "hunk" in name:
            print(f"  {name}s: {counts['total']} ({reviewed} reviewed): wrong {wrong}, right {right}  [{detail}]")
        else:
            share = f"{100 * right / reviewed:.1f} %" if reviewed else "n/a"
            print(f"  {name}: {counts['total']} ({reviewed} reviewed): right rule and method {right} = {share}; "
                  f"wrong {wrong}  [{detail}]")
    for row in result["unknown_kind"]:
        print(f"  row with unknown kind ignored: {row}")
    safe = groups.get("safe hunk", {})
    unsafe = groups.get("unsafe hunk", {})
    outside = groups.get("finding (outside server trees)", {})

    def wrong(c):
        return sum(v for k, v in c.items() if k in ("wrong", "wrong-rule", "wrong-method", "false"))

    reviewed_outside = outside.get("right", 0) + wrong(outside) + outside.get("unknown", 0)
    share = 100 * outside.get("right", 0) / reviewed_outside if reviewed_outside else None
    def zero_wrong(c) -> str:
        if not c:
            return "n/a (no rows)"
        if wrong(c):
            return f"NOT met ({wrong(c)} wrong)"
        if c.get("unreviewed") or c.get("unknown"):
            return f"not decided ({c.get('unreviewed', 0) + c.get('unknown', 0)} of {c['total']} not reviewed)"
        return "met"

    print("targets (issue 10): 0 wrong safe hunks: " + zero_wrong(safe) + "; 0 wrong unsafe hunks: " + zero_wrong(unsafe)
          + "; findings outside server trees >= 95 % right: "
          + (("met" if share >= 95 else "NOT met") + f" ({share:.1f} %)" if share is not None else "n/a"))
    unreviewed = sum(c.get("unreviewed", 0) for n, c in groups.items() if n != "missed")
    if unreviewed:
        print(f"  ({unreviewed} rows not reviewed yet)")
    return 0


# -- main -------------------------------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", help="comma-separated subset of bench/corpus.py's pins")
    parser.add_argument("--sample", type=int, default=5, help="findings sampled per rule per package (default 5)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to imslint --jobs")
    parser.add_argument("--tally", nargs="?", const=REVIEW_TABLE, type=Path, default=None,
                        help=f"print the totals of a reviewed table (default {os.path.relpath(REVIEW_TABLE, PROJECT)})")
    args = parser.parse_args(argv)
    if args.tally is not None:
        return print_tally(tally(args.tally), args.tally)

    packages = cloud.by_name(args.packages.split(",") if args.packages else None)
    AUDIT.mkdir(parents=True, exist_ok=True)
    (AUDIT / "imslint.toml").write_text(CONFIG)
    results = []
    started = time.perf_counter()
    for package, tree in cloud.ensure(packages, quiet=True):
        print(f"audit: {package.key} ...", end=" ", flush=True)
        result = audit_package(package, tree, args.jobs)
        results.append(result)
        s = result["seconds"]
        print(f"{len(result['findings'])} findings; check {s['check']:.1f}s, fix --diff {s['fix --diff']:.1f}s, "
              f"--unsafe-fixes --diff {s['fix --unsafe-fixes --diff']:.1f}s"
              + (f"; ERRORS: {', '.join(result['errors'])}" if result["errors"] else ""), flush=True)
    document, review, rows = build(results, args.sample)
    document["wall_seconds"] = round(time.perf_counter() - started, 1)
    (AUDIT / "hunks.json").write_text(json.dumps(document, indent=1) + "\n")
    (AUDIT / "REVIEW.md").write_text(review)
    (AUDIT / "audit-review.md").write_text(table_text(rows, engine=document["engine"]))
    print()
    print(review.split("\n## Summary\n\n", 1)[1].split("\n\n", 1)[0])
    safe = sum(p["safe_hunks"] for p in document["packages"])
    unsafe = sum(p["unsafe_hunks"] for p in document["packages"])
    findings = sum(p["findings"] for p in document["packages"])
    print(f"\naudit: {len(results)} packages, {findings} findings, {safe} safe hunks, {unsafe} unsafe hunks, "
          f"{len(rows)} review rows; {document['wall_seconds']:.0f}s")
    for name in ("REVIEW.md", "hunks.json", "audit-review.md"):
        print(f"  {os.path.relpath(AUDIT / name, PROJECT)}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
