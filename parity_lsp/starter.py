"""What `parity-lsp init` writes: a starter matrix (from the Dagster parity matrix template) and a
`.parity-lsp.toml`. Shipped as text inside the package, so `init` works from any install.

The starter rows are the template's examples, written as Planned with "Missing proof" evidence
and no owner: a fresh `parity-lsp check` passes (only PM103 owner-unassigned, at info level),
and nothing is claimed as shipped until someone cites the code, the test and the CI job.
"""

from __future__ import annotations

MATRIX_PATH = "docs/parity/dagster-parity-matrix.md"
CONFIG_NAME = ".parity-lsp.toml"

_HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)


def _table(*rows: tuple[str, str, str, str]) -> str:
    lines = []
    for capability, feature, level, notes in rows:
        lines.append(
            f"| {capability} | {feature} | Planned | {level} | Missing proof: code path and symbol "
            "| Missing proof: test file and test name | Missing proof: workflow, job and command "
            f"| TBD | {notes} |\n"
        )
    return _HEADER + "".join(lines)


# The starter tables: (heading, (capability, Arco feature, proof level, notes)) each
_SECTIONS: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    (
        "Scheduling",
        (
            "Schedule tick idempotency key format",
            "Orchestration events",
            "integration",
            "Proves deterministic idempotency keys only",
        ),
    ),
    (
        "Sensors",
        (
            "Push sensor duplicate delivery dedupe",
            "Sensor fold/idempotency keys",
            "integration",
            "Does not prove Pub/Sub ingest",
        ),
    ),
    ("Run identity (`run_key`)", ("Run key derived from the tick", "Run identity", "unit", "")),
    (
        "Partitions",
        ("Layer-2 schema primary keys", "Parquet row types", "integration", "Schema invariants only"),
    ),
    ("Backfills", ("Backfill resumes after a restart", "Backfill controller", "e2e", "")),
    (
        "Partition status",
        ("Partition status reflects the latest run", "Partition status", "integration", ""),
    ),
    ("Staleness/reconciliation", ("Stale assets are reconciled", "Reconciler", "integration", "")),
    ("Operator UX (CLI/API)", ("List runs by status", "CLI", "unit", "")),
    ("Production hardening", ("Scheduler survives a crash mid-tick", "Scheduler", "prod", "")),
)

STARTER_MATRIX = """\
# Dagster Parity Matrix

<!-- Name the charter this matrix answers to: a line "This matrix is governed by:" followed by a
     list item with its path, e.g. `docs/parity/dagster-parity-01-charter.md`. parity-lsp then
     checks that the document exists (PM501). -->

## Columns
The minimum required columns (Markdown table here; CSV/TSV work too):

- **Capability**: Dagster concept/feature (semantic behavior).
- **Arco Feature**: the corresponding Arco component(s).
- **Status**: Implemented | Partial | Designed | Planned | Exception.
- **Proof Level Required**: unit | integration | e2e | prod.
- **Evidence (Code)**: file paths and symbols, e.g. `crates/core/src/schedule.rs:6` (`tick_key`).
- **Evidence (Tests)**: test file + test name, e.g. `crates/core/tests/schedule_tests.rs`
  (`tick_key_is_stable`).
- **Evidence (CI)**: CI job/command proving it runs, e.g. `.github/workflows/ci.yml`
  (job `rust`: `cargo test -p core --tests`).
- **Owner**: person/team.
- **Notes**: limits/SLOs, edge cases, open questions.

## Status Rules (summary)
- **Implemented** requires CI-gated proving tests.
- **Designed/Planned** must not be treated as shipped parity.
- **Exception** must point to the exceptions document (`docs/audits/*exception*.md`) or cite a
  declared exception id such as EX-01.

Check with `parity-lsp check`; summarize with `parity-lsp report --format html -o parity.html`.

""" + "\n".join(f"## {heading}\n\n{_table(row)}" for heading, row in _SECTIONS)

STARTER_CONFIG = """\
# parity-lsp configuration (keys: see the README, section Configuration).

# Which files are parity matrices (gitignore-style globs).
include = ["docs/parity/**/*.md", "**/*parity*.md", "**/*parity*.csv", "**/*parity*.tsv"]

# Where Exception rows must point, and what an exception id looks like.
exceptions-doc = ["docs/audits/*exception*.md"]
exception-id-pattern = "EX-\\\\d+[a-z]?"

# Evidence that proves nothing (plans, scratch worktrees).
forbidden-evidence = ["docs/plans/**", ".worktrees/**"]

# Rules to skip, and severities to change ("error" | "warning" | "info" | "hint" | "off").
ignore = []

[severity]
# PM304 = "error"
"""
