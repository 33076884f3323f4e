"""A hand-counted workspace for the parity report tests (CLI, HTML in Chromium, language server).

Every number the report must show is written out in COUNTS below, counted by hand from the
matrix, not computed: 10 rows in two groups.

Alpha (5 rows):
  Tick keys        Implemented unit         unit test in src/, CI runs it        -> verified, proof met
  Flow runs        Implemented integration  tests/flow.rs::flow_runs             -> verified, proof met
  Vanished proof   Implemented integration  cites `vanished_test`, not defined   -> claimed, NOT verified (PM201, PM305)
  Flow end to end  Implemented e2e          only an integration test            -> verified (PM204 is a warning), proof below
  Cursor           Partial                                                      -> partial, never counted
Beta (5 rows):
  Cursor store     Designed                                                     -> not shipped
  Backfill UI      Planned (owner TBD: PM103, info)                             -> not shipped
  Asset checks     Exception, cites declared EX-01                              -> verified
  GraphQL API      Exception, cites undeclared EX-99 (PM207)                    -> NOT verified
  Sensor replay    Planned, but "✅ done" (PM205, warning)                       -> not shipped, not counted
"""

from __future__ import annotations

import textwrap
from pathlib import Path

HEADER = (
    "| Capability | Arco Feature | Status | Proof Level Required | Evidence (Code) | Evidence (Tests) "
    "| Evidence (CI) | Owner | Notes |\n|---|---|---|---|---|---|---|---|---|\n"
)
CI_REF = "`.github/workflows/ci.yml` (job `rust`: `cargo test -p core`)"
LIB = """\
    /// Idempotency key of one tick.
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn key_is_stable() {
            assert_eq!(super::tick_key(1), "1");
        }
    }
    """
FLOW = """\
    #[test]
    fn flow_runs() {
        assert_eq!(core::tick_key(2), "2");
    }
    """
CI = """\
    name: CI
    on: [push]
    jobs:
      rust:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: cargo test -p core
    """
EXCEPTIONS = (
    "# Exceptions\n\n| Id | Decision |\n|---|---|\n"
    "| EX-01 | Asset checks are out of scope |\n| EX-02 | GraphQL replaced by REST |\n"
)
MATRIX_PATH = "docs/parity/matrix.md"
MATRIX = (
    "# Parity\n\n## Alpha\n\n"
    + HEADER
    + f"| Tick keys | Events | Implemented | unit | `crates/core/src/lib.rs:2` (`tick_key`) | `crates/core/src/lib.rs` (`tests::key_is_stable`) | {CI_REF} | @alpha | |\n"
    + f"| Flow runs | Flow | Implemented | integration | `crates/core/src/lib.rs` | `crates/core/tests/flow.rs` (`flow_runs`) | {CI_REF} | @alpha | |\n"
    + f"| Vanished proof | Flow | Implemented | integration | `crates/core/src/lib.rs` | `crates/core/tests/flow.rs` (`vanished_test`) | {CI_REF} | @alpha | test was deleted |\n"
    + f"| Flow end to end | Flow | Implemented | e2e | `crates/core/src/lib.rs` | `crates/core/tests/flow.rs` (`flow_runs`) | {CI_REF} | @alpha | only integration |\n"
    + "| Cursor | Cursor | Partial | unit | `crates/core/src/lib.rs` | Missing proof: no test yet | — | @alpha | |\n"
    + "\n## Beta\n\n"
    + HEADER
    + "| Cursor store | Store | Designed | integration | — | — | — | @beta | not started |\n"
    + "| Backfill UI | UI | Planned | e2e | — | — | — | TBD | |\n"
    + "| Asset checks | — | Exception | prod | — | — | — | @beta | see EX-01 |\n"
    + "| GraphQL API | — | Exception | prod | — | — | — | @beta | see EX-99 |\n"
    + "| Sensor replay | Sensors | Planned | unit | — | — | — | @beta | ✅ done |\n"
)
FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
    "crates/core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
    "crates/core/src/lib.rs": LIB,
    "crates/core/tests/flow.rs": FLOW,
    ".github/workflows/ci.yml": CI,
    "docs/audits/exceptions.md": EXCEPTIONS,
    MATRIX_PATH: MATRIX,
}

# Counted by hand from the table in the module docstring.
COUNTS = {
    "overall": {
        "rows": 10,
        "claimed": 4,
        "verified": 4,
        "verified_implemented": 3,
        "exceptions": 2,
        "verified_exceptions": 1,
        "partial": 1,
        "not_shipped": 3,
        "unknown_status": 0,
        "broken": 2,
        "by_status": {"Implemented": 4, "Partial": 1, "Designed": 1, "Planned": 2, "Exception": 2},
    },
    "Alpha": {
        "rows": 5,
        "claimed": 4,
        "verified": 3,
        "verified_implemented": 3,
        "exceptions": 0,
        "verified_exceptions": 0,
        "partial": 1,
        "not_shipped": 0,
        "broken": 1,
    },
    "Beta": {
        "rows": 5,
        "claimed": 0,
        "verified": 1,
        "verified_implemented": 0,
        "exceptions": 2,
        "verified_exceptions": 1,
        "partial": 0,
        "not_shipped": 3,
        "broken": 1,
    },
    # Implemented rows by required level: (rows, met, below, unclassified, no test)
    "proof": {"unit": (1, 1, 0, 0, 0), "integration": (2, 1, 0, 0, 1), "e2e": (1, 0, 1, 0, 0)},
    "proof_total": (4, 2, 1, 0, 1),
    "verified_rows": {"Tick keys", "Flow runs", "Flow end to end", "Asset checks"},
    "broken_rows": {"Vanished proof": 9, "GraphQL API": 20},  # capability -> 1-based line
    # owner -> (broken claims, errors, warnings, rows with an error or a warning)
    "owners": {
        "@alpha": (1, 2, 1, ["Vanished proof", "Flow end to end"]),
        "@beta": (1, 1, 1, ["GraphQL API", "Sensor replay"]),
    },
}


def write_workspace(root: Path, files: dict[str, str] | None = None) -> Path:
    (root / ".parity-lsp.toml").write_text("")
    for rel, content in (files or FILES).items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(content) if content.startswith("    ") else content, encoding="utf-8")
    return root
