"""References and file renames, engine side (features/references.py, features/rename.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rulekit import CI_REF, TEST_REF, csv_matrix, sources, workspace

from parity_lsp.analysis import Analysis
from parity_lsp.features.references import find_references
from parity_lsp.features.rename import moved, rename_edits
from parity_lsp.text import LineIndex

M = "docs/parity/m.md"
OTHER = "docs/other-parity.md"
HEAD = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)


def row(
    cap: str, code: str = "", tests: str = "", ci: str = "", notes: str = "", status: str = "Partial"
) -> str:
    return f"| {cap} | F | {status} | unit | {code} | {tests} | {ci} | @team | {notes} |\n"


M_TEXT = (
    "# Matrix\n\nGoverned by `docs/governance.md`.\n\n"
    + HEAD
    + row("A", "`src/ledger.rs:7` (`record`)", TEST_REF, CI_REF)
    + row("B", "[ledger](../../src/ledger.rs#L7-L10)", "`src/ledger.rs` (`TickLedger::record`)")
    + row("Dir", "`src/`; `./src/lib.rs`", "—", notes="see [EX-04](../audits/exceptions.md#EX-04)")
    + row("Gone", "`src/missing.rs`")
)
OTHER_TEXT = (
    HEAD
    + row(
        "C",
        "`src/ledger.rs` (`TickLedger.record`)",
        "—",
        "`.github/workflows/ci.yml` (job `Rust tests`: `cargo   test -p core  --tests`)",
    )
    + row("D", "`py/runs.py` (`list_runs`)", "`py/runs.py` (`TestRunTable::test_render`)")
)


@pytest.fixture
def root(tmp_path) -> Path:
    return workspace(
        tmp_path,
        {
            **sources(),
            ".parity-lsp.toml": "",
            M: M_TEXT,
            OTHER: OTHER_TEXT,
            "docs/governance.md": "# Rules\n",
            "docs/audits/exceptions.md": "# Exceptions\n\nEX-04: none\n",
        },
    )


def analysis_of(root: Path) -> Analysis:
    a = Analysis(root)
    a.check_all()
    return a


def refs(a: Analysis, rel: str, needle: str, *, nth: int = 0, delta: int = 1, decl: bool = False):
    """(path, cited text, line) of each citation for a cursor `delta` into the nth `needle` of `rel`."""
    text = a.ws.fs.read_text(rel).text
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    out = []
    for c in find_references(a, rel, pos + delta, include_declaration=decl):
        t = a.ws.fs.read_text(c.path).text
        out.append((c.path, t[c.span.start : c.span.end], LineIndex(t).line_of(c.span.start)))
    return out


# --- references -----------------------------------------------------------------------------


def test_references_to_a_file_across_matrices(root):
    a = analysis_of(root)
    got = refs(a, M, "`src/ledger.rs:7`")
    assert [(p, t) for p, t, _ in got] == [
        (OTHER, "src/ledger.rs"),  # row C (results are ordered by path, then position)
        (M, "src/ledger.rs"),
        (M, "src/ledger.rs"),  # row A: code and test
        (M, "../../src/ledger.rs"),
        (M, "src/ledger.rs"),  # row B: link (relative), test column
    ]
    assert [ln for _, _, ln in got] == [2, 6, 6, 7, 7]
    # on a link's target or its line anchor: the same answer
    assert refs(a, M, "../../src/ledger.rs#L7-L10", delta=22) == got


def test_references_to_a_symbol_by_definition_not_spelling(root):
    a = analysis_of(root)
    got = refs(a, M, "`record`")
    assert [(p, t, ln) for p, t, ln in got] == [
        (OTHER, "TickLedger.record", 2),
        (M, "record", 6),
        (M, "TickLedger::record", 7),
    ]
    # from another spelling of the same item: the same rows
    assert refs(a, OTHER, "TickLedger.record") == got


def test_references_to_a_test(root):
    a = analysis_of(root)
    assert refs(a, M, "record_works") == [(M, "record_works", 6)]
    assert refs(a, OTHER, "test_render") == [(OTHER, "TestRunTable::test_render", 3)]


def test_include_declaration_adds_the_definition(root):
    a = analysis_of(root)
    got = refs(a, M, "`record`", decl=True)
    assert got[0] == ("src/ledger.rs", "record", 6)  # `pub fn record` (0-based line 6)
    assert got[1:] == refs(a, M, "`record`")
    assert refs(a, M, "`src/ledger.rs:7`", decl=True)[0] == ("src/ledger.rs", "", 0)


def test_references_to_a_ci_job_and_command(root):
    a = analysis_of(root)
    # `rust` and `Rust tests` are the id and the name of the same job
    assert refs(a, M, "`rust`") == [(OTHER, "Rust tests", 2), (M, "rust", 6)]
    assert refs(a, M, "cargo test -p core") == [
        (OTHER, "cargo   test -p core  --tests", 2),
        (M, "cargo test -p core --tests", 6),
    ]
    assert refs(a, M, "`rust`", decl=True)[0] == (".github/workflows/ci.yml", "rust", 3)
    # the workflow path itself: both CI references
    assert [p for p, _, _ in refs(a, OTHER, ".github/workflows/ci.yml")] == [OTHER, M]


def test_references_from_the_source_side(root):
    a = analysis_of(root)
    # on `pub fn record` in the Rust file: the rows that cite that function
    got = refs(a, "src/ledger.rs", "fn record", delta=4)
    assert [(p, t) for p, t, _ in got] == [
        (OTHER, "TickLedger.record"),
        (M, "record"),
        (M, "TickLedger::record"),
    ]
    assert refs(a, "src/ledger.rs", "fn record_works", delta=4) == [(M, "record_works", 6)]
    # on a job key of the workflow
    assert [t for _, t, _ in refs(a, ".github/workflows/ci.yml", "rust:")] == ["Rust tests", "rust"]
    # elsewhere in a source file: nothing
    assert refs(a, "src/ledger.rs", "self.seen.push") == []


def test_references_to_a_governing_doc_and_nothing_elsewhere(root):
    a = analysis_of(root)
    assert refs(a, M, "docs/governance.md") == [(M, "docs/governance.md", 2)]
    assert refs(a, M, "# Matrix") == []
    assert refs(a, M, "| A |", delta=2) == []  # the capability cell is no reference


# --- renames --------------------------------------------------------------------------------


def renamed(a: Analysis, *moves: tuple[str, str]) -> dict[str, str]:
    """Apply the rename edits to each matrix's text; {path: new text} of the changed ones."""
    out: dict[str, list] = {}
    for e in rename_edits(a, list(moves)):
        out.setdefault(e.path, []).append(e)
    result = {}
    for path, edits in out.items():
        text = a.ws.fs.read_text(path).text
        for e in sorted(edits, key=lambda e: e.span.start, reverse=True):
            text = text[: e.span.start] + e.content + text[e.span.end :]
        result[path] = text
    return result


