"""Parsers never raise and every span lies inside the document (Hypothesis, bounded)."""

from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp.engine import parse_matrix
from parity_lsp.parse.evidence import parse_evidence

HEADER = (
    "| Capability | Status | Evidence (Code) | Evidence (Tests) | Evidence (CI) |\n|---|---|---|---|---|\n"
)
PIECES = st.sampled_from(
    [
        "|",
        "\\|",
        "`",
        "``",
        "(",
        ")",
        "[",
        "](",
        "<br>",
        ";",
        "\n",
        "\r\n",
        "\r",
        ":",
        "#L",
        "-",
        "::",
        "/",
        ".rs",
        "src/a.rs",
        " ",
        "job",
        "+",
        "🚀",
        "日本",
        "\u202e",
        "\x00",
        "\t",
        ",",
        '"',
        "Missing proof:",
        "EX-1",
        "—",
        "{",
        "}",
        "Type::{A, B}",
        "> ",
        "  ",
        "- ",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join)


def spans_of(matrix):
    for table in matrix.tables:
        yield table.span
        for cell in table.header:
            yield cell.span
        for row in table.rows:
            yield row.span
            for cell in row.cells:
                yield cell.span
            for ev in row.evidence.values():
                for ref in ev.refs:
                    yield ref.span
                    yield ref.full_span
                    for extra in [
                        ref.line_span,
                        ref.job_span,
                        *[s.span for s in ref.symbols],
                        *[s.span for s in ref.texts],
                        *[c.span for c in ref.commands],
                    ]:
                        if extra is not None:
                            yield extra


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=TEXT, ext=st.sampled_from(["md", "csv", "tsv"]))
def test_matrix_parsers_never_raise_and_spans_stay_inside(body, ext):
    text = (HEADER if ext == "md" else "Capability,Status,Evidence (Code)\n") + body
    matrix = parse_matrix(f"docs/parity/m.{ext}", text)
    for span in spans_of(matrix):
        assert 0 <= span.start <= span.end <= len(text)


@settings(max_examples=examples(300), deadline=None)
@given(cell=TEXT)
def test_evidence_parser_never_raises(cell):
    ev = parse_evidence(cell, 7, "docs/parity/m.md", "evidence (ci)")
    for ref in ev.refs:
        assert 7 <= ref.span.start <= ref.span.end <= 7 + len(cell)
        if ref.line_span is not None:
            assert 7 <= ref.line_span.start <= ref.line_span.end <= 7 + len(cell)


@settings(max_examples=examples(300), deadline=None)
@given(cell=TEXT)
def test_symbol_spans_are_the_names_they_stand_for(cell):
    # a symbol's span covers its name, or (a `Type::{A, B}` group member) the name's last part;
    # a text claim's span covers the claim
    ev = parse_evidence(cell, 0, "docs/parity/m.md", "evidence (code)")
    for ref in ev.refs:
        for sym in ref.symbols:
            written = cell[sym.span.start : sym.span.end]
            assert written and (sym.name.endswith(written) or written == "self"), (sym, written)
        for claim in ref.texts:
            assert 0 <= claim.span.start < claim.span.end <= len(cell)
            assert cell[claim.span.start : claim.span.end].replace("\\|", "|") == claim.name
