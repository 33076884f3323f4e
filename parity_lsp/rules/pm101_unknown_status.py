"""PM101 unknown-status: Status is not in the vocabulary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_STATUS, Cell
from parity_lsp.rules._util import SAFE_RATIO, nearest, replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM101",
    name="unknown-status",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Status not in the vocabulary",
    fixable=True,
    doc="""\
## What it does
Checks the Status cell against the vocabulary: Implemented, Partial, Designed, Planned,
Exception (configurable with `statuses`). Case and emphasis are ignored.

## Why is this bad?
Every other rule keys off the status: "Done", "✅" or "Implemeted" escape the proof rules for
Implemented rows and get counted as shipped by whoever reads the table.

## Example
```markdown
| Tick keys | ... | Done | ...
```

## Fix
Replace with the nearest status (applied automatically only when the match is near-certain).
""",
)


def check(ctx: RowContext) -> Iterator[Finding]:
    cell = ctx.row.cell(COL_STATUS)
    if cell is None or not cell.value.strip():
        return
    yield from check_vocabulary(ctx, RULE, cell, ctx.config.statuses, "status")


def check_vocabulary(
    ctx: RowContext, rule: RuleInfo, cell: Cell, vocabulary: Sequence[str], what: str
) -> Iterator[Finding]:
    value = cell.value.strip()
    if value.lower() in {v.lower() for v in vocabulary}:
        return
    choices = ", ".join(vocabulary)
    near = nearest(value, vocabulary)
    fix = None
    if near is not None:
        choice, ratio = near
        fix = replace_fix(
            ctx.matrix.path, cell.span, choice, f"Replace with `{choice}`", safe=ratio >= SAFE_RATIO
        )
        msg = f"unknown {what} `{value}`: expected one of {choices} (did you mean `{choice}`?)"
    else:
        msg = f"unknown {what} `{value}`: expected one of {choices}"
    yield ctx.finding(rule, cell.span, msg, fix=fix)
