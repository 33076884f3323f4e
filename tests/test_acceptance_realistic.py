"""Acceptance test of issue 2: a realistic repository that rots.

`tests/fixtures/realistic/` is a small but real-looking repository: a Cargo workspace with three
crates (modules, impl blocks, traits, `#[cfg(test)] mod tests`, integration tests in `tests/`,
doc comments, attributes, raw strings with braces), a Python package with `tests/unit` and
`tests/integration` (classes, decorators, async defs, pytest tests), a CI workflow with several
jobs, a charter, an exceptions audit declaring EX-01..EX-03, and `docs/parity/matrix.md`: 57
rows in the template's style, grouped under the template's headings, using every evidence form
of docs/spec/evidence.md#forms. As committed, every reference in it is right and `check` reports nothing.

The test copies the fixture to a temporary git repository, commits it, and lets it rot the way
real repositories do: a script of concrete commits (lines inserted above functions, a function
moved to another file, a file renamed with `git mv`, tests renamed, deleted, moved and ignored, a
CI job renamed, a CI command changed, an exception withdrawn, a design stub deleted, a status
typo, ...). `parity-lsp check --format json` must then report exactly the planted defects (no
extras, nothing missing) with the right fixes; `parity-lsp fix` must repair the safely fixable
ones and change nothing else; `fix --dry-run` must print a diff and write nothing.

The expectations below are the truth (what a user wants), not what the engine happens to do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import clikit
import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "realistic"
MATRIX = "docs/parity/matrix.md"

SCHEDULE = "crates/arco-flow/src/schedule.rs"
API = "python/arco_ops/arco_ops/api.py"
FOLD = "crates/arco-flow/src/orchestration/compactor/fold.rs"
SENSOR_FOLD = "crates/arco-flow/src/orchestration/compactor/sensor_fold.rs"
CORE_LIB = "crates/arco-core/src/lib.rs"

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Parity Test",
    "GIT_AUTHOR_EMAIL": "parity@example.invalid",
    "GIT_COMMITTER_NAME": "Parity Test",
    "GIT_COMMITTER_EMAIL": "parity@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


# --- running things ------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV}
    out = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def parity(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return clikit.run(*args, cwd=repo, env=env)  # in this process (tests/clikit.py)


def check_json(repo: Path) -> tuple[int, dict]:
    proc = parity(repo, "check", "--format", "json")
    assert proc.returncode in (0, 1), f"check failed (exit {proc.returncode}):\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


# --- editing files (the rot) -----------------------------------------------------------------


def read(repo: Path, rel: str) -> str:
    return (repo / rel).read_text(encoding="utf-8")


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text, encoding="utf-8")


def replace_once(repo: Path, rel: str, old: str, new: str) -> None:
    text = read(repo, rel)
    assert text.count(old) == 1, f"{rel}: expected exactly one {old!r}"
    write(repo, rel, text.replace(old, new))


def cut(repo: Path, rel: str, block: str) -> str:
    replace_once(repo, rel, block, "")
    return block


def matrix_row_replace(repo: Path, capability: str, old: str, new: str) -> None:
    """Replace `old` by `new` inside the row whose Capability is `capability`."""
    lines = read(repo, MATRIX).split("\n")
    idx = [i for i, line in enumerate(lines) if line.startswith(f"| {capability} |")]
    assert len(idx) == 1, capability
    assert lines[idx[0]].count(old) == 1, (capability, old)
    lines[idx[0]] = lines[idx[0]].replace(old, new)
    write(repo, MATRIX, "\n".join(lines))


def rot_insert_lines_above_schedule_functions(repo: Path) -> None:
    # 7 lines right after the imports: every item below moves down by 7.
    replace_once(
        repo,
        SCHEDULE,
        "use crate::orchestration::events::{OrchestrationEvent, TickEvent};\n",
        (
            "use crate::orchestration::events::{OrchestrationEvent, TickEvent};\n"
            "\n"
            "/// Upper bound on ticks evaluated per call, so that a long outage cannot flood the\n"
            "/// launcher with catch-up runs (the catch-up window still applies on top of this).\n"
            "pub const MAX_TICKS_PER_EVALUATION: usize = 1_000;\n"
            "\n"
            "/// Default catch-up window for schedules that do not set one: one day.\n"
            "pub const DEFAULT_MAX_CATCHUP_SECONDS: i64 = 86_400;\n"
        ),
    )


def rot_insert_helper_above_python_client(repo: Path) -> None:
    # a 7-line helper above `class ArcoClient`: its methods move down by 7, RunFilter does not.
    replace_once(
        repo,
        API,
        "class ArcoClient:\n",
        (
            "def _user_agent() -> str:\n"
            '    """`arco-ops/<version>`, sent with every request so server logs show the client."""\n'
            "    from arco_ops import __version__\n"
            "\n"
            '    return f"arco-ops/{__version__}"\n'
            "\n"
            "\n"
            "class ArcoClient:\n"
        ),
    )
    replace_once(
        repo,
        API,
        '        headers = {"Authorization": f"Bearer {token}"} if token else {}\n',
        '        headers = {"User-Agent": _user_agent(), **({"Authorization": f"Bearer {token}"} if token else {})}\n',
    )


def rot_move_function_to_new_file(repo: Path) -> None:
    block = cut(
        repo,
        FOLD,
        (
            "\n"
            "/// Folds one sensor evaluation: the cursor only moves forward, run requests are counted.\n"
            "pub fn fold_sensor_event(state: &mut FoldState, sensor: &str, cursor: &str, run_requests: usize) {\n"
            "    let entry = state.sensor_cursors.entry(sensor.to_owned()).or_default();\n"
            "    if cursor > entry.as_str() {\n"
            "        *entry = cursor.to_owned();\n"
            "    }\n"
            "    state.launched += run_requests;\n"
            "}\n"
        ),
    )
    # one `use` line: `Compactor::apply` moves down by one line only (its doc comment is still cited)
    replace_once(
        repo,
        FOLD,
        "use crate::orchestration::events::OrchestrationEvent;\n",
        "use crate::orchestration::events::OrchestrationEvent;\nuse super::sensor_fold::fold_sensor_event;\n",
    )
    write(
        repo,
        SENSOR_FOLD,
        "//! Folding sensor evaluations into the compactor state.\n\nuse super::fold::FoldState;\n" + block,
    )
    replace_once(
        repo,
        "crates/arco-flow/src/orchestration/compactor/mod.rs",
        "mod fold;\npub mod schema;\n\npub use fold::{fold_sensor_event, Compactor, FoldState};\n",
        "mod fold;\npub mod schema;\nmod sensor_fold;\n\npub use fold::{Compactor, FoldState};\npub use sensor_fold::fold_sensor_event;\n",
    )


def rot_git_mv_push_module(repo: Path) -> None:
    git(repo, "mv", "crates/arco-sensors/src/push.rs", "crates/arco-sensors/src/push_dedupe.rs")
    replace_once(repo, "crates/arco-sensors/src/lib.rs", "pub mod push;\n", "pub mod push_dedupe;\n")
    replace_once(
        repo,
        "crates/arco-sensors/src/lib.rs",
        "pub use push::PushDedupe;",
        "pub use push_dedupe::PushDedupe;",
    )
    replace_once(
        repo,
        "crates/arco-sensors/tests/orchestration_sensor_tests.rs",
        "use arco_sensors::push::{",
        "use arco_sensors::push_dedupe::{",
    )


def rot_rename_test(repo: Path) -> None:
    replace_once(
        repo,
        "crates/arco-core/tests/partition_keys.rs",
        "fn window_keys_are_sorted_oldest_first()",
        "fn window_keys_are_sorted()",
    )


def rot_delete_tests(repo: Path) -> None:
    cut(
        repo,
        "crates/arco-core/src/ids.rs",
        (
            "\n"
            "    #[test]\n"
            "    fn tick_id_round_trips_through_display() {\n"
            '        let tick = TickId::new("daily_etl", 1_700_000_000);\n'
            "        assert_eq!(TickId::parse(&tick.to_string()), Some(tick));\n"
            "    }\n"
        ),
    )
    cut(
        repo,
        "python/arco_ops/tests/unit/test_status.py",
        (
            "def test_latest_status_wins():\n"
            '    latest = latest_per_partition([status("p", "failed", "r1"), status("p", "materialized", "r2")])\n'
            '    assert latest["p"].run_id == "r2"\n'
            "\n"
            "\n"
        ),
    )


def rot_move_test_to_new_file(repo: Path) -> None:
    block = cut(
        repo,
        "crates/arco-flow/tests/backfill_tests.rs",
        (
            "#[test]\n"
            "fn resume_skips_completed_chunks() {\n"
            "    let resumed = backfill(10, 4).resume_after(Some(0));\n"
            "    assert_eq!(resumed.first().map(|c| c.chunk), Some(1));\n"
            "    assert_eq!(resumed.len(), 2);\n"
            "}\n"
            "\n"
        ),
    )
    write(
        repo,
        "crates/arco-flow/tests/backfill_resume_tests.rs",
        (
            "//! Backfill resumption after a launcher crash.\n"
            "\n"
            "use arco_core::PartitionKey;\n"
            "use arco_flow::backfill::Backfill;\n"
            "\n"
            "fn backfill(n: usize, chunk_size: usize) -> Backfill {\n"
            "    Backfill {\n"
            '        id: "bf-resume".to_owned(),\n'
            '        partitions: (0..n).map(|i| PartitionKey(format!("p{i:03}"))).collect(),\n'
            "        chunk_size,\n"
            "    }\n"
            "}\n"
            "\n" + block.rstrip("\n") + "\n"
        ),
    )


def rot_ignore_cited_tests(repo: Path) -> None:
    replace_once(
        repo,
        "crates/arco-sensors/tests/orchestration_sensor_tests.rs",
        "#[test]\nfn stale_cursor_is_not_written()",
        '#[test]\n#[ignore = "flaky on CI: races the store flush"]\nfn stale_cursor_is_not_written()',
    )
    replace_once(
        repo,
        "python/arco_ops/tests/unit/test_status.py",
        "    def test_parses_an_api_row(self):",
        '    @pytest.mark.skip(reason="flaky against the mock transport")\n    def test_parses_an_api_row(self):',
    )


def rot_ci(repo: Path) -> None:
    replace_once(
        repo, ".github/workflows/ci.yml", "\n  sensors:\n", "\n  sensor-tests:\n"
    )  # `name: Sensor tests` stays
    replace_once(
        repo,
        ".github/workflows/ci.yml",
        "run: cargo test -p arco-core --test partition_keys",
        "run: cargo nextest run -p arco-core --test partition_keys",
    )
    # a flaky test skipped in CI: the step still contains the cited command, but no longer runs the test
    replace_once(
        repo,
        ".github/workflows/ci.yml",
        "cargo test -p arco-flow --tests -- --test-threads=4\n",
        "cargo test -p arco-flow --tests -- --test-threads=4 --skip canceled_backfill_launches_nothing\n",
    )


def rot_withdraw_exception(repo: Path) -> None:
    doc = "docs/audits/arco-flow-dagster-exception-planning.md"
    lines = read(repo, doc).split("\n")
    write(repo, doc, "\n".join(line for line in lines if not line.startswith("| EX-03 ")))


def rot_delete_design_stub(repo: Path) -> None:
    git(repo, "rm", "-q", "crates/arco-flow/src/reconcile.rs")
    replace_once(repo, "crates/arco-flow/src/lib.rs", "pub mod reconcile;\n", "")


def rot_trim_crate_docs(repo: Path) -> None:
    replace_once(
        repo,
        CORE_LIB,
        (
            "//! Core identifiers and partition math shared by every Arco crate.\n"
            "//!\n"
            "//! Nothing in here performs IO: the orchestrator, the sensors and the CLI all\n"
            "//! depend on these types being pure and deterministic.\n"
            "\n"
        ),
        "",
    )


def rot_matrix_edits(repo: Path) -> None:
    matrix_row_replace(repo, "Code version changes make an asset stale", "| Implemented |", "| Implemeted |")
    matrix_row_replace(repo, "Sensor cursor rows keyed by sensor", "| integration |", "| end-to-end |")


ROT: list[tuple[str, Callable[[Path], None]]] = [
    ("schedule: cap ticks per evaluation", rot_insert_lines_above_schedule_functions),
    ("arco_ops: send a User-Agent", rot_insert_helper_above_python_client),
    ("compactor: move sensor folding to its own module", rot_move_function_to_new_file),
    ("sensors: rename push module to push_dedupe", rot_git_mv_push_module),
    ("arco-core: shorter test name", rot_rename_test),
    ("tests: drop redundant tests", rot_delete_tests),
    ("backfill: split resume tests", rot_move_test_to_new_file),
    ("tests: quarantine flaky tests", rot_ignore_cited_tests),
    ("ci: rename sensors job, nextest for arco-core, skip a flaky test", rot_ci),
    ("audit: withdraw EX-03", rot_withdraw_exception),
    ("flow: remove reconcile stub", rot_delete_design_stub),
    ("arco-core: trim crate docs", rot_trim_crate_docs),
    # the matrix edits stay uncommitted, as in a working copy
]


# --- reading the source for expectations ------------------------------------------------------


def line_of(repo: Path, rel: str, needle: str) -> int:
    """1-based line of the only line of `rel` containing `needle`."""
    hits = [i + 1 for i, line in enumerate(read(repo, rel).split("\n")) if needle in line]
    assert len(hits) == 1, (rel, needle, hits)
    return hits[0]


def rust_extent(repo: Path, rel: str, needle: str) -> tuple[int, int]:
    """(first attribute/doc line, closing brace line) of the Rust item declared on `needle`'s line."""
    lines = read(repo, rel).split("\n")
    decl = line_of(repo, rel, needle) - 1
    start = decl
    while start > 0 and lines[start - 1].strip().startswith(("///", "#[")):
        start -= 1
    depth, seen = 0, False
    for i in range(decl, len(lines)):
        depth += lines[i].count("{") - lines[i].count("}")
        seen = seen or "{" in lines[i]
        if seen and depth == 0:
            return start + 1, i + 1
    raise AssertionError(f"no end for {needle!r}")


