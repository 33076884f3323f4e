"""The CI-gating verdict (docs/spec/ci.md#gating, issue 3) on a real workspace written to disk.

The fixture (tests/fixtures/ci/workspace.txt) holds a Cargo workspace (core, arco-cli, arco-flow,
an excluded crate), a Python package with unit/integration/e2e tests under python/pkg, a Go
module, a Makefile, a package.json and a workflow with several jobs. Each case states the truth
for one (test, job or command) pair.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from parity_lsp.workspace.ci import (
    DOES_NOT_RUN,
    RUNS,
    UNKNOWN,
    CiCitation,
    TestTarget,
    command_runs_test,
    explain,
    match_cited_commands,
    verdict,
)
from parity_lsp.workspace.ci.workflows import find_job, load_workflow
from parity_lsp.workspace.fs import FileSystem

FIXTURE = Path(__file__).parent / "fixtures" / "ci" / "workspace.txt"
CI = ".github/workflows/ci.yml"


def write_tree(root: Path, text: str) -> None:
    """Write a '=== PATH' multi-file fixture under `root`."""
    path, buf = None, []

    def flush() -> None:
        if path:
            p = root / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("".join(buf))

    for line in text.splitlines(keepends=True):
        if line.startswith("=== "):
            flush()
            path, buf = line[4:].strip(), []
        elif path is not None:
            buf.append(line)
    flush()


@pytest.fixture(scope="module")
def fs(tmp_path_factory) -> FileSystem:
    root = tmp_path_factory.mktemp("ws")
    write_tree(root, FIXTURE.read_text())
    return FileSystem(root)


def make_fs(root: Path, files: dict[str, str]) -> FileSystem:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(content).lstrip("\n"))
    return FileSystem(root)


API = "crates/core/tests/api.rs"
LIB = "crates/core/src/lib.rs"
UNIT = "python/pkg/tests/unit/test_parse.py"
INTEG = "python/pkg/tests/integration/test_db.py"
E2E = "python/pkg/tests/e2e/test_flow_e2e.py"
STORE = "go/internal/store/store_test.go"

# --- job-level truth table ---------------------------------------------------------------------

JOB_CASES = [
    # --workspace --exclude core, citing a test in core
    (API, "test_bar", "workspace", DOES_NOT_RUN, "package_excluded"),
    ("crates/cli/it/e2e.rs", "cli_e2e", "workspace", RUNS, "runs"),
    ("crates/flow/tests/orchestration.rs", "schedule_tick_idempotency", "Workspace tests", RUNS, "runs"),
    ("crates/flow/src/lib.rs", "flow_unit", "workspace", DOES_NOT_RUN, "other_target"),  # [lib] test = false
    (
        "crates/flow/tests/legacy.rs",
        "legacy_test",
        "workspace",
        DOES_NOT_RUN,
        "no_target",
    ),  # autotests = false
    ("crates/experimental/src/lib.rs", "exp", "workspace", DOES_NOT_RUN, "other_workspace"),
    # --lib, citing a tests/ test
    (API, "test_bar", "core-lib", DOES_NOT_RUN, "other_target"),
    (LIB, "test_add", "core-lib", RUNS, "runs"),
    (LIB, "slow_add", "core-lib", DOES_NOT_RUN, "ignored"),
    # --tests -- --skip parity_: parity_foo does not run, test_bar does
    (API, "parity_foo", "core-tests", DOES_NOT_RUN, "skip_filter"),
    (API, "test_bar", "core-tests", RUNS, "runs"),
    (API, "test_bar", "Core Tests", RUNS, "runs"),  # by name:, case-insensitive
    ("crates/core/src/tick.rs", "tick_key_is_stable", "core-tests", RUNS, "runs"),  # --tests includes the lib
    # --test NAME vs a different file
    (API, "test_bar", "suite", DOES_NOT_RUN, "other_target"),
    ("crates/core/tests/suite/helpers.rs", "helper_case", "suite", RUNS, "runs"),
    # pytest tests/unit (working-directory: python/pkg) citing unit and integration tests
    (UNIT, "test_parse_row", "python", RUNS, "runs"),
    (UNIT, "TestRows::test_empty", "python", RUNS, "runs"),
    (UNIT, "test_big", "python", DOES_NOT_RUN, "k_expression"),  # -k "not slow" matches the `slow` marker
    (INTEG, "test_roundtrip", "python", DOES_NOT_RUN, "outside_paths"),
    (INTEG, "test_roundtrip", "python-integration", RUNS, "runs"),
    (INTEG, "test_skipped", "python-integration", DOES_NOT_RUN, "ignored"),
    (UNIT, "test_parse_row", "python-integration", DOES_NOT_RUN, "outside_paths"),
    # go test ./internal/... -run 'TestStore(Put|Get)' in go/
    (STORE, "TestStorePut", "go", RUNS, "runs"),
    (STORE, "TestStoreDelete", "go", DOES_NOT_RUN, "run_regex"),
    ("go/cmd/arco/main_test.go", "TestCLI", "go", DOES_NOT_RUN, "go_package"),
    ("go/internal/store/integration_test.go", "TestStoreIntegration", "go", DOES_NOT_RUN, "build_tags"),
    # matrix expansion: crate in [core, arco-cli] with --lib
    (LIB, "test_add", "matrix", RUNS, "runs"),
    ("crates/cli/src/main.rs", "parses_args", "matrix", DOES_NOT_RUN, "other_target"),  # arco-cli has no lib
    ("crates/flow/src/lib.rs", "flow_unit", "matrix", DOES_NOT_RUN, "other_package"),
    # ${{ inputs.crate }}: unknown
    (LIB, "test_add", "dynamic", UNKNOWN, "expression"),
    # make / npm one level down
    (INTEG, "test_roundtrip", "followed", RUNS, "runs"),
    (E2E, "test_full_flow", "followed", RUNS, "runs"),
    (UNIT, "test_parse_row", "followed", DOES_NOT_RUN, "outside_paths"),
    # an opaque script: unknown, not an error
    (API, "test_bar", "opaque", UNKNOWN, "unknown_command"),
    # a Python test cited against a Rust-only job
    (UNIT, "test_parse_row", "core-lib", DOES_NOT_RUN, "wrong_language"),
]


@pytest.mark.parametrize(
    "path, name, job, outcome, code",
    JOB_CASES,
    ids=[f"{c[0].rsplit('/', 1)[-1]}::{c[1]}@{c[2]}" for c in JOB_CASES],
)
def test_job_verdicts(fs, path, name, job, outcome, code):
    v = verdict(fs, TestTarget(path, name), CiCitation(CI, job, []))
    assert (v.outcome, v.code) == (outcome, code), v.reason


def test_runs_reports_the_step(fs):
    v = verdict(fs, TestTarget(API, "test_bar"), CiCitation(CI, "core-tests", ["cargo test -p core --tests"]))
    assert v.runs
    assert (v.job, v.step_index, v.step_line, v.command_line) == ("core-tests", 2, 27, 30)
    assert v.step_name == "Integration tests without parity"
    assert v.command == "cargo test -p core --tests -- --skip parity_"
    assert v.test_name == "test_bar"
    assert v.cited[0].matched and v.cited[0].matched[0].text == v.command


def test_the_cited_step_command_is_judged_first_then_test_runners(fs):
    # the job runs `--test suite`, then `--doc`; the row cites the second
    v = verdict(fs, TestTarget(API, "test_bar"), CiCitation(CI, "suite", ["cargo test -p core --doc"]))
    assert v.outcome == DOES_NOT_RUN
    assert [d.command for d in v.details] == ["cargo test -p core --doc", "cargo test -p core --test suite"]
    # judging stops at the first command that runs the test: the cited one, when it does
    v = verdict(
        fs,
        TestTarget("crates/core/tests/suite/main.rs", "suite_case"),
        CiCitation(CI, "suite", ["cargo test -p core --test suite"]),
    )
    assert v.runs and [d.command for d in v.details] == ["cargo test -p core --test suite"]


def test_runs_reports_the_working_directory(fs):
    v = verdict(
        fs, TestTarget(UNIT, "test_parse_row"), CiCitation(CI, "python", ["uv run pytest tests/unit"])
    )
    assert v.runs and v.working_directory == "python/pkg" and v.step_index == 3


def test_any_job_when_no_job_is_named(fs):
    v = verdict(fs, TestTarget(API, "parity_foo"), CiCitation(CI, None, []))
    assert v.outcome == UNKNOWN  # no job runs it for sure, and ./scripts/ci.sh might
    v = verdict(fs, TestTarget(STORE, "TestStoreGet"), CiCitation(CI, None, []))
    assert v.runs and v.job == "go"


# --- the citation itself -----------------------------------------------------------------------


def test_workflow_missing(fs):
    v = verdict(fs, TestTarget(API, "test_bar"), CiCitation(".github/workflows/nope.yml", "test", []))
    assert (v.outcome, v.code) == (UNKNOWN, "workflow_missing")
    assert "does not exist" in v.reason


def test_workflow_cannot_be_read(tmp_path):
    fs = make_fs(tmp_path, {".github/workflows/ci.yml": "jobs:\n  test:\n    steps: [\n"})
    v = verdict(fs, TestTarget("t.py", "test_x"), CiCitation(".github/workflows/ci.yml", "test", []))
    assert (v.outcome, v.code) == (UNKNOWN, "workflow_error")
    assert "cannot be read: invalid YAML (line 4)" in v.reason


def test_workflow_outside_workspace(fs):
    v = verdict(fs, TestTarget(API, "test_bar"), CiCitation("../ci.yml", "test", []))
    assert v.code == "workflow_missing"


def test_job_not_found_names_the_nearest(fs):
    v = verdict(fs, TestTarget(API, "test_bar"), CiCitation(CI, "core-test", []))
    assert (v.outcome, v.code, v.nearest_job) == (UNKNOWN, "job_not_found", "core-tests")


def test_cited_command_whose_step_gained_an_exclude(fs):
    """PM403: the job's step now also excludes `experimental`; the citation no longer matches."""
    job = find_job(load_workflow(fs, CI), "workspace")
    [m] = match_cited_commands(job, ["cargo test --workspace --exclude core"])
    assert m.matched == []
    assert m.closest == "cargo test --workspace --exclude core --exclude experimental"
    [ok] = match_cited_commands(job, ["cargo test --workspace --exclude core --exclude experimental"])
    assert [c.step.index for c in ok.matched] == [3]


