"""Text output, `locate` and `render` dispatch."""

from __future__ import annotations

import re

import pytest

from parity_lsp.findings import Edit, Finding, Fix, Severity
from parity_lsp.output import Report, locate, make_report, render
from parity_lsp.text import LineIndex, Span

ANSI = re.compile(r"\x1b\[[0-9;]*m")

MATRIX = "| Capability | Status |\n|---|---|\n| Tick 😀 key | Implementd |\n"
PATH = "docs/parity/m.md"


def span_of(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start, start + len(needle))


def report_for(findings, texts, files=None, rules=None) -> Report:
    indexes = {p: LineIndex(t) for p, t in texts.items()}
    return make_report(
        "/abs/root", files if files is not None else sorted(texts), findings, indexes.__getitem__, rules
    )


def status_finding(severity=Severity.ERROR, fix=True) -> Finding:
    s = span_of(MATRIX, "Implementd")
    return Finding(
        code="PM101",
        severity=severity,
        path=PATH,
        span=s,
        message="unknown status `Implementd` (expected Implemented)",
        fix=Fix("Replace with `Implemented`", (Edit(PATH, s, "Implemented"),)) if fix else None,
    )


def test_locate_resolves_one_based_code_point_columns_end_exclusive():
    [d] = locate([status_finding()], lambda p: LineIndex(MATRIX))
    # "| Tick 😀 key | " is 15 code points (the emoji counts once), so the value starts at 16.
    assert (d.line, d.column, d.end_line, d.end_column) == (3, 16, 3, 26)
    [(edit, *pos)] = d.fix_edits
    assert edit.content == "Implemented"
    assert pos == [3, 16, 3, 26]


def test_locate_handles_crlf_and_multi_line_spans():
    text = "a\r\nbc\r\nd"
    f = Finding("PM002", Severity.ERROR, PATH, Span(4, 8), "m")  # "c\r\nd"
    [d] = locate([f], lambda p: LineIndex(text))
    assert (d.line, d.column, d.end_line, d.end_column) == (2, 2, 3, 2)


def test_locate_sorts_by_path_line_column_code():
    text = "x" * 10 + "\n" + "y" * 10
    fs = [
        Finding("PM302", Severity.ERROR, "b.md", Span(0, 1), "m"),
        Finding("PM302", Severity.ERROR, "a.md", Span(12, 13), "m"),
        Finding("PM101", Severity.ERROR, "a.md", Span(12, 13), "m"),
        Finding("PM004", Severity.WARNING, "a.md", Span(3, 4), "m"),
        Finding("PM001", Severity.ERROR, "a.md", Span(11, 12), "m"),
    ]
    got = [(d.path, d.line, d.column, d.code) for d in locate(fs, lambda p: LineIndex(text))]
    assert got == [
        ("a.md", 1, 4, "PM004"),
        ("a.md", 2, 1, "PM001"),
        ("a.md", 2, 2, "PM101"),
        ("a.md", 2, 2, "PM302"),
        ("b.md", 1, 1, "PM302"),
    ]


def test_locate_uses_the_edit_files_own_index_and_tolerates_unknown_files():
    texts = {"a.md": "0123456789", "b.md": "x\ny\nz"}

    def index_for(path):
        return LineIndex(texts[path])  # KeyError for anything else

    f = Finding(
        "PM003", Severity.WARNING, "gone.md", Span(5, 9), "m", fix=Fix("f", (Edit("b.md", Span(4, 5), "Z"),))
    )
    [d] = locate([f], index_for)
    assert (d.line, d.column, d.end_line, d.end_column) == (1, 1, 1, 1)
    assert d.fix_edits[0][1:] == (3, 1, 3, 2)


def test_text_lines_fix_and_summary_without_color():
    report = report_for([status_finding()], {PATH: MATRIX})
    report.source_lines = {}  # no context
    out = render(report, "text")
    assert out.splitlines() == [
        f"{PATH}:3:16: PM101 unknown status `Implementd` (expected Implemented)",
        "  fix: Replace with `Implemented`",
        "1 matrix, 0 rows: 1 error",
    ]
    assert "\x1b" not in out


