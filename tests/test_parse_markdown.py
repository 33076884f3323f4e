"""Markdown matrix parser: exact cell spans and every edge case docs/spec/matrix.md#matrix-tables names."""

from parity_lsp.engine import parse_matrix
from parity_lsp.parse.markdown import parse_markdown, split_row

HEADER = "| Capability | Status | Evidence (Code) |\n|---|---|---|\n"


def cells(matrix, row=0, table=0):
    return [c.text for c in matrix.tables[table].rows[row].cells]


def text_at(matrix, span):
    return matrix.text[span.start : span.end]


def test_cells_have_exact_spans():
    m = parse_markdown("m.md", HEADER + "| Tick keys | Implemented | `src/a.rs:10` (`f`) |\n")
    row = m.tables[0].rows[0]
    assert [c.text for c in row.cells] == ["Tick keys", "Implemented", "`src/a.rs:10` (`f`)"]
    for c in row.cells:
        assert text_at(m, c.span) == c.text
    assert row.line == 2
    assert row.cell("status").value == "Implemented"


def test_escaped_pipe_inside_code_span_is_not_a_separator():
    m = parse_markdown("m.md", HEADER + "| a | Planned | `cargo test 2>&1 \\| tee log` |\n")
    assert cells(m) == ["a", "Planned", "`cargo test 2>&1 \\| tee log`"]
    assert m.tables[0].rows[0].cells[2].value == "cargo test 2>&1 | tee log"


def test_missing_outer_pipes():
    m = parse_markdown("m.md", "Capability | Status\n--- | ---\nTicks | Implemented\n")
    assert cells(m) == ["Ticks", "Implemented"]
    assert text_at(m, m.tables[0].rows[0].cells[1].span) == "Implemented"


def test_crlf_bom_and_non_ascii():
    text = "| Capability | Status |\r\n|---|---|\r\n| Zeitplän 🚀 | Implemented |\r\n| 日本語 | Planned |\r\n"
    m = parse_markdown("m.md", text)
    rows = m.tables[0].rows
    assert [r.line for r in rows] == [2, 3]
    assert rows[0].cells[0].text == "Zeitplän 🚀"
    assert text_at(m, rows[1].cells[1].span) == "Planned"
    line, col = m.index.position(rows[1].cells[1].span.start)
    assert (line, col) == (3, 8)


def test_br_stays_inside_cell():
    m = parse_markdown("m.md", HEADER + "| a | Partial | `a.rs`<br>`b.rs` |\n")
    assert cells(m)[2] == "`a.rs`<br>`b.rs`"


def test_groups_come_from_headings_and_non_matrix_tables_are_ignored():
    text = (
        "# Title\n\n## Scheduling\n\n" + HEADER + "| a | Planned | |\n\n"
        "## Other\n\n| Id | Decision |\n|---|---|\n| EX-1 | no |\n\n"
        "## Sensors\n\n" + HEADER + "| b | Planned | |\n"
    )
    m = parse_markdown("m.md", text)
    assert [t.group for t in m.tables] == ["Scheduling", "Sensors"]


def test_header_names_are_normalized():
    m = parse_markdown(
        "m.md", "| **capability** | STATUS | Evidence  (Code) |\n|---|---|---|\n| a | b | c |\n"
    )
    assert set(m.tables[0].columns) == {"capability", "status", "evidence (code)"}


def test_suppression_comments():
    text = (
        "<!-- parity-lsp: disable PM304 -->\n" + HEADER + "| a | Planned | |\n"
        "<!-- parity-lsp: disable-next-line PM301, PM101 -->\n| b | Planned | |\n| c | Planned | |\n"
    )
    m = parse_markdown("m.md", text)
    t = m.tables[0]
    assert t.suppressed == {"PM304"}
    assert [r.capability for r in t.rows] == ["a", "b", "c"]
    assert [set(r.suppressed) for r in t.rows] == [set(), {"PM301", "PM101"}, set()]


def test_governing_documents():
    m = parse_markdown(
        "m.md", "This template is governed by:\n- `docs/charter.md`\n- [c2](docs/c2.md)\n\n" + HEADER
    )
    assert [g.path for g in m.governing_docs] == ["docs/charter.md", "docs/c2.md"]
    assert text_at(m, m.governing_docs[0].span) == "docs/charter.md"


def test_table_in_code_fence_is_not_a_matrix():
    m = parse_markdown("m.md", "```\n" + HEADER + "| a | b | c |\n```\n")
    assert m.tables == []


def test_row_cell_count_preserved_for_short_and_long_rows():
    m = parse_markdown("m.md", HEADER + "| a | b |\n| a | b | c | d |\n")
    assert [len(r.cells) for r in m.tables[0].rows] == [2, 4]


def test_split_row_escapes():
    assert split_row("| a \\| b | c |") == [(1, 9), (10, 13)]
    assert split_row("a | b") == [(0, 2), (3, 5)]


def test_evidence_is_parsed_for_every_row():
    m = parse_matrix("docs/parity/m.md", HEADER + "| a | Implemented | `src/a.rs:10` (`f`) |\n")
    ev = m.tables[0].rows[0].evidence["evidence (code)"]
    assert [r.path for r in ev.refs] == ["src/a.rs"]
    assert text_at(m, ev.refs[0].line_span) == "10"


