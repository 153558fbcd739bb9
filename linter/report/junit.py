"""``junit``: JUnit XML, one test suite and one failing test case per finding."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Sequence

from ..findings import Finding
from .common import Options, place, relative_posix, xml_safe


def testcase(suite: ET.Element, finding: Finding, options: Options) -> None:
    path = xml_safe(relative_posix(finding.path))
    where = f"{path}:{place(finding)}"
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{finding.code} at {where}",
        classname=path,
        file=path,
        line=str(finding.line),
    )
    failure = ET.SubElement(
        case,
        "failure",
        message=xml_safe(f"{where}: {finding.code} {finding.message}"),
        type=finding.code,
    )
    text = f"{where}: {finding.code} [{finding.name}] {finding.message}"
    if finding.fix is not None:
        text += f"\n{finding.fix.applicability} fix: {finding.fix.message}"
    failure.text = xml_safe(text)


def render(findings: Sequence[Finding], options: Options) -> str:
    count = str(len(findings))
    root = ET.Element("testsuites", name="imslint", tests=count, failures=count)
    suite = ET.SubElement(
        root, "testsuite", name="imslint", tests=count, failures=count, errors="0", skipped="0"
    )
    for finding in findings:
        testcase(suite, finding, options)
    if not findings:  # some CI servers reject a suite without test cases
        root.set("tests", "1")
        suite.set("tests", "1")
        ET.SubElement(suite, "testcase", name="no findings", classname="imslint")
    ET.indent(root)
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + ET.tostring(root, encoding="unicode") + "\n"
