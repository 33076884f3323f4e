"""Evidence rules: PM301-PM308 (docs/spec/evidence.md#forms, docs/spec/rules.md).

Source fixtures (`rulekit.LEDGER_RS`, `rulekit.RUNS_PY`) have their line numbers listed in
rulekit; the cited lines below refer to them.
"""

from __future__ import annotations

import json
import os

import pytest
from rulekit import (
    COLUMNS,
    MATRIX,
    at,
    check,
    csv_matrix,
    findings,
    git,
    git_init,
    in_row,
    matrix,
    one,
    only,
    sources,
    span_of,
    workspace,
)


def code_rows(*cells: str, column: str = "code") -> list[dict]:
    """One Partial row per evidence cell, capabilities r1, r2, ..."""
    return [{"cap": f"r{i}", column: c} for i, c in enumerate(cells, start=1)]


# --- PM301 path-not-found -------------------------------------------------------------------


def test_pm301_missing_file_is_an_error(tmp_path):
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": "`src/gone.rs:3` (`f`)"}])}
    )
    d = one(check(root), "PM301")
    assert at(d) == in_row(root, "Ticks", "src/gone.rs")
    assert d["severity"] == "error"
    assert d["message"] == "`src/gone.rs` does not exist"


def test_pm301_is_a_warning_on_designed_and_planned_rows(tmp_path):
    rows = [
        {"cap": "Designed row", "status": "Designed", "code": "`src/cursor.rs`"},
        {"cap": "Planned row", "status": "Planned", "code": "`src/cursor.rs`"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    a, b = only(check(root), "PM301")
    assert at(a) == in_row(root, "Designed row", "src/cursor.rs") and a["severity"] == "warning"
    assert at(b) == in_row(root, "Planned row", "src/cursor.rs") and b["severity"] == "warning"


def test_pm301_is_a_warning_in_a_missing_proof_cell(tmp_path):
    rows = [
        {"cap": "Cursor", "status": "Partial", "tests": "Missing proof: `tests/cursor_test.rs` to be written"}
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    d = one(check(root), "PM301")
    assert at(d) == in_row(root, "Cursor", "tests/cursor_test.rs")
    assert d["severity"] == "warning"


def test_pm301_real_citation_beside_a_missing_proof_segment_stays_an_error(tmp_path):
    rows = [
        {
            "cap": "Cursor",
            "status": "Partial",
            "tests": "`tests/gone.rs` (`it_works`)<br>Missing proof: e2e run",
        }
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    d = one(check(root), "PM301")
    assert at(d) == in_row(root, "Cursor", "tests/gone.rs")
    assert d["severity"] == "error"


def suggestion(root, code: str):
    """The one finding of `code`: its fix, which must be an (unsafe) suggestion."""
    (f,) = [f for f in findings(root) if f.code == code]
    assert f.fix is not None and not f.fix.safe
    return f.fix


def test_pm301_near_miss_gets_a_suggestion(tmp_path):
    # a similar name is a guess, however close (issue 16): offered in the editor, never applied
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledgr.rs`"}])})
    assert one(check(root), "PM301")["fix"] is None
    fix = suggestion(root, "PM301")
    assert fix.message == "Replace with `src/ledger.rs`"
    [edit] = fix.edits
    text = (root / MATRIX).read_text()
    assert text[edit.span.start : edit.span.end] == "src/ledgr.rs" and edit.content == "src/ledger.rs"


def test_pm301_fix_follows_a_git_rename(tmp_path):
    root = workspace(
        tmp_path,
        {
            **sources(),
            "src/old_ledger.rs": "pub fn moved() {}\n",
            MATRIX: matrix([{"cap": "Ticks", "code": "`src/old_ledger.rs` (`moved`)"}]),
        },
    )
    git_init(root)
    git(root, "mv", "src/old_ledger.rs", "src/tick_store.rs")
    git(root, "commit", "-q", "-m", "rename")
    d = one(check(root), "PM301")
    assert at(d) == in_row(root, "Ticks", "src/old_ledger.rs")
    assert d["fix"]["message"] == "Replace with `src/tick_store.rs` (renamed in git history)"
    assert d["fix"]["edits"][0]["content"] == "src/tick_store.rs"


def test_pm301_link_fix_stays_relative_to_the_matrix(tmp_path):
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": "[ledger](../../src/ledgr.rs#L7)"}])}
    )
    d = one(check(root), "PM301")
    assert at(d) == in_row(root, "Ticks", "../../src/ledgr.rs")
    assert d["message"] == "`../../src/ledgr.rs` does not exist"
    assert suggestion(root, "PM301").edits[0].content == "../../src/ledger.rs"


def test_pm301_root_relative_link_near_miss_gets_a_suggestion(tmp_path):
    # docs/spec/evidence.md#forms: a link resolves relative to the matrix file, then to the repo root.
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": "[ledger](src/ledgr.rs)"}])}
    )
    assert suggestion(root, "PM301").edits[0].content == "src/ledger.rs"


def test_pm301_existing_files_directories_and_links_pass(tmp_path):
    files = {**sources(), "crates/x/src/lib.rs": "pub fn x() {}\n", "docs/parity/notes/a.md": "# a\n"}
    cells = (
        "`src/ledger.rs`",
        "`src/ledger.rs:7`",
        "Rust: `src/ledger.rs#L5-L11` (impl block)",
        "`src/`",  # a directory
        "`crates/x/src`",
        "[lib](../../crates/x/src/lib.rs#L1)",  # relative to the matrix directory
        "[lib](crates/x/src/lib.rs)",  # relative to the root
        "[notes](notes/a.md)",  # a sibling of the matrix
        "src/ledger.rs (bare path in prose)",
        "[upstream](https://example.com/dagster/a.py) and <https://example.com/b.rs>",  # URLs are not paths
    )
    root = workspace(tmp_path, {**files, MATRIX: matrix(code_rows(*cells))})
    assert only(check(root), "PM301") == []


# --- PM302 line-out-of-range ----------------------------------------------------------------


def test_pm302_line_past_end_with_fix_to_the_symbol(tmp_path):
    root = workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledger.rs:200` (`TickLedger::record`)"}]),
        },
    )
    d = one(check(root), "PM302")
    assert at(d) == in_row(root, "Ticks", "200")
    assert d["severity"] == "error"
    assert d["message"] == "line 200 is past the end of `src/ledger.rs` (26 lines)"
    assert d["fix"]["message"] == "Point to line 7, where `record` is defined"
    assert d["fix"]["edits"][0]["content"] == "7"


@pytest.mark.parametrize(
    "cell, needle, message",
    [
        ("`src/ledger.rs#L20-L40`", "L20-L40", "line 40 is past the end of `src/ledger.rs` (26 lines)"),
        ("`src/ledger.rs:9-3`", "9-3", "range 9-3 runs backwards"),
        ("`src/ledger.rs:0`", "0", "line 0 does not exist (lines start at 1)"),
    ],
    ids=["range-end-past-end", "backwards", "line-zero"],
)
def test_pm302_bad_ranges_without_symbol_have_no_fix(tmp_path, cell, needle, message):
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": cell}])})
    d = one(check(root), "PM302")
    assert at(d) == in_row(root, "Ticks", needle, after="src/ledger.rs")
    assert d["message"] == message
    assert d["fix"] is None


def test_pm302_lines_in_range_pass(tmp_path):
    cells = ("`src/ledger.rs:1`", "`src/ledger.rs:26`", "`src/ledger.rs#L1-L26`", "`src/ledger.rs:5-11`")
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(code_rows(*cells))})
    assert only(check(root), "PM302") == []