def test_file_rename_updates_code_spans_and_relative_links_keeping_anchors(root):
    a = analysis_of(root)
    new = renamed(a, ("src/ledger.rs", "crates/core/src/ledger.rs"))
    assert set(new) == {M, OTHER}
    assert (
        "| `crates/core/src/ledger.rs:7` (`record`) | `crates/core/src/ledger.rs` (`record_works`) |"
        in new[M]
    )
    assert "[ledger](../../crates/core/src/ledger.rs#L7-L10)" in new[M]
    assert "`crates/core/src/ledger.rs` (`TickLedger::record`)" in new[M]
    assert "`crates/core/src/ledger.rs` (`TickLedger.record`)" in new[OTHER]
    assert "`src/`; `./src/lib.rs`" in new[M]  # other files of the folder: untouched
    assert new[OTHER].count("crates/core") == 1


def test_renamed_file_resolves_after_the_move(root):
    a = analysis_of(root)
    new = renamed(a, ("src/ledger.rs", "crates/core/src/ledger.rs"))
    before = sorted((f.code, f.message) for f in a.findings(M))
    (root / "crates/core/src").mkdir(parents=True)
    (root / "src/ledger.rs").rename(root / "crates/core/src/ledger.rs")
    for path, text in new.items():
        (root / path).write_text(text)
    after = analysis_of(root)
    assert sorted((f.code, f.message) for f in after.findings(M)) == before