def test_cited_commands_match_with_wrappers_and_matrix(fs):
    wf = load_workflow(fs, CI)
    [m] = match_cited_commands(find_job(wf, "python"), ['pytest tests/unit -k "not slow"'])
    assert m.matched
    [m] = match_cited_commands(find_job(wf, "matrix"), ["cargo test -p arco-cli --lib"])
    assert [c.matrix_values for c in m.matched] == [{"crate": "arco-cli"}]
    [m] = match_cited_commands(find_job(wf, "matrix"), ["cargo test -p ${{ matrix.crate }} --lib"])
    assert len(m.matched) == 2
    [m] = match_cited_commands(
        find_job(wf, "workspace"),
        ["cargo build --workspace && cargo test --workspace --exclude core --exclude experimental"],
    )
    assert len(m.matched) == 2


def test_another_step_runs_the_test(fs):
    """The cited step does not run the test, another step of the same job does: runs, via that step."""
    v = verdict(
        fs,
        TestTarget("crates/core/src/lib.rs", "test_add"),
        CiCitation(CI, "suite", ["cargo test -p core --test suite"]),
    )
    assert v.outcome == DOES_NOT_RUN and v.code == "other_target"
    v = verdict(
        fs,
        TestTarget("crates/core/tests/suite/main.rs", "suite_case"),
        CiCitation(CI, "suite", ["cargo test -p core --doc"]),
    )
    assert v.runs and v.step_index == 1
    assert [c.step.index for c in v.cited[0].matched] == [2]  # the cited step is another one


