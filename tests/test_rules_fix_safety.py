"""Issue 16, item 1: a *safe* fix (what `parity-lsp fix`, the JSON `fix` field and the editor's
fix-all apply without asking) never rewrites a correct path.

- a different path is safe only when git history records the rename of exactly that file;
- a similar name is a suggestion, always (however close);
- nothing inside a "Missing proof: …" segment is rewritten by `fix`;
- a not-yet-existing path on a Planned/Designed row is a plan: a suggestion at most.
"""

from __future__ import annotations

from rulekit import (
    CI_REF,
    MATRIX,
    TEST_REF,
    check,
    findings,
    fix,
    git,
    git_init,
    matrix,
    one,
    only,
    snapshot,
    sources,
    workspace,
)

from parity_lsp.analysis import Analysis
from parity_lsp.features.actions import FIX_ALL, code_actions
from parity_lsp.text import Span

# The row, in a Rust monorepo where a similarly named test file exists.
STALENESS = (
    "Missing proof: new CI-gated tests (suggested `crates/x/tests/orchestration_staleness_tests.rs` …)"
)
MONOREPO = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "crates/x/Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
    "crates/x/src/lib.rs": "pub fn sense() {}\n",
    "crates/x/src/stateless.rs": "pub fn fold() {}\n",
    "crates/x/tests/orchestration_sensor_tests.rs": "#[test]\nfn sensor_fires() {}\n",
}


def _repo(tmp_path, rows, **extra):
    root = workspace(tmp_path, {**MONOREPO, **extra, MATRIX: matrix(rows)})
    git_init(root)
    return root


def _fix_all(root):
    """The editor's fix-all (`source.fixAll.parityLsp`) on the matrix, as the server computes it
    (its findings' costly fixes are deferred until asked)."""
    analysis = Analysis(root)
    analysis.check_all()
    m = analysis.check(MATRIX).matrix
    return analysis, code_actions(m, analysis.findings(MATRIX), Span(0, 0), only=[FIX_ALL])


def _nothing_is_fixed(root):
    before = snapshot(root)
    code, err = fix(root, "ALL")
    assert code == 0, err
    assert snapshot(root) == before  # byte-identical
    _, actions = _fix_all(root)
    assert actions == []


def test_a_path_in_a_missing_proof_segment_is_never_rewritten(tmp_path):
    root = _repo(tmp_path, [{"cap": "Staleness", "status": "Planned", "tests": STALENESS}])
    d = one(check(root), "PM301")
    assert d["severity"] == "warning" and d["fix"] is None
    # not even as a suggestion: the similar test file is another test, not a typo of this one
    (f,) = [f for f in findings(root) if f.code == "PM301"]
    assert f.fix is None and f.alternatives == []
    _nothing_is_fixed(root)


def test_a_similar_name_is_a_suggestion_never_a_fix(tmp_path):
    root = _repo(tmp_path, [{"cap": "Sensor", "code": "`crates/x/tests/orchestration_sensr_tests.rs`"}])
    assert one(check(root), "PM301")["fix"] is None
    (f,) = [f for f in findings(root) if f.code == "PM301"]
    assert not f.fix.safe
    assert f.fix.message == "Replace with `crates/x/tests/orchestration_sensor_tests.rs`"
    _nothing_is_fixed(root)


def test_a_planned_rows_not_yet_existing_path_is_a_plan(tmp_path):
    root = _repo(tmp_path, [{"cap": "Staleness", "status": "Planned", "code": "`crates/x/src/staleness.rs`"}])
    d = one(check(root), "PM301")
    assert d["severity"] == "warning" and d["fix"] is None
    (f,) = [f for f in findings(root) if f.code == "PM301"]
    assert not f.fix.safe  # `stateless.rs` is offered in the editor, never applied
    _nothing_is_fixed(root)


def test_a_git_recorded_rename_is_safe_also_on_a_planned_row(tmp_path):
    root = _repo(
        tmp_path,
        [{"cap": "Fold", "status": "Planned", "code": "`crates/x/src/fold.rs` (`fold`)"}],
        **{"crates/x/src/fold.rs": "pub fn fold_all() {}\n"},
    )
    git(root, "mv", "crates/x/src/fold.rs", "crates/x/src/folding.rs")
    git(root, "commit", "-q", "-m", "rename")
    d = one(check(root), "PM301")
    assert d["fix"]["message"] == "Replace with `crates/x/src/folding.rs` (renamed in git history)"
    _, actions = _fix_all(root)
    assert [a.title for a in actions] == ["Fix all safe problems (1 fix)"]
    assert fix(root, "PM301")[0] == 0
    assert "| `crates/x/src/folding.rs` (`fold`) |" in (root / MATRIX).read_text()


