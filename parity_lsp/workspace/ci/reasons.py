"""Typed outcomes and reason codes of a CI verdict (docs/spec/ci.md#verdicts), in one place.

Invariant: plain data; no IO. A `Verdict`'s `outcome` is an `Outcome` and its `code` a
`Reason`; both are `StrEnum`s, so their values are the stable strings the JSON output, the
tests and older callers compare with (`v.code == "other_target"` still holds). A runner (see
`runners/`) picks the reason; the sentence about it (`Verdict.clause`/`reason`) is written by
the code that knows the details (the runner for its own reasons, `verdict.py` for the generic
ones), and `explain.py` renders verdicts for hovers.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """Does the cited command run the cited test?"""

    RUNS = "runs"
    DOES_NOT_RUN = "does_not_run"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """Why a verdict is what it is. The comment says when; `specificity` how far the command
    got before missing the test (the furthest miss explains a job best)."""

    RUNS = "runs"  # the command runs the test
    # --- the command itself ----------------------------------------------------------------
    NOT_A_TEST_COMMAND = "not_a_test_command"  # `echo`, `cargo build`, a script running none
    UNKNOWN_COMMAND = "unknown_command"  # a program parity-lsp does not model (unknown)
    UNKNOWN_RUNNER = "unknown_runner"  # a test runner parity-lsp does not model (unknown)
    UNKNOWN_DIRECTORY = "unknown_directory"  # where it runs is only known when CI runs
    EXPRESSION = "expression"  # `$VAR`/`${{ }}`/`-k` selects tests: only known at run time
    BAD_EXPRESSION = "bad_expression"  # a `-k`/`-m`/`-run` expression that cannot be evaluated
    NOT_FOLLOWED = "not_followed"  # a make target / package script that cannot be followed
    INTERNAL_ERROR = "internal_error"  # a bug of parity-lsp: logged, the answer is unknown
    NO_RUN = "no_run"  # builds, lists or collects tests but runs none
    # --- the job -----------------------------------------------------------------------------
    WORKFLOW_MISSING = "workflow_missing"
    WORKFLOW_ERROR = "workflow_error"
    JOB_NOT_FOUND = "job_not_found"
    JOB_USES_WORKFLOW = "job_uses_workflow"  # a reusable workflow: not followed
    NO_COMMANDS = "no_commands"  # no `run:` step (or no job)
    NO_TEST_COMMAND = "no_test_command"  # no step runs a test runner
    # --- where it runs -----------------------------------------------------------------------
    WRONG_LANGUAGE = "wrong_language"  # a Rust runner for a Python test, …
    MISSING_WORKING_DIRECTORY = "missing_working_directory"
    OUTSIDE_WORKING_DIRECTORY = "outside_working_directory"  # the test is outside what it runs
    OTHER_WORKSPACE = "other_workspace"  # another Cargo workspace
    GO_MODULE = "go_module"  # the test is in no Go module
    MANIFEST_ERROR = "manifest_error"  # Cargo.toml / go.mod / pytest ini cannot be read
    # --- package and path selection ------------------------------------------------------
    PACKAGE_EXCLUDED = "package_excluded"  # `--workspace --exclude core`
    OTHER_PACKAGE = "other_package"  # `-p other`, or the package of the directory
    GO_PACKAGE = "go_package"  # package patterns that do not cover the test's
    OUTSIDE_PATHS = "outside_paths"  # pytest paths / testpaths that do not hold the test
    # --- target and collection ---------------------------------------------------------------
    OTHER_TARGET = "other_target"  # `--lib` for an integration test, `--doc`, `test = false`
    NO_TARGET = "no_target"  # the file belongs to no target (or to an unknown one)
    NOT_COLLECTED = "not_collected"  # python_files / python_classes / norecursedirs
    IGNORE_OPTION = "ignore_option"  # `--ignore`, `--ignore-glob`
    BUILD_TAGS = "build_tags"  # a `//go:build` constraint `-tags` does not meet
    FILTERSET = "filterset"  # a nextest filterset (not evaluated: unknown)
    CUSTOM_HARNESS = "custom_harness"  # filters passed to a `harness = false` target (unknown)
    # --- names -------------------------------------------------------------------------------
    NAME_FILTER = "name_filter"  # a libtest name filter that does not match
    EXACT_MISMATCH = "exact_mismatch"  # `--exact` with another name
    SKIP_FILTER = "skip_filter"  # `--skip` matches
    ONLY_IGNORED = "only_ignored"  # `--ignored`, and the test is not
    IGNORED = "ignored"  # `#[ignore]` / `@pytest.mark.skip`
    NODE_ID = "node_id"  # a pytest node id naming another test
    DESELECTED = "deselected"  # `--deselect`
    K_EXPRESSION = "k_expression"  # `-k` deselects it
    M_EXPRESSION = "m_expression"  # `-m` deselects it
    RUN_REGEX = "run_regex"  # `go test -run` does not match
    SKIP_REGEX = "skip_regex"  # `go test -skip` matches

    @property
    def specificity(self) -> int:
        """0 (not a test command) … 5 (a name-level reason: filters, -k, -run, ignore)."""
        return _SPECIFICITY.get(self, 5)


_SPECIFICITY: dict[Reason, int] = {
    Reason.NOT_A_TEST_COMMAND: 0,
    Reason.WRONG_LANGUAGE: 1,
    Reason.NO_COMMANDS: 1,
    Reason.NO_TEST_COMMAND: 1,
    Reason.MISSING_WORKING_DIRECTORY: 2,
    Reason.OUTSIDE_WORKING_DIRECTORY: 2,
    Reason.OTHER_WORKSPACE: 2,
    Reason.GO_MODULE: 2,
    Reason.PACKAGE_EXCLUDED: 3,
    Reason.OTHER_PACKAGE: 3,
    Reason.GO_PACKAGE: 3,
    Reason.OUTSIDE_PATHS: 3,
    Reason.OTHER_TARGET: 4,
    Reason.NO_TARGET: 4,
    Reason.NOT_COLLECTED: 4,
    Reason.IGNORE_OPTION: 4,
    Reason.BUILD_TAGS: 4,
    Reason.NO_RUN: 4,
}