# --- command-level reasons ---------------------------------------------------------------------


def run(fs, command, path, name=None, cwd="", **kw):
    return command_runs_test(fs, command, TestTarget(path, name, **kw), cwd)


@pytest.mark.parametrize(
    "command, path, name, cwd, outcome, code",
    [
        # cargo packages
        ("cargo test --workspace --exclude core", API, "test_bar", "", DOES_NOT_RUN, "package_excluded"),
        ("cargo test --workspace --exclude 'co*'", API, "test_bar", "", DOES_NOT_RUN, "package_excluded"),
        ("cargo test -p arco-cli", API, "test_bar", "", DOES_NOT_RUN, "other_package"),
        ("cargo test -p core@0.1.0", API, "test_bar", "", RUNS, "runs"),
        ("cargo test", API, "test_bar", "", RUNS, "runs"),  # virtual root: every member
        ("cargo test", API, "test_bar", "crates/cli", DOES_NOT_RUN, "other_package"),  # the package in cwd
        ("cargo test", API, "test_bar", "crates/core/src", RUNS, "runs"),
        (
            "cargo test --manifest-path crates/cli/Cargo.toml",
            API,
            "test_bar",
            "",
            DOES_NOT_RUN,
            "other_package",
        ),
        # cargo targets
        ("cargo test -p core --lib", API, "test_bar", "", DOES_NOT_RUN, "other_target"),
        ("cargo test -p core --test suite", API, "test_bar", "", DOES_NOT_RUN, "other_target"),
        ("cargo test -p core --test api", API, "test_bar", "", RUNS, "runs"),
        ("cargo test -p core --test 'a*'", API, "test_bar", "", RUNS, "runs"),
        ("cargo test -p core --doc", API, "test_bar", "", DOES_NOT_RUN, "other_target"),
        ("cargo test -p core --bins", LIB, "test_add", "", DOES_NOT_RUN, "other_target"),
        ("cargo test -p core --all-targets", API, "test_bar", "", RUNS, "runs"),
        (
            "cargo test -p arco-flow --lib",
            "crates/flow/src/lib.rs",
            "flow_unit",
            "",
            RUNS,
            "runs",
        ),  # explicit beats test = false
        (
            "cargo test -p arco-flow --tests",
            "crates/flow/src/lib.rs",
            "flow_unit",
            "",
            DOES_NOT_RUN,
            "other_target",
        ),
        ("cargo test -p core --no-run", API, "test_bar", "", DOES_NOT_RUN, "no_run"),
        ("cargo test -p core --tests", "crates/core/tests/common/mod.rs", "setup", "", UNKNOWN, "no_target"),
        # libtest names
        ("cargo test -p core bar", API, "test_bar", "", RUNS, "runs"),
        ("cargo test -p core baz", API, "test_bar", "", DOES_NOT_RUN, "name_filter"),
        ("cargo test -p core -- baz bar", API, "test_bar", "", RUNS, "runs"),
        ("cargo test -p core tests::", LIB, "test_add", "", RUNS, "runs"),  # module path counts
        ("cargo test -p core -- --skip parity_", API, "parity_foo", "", DOES_NOT_RUN, "skip_filter"),
        ("cargo test -p core -- --skip tests::", LIB, "test_add", "", DOES_NOT_RUN, "skip_filter"),
        ("cargo test -p core -- --exact test_bar", API, "test_bar", "", RUNS, "runs"),
        ("cargo test -p core -- --exact test_add", LIB, "test_add", "", DOES_NOT_RUN, "exact_mismatch"),
        ("cargo test -p core -- --exact tests::test_add", LIB, "test_add", "", RUNS, "runs"),
        (
            "cargo test -p core -- --exact --skip test",
            API,
            "test_bar",
            "",
            RUNS,
            "runs",
        ),  # --exact applies to --skip
        ("cargo test -p core --lib", LIB, "slow_add", "", DOES_NOT_RUN, "ignored"),
        ("cargo test -p core --lib -- --ignored", LIB, "slow_add", "", RUNS, "runs"),
        ("cargo test -p core --lib -- --include-ignored", LIB, "slow_add", "", RUNS, "runs"),
        ("cargo test -p core --lib -- --ignored", LIB, "test_add", "", DOES_NOT_RUN, "only_ignored"),
        ("cargo nextest run -p core --run-ignored all", LIB, "slow_add", "", RUNS, "runs"),
        ("cargo nextest run -p core -E 'test(bar)'", API, "test_bar", "", UNKNOWN, "filterset"),
        (
            "cargo test -p core",
            "python/pkg/tests/unit/test_parse.py",
            "test_parse_row",
            "",
            DOES_NOT_RUN,
            "wrong_language",
        ),
        # pytest: working directory and paths
        ("pytest tests/unit", UNIT, "test_parse_row", "python/pkg", RUNS, "runs"),
        ("pytest tests/unit", UNIT, "test_parse_row", "", DOES_NOT_RUN, "outside_paths"),
        ("pytest python/pkg/tests", UNIT, "test_parse_row", "", RUNS, "runs"),
        ("pytest tests/unit", INTEG, "test_roundtrip", "python/pkg", DOES_NOT_RUN, "outside_paths"),
        (
            "pytest",
            INTEG,
            "test_roundtrip",
            "python/pkg",
            DOES_NOT_RUN,
            "outside_paths",
        ),  # testpaths = tests/unit
        ("pytest", UNIT, "test_parse_row", "python/pkg", RUNS, "runs"),
        (
            "pytest",
            INTEG,
            "test_roundtrip",
            "python/pkg/tests/integration",
            RUNS,
            "runs",
        ),  # not at rootdir: cwd
        (
            "pytest",
            UNIT,
            "test_parse_row",
            "python/pkg/tests/integration",
            DOES_NOT_RUN,
            "outside_working_directory",
        ),
        ("pytest ../unit", UNIT, "test_parse_row", "python/pkg/tests/integration", RUNS, "runs"),
        (
            "pytest tests",
            "python/pkg/tests/unit/helpers.py",
            "test_not_collected",
            "python/pkg",
            DOES_NOT_RUN,
            "not_collected",
        ),
        (
            "pytest tests/unit/helpers.py",
            "python/pkg/tests/unit/helpers.py",
            "test_not_collected",
            "python/pkg",
            RUNS,
            "runs",
        ),
        (
            "pytest tests --ignore tests/integration",
            INTEG,
            "test_roundtrip",
            "python/pkg",
            DOES_NOT_RUN,
            "ignore_option",
        ),
        (
            "pytest tests --deselect tests/integration/test_db.py::test_roundtrip",
            INTEG,
            "test_roundtrip",
            "python/pkg",
            DOES_NOT_RUN,
            "deselected",
        ),
        ("pytest tests/unit --co", UNIT, "test_parse_row", "python/pkg", DOES_NOT_RUN, "no_run"),
        # pytest node ids
        ("pytest tests/unit/test_parse.py::TestRows", UNIT, "test_empty", "python/pkg", RUNS, "runs"),
        (
            "pytest tests/unit/test_parse.py::TestRows::test_empty",
            UNIT,
            "TestRows.test_empty",
            "python/pkg",
            RUNS,
            "runs",
        ),
        (
            "pytest tests/unit/test_parse.py::test_parse_row",
            UNIT,
            "TestRows::test_empty",
            "python/pkg",
            DOES_NOT_RUN,
            "node_id",
        ),
        (
            "pytest tests/unit/test_parse.py::test_parse_row[1]",
            UNIT,
            "test_parse_row",
            "python/pkg",
            RUNS,
            "runs",
        ),
        # pytest -k / -m
        ("pytest tests/unit -k parse_row", UNIT, "test_parse_row", "python/pkg", RUNS, "runs"),
        ("pytest tests/unit -k 'PARSE and not big'", UNIT, "test_parse_row", "python/pkg", RUNS, "runs"),
        ("pytest tests/unit -k 'rows and (empty or big)'", UNIT, "test_empty", "python/pkg", RUNS, "runs"),
        ("pytest tests/unit -k 'not Rows'", UNIT, "test_empty", "python/pkg", DOES_NOT_RUN, "k_expression"),
        (
            "pytest tests/unit -k 'test_parse.py and not empty'",
            UNIT,
            "test_empty",
            "python/pkg",
            DOES_NOT_RUN,
            "k_expression",
        ),
        (
            "pytest tests/unit -k 'unit'",
            UNIT,
            "test_empty",
            "python/pkg",
            RUNS,
            "runs",
        ),  # directory names count
        (
            "pytest tests/unit -k 'pkg'",
            UNIT,
            "test_empty",
            "python/pkg",
            DOES_NOT_RUN,
            "k_expression",
        ),  # rootdir does not
        ("pytest tests/unit -k 'and or'", UNIT, "test_empty", "python/pkg", UNKNOWN, "bad_expression"),
        ("pytest tests -m integration", INTEG, "test_roundtrip", "python/pkg", RUNS, "runs"),
        (
            "pytest tests -m 'not integration'",
            INTEG,
            "test_roundtrip",
            "python/pkg",
            DOES_NOT_RUN,
            "m_expression",
        ),
        ("pytest tests -m slow", UNIT, "test_parse_row", "python/pkg", DOES_NOT_RUN, "m_expression"),
        ("pytest tests -m slow", UNIT, "TestRows::test_big", "python/pkg", RUNS, "runs"),
        ("pytest tests", INTEG, "test_skipped", "python/pkg", DOES_NOT_RUN, "ignored"),
        ("pytest --pyargs pkg", UNIT, "test_parse_row", "python/pkg", UNKNOWN, "unknown_command"),
        # go
        ("go test ./...", STORE, "TestStorePut", "go", RUNS, "runs"),
        (
            "go test ./...",
            STORE,
            "TestStorePut",
            "",
            DOES_NOT_RUN,
            "outside_working_directory",
        ),  # no go.mod at root
        ("go test ./internal/store", STORE, "TestStorePut", "go", RUNS, "runs"),
        ("go test .", STORE, "TestStorePut", "go", DOES_NOT_RUN, "go_package"),
        ("go test", STORE, "TestStorePut", "go/internal/store", RUNS, "runs"),
        ("go test", STORE, "TestStorePut", "go/cmd/arco", DOES_NOT_RUN, "outside_working_directory"),
        ("go test ./cmd/...", STORE, "TestStorePut", "go", DOES_NOT_RUN, "go_package"),
        ("go test example.com/arco/internal/...", STORE, "TestStorePut", "go", RUNS, "runs"),
        ("go test -C go ./...", STORE, "TestStorePut", "", RUNS, "runs"),
        ("go test -run '^TestStorePut$' ./...", STORE, "TestStorePut", "go", RUNS, "runs"),
        ("go test -run '^TestStoreGet$' ./...", STORE, "TestStorePut", "go", DOES_NOT_RUN, "run_regex"),
        ("go test -run 'TestStorePut/sub' ./...", STORE, "TestStorePut", "go", RUNS, "runs"),
        ("go test -skip 'Put$' ./...", STORE, "TestStorePut", "go", DOES_NOT_RUN, "skip_regex"),
        ("go test -run '[' ./...", STORE, "TestStorePut", "go", UNKNOWN, "bad_expression"),
        (
            "go test -tags integration ./...",
            "go/internal/store/integration_test.go",
            "TestStoreIntegration",
            "go",
            RUNS,
            "runs",
        ),
        (
            "go test ./...",
            "go/internal/store/integration_test.go",
            "TestStoreIntegration",
            "go",
            DOES_NOT_RUN,
            "build_tags",
        ),
        ("go test -list . ./...", STORE, "TestStorePut", "go", DOES_NOT_RUN, "no_run"),
        # make and npm, one level down
        (
            "make test-rust",
            "crates/flow/tests/orchestration.rs",
            "schedule_tick_idempotency",
            "",
            RUNS,
            "runs",
        ),
        (
            "make test",
            "crates/flow/tests/orchestration.rs",
            "schedule_tick_idempotency",
            "",
            RUNS,
            "runs",
        ),  # via prerequisites
        ("make test-rust", API, "test_bar", "", DOES_NOT_RUN, "other_package"),
        ("make nope", API, "test_bar", "", UNKNOWN, "not_followed"),
        ("npm test", E2E, "test_full_flow", "", RUNS, "runs"),
        (
            "npm run lint",
            E2E,
            "test_full_flow",
            "",
            DOES_NOT_RUN,
            "not_a_test_command",
        ),  # eslint runs no tests
        ("npm test", E2E, "test_full_flow", "python", UNKNOWN, "not_followed"),  # no package.json there
        # unknowns and non-tests
        ("./scripts/ci.sh", API, "test_bar", "", UNKNOWN, "unknown_command"),
        ("tox -e py", UNIT, "test_parse_row", "", UNKNOWN, "unknown_command"),
        ("cargo build --workspace", API, "test_bar", "", DOES_NOT_RUN, "not_a_test_command"),
        ("cargo test -p $CRATE", API, "test_bar", "", UNKNOWN, "expression"),
        (
            "pytest tests/unit",
            UNIT,
            "test_parse_row",
            "python/nope",
            DOES_NOT_RUN,
            "missing_working_directory",
        ),
        ("pytest tests/unit", UNIT, "test_parse_row", None, UNKNOWN, "unknown_directory"),
    ],
)
def test_command_verdicts(fs, command, path, name, cwd, outcome, code):
    v = run(fs, command, path, name, cwd)
    assert (v.outcome, v.code) == (outcome, code), v.reason


