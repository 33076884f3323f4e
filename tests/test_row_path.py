"""The per-row path of a check (issue 19: `check`'s CPU per row): what was cut keeps every
finding, and what a large matrix repeats is done once.

- A finding on an empty cell of a CSV (no pipes) searched the whole file's text for its pipes:
  a 100,000-row CSV with empty evidence cells was quadratic (`rules._util.cell_span`).
- A table's repeated evidence cells (`src/a.rs` on thousands of rows) are parsed once
  (`Table.parsed`); each row gets its own references, at its own offsets, equal to a fresh parse.
"""

from __future__ import annotations

from growthkit import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from rulekit import MATRIX, make_config, matrix, workspace

from parity_lsp.engine import check_paths
from parity_lsp.model import Evidence, MatrixFormat
from parity_lsp.parse import evidence as evidence_module
from parity_lsp.parse.delimited import parse_delimited
from parity_lsp.parse.evidence import parse_evidence
from parity_lsp.parse.markdown import parse_markdown
from parity_lsp.rules import pm205_not_shipped
from parity_lsp.rules._util import cell_span
from parity_lsp.workspace.index import Workspace

HEADER = "Capability,Status,Evidence (Code),Evidence (Tests),Evidence (CI),Owner\n"


def _csv(rows: int) -> str:
    return HEADER + "".join(f"Cap {i},Implemented,src/a.rs,,,@o\n" for i in range(rows))


def test_the_span_of_an_empty_csv_cell_is_found_in_time_linear_in_the_rows():
    def make(n: int):
        matrix = parse_delimited("docs/m.csv", _csv(n), MatrixFormat.CSV)
        empty = [c for row in matrix.tables[0].rows for c in row.cells if not c.text]

        def run() -> None:
            for c in empty:
                cell_span(matrix, c)

        return run

    # linear ~4; the search to the file's ends measured ~9 here (the per-cell constant hides
    # part of the quadratic 16 at this size)
    assert_linear(make, 4_000, "cell_span over the empty cells of a CSV", limit=7)


def test_the_span_of_an_empty_cell_is_the_pipes_around_it_on_its_own_line_only():
    text = "| A | Status | Evidence (Code) |\n|---|---|---|\n| x | Implemented |  |\n| y | Planned | z |\n"
    matrix = parse_markdown("docs/m.md", text)
    row = matrix.tables[0].rows[0]
    empty = row.cells[2]
    span = cell_span(matrix, empty)
    assert text[span.start : span.end] == "|  |"
    # a CSV's empty cell (no pipe on its line, pipes elsewhere in the file) keeps its own span
    csv = HEADER + "a|b,Implemented,,,,@o\r\nc,Planned,x|y,,,@o\r\n"
    matrix = parse_delimited("docs/m.csv", csv, MatrixFormat.CSV)
    for row in matrix.tables[0].rows:
        for c in row.cells:
            if not c.text:
                assert cell_span(matrix, c) == c.span


# cells that take the parser's general path (not the one-match quick shape), as teams write them
GENERAL_CELLS = [
    "src/a.rs",
    "src/a.rs:12 (record)",
    "`src/a.rs` (`Foo::bar`), `tests/test_a.py` (`test_a`, `test_b`)",
    "Missing proof: `tests/test_b.py` (`test_b`)",
    "[a](../../src/a.rs#L3-L9) + `b.rs`",
    "`ci.yml` (job `test`: `cargo test -p core`); `make demo`",
    "test_parse_row, CalcTests.testAdd",
    "`crates/*/Cargo.toml`",
    "TBD",
    "Rust: `x.rs`; Python: `y.py` (parse)",
]


