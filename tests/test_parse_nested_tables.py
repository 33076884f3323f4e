"""Issue 16, item 5: tables inside blockquotes and list items are matrices (GitHub renders them).

They are parsed with exact spans (each cell's column accounts for the `> ` markers and the
item's indentation), so rules report there, fixes edit inside the cell (never the `>`),
formatting keeps the prefixes, directives work, and completion knows the column.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rulekit import COLUMNS, MATRIX, check, fix, only, sources, span_of, workspace

from parity_lsp.analysis import Analysis
from parity_lsp.engine import parse_matrix
from parity_lsp.features.actions import REFACTOR, code_actions
from parity_lsp.features.completion import complete
from parity_lsp.features.format import format_text
from parity_lsp.text import Span
from parity_lsp.workspace.index import Workspace

HEADER = "| " + " | ".join(COLUMNS.values()) + " |"
DELIM = "|" + "---|" * len(COLUMNS)
GOOD = "| Ticks | F | Partial | unit | `src/ledger.rs:7` (`record`) | | | @team | |"
BROKEN = "| Broken | F | Implemeted | unit | `src/nope.rs` | | | @team | |"


def quoted(*lines: str, prefix: str = "> ") -> str:
    return "\n".join(prefix + line for line in lines)


def in_list(*lines: str) -> str:
    """A list item whose text is a table: the marker on its own line, the table indented."""
    return "- Production hardening:\n\n" + "\n".join("  " + line for line in lines)


CONTAINERS = {
    "blockquote": quoted(HEADER, DELIM, GOOD, BROKEN),
    "blockquote-no-space": quoted(HEADER, DELIM, GOOD, BROKEN, prefix=">"),
    "nested-blockquote": quoted(HEADER, DELIM, GOOD, BROKEN, prefix="> > "),
    "list-item": in_list(HEADER, DELIM, GOOD, BROKEN),
    "list-marker-on-the-header": "- " + HEADER + "\n" + "\n".join("  " + x for x in (DELIM, GOOD, BROKEN)),
    "blockquote-in-a-list-item": in_list(*(f"> {x}" for x in (HEADER, DELIM, GOOD, BROKEN))),
}


def _doc(body: str) -> str:
    return f"# Parity matrix\n\n## Hardening\n\n{body}\n"


@pytest.mark.parametrize("kind", CONTAINERS)
def test_a_table_in_a_container_is_parsed_with_exact_cells(kind):
    text = _doc(CONTAINERS[kind])
    m = parse_matrix(MATRIX, text)
    (table,) = m.tables
    assert table.group == "Hardening"
    assert [c.text for c in table.header] == list(COLUMNS.values())
    assert [r.capability for r in table.rows] == ["Ticks", "Broken"]
    for row in table.rows:
        assert len(row.cells) == len(COLUMNS)
        for cell in row.cells:
            assert text[cell.span.start : cell.span.end] == cell.text
        first = row.cells[0].span.start
        line_start = text.rfind("\n", 0, first) + 1
        assert set(text[line_start:first]) <= set("> -|")  # only the markers and the pipe before
    status = table.rows[1].cells[2]
    assert status.text == "Implemeted"


@pytest.mark.parametrize("kind", CONTAINERS)
def test_a_broken_row_in_a_container_is_reported_where_it_is(tmp_path, kind):
    root = workspace(tmp_path, {**sources(), MATRIX: _doc(CONTAINERS[kind])}, dedent=False)
    diags = check(root)
    line = next(i for i, x in enumerate(_doc(CONTAINERS[kind]).split("\n"), start=1) if "Broken" in x)
    assert sorted((d["code"], d["line"]) for d in diags if d["line"] == line) == [
        ("PM101", line),
        ("PM301", line),
    ]
    (pm301,) = only(diags, "PM301")
    assert {k: pm301[k] for k in ("line", "column", "end_line", "end_column")} == span_of(
        root, MATRIX, "src/nope.rs", line=line
    )


@pytest.mark.parametrize("kind", CONTAINERS)
def test_fix_edits_the_cell_and_keeps_the_markers(tmp_path, kind):
    body = CONTAINERS[kind]
    root = workspace(tmp_path, {**sources(), MATRIX: _doc(body)}, dedent=False)
    assert fix(root, "PM101")[0] == 0
    assert (root / MATRIX).read_text() == _doc(body.replace("Implemeted", "Implemented"))


@pytest.mark.parametrize("kind", CONTAINERS)
def test_formatting_aligns_and_keeps_each_lines_prefix(kind):
    text = _doc(CONTAINERS[kind])
    m = parse_matrix(MATRIX, text)
    out = format_text(m)
    assert out != text
    assert format_text(parse_matrix(MATRIX, out)) == out  # idempotent
    before, after = text.split("\n"), out.split("\n")
    assert len(before) == len(after)
    table = m.tables[0]
    for ln in range(table.header_line, table.rows[-1].line + 1):
        col = table.prefixes[ln]
        assert after[ln][:col] == before[ln][:col]  # `> `, `- `, indentation: as they were
    # the same cells, byte for byte
    again = parse_matrix(MATRIX, out).tables[0]
    assert [[c.text for c in r.cells] for r in again.rows] == [[c.text for c in r.cells] for r in table.rows]
    # every separator pipe of the table lines up
    rows = [after[ln][table.prefixes[ln] :] for ln in range(table.header_line, table.rows[-1].line + 1)]
    assert len({len(r) for r in rows}) == 1


def test_directives_work_inside_a_blockquote(tmp_path):
    body = quoted(HEADER, DELIM, GOOD, "<!-- parity-lsp: disable-next-line PM301 -->", BROKEN)
    root = workspace(tmp_path, {**sources(), MATRIX: _doc(body)}, dedent=False)
    assert [d["code"] for d in check(root)] == ["PM101"]
    table = parse_matrix(MATRIX, _doc(body)).tables[0]
    assert [r.capability for r in table.rows] == ["Ticks", "Broken"]


def test_completion_knows_the_column_in_a_blockquote(tmp_path):
    (tmp_path / ".parity-lsp.toml").write_text("")
    text = _doc(quoted(HEADER, DELIM, "| Ticks | F | Impl"))
    text = text.rstrip("\n")
    items = complete(Workspace(tmp_path), MATRIX, text, len(text))
    assert [c.label for c in items][:2] == ["Implemented", "Partial"]
    assert text[items[0].replace_span.start : items[0].replace_span.end] == "Impl"


def test_insert_row_in_a_blockquote_keeps_the_marker(tmp_path):
    root = workspace(
        tmp_path,
        {**sources(), ".parity-lsp.toml": "", MATRIX: _doc(quoted(HEADER, DELIM, GOOD))},
        dedent=False,
    )
    analysis = Analysis(root)
    analysis.check_all()
    m = analysis.check(MATRIX).matrix
    at = m.text.index("Ticks")
    (insert,) = [
        a
        for a in code_actions(m, analysis.findings(MATRIX), Span(at, at), only=[REFACTOR])
        if a.title == "Insert row from template"
    ]
    (edit,) = insert.edits
    assert edit.content == "\n> | New capability | | Planned | unit | | | | TBD | |"


# --- property: spans stay exact whatever the container -------------------------------------

CELL = st.text(alphabet=st.sampled_from(list("ab `|\\>-*🚀日")), max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(["> ", ">", "> > ", ">  ", "  ", "   > "]),
    cells=st.lists(st.lists(CELL, min_size=1, max_size=4), max_size=4),
)
def test_cells_of_tables_in_containers_are_their_text(prefix, cells):
    lines = ["| Capability | Status | Evidence (Code) |", "|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    text = "\n".join(prefix + line for line in lines) + "\n"
    m = parse_matrix(MATRIX, text)
    for table in m.tables:
        for row in table.rows:
            assert 0 <= row.span.start <= row.span.end <= len(text)
            for cell in row.cells:
                assert text[cell.span.start : cell.span.end] == cell.text


def test_an_edit_in_a_blockquote_row_gives_what_a_full_check_gives(tmp_path):
    # the editor re-checks an edited row in place; a row in a blockquote is re-parsed with its table
    text = _doc(quoted(HEADER, DELIM, GOOD, BROKEN))
    root = workspace(tmp_path, {**sources(), ".parity-lsp.toml": "", MATRIX: text}, dedent=False)
    analysis = Analysis(root)
    analysis.open_document(MATRIX, text, 0)
    analysis.check(MATRIX)
    edited = text.replace("`src/nope.rs`", "`src/ledger.rs`")
    analysis.open_document(MATRIX, edited, 1)
    analysis.check(MATRIX)
    got = sorted((f.code, f.span.start, f.message) for f in analysis.findings(MATRIX))
    (root / MATRIX).write_text(edited)
    fresh = Analysis(root)
    assert got == sorted((f.code, f.span.start, f.message) for f in fresh.findings(MATRIX))
    assert [f.code for f in analysis.findings(MATRIX)] == ["PM101"]