def test_a_renamed_path_in_a_missing_proof_segment_is_only_suggested(tmp_path):
    rows = [{"cap": "Fold", "status": "Partial", "tests": "Missing proof: extend `crates/x/tests/fold.rs`"}]
    root = _repo(tmp_path, rows, **{"crates/x/tests/fold.rs": "#[test]\nfn f() {}\n"})
    git(root, "mv", "crates/x/tests/fold.rs", "crates/x/tests/folding.rs")
    git(root, "commit", "-q", "-m", "rename")
    assert one(check(root), "PM301")["fix"] is None
    (f,) = [f for f in findings(root) if f.code == "PM301"]
    assert not f.fix.safe and "renamed in git history" in f.fix.message
    _nothing_is_fixed(root)


def test_a_directory_whose_files_moved_is_only_suggested(tmp_path):
    # git records files, not directories: "the directory moved" is an inference
    root = _repo(
        tmp_path,
        [{"cap": "Fold", "code": "`crates/x/src/old/`"}],
        **{"crates/x/src/old/a.rs": "pub fn a() {}\n", "crates/x/src/old/b.rs": "pub fn b() {}\n"},
    )
    (root / "crates/x/src/new").mkdir()
    git(root, "mv", "crates/x/src/old/a.rs", "crates/x/src/new/a.rs")
    git(root, "rm", "-q", "crates/x/src/old/b.rs")  # deleted, not moved
    git(root, "commit", "-q", "-m", "move")
    assert one(check(root), "PM301")["fix"] is None
    (f,) = [f for f in findings(root) if f.code == "PM301"]
    assert not f.fix.safe and f.fix.message.startswith("Replace with `crates/x/src/new`")
    _nothing_is_fixed(root)


def test_the_file_that_defines_a_missing_symbol_is_a_suggestion(tmp_path):
    root = workspace(
        tmp_path,
        {
            **sources(),
            MATRIX: matrix([{"cap": "A", "code": "`src/ledger.rs:3` (`persist`)"}]),
            "src/store.rs": "pub fn persist() {}\n",
        },
    )
    d = one(check(root), "PM303")
    assert d["fix"] is None
    (f,) = [f for f in findings(root) if f.code == "PM303"]
    assert not f.fix.safe and f.fix.message == "Point to `src/store.rs`, where `persist` is defined"
    before = snapshot(root)
    assert fix(root, "ALL")[0] == 0 and snapshot(root) == before


def test_a_similar_governing_document_is_a_suggestion(tmp_path):
    root = workspace(
        tmp_path,
        {
            MATRIX: matrix(
                [{"cap": "A"}], title="# M\n\nThis matrix is governed by [the charter](chartr.md)."
            ),
            "docs/parity/charter.md": "# Charter\n",
        },
    )
    assert one(check(root), "PM501")["fix"] is None
    before = snapshot(root)
    assert fix(root, "ALL")[0] == 0 and snapshot(root) == before


def test_no_rules_safe_fix_lands_inside_a_missing_proof_segment(tmp_path):
    # PM304's line fix is safe elsewhere; inside "Missing proof: …" the text is what the team
    # wrote about a gap, and stays as written
    rows = [
        {
            "cap": "A",
            "status": "Implemented",
            "code": "`src/ledger.rs:12` (`TickLedger::record`)",
            "tests": f"{TEST_REF}<br>Missing proof: restart test near `src/ledger.rs:12` (`TickLedger::record`)",
            "ci": CI_REF,
        }
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    drift = only(check(root), "PM304")
    assert len(drift) == 2
    claimed, missing = sorted(drift, key=lambda d: d["column"])
    assert claimed["fix"] is not None and missing["fix"] is None
    assert fix(root, "PM304")[0] == 0
    text = (root / MATRIX).read_text()
    assert "`src/ledger.rs:7` (`TickLedger::record`) | `src/ledger.rs` (`record_works`)" in text
    assert "near `src/ledger.rs:12` (`TickLedger::record`)" in text