# --- PM303 symbol-not-found -----------------------------------------------------------------


def test_pm303_symbol_not_defined(tmp_path):
    root = workspace(
        tmp_path,
        {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledger.rs` (`TickLedger::forget`)"}])},
    )
    d = one(check(root), "PM303")
    assert at(d) == in_row(root, "Ticks", "TickLedger::forget")
    assert d["severity"] == "error"
    assert d["message"] == "symbol `TickLedger::forget` is not defined in `src/ledger.rs`"
    assert d["fix"] is None


def test_pm303_symbol_moved_to_another_file_of_the_package_gets_a_suggestion(tmp_path):
    files = {**sources(), "src/store.rs": "pub fn persist_tick() {}\n"}
    root = workspace(
        tmp_path, {**files, MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledger.rs:3` (`persist_tick`)"}])}
    )
    d = one(check(root), "PM303")
    assert at(d) == in_row(root, "Ticks", "persist_tick")
    assert (
        d["message"]
        == "symbol `persist_tick` is not defined in `src/ledger.rs` (it is defined in `src/store.rs`)"
    )
    assert d["fix"] is None  # another file is a guess, not a rename git recorded
    fix = suggestion(root, "PM303")
    assert fix.message == "Point to `src/store.rs`, where `persist_tick` is defined"
    path_edit, line_edit = fix.edits
    text = (root / MATRIX).read_text()
    assert text[path_edit.span.start : path_edit.span.end] == "src/ledger.rs"
    assert path_edit.content == "src/store.rs"
    assert text[line_edit.span.start - 1 : line_edit.span.end] == ":3" and line_edit.content == "1"


def test_pm303_python_class_method_missing(tmp_path):
    root = workspace(
        tmp_path,
        {**sources(), MATRIX: matrix([{"cap": "Runs", "code": "`py/runs.py` (`RunTable.paginate`)"}])},
    )
    d = one(check(root), "PM303")
    assert at(d) == in_row(root, "Runs", "RunTable.paginate")


def test_pm303_unknown_language_falls_back_to_word_search(tmp_path):
    files = {**sources(), "notes/design.txt": "the needle is here\n"}
    rows = [
        {"cap": "Found", "code": "`notes/design.txt` (`needle`)"},
        {"cap": "Absent", "code": "`notes/design.txt` (`haystack`)"},
    ]
    root = workspace(tmp_path, {**files, MATRIX: matrix(rows)})
    found, absent = only(check(root), "PM303")
    assert at(found) == in_row(root, "Found", "needle") and found["severity"] == "info"
    assert found["message"] == (
        "`needle` found only by word search at line 1 of `notes/design.txt`: this file's language is not understood"
    )
    assert at(absent) == in_row(root, "Absent", "haystack") and absent["severity"] == "error"
    assert absent["message"] == (
        "symbol `haystack` does not occur in `notes/design.txt` (language not understood; searched for the word)"
    )


def test_pm303_defined_symbols_pass(tmp_path):
    cells = (
        "`src/ledger.rs` (`TickLedger`)",
        "`src/ledger.rs` (`TickLedger::record`)",  # Type::method in an impl
        "`src/ledger.rs` (`record`)",
        "`src/ledger.rs::TickLedger::record`",  # path::symbol in one code span
        "`py/runs.py` (`RunTable.render`, `list_runs`)",  # Python Class.method
        "`py/runs.py` (`RunTable::render`)",  # Python Class::method
        "`py/runs.py` (`def list_runs()`)",
        "`src/ledger.rs` (global idempotency gate)",  # prose in parentheses is a note
    )
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(code_rows(*cells))})
    assert only(check(root), "PM303") == []


