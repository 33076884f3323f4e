"""Table structure and vocabulary rules: PM001-PM004, PM101-PM103 (docs/spec/matrix.md#matrix-tables, docs/spec/rules.md).

Each rule: a failing case with exact code, severity and range (as `check --format json` prints
them) and a passing case with no diagnostic of that code.
"""

from __future__ import annotations

from rulekit import (
    COLUMNS,
    MATRIX,
    at,
    check,
    csv_matrix,
    in_row,
    matrix,
    one,
    only,
    row_line,
    span_of,
    summary,
    workspace,
)

# --- PM001 missing-column -------------------------------------------------------------------


def test_pm001_header_missing_required_columns(tmp_path):
    text = matrix([["Ticks", "Partial", "@team"]], header=["Capability", "Status", "Owner"])
    root = workspace(tmp_path, {MATRIX: text})
    d = one(check(root), "PM001")
    header = "| Capability | Status | Owner |"
    assert at(d) == span_of(root, MATRIX, header)
    assert d["severity"] == "error"
    assert d["message"] == (
        "table header lacks required columns `Arco Feature`, `Proof Level Required`, `Evidence (Code)`, "
        "`Evidence (Tests)`, `Evidence (CI)`, `Notes`"
    )
    assert d["fix"]["message"].startswith("Add columns Arco Feature, Proof Level Required")


def test_pm001_one_missing_column_is_singular(tmp_path):
    head = [c for c in COLUMNS.values() if c != "Notes"]
    root = workspace(
        tmp_path, {MATRIX: matrix([["Ticks", "F", "Partial", "unit", "", "", "", "@team"]], header=head)}
    )
    d = one(check(root), "PM001")
    assert d["message"] == "table header lacks required column `Notes`"
    assert d["line"] == span_of(root, MATRIX, "| Capability |")["line"]


def test_pm001_full_header_case_and_whitespace_folded_extra_columns_allowed(tmp_path):
    head = [
        "capability",
        "ARCO  feature",
        "Status",
        "Proof Level   Required",
        "Evidence  (code)",
        "evidence (Tests)",
        "Evidence (CI)",
        "owner",
        "Notes",
        "Extra column",
    ]
    root = workspace(
        tmp_path,
        {MATRIX: matrix([["Ticks", "F", "Partial", "unit", "", "", "", "@t", "", "x"]], header=head)},
    )
    assert only(check(root), "PM001") == []


def test_pm001_respects_required_columns_config(tmp_path):
    text = matrix([["Ticks", "Partial", "@team"]], header=["Capability", "Status", "Owner"])
    root = workspace(tmp_path, {MATRIX: text})
    assert only(check(root, required_columns=("Capability", "Status", "Owner")), "PM001") == []
    d = one(check(root, required_columns=("Capability", "Status", "Risk")), "PM001")
    assert d["message"] == "table header lacks required column `Risk`"


# --- PM002 cell-count -----------------------------------------------------------------------


def test_pm002_row_with_too_few_cells(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([["Ticks", "Feature", "Partial"]])})
    d = one(check(root), "PM002")
    assert at(d) == span_of(root, MATRIX, "| Ticks | Feature | Partial |")
    assert d["severity"] == "error"
    assert d["message"] == "row has 3 cells, header has 9: missing 6"
    assert d["fix"]["message"] == "Add 6 empty cells"


def test_pm002_row_with_extra_cells_has_no_fix(tmp_path):
    cells = ["Ticks", "F", "Partial", "unit", "`a|b`", "", "", "@team", "", "surplus"]
    root = workspace(tmp_path, {MATRIX: matrix([cells])})
    d = one(check(root), "PM002")
    line = row_line(root, "Ticks")
    assert (d["line"], d["column"]) == (line, 1)
    assert d["message"] == "row has 11 cells, header has 9: 2 extra (unescaped `|`?)"
    assert d["fix"] is None


def test_pm002_escaped_pipe_in_code_span_and_rows_without_outer_pipes(tmp_path):
    rows = [
        {"cap": "Pipes", "notes": r"`a \| b` and \| more"},
        "No outer pipes | F | Partial | unit |  |  |  | @team | note",
    ]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    assert only(check(root), "PM002") == []


# --- PM003 duplicate-capability ---------------------------------------------------------------