def test_a_repeated_cell_is_parsed_once_per_table_and_each_copy_equals_a_fresh_parse(monkeypatch):
    calls: list[str] = []
    real = evidence_module._parse_into

    def counting(ev: Evidence, text: str, offset: int, base_dir: str, column: str | None) -> bool:
        calls.append(text)
        return real(ev, text, offset, base_dir, column)

    monkeypatch.setattr(evidence_module, "_parse_into", counting)
    for role in ("code", "tests", "ci", "evidence"):
        memo: dict[tuple[str, str | None], tuple[int, Evidence]] = {}
        for cell in GENERAL_CELLS:
            calls.clear()
            copies = [parse_evidence(cell, offset, "docs/parity/m.md", role, memo) for offset in (7, 500, 31)]
            assert calls == [cell], (role, cell)  # parsed once; the other offsets are copies
            for offset, ev in zip((7, 500, 31), copies, strict=True):
                assert ev == parse_evidence(cell, offset, "docs/parity/m.md", role), (role, cell, offset)
            # each row's references are its own objects
            assert not {id(r) for r in copies[0].refs} & {id(r) for r in copies[1].refs}


def test_a_csv_of_repeated_cells_parses_each_text_once():
    matrix = parse_delimited("docs/m.csv", _csv(300), MatrixFormat.CSV)
    table = matrix.tables[0]
    for row in table.rows:
        assert row.evidence  # parsed
    assert len(table.parsed) == 1  # `src/a.rs` (code); the empty cells are not parsed by the general path
    first, last = table.rows[0].evidence["evidence (code)"], table.rows[-1].evidence["evidence (code)"]
    assert first.refs[0].span != last.refs[0].span
    assert matrix.text[last.refs[0].span.start : last.refs[0].span.end] == "src/a.rs"


def test_a_check_showing_safe_fixes_only_searches_no_similar_path_for_a_missing_file(tmp_path, monkeypatch):
    root = workspace(
        tmp_path,
        {
            MATRIX: matrix([{"cap": "Ticks", "status": "Partial", "code": "`src/schedul.rs`"}]),
            "src/schedule.rs": "fn tick() {}\n",
            ".parity-lsp.toml": "",
        },
    )
    searched: list[str] = []
    real = Workspace.nearest_path

    def nearest_path(self: Workspace, rel: str, want_dir: bool = False) -> str | None:
        searched.append(rel)
        return real(self, rel, want_dir)

    monkeypatch.setattr(Workspace, "nearest_path", nearest_path)
    safe_only = check_paths(Workspace(root, make_config(root, "PM301")), suggestions=False)
    (finding,) = safe_only.findings
    assert finding.code == "PM301" and finding.fix is None  # a similar name is never a safe fix
    assert searched == []  # and JSON, SARIF and `fix` show safe fixes only: not searched for
    with_suggestions = check_paths(Workspace(root, make_config(root, "PM301")))
    (finding,) = with_suggestions.findings
    assert searched == ["src/schedul.rs"]
    assert finding.fix is not None and not finding.fix.safe
    assert "src/schedule.rs" in finding.fix.message


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["✅", "✔️", "✔", "☑️", "Done", "SHIPPED", "completed", "GA", "Ga", "not", " ", "|", "x_"]
        )
        | st.text(max_size=8),
        max_size=6,
    ).map("".join)
)
def test_pm205s_one_search_a_row_finds_every_row_with_a_shipped_marker(text: str) -> None:
    # a planned row's cells are searched for markers only when this one search finds something
    if pm205_not_shipped._SHIPPED.search(text):
        assert pm205_not_shipped._ANY_MARKER.search(text)


def test_a_tables_repeated_cell_texts_are_kept_once():
    csv = parse_delimited("docs/m.csv", _csv(50), MatrixFormat.CSV)
    md = parse_markdown(
        "docs/m.md",
        "| Capability | Status | Evidence (Code) |\n|---|---|---|\n"
        + "".join(f"| Cap {i} | Implemented | `src/a.rs` |\n" for i in range(50)),
    )
    for parsed in (csv, md):
        rows = parsed.tables[0].rows
        status = {id(r.cells[1].text) for r in rows}
        assert len(status) == 1  # one `Implemented` for every row
        assert len({id(r.cells[0].text) for r in rows}) == 50  # the capabilities differ
        assert all(parsed.text[c.start : c.end] == c.text for r in rows for c in r.cells)
