"""PM304 line-drift: a cited line is outside the cited symbol's item."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules._drift import definition_related, drift_fix, inside_item, located_symbols
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM304",
    name="line-drift",
    severity=Severity.WARNING,
    stage="semantic",
    summary="Cited line is outside the cited symbol's item",
    fixable=True,
    doc="""\
## What it does
For `path:LINE (symbol)`, checks that LINE falls inside the symbol's item: from its first
attribute or doc comment (`#[test]`, `///`, decorators) through the end of its body. A range
must lie inside it too.

## Why is this bad?
Lines drift with every edit above them. A drifted line sends reviewers (and go-to-definition)
to unrelated code, and hides that the symbol moved or changed.

## Example
```markdown
| Tick keys | ... | `crates/core/src/tick.rs:40` (`tick_key`) | ...   (tick_key is at line 58)
```

## Fix
Point to the line where the symbol is defined now.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.path_refs():
        if ref.line_start is None or ref.line_span is None or not ref.symbols:
            continue
        res = ctx.resolve(ref)
        src = res.source
        if src is None or not src.readable:
            continue
        count = src.line_count
        if ref.line_start < 1 or ref.line_start > count or (ref.line_end or 0) > count:
            continue  # PM302
        found = located_symbols(ctx, ref, res)
        if not found:
            continue  # PM303/PM305
        if any(
            inside_item(ref.line_start, ref.line_end, d)
            for sym in ref.symbols
            for d in (res.lookup(sym.name) or [])
        ):
            continue
        name, d = found[0]
        where = f"line {ref.line_start}" if ref.line_end is None else f"lines {ref.line_start}-{ref.line_end}"
        yield ctx.finding(
            RULE,
            ref.line_span,
            f"{where} of `{ref.path}` {'is' if ref.line_end is None else 'are'} outside `{name}`, "
            f"which is at lines {d.start_line + 1}-{d.end_line + 1} (defined at line {d.line + 1})",
            fix=drift_fix(ctx, ref, d),
            related=[definition_related(src.rel, d)],
        )