def python_extent(repo: Path, rel: str, needle: str) -> tuple[int, int]:
    """(first decorator line, last body line) of the Python def declared on `needle`'s line."""
    lines = read(repo, rel).split("\n")
    decl = line_of(repo, rel, needle) - 1
    indent = len(lines[decl]) - len(lines[decl].lstrip())
    start = decl
    while start > 0 and lines[start - 1].strip().startswith("@"):
        start -= 1
    end = decl
    for i in range(decl + 1, len(lines)):
        if not lines[i].strip():
            continue
        if len(lines[i]) - len(lines[i].lstrip()) <= indent:
            break
        end = i
    return start + 1, end + 1


# --- the planted defects (the truth) ----------------------------------------------------------

NO_FIX = None


@dataclass(frozen=True)
class Planted:
    id: str
    code: str
    row: str  # Capability of the row
    text: str  # exact text of the diagnostic's range in the matrix
    severity: str
    # the fix `check --format json` must offer: {text of the edited range: new content};
    # NO_FIX when no safe fix should be offered
    fix: Callable[[Path], dict[str, str]] | None = NO_FIX
    fix_optional: bool = False  # a safe fix is welcome but not required (then it must be `fix`)
    why: str = ""
    healed_by_fix: bool = False  # gone after `parity-lsp fix` although it has no fix of its own

    def gone_after_fix(self, offered: bool) -> bool:
        """Should `parity-lsp fix` make this finding disappear? (`offered`: a safe fix was offered)"""
        if self.healed_by_fix:
            return True
        return self.fix is not None and (offered or not self.fix_optional)