def test_folder_rename_rewrites_every_path_under_it(root):
    a = analysis_of(root)
    new = renamed(a, ("src", "core/src"))
    assert "`core/src/ledger.rs:7` (`record`)" in new[M]
    assert "[ledger](../../core/src/ledger.rs#L7-L10)" in new[M]
    assert "`core/src/`; `./core/src/lib.rs`" in new[M]  # trailing slash and ./ kept
    assert "`src/missing.rs`" in new[M]  # broken already: left to the diagnostics
    assert "`core/src/ledger.rs` (`TickLedger.record`)" in new[OTHER]


def test_moving_a_matrix_keeps_its_relative_links_pointing_at_the_same_files(root):
    a = analysis_of(root)
    new = renamed(a, (M, "docs/m.md"))
    assert list(new) == [M]  # edits address the matrix at its old path (applied before the move)
    assert "[ledger](../src/ledger.rs#L7-L10)" in new[M]
    assert "[EX-04](audits/exceptions.md#EX-04)" in new[M]
    assert "`src/ledger.rs:7`" in new[M] and "Governed by `docs/governance.md`" in new[M]


def test_moving_the_folder_of_a_matrix_with_its_targets_needs_no_edit(root):
    a = analysis_of(root)
    # docs/parity/m.md links to ../audits/exceptions.md: both move together
    assert renamed(a, ("docs", "handbook")) == {
        M: M_TEXT.replace("`docs/governance.md`", "`handbook/governance.md`"),
    }


def test_notes_links_and_governing_docs_follow_too(root):
    a = analysis_of(root)
    new = renamed(
        a,
        ("docs/audits/exceptions.md", "docs/audits/exceptions-2025.md"),
        ("docs/governance.md", "GOVERNANCE.md"),
    )
    assert "[EX-04](../audits/exceptions-2025.md#EX-04)" in new[M]
    assert "Governed by `GOVERNANCE.md`." in new[M]


def test_unrelated_renames_and_no_ops_make_no_edits(root):
    a = analysis_of(root)
    assert rename_edits(a, [("README.md", "README2.md")]) == []
    assert rename_edits(a, [("src/ledger.rs", "src/ledger.rs")]) == []
    assert rename_edits(a, []) == []


def test_open_buffer_content_is_what_gets_edited(root):
    a = analysis_of(root)
    text = "\n\n" + M_TEXT  # unsaved: two lines inserted at the top
    a.open_document(M, text, 2)
    (e, *_) = [e for e in rename_edits(a, [("src/ledger.rs", "lib/ledger.rs")]) if e.path == M]
    assert text[e.span.start : e.span.end] == "src/ledger.rs" and LineIndex(text).line_of(e.span.start) == 8


def test_pipes_in_new_names_are_escaped_in_markdown(root):
    a = analysis_of(root)
    new = renamed(a, ("py/runs.py", "py/a|b.py"))
    assert "`py/a\\|b.py` (`list_runs`)" in new[OTHER]


def test_csv_matrices_are_updated(root):
    rel = "docs/parity/m-parity.csv"
    (root / rel).write_text(csv_matrix([{"cap": "A", "code": "`src/ledger.rs:7`"}]))
    a = analysis_of(root)
    new = renamed(a, ("src/ledger.rs", "src/ledger2.rs"))
    assert "`src/ledger2.rs:7`" in new[rel]


def test_moved_prefers_the_most_specific_rename():
    moves = sorted([("src", "lib"), ("src/a.rs", "x/a.rs")], key=lambda m: -len(m[0]))
    assert moved("src/a.rs", moves) == "x/a.rs"
    assert moved("src/b.rs", moves) == "lib/b.rs"
    assert moved("srcx/b.rs", moves) == "srcx/b.rs"
