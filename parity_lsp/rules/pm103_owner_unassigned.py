"""PM103 owner-unassigned: Owner is a placeholder such as TBD."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_OWNER
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM103",
    name="owner-unassigned",
    severity=Severity.INFO,
    stage="semantic",
    summary="Owner is TBD / an empty placeholder",
    doc="""\
## What it does
Flags rows whose Owner is a placeholder (`TBD`, `TODO`, `?`, `unassigned`, …; configurable with
`owner-placeholders`).

## Why is this bad?
Unowned rows are the ones that rot first: nobody is asked when their evidence breaks.

## Example
```markdown
| Tick keys | ... | TBD | ...
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    cell = ctx.row.cell(COL_OWNER)
    if cell is None:
        return
    value = cell.value.strip()
    if not value:
        return  # PM004
    if value.lower() in _lowered(tuple(ctx.config.owner_placeholders)):
        yield ctx.finding(RULE, cell.span, f"owner is unassigned (`{value}`)")


@functools.lru_cache(maxsize=8)
def _lowered(placeholders: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p.lower() for p in placeholders)
