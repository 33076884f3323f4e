"""PM309 ambiguous-reference: a bare file name or bare name resolves to several files."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.model import RefKind
from parity_lsp.rules._names import ambiguous_names, listing
from parity_lsp.rules._util import path_as_written, replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM309",
    name="ambiguous-reference",
    severity=Severity.WARNING,
    stage="semantic",
    summary="Bare file name or name that resolves to several files",
    fixable=True,
    doc="""\
## What it does
Teams cite evidence by bare names. A bare file name (`CalcTests.swift`, no directory)
that is not at the workspace root is looked for by its base name across the workspace: one file
of that name is the file cited (hover shows its path; go to definition opens it), several are
this warning, listing them. A bare test or function name (`test_parse_row`,
`coordinator_requeues_tasks_from_stale_worker`, `CalcTests.testAdd`, `Calc::add`) is looked
for in the workspace's definitions: defined in several files (a test name: several test
definitions) is this warning. A qualified name (`CalcTests.testAdd`) is resolved class first,
then member, and is ambiguous only when several files define that class and member.

## Why is this bad?
A reference that could be either of two files proves neither: the row may be green because a
test of the same name exists in another module, while its own test was deleted.

## Example
```markdown
| Parser | ✅ | `ParserTests.swift`, `test_roundtrip` |
```
with `Tests/CoreTests/ParserTests.swift` and `Tests/CLITests/ParserTests.swift`.

## Fix
Cite the file with its directory (`Tests/CoreTests/ParserTests.swift` (`testRoundtrip`)); the
editor offers each candidate path for a bare file name (never applied by `parity-lsp fix`: which
one was meant is a guess).
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for ref in ctx.path_refs():
        if ref.kind != RefKind.PATH or ref.is_link or "/" in ref.path:
            continue  # only a bare file name is looked up by its base name
        res = ctx.resolve(ref)
        files = list(res.by_name)
        if res.exists or len(files) < 2:
            continue
        fixes = [
            replace_fix(ctx.matrix.path, ref.span, path_as_written(ref, f), f"Replace with `{f}`", safe=False)
            for f in files[:5]
        ]
        yield ctx.finding(
            RULE,
            ref.span,
            f"`{ref.path}` is ambiguous: {len(files)} files have that name ({listing(files)})",
            fix=fixes[0],
            alternatives=fixes[1:],
            related=[Related(f, 0, 0, f"a file named `{ref.path}`") for f in files[:5]],
        )
    yield from ambiguous_names(ctx, RULE)