# --- PM304 line-drift -----------------------------------------------------------------------


def test_pm304_one_line_past_the_item_is_drift(tmp_path):
    # `record` spans lines 6 (doc comment) to 10 (closing brace); line 11 closes the impl.
    root = workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledger.rs:11` (`TickLedger::record`)"}]),
        },
    )
    d = one(check(root), "PM304")
    assert at(d) == in_row(root, "Ticks", "11", after="src/ledger.rs:")
    assert d["severity"] == "warning"
    assert d["message"] == (
        "line 11 of `src/ledger.rs` is outside `TickLedger::record`, which is at lines 6-10 (defined at line 7)"
    )
    assert d["fix"]["message"] == "Point to line 7, where `record` is defined"
    [edit] = d["fix"]["edits"]
    assert at(edit) == at(d) and edit["content"] == "7"
    [f] = [f for f in findings(root) if f.code == "PM304"]
    assert [(r.path, r.line) for r in f.related] == [("src/ledger.rs", 6)]


def test_pm304_range_outside_the_item_is_fixed_to_its_extent(tmp_path):
    root = workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledger.rs#L13-L15` (`TickLedger::record`)"}]),
        },
    )
    d = one(check(root), "PM304")
    assert at(d) == in_row(root, "Ticks", "L13-L15")
    assert d["fix"]["message"] == "Point to lines 6-10, the extent of `record`"
    assert d["fix"]["edits"][0]["content"] == "L6-L10"


