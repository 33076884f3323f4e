"""CSV/TSV matrices share the model and keep exact spans, quotes included."""

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- the fast path of a record without a quote (issue 20, item 9) ---------------------------------
#
# A record without a quote is split at the delimiter in one go; the reference below is the
# tokenizer as it was, a search a cell. Both must give the same records and the same cells.


def _reference_records(text: str, delim: str):
    i = 0
    n = len(text)
    stops = (delim, "\n", "\r")
    while i < n:
        rec_start = i
        cells = []
        unterminated = False
        while True:
            if i < n and text[i] == '"':
                start = j = i + 1
                while True:
                    q = text.find('"', j)
                    if q == -1:
                        unterminated, j = True, n
                        break
                    if q + 1 < n and text[q + 1] == '"':
                        j = q + 2
                        continue
                    j = q
                    break
                cells.append((start, j, True))
                i = min(n, j + 1)
                while i < n and text[i] not in stops:
                    i += 1
            else:
                start = i
                while i < n and text[i] not in stops:
                    i += 1
                cells.append((start, i, False))
            if i < n and text[i] == delim:
                i += 1
                continue
            break
        rec_end = i
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
        yield rec_start, rec_end, cells, unterminated
        if unterminated:
            return


def _reference_cells(text: str, delim: str) -> list[tuple[str, int, int]]:
    """(text, start, index) of every cell the parser keeps, from the reference records: blank
    and directive lines skipped, unquoted cells without their outer blanks and tabs."""
    from parity_lsp.parse.directives import parse_directive

    out = []
    for rec_start, rec_end, cells, _ in _reference_records(text, delim):
        line = text[rec_start:rec_end]
        if parse_directive(line) is not None or not line.strip():
            continue
        for index, (start, end, quoted) in enumerate(cells):
            if not quoted:
                while start < end and text[start] in " \t":
                    start += 1
                while end > start and text[end - 1] in " \t":
                    end -= 1
            out.append((text[start:end], start, index))
    return out


_PIECES = ["a", "b c", " ", "\t", ",", "\t", '"', '""', "\n", "\r", "\r\n", "é", "`src/a.rs`", "parity-lsp"]


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from([",", "\t"]))
def test_records_and_cells_are_those_of_the_reference_tokenizer(pieces, delim):
    from parity_lsp.model import MatrixFormat
    from parity_lsp.parse.delimited import _records, parse_delimited

    body = "".join(pieces)
    assert list(_records(body, delim)) == list(_reference_records(body, delim))
    header = delim.join(["Capability", "Status", "Evidence (Code)"]) + "\n"
    text = header + body
    fmt = MatrixFormat.CSV if delim == "," else MatrixFormat.TSV
    m = parse_delimited("docs/parity/m.csv", text, fmt)
    assert len(m.tables) == 1
    table = m.tables[0]
    cells = [
        (c.text, c.start, c.index) for row in [table.header, *(r.cells for r in table.rows)] for c in row
    ]
    assert cells == _reference_cells(text, delim)
    names = [c.column for c in table.header]
    assert all(
        c.column == (names[c.index] if c.index < len(names) else None) for r in table.rows for c in r.cells
    )
