"""Status rules: PM201, PM202, PM205, PM206, PM207 (docs/spec/rules.md)."""

from __future__ import annotations

import pytest
from rulekit import (
    CI_REF,
    MATRIX,
    TEST_REF,
    at,
    check,
    findings,
    in_row,
    matrix,
    one,
    only,
    sources,
    workspace,
)

EXCEPTIONS = """
# Exceptions to parity

| Id | Capability | Decision |
|---|---|---|
| EX-01 | Asset checks UI | Out of scope |
| EX-02 | GraphQL API | Replaced by REST |
"""
EXC_DOC = "docs/audits/parity-exceptions.md"


def implemented(cap: str, **cells: str) -> dict:
    return {"cap": cap, "status": "Implemented", "tests": TEST_REF, "ci": CI_REF, **cells}


# --- PM201 implemented-without-tests --------------------------------------------------------


def test_pm201_no_test_cited(tmp_path):
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([implemented("Ticks", tests="Missing proof: none yet")])}
    )
    d = one(check(root), "PM201")
    assert at(d) == in_row(root, "Ticks", "Missing proof: none yet")
    assert d["severity"] == "error"
    assert d["message"] == "Implemented row cites no proving test in Evidence (Tests)"
    assert d["fix"] is None  # the downgrade changes the claim: editor-only


def test_pm201_downgrade_is_offered_but_unsafe(tmp_path):
    root = workspace(
        tmp_path, {**sources(), MATRIX: matrix([implemented("Ticks", status="**Implemented**", tests="")])}
    )
    [f] = [f for f in findings(root) if f.code == "PM201"]
    assert f.fix is not None and not f.fix.safe and f.fix.message == "Downgrade to Partial"
    [edit] = f.fix.edits
    text = (root / MATRIX).read_text()
    assert text[edit.span.start : edit.span.end] == "Implemented" and edit.content == "Partial"


def test_pm201_every_cited_test_missing(tmp_path):
    tests = "`src/ledger.rs` (`no_such_test`)<br>`tests/gone.rs` (`x`)"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([implemented("Ticks", tests=tests)])})
    d = one(check(root), "PM201")
    assert at(d) == in_row(root, "Ticks", tests)
    assert d["message"] == "Implemented row has no proving test that resolves (every cited test is missing)"


def test_pm201_test_under_forbidden_glob_does_not_count(tmp_path):
    files = {**sources(), "docs/plans/test_plan.py": "def test_x():\n    pass\n"}
    root = workspace(
        tmp_path,
        {**files, MATRIX: matrix([implemented("Ticks", tests="`docs/plans/test_plan.py` (`test_x`)")])},
    )
    assert one(check(root), "PM201")["message"].startswith(
        "Implemented row has no proving test that resolves"
    )


def test_pm201_passes_with_one_resolving_test_or_a_bare_test_file(tmp_path):
    rows = [
        implemented("Named", tests=f"`src/ledger.rs` (`gone`)<br>{TEST_REF}"),
        implemented("File only", tests="`py/runs.py`"),
        implemented("Class method", tests="`py/runs.py` (`TestRunTable::test_render`)"),
        {"cap": "Partial rows are not checked", "status": "Partial", "tests": ""},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    assert only(check(root), "PM201") == []


def test_pm201_path_named_in_missing_proof_cell_is_not_proof(tmp_path):
    # The cell says in words that the proof is missing; the test file it mentions exists but
    # that is not a citation of a proving test.
    tests = "Missing proof: `py/runs.py` has no test for this yet"
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([implemented("Ticks", tests=tests)])})
    d = one(check(root), "PM201")
    assert at(d) == in_row(root, "Ticks", tests)


# --- PM202 implemented-without-ci -----------------------------------------------------------