def test_pm003_duplicate_across_matrices_reported_at_every_copy(tmp_path):
    root = workspace(
        tmp_path,
        {
            MATRIX: matrix([{"cap": "Tick keys"}, {"cap": "Other"}]),
            "docs/parity/second.md": matrix([{"cap": "**tick  KEYS**"}]),
        },
    )
    diags = only(check(root), "PM003")
    assert [(d["path"], d["line"], d["column"], d["end_column"]) for d in diags] == [
        (MATRIX, row_line(root, "Tick keys"), 3, 12),
        ("docs/parity/second.md", row_line(root, "**tick  KEYS**", "docs/parity/second.md"), 3, 17),
    ]
    assert all(d["severity"] == "warning" for d in diags)
    first, second = diags
    assert first["message"] == (
        f"capability `Tick keys` is listed more than once (also at docs/parity/second.md:{second['line']})"
    )
    assert f"(also at {MATRIX}:{first['line']})" in second["message"]


def test_pm003_distinct_capabilities_pass(tmp_path):
    root = workspace(
        tmp_path,
        {
            MATRIX: matrix([{"cap": "Tick keys"}, {"cap": "Tick keys v2"}]),
            "docs/parity/second.md": matrix([{"cap": "Run keys"}]),
        },
    )
    assert only(check(root), "PM003") == []


# --- PM004 empty-cell -------------------------------------------------------------------------


def test_pm004_empty_capability_status_owner(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([["", "Feature", "", "unit", "", "", "", "", ""]])})
    diags = only(check(root), "PM004")
    assert [d["message"] for d in diags] == ["Capability is empty", "Status is empty", "Owner is empty"]
    assert all(d["severity"] == "warning" for d in diags)
    line = span_of(root, MATRIX, "| Feature |")["line"]
    # an empty cell is shown from its opening to its closing pipe (an empty range is invisible)
    assert [(d["line"], d["column"], d["end_column"]) for d in diags] == [
        (line, 1, 5),
        (line, 14, 18),
        (line, 33, 37),
    ]


def test_pm004_filled_cells_pass_and_empty_evidence_is_not_pm004(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([{"cap": "Ticks", "code": "", "tests": "", "notes": ""}])})
    assert only(check(root), "PM004") == []


# --- PM101 unknown-status ---------------------------------------------------------------------


def test_pm101_typo_gets_a_safe_fix(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([{"cap": "Ticks", "status": "Implemeted"}])})
    d = one(check(root), "PM101")
    assert at(d) == in_row(root, "Ticks", "Implemeted")
    assert d["severity"] == "error"
    assert d["message"] == (
        "unknown status `Implemeted`: expected one of Implemented, Partial, Designed, Planned, Exception "
        "(did you mean `Implemented`?)"
    )
    assert d["fix"]["message"] == "Replace with `Implemented`"
    [edit] = d["fix"]["edits"]
    assert at(edit) == at(d) and edit["content"] == "Implemented"


def test_pm101_unrelated_word_has_no_safe_fix(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([{"cap": "Ticks", "status": "Shipping soon"}])})
    d = one(check(root), "PM101")
    assert at(d) == in_row(root, "Ticks", "Shipping soon")
    assert "unknown status `Shipping soon`" in d["message"]
    assert d["fix"] is None


def test_pm101_vocabulary_case_and_emphasis_pass(tmp_path):
    rows = [{"status": s} for s in ("Implemented", "partial", "**Designed**", "_Planned_", "EXCEPTION")]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    assert only(check(root), "PM101") == []


# --- PM102 unknown-proof-level ----------------------------------------------------------------


def test_pm102_typo_and_unknown_level(tmp_path):
    root = workspace(
        tmp_path, {MATRIX: matrix([{"cap": "A", "proof": "intgration"}, {"cap": "B", "proof": "end-to-end"}])}
    )
    a, b = only(check(root), "PM102")
    assert at(a) == in_row(root, "A", "intgration")
    assert a["severity"] == "error"
    assert (
        a["message"]
        == "unknown proof level `intgration`: expected one of unit, integration, e2e, prod (did you mean `integration`?)"
    )
    assert a["fix"]["edits"][0]["content"] == "integration"
    assert at(b) == in_row(root, "B", "end-to-end")
    assert (
        b["message"]
        == "unknown proof level `end-to-end`: expected one of unit, integration, e2e, prod (did you mean `e2e`?)"
    )
    assert b["fix"]["edits"][0]["content"] == "e2e"  # a known synonym: safe


def test_pm102_levels_and_combinations_pass(tmp_path):
    rows = [
        {"proof": p} for p in ("unit", "Integration", "e2e", "prod", "integration + e2e", "unit, integration")
    ]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    assert only(check(root), "PM102") == []


# --- PM103 owner-unassigned -------------------------------------------------------------------


