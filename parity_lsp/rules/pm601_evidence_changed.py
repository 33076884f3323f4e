"""PM601 evidence-changed: a file this row cites changed since a git revision."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM601",
    name="evidence-changed",
    severity=Severity.INFO,
    stage="semantic",
    summary="A file this row cites changed since git revision REV (`--changed-since`)",
    doc="""\
## What it does
With `--changed-since REV` (or the `changedSince` editor setting), marks each piece of evidence
whose file (or a file under whose directory) changed between REV and the working tree.

## Why is this bad?
It is not wrong — it is a prompt: the code behind the claim changed, so the claim deserves a
fresh look in review.

## Example
```sh
parity-lsp check --changed-since origin/main
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    rev = ctx.config.changed_since
    if not rev:
        return
    changed = ctx.ws.changed_since(rev)
    if not changed:
        return
    for ref in ctx.path_refs():
        res = ctx.resolve(ref)
        if res.rel is None or res.escapes:
            continue
        prefix = res.rel.rstrip("/") + "/"
        if res.rel in changed or (res.is_dir and any(c.startswith(prefix) for c in changed)):
            yield ctx.finding(RULE, ref.span, f"`{ref.path}` changed since `{rev}`: review this claim")