def test_test_target_overrides(fs):
    assert run(fs, "cargo test -p core", API, "test_bar", ignored=True).code == "ignored"
    assert run(
        fs, "pytest tests -m fast", UNIT, "test_parse_row", "python/pkg", markers=frozenset({"fast"})
    ).runs


def test_file_level_citations(fs):
    # No test name: the file counts as run when some test in it runs.
    assert run(fs, "cargo test -p core -- --skip parity_", API).runs
    v = run(fs, "cargo test -p core -- --skip parity_ --skip test_bar --skip slow_", API)
    assert v.code == "skip_filter" and "none of the 3 tests" in v.reason
    assert run(fs, "pytest tests/unit -k empty", UNIT, cwd="python/pkg").runs
    assert run(fs, "go test -run Delete ./...", STORE, cwd="go").runs


def test_addopts_from_the_ini_apply(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest.ini_options]\naddopts = \"-m 'not slow' --ignore=tests/legacy\"\n",
            "tests/test_a.py": "import pytest\n\n@pytest.mark.slow\ndef test_slow(): pass\n\ndef test_fast(): pass\n",
            "tests/legacy/test_old.py": "def test_old(): pass\n",
        },
    )
    assert run(fs, "pytest tests", "tests/test_a.py", "test_fast").runs
    assert run(fs, "pytest tests", "tests/test_a.py", "test_slow").code == "m_expression"
    assert run(fs, "pytest tests -m slow", "tests/test_a.py", "test_slow").runs  # the command line wins
    assert run(fs, "pytest tests", "tests/legacy/test_old.py", "test_old").code == "ignore_option"