def test_pm304_test_cited_one_line_above_its_doc_comment_is_drift(tmp_path):
    root = workspace(
        tmp_path,
        {**sources(), MATRIX: matrix([{"cap": "Ticks", "tests": "`src/ledger.rs:16` (`record_works`)"}])},
    )
    d = one(check(root), "PM304")
    assert at(d) == in_row(root, "Ticks", "16", after="src/ledger.rs:")
    assert d["fix"]["edits"][0]["content"] == "19"


def test_pm304_lines_within_the_item_pass(tmp_path):
    cells = (
        "`src/ledger.rs:6` (`TickLedger::record`)",  # doc comment
        "`src/ledger.rs:7` (`TickLedger::record`)",  # definition
        "`src/ledger.rs:9` (`TickLedger::record`)",  # body
        "`src/ledger.rs:10` (`TickLedger::record`)",  # closing brace
        "`src/ledger.rs#L7-L9` (`record`)",
        "`src/ledger.rs:5` (`TickLedger`)",  # the impl block is part of TickLedger
        "`src/ledger.rs:17` (`record_works`)",  # doc comment of a #[cfg(test)] mod test
        "`src/ledger.rs:18` (`tests::record_works`)",  # its #[test] attribute
        "`src/ledger.rs:20` (`record_works`)",  # its body
        "`py/runs.py:8` (`RunTable.render`)",
        "`py/runs.py:15` (`test_skipped`)",  # the decorator line
        "`src/ledger.rs:1` (`TickLedger`, `record`)",  # any cited symbol may contain the line
    )
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(code_rows(*cells))})
    assert only(check(root), "PM304") == []


# --- PM305 test-not-found -------------------------------------------------------------------


def test_pm305_test_not_defined(tmp_path):
    rows = [
        {"cap": "Ticks", "tests": "`src/ledger.rs` (`record_is_idempotent`)"},
        {"cap": "Runs", "tests": "`py/runs.py::test_gone`"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    a, b = only(check(root), "PM305")
    assert at(a) == in_row(root, "Ticks", "record_is_idempotent")
    assert a["severity"] == "error"
    assert a["message"] == "test `record_is_idempotent` is not defined in `src/ledger.rs`"
    assert at(b) == in_row(root, "Runs", "test_gone")
    assert b["message"] == "test `test_gone` is not defined in `py/runs.py`"


def test_pm305_code_column_symbols_are_pm303_not_pm305(tmp_path):
    root = workspace(
        tmp_path,
        {**sources(), MATRIX: matrix([{"cap": "Ticks", "code": "`src/ledger.rs` (`record_is_idempotent`)"}])},
    )
    diags = check(root)
    assert only(diags, "PM305") == [] and len(only(diags, "PM303")) == 1


def test_pm305_defined_tests_pass(tmp_path):
    cells = (
        "`src/ledger.rs` (`record_works`)",  # inside #[cfg(test)] mod tests
        "`src/ledger.rs` (`tests::record_works`)",
        "`py/runs.py` (`TestRunTable::test_render`)",  # pytest method
        "`py/runs.py` (`TestRunTable.test_render`)",
        "`py/runs.py::TestRunTable::test_render`",  # pytest node id
    )
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(code_rows(*cells, column="tests"))})
    assert only(check(root), "PM305") == []


# --- PM306 outside-workspace ----------------------------------------------------------------


