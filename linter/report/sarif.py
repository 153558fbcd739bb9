"""``sarif``: a SARIF 2.1.0 log with rule metadata, locations, fixes and fingerprints."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from .. import __version__
from ..findings import Edit, Finding
from .common import Options, dump_json, fingerprints, path_uri

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/imslint/"
FINGERPRINT_KEY = "imslint/v1"
LEVELS = {"error": "error", "warning": "warning"}  # anything else: "note"


def level(severity: str) -> str:
    return LEVELS.get(severity, "note")


def rule_descriptor(rule: type) -> Dict[str, Any]:
    summary = getattr(rule, "summary", "") or rule.name
    doc_method = getattr(rule, "doc", None)
    doc = (doc_method() if callable(doc_method) else "") or summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": level(getattr(rule, "severity", "error"))},
    }


def descriptor_from_finding(finding: Finding) -> Dict[str, Any]:
    """For a code without a rule class (IMS000, or ``rules`` not passed)."""
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": level(finding.severity)},
    }


def region(line: int, column: int, end_line: int, end_column: int) -> Optional[Dict[str, int]]:
    """1-based positions; a missing (0) or inconsistent end is left out, a missing start too."""
    if line < 1:
        return None
    result = {"startLine": line}
    if column >= 1:
        result["startColumn"] = column
    if end_line > line or (end_line == line and end_column >= max(column, 1)):
        result["endLine"] = end_line
        if end_column >= 1:
            result["endColumn"] = end_column
    return result


def artifact_location(path: str) -> Dict[str, str]:
    uri, base = path_uri(path)
    return {"uri": uri, "uriBaseId": base} if base else {"uri": uri}


def replacement(edit: Edit) -> Dict[str, Any]:
    deleted = region(edit.line, edit.column, edit.end_line, edit.end_column)
    if deleted is None:  # no line information: fall back to character offsets
        deleted = {"charOffset": edit.start, "charLength": max(edit.end - edit.start, 0)}
    return {"deletedRegion": deleted, "insertedContent": {"text": edit.content}}


def result(finding: Finding, rule_index: int, fingerprint: str) -> Dict[str, Any]:
    physical: Dict[str, Any] = {"artifactLocation": artifact_location(finding.path)}
    where = region(finding.line, finding.column, finding.end_line, finding.end_column)
    if where:
        physical["region"] = where
    entry: Dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": finding.message if finding.cell is None else f"cell {finding.cell}: {finding.message}"},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.cell is not None:  # lines of a notebook's cell: no place in the file's own text
        entry["properties"] = {"cell": finding.cell}
    fix = finding.fix
    if fix is not None and fix.edits and finding.cell is None:
        change = {
            "artifactLocation": physical["artifactLocation"],
            "replacements": [replacement(edit) for edit in fix.edits],
        }
        entry["fixes"] = [
            {
                "description": {"text": fix.message},
                "artifactChanges": [change],
                "properties": {"applicability": fix.applicability},
            }
        ]
    return entry


def render(findings: Sequence[Finding], options: Options) -> str:
    descriptors: List[Dict[str, Any]] = [rule_descriptor(rule) for rule in options.rules]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            descriptors.append(descriptor_from_finding(finding))
    results = [
        result(finding, index[finding.code], fingerprint)
        for finding, fingerprint in zip(findings, fingerprints(findings))
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "imslint",
                        "informationUri": INFORMATION_URI,
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return dump_json(log, indent=2) + "\n"
