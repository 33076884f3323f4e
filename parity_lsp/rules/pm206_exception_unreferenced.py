"""PM206 exception-unreferenced: an Exception row does not point to the exceptions document."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_STATUS
from parity_lsp.roles import EXCEPTION
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.files import compile_globs
from parity_lsp.workspace.fs import normalize_rel

# a link target or a code span anywhere in the row
_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?[^)]*\)|`([^`\s]+)`")

RULE = RuleInfo(
    code="PM206",
    name="exception-unreferenced",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Exception row does not point to the exceptions document",
    doc="""\
## What it does
An exception row (Exception in the template; `n/a`, `out of scope`, ... in tables read by their
roles, docs/spec/matrix.md#status-meanings) must point to the exceptions document
(`exceptions-doc`, default `docs/audits/*exception*.md`): by a path or link to it, or by an
exception id (`EX-04`, `exception-id-pattern`) — which must be declared there (PM207 checks
that). The editor's hover and completion on the status say the same.

In a table read by its roles, an exception row is only asked to point there when the workspace
has an exceptions document: a team that writes `n/a` for "does not apply" and keeps no such
document is not told about it on every row.

## Why is this bad?
An exception is a deliberate, reviewed gap. Without a pointer to where it was decided, it is
just an unproven row with a convenient status.

## Example
```markdown
| Asset checks | ... | Exception | ... | out of scope |
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.means(EXCEPTION):
        return
    spec = compile_globs(ctx.config.exceptions_doc)
    for ref in ctx.refs():
        res = ctx.resolve(ref)
        if res.rel and spec.match_file(res.rel):
            return
    id_re = ctx.config.exception_id_re
    base = posixpath.dirname(ctx.matrix.path)
    for cell in ctx.row.cells:
        if id_re.search(cell.text):
            return
        for m in _TARGET.finditer(cell.text):
            target = (m.group(1) or m.group(2)).split("#", 1)[0]
            for cand in (normalize_rel(posixpath.join(base, target)), normalize_rel(target)):
                if cand and spec.match_file(cand):
                    return
    status = ctx.row.cell(COL_STATUS)
    if status is None:
        return
    docs = ctx.ws.exception_docs()
    legacy = ctx.vocabulary.legacy
    if not docs and not legacy:
        return  # a team with no exceptions document: its `n/a` rows are not asked to cite one
    where = (
        f"`{docs[0]}`" if docs else "the exceptions document (`" + ", ".join(ctx.config.exceptions_doc) + "`)"
    )
    label = "Exception" if legacy else f"`{ctx.row.status}`"
    yield ctx.finding(RULE, status.span, f"{label} row does not point to {where} or cite an exception id")
