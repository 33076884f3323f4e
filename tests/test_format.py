"""Table formatting: alignment by display width, idempotence, cells kept byte for byte."""

import re

from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity_lsp.engine import parse_matrix
from parity_lsp.features.format import display_width, format_edits, format_text
from parity_lsp.text import Span


def fmt(text: str, path: str = "docs/parity/m.md", span: Span | None = None) -> str:
    return format_text(parse_matrix(path, text), span)


def cells(text: str, path: str = "docs/parity/m.md"):
    m = parse_matrix(path, text)
    return [([c.text for c in t.header], [[c.text for c in r.cells] for r in t.rows]) for t in m.tables]


def widths(line: str) -> list[int]:
    """Display column of every separator pipe (escaped pipes are not separators)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == "|":
            out.append(display_width(line[:i]))
        i += 1
    return out


def test_aligns_columns_and_widens_the_delimiter_row():
    src = (
        "## Scheduling\n\n"
        "| Capability | Status | Owner |\n"
        "|---|---|---|\n"
        "| Cron ticks | Implemented | @sched |\n"
        "| Backfill | Planned | @b |\n"
    )
    assert fmt(src) == (
        "## Scheduling\n\n"
        "| Capability | Status      | Owner  |\n"
        "| ---------- | ----------- | ------ |\n"
        "| Cron ticks | Implemented | @sched |\n"
        "| Backfill   | Planned     | @b     |\n"
    )


def test_idempotent_and_no_edits_for_a_formatted_table():
    src = "| Capability | Status |\n|:--|--:|\n| A | Implemented |\n"
    once = fmt(src)
    assert fmt(once) == once
    assert format_edits(parse_matrix("m.md", once)) == []


def test_alignment_colons_kept_and_cells_padded_by_alignment():
    src = "| Capability | Status | Level | Notes |\n|:---|:---:|---:|---|\n| A | Partial | unit | x |\n"
    out = fmt(src).splitlines()
    assert out[1] == "| :--------- | :-----: | ----: | ----- |"
    assert out[2] == "| A          | Partial |  unit | x     |"
    assert out[0] == "| Capability | Status  | Level | Notes |"


def test_center_alignment_splits_the_padding():
    src = "| Capability | Status |\n|---|:-:|\n| A | Implemented |\n| B | Partial |\n"
    out = fmt(src).splitlines()
    assert out[0] == "| Capability |   Status    |"
    assert out[1] == "| ---------- | :---------: |"
    assert out[3] == "| B          |   Partial   |"


def test_cjk_and_emoji_count_two_columns():
    assert display_width("日本語") == 6
    assert display_width("Ticks 🚀") == 8
    assert display_width("✅") == 2
    assert display_width("⚠️") == 2  # VS16 emoji presentation
    assert display_width("e\u0301") == 1  # combining accent
    assert display_width("👩\u200d💻") == 2  # ZWJ sequence: one glyph
    src = (
        "| Capability | Status | Notes |\n|---|---|---|\n"
        "| 日本語の行 | Implemented | ✅ shipped |\n"
        "| Ticks 🚀 | Partial | ok |\n"
        "| Plain | Planned | ⚠️ |\n"
    )
    out = fmt(src).splitlines()
    assert out[2] == "| 日本語の行 | Implemented | ✅ shipped |"
    assert out[3] == "| Ticks 🚀   | Partial     | ok         |"
    assert out[4] == "| Plain      | Planned     | ⚠️         |"
    # every line's pipes sit at the same display columns
    assert len({tuple(widths(line)) for line in out}) == 1


def test_escaped_pipes_inside_code_spans_are_content():
    src = "| Capability | Status | Evidence (CI) |\n|---|---|---|\n| A | Implemented | `a \\| b` then `x\\|y` |\n| Longer name | Partial | - |\n"
    out = fmt(src)
    assert "| `a \\| b` then `x\\|y` |" in out
    lines = out.splitlines()
    assert len({tuple(widths(line)) for line in lines}) == 1
    assert cells(out) == cells(src)


def test_missing_outer_pipes_stay_missing():
    src = "Capability | Status\n---|---\nA | Implemented\nLonger name | Partial\n"
    assert fmt(src) == (
        "Capability  | Status\n----------- | -----------\nA           | Implemented\nLonger name | Partial\n"
    )
    assert cells(fmt(src)) == cells(src)


def test_mixed_outer_pipes_are_completed():
    src = "| Capability | Status |\n|---|---|\nA | Implemented\n| B | Partial |\n"
    out = fmt(src)
    assert out.splitlines()[2] == "| A          | Implemented |"
    assert cells(out) == cells(src)


def test_crlf_line_endings_are_kept():
    src = "| Capability | Status |\r\n|---|---|\r\n| A | Implemented |\r\n"
    out = fmt(src)
    assert (
        out
        == "| Capability | Status      |\r\n| ---------- | ----------- |\r\n| A          | Implemented |\r\n"
    )
    edits = format_edits(parse_matrix("m.md", src))
    assert all("\r" not in e.content and "\n" not in e.content for e in edits)


def test_a_broken_row_is_left_alone_and_the_rest_aligned():
    src = "| Capability | Status | Owner |\n|---|---|---|\n| A | Implemented | @a |\n|  B  | only two |\n| Ccc | Partial | @c |\n"
    out = fmt(src).splitlines()
    assert out[3] == "|  B  | only two |"
    assert out[2] == "| A          | Implemented | @a    |"
    assert out[4] == "| Ccc        | Partial     | @c    |"


def test_one_edit_per_changed_line_only():
    src = "| Capability | Status      |\n| ---------- | ----------- |\n| A          | Implemented |\n| B | Partial |\n"
    (edit,) = format_edits(parse_matrix("m.md", src))
    index = parse_matrix("m.md", src).index
    assert index.line_of(edit.span.start) == 3
    assert edit.content == "| B          | Partial     |"


def test_range_formatting_touches_only_intersecting_tables():
    t1 = "## One\n\n| Capability | Status |\n|---|---|\n| A | Implemented |\n"
    t2 = "\n## Two\n\n| Capability | Status |\n|---|---|\n| B | Partial |\n"
    src = t1 + t2
    m = parse_matrix("m.md", src)
    second = m.tables[1]
    edits = format_edits(m, Span(second.rows[0].span.start, second.rows[0].span.start))
    assert {m.index.line_of(e.span.start) for e in edits} == {
        second.header_line,
        second.delimiter_line,
        second.rows[0].line,
    }
    assert format_edits(m, Span(0, 1)) == []  # the heading: no table
    first = m.tables[0].span.start
    out = fmt(src, span=Span(first, first + 1))
    assert out.endswith(t2) and out.startswith("## One\n\n| Capability | Status      |")


def test_non_matrix_tables_directives_and_csv_are_untouched():
    src = (
        "| Name | Value |\n|---|---|\n| x | y |\n\n"
        "| Capability | Status |\n|---|---|\n<!-- parity-lsp: disable-next-line PM301 -->\n| A | Implemented |\n"
    )
    out = fmt(src)
    assert out.startswith("| Name | Value |\n|---|---|\n| x | y |\n")
    assert "<!-- parity-lsp: disable-next-line PM301 -->\n| A          | Implemented |\n" in out
    csv = "Capability,Status\nA,Implemented\n"
    assert format_edits(parse_matrix("docs/parity/m.csv", csv)) == []


def test_indented_table_and_empty_cells():
    src = "  | Capability | Status | Notes |\n  |---|---|---|\n  | A | Planned | |\n"
    out = fmt(src).splitlines()
    assert out[2] == "  | A          | Planned |       |"
    assert cells(fmt(src)) == cells(src)


# --- property: idempotent, and the same cells before and after -------------------------------

CELL_CHARS = st.sampled_from(list("abc XYZ09-_.:/`*<>#|\\") + ["\\|", "日", "🚀", "é", "⚠️", "\t", "  "])
CELL = st.lists(CELL_CHARS, max_size=8).map("".join)


@st.composite
def tables(draw):
    ncols = draw(st.integers(2, 4))
    header = ["Capability", "Status"] + [f"C{i}" for i in range(ncols - 2)]
    lead = draw(st.booleans())
    trail = draw(st.booleans())
    eol = draw(st.sampled_from(["\n", "\r\n"]))

    def line(cells):
        text = " | ".join(cells)
        if lead or not cells[0].strip():
            text = "| " + text
        if trail or not cells[-1].strip():
            text = text + " |"
        return text

    delim = [draw(st.sampled_from(["---", ":--", "--:", ":-:", "-"])) for _ in range(ncols)]
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        n = draw(st.sampled_from([ncols, ncols, ncols, ncols - 1, ncols + 1]))
        row = [draw(CELL) for _ in range(n)]
        row[0] = "r" + row[0]  # a first cell that starts a table row, not another block
        rows.append(line(row))
    pre = draw(st.sampled_from(["", "## Group\n\n", "# T\n\nText.\n\n"]))
    post = draw(st.sampled_from(["", "\nAfter.\n"]))
    body = eol.join([line(header), line(delim), *rows]) + eol
    return pre.replace("\n", eol) + body + post.replace("\n", eol)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_property_idempotent_and_cells_preserved(src):
    once = fmt(src)
    assert fmt(once) == once
    assert cells(once) == cells(src)
    # only whitespace, outer pipes and delimiter dashes changed; line breaks kept
    assert re.sub(r"[ \t|-]", "", once) == re.sub(r"[ \t|-]", "", src)


def test_a_table_markdown_would_read_otherwise_once_aligned_is_left_as_it_is():
    """Found by fuzzing a mutated matrix: a header that is a list item's text (`- ` then
    cells) under rows with outer pipes. Aligning it adds a leading pipe, which makes the list
    marker cell text and changes the table: the formatter leaves such a table alone and still
    aligns the others."""
    text = (
        "Governed by:\n- `docs/x Capability | Status | Evidence (Tests) | Evidence (CI) |\n"
        "|---|---|---|---|\n| Tick | Implemented | `t.rs` | — |\n\n"
        "| Capability | Status |\n|---|---|\n| Run key | Planned |\n"
    )
    matrix = parse_matrix("docs/parity/m.md", text)
    assert len(matrix.tables) == 2
    formatted = format_text(matrix)
    assert formatted.split("\n\n")[0] == text.split("\n\n")[0]  # left as it is
    assert "| Run key    | Planned |" in formatted  # the other table is aligned
    again = parse_matrix("docs/parity/m.md", formatted)
    assert [[c.text for c in t.header] for t in again.tables] == [
        [c.text for c in t.header] for t in matrix.tables
    ]
