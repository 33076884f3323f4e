"""PM307 non-normative-evidence: evidence under a forbidden glob (plans, worktrees)."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM307",
    name="non-normative-evidence",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Evidence under a forbidden glob (default `docs/plans/**`, `.worktrees/**`)",
    doc="""\
## What it does
Rejects evidence that points into non-normative places (`forbidden-evidence`, default
`docs/plans/**` and `.worktrees/**`).

## Why is this bad?
A plan describes what should exist; a worktree holds someone's unmerged copy. Neither proves
that the shipped code does anything.

## Example
```markdown
| Tick keys | ... | `docs/plans/2026-tick-keys.md` | ...
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.path_refs():
        res = ctx.resolve(ref)
        if res.rel and ctx.forbidden(res.rel):
            globs = ", ".join(f"`{g}`" for g in ctx.config.forbidden_evidence)
            yield ctx.finding(RULE, ref.span, f"`{ref.path}` is not normative evidence (forbidden: {globs})")