def _tests_cell(capability: str) -> str:
    """The Evidence (Tests) cell of a row of the committed fixture (PM201 points at it)."""
    for line in (FIXTURE / MATRIX).read_text(encoding="utf-8").split("\n"):
        if line.startswith(f"| {capability} |"):
            return line.split(" | ")[5].strip()
    raise AssertionError(capability)


PLANTED: list[Planted] = [
    # line drift: 7 lines inserted above the functions of schedule.rs
    Planted(
        "drift-path-line",
        "PM304",
        "Duplicate tick suppression",
        "61",
        "warning",
        lambda r: {"61": str(line_of(r, SCHEDULE, "pub fn record("))},
        why="`schedule.rs:61` (`TickLedger::record`), record moved down by 7",
    ),
    Planted(
        "drift-anchor-line",
        "PM304",
        "Next tick after a given instant",
        "L22",
        "warning",
        lambda r: {"L22": f"L{line_of(r, SCHEDULE, 'pub fn next_tick_after(')}"},
        why="`schedule.rs#L22` (`Schedule::next_tick_after`)",
    ),
    Planted(
        "drift-line-range",
        "PM304",
        "Catch-up window for missed ticks",
        "30-41",
        "warning",
        lambda r: {"30-41": "{}-{}".format(*rust_extent(r, SCHEDULE, "pub fn due_ticks("))},
        why="`schedule.rs:30-41` (`Schedule::due_ticks`): the range moves to the item's new extent",
    ),
    Planted(
        "drift-link-anchor",
        "PM304",
        "Schedule evaluation emits one event per tick",
        "L83",
        "warning",
        lambda r: {"L83": f"L{line_of(r, SCHEDULE, 'pub fn evaluate_schedule(')}"},
        why="link `../../crates/arco-flow/src/schedule.rs#L83` (`evaluate_schedule`)",
    ),
    Planted(
        "drift-python-method",
        "PM304",
        "List runs with filters",
        "77",
        "warning",
        lambda r: {"77": str(line_of(r, API, "async def list_runs("))},
        why="`api.py:77` (`ArcoClient.list_runs`), 7-line helper inserted above the class",
    ),
    Planted(
        "drift-python-anchor-range",
        "PM304",
        "Terminate a run",
        "L92-L99",
        "warning",
        lambda r: {"L92-L99": "L{}-L{}".format(*python_extent(r, API, "async def terminate_run("))},
        why="`api.py#L92-L99` (`ArcoClient::terminate_run`), decorator included in the extent",
    ),
    # a function moved to another file of the crate
    Planted(
        "moved-function",
        "PM303",
        "Sensor evaluations folded into state",
        "fold_sensor_event",
        "error",
        why=(
            "`fold.rs:48` (`fold_sensor_event`) moved to `sensor_fold.rs`: the file that defines it now is "
            "a suggestion (issue 16: a different path is safe only when git recorded that file's rename)"
        ),
    ),
    # git mv
    Planted(
        "git-mv-path",
        "PM301",
        "Push sensor duplicate delivery dedupe",
        "crates/arco-sensors/src/push.rs",
        "error",
        lambda r: {"crates/arco-sensors/src/push.rs": "crates/arco-sensors/src/push_dedupe.rs"},
        why="`git mv push.rs push_dedupe.rs`: the rename in git history is the fix",
    ),
    Planted(
        "git-mv-link",
        "PM301",
        "Bounded dedupe window",
        "../../crates/arco-sensors/src/push.rs",
        "error",
        lambda r: {"../../crates/arco-sensors/src/push.rs": "../../crates/arco-sensors/src/push_dedupe.rs"},
        why="the same rename, cited by a link relative to the matrix: the fix stays relative",
    ),
    # tests renamed, deleted, moved
    Planted(
        "renamed-test",
        "PM305",
        "Partition keys sort chronologically",
        "window_keys_are_sorted_oldest_first",
        "error",
        why="renamed to `window_keys_are_sorted`; the row's other test still resolves (no PM201)",
    ),
    Planted(
        "deleted-rust-test", "PM305", "Tick id textual form", "tick_id_round_trips_through_display", "error"
    ),
    Planted(
        "deleted-rust-test-unproven",
        "PM201",
        "Tick id textual form",
        _tests_cell("Tick id textual form"),
        "error",
        why="its only test is gone",
    ),
    Planted(
        "deleted-python-test", "PM305", "Latest status per partition", "test_latest_status_wins", "error"
    ),
    Planted(
        "deleted-python-test-unproven",
        "PM201",
        "Latest status per partition",
        _tests_cell("Latest status per partition"),
        "error",
    ),
    Planted(
        "moved-test",
        "PM305",
        "Backfill resume after a crash",
        "resume_skips_completed_chunks",
        "error",
        why="moved to `tests/backfill_resume_tests.rs`: suggested in the editor, not a safe fix (issue 16)",
    ),
    Planted(
        "moved-test-unproven",
        "PM201",
        "Backfill resume after a crash",
        _tests_cell("Backfill resume after a crash"),
        "error",
        why="as written, its only test does not resolve",
    ),
    # matrix vocabulary
    Planted(
        "status-typo",
        "PM101",
        "Code version changes make an asset stale",
        "Implemeted",
        "error",
        lambda r: {"Implemeted": "Implemented"},
    ),
    Planted(
        "proof-level-synonym",
        "PM102",
        "Sensor cursor rows keyed by sensor",
        "end-to-end",
        "error",
        lambda r: {"end-to-end": "e2e"},
        fix_optional=True,
    ),
    # CI job renamed (`name: Sensor tests` kept: rows citing the name stay right)
    Planted(
        "job-renamed-1",
        "PM402",
        "Push sensor duplicate delivery dedupe",
        "sensors",
        "error",
        lambda r: {"sensors": "sensor-tests"},
        fix_optional=True,
    ),
    Planted(
        "job-renamed-2",
        "PM402",
        "Bounded dedupe window",
        "sensors",
        "error",
        lambda r: {"sensors": "sensor-tests"},
        fix_optional=True,
    ),
    Planted(
        "job-renamed-3",
        "PM402",
        "Sensor cursor never moves backwards",
        "sensors",
        "error",
        lambda r: {"sensors": "sensor-tests"},
        fix_optional=True,
    ),
    # cited tests disabled: the test is ignored (PM308) and so the row is no longer CI-gated (PM203)
    Planted(
        "rust-test-ignored",
        "PM308",
        "Stale cursor writes are dropped",
        "stale_cursor_is_not_written",
        "warning",
    ),
    Planted(
        "rust-test-ignored-not-gated",
        "PM203",
        "Stale cursor writes are dropped",
        "cargo test -p arco-sensors --tests",
        "error",
        why="`cargo test` without `--ignored` skips it",
    ),
    Planted(
        "python-test-skipped",
        "PM308",
        "Partition status parsed from API rows",
        "TestFromApi::test_parses_an_api_row",
        "warning",
    ),
    Planted(
        "python-test-skipped-not-gated",
        "PM203",
        "Partition status parsed from API rows",
        "python -m pytest tests/unit -q",
        "error",
    ),
    # CI step still contains the cited command but `--skip`s the cited test
    Planted(
        "ci-skips-test",
        "PM203",
        "Backfill cancellation is sticky",
        "cargo test -p arco-flow --tests",
        "error",
        why="`cargo test -p arco-flow --tests -- --test-threads=4 --skip canceled_backfill_launches_nothing`",
    ),
    # CI command changed (the first command of the ` + ` pair is still run)
    Planted(
        "command-changed-joined",
        "PM403",
        "Identity partition mapping",
        "cargo test -p arco-core --test partition_keys",
        "warning",
    ),
    Planted(
        "command-changed-1",
        "PM403",
        "Trailing-window partition mapping",
        "cargo test -p arco-core --test partition_keys",
        "warning",
    ),
    Planted(
        "command-changed-2",
        "PM403",
        "Partition keys sort chronologically",
        "cargo test -p arco-core --test partition_keys",
        "warning",
    ),
    # exception withdrawn from the audit
    Planted("exception-withdrawn", "PM207", "Multi-dimensional partitions", "EX-03", "error"),
    # design stub deleted: a Designed row only warns
    Planted(
        "designed-path-deleted",
        "PM301",
        "Auto-materialize reconciliation",
        "crates/arco-flow/src/reconcile.rs",
        "warning",
    ),
    # file shrank under a cited line
    Planted(
        "line-past-end",
        "PM302",
        "Event format is versioned",
        "16",
        "error",
        lambda r: {"16": str(line_of(r, CORE_LIB, "pub const EVENT_FORMAT_VERSION"))},
        why="`lib.rs:16` (`EVENT_FORMAT_VERSION`) in an 11-line file: point to the definition",
    ),
]

