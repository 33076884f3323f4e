"""PM205 not-shipped: a Designed/Planned row presented as shipped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.roles import PLANNED
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.text import Span

RULE = RuleInfo(
    code="PM205",
    name="not-shipped",
    severity=Severity.WARNING,
    stage="semantic",
    summary='Designed/Planned row presented as shipped (✅, "done", "shipped")',
    doc="""\
## What it does
Looks for shipped markers (✅, ✔, ☑, "done", "shipped", "complete", "GA") in the cells of
planned rows: Designed or Planned in the template, `not started`, `todo`, `⬜`, ... in tables
read by their roles (docs/spec/matrix.md#status-meanings).

## Why is this bad?
"Designed/Planned must not be treated as shipped parity." A green tick on a planned row is read
as shipped in every summary and screenshot.

## Example
```markdown
| Backfills | ... | Planned | ... | ✅ shipped in 0.4 |
```
""",
)

_SHIPPED = re.compile(r"✅|✔️?|☑️?|\b(?:done|shipped|completed?|GA)\b", re.I)
# What every match of _SHIPPED contains (its alternatives' literal parts, the same flags): a
# row whose cells have none of these has no shipped marker, known with one search a row
_ANY_MARKER = re.compile(r"✅|✔|☑|done|shipped|complete|ga", re.I)
# "not yet shipped", "never done", "isn't complete": a negation up to two words before
_NEGATED = re.compile(
    r"\b(?:not|never|no|nor|isn't|aren't|wasn't|hasn't|haven't|un|to be|yet to)\W+(?:\w+\W+)?$", re.I
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.means(PLANNED):
        return
    cells = ctx.row.cells
    if _ANY_MARKER.search("\n".join(c.text for c in cells)) is None:
        return
    status = ctx.row.status
    legacy = ctx.vocabulary.legacy
    for cell in cells:
        for m in _SHIPPED.finditer(cell.text):
            word = m.group(0)
            if word.upper() == "GA" and word != "GA":
                continue
            # the negation is at most two words back: look at a bounded window only
            if word[0].isalpha() and _NEGATED.search(cell.text[max(0, m.start() - 40) : m.start()]):
                continue
            s = cell.span.start + m.start()
            if legacy:
                msg = (
                    f"{status} row is presented as shipped (`{word}`): Designed/Planned is not shipped parity"
                )
            else:
                msg = (
                    f"`{status}` row is presented as shipped (`{word}`): a planned row is not shipped parity"
                )
            yield ctx.finding(RULE, Span(s, s + len(word)), msg)
            break