def test_pm306_absolute_path_and_dotdot_escape(tmp_path):
    rows = [
        {"cap": "Abs", "code": "`/etc/passwd`"},
        {"cap": "Up", "code": "`../../outside/lib.rs`"},
        {"cap": "Link", "code": "[x](../../../elsewhere.rs)"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    diags = only(check(root), "PM306")
    assert [at(d) for d in diags] == [
        in_row(root, "Abs", "/etc/passwd"),
        in_row(root, "Up", "../../outside/lib.rs"),
        in_row(root, "Link", "../../../elsewhere.rs"),
    ]
    assert [d["message"] for d in diags] == [
        "`/etc/passwd` is an absolute path: evidence must be inside the workspace",
        "`../../outside/lib.rs` climbs out of the workspace with `..`: evidence must be inside the workspace",
        "`../../../elsewhere.rs` climbs out of the workspace with `..`: evidence must be inside the workspace",
    ]
    assert all(d["severity"] == "error" for d in diags)
    assert only(check(root), "PM301") == []  # an escaping path is not also "not found"


def test_pm306_symlink_pointing_outside_the_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.rs").write_text("pub fn secret() {}\n")
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([{"cap": "Leak", "code": "`vendor/secret.rs` (`secret`)"}])}
    )
    os.symlink(outside, root / "vendor")
    diags = check(root)
    d = one(diags, "PM306")
    assert at(d) == in_row(root, "Leak", "vendor/secret.rs")
    assert (
        d["message"]
        == "`vendor/secret.rs` leads outside the workspace (symlink): evidence must be inside the workspace"
    )
    assert only(diags, "PM301") == [] and only(diags, "PM303") == []


def test_pm306_paths_inside_pass_including_symlinks_within_the_root(tmp_path):
    root = workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix(
                code_rows(
                    "`./src/ledger.rs`",
                    "`src/../src/ledger.rs`",
                    "`alias/ledger.rs`",
                    "[l](../../src/ledger.rs)",
                )
            ),
        },
    )
    os.symlink(root / "src", root / "alias")
    assert only(check(root), "PM306") == []


# --- PM307 non-normative-evidence -----------------------------------------------------------


def test_pm307_evidence_under_forbidden_globs(tmp_path):
    files = {**sources(), "docs/plans/cursor.md": "# plan\n", ".worktrees/feat/src/a.rs": "fn a() {}\n"}
    rows = [
        {"cap": "Plan", "status": "Designed", "code": "`docs/plans/cursor.md`"},
        {"cap": "Worktree", "code": "`.worktrees/feat/src/a.rs`"},
    ]
    root = workspace(tmp_path, {**files, MATRIX: matrix(rows)})
    a, b = only(check(root), "PM307")
    assert at(a) == in_row(root, "Plan", "docs/plans/cursor.md")
    assert a["severity"] == "error"
    assert (
        a["message"]
        == "`docs/plans/cursor.md` is not normative evidence (forbidden: `docs/plans/**`, `.worktrees/**`)"
    )
    assert at(b) == in_row(root, "Worktree", ".worktrees/feat/src/a.rs")


def test_pm307_respects_forbidden_evidence_config(tmp_path):
    files = {**sources(), "docs/plans/cursor.md": "# plan\n", "scratch/a.rs": "fn a() {}\n"}
    rows = [{"cap": "Plan", "code": "`docs/plans/cursor.md`"}, {"cap": "Scratch", "code": "`scratch/a.rs`"}]
    root = workspace(tmp_path, {**files, MATRIX: matrix(rows)})
    d = one(check(root, forbidden_evidence=("scratch/**",)), "PM307")
    assert at(d) == in_row(root, "Scratch", "scratch/a.rs")


def test_pm307_normative_paths_pass(tmp_path):
    root = workspace(
        tmp_path,
        {
            **sources(),
            "docs/parity/charter.md": "# c\n",
            MATRIX: matrix(code_rows("`src/ledger.rs`", "`docs/parity/charter.md`", "`py/runs.py`")),
        },
    )
    assert only(check(root), "PM307") == []


# --- PM308 test-ignored ---------------------------------------------------------------------


