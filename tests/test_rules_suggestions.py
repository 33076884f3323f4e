"""Issue 16, item 3: a suggestion must be one that would make the finding go away, best first.

- PM403 never suggests a step command that does not run the cited test (one that `--exclude`s
  the test's crate); among those that run it, the one running the most cited tests and most like
  the cited command comes first;
- a near-miss test name (PM305) says "did you mean `…`?" and the editor offers "Replace with"
  before "Downgrade to Partial";
- PM402 suggests a job *id*, as its message lists ids; the job that runs the cited command first;
- PM401 suggests a workflow that has the cited job.
"""

from __future__ import annotations

from rulekit import MATRIX, check, findings, matrix, one, workspace

from parity_lsp.analysis import Analysis
from parity_lsp.features.actions import QUICKFIX, code_actions
from parity_lsp.text import Span

WF = ".github/workflows/ci.yml"
MONOREPO = {
    ".parity-lsp.toml": "",
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "crates/flow/Cargo.toml": '[package]\nname = "flow"\nversion = "0.1.0"\n',
    "crates/flow/src/lib.rs": "pub fn select() {}\n",
    "crates/flow/tests/backfill_tests.rs": (
        "#[test]\nfn test_range_selector_counts() {}\n\n#[test]\nfn test_filter_selector_counts() {}\n"
    ),
    "crates/catalog/Cargo.toml": '[package]\nname = "catalog"\nversion = "0.1.0"\n',
    "crates/catalog/src/lib.rs": "pub fn write_sensor_state() {}\n",
    "crates/catalog/tests/catalog_tests.rs": "#[test]\nfn writes_sensor_state() {}\n",
}
CATALOG_TEST = "`crates/catalog/tests/catalog_tests.rs` (`writes_sensor_state`)"


def _workflow(*steps: str, job: str = "rust-tests", name: str = "Rust tests") -> str:
    runs = "".join(f"      - run: {s}\n" for s in steps)
    return (
        f"name: CI\non: [pull_request]\njobs:\n  {job}:\n    name: {name}\n    runs-on: ubuntu-latest\n"
        f"    steps:\n      - uses: actions/checkout@v4\n{runs}"
        "  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo clippy --workspace\n"
    )


def _row(tests: str, ci: str, **kw: str) -> dict[str, str]:
    return {"cap": "Catalog", "status": "Implemented", "proof": "integration", "tests": tests, "ci": ci, **kw}


def _unsafe(root, code: str):
    """(fix, alternatives) of the one finding of `code`; every one a suggestion."""
    (f,) = [f for f in findings(root) if f.code == code]
    assert f.fix is None or not f.fix.safe
    assert all(not a.safe for a in f.alternatives)
    return f


# --- PM403 ----------------------------------------------------------------------------------


def test_pm403_never_suggests_a_command_that_excludes_the_tests_crate(tmp_path):
    ci = f"`{WF}` (job `rust-tests`: `cargo test -p catalog`)"
    files = {
        **MONOREPO,
        WF: _workflow("cargo test --workspace --exclude catalog"),
        MATRIX: matrix([_row(CATALOG_TEST, ci)]),
    }
    root = workspace(tmp_path, files)
    d = one(check(root), "PM403")
    assert d["message"] == (
        "`cargo test -p catalog` is not run by job `rust-tests`, and none of its steps runs the cited test"
    )
    f = _unsafe(root, "PM403")
    assert f.fix is None and f.alternatives == []


def test_pm403_suggests_the_step_that_runs_the_test_even_when_another_looks_closer(tmp_path):
    ci = f"`{WF}` (job `rust-tests`: `cargo test --workspace --exclude flow`)"
    wf = _workflow("cargo test --workspace --exclude catalog", "cargo test -p catalog --tests")
    root = workspace(tmp_path, {**MONOREPO, WF: wf, MATRIX: matrix([_row(CATALOG_TEST, ci)])})
    d = one(check(root), "PM403")
    assert d["message"] == (
        "`cargo test --workspace --exclude flow` is not run by job `rust-tests`; "
        "step 3 runs `cargo test -p catalog --tests`, which runs the cited test"
    )
    f = _unsafe(root, "PM403")
    assert [x.message for x in [f.fix, *f.alternatives]] == ["Replace with `cargo test -p catalog --tests`"]


def test_pm403_puts_the_command_running_every_cited_test_first(tmp_path):
    tests = f"{CATALOG_TEST}<br>`crates/flow/tests/backfill_tests.rs` (`test_range_selector_counts`)"
    ci = f"`{WF}` (job `rust-tests`: `cargo test -p catalog --lib`)"
    wf = _workflow(
        "cargo test -p catalog --tests", "cargo test --workspace --tests", "cargo test -p flow --tests"
    )
    root = workspace(tmp_path, {**MONOREPO, WF: wf, MATRIX: matrix([_row(tests, ci)])})
    f = _unsafe(root, "PM403")
    assert [x.message for x in [f.fix, *f.alternatives]] == [
        "Replace with `cargo test --workspace --tests`",  # runs both cited tests
        "Replace with `cargo test -p catalog --tests`",  # runs one, and is most like the citation
        "Replace with `cargo test -p flow --tests`",
    ]