@pytest.mark.parametrize(
    "ci, message",
    [
        ("", "Implemented row cites no CI workflow, job and command in Evidence (CI)"),
        ("`cargo test -p core --tests`", "CI reference names a command but no workflow file and job"),
        (
            "`.github/workflows/ci.yml`",
            "CI reference `.github/workflows/ci.yml` names no job and command: add (job `ID`: `COMMAND`) after it",
        ),
        (
            "`.github/workflows/ci.yml` (job `rust`)",
            "CI reference `.github/workflows/ci.yml` names job `rust` but no command",
        ),
    ],
    ids=["empty", "command-only", "workflow-only", "job-without-command"],
)
def test_pm202_incomplete_ci_reference(tmp_path, ci, message):
    root = workspace(tmp_path, {**sources(), MATRIX: matrix([implemented("Ticks", ci=ci)])})
    d = one(check(root), "PM202")
    if ci:
        assert at(d) == in_row(root, "Ticks", ci)
    else:
        pos = in_row(root, "Ticks", "| @team")  # an empty cell: shown from its opening to its closing pipe
        assert (d["line"], d["column"], d["end_column"]) == (
            pos["line"],
            pos["column"] - 3,
            pos["column"] + 1,
        )
    assert d["severity"] == "error"
    assert d["message"] == message