def test_broken_cargo_toml_is_unknown(tmp_path):
    fs = make_fs(tmp_path, {"Cargo.toml": "[package\nname = 'x'\n", "tests/t.rs": "#[test]\nfn t() {}\n"})
    v = run(fs, "cargo test", "tests/t.rs", "t")
    assert (v.outcome, v.code) == (UNKNOWN, "manifest_error") and "not valid TOML" in v.reason


def test_broken_pytest_config_is_unknown(tmp_path):
    fs = make_fs(
        tmp_path, {"setup.cfg": "garbage without section\n", "tests/test_a.py": "def test_a(): pass\n"}
    )
    v = run(fs, "pytest tests", "tests/test_a.py", "test_a")
    assert (v.outcome, v.code) == (UNKNOWN, "manifest_error")


def test_garbage_never_raises(fs):
    for command in ["", "'", "cargo test -p", "pytest -k", "go test -run", "make", "npm run", "$(", "${{"]:
        for path in [API, UNIT, STORE, "nope/x.rs", "../escape.py", "", "/abs/x_test.go"]:
            v = command_runs_test(fs, command, TestTarget(path, "x"), "")
            assert v.outcome in (RUNS, DOES_NOT_RUN, UNKNOWN)
    v = verdict(fs, TestTarget("", None), CiCitation("", "", ["'"]))
    assert v.outcome == UNKNOWN