def test_never_raises_on_garbage():
    for text in [
        "|",
        "||\n|-|",
        "| Capability | Status |\n|---|---|\n|" + "`" * 1000,
        "\x00\x01|\ud800",
        "| Capability | Status |\n" * 3,
    ]:
        parse_matrix("m.md", text)


def test_thousand_columns():
    header = "| Capability | Status | " + " | ".join(f"c{i}" for i in range(1000)) + " |\n"
    delim = "|" + "---|" * 1002 + "\n"
    row = "| a | Planned | " + " | ".join("x" for _ in range(1000)) + " |\n"
    m = parse_matrix("m.md", header + delim + row)
    assert len(m.tables[0].rows[0].cells) == 1002


# --- the table rule's shortcuts answer as markdown-it's own checks ------------------------------

from conftest import examples  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402
from markdown_it.rules_block.table import table as _gfm_table  # noqa: E402


def _reference_table_lines(state, start_line, end_line, silent):
    """The table rule before its shortcuts: every terminator rule asked on every body line."""
    if not _gfm_table(state, start_line, end_line, True):
        return False
    if silent:
        return True
    terminators = state.md.block.ruler.getRules("blockquote")
    line = start_line + 2
    while line < end_line:
        if state.sCount[line] < state.blkIndent or state.is_code_block(line):
            break
        if state.bMarks[line] + state.tShift[line] >= state.eMarks[line]:
            break
        if any(rule(state, line, end_line, True) for rule in terminators):
            break
        line += 1
    token = state.push("table_open", "table", 1)
    token.map = [start_line, line]
    state.push("table_close", "table", -1)
    state.line = line
    return True


_REFERENCE = MarkdownIt("commonmark").enable("table")
_REFERENCE.block.ruler.at("table", _reference_table_lines)
_REFERENCE.core.ruler.disable(["inline", "text_join"])

_LINES = [
    "| a | b |",
    "|---|---|",
    "| x | y |",
    "a | b",
    "--- | ---",
    "",
    "   ",
    "- item | x",
    "* | y",
    "+ z |",
    "1. one | two",
    "2) | x",
    "> quote | x",
    "# head | x",
    "## | x",
    "```",
    "~~~",
    "<div>",
    "<!-- c --> | x",
    "_ _ _",
    "***",
    "    | indented |",
    "  | two spaces |",
    "text",
    "| a \\| b |",
    "\t| tab |",
    "| x |\r",
    "|\x00|",
    "-",
    "--",
    "1.",
    "#",
]


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=30).map("\n".join), st.sampled_from(["\n", "\r\n", "\r"]))
def test_table_ranges_equal_the_rule_without_shortcuts(text, newline):
    from parity_lsp.parse.markdown import _MD

    text = text.replace("\n", newline)

    def ranges(md):
        return [(t.type, t.map, t.level) for t in md.parse(text) if t.map]

    assert ranges(_MD) == ranges(_REFERENCE)


# --- cells of a line without escapes: split in one go, as the escape-aware splitter does ------

from hypothesis import example  # noqa: E402

from parity_lsp.parse.markdown import _row_cells_escaped, row_cells  # noqa: E402


@settings(max_examples=examples(800), deadline=None)
@given(
    st.lists(
        st.sampled_from(["|", " ", "\t", "a", "`x`", "é", "🙂", "\u00a0", "\r", "  ", "**b**"]), max_size=24
    ).map("".join),
    st.integers(min_value=0, max_value=10_000),
)
@example("| a | b |", 7)
@example("|", 0)
@example("||", 0)
@example(" | ", 0)
@example("a | b", 3)
@example("| a | b", 0)
@example("a | b |", 0)
@example("| | |", 0)
@example("\u00a0| x |\u00a0", 0)  # non-breaking spaces: outer, but never trimmed off a cell
@example("|\t tab\t |  \r", 12)
@example("| " + " | ".join(f"cell {i}" for i in range(40)) + " |", 100)  # a long row
def test_row_cells_equal_the_escape_aware_splitter(line, offset):
    columns = ["capability", "status", "owner"]  # fewer than some lines' cells: surplus cells get None
    fast = [(c.text, c.start, c.index, c.column) for c in row_cells(line, offset, columns)]
    reference = [(c.text, c.start, c.index, c.column) for c in _row_cells_escaped(line, offset, columns)]
    assert fast == reference
    assert [c.column for c in row_cells(line, offset, columns)][:3] == columns[: len(fast)]
    for text, start, _, _ in fast:  # each cell is the document's text where it says it is
        assert line[start - offset : start - offset + len(text)] == text


# --- the parser's lines are LineIndex's lines ----------------------------------------------------

from parity_lsp.parse.markdown import _lines  # noqa: E402
from parity_lsp.text import LineIndex  # noqa: E402


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(
        st.sampled_from(["\n", "\r", "\r\n", "\u2028", "\x0b", "\x0c", "\x85", "|", "a", " ", "é", ""]),
        max_size=30,
    ).map("".join)
)
@example("")
@example("a\n")
@example("a\r\nb\rc\n\n")
@example("| a |\u2028| b |\n")  # a Unicode line separator is not a line break here
def test_the_parser_splits_lines_as_the_line_index_does(text):
    index = LineIndex(text)
    assert _lines(text, index) == [index.line_text(i) for i in range(index.line_count)]