# --- PM305 (and PM303): did you mean ---------------------------------------------------------


def test_a_one_letter_test_typo_says_did_you_mean_and_offers_the_name_before_a_downgrade(tmp_path):
    tests = "`crates/flow/tests/backfill_tests.rs` (`test_range_selector_count`)"
    ci = f"`{WF}` (job `rust-tests`: `cargo test -p flow --tests`)"
    files = {**MONOREPO, WF: _workflow("cargo test -p flow --tests"), MATRIX: matrix([_row(tests, ci)])}
    root = workspace(tmp_path, files)
    d = one(check(root), "PM305")
    assert d["message"] == (
        "test `test_range_selector_count` is not defined in `crates/flow/tests/backfill_tests.rs` "
        "(did you mean `test_range_selector_counts`?)"
    )
    analysis = Analysis(root)
    analysis.check_all()
    m = analysis.check(MATRIX).matrix
    at = m.text.index("test_range_selector_count")
    titles = [a.title for a in code_actions(m, analysis.findings(MATRIX), Span(at, at), only=[QUICKFIX])]
    assert titles == [
        "Replace with `test_range_selector_counts`",
        "Replace with `test_filter_selector_counts`",
        "Downgrade to Partial",  # a claim change: last
    ]


def test_a_near_miss_member_is_replaced_without_losing_its_type(tmp_path):
    code = "`crates/flow/src/store.rs` (`TickStore::recrd`)"
    store = "pub struct TickStore;\n\nimpl TickStore {\n    pub fn record(&self) {}\n}\n"
    root = workspace(
        tmp_path,
        {**MONOREPO, "crates/flow/src/store.rs": store, MATRIX: matrix([{"cap": "S", "code": code}])},
    )
    assert one(check(root), "PM303")["message"].endswith("(did you mean `record`?)")
    f = _unsafe(root, "PM303")
    (edit,) = f.fix.edits
    text = (root / MATRIX).read_text()
    assert text[edit.span.start : edit.span.end] == "recrd" and edit.content == "record"


def test_a_used_name_gets_no_similar_name_suggestion(tmp_path):
    # `sensor_state` is written in the file (a table name): not a typo of `write_sensor_state`
    lib = "pub fn write_sensor_state() {\n    let sensor_state = 1;\n}\n"
    code = "`crates/catalog/src/lib.rs` (`sensor_state`)"
    root = workspace(
        tmp_path, {**MONOREPO, "crates/catalog/src/lib.rs": lib, MATRIX: matrix([{"cap": "S", "code": code}])}
    )
    d = one(check(root), "PM303")
    assert d["severity"] == "info" and "did you mean" not in d["message"]
    f = _unsafe(root, "PM303")
    assert f.fix is None and f.alternatives == []


# --- PM402 / PM401 -------------------------------------------------------------------------


def test_pm402_suggests_a_job_id_as_its_message_lists_ids(tmp_path):
    # `tests` is most like the *name* `Rust tests`; the citation must say the id, `rust`
    ci = f"`{WF}` (job `tests`: `cargo test -p catalog --tests`)"
    wf = _workflow("cargo test -p catalog --tests", job="rust", name="Rust tests")
    root = workspace(tmp_path, {**MONOREPO, WF: wf, MATRIX: matrix([_row(CATALOG_TEST, ci)])})
    d = one(check(root), "PM402")
    assert d["message"] == f"job `tests` is not in `{WF}` (jobs: `rust`, `lint`)"
    f = _unsafe(root, "PM402")
    assert f.fix.message == "Replace with job `rust`" and f.fix.edits[0].content == "rust"


def test_pm402_puts_the_job_running_the_cited_command_first(tmp_path):
    # `lint` is the closer name, but only `rust-tests` runs the command
    ci = f"`{WF}` (job `lints`: `cargo test -p catalog --tests`)"
    wf = _workflow("cargo test -p catalog --tests")
    root = workspace(tmp_path, {**MONOREPO, WF: wf, MATRIX: matrix([_row(CATALOG_TEST, ci)])})
    f = _unsafe(root, "PM402")
    assert [x.message for x in [f.fix, *f.alternatives]] == [
        "Replace with job `rust-tests`",
        "Replace with job `lint`",
    ]
    assert one(check(root), "PM402")["fix"] is None  # `lints` → `rust-tests` is no near-certain rename


def test_pm401_suggests_the_workflow_that_has_the_cited_job(tmp_path):
    ci = "`.github/workflows/test.yml` (job `rust-tests`: `cargo test -p catalog --tests`)"
    files = {
        **MONOREPO,
        ".github/workflows/tests.yml": "on: [push]\njobs:\n  docs:\n    runs-on: x\n    steps:\n      - run: mdbook build\n",
        WF: _workflow("cargo test -p catalog --tests"),
        MATRIX: matrix([_row(CATALOG_TEST, ci)]),
    }
    root = workspace(tmp_path, files)
    f = _unsafe(root, "PM401")
    # `tests.yml` is the more similar name, but has no job `rust-tests`: second
    assert [x.message for x in [f.fix, *f.alternatives]] == [
        f"Replace with `{WF}`",
        "Replace with `.github/workflows/tests.yml`",
    ]
