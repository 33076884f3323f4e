"""CSV/TSV matrices share the model and keep exact spans, quotes included."""

from parity_lsp.engine import parse_matrix


def test_csv_with_quotes_and_spans():
    text = 'Capability,Status,Evidence (Code)\n"Ticks, keys",Implemented,"`src/a.rs:3` (`f`)"\n'
    m = parse_matrix("docs/parity/m.csv", text)
    row = m.tables[0].rows[0]
    assert row.capability == "Ticks, keys"
    ref = row.evidence["evidence (code)"].refs[0]
    assert text[ref.span.start : ref.span.end] == "src/a.rs"
    assert text[ref.line_span.start : ref.line_span.end] == "3"


def test_tsv_and_crlf():
    text = "Capability\tStatus\r\nA\tPlanned\r\nB\tImplemented\r\n"
    m = parse_matrix("m.tsv", text)
    assert [r.status for r in m.tables[0].rows] == ["Planned", "Implemented"]
    assert [r.line for r in m.tables[0].rows] == [1, 2]


def test_multiline_quoted_field():
    text = 'Capability,Status,Notes\nA,Planned,"line1\nline2"\nB,Partial,x\n'
    m = parse_matrix("m.csv", text)
    assert [r.capability for r in m.tables[0].rows] == ["A", "B"]
    assert m.tables[0].rows[1].line == 3


def test_not_a_matrix_header_is_a_problem_not_an_exception():
    m = parse_matrix("m.csv", "a,b\n1,2\n")
    assert m.tables == [] and m.problems


def test_unterminated_quote():
    m = parse_matrix("m.csv", 'Capability,Status\n"open,Planned\n')
    assert any("unterminated" in p.message for p in m.problems)
