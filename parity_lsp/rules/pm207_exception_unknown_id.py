"""PM207 exception-unknown-id: a cited exception id is not declared in the exceptions document."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.rules._util import nearest, replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.text import Span

RULE = RuleInfo(
    code="PM207",
    name="exception-unknown-id",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Cites an exception id the exceptions document does not declare",
    doc="""\
## What it does
Every exception id a row cites (`EX-04`; `exception-id-pattern`) must appear in the exceptions
document (`exceptions-doc`).

## Why is this bad?
An id that was never declared, or was removed when the exception was closed, points at a
decision nobody made.

## Example
```markdown
| Asset checks | ... | Exception | ... | see EX-99 |
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    id_re = ctx.config.exception_id_re
    row = ctx.row
    if (
        _line_search_is_exact(id_re)
        and ctx.config.exception_id_prefilter.search(ctx.matrix.text, row.span.start, row.span.end) is None
    ):
        return  # no id anywhere on the row (most rows): no need to search cell by cell
    declared = None
    for cell in ctx.row.cells:
        for m in id_re.finditer(cell.text):
            if declared is None:
                declared = ctx.ws.exception_ids()
            ident = m.group(0)
            if ident in declared:
                continue
            span = Span(cell.span.start + m.start(), cell.span.start + m.end())
            docs = ctx.ws.exception_docs()
            if not docs:
                globs = ", ".join(ctx.config.exceptions_doc)
                msg = f"exception id `{ident}` cannot be checked: no exceptions document matches `{globs}`"
                yield ctx.finding(RULE, span, msg)
                continue
            near = nearest(ident, list(declared), cutoff=0.7)
            fix = (
                replace_fix(ctx.matrix.path, span, near[0], f"Replace with `{near[0]}`", safe=False)
                if near
                else None
            )
            related = []
            if near:
                doc, line = declared[near[0]]
                related.append(Related(doc, line, 0, f"`{near[0]}` is declared here"))
            yield ctx.finding(
                RULE, span, f"exception id `{ident}` is not declared in `{docs[0]}`", fix=fix, related=related
            )


def _line_search_is_exact(id_re: re.Pattern[str]) -> bool:
    """A pattern that finds nothing on a row's text finds nothing in its cells, unless it
    anchors to the start of the text or looks behind (cells are searched as separate texts)."""
    return not any(token in id_re.pattern for token in ("^", "\\A", "(?<"))
