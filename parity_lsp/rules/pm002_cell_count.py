"""PM002 cell-count: a row has a different number of cells than the header."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Edit, Finding, Fix, Severity
from parity_lsp.model import MatrixFormat
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.text import Span

RULE = RuleInfo(
    code="PM002",
    name="cell-count",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Row has a different number of cells than the header",
    fixable=True,
    doc="""\
## What it does
Compares each row's cell count with its table header.

## Why is this bad?
A missing or extra cell shifts every later value into the wrong column: an evidence path read as
the Owner, a status read as a proof level. GitHub renders such rows silently truncated.

## Example
```markdown
| Capability | Status | Owner |
|---|---|---|
| Tick keys | Implemented |
```

## Fix
Rows with too few cells get empty cells appended. Extra cells must be merged by hand (an
unescaped `|` inside a cell is the usual cause: write it as `\\|`).
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    row = ctx.row
    expected = len(ctx.table.header)
    got = len(row.cells)
    if got == expected:
        return
    fix = None
    if got < expected:
        fix = _pad_fix(ctx, expected - got)
        msg = f"row has {got} cells, header has {expected}: missing {expected - got}"
    else:
        msg = f"row has {got} cells, header has {expected}: {got - expected} extra (unescaped `|`?)"
    yield ctx.finding(RULE, row.span, msg, fix=fix)


def _pad_fix(ctx: RowContext, count: int) -> Fix:
    matrix = ctx.matrix
    row = ctx.row
    text = matrix.text[row.span.start : row.span.end]
    end = row.span.start + len(text.rstrip())
    if matrix.format == MatrixFormat.MARKDOWN:
        if text.rstrip().endswith("|") and not text.rstrip().endswith("\\|"):
            piece = "   |" * count
        else:
            # no closing pipe: the last pipe added closes the row, so add one more
            piece = " |" * (count + 1)
    else:
        piece = ("\t" if matrix.format == MatrixFormat.TSV else ",") * count
    return Fix(
        f"Add {count} empty cell{'s' if count > 1 else ''}", (Edit(matrix.path, Span(end, end), piece),)
    )
