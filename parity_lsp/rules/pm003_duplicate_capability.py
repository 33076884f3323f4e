"""PM003 duplicate-capability: the same Capability appears twice across the workspace."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.model import COL_CAPABILITY, Cell, Matrix, Row
from parity_lsp.rules.base import RuleInfo, workspace_rule
from parity_lsp.rules.context import WorkspaceContext

RULE = RuleInfo(
    code="PM003",
    name="duplicate-capability",
    severity=Severity.WARNING,
    stage="syntactic",
    summary="Same Capability twice across the workspace's matrices",
    doc="""\
## What it does
Flags a Capability (case-insensitive, whitespace folded) that appears in more than one row of
the workspace's matrices.

## Why is this bad?
Two rows for one capability drift apart: one says Implemented, the other Planned, and every
summary counts the capability twice.

## Example
```markdown
| Tick idempotency | ... | Implemented | ...
| Tick idempotency | ... | Planned | ...
```
""",
)


@workspace_rule(RULE)
def check(ctx: WorkspaceContext) -> Iterator[Finding]:
    seen: dict[str, list[tuple[Matrix, Row, Cell]]] = {}
    for matrix in ctx.matrices:
        for row in matrix.rows():
            cell = row.cell(COL_CAPABILITY)
            if cell is None:
                continue
            key = " ".join(cell.value.lower().split())
            if key:
                seen.setdefault(key, []).append((matrix, row, cell))
    for entries in seen.values():
        if len(entries) < 2:
            continue
        for i, (matrix, row, cell) in enumerate(entries):
            others = [e for j, e in enumerate(entries) if j != i]
            related = [
                Related(m.path, r.line, c.span.start - r.span.start, "also listed here")  # column in its line
                for m, r, c in others
            ]
            where = ", ".join(f"{m.path}:{r.line + 1}" for m, r, _ in others)
            yield ctx.finding(
                RULE,
                matrix,
                ctx.current_span(matrix, row, cell.span),
                f"capability `{cell.value}` is listed more than once (also at {where})",
                related=related,
                row=row,
            )