def test_pm202_passes_with_workflow_job_and_command(tmp_path):
    rows = [
        implemented("Ticks"),
        implemented(
            "Two commands",
            ci="`.github/workflows/ci.yml` (job `rust`: `cargo test -p core --tests` + `cargo fmt --check`)",
        ),
        {"cap": "Designed rows are not checked", "status": "Designed", "ci": ""},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    assert only(check(root), "PM202") == []


# --- PM205 not-shipped ----------------------------------------------------------------------


def test_pm205_designed_and_planned_rows_presented_as_shipped(tmp_path):
    rows = [
        {"cap": "Cursor store", "status": "Designed", "notes": "✅ in v2"},
        {"cap": "Backfills", "status": "Planned", "notes": "Done last sprint"},
    ]
    root = workspace(tmp_path, {MATRIX: matrix(rows)})
    a, b = only(check(root), "PM205")
    assert at(a) == in_row(root, "Cursor store", "✅")
    assert a["severity"] == "warning"
    assert (
        a["message"] == "Designed row is presented as shipped (`✅`): Designed/Planned is not shipped parity"
    )
    assert at(b) == in_row(root, "Backfills", "Done")
    assert (
        b["message"] == "Planned row is presented as shipped (`Done`): Designed/Planned is not shipped parity"
    )


def test_pm205_passes_for_negations_and_for_shipped_statuses(tmp_path):
    rows = [
        {"status": "Planned", "notes": "not done"},
        {"status": "Designed", "notes": "undone work; GAs are not a word"},
        {"status": "Implemented", "tests": TEST_REF, "ci": CI_REF, "notes": "✅ shipped"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    assert only(check(root), "PM205") == []


def test_pm205_not_yet_shipped_is_a_negation(tmp_path):
    root = workspace(
        tmp_path, {MATRIX: matrix([{"cap": "Backfills", "status": "Planned", "notes": "not yet shipped"}])}
    )
    assert only(check(root), "PM205") == []


# --- PM206 exception-unreferenced ----------------------------------------------------------


def test_pm206_exception_row_without_doc_or_id(tmp_path):
    root = workspace(
        tmp_path,
        {
            EXC_DOC: EXCEPTIONS,
            MATRIX: matrix([{"cap": "Backfill UI", "status": "Exception", "notes": "Decided in a meeting"}]),
        },
    )
    d = one(check(root), "PM206")
    assert at(d) == in_row(root, "Backfill UI", "Exception")
    assert d["severity"] == "error"
    assert d["message"] == f"Exception row does not point to `{EXC_DOC}` or cite an exception id"


def test_pm206_message_names_the_glob_when_no_exceptions_doc_exists(tmp_path):
    root = workspace(tmp_path, {MATRIX: matrix([{"cap": "Backfill UI", "status": "Exception"}])})
    d = one(check(root), "PM206")
    assert d["message"] == (
        "Exception row does not point to the exceptions document (`docs/audits/*exception*.md`) or cite an exception id"
    )


def test_pm206_passes_with_id_or_path_to_the_exceptions_doc(tmp_path):
    rows = [
        {"status": "Exception", "notes": "See EX-01"},
        {"status": "Exception", "code": f"`{EXC_DOC}`"},
        {"status": "Exception", "notes": f"see `{EXC_DOC}`"},
        {"status": "Partial", "notes": "no id needed"},
    ]
    root = workspace(tmp_path, {EXC_DOC: EXCEPTIONS, MATRIX: matrix(rows)})
    assert only(check(root), "PM206") == []


def test_pm206_link_to_exceptions_doc_in_notes_counts(tmp_path):
    rows = [
        {"cap": "Backfill UI", "status": "Exception", "notes": "[decision](../audits/parity-exceptions.md)"}
    ]
    root = workspace(tmp_path, {EXC_DOC: EXCEPTIONS, MATRIX: matrix(rows)})
    assert only(check(root), "PM206") == []


# --- PM207 exception-unknown-id -------------------------------------------------------------


def test_pm207_undeclared_id(tmp_path):
    rows = [{"cap": "GraphQL", "status": "Exception", "notes": "Replaced; see EX-07"}]
    root = workspace(tmp_path, {EXC_DOC: EXCEPTIONS, MATRIX: matrix(rows)})
    d = one(check(root), "PM207")
    assert at(d) == in_row(root, "GraphQL", "EX-07")
    assert d["severity"] == "error"
    assert d["message"] == f"exception id `EX-07` is not declared in `{EXC_DOC}`"
    assert d["fix"] is None  # a guess at another id is never applied automatically
    [f] = [f for f in findings(root) if f.code == "PM207"]
    assert f.fix is not None and not f.fix.safe
    assert [(r.path, r.line) for r in f.related] == [(EXC_DOC, 4)]  # where EX-01/EX-02 is declared (0-based)


def test_pm207_id_cannot_be_checked_without_exceptions_doc(tmp_path):
    root = workspace(
        tmp_path, {MATRIX: matrix([{"cap": "Checks UI", "status": "Exception", "notes": "See EX-01"}])}
    )
    d = one(check(root), "PM207")
    assert at(d) == in_row(root, "Checks UI", "EX-01")
    assert (
        d["message"]
        == "exception id `EX-01` cannot be checked: no exceptions document matches `docs/audits/*exception*.md`"
    )


def test_pm207_declared_ids_pass_in_any_cell(tmp_path):
    rows = [
        {"status": "Exception", "notes": "See EX-01"},
        {"status": "Exception", "feature": "EX-02 REST API", "notes": "and EX-01"},
    ]
    root = workspace(tmp_path, {EXC_DOC: EXCEPTIONS, MATRIX: matrix(rows)})
    diags = check(root)
    assert only(diags, "PM207") == [] and only(diags, "PM206") == []


def test_pm207_pattern_anchored_to_the_cell_start_is_searched_cell_by_cell(tmp_path):
    # `^` anchors to the start of a cell's text: the whole-row pre-search would never match it
    rows = [{"cap": "Waived", "status": "Exception", "notes": "WAIVER-7 pending"}]
    root = workspace(tmp_path, {"docs/audits/exceptions.md": "WAIVER-1 only\n", MATRIX: matrix(rows)})
    d = one(check(root, exception_id_pattern=r"^WAIVER-\d+"), "PM207")
    assert at(d) == in_row(root, "Waived", "WAIVER-7")


def test_pm207_custom_id_pattern(tmp_path):
    rows = [{"cap": "Waived", "status": "Exception", "notes": "WAIVER-7, EX-99"}]
    root = workspace(tmp_path, {"docs/audits/exceptions.md": "WAIVER-1 only\n", MATRIX: matrix(rows)})
    d = one(check(root, exception_id_pattern=r"WAIVER-\d+"), "PM207")
    assert at(d) == in_row(root, "Waived", "WAIVER-7")


def test_pm207_ids_are_whole_words(tmp_path):
    # the row is pre-searched without word boundaries (fast); only whole-word ids count
    rows = [
        {"cap": "Glued", "status": "Exception", "notes": "REX-07 and EX-07x2 are not ids; see EX-01"},
        {"cap": "Punctuated", "status": "Exception", "notes": "(EX-09), see EX-01"},
    ]
    root = workspace(tmp_path, {EXC_DOC: EXCEPTIONS, MATRIX: matrix(rows)})
    d = one(check(root), "PM207")
    assert at(d) == in_row(root, "Punctuated", "EX-09")
    assert d["message"] == f"exception id `EX-09` is not declared in `{EXC_DOC}`"