# Engine discrepancies found by this test are isolated here as strict xfails (none open now);
# the whole-report test subtracts them so that it still guards the rest.
KNOWN_EXTRAS: dict[tuple[str, str], str] = {}

# Findings a safe fix rightly brings to light: `end-to-end` fixed to `e2e` makes the row require
# an e2e proof, which its integration test does not give (PM204).
REVEALED_BY_FIX = [("PM204", "Sensor cursor rows keyed by sensor")]


# Rows citing a line anywhere inside the cited symbol's item: right before and after the rot.
INSIDE_ITEM = {
    "Schedule tick idempotency key format": "Rust fn line under a 4-line doc comment",
    "Retried launches reuse the run key": "body line still inside after 7 lines were inserted above",
    "Run key from sensor cursor": "the test's #[test] attribute line",
    "Identity partition mapping": "a body line of an integration test",
    "Trailing-window partition mapping": "#L-range equal to a trait-impl method's extent (doc comment included)",
    "Backfill cancellation is sticky": "the test's /// doc comment line",
    "Terminal partition states": "the @pytest.mark.skipif decorator line",
    "Run lines are aligned for terminals": "a body line of a method of a test class",
    "Run filters are sent as query params": "range equal to a method's extent, above the inserted helper",
    "Transport errors are retried": "a body line of a decorator factory, above the inserted helper",
    "Compactor drops duplicate deliveries": "doc comment line after a 1-line shift; a test body line",
    "Run termination is idempotent": "#L on a test's def line",
}