def test_text_summary_counts_every_severity():
    text = "abcdefghij"
    fs = [
        Finding("PM001", Severity.ERROR, PATH, Span(0, 1), "e1"),
        Finding("PM002", Severity.ERROR, PATH, Span(1, 2), "e2"),
        Finding("PM004", Severity.WARNING, PATH, Span(2, 3), "w"),
        Finding("PM103", Severity.INFO, PATH, Span(3, 4), "i"),
    ]
    out = render(report_for(fs, {PATH: text}), "text")
    assert out.splitlines()[-1] == "1 matrix, 0 rows: 2 errors, 1 warning, 1 info"
    fs.append(Finding("PM999", Severity.HINT, PATH, Span(4, 5), "h"))
    out = render(report_for(fs, {PATH: text}), "text")
    assert out.splitlines()[-1] == "1 matrix, 0 rows: 2 errors, 1 warning, 1 info, 1 hint"


def test_text_all_checks_passed():
    assert render(report_for([], {PATH: MATRIX}), "text") == "1 matrix, 0 rows: all checks passed"


def test_text_summary_says_what_was_checked():
    # docs/spec/cli.md#never-silent: matrices, rows, the findings, the included files without a table
    text = "abcdefghij"
    fs = [
        Finding("PM001", Severity.ERROR, PATH, Span(0, 1), "e"),
        Finding("PM004", Severity.WARNING, PATH, Span(1, 2), "w"),
    ]
    indexes = {PATH: LineIndex(text)}
    report = make_report(
        "/abs/root",
        [PATH, "docs/parity/b.md", "docs/parity/c.md"],
        fs,
        indexes.__getitem__,
        rows=148,
        without_table=[
            "docs/parity/charter.md",
            "docs/parity/plan.md",
            "docs/parity/x.md",
            "docs/parity/y.md",
        ],
    )
    assert render(report, "text").splitlines()[-1] == (
        "3 matrices, 148 rows: 1 error, 1 warning (4 included files had no matrix table)"
    )
    one = make_report(
        "/abs/root", [PATH], [], indexes.__getitem__, rows=1, without_table=["docs/parity/c.md"]
    )
    assert render(one, "text") == "1 matrix, 1 row: all checks passed (1 included file had no matrix table)"
    nothing = make_report("/abs/root", [], [], indexes.__getitem__, without_table=["docs/parity/c.md"])
    assert render(nothing, "text") == "0 matrices: nothing checked (1 included file had no matrix table)"
    assert nothing.nothing_checked and not one.nothing_checked


def test_control_characters_never_reach_the_terminal():
    # issue 16 item 7: escape sequences and line breaks from cells, cited paths and file names
    # could retitle or clear the terminal and break one-line-per-finding
    path = "docs/parity/\x1b]0;pwned\x07m.md"
    line = "| Tick \x1b[2J key | Implementd |"
    s = span_of(line, "Implementd")
    msg = "unknown status `Implementd\r\n::fake` \u202egnp.exe"
    fix = Fix("Replace with `\x9b31m`", (Edit(path, s, "x"),))
    out = render(report_for([Finding("PM101", Severity.ERROR, path, s, msg, fix=fix)], {path: line}), "text")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", out), out
    lines = out.splitlines()
    assert lines[0] == (
        "docs/parity/\\x1b]0;pwned\\x07m.md:1:19: PM101 unknown status `Implementd\\r\\n::fake` \\u202egnp.exe"
    )
    # the source line keeps its columns: one visible character for each control character
    assert lines[1] == "  1 | | Tick \u241b[2J key | Implementd |"
    assert lines[2].index("^") == lines[1].index("Implementd")
    assert lines[3] == "  fix: Replace with `\\x9b31m`"


def test_text_context_underlines_the_span_with_wide_characters():
    out = render(report_for([status_finding(fix=False)], {PATH: MATRIX}), "text")
    lines = out.splitlines()
    assert lines[1] == "  3 | | Tick 😀 key | Implementd |"
    # The emoji takes two terminal columns, so the carets sit one column further right.
    caret_line = lines[2]
    assert caret_line.rstrip().endswith("^" * len("Implementd"))
    assert caret_line.index("^") == lines[1].index("Implementd") + 1


