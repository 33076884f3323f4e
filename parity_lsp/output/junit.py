"""`--format junit`: JUnit XML, one testcase per matrix file checked.

Invariant: a file with a diagnostic at or above warning is a failing testcase with one
`<failure>` per such diagnostic; info/hint diagnostics never fail a testcase (they are listed in
its `<system-out>`). `tests` counts testcases, `failures` counts failing testcases (the JUnit
meaning), `errors` and `skipped` are 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from parity_lsp.findings import Severity
from parity_lsp.output.report import Located, Report

SUITE_NAME = "parity-lsp"
TESTCASE_NAME = "parity matrix check"

# Characters XML 1.0 cannot carry at all.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", value)


def to_junit_element(report: Report) -> ET.Element:
    by_path: dict[str, list[Located]] = {}
    for path in report.files:
        by_path.setdefault(path, [])
    for d in report.diagnostics:  # diagnostics on other files (e.g. the config) still show up
        by_path.setdefault(d.finding.path, []).append(d)

    suites = ET.Element("testsuites", name=SUITE_NAME)
    suite = ET.SubElement(suites, "testsuite", name=SUITE_NAME)
    tests = failing = 0
    for path in sorted(by_path):
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=_clean(path), name=TESTCASE_NAME, time="0")
        notes: list[str] = []
        failed = False
        for d in by_path[path]:
            f = d.finding
            where = f"{f.path}:{d.line}:{d.column}"
            if f.severity >= Severity.WARNING:
                failed = True
                failure = ET.SubElement(
                    case, "failure", message=_clean(f"{f.code} {f.message}"), type=f.severity.label
                )
                failure.text = _clean(where)
            else:
                notes.append(_clean(f"{where}: {f.code} {f.message}"))
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(notes)
        failing += failed
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failing))
        element.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suites


def render_junit(report: Report) -> str:
    root = to_junit_element(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
