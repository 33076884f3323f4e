"""Issue 3 acceptance, at the CLI: `check --format json` reports exactly the planted CI-gating defects.

The workspace is tests/fixtures/ci/workspace.txt (a Cargo workspace with core, arco-cli,
arco-flow and an excluded crate; a Python package under python/pkg with unit, integration and
e2e tests; a Go module; a Makefile; a workflow `ci.yml` with several jobs) overlaid with
tests/fixtures/ci/acceptance.txt (a Makefile whose `test` target runs `cargo test -p core`, a
second workflow `gate.yml` with a `make test` job and a `-- --ignored` job, a Go source file,
the root `.parity-lsp.toml`).

Every row of the matrix below is Implemented, has an owner, valid code paths and symbols, and
cites one (test, CI command) pair whose truth is stated in `ROWS`. So the only findings are the
planted ones, and the expected set is written from the truth, not from what the engine says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import clikit
import pytest
from rulekit import MATRIX, findings, matrix
from test_ci_verdict import write_tree

from parity_lsp.workspace.ci import DOES_NOT_RUN, RUNS, UNKNOWN, CiCitation, TestTarget, verdict
from parity_lsp.workspace.ci.explain import explain
from parity_lsp.workspace.fs import FileSystem

FIXTURES = Path(__file__).parent / "fixtures" / "ci"
CI = ".github/workflows/ci.yml"
GATE = ".github/workflows/gate.yml"

API = "crates/core/tests/api.rs"
LIB = "crates/core/src/lib.rs"
UNIT = "python/pkg/tests/unit/test_parse.py"
INTEG = "python/pkg/tests/integration/test_db.py"
STORE = "go/internal/store/store_test.go"

CORE_CODE = f"`{LIB}` (`add`)"
PY_CODE = "`python/pkg/src/pkg/__init__.py` (`parse_row`)"
GO_CODE = "`go/internal/store/store.go` (`Put`)"

EXCLUDE_BOTH = "cargo test --workspace --exclude core --exclude experimental"
SKIP_PARITY = "cargo test -p core --tests -- --skip parity_"
PYTEST_UNIT = 'uv run pytest tests/unit -k "not slow"'
GO_RUN = r"go test ./internal/... -run 'TestStore(Put\|Get)'"  # as written in the cell: `|` escaped


@dataclass(frozen=True)
class Row:
    key: str
    cap: str
    test_path: str
    test_name: str
    workflow: str
    job: str
    command: str  # exactly as written in the matrix cell
    outcome: str  # the truth for this (test, job) pair
    reason: str  # the verdict code we expect for it
    expected: tuple[tuple[str, str], ...] = ()  # (code, severity) findings on this row
    proof: str = "unit"
    code: str = CORE_CODE

    @property
    def cell_tests(self) -> str:
        return f"`{self.test_path}` (`{self.test_name}`)"

    @property
    def cell_ci(self) -> str:
        return f"`{self.workflow}` (job `{self.job}`: `{self.command}`)"

    @property
    def shell_command(self) -> str:
        return self.command.replace("\\|", "|")


ERR203 = ("PM203", "error")
HINT203 = ("PM203", "hint")
WARN403 = ("PM403", "warning")

# The truth table: one (test, CI command) pair per row.
ROWS = [
    # `--workspace --exclude core` citing a test in core: the crate is excluded.
    Row(
        "exclude_x",
        "Exclude X: core excluded",
        API,
        "test_bar",
        CI,
        "workspace",
        EXCLUDE_BOTH,
        DOES_NOT_RUN,
        "package_excluded",
        (ERR203,),
    ),
    # `--lib` citing a test in tests/: only the library's unit tests run.
    Row(
        "lib_only",
        "Lib only vs integration test",
        API,
        "test_bar",
        CI,
        "core-lib",
        "cargo test -p core --lib",
        DOES_NOT_RUN,
        "other_target",
        (ERR203,),
    ),
    # `--tests -- --skip parity_`: parity_foo is skipped, test_bar runs.
    Row(
        "skip_parity",
        "Skipped parity test",
        API,
        "parity_foo",
        CI,
        "core-tests",
        SKIP_PARITY,
        DOES_NOT_RUN,
        "skip_filter",
        (ERR203,),
    ),
    Row("skip_runs", "Not skipped test", API, "test_bar", CI, "core-tests", SKIP_PARITY, RUNS, "runs"),
    # `--test suite` citing a test of target `api` (the job's other step is `--doc`).
    Row(
        "other_target",
        "Other integration target",
        API,
        "test_bar",
        CI,
        "suite",
        "cargo test -p core --test suite",
        DOES_NOT_RUN,
        "other_target",
        (ERR203,),
    ),
    # `pytest tests/unit` (in python/pkg) citing an integration test.
    Row(
        "pytest_integ",
        "Pytest unit run vs integration test",
        INTEG,
        "test_roundtrip",
        CI,
        "python",
        PYTEST_UNIT,
        DOES_NOT_RUN,
        "outside_paths",
        (ERR203,),
        code=PY_CODE,
    ),
    # `working-directory: python/pkg` (job defaults) with a relative path: runs.
    Row(
        "pytest_workdir",
        "Pytest in working directory",
        UNIT,
        "test_parse_row",
        CI,
        "python",
        PYTEST_UNIT,
        RUNS,
        "runs",
        code=PY_CODE,
    ),
    # The step gained `--exclude experimental`: the cited command matches no step (PM403), but the
    # step does run the cited test (arco-cli's `e2e` target), so the message and fix name it.
    Row(
        "gained_exclude",
        "Step gained an exclude, test still runs",
        "crates/cli/it/e2e.rs",
        "cli_e2e",
        CI,
        "workspace",
        "cargo test --workspace --exclude core",
        RUNS,
        "runs",
        (WARN403,),
        code="`crates/cli/src/main.rs` (`main`)",
    ),
    # Same stale command citing a core test: no step runs it (PM203), and PM403 suggests no step
    # (the closest one excludes `core`).
    Row(
        "gained_exclude_core",
        "Step gained an exclude, test excluded",
        "crates/core/src/tick.rs",
        "tick_key_is_stable",
        CI,
        "workspace",
        "cargo test --workspace --exclude core",
        DOES_NOT_RUN,
        "package_excluded",
        (ERR203, WARN403),
        code="`crates/core/src/tick.rs` (`key`)",
    ),
    # go test -run 'TestStore(Put|Get)' (working-directory: go): Delete is filtered out, Put runs.
    Row(
        "go_filtered",
        "Go test filtered by -run",
        STORE,
        "TestStoreDelete",
        CI,
        "go",
        GO_RUN,
        DOES_NOT_RUN,
        "run_regex",
        (ERR203,),
        code=GO_CODE,
    ),
    Row(
        "go_runs",
        "Go test matched by -run",
        STORE,
        "TestStorePut",
        CI,
        "go",
        GO_RUN,
        RUNS,
        "runs",
        code=GO_CODE,
    ),
    # `make test` followed one level: its recipe is `cargo test -p core`.
    Row("make_runs", "Make target runs core", API, "test_bar", GATE, "make", "make test", RUNS, "runs"),
    Row(
        "make_other",
        "Make target misses flow",
        "crates/flow/tests/orchestration.rs",
        "schedule_tick_idempotency",
        GATE,
        "make",
        "make test",
        DOES_NOT_RUN,
        "other_package",
        (ERR203,),
        code="`crates/flow/src/lib.rs`",
    ),
    # A custom script is not followed: "cannot tell", at hint severity.
    Row(
        "script",
        "Custom CI script",
        API,
        "test_bar",
        CI,
        "opaque",
        "./scripts/ci.sh",
        UNKNOWN,
        "unknown_command",
        (HINT203,),
    ),
    # Requires e2e, cites a unit test (src/ of a crate) that CI does run: PM204 only.
    Row(
        "proof_level",
        "Proof level unmet",
        LIB,
        "test_add",
        CI,
        "core-lib",
        "cargo test -p core --lib",
        RUNS,
        "runs",
        (("PM204", "warning"),),
        proof="e2e",
    ),
    # An #[ignore]d test run by a `-- --ignored` step: no PM308, no PM203.
    Row(
        "ignored_run",
        "Ignored test run by --ignored",
        LIB,
        "slow_add",
        GATE,
        "ignored",
        "cargo test -p core --lib -- --ignored",
        RUNS,
        "runs",
    ),
    # The same test under a plain `--lib` step: disabled (PM308) and not run by CI (PM203).
    Row(
        "ignored_not_run",
        "Ignored test not run",
        LIB,
        "slow_add",
        CI,
        "core-lib",
        "cargo test -p core --lib",
        DOES_NOT_RUN,
        "ignored",
        (("PM308", "warning"), ERR203),
    ),
]
BY_KEY = {r.key: r for r in ROWS}
assert len(BY_KEY) == len(ROWS)

MATRIX_TEXT = matrix(
    [
        {
            "cap": r.cap,
            "feature": "CI gating",
            "status": "Implemented",
            "proof": r.proof,
            "code": r.code,
            "tests": r.cell_tests,
            "ci": r.cell_ci,
            "owner": "@core-team",
            "notes": "acceptance",
        }
        for r in ROWS
    ],
    title="# Acceptance parity matrix",
    group="## CI gating",
)
MATRIX_LINES = MATRIX_TEXT.splitlines()


def line_of(key: str) -> int:
    """1-based matrix line of a row."""
    prefix = f"| {BY_KEY[key].cap} |"
    [n] = [i + 1 for i, text in enumerate(MATRIX_LINES) if text.startswith(prefix)]
    return n


EXPECTED = {(code, line_of(r.key), severity) for r in ROWS for code, severity in r.expected}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("acceptance")
    write_tree(root, (FIXTURES / "workspace.txt").read_text())
    write_tree(root, (FIXTURES / "acceptance.txt").read_text())
    (root / MATRIX).parent.mkdir(parents=True, exist_ok=True)
    (root / MATRIX).write_text(MATRIX_TEXT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cli_run(root):
    proc = clikit.run("check", "--format", "json", cwd=root)  # in this process (tests/clikit.py)
    assert proc.stderr == "", proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def diags(cli_run):
    return cli_run[1]["diagnostics"]


def on(diags, key: str, code: str) -> dict:
    [d] = [d for d in diags if d["line"] == line_of(key) and d["code"] == code]
    return d


# --- the CLI reports exactly the planted defects -------------------------------------------------


def test_exactly_the_planted_findings(cli_run, root):
    rc, out = cli_run
    got = {(d["code"], d["line"], d["severity"]) for d in out["diagnostics"]}
    by_line = {line_of(r.key): r.key for r in ROWS}
    assert got == EXPECTED, {
        "missing": sorted((c, by_line.get(n, n), s) for c, n, s in EXPECTED - got),
        "unexpected": sorted((c, by_line.get(n, n), s) for c, n, s in got - EXPECTED),
    }
    assert len(out["diagnostics"]) == len(EXPECTED)  # no duplicates hiding behind the set
    assert all(d["path"] == MATRIX for d in out["diagnostics"])
    assert out["files_checked"] == 1 and Path(out["root"]) == root.resolve()
    counts = {s: sum(1 for *_, sev in EXPECTED if sev == s) for s in ("error", "warning", "info", "hint")}
    assert out["summary"] == counts
    assert rc == 1  # errors present, default --fail-on error


def test_every_pair_has_a_stated_truth():
    """The matrix covers each case the issue lists, and every row without findings is a `runs`."""
    keys = set(BY_KEY)
    assert {
        "exclude_x",
        "lib_only",
        "skip_parity",
        "skip_runs",
        "other_target",
        "pytest_integ",
        "pytest_workdir",
        "gained_exclude",
        "go_filtered",
        "make_runs",
        "script",
        "proof_level",
        "ignored_run",
        "ignored_not_run",
    } <= keys
    for r in ROWS:
        gated = ERR203 in r.expected or HINT203 in r.expected
        assert gated == (r.outcome != RUNS), r.key


# --- messages ------------------------------------------------------------------------------------

MESSAGES = [
    (
        "exclude_x",
        "PM203",
        ["CI does not run the cited tests", "`test_bar`", EXCLUDE_BOTH, "excludes package `core`"],
    ),
    ("lib_only", "PM203", ["`test_bar`", "`--lib`", "integration test target `api`"]),
    ("skip_parity", "PM203", ["`parity_foo`", "`--skip parity_`"]),
    ("other_target", "PM203", ["`test_bar`", "`--test suite`", "integration test target `api`"]),
    ("pytest_integ", "PM203", ["`test_roundtrip`", "`tests/unit`", "`python/pkg`", f"`{INTEG}` is outside"]),
    ("gained_exclude_core", "PM203", ["`tick_key_is_stable`", "excludes package `core`"]),
    ("go_filtered", "PM203", ["`TestStoreDelete`", "-run", "TestStore(Put|Get)", "does not match"]),
    (
        "make_other",
        "PM203",
        ["`schedule_tick_idempotency`", "`make test` runs `cargo test -p core`", "`arco-flow`"],
    ),
    ("script", "PM203", ["cannot tell", "`./scripts/ci.sh`"]),
    ("ignored_not_run", "PM203", ["`slow_add`", "ignore", "--ignored"]),
    ("ignored_not_run", "PM308", ["`slow_add` is disabled", "#[ignore"]),
    ("proof_level", "PM204", ["requires e2e", "`test_add`", f"`{LIB}`", "is unit"]),
    (
        "gained_exclude",
        "PM403",
        [
            "`cargo test --workspace --exclude core` is not run by job `workspace`",
            f"step 3 runs `{EXCLUDE_BOTH}`, which runs the cited test",
        ],
    ),
    (
        "gained_exclude_core",
        "PM403",
        [
            "`cargo test --workspace --exclude core` is not run by job `workspace`",
            "none of its steps runs the cited test",
        ],
    ),
]


@pytest.mark.parametrize("key, code, fragments", MESSAGES, ids=[f"{k}-{c}" for k, c, _ in MESSAGES])
def test_messages(diags, key, code, fragments):
    message = on(diags, key, code)["message"]
    for fragment in fragments:
        assert fragment in message, message


def test_pm403_does_not_claim_the_test_runs_when_no_step_runs_it(diags):
    assert "which runs the cited test" not in on(diags, "gained_exclude_core", "PM403")["message"]


# --- ranges --------------------------------------------------------------------------------------


def text_at(d: dict) -> str:
    assert d["line"] == d["end_line"]
    return MATRIX_LINES[d["line"] - 1][d["column"] - 1 : d["end_column"] - 1]


@pytest.mark.parametrize("d_code", ["PM203", "PM403"])
def test_gating_ranges_cover_the_cited_command(diags, d_code):
    checked = 0
    for r in ROWS:
        if any(code == d_code for code, _ in r.expected):
            assert text_at(on(diags, r.key, d_code)) == r.command, r.key
            checked += 1
    assert checked >= 2


def test_other_ranges(diags):
    assert text_at(on(diags, "proof_level", "PM204")) == "e2e"  # the Proof Level Required cell
    d = on(diags, "ignored_not_run", "PM308")
    assert text_at(d) == "slow_add"  # the symbol in the Tests cell
    assert d["column"] < on(diags, "ignored_not_run", "PM203")["column"]  # order: line, column, code


# --- PM403 fixes (unsafe: offered by the editor, `null` in JSON per docs/spec/cli.md#json-output) ----------------------


def test_pm403_fix_offers_the_step_that_runs_the_test(root, diags):
    assert on(diags, "gained_exclude", "PM403")["fix"] is None  # not safe: changes what the row claims
    found = {f.span.start: f for f in findings(root) if f.code == "PM403"}
    line_start = len("\n".join(MATRIX_LINES[: line_of("gained_exclude") - 1])) + 1
    cited = MATRIX_LINES[line_of("gained_exclude") - 1].index("`cargo test --workspace --exclude core`") + 1
    f = found[line_start + cited]
    assert f.fix is not None and not f.fix.safe
    [edit] = f.fix.edits
    assert (edit.path, edit.span, edit.content) == (MATRIX, f.span, EXCLUDE_BOTH)
    assert EXCLUDE_BOTH in f.fix.message
    assert [(r.path, r.line) for r in f.related] == [(CI, 14)]  # 0-based: ci.yml line 15, the step's run:


def test_pm403_suggests_no_step_that_does_not_run_the_test(root):
    # the closest step command excludes the very crate the cited test lives in: replacing the
    # citation with it would trade PM403 for PM203 (issue 16)
    row = line_of("gained_exclude_core")
    line_start = len("\n".join(MATRIX_LINES[: row - 1])) + 1
    [f] = [
        f
        for f in findings(root)
        if f.code == "PM403" and line_start <= f.span.start < line_start + len(MATRIX_LINES[row - 1])
    ]
    assert f.fix is None and f.alternatives == []


# --- the truth table, at the verdict level --------------------------------------------------------


@pytest.mark.parametrize("r", ROWS, ids=[r.key for r in ROWS])
def test_verdicts_match_the_truth(root, r):
    v = verdict(
        FileSystem(root),
        TestTarget(r.test_path, r.test_name),
        CiCitation(r.workflow, r.job, [r.shell_command]),
    )
    assert (v.outcome, v.code) == (r.outcome, r.reason), v.reason


# --- hover explanations ---------------------------------------------------------------------------


def test_explain_a_pair_that_runs(root):
    r = BY_KEY["skip_runs"]
    text = explain(FileSystem(root), TestTarget(API, "test_bar"), CiCitation(CI, "core-tests", [SKIP_PARITY]))
    first = text.splitlines()[0]
    assert first == f"**runs**: run by job `core-tests`, step 2 (line 31): `{r.command}` — matches `test_bar`"


def test_explain_a_pair_that_is_excluded(root):
    text = explain(FileSystem(root), TestTarget(API, "test_bar"), CiCitation(CI, "workspace", [EXCLUDE_BOTH]))
    first = text.splitlines()[0]
    assert first.startswith("**not run**: job `workspace`, step 3 (line 15) runs ")
    assert f"`{EXCLUDE_BOTH}`" in first and "excludes package `core`" in first
