"""PM302 line-out-of-range: a cited line or range is past the end of the file."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules._drift import drift_fix, located_symbols
from parity_lsp.rules._util import plural
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM302",
    name="line-out-of-range",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Cited line or range past the end of the file",
    fixable=True,
    doc="""\
## What it does
Checks that `path:LINE`, `path:START-END`, `path#L10` and `path#L10-L20` name lines that exist
(and that a range does not run backwards).

## Why is this bad?
A line past the end means the file shrank or was rewritten since the row was written: the row
points at code that is no longer there.

## Example
```markdown
| Tick keys | ... | `crates/core/src/tick.rs:950` | ...   (the file has 300 lines)
```

## Fix
When a symbol is cited too, point to the line where it is defined now.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.path_refs():
        if ref.line_start is None or ref.line_span is None:
            continue
        res = ctx.resolve(ref)
        src = res.source
        if src is None or not src.readable:
            continue
        count = src.line_count
        start, end = ref.line_start, ref.line_end
        if start < 1:
            problem = f"line {start} does not exist (lines start at 1)"
        elif end is not None and end < start:
            problem = f"range {start}-{end} runs backwards"
        elif start > count or (end is not None and end > count):
            last = end if end is not None and end > count else start
            problem = f"line {last} is past the end of `{ref.path}` ({plural(count, 'line')})"
        else:
            continue
        fix = None
        found = located_symbols(ctx, ref, res)
        if ref.symbols and not found and src.definitions is not None:
            continue  # the symbol is gone: PM303/PM305 report it, with a fix for path and line
        if found:
            fix = drift_fix(ctx, ref, found[0][1])
        yield ctx.finding(RULE, ref.line_span, problem, fix=fix)
