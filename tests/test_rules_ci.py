"""CI and repository rules: PM203, PM204, PM401-PM403, PM501, PM601 (docs/spec/evidence.md#forms, docs/spec/rules.md, docs/spec/ci.md#gating)."""

from __future__ import annotations

import pytest
from rulekit import (
    CI_REF,
    MATRIX,
    TEST_REF,
    at,
    check,
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

WF = ".github/workflows/ci.yml"


def ci_row(cap: str, ci: str, **cells: str) -> dict:
    return {"cap": cap, "status": "Implemented", "tests": TEST_REF, "ci": ci, **cells}


# --- PM203 test-not-ci-gated / PM204 proof-level-unmet (docs/spec/ci.md#gating) ----------------------------

GATES = """
jobs:
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test -p core --doc
  integration:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test -p core --test ledger_it
"""
IT_REF = "`tests/ledger_it.rs` (`survives_restart`)"


def gated(**extra: str) -> dict:
    return {
        **sources(),
        ".github/workflows/gates.yml": GATES,
        "tests/ledger_it.rs": "#[test]\nfn survives_restart() {}\n",
        **extra,
    }


def test_pm203_cited_command_does_not_run_the_cited_test(tmp_path):
    rows = [
        ci_row("Doc only", "`.github/workflows/gates.yml` (job `docs`: `cargo test -p core --doc`)"),
        ci_row(
            "Other target",
            "`.github/workflows/gates.yml` (job `integration`: `cargo test -p core --test ledger_it`)",
        ),
    ]
    root = workspace(tmp_path, {**gated(), MATRIX: matrix(rows)})
    a, b = only(check(root), "PM203")
    assert at(a) == in_row(root, "Doc only", "cargo test -p core --doc")
    assert a["severity"] == "error"
    assert a["message"].startswith(
        "CI does not run the cited tests (`record_works`: `cargo test -p core --doc`"
    )
    assert at(b) == in_row(root, "Other target", "cargo test -p core --test ledger_it")


def test_pm203_passes_when_a_cited_command_runs_a_cited_test(tmp_path):
    rows = [
        ci_row("Unit", CI_REF),
        ci_row(
            "Integration",
            "`.github/workflows/gates.yml` (job `integration`: `cargo test -p core --test ledger_it`)",
            tests=IT_REF,
            proof="integration",
        ),
        ci_row(
            "One of two runs",
            "`.github/workflows/gates.yml` (job `docs`: `cargo test -p core --doc`)<br>" + CI_REF,
        ),
    ]
    root = workspace(tmp_path, {**gated(), MATRIX: matrix(rows)})
    assert only(check(root), "PM203") == []


def test_pm204_best_cited_test_below_required_level(tmp_path):
    rows = [
        ci_row("Unit for integration", CI_REF, proof="integration"),
        ci_row(
            "Integration for e2e",
            "`.github/workflows/gates.yml` (job `integration`: `cargo test -p core --test ledger_it`)",
            tests=IT_REF,
            proof="e2e",
        ),
    ]
    root = workspace(tmp_path, {**gated(), MATRIX: matrix(rows)})
    a, b = only(check(root), "PM204")
    assert at(a) == in_row(root, "Unit for integration", "integration", after="| Implemented |")
    assert a["severity"] == "warning"
    assert (
        a["message"]
        == "requires integration proof, but the best cited test (`record_works` in `src/ledger.rs`) is unit"
    )
    assert at(b) == in_row(root, "Integration for e2e", "e2e", after="| Implemented |")


def test_pm204_level_met_passes(tmp_path):
    rows = [
        ci_row("Unit", CI_REF, proof="unit"),
        ci_row(
            "Integration",
            "`.github/workflows/gates.yml` (job `integration`: `cargo test -p core --test ledger_it`)",
            tests=IT_REF,
            proof="integration",
        ),
        ci_row("Best of two", CI_REF, tests=f"{TEST_REF}<br>{IT_REF}", proof="integration"),
        {"cap": "Partial rows are not judged", "status": "Partial", "proof": "prod", "tests": TEST_REF},
    ]
    root = workspace(tmp_path, {**gated(), MATRIX: matrix(rows)})
    assert only(check(root), "PM204") == []


# --- PM401 workflow-not-found ---------------------------------------------------------------


def test_pm401_workflow_missing(tmp_path):
    ci = "`.github/workflows/release.yml` (job `rust`: `cargo test -p core --tests`)"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", ci)])})
    diags = check(root)
    d = one(diags, "PM401")
    assert at(d) == in_row(root, "Ticks", ".github/workflows/release.yml")
    assert d["severity"] == "error"
    assert d["message"] == "workflow `.github/workflows/release.yml` does not exist"
    assert only(diags, "PM301") == []  # a workflow path is PM401's, not PM301's


def test_pm401_broken_yaml_cannot_be_read(tmp_path):
    broken = """
        name: CI
        jobs:
          rust:
            steps:
              - run: cargo test
             bad: [
    """
    ci = "`.github/workflows/broken.yml` (job `rust`: `cargo test`)"
    root = workspace(
        tmp_path, {**sources(), ".github/workflows/broken.yml": broken, MATRIX: matrix([ci_row("Ticks", ci)])}
    )
    diags = check(root)
    d = one(diags, "PM401")
    assert at(d) == in_row(root, "Ticks", ".github/workflows/broken.yml")
    assert d["message"].startswith(
        "workflow `.github/workflows/broken.yml` cannot be read: invalid YAML (line 6)"
    )
    assert (
        only(diags, "PM402") == [] and only(diags, "PM403") == []
    )  # nothing to say about jobs of a broken file
    [f] = [f for f in findings(root) if f.code == "PM401"]
    assert [(r.path, r.line) for r in f.related] == [(".github/workflows/broken.yml", 5)]


def test_pm401_fix_follows_a_git_rename(tmp_path):
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", CI_REF)])})
    git_init(root)
    git(root, "mv", WF, ".github/workflows/rust.yml")
    git(root, "commit", "-q", "-m", "rename workflow")
    d = one(check(root), "PM401")
    assert d["fix"]["message"] == "Replace with `.github/workflows/rust.yml` (renamed in git history)"
    [edit] = d["fix"]["edits"]
    assert at(edit) == in_row(root, "Ticks", WF) and edit["content"] == ".github/workflows/rust.yml"


def test_pm401_existing_workflows_pass(tmp_path):
    rows = [
        ci_row("Ticks", CI_REF),
        ci_row("Dotted", "`./.github/workflows/ci.yml` (job `rust`: `cargo test -p core --tests`)"),
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    assert only(check(root), "PM401") == []


# --- PM402 job-not-found --------------------------------------------------------------------


def test_pm402_job_missing_with_safe_fix_for_a_near_miss(tmp_path):
    ci = f"`{WF}` (job `rusty`: `cargo test -p core --tests`)"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", ci)])})
    d = one(check(root), "PM402")
    assert at(d) == in_row(root, "Ticks", "rusty")
    assert d["severity"] == "error"
    assert d["message"] == f"job `rusty` is not in `{WF}` (jobs: `rust`, `python`)"
    assert d["fix"]["message"] == "Replace with job `rust`"
    assert d["fix"]["edits"][0]["content"] == "rust"


def test_pm402_unrelated_job_has_no_safe_fix(tmp_path):
    ci = f"`{WF}` (job `integration`: `cargo test`)"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", ci)])})
    d = one(check(root), "PM402")
    assert at(d) == in_row(root, "Ticks", "integration")
    assert d["fix"] is None


def test_pm402_job_by_id_or_by_name_passes(tmp_path):
    rows = [
        ci_row("By id", CI_REF),
        ci_row("By name", f"`{WF}` (job `Rust tests`: `cargo test -p core --tests`)"),
        ci_row("Name any case", f"`{WF}` (job `rust tests`: `cargo test -p core --tests`)"),
        ci_row("Bare job word", f"`{WF}` (job rust: `cargo test -p core --tests`)"),
        ci_row("Colon form", f"`{WF}` (`rust`: `cargo test -p core --tests`)"),
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    diags = check(root)
    assert only(diags, "PM402") == [] and only(diags, "PM403") == []


# --- PM403 command-not-in-job ---------------------------------------------------------------


def test_pm403_command_not_run_by_the_job(tmp_path):
    ci = f"`{WF}` (job `rust`: `cargo test -p other --tests`)"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", ci)])})
    d = one(check(root), "PM403")
    assert at(d) == in_row(root, "Ticks", "cargo test -p other --tests")
    assert d["severity"] == "warning"
    assert d["message"].startswith("`cargo test -p other --tests` is not run by job `rust`")
    assert d["fix"] is None  # the closest command is a guess: editor-only


def test_pm403_only_the_unmatched_command_of_several_is_reported(tmp_path):
    ci = f"`{WF}` (job `rust`: `cargo test -p core --tests` + `cargo clippy`)"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", ci)])})
    d = one(check(root), "PM403")
    assert at(d) == in_row(root, "Ticks", "cargo clippy")


@pytest.mark.parametrize(
    "cited",
    ["cargo test -p co --tests", "test -p core --tests", "cargo test -p core --lib"],
    ids=["package-prefix", "command-tail", "other-target"],
)
def test_pm403_a_textual_part_of_a_step_is_not_a_match(tmp_path, cited):
    # docs/spec/ci.md#matching: same selection options; `-p co` is another package, `--lib` another target.
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([ci_row("Ticks", f"`{WF}` (job `rust`: `{cited}`)")])}
    )
    d = one(check(root), "PM403")
    assert at(d) == in_row(root, "Ticks", cited)


def test_pm403_matching_commands_pass(tmp_path):
    rows = [
        ci_row("Exact", CI_REF),
        ci_row("Whitespace", f"`{WF}` (job `rust`: `cargo   test  -p core --tests`)"),  # folded
        ci_row("Step whitespace", f"`{WF}` (job `rust`: `cargo fmt --check`)"),  # step has `cargo   fmt`
        ci_row("Two", f"`{WF}` (job `rust`: `cargo test -p core --tests` + `cargo fmt --check`)"),
        ci_row("Wrapper", f"`{WF}` (job `python`: `pytest tests/unit`)"),  # step: python -m pytest
        ci_row("Cited wrapper", f"`{WF}` (job `rust`: `uv run cargo test -p core --tests`)"),
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    assert only(check(root), "PM403") == []


# --- PM501 governing-doc-missing ------------------------------------------------------------

GOVERNED = """
# Parity matrix

This matrix is governed by:
- `docs/parity/charter.md`
- [proof rules](proof-rules.md)

Exceptions are governed by [the audit](../audits/audit.md).
"""


def test_pm501_missing_governing_documents(tmp_path):
    text = matrix([{"cap": "Ticks"}], title=GOVERNED.strip())
    root = workspace(tmp_path, {MATRIX: text})
    diags = only(check(root), "PM501")
    assert [at(d) for d in diags] == [
        span_of(root, MATRIX, "docs/parity/charter.md"),
        span_of(root, MATRIX, "proof-rules.md"),
        span_of(root, MATRIX, "../audits/audit.md"),
    ]
    assert all(d["severity"] == "error" for d in diags)
    assert [d["message"] for d in diags] == [
        "governing document `docs/parity/charter.md` does not exist",
        "governing document `proof-rules.md` does not exist",
        "governing document `../audits/audit.md` does not exist",
    ]


def _pm501_suggestion(root):
    (f,) = [f for f in findings(root) if f.code == "PM501"]
    assert f.fix is not None and not f.fix.safe  # a similar name is a guess: never applied (issue 16)
    return f.fix


def test_pm501_near_miss_link_gets_a_suggestion(tmp_path):
    text = matrix([{"cap": "Ticks"}], title="# M\n\nThis matrix is governed by [the charter](chartr.md).")
    root = workspace(tmp_path, {MATRIX: text, "docs/parity/charter.md": "# Charter\n"})
    d = one(check(root), "PM501")
    assert at(d) == span_of(root, MATRIX, "chartr.md") and d["fix"] is None
    assert _pm501_suggestion(root).edits[0].content == "charter.md"


def test_pm501_near_miss_root_relative_path_gets_a_suggestion(tmp_path):
    text = matrix([{"cap": "Ticks"}], title="# M\n\nThis matrix is governed by:\n- `docs/parity/chartr.md`")
    root = workspace(tmp_path, {MATRIX: text, "docs/parity/charter.md": "# Charter\n"})
    assert _pm501_suggestion(root).edits[0].content == "docs/parity/charter.md"


def test_pm501_existing_governing_documents_pass(tmp_path):
    text = matrix([{"cap": "Ticks"}], title=GOVERNED.strip())
    root = workspace(
        tmp_path,
        {
            MATRIX: text,
            "docs/parity/charter.md": "# c\n",
            "docs/parity/proof-rules.md": "# p\n",
            "docs/audits/audit.md": "# a\n",
        },
    )
    assert only(check(root), "PM501") == []


# --- PM601 evidence-changed -----------------------------------------------------------------


def _changed_repo(tmp_path):
    rows = [
        {"cap": "File", "code": "`src/ledger.rs:7` (`TickLedger::record`)"},
        {"cap": "Dir", "code": "`py/`"},
        {"cap": "Link", "code": "[lib](../../src/lib.rs)"},
        {"cap": "Untouched", "code": "`Cargo.toml`"},
        {"cap": "New", "code": "`src/store.rs`"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    git_init(root)
    (root / "src/ledger.rs").write_text((root / "src/ledger.rs").read_text() + "\n// touched\n")
    (root / "py/runs.py").write_text((root / "py/runs.py").read_text() + "\n# touched\n")
    (root / "src/lib.rs").write_text("pub mod ledger;\npub mod store;\n")
    (root / "src/store.rs").write_text("pub fn store() {}\n")  # untracked
    return root


def test_pm601_cited_files_changed_since_revision(tmp_path):
    root = _changed_repo(tmp_path)
    diags = only(check(root, changed_since="HEAD"), "PM601")
    assert [at(d) for d in diags] == [
        in_row(root, "File", "src/ledger.rs"),
        in_row(root, "Dir", "py/"),
        in_row(root, "Link", "../../src/lib.rs"),
        in_row(root, "New", "src/store.rs"),
    ]
    assert all(d["severity"] == "info" for d in diags)
    assert diags[0]["message"] == "`src/ledger.rs` changed since `HEAD`: review this claim"


def test_pm601_only_with_changed_since_and_not_for_unchanged_files(tmp_path):
    root = _changed_repo(tmp_path)
    assert only(check(root), "PM601") == []
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "second")
    assert only(check(root, changed_since="HEAD"), "PM601") == []
    rows = {d["line"] for d in only(check(root, changed_since="HEAD~1"), "PM601")}
    assert rows == {in_row(root, c, "|")["line"] for c in ("File", "Dir", "Link", "New")}