def test_unknown_directory_only_matters_for_test_commands(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
            jobs:
              t:
                steps:
                  - run: |
                      pytest tests
                      cd "$RUNNER_TEMP" && echo done
                  - run: cd $SRC && pytest tests
            """,
            "tests/test_a.py": "def test_a(): pass\n",
            "other/test_b.py": "def test_b(): pass\n",
        },
    )
    ci = CiCitation(".github/workflows/ci.yml", "t", [])
    v = verdict(fs, TestTarget("tests/test_a.py", "test_a"), ci)
    assert v.runs and v.step_index == 1
    v = verdict(fs, TestTarget("other/test_b.py", "test_b"), ci)
    assert (v.outcome, v.code, v.step_index) == (UNKNOWN, "unknown_directory", 2)


def test_testpaths_escaping_the_workspace(tmp_path):
    fs = make_fs(
        tmp_path,
        {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["../../*"]\n', "tests/test_a.py": ""},
    )
    assert run(fs, "pytest", "tests/test_a.py", "test_a").code == "outside_paths"


def test_caveats_for_continue_on_error(tmp_path):
    fs = make_fs(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
            jobs:
              t:
                steps:
                  - run: pytest tests
                    continue-on-error: true
                    if: github.event_name == 'push'
            """,
            "tests/test_a.py": "def test_a(): pass\n",
        },
    )
    v = verdict(fs, TestTarget("tests/test_a.py", "test_a"), CiCitation(".github/workflows/ci.yml", "t", []))
    assert v.runs
    assert any("continue-on-error" in c for c in v.caveats) and any("if:" in c for c in v.caveats)


