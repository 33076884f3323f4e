"""PM004 empty-cell: Capability, Status or Owner is empty."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_CAPABILITY, COL_OWNER, COL_STATUS
from parity_lsp.rules._util import cell_span
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM004",
    name="empty-cell",
    severity=Severity.WARNING,
    stage="syntactic",
    summary="Capability, Status or Owner is empty",
    doc="""\
## What it does
Flags rows whose Capability, Status or Owner cell is empty (the columns playing those roles:
`Feature`, `State`, ... in a table that names them so).

## Why is this bad?
A row without a capability names nothing; without a status it claims nothing; without an owner
nobody keeps it true.

## Example
```markdown
| | Implemented | ... | @sched-team |
```
""",
)

_NAMES = {COL_CAPABILITY: "Capability", COL_STATUS: "Status", COL_OWNER: "Owner"}


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    table = ctx.table
    for role, label in _NAMES.items():
        idx = table.role_index.get(role)
        if idx is None:
            continue
        cell = ctx.row.cell(role)
        if cell is None:  # PM002 reports the short row
            continue
        if not cell.value.strip():
            if not table.roles.template:  # the column as the table names it
                label = table.header[idx].value or label
            yield ctx.finding(RULE, cell_span(ctx.matrix, cell), f"{label} is empty")
