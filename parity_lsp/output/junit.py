"""`--format junit`: JUnit XML, one testcase per matrix file checked.

Invariant: a file with a diagnostic at or above warning is a failing testcase with one
`<failure>` per such diagnostic; info/hint diagnostics never fail a testcase (they are listed in
its `<system-out>`). A file the include globs matched that holds no matrix table is a skipped
testcase (it was not checked). A run that checked nothing has one testcase with an `<error>`
(CI dashboards must not show an empty suite as green). `tests` counts testcases, `failures`
failing testcases (the JUnit meaning), `errors` erroring ones, `skipped` skipped ones. The
suite's `<properties>` say what was checked (matrices, rows, root); notices go to its
`<system-err>`. Text is escaped (`output.escape`): no control character reaches a CI log.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from parity_lsp.findings import Severity
from parity_lsp.output.escape import escape_controls
from parity_lsp.output.report import Located, Report

SUITE_NAME = "parity-lsp"
TESTCASE_NAME = "parity matrix check"
NO_TABLE = "not checked: no matrix table (a table with a status column and an evidence column)"

# Characters XML 1.0 cannot carry at all.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", escape_controls(value))


def to_junit_element(report: Report) -> ET.Element:
    by_path: dict[str, list[Located]] = {}
    for path in report.files:
        by_path.setdefault(path, [])
    for d in report.diagnostics:  # diagnostics on other files (e.g. the config) still show up
        by_path.setdefault(d.finding.path, []).append(d)

    suites = ET.Element("testsuites", name=SUITE_NAME)
    suite = ET.SubElement(suites, "testsuite", name=SUITE_NAME)
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("root", report.root),
        ("matrices", str(report.matrices)),
        ("rows", str(report.rows)),
        ("files_checked", str(report.files_checked)),
    ):
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    tests = failing = erring = skipped = 0
    if report.nothing_checked:
        why = next((n.message for n in report.notices if n.kind == "nothing-checked"), "nothing checked")
        case = ET.SubElement(suite, "testcase", classname=SUITE_NAME, name="nothing checked", time="0")
        ET.SubElement(case, "error", message=_clean(why), type="nothing-checked")
        tests += 1
        erring += 1
    not_checked = set(report.without_table) - set(by_path)
    for path in sorted(by_path.keys() | not_checked):
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=_clean(path), name=TESTCASE_NAME, time="0")
        if path in not_checked:
            skipped += 1
            ET.SubElement(case, "skipped", message=NO_TABLE)
            continue
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
    if report.notices:
        ET.SubElement(suite, "system-err").text = "\n".join(_clean(n.message) for n in report.notices)
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failing))
        element.set("errors", str(erring))
    suite.set("skipped", str(skipped))
    suite.set("time", "0")
    return suites


def render_junit(report: Report) -> str:
    root = to_junit_element(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
