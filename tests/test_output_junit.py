"""`--format junit`: parse the XML back and check structure and counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from parity_lsp.findings import Finding, Severity
from parity_lsp.output import make_report, render
from parity_lsp.text import LineIndex, Span

A = "docs/parity/a.md"
B = "docs/parity/b.md"
C = "docs/parity/c.md"
TEXT = "| Capability |\n| x |\n"


def build(findings, files=(A, B, C)):
    texts = dict.fromkeys({*files, *(f.path for f in findings)}, TEXT)
    indexes = {p: LineIndex(t) for p, t in texts.items()}
    return make_report("/abs/root", list(files), findings, indexes.__getitem__)


def parse(findings, files=(A, B, C)):
    out = render(build(findings, files), "junit")
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "parity-lsp"
    return root, suite


def cases(suite):
    return {c.get("classname"): c for c in suite.findall("testcase")}


def test_one_testcase_per_file_and_one_failure_per_diagnostic():
    fs = [
        Finding("PM101", Severity.ERROR, A, Span(17, 18), "unknown status `x`"),
        Finding("PM004", Severity.WARNING, A, Span(2, 12), "empty Owner"),
        Finding("PM103", Severity.INFO, B, Span(2, 12), "owner is TBD"),
    ]
    root, suite = parse(fs)
    by_file = cases(suite)
    assert list(by_file) == [A, B, C]
    assert all(c.get("name") for c in by_file.values())

    failures = by_file[A].findall("failure")
    assert [(f.get("message"), f.get("type"), f.text) for f in failures] == [
        ("PM004 empty Owner", "warning", f"{A}:1:3"),
        ("PM101 unknown status `x`", "error", f"{A}:2:3"),
    ]
    # Info does not fail a file; it is reported in system-out.
    assert by_file[B].findall("failure") == []
    assert by_file[B].find("system-out").text == f"{B}:1:3: PM103 owner is TBD"
    assert list(by_file[C]) == []

    for element in (root, suite):
        assert element.get("tests") == "3"
        assert element.get("failures") == "1"  # failing testcases
        assert element.get("errors") == "0"
    assert suite.get("skipped") == "0"


def test_clean_run_passes_every_file():
    _root, suite = parse([])
    assert suite.get("tests") == "3" and suite.get("failures") == "0"
    assert all(list(c) == [] for c in suite.findall("testcase"))


def test_diagnostics_on_files_outside_the_list_still_appear():
    cfg = ".parity-lsp.toml"
    _root, suite = parse([Finding("PM001", Severity.ERROR, cfg, Span(0, 1), "bad")], files=(A,))
    by_file = cases(suite)
    assert list(by_file) == [cfg, A]
    assert suite.get("tests") == "2" and suite.get("failures") == "1"


def test_counts_with_several_failing_files():
    fs = [Finding("PM002", Severity.ERROR, p, Span(15, 16), "m") for p in (A, B)]
    fs.append(Finding("PM002", Severity.ERROR, A, Span(0, 1), "m"))
    _root, suite = parse(fs)
    assert suite.get("tests") == "3" and suite.get("failures") == "2"
    assert sum(len(c.findall("failure")) for c in suite.findall("testcase")) == 3


def test_xml_special_and_control_characters_survive():
    msg = 'status "<Done> & ✅" \x1b[31m'
    _root, suite = parse([Finding("PM205", Severity.WARNING, A, Span(0, 1), msg)])
    [failure] = cases(suite)[A].findall("failure")
    assert failure.get("message") == 'PM205 status "<Done> & ✅" \\x1b[31m'


def test_a_file_name_with_a_line_break_or_escape_stays_one_line():
    odd = "docs/parity/a\n\x1b[2Jb.md"
    _root, suite = parse([Finding("PM101", Severity.ERROR, odd, Span(0, 1), "bad\r\nline")], files=(odd,))
    [case] = suite.findall("testcase")
    assert case.get("classname") == "docs/parity/a\\n\\x1b[2Jb.md"
    [failure] = case.findall("failure")
    assert failure.get("message") == "PM101 bad\\r\\nline"


def test_what_was_checked_is_in_the_suite_properties_and_skipped_files_are_skipped_cases():
    from parity_lsp.output import Notice

    texts = {A: TEXT}
    report = make_report(
        "/abs/root",
        [A],
        [],
        {p: LineIndex(t) for p, t in texts.items()}.__getitem__,
        rows=7,
        without_table=[C],
        notices=[Notice("root", "no marker: using /abs/root", level="warning")],
    )
    root = ET.fromstring(render(report, "junit").split("\n", 1)[1])
    [suite] = root.findall("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties").findall("property")}
    assert props == {"root": "/abs/root", "matrices": "1", "rows": "7", "files_checked": "1"}
    by = cases(suite)
    assert by[A].find("skipped") is None and by[C].find("skipped") is not None
    assert (suite.get("tests"), suite.get("skipped"), suite.get("failures"), suite.get("errors")) == (
        "2",
        "1",
        "0",
        "0",
    )
    assert suite.find("system-err").text == "no marker: using /abs/root"


def test_a_run_that_checked_nothing_is_an_error_not_an_empty_green_suite():
    from parity_lsp.output import Notice

    why = "nothing checked: no matrix file under docs/ (include globs: docs/parity/**/*.md)"
    report = make_report(
        "/abs/root", [], [], LineIndex, notices=[Notice("nothing-checked", why, level="error")]
    )
    root = ET.fromstring(render(report, "junit").split("\n", 1)[1])
    [suite] = root.findall("testsuite")
    [case] = suite.findall("testcase")
    assert case.find("error").get("message") == why
    assert (suite.get("tests"), suite.get("errors"), root.get("errors")) == ("1", "1", "1")
