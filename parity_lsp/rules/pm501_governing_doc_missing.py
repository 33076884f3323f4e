"""PM501 governing-doc-missing: a "Governed by" document does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import Reference, RefKind
from parity_lsp.rules.base import RuleInfo, matrix_rule
from parity_lsp.rules.context import MatrixContext
from parity_lsp.rules.pm301_path_not_found import path_fix

RULE = RuleInfo(
    code="PM501",
    name="governing-doc-missing",
    severity=Severity.ERROR,
    stage="syntactic",
    summary='A "Governed by" document the matrix cites does not exist',
    fixable=True,
    doc="""\
## What it does
Checks that the documents a matrix says it is governed by (`This template is governed by:`
followed by paths) exist.

## Why is this bad?
The charter defines what counts as parity and proof; a matrix whose charter is gone has no
rules to be judged by.

## Example
```markdown
This template is governed by:
- `docs/parity/dagster-parity-01-charter.md`
```
""",
)


@matrix_rule(RULE)
def check(ctx: MatrixContext) -> Iterator[Finding]:
    for doc in ctx.matrix.governing_docs:
        ref = Reference(
            kind=RefKind.PATH,
            path=doc.path,
            span=doc.span,
            full_span=doc.span,
            is_link=True,
            link_base=ctx.matrix.path.rpartition("/")[0],
        )
        res = ctx.resolve(ref)
        if res.exists or res.escapes:
            continue
        yield ctx.finding(
            RULE, doc.span, f"governing document `{doc.path}` does not exist", fix=path_fix(ctx, ref, res.rel)
        )
