"""PM310 glob-matches-nothing: a cited glob matches no file or directory of the workspace."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import RefKind
from parity_lsp.rules._evidence import glob_matches
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM310",
    name="glob-matches-nothing",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Cited glob matches no file or directory",
    doc="""\
## What it does
A code span holding a glob (`crates/*/Cargo.toml`, `Tests/**/*Snapshot*.swift`, `src/?.rs`) in
an evidence column is evidence that *some* files exist: it must match at least one file or
directory of the workspace (relative to the root; `*` and `?` stay within a directory, `**`
crosses directories, `[abc]` is a set; files the workspace ignores do not count). Severity is
warning on planned rows; a glob in a "Missing proof: …" segment is not checked.

## Why is this bad?
A glob that matches nothing proves nothing, and it stays green forever: the crates it named
were renamed or moved, and the row still claims them.

## Example
```markdown
| Workspace layout | done | `crates/*/Cargo.toml` |
```
after `crates/` was renamed `packages/`.

## Fix
Correct the glob (no fix is offered: what it should match is the team's decision).
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.refs(kind=RefKind.GLOB):
        pattern = ref.pattern
        if not pattern or ref.in_missing:
            continue
        if glob_matches(ctx, pattern):
            continue
        severity = Severity.WARNING if ctx.relaxed else None
        yield ctx.finding(RULE, ref.span, f"glob `{pattern}` matches no file or directory", severity=severity)
