"""PM201 implemented-without-tests: an Implemented row has no proving test that resolves."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_STATUS, COL_TESTS
from parity_lsp.rules._evidence import test_refs, test_resolves
from parity_lsp.rules._util import cell_span, downgrade_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM201",
    name="implemented-without-tests",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Implemented row without a proving test that resolves",
    doc="""\
## What it does
An Implemented row must cite at least one proving test in Evidence (Tests) that exists: a test
file, and when test names are given, at least one of them defined in that file.

## Why is this bad?
"Implemented requires CI-gated proving tests." A claim whose test is missing, renamed or was
never written is not proven parity, however green the table looks.

## Example
```markdown
| Tick keys | ... | Implemented | integration | `src/tick.rs` | Missing proof: none yet | ...
```

## Fix
Add the proving test, or downgrade the row to Partial (offered as an editor quick fix; not
applied by `parity-lsp fix`, because it changes the claim).
""",
)


def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.status_is("Implemented"):
        return
    refs = test_refs(ctx)
    if any(test_resolves(ctx, r) for r in refs):
        return
    cell = ctx.row.cell(COL_TESTS) or ctx.row.cell(COL_STATUS)
    if cell is None:
        return
    if not refs:
        msg = "Implemented row cites no proving test in Evidence (Tests)"
    else:
        msg = "Implemented row has no proving test that resolves (every cited test is missing)"
    yield ctx.finding(RULE, cell_span(ctx.matrix, cell), msg, fix=downgrade_fix(ctx.matrix.path, ctx.row))
