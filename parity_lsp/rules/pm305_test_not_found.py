"""PM305 test-not-found: a cited test is not defined in the cited test file."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules._names import missing_names
from parity_lsp.rules._symbols import missing_symbols
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM305",
    name="test-not-found",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Test not defined in the cited test file",
    fixable=True,
    doc="""\
## What it does
For `tests/file (test_name)` in a tests column (Evidence (Tests); a mixed evidence column's
references to a test file or test definition), checks that the file defines the test: Rust
`#[test]`/`#[tokio::test]` functions (also inside `mod tests`), pytest functions and methods,
Go `TestXxx`, JS/TS `test("…")`/`it("…")`. A test must be defined: a name that only appears
in the file (a comment, a call) proves nothing and stays an error. On a planned row
(Designed/Planned; `todo`, `⬜` ...) a missing test is a warning (a plan); a test named in a
"Missing proof: …" segment is not checked.

## Why is this bad?
Renamed and deleted tests are the most common way a matrix lies: the row still says
Implemented, but the proof is gone.

## Example
```markdown
| Tick keys | ... | `crates/core/tests/tick.rs` (`tick_key_is_stable`) | ...
```

## Fix
Suggested in the editor (never applied by `parity-lsp fix`): the file where the test is defined
now (when unique), similar test names in the file.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    yield from missing_symbols(ctx, RULE, tests_column=True)
    yield from missing_names(ctx, RULE, tests_column=True)