# --- the repositories --------------------------------------------------------------------------


@dataclass
class Checked:
    path: Path
    rc: int
    report: dict
    matrix: str
    rows: dict[str, int] = field(default_factory=dict)  # capability -> 1-based line

    def diags(self) -> list[dict]:
        return self.report["diagnostics"]

    def span_text(self, d: dict) -> str:
        return _span_text(self.matrix, d["line"], d["column"], d["end_line"], d["end_column"])


def _span_text(text: str, line: int, col: int, end_line: int, end_col: int) -> str:
    return text[_offset(text, line, col) : _offset(text, end_line, end_col)]


def _offset(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(text_line) + 1 for text_line in lines[: line - 1]) + col - 1


def _row_lines(matrix: str) -> dict[str, int]:
    rows = {}
    for i, line in enumerate(matrix.split("\n"), 1):
        if line.startswith("| ") and not line.startswith("| Capability |"):
            rows[line.split(" | ")[0][2:]] = i
    return rows


def _checked(path: Path) -> Checked:
    rc, report = check_json(path)
    matrix = read(path, MATRIX)
    return Checked(path, rc, report, matrix, _row_lines(matrix))


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    """(clean, rotted, fixed, dry_run): the fixture committed as is, after the rot, after `fix`."""
    base = tmp_path_factory.mktemp("realistic")
    repo = base / "repo"
    shutil.copytree(FIXTURE, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Arco: initial import")
    clean = _checked(repo)

    for message, step in ROT:
        step(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)
    rot_matrix_edits(repo)
    rotted = _checked(repo)

    before = _snapshot(repo)
    dry = parity(repo, "fix", "--dry-run")
    dry_after = _snapshot(repo)

    fixed_repo = base / "fixed"
    shutil.copytree(repo, fixed_repo, symlinks=True)
    fix_proc = parity(fixed_repo, "fix")
    fixed = _checked(fixed_repo)
    return {
        "clean": clean,
        "rotted": rotted,
        "fixed": fixed,
        "dry": dry,
        "dry_unchanged": before == dry_after,
        "fix_proc": fix_proc,
        "fixed_tree": _snapshot(fixed_repo),
        "rotted_tree": before,
    }


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


# --- the fixture as committed --------------------------------------------------------------------


def test_committed_fixture_is_realistic():
    text = (FIXTURE / MATRIX).read_text(encoding="utf-8")
    rows = _row_lines(text)
    assert len(rows) >= 40
    for heading in (
        "Scheduling",
        "Sensors",
        "Run identity (`run_key`)",
        "Partitions",
        "Backfills",
        "Partition status",
        "Staleness/reconciliation",
        "Operator UX (CLI/API)",
        "Production hardening",
    ):
        assert f"\n## {heading}\n" in text
    forms = {
        "path": r"\| `crates/arco-flow/tests/orchestration_schema_tests\.rs` \|",
        "path:line": r"`[\w/.-]+\.rs:\d+` \(`",
        "path:start-end": r"`[\w/.-]+:\d+-\d+`",
        "#L10": r"`[\w/.-]+#L\d+` \(`",
        "#L10-L20": r"`[\w/.-]+#L\d+-L\d+`",
        "symbols": r"\(`\w+`, `\w+`\)",
        "Type::method": r"\(`[A-Z]\w+::\w+`\)",
        "Class.method": r"\(`[A-Z]\w+\.\w+`\)",
        "pytest node id": r"`[\w/.-]+\.py::\w+`",
        "tests module": r"\(`tests::\w+`\)",
        "link": r"\]\(\.\./\.\./crates/[\w/.-]+#L\d+\)",
        "directory": r"`[\w/.-]+/`",
        "labels": r"(Rust|Python): ",
        "<br>": r"<br>",
        ";": r"`; `",
        "prose parenthesis": r"\(global idempotency gate\)",
        "Missing proof": r"Missing proof: ",
        "bare path": r"Rust: crates/",
        "CI + commands": r"\(job `[\w-]+`: `[^`]+` \+ `[^`]+`\)",
        "CI job by name": r"\(job `Sensor tests`:",
        "escaped pipe": r"\\\|",
    }
    for form, pattern in forms.items():
        assert re.search(pattern, text), f"the matrix lacks the {form} form"
    assert not re.search(r"\|\s*(TBD|TODO)\s*\|", text), "owners are assigned"


def test_committed_fixture_is_clean(repos):
    clean = repos["clean"]
    assert clean.report["files_checked"] >= 1
    assert clean.diags() == [], "\n".join(
        f"{d['line']}:{d['column']} {d['code']} {d['message']}" for d in clean.diags()
    )
    assert clean.rc == 0


# --- the rotted repository: exactly the planted defects -----------------------------------------


def _find(checked: Checked, p: Planted) -> list[dict]:
    line = checked.rows[p.row]
    return [d for d in checked.diags() if d["code"] == p.code and d["line"] == line and d["path"] == MATRIX]


def _fix_pairs(checked: Checked, d: dict) -> dict[str, str] | None:
    if d["fix"] is None:
        return None
    pairs = {}
    for e in d["fix"]["edits"]:
        assert e["path"] == MATRIX
        pairs[_span_text(checked.matrix, e["line"], e["column"], e["end_line"], e["end_column"])] = e[
            "content"
        ]
    return pairs


@pytest.mark.parametrize("p", PLANTED, ids=[p.id for p in PLANTED])
def test_planted_defect_is_reported_with_its_fix(repos, p: Planted):
    rotted = repos["rotted"]
    found = _find(rotted, p)
    assert found, f"{p.code} not reported on row {p.row!r} (line {rotted.rows[p.row]}) {p.why}"
    texts = [rotted.span_text(d) for d in found]
    matching = [d for d in found if rotted.span_text(d).strip() == p.text]
    assert matching, f"{p.code} on {p.row!r} points at {texts}, expected {p.text!r}"
    d = matching[0]
    assert d["severity"] == p.severity, d
    assert d["message"] and "\n" not in d["message"], d
    got = _fix_pairs(rotted, d)
    if p.fix is None:
        assert got is None, f"no safe fix expected, got {got} ({d['fix']['message']})"
    elif p.fix_optional and got is None:
        pass
    else:
        assert got == p.fix(rotted.path), f"{d['fix'] and d['fix']['message']}: {got}"


def _row_param(row: str):
    bugs = [reason for (code, r), reason in KNOWN_EXTRAS.items() if r == row]
    if bugs:
        return pytest.param(row, marks=pytest.mark.xfail(strict=True, reason="; ".join(bugs)))
    return row


ALL_ROWS = list(_row_lines((FIXTURE / MATRIX).read_text(encoding="utf-8")))


@pytest.mark.parametrize("row", [_row_param(r) for r in ALL_ROWS])
def test_row_reports_exactly_its_planted_defects(repos, row: str):
    rotted = repos["rotted"]
    line = rotted.rows[row]
    want = Counter(p.code for p in PLANTED if p.row == row)
    got = Counter(d["code"] for d in rotted.diags() if d["line"] == line and d["path"] == MATRIX)
    extra = {
        f"{d['code']} `{rotted.span_text(d)}`: {d['message']}"
        for d in rotted.diags()
        if d["line"] == line and (got - want)[d["code"]] > 0
    }
    assert got == want, (
        f"row {row!r} (line {line}): expected {dict(want)}, got {dict(got)}; extra: {sorted(extra)}"
    )


def test_rotted_report_is_exactly_the_planted_set(repos):
    rotted = repos["rotted"]
    want = Counter((p.code, rotted.rows[p.row]) for p in PLANTED)
    got = Counter((d["code"], d["line"]) for d in rotted.diags() if d["path"] == MATRIX)
    got -= Counter((code, rotted.rows[row]) for code, row in KNOWN_EXTRAS)  # isolated above (xfail)
    elsewhere = [d for d in rotted.diags() if d["path"] != MATRIX]
    assert not elsewhere, elsewhere
    missing, extra = want - got, got - want
    assert not missing and not extra, (
        f"missing: {sorted(missing.elements())}; extra: {sorted(extra.elements())}"
    )
    assert rotted.rc == 1
    summary = Counter(d["severity"] for d in rotted.diags())  # the summary counts what is reported
    assert rotted.report["summary"] == {s: summary.get(s, 0) for s in ("error", "warning", "info", "hint")}


def test_proof_level_synonym_is_fixed_to_e2e(repos):
    rotted = repos["rotted"]
    (d,) = _find(rotted, next(p for p in PLANTED if p.id == "proof-level-synonym"))
    assert _fix_pairs(rotted, d) == {"end-to-end": "e2e"}, d["message"]


@pytest.mark.parametrize("row", list(INSIDE_ITEM), ids=list(INSIDE_ITEM.values()))
def test_cited_line_inside_the_item_is_right(repos, row: str):
    for state in ("clean", "rotted"):
        checked = repos[state]
        line = checked.rows[row]
        bad = [
            d
            for d in checked.diags()
            if d["line"] == line and d["code"] in ("PM302", "PM303", "PM304", "PM305")
        ]
        assert not bad, f"{state}: {[(d['code'], d['message']) for d in bad]}"


# --- fix ------------------------------------------------------------------------------------------


def _offered(rotted: Checked, p: Planted) -> bool:
    return any(d["fix"] is not None for d in _find(rotted, p))


def test_fix_dry_run_prints_a_diff_and_writes_nothing(repos):
    dry = repos["dry"]
    assert dry.returncode == 0, dry.stderr
    assert repos["dry_unchanged"], "fix --dry-run wrote files"
    out = dry.stdout
    assert f"--- a/{MATRIX}" in out or f"--- {MATRIX}" in out, out[:500]
    assert "+++ " in out and "@@ " in out
    removed = {diff_line[3:].split(" | ")[0] for diff_line in out.splitlines() if diff_line.startswith("-| ")}
    added = {diff_line[3:].split(" | ")[0] for diff_line in out.splitlines() if diff_line.startswith("+| ")}
    with_fix = {
        row
        for row, line in repos["rotted"].rows.items()
        if any(d["fix"] and d["line"] == line for d in repos["rotted"].diags())
    }
    assert removed == added == with_fix
    new_record = line_of(repos["rotted"].path, SCHEDULE, "pub fn record(")
    assert f"`crates/arco-flow/src/schedule.rs:{new_record}` (`TickLedger::record`)" in out


def test_fix_changes_only_the_edited_spans(repos):
    rotted, fixed = repos["rotted"], repos["fixed"]
    assert repos["fix_proc"].returncode == 0, repos["fix_proc"].stderr
    edits = []
    for d in rotted.diags():
        for e in (d["fix"] or {}).get("edits", []):
            edits.append(
                (
                    _offset(rotted.matrix, e["line"], e["column"]),
                    _offset(rotted.matrix, e["end_line"], e["end_column"]),
                    e["content"],
                )
            )
    assert edits, "the rotted matrix has safely fixable findings"
    expected = rotted.matrix
    for start, end, content in sorted(set(edits), reverse=True):
        expected = expected[:start] + content + expected[end:]
    assert fixed.matrix == expected
    # nothing but the matrix changed
    changed = {k for k in repos["rotted_tree"] if repos["rotted_tree"][k] != repos["fixed_tree"].get(k)}
    assert changed == {MATRIX}
    assert set(repos["fixed_tree"]) == set(repos["rotted_tree"])


@pytest.mark.parametrize("p", PLANTED, ids=[p.id for p in PLANTED])
def test_fix_repairs_exactly_the_safely_fixable_defects(repos, p: Planted):
    rotted, fixed = repos["rotted"], repos["fixed"]
    still = [d for d in fixed.diags() if d["code"] == p.code and d["line"] == fixed.rows[p.row]]
    if p.gone_after_fix(_offered(rotted, p)):
        assert not still, f"still reported after `fix`: {[d['message'] for d in still]}"
    else:
        assert [fixed.span_text(d).strip() for d in still] == [p.text], (
            "a finding without a safe fix must stay"
        )


def test_fix_leaves_no_new_findings(repos):
    rotted, fixed = repos["rotted"], repos["fixed"]
    want = Counter((p.code, fixed.rows[p.row]) for p in PLANTED if not p.gone_after_fix(_offered(rotted, p)))
    want += Counter((code, fixed.rows[row]) for code, row in REVEALED_BY_FIX)
    got = Counter((d["code"], d["line"]) for d in fixed.diags())
    assert not got - want, f"new after `fix`: {sorted((got - want).elements())}"