def test_reusable_workflow_job_is_unknown(tmp_path):
    fs = make_fs(
        tmp_path, {".github/workflows/ci.yml": "jobs:\n  t:\n    uses: ./.github/workflows/test.yml\n"}
    )
    v = verdict(fs, TestTarget("tests/test_a.py", "test_a"), CiCitation(".github/workflows/ci.yml", "t", []))
    assert (v.outcome, v.code) == (UNKNOWN, "job_uses_workflow")


# --- explanations ------------------------------------------------------------------------------


def test_explain_runs(fs):
    text = explain(
        fs, TestTarget(API, "test_bar"), CiCitation(CI, "core-tests", ["cargo test -p core --tests"])
    )
    assert text.startswith(
        "**runs**: run by job `core-tests`, step 2 (line 31): `cargo test -p core --tests -- --skip parity_` — matches `test_bar`"
    )


def test_explain_not_run(fs):
    text = explain(
        fs,
        TestTarget(API, "test_bar"),
        CiCitation(CI, "workspace", ["cargo test --workspace --exclude core"]),
    )
    first, *rest = text.splitlines()
    assert first == (
        "**not run**: job `workspace`, step 3 (line 15) runs `cargo test --workspace --exclude core --exclude experimental`, "
        "which excludes package `core` (`--exclude core`)"
    )
    assert any(
        "closest step command: `cargo test --workspace --exclude core --exclude experimental`" in r
        for r in rest
    )


def test_explain_working_directory_and_follow(fs):
    text = explain(fs, TestTarget(INTEG, "test_roundtrip"), CiCitation(CI, "python", []))
    assert 'runs `uv run pytest tests/unit -k "not slow"` (in `python/pkg`)' in text
    text = explain(fs, TestTarget(INTEG, "test_roundtrip"), CiCitation(CI, "followed", []))
    assert (
        "`make test-python` via `make test-python` at `Makefile` line 11 — matches `test_roundtrip`" in text
    )
    # judging stops at the first step that runs the test: later steps are not listed
    assert "`npm test`" not in text


def test_explain_unknown(fs):
    text = explain(fs, TestTarget(API, "test_bar"), CiCitation(CI, "nope", []))
    assert (
        text == "**unknown**: workflow `.github/workflows/ci.yml` has no job `nope` (did you mean `opaque`?)"
    )