def test_pm308_disabled_rust_and_python_tests(tmp_path):
    rows = [
        {"cap": "Restart", "status": "Implemented", "tests": "`src/ledger.rs` (`slow_restart`)"},
        {"cap": "Skipped", "tests": "`py/runs.py` (`test_skipped`)"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    a, b = only(check(root), "PM308")
    assert at(a) == in_row(root, "Restart", "slow_restart")
    assert a["severity"] == "warning"  # a shipped row's proof
    assert b["severity"] == "info"  # a Partial row does not claim to ship: told, not warned
    assert a["message"] == (
        'test `slow_restart` is disabled (#[ignore = "needs a real clock"]): it proves nothing unless CI runs ignored tests'
    )
    assert at(b) == in_row(root, "Skipped", "test_skipped")
    assert b["message"].startswith('test `test_skipped` is disabled (@pytest.mark.skip(reason="flaky"))')


def test_pm308_unconditional_skipif_is_disabled_conditional_is_not(tmp_path):
    tests_py = """
        import sys
        import pytest


        @pytest.mark.skipif(True, reason="never")
        def test_never():
            pass


        @pytest.mark.skipif(sys.platform == "win32", reason="posix only")
        def test_posix():
            pass
    """
    rows = [
        {"cap": "Never", "tests": "`tests/test_x.py` (`test_never`)"},
        {"cap": "Posix", "tests": "`tests/test_x.py` (`test_posix`)"},
    ]
    root = workspace(tmp_path, {**sources(), "tests/test_x.py": tests_py, MATRIX: matrix(rows)})
    d = one(check(root), "PM308")
    assert at(d) == in_row(root, "Never", "test_never")


def test_pm308_a_skip_in_code_is_disabled_whatever_ci_runs(tmp_path):
    """Go's `t.Skip()` and pytest's `skip` skip the test under every command: a CI job that runs
    the file's tests does not clear PM308 (only `cargo test -- --ignored` runs a disabled test)."""
    files = {
        "go.mod": "module example.com/shop\n\ngo 1.22\n",
        "cart/cart_test.go": """
            package cart

            import "testing"

            func TestTotal(t *testing.T) {
            \tt.Skip("rounding differs on arm64")
            }
        """,
        "tests/test_cart.py": """
            import pytest


            @pytest.mark.skip(reason="flaky")
            def test_total():
                pass
        """,
        ".github/workflows/ci.yml": """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - run: go test ./...
                  - run: pytest tests
        """,
    }
    ci = "`.github/workflows/ci.yml` (job `test`: `go test ./...` + `pytest tests`)"
    rows = [
        {"cap": "Go", "status": "Implemented", "tests": "`cart/cart_test.go` (`TestTotal`)", "ci": ci},
        {"cap": "Py", "status": "Implemented", "tests": "`tests/test_cart.py` (`test_total`)", "ci": ci},
    ]
    root = workspace(tmp_path, {**files, MATRIX: matrix(rows)})
    found = only(check(root), "PM308")
    assert [at(d) for d in found] == [
        in_row(root, "Go", "TestTotal"),
        in_row(root, "Py", "test_total"),
    ], found


def test_pm308_enabled_tests_and_code_column_pass(tmp_path):
    rows = [
        {"tests": "`src/ledger.rs` (`record_works`)"},
        {"tests": "`py/runs.py` (`TestRunTable::test_render`)"},
        {"code": "`src/ledger.rs` (`slow_restart`)"},
    ]  # only Evidence (Tests) proves anything
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    assert only(check(root), "PM308") == []


# --- other languages and item shapes (docs/spec/evidence.md#forms) -----------------------------------------------

ITEMS_RS = """
/// Outer doc
/// more
#[tokio::test(
    flavor = "multi_thread",
)]
async fn multi() {
    body();
}

pub struct Cfg {
    /// field doc
    pub retries: u32,
}

impl Default for Cfg {
    fn default() -> Self {
        Cfg { retries: 3 }
    }
}
"""
SENSOR_PY = """
class Sensor:
    @property
    def cursor(self):
        return 1

    @staticmethod
    async def tick():
        pass
"""
TICK_GO = """
package sched

import "testing"

func TestTick(t *testing.T) {
	if 1 != 1 {
		t.Fatal("x")
	}
}

func TestSkipped(t *testing.T) {
	t.Skip("later")
}
"""
SCHED_TS = """
describe("scheduler", () => {
  it("dedupes ticks", () => {
    expect(1).toBe(1);
  });

  it.skip("survives restart", () => {});
});
"""
LANG_FILES = {
    "src/items.rs": ITEMS_RS,
    "py/sensor.py": SENSOR_PY,
    "sched/tick_test.go": TICK_GO,
    "web/sched.test.ts": SCHED_TS,
}


def test_item_extents_for_attributes_fields_trait_impls_and_decorators_pass(tmp_path):
    cells = (
        "`src/items.rs:1` (`multi`)",  # outer doc comment above a multi-line attribute
        "`src/items.rs:4` (`multi`)",  # inside the attribute
        "`src/items.rs:12` (`Cfg::retries`)",  # struct field
        "`src/items.rs:16` (`Cfg::default`)",  # method of a trait impl
        "`py/sensor.py:2` (`Sensor.cursor`)",  # @property line
        "`py/sensor.py:7` (`Sensor::tick`)",  # async staticmethod
    )
    root = workspace(tmp_path, {**LANG_FILES, MATRIX: matrix(code_rows(*cells))})
    diags = check(root)
    assert only(diags, "PM303") == [] and only(diags, "PM304") == []


def test_line_after_a_multi_line_attribute_item_is_drift(tmp_path):
    root = workspace(
        tmp_path, {**LANG_FILES, MATRIX: matrix([{"cap": "Multi", "tests": "`src/items.rs:9` (`multi`)"}])}
    )
    d = one(check(root), "PM304")
    assert at(d) == in_row(root, "Multi", "9", after="items.rs:")
    assert (
        d["message"]
        == "line 9 of `src/items.rs` is outside `multi`, which is at lines 1-8 (defined at line 6)"
    )
    assert d["fix"]["edits"][0]["content"] == "6"


def test_go_and_typescript_tests_found_missing_and_skipped(tmp_path):
    rows = [
        {"cap": "Go ok", "tests": "`sched/tick_test.go:5` (`TestTick`)"},
        {"cap": "Go skip", "tests": "`sched/tick_test.go` (`TestSkipped`)"},
        {"cap": "Go gone", "tests": "`sched/tick_test.go` (`TestGone`)"},
        {"cap": "TS ok", "tests": "`web/sched.test.ts` (`dedupes ticks`)"},
        {"cap": "TS full title", "tests": "`web/sched.test.ts` (`scheduler dedupes ticks`)"},
        {"cap": "TS skip", "tests": "`web/sched.test.ts` (`survives restart`)"},
    ]
    root = workspace(tmp_path, {**LANG_FILES, MATRIX: matrix(rows)})
    diags = check(root)
    assert [at(d) for d in only(diags, "PM308")] == [
        in_row(root, "Go skip", "TestSkipped"),
        in_row(root, "TS skip", "survives restart"),
    ]
    assert [d["message"].split(":")[0] for d in only(diags, "PM308")] == [
        'test `TestSkipped` is disabled (t.Skip("later"))',
        "test `survives restart` is disabled (it.skip)",
    ]
    assert [at(d) for d in only(diags, "PM305")] == [in_row(root, "Go gone", "TestGone")]
    assert only(diags, "PM304") == []


# --- CSV / TSV matrices get the same evidence diagnostics, at exact source ranges -----------


def test_csv_quoted_cells_with_doubled_quotes_and_line_breaks_keep_exact_ranges(tmp_path):
    head = ",".join(COLUMNS.values())
    text = (
        head + "\n"
        'Quoted,Feature,Partial,unit,"the ""ledger"" `src/ledger.rs:99`",,,@team,\n'
        'Multi,Feature,Partial,unit,"first line\n'
        'then `src/ledger.rs` (`TickLedger`, `Nope`)",,,@team,\n'
    )
    root = workspace(tmp_path, {**sources(), "docs/parity/parity.csv": text})
    diags = check(root)
    assert [(d["code"], at(d)) for d in diags] == [
        ("PM302", span_of(root, "docs/parity/parity.csv", "99")),
        ("PM303", span_of(root, "docs/parity/parity.csv", "Nope")),
    ]


def test_tsv_and_csv_report_what_markdown_reports(tmp_path):
    rows = [
        {"cap": "Drift", "code": "`src/ledger.rs:11` (`TickLedger::record`)"},
        {"cap": "Gone", "tests": "`src/ledger.rs` (`gone_test`)", "code": "`src/nowhere.rs`"},
        {"cap": "Escape", "code": "`../x.rs`"},
        {"cap": "Ignored", "tests": "`src/ledger.rs` (`slow_restart`)"},
    ]
    tsv = csv_matrix(rows).replace(",", "\t")
    root = workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix(rows),
            "docs/parity/parity.csv": csv_matrix(rows),
            "docs/parity/parity.tsv": tsv,
        },
    )
    diags = [d for d in check(root) if d["code"] != "PM003"]  # the same rows in three files are duplicates
    by_path = {
        p: [(d["code"], d["message"]) for d in diags if d["path"] == p]
        for p in (MATRIX, "docs/parity/parity.csv", "docs/parity/parity.tsv")
    }
    assert [c for c, _ in by_path[MATRIX]] == ["PM304", "PM301", "PM305", "PM306", "PM308"]
    assert by_path["docs/parity/parity.csv"] == by_path[MATRIX]
    assert by_path["docs/parity/parity.tsv"] == by_path[MATRIX]
    for rel in ("docs/parity/parity.csv", "docs/parity/parity.tsv"):
        d = next(d for d in diags if d["path"] == rel and d["code"] == "PM304")
        assert at(d) == in_row(root, "Drift", "11", after="ledger.rs:", rel=rel)