def test_text_context_windows_long_lines():
    line = "| " + "a" * 300 + " | Implementd |"
    s = span_of(line, "Implementd")
    f = Finding("PM101", Severity.ERROR, PATH, s, "unknown status")
    lines = render(report_for([f], {PATH: line}), "text").splitlines()
    assert len(lines[1]) < 140 and lines[1].split("| ", 1)[1].startswith("…")
    assert lines[2].index("^") == lines[1].index("Implementd")


def test_text_colors_by_severity():
    text = "abcd"
    fs = [
        Finding("PM001", Severity.ERROR, PATH, Span(0, 1), "e"),
        Finding("PM004", Severity.WARNING, PATH, Span(1, 2), "w"),
        Finding("PM103", Severity.INFO, PATH, Span(2, 3), "i"),
        Finding("PM900", Severity.HINT, PATH, Span(3, 4), "h"),
    ]
    report = report_for(fs, {PATH: text})
    report.source_lines = {}
    out = render(report, "text", color=True)
    lines = out.splitlines()
    assert lines[0].startswith(f"\x1b[1m{PATH}:1:1:\x1b[0m ")
    assert "\x1b[31m" in lines[0] and "PM001" in lines[0]
    assert "\x1b[33m" in lines[1]
    assert "\x1b[34m" in lines[2]
    assert "\x1b[36m" in lines[3]
    plain = ANSI.sub("", out)
    assert plain == render(report, "text")


def test_render_rejects_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render(report_for([], {}), "xml")


# --- the context line's shortcut for ASCII lines measures like the character-by-character way --

from conftest import examples  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _reference_context(d, lines, color):
    """The context line as first written: every character measured (kept as the oracle)."""
    from parity_lsp.output.escape import picture_controls
    from parity_lsp.output.text import CONTEXT_WIDTH, TAB_WIDTH, _lines, _width

    if not 1 <= d.line <= len(lines):
        return []
    text = lines[d.line - 1].rstrip("\r\n")
    start = min(d.column - 1, len(text))
    end = d.end_column - 1 if d.end_line == d.line else len(text)
    end = max(start, min(end, len(text)))
    lo, hi = 0, len(text)
    widths = [_width(ch) for ch in text]
    if sum(widths) > CONTEXT_WIDTH:
        lo = start
        budget = CONTEXT_WIDTH // 3
        while lo > 0 and budget - widths[lo - 1] >= 0:
            budget -= widths[lo - 1]
            lo -= 1
        used = sum(widths[lo:start])
        hi = start
        while hi < len(text) and used + widths[hi] <= CONTEXT_WIDTH:
            used += widths[hi]
            hi += 1
    shown = picture_controls("".join(" " * TAB_WIDTH if ch == "\t" else ch for ch in text[lo:hi]))
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    return _lines(
        d,
        shown,
        prefix,
        suffix,
        len(prefix) + sum(widths[lo:start]),
        max(1, sum(widths[start : min(end, hi)])),
        color,
    )


@settings(max_examples=examples(500), deadline=None)
@given(
    st.integers(0, 260).flatmap(  # lines of any length up to 260 (Hypothesis favours short ones)
        lambda n: (
            st.text(st.sampled_from("ab|` \x0b\r"), min_size=n, max_size=n)  # ASCII: the arithmetic
            | st.text(
                st.sampled_from("ab|` \t\x0b\r") | st.sampled_from(["é", "世", "\u0301", "😀"]),
                min_size=n,
                max_size=n,
            )
        )
    ),
    st.integers(0, 270),
    st.integers(0, 300),
    st.booleans(),
    st.booleans(),
)
@example("a" * 300, 150, 5, True, False)  # a long ASCII row, windowed on both sides
@example("a" * 300, 10, 5, True, False)
def test_text_context_is_the_measured_one(line, col, length, same_line, color):
    from types import SimpleNamespace

    from parity_lsp.output.text import _context

    d = SimpleNamespace(
        line=1,
        column=col + 1,
        end_line=1 if same_line else 2,
        end_column=col + 1 + length,
        severity=Severity.ERROR,
    )
    assert _context(d, [line], color) == _reference_context(d, [line], color)
