"""`--format github`: workflow commands and their escaping."""

from __future__ import annotations

from parity_lsp.findings import Finding, Severity
from parity_lsp.output import make_report, render
from parity_lsp.output.github import escape_data, escape_property
from parity_lsp.text import LineIndex, Span

PATH = "docs/parity/m.md"
TEXT = "abcdefghij\nklmnopqrst\n"


def render_github(findings, texts=None):
    texts = texts or {PATH: TEXT}
    indexes = {p: LineIndex(t) for p, t in texts.items()}
    return render(make_report("/abs/root", sorted(texts), findings, indexes.__getitem__), "github")


def test_one_command_per_diagnostic_with_severity_mapping():
    fs = [
        Finding("PM101", Severity.ERROR, PATH, Span(2, 5), "unknown status"),
        Finding("PM304", Severity.WARNING, PATH, Span(11, 13), "line drift"),
        Finding("PM103", Severity.INFO, PATH, Span(14, 15), "owner"),
        Finding("PM900", Severity.HINT, PATH, Span(15, 16), "hint"),
    ]
    assert render_github(fs).splitlines() == [
        f"::error file={PATH},line=1,col=3,endLine=1,endColumn=6,title=PM101::unknown status",
        f"::warning file={PATH},line=2,col=1,endLine=2,endColumn=3,title=PM304::line drift",
        f"::notice file={PATH},line=2,col=4,endLine=2,endColumn=5,title=PM103::owner",
        f"::notice file={PATH},line=2,col=5,endLine=2,endColumn=6,title=PM900::hint",
    ]


def test_multi_line_ranges_carry_lines_only():
    [line] = render_github([Finding("PM002", Severity.ERROR, PATH, Span(2, 14), "m")]).splitlines()
    assert line == f"::error file={PATH},line=1,endLine=2,title=PM002::m"


def test_escaping_of_data_and_properties():
    # line breaks and other control characters are written out (issue 16 item 7): a message
    # stays one line, and no ANSI sequence reaches the Actions log (which renders them)
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done\\r\\nnext: a,b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d\\ne"
    assert escape_data("\x1b[31mred\x1b]0;title\x07") == "\\x1b[31mred\\x1b]0;title\\x07"
    # `%` is escaped first, so an already-escaped-looking sequence survives a round trip.
    assert escape_data("%0A") == "%250A"


def test_message_and_path_cannot_break_the_command():
    odd = "docs/parity/a,b:c.md"
    msg = "status `Done::x` is 50% wrong\n::error::injected"
    out = render_github([Finding("PM101", Severity.ERROR, odd, Span(0, 1), msg)], {odd: "x"})
    assert "\n" not in out
    assert out == (
        "::error file=docs/parity/a%2Cb%3Ac.md,line=1,col=1,endLine=1,endColumn=2,title=PM101"
        "::status `Done::x` is 50%25 wrong\\n::error::injected"
    )


def test_no_diagnostics_no_output():
    assert render_github([]) == ""


def test_notices_follow_as_file_less_commands():
    from parity_lsp.output import Notice

    report = make_report(
        "/abs/root",
        [],
        [],
        LineIndex,
        notices=[
            Notice("root", "no marker: using /x\x1b[2J", level="warning"),
            Notice("nothing-checked", "nothing checked: 100% empty", level="error"),
        ],
    )
    assert render(report, "github").splitlines() == [
        "::warning title=parity-lsp::no marker: using /x\\x1b[2J",
        "::error title=parity-lsp::nothing checked: 100%25 empty",
    ]