def test_pm301_outputs_without_suggestions_skip_the_search_and_keep_every_safe_fix(tmp_path, capsys):
    # (safe: the git-recorded rename; suggestions: a similar path, the file defining the symbol)
    """`check --format json` (and SARIF, `fix`) show safe fixes only, so the search for the
    file now defining a cited symbol (an unsafe suggestion) is skipped there; the text output
    still prints it. Safe fixes and findings are the same either way."""
    from parity_lsp.cli import main

    root = workspace(
        tmp_path,
        {
            **sources(),
            "src/moved/tick_store.rs": "pub fn moved() {}\n",
            "src/renamed.rs": "pub fn renamed() {}\n",
            MATRIX: matrix(
                [
                    {"cap": "Renamed", "code": "`src/renamed.rs`"},  # renamed in git history: safe
                    {
                        "cap": "Moved",
                        "code": "`src/old_store.rs` (`moved`)",
                    },  # only the symbol says where: unsafe
                    {"cap": "Link", "code": "[ledger](../../src/ledgr.rs#L7)"},  # similar: a suggestion
                ]
            ),
        },
    )
    git_init(root)
    git(root, "mv", "src/renamed.rs", "src/renamed_store.rs")
    git(root, "commit", "-q", "-m", "rename")
    assert main(["check", "--root", str(root), "--format", "json", "-j", "1"]) == 1
    cli_json = json.loads(capsys.readouterr().out)["diagnostics"]
    assert cli_json == check(root)  # the engine with suggestions gives the same JSON
    pm301 = only(cli_json, "PM301")
    assert [d["fix"]["edits"][0]["content"] if d["fix"] else None for d in pm301] == [
        "src/renamed_store.rs",
        None,
        None,
    ]
    main(["check", "--root", str(root), "--format", "text"])
    text = capsys.readouterr().out
    assert "suggestion: Replace with `src/moved/tick_store.rs`, where `moved` is defined" in text
    from parity_lsp.engine import check_paths
    from parity_lsp.workspace.index import Workspace

    def moved_fix(suggestions):
        result = check_paths(Workspace(root), suggestions=suggestions)
        [f] = [f for f in result.findings if f.code == "PM301" and "old_store" in f.message]
        return f.fix

    assert moved_fix(True).safe is False and moved_fix(False) is None  # not searched for
