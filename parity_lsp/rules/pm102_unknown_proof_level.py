"""PM102 unknown-proof-level: Proof Level Required is not in the vocabulary."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_PROOF
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.rules.pm101_unknown_status import check_vocabulary

RULE = RuleInfo(
    code="PM102",
    name="unknown-proof-level",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Proof level not in the vocabulary",
    fixable=True,
    doc="""\
## What it does
Checks Proof Level Required against the ordered vocabulary unit < integration < e2e < prod
(configurable with `proof-levels`). Several levels may be given (`integration + e2e`).

## Why is this bad?
The proof level decides which tests count as proof (PM204); an unknown level cannot be met.

## Example
```markdown
| Tick keys | ... | Implemented | end-to-end | ...
```

## Fix
Replace with the nearest level.
""",
)

_SPLIT = re.compile(r"\s*(?:,|\+|/|&|\band\b)\s*")


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    cell = ctx.row.cell(COL_PROOF)
    if cell is None or not cell.value.strip():
        return
    known = ctx.config.memo("PM102 known")  # a value's answer, once per configuration
    ok = known.get(cell.value)
    if ok is None:
        if len(known) > 10_000:  # values typed in an editor, one per keystroke
            known.clear()
        levels = {v.lower() for v in ctx.config.proof_levels}
        parts = [p for p in _SPLIT.split(cell.value.strip().lower()) if p]
        ok = known[cell.value] = bool(parts) and all(p in levels for p in parts)
    if ok:
        return
    yield from check_vocabulary(ctx, RULE, cell, ctx.config.proof_levels, "proof level")
