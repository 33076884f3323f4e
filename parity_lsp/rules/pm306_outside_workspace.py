"""PM306 outside-workspace: evidence resolves outside the workspace root."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM306",
    name="outside-workspace",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Absolute path, `..` escape, or symlink leading outside the workspace",
    doc="""\
## What it does
Rejects evidence paths that are absolute, climb out of the workspace with `..`, or pass through
a symlink that leads outside it. Such paths are never read.

## Why is this bad?
Evidence must be reviewable in the repository. A path outside it proves nothing to anyone
else (and a checker must never read files it was not given).

## Example
```markdown
| Tick keys | ... | `/home/me/arco/src/tick.rs` | `../other-repo/tests/t.rs` | ...
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.path_refs():
        res = ctx.resolve(ref)
        if not res.escapes:
            continue
        if ref.path.startswith("/") or (len(ref.path) > 1 and ref.path[1] == ":"):
            why = "is an absolute path"
        elif res.rel is None and ".." in ref.path.split("/"):
            why = "climbs out of the workspace with `..`"
        else:
            why = "leads outside the workspace (symlink)"
        yield ctx.finding(RULE, ref.span, f"`{ref.path}` {why}: evidence must be inside the workspace")