def test_pm103_placeholder_owners(tmp_path):
    root = workspace(
        tmp_path, {MATRIX: matrix([{"cap": "A", "owner": "TBD"}, {"cap": "B", "owner": "unassigned"}])}
    )
    a, b = only(check(root), "PM103")
    assert at(a) == in_row(root, "A", "TBD")
    assert a["severity"] == "info"
    assert a["message"] == "owner is unassigned (`TBD`)"
    assert at(b) == in_row(root, "B", "unassigned")


def test_pm004_names_the_column_as_a_table_of_another_shape_names_it(tmp_path):
    # not the template: the message says the header's own word ("State"), not the role's
    # (this line was reached only by random matrices of the fuzz tests)
    root = workspace(
        tmp_path,
        {
            "docs/parity/matrix.md": "| Area | State | Proof |\n|---|---|---|\n| Logout |  | `tests/test_login.py` |\n",
            "tests/test_login.py": "def test_login():\n    pass\n",
        },
    )
    assert [(d["line"], d["message"]) for d in only(check(root), "PM004")] == [(3, "State is empty")]


def test_pm103_real_owner_passes_and_empty_owner_is_pm004_only(tmp_path):
    root = workspace(
        tmp_path, {MATRIX: matrix([{"cap": "A", "owner": "@sched-team"}, {"cap": "B", "owner": ""}])}
    )
    diags = check(root)
    assert only(diags, "PM103") == []
    assert [d["message"] for d in only(diags, "PM004")] == ["Owner is empty"]


# --- positions: non-ASCII, CRLF, BOM, CSV ---------------------------------------------------


def test_columns_count_code_points_after_emoji_and_non_ascii(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([{"cap": "Über 🚀 ticks", "status": "Implemeted"}])})
    d = one(check(root), "PM101")
    assert at(d) == in_row(root, "Über 🚀 ticks", "Implemeted")


def test_crlf_and_bom_keep_the_same_positions(tmp_path):
    text = matrix([{"cap": "Ticks", "status": "Implemeted", "owner": "TBD"}])
    lf = workspace(tmp_path / "lf", {MATRIX: text})
    crlf = workspace(tmp_path / "crlf", {MATRIX: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()})
    expected = [(d["code"], at(d)) for d in check(lf)]
    assert [(d["code"], at(d)) for d in check(crlf)] == expected
    assert {c for c, _ in expected} == {"PM101", "PM103"}


def test_csv_matrix_gets_the_same_structure_diagnostics_as_markdown(tmp_path):
    rows = [
        {"cap": "Ticks", "status": "Implemeted", "proof": "intgration", "owner": "TBD"},
        {"cap": "Ticks"},
        {"cap": "Keys, with a comma", "owner": ""},
    ]
    root = workspace(tmp_path, {MATRIX: matrix(rows), "docs/parity/parity.csv": csv_matrix(rows)})
    diags = [d for d in check(root, select=["PM0", "PM1"]) if d["code"] != "PM003"]
    md = [(d["code"], d["message"]) for d in diags if d["path"] == MATRIX]
    csv = [(d["code"], d["message"]) for d in diags if d["path"] == "docs/parity/parity.csv"]
    assert md == csv
    assert [c for c, _ in csv] == ["PM101", "PM102", "PM103", "PM004"]
    by_code = {d["code"]: d for d in diags if d["path"] == "docs/parity/parity.csv"}
    assert at(by_code["PM101"]) == in_row(root, "Ticks", "Implemeted", rel="docs/parity/parity.csv")
    assert at(by_code["PM103"]) == in_row(root, "Ticks", "TBD", rel="docs/parity/parity.csv")


def test_csv_row_with_too_few_fields_is_pm002(tmp_path):
    text = ",".join(COLUMNS.values()) + "\nTicks,Feature,Partial\n"
    root = workspace(tmp_path, {"docs/parity/parity.csv": text})
    d = one(check(root), "PM002")
    assert (d["path"], d["line"], d["column"]) == ("docs/parity/parity.csv", 2, 1)
    assert d["message"] == "row has 3 cells, header has 9: missing 6"
    assert summary(check(root, select="PM1")) == []


def test_tables_without_capability_and_status_columns_are_not_matrices(tmp_path):
    text = "# Notes\n\n| Name | Value |\n|---|---|\n| a | `src/missing.rs` |\n\n" + matrix(
        [{"cap": "Ticks"}], title=""
    )
    root = workspace(tmp_path, {MATRIX: text})
    assert check(root) == []
