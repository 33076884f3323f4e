"""PM201 implemented-without-tests: an Implemented row has no proving test that resolves."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_STATUS, COL_TESTS, Cell
from parity_lsp.roles import DOC, SHIPPED, TESTS, is_document
from parity_lsp.rules._evidence import proof_resolves, test_refs, test_resolves
from parity_lsp.rules._util import cell_span, columns_named, downgrade_fix, evidence_cell
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM201",
    name="implemented-without-tests",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Implemented row without a proving test that resolves",
    doc="""\
## What it does
A shipped row (Implemented in the template; `done`, `✅`, ... in tables read by their roles)
must cite at least one proving test that exists: a test file, and when test names are given, at
least one of them defined in that file. Tests are the references of the tests columns, and the
references of a mixed evidence column that resolve to a test (a file under a tests directory or
named by the language's test conventions, or a cited test definition).

A document (`docs/design.md`), prose or a placeholder (`TBD`, `Missing proof: …`) is not proof.

A table with no column for tests (no tests column, and no mixed evidence column whose header
names tests: `Feature | Status | Code`) cannot be asked for tests: there a shipped row must cite
some proof that resolves — code, a test or a CI job — and a row citing only documents, prose or
placeholders is reported.

## Why is this bad?
"Implemented requires CI-gated proving tests." A claim whose test is missing, renamed or was
never written is not proven parity, however green the table looks.

## Example
```markdown
| Tick keys | ... | Implemented | integration | `src/tick.rs` | Missing proof: none yet | ...
```

## Fix
Add the proving test, or downgrade the row to Partial (offered as an editor quick fix; not
applied by `parity-lsp fix`, because it changes the claim).
""",
)


_URL = re.compile(r"\bhttps?://")


def _url_note(cell: Cell | None, what: str) -> str:
    """A permalink is not followed (the file it names may be another repository's): say so."""
    if cell is None or not _URL.search(cell.text):
        return ""
    return f" (a URL is not followed: cite {what} in this repository as a path)"


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.means(SHIPPED):
        return
    table = ctx.table
    label = ctx.status_label
    cited = [r for r in ctx.refs() if not r.in_missing]
    if table.roles.template or TESTS in table.roles.expects:
        refs = test_refs(ctx)
        if any(test_resolves(ctx, r) for r in refs):
            return
        cell = evidence_cell(ctx.row, COL_TESTS)
        if not refs:
            msg = f"{label} row cites no proving test in {columns_named(table, TESTS)}"
            msg += _url_note(cell, "the test's file")
        else:
            msg = f"{label} row has no proving test that resolves (every cited test is missing)"
    else:
        # no column for tests: some proof that resolves (code, a test, a CI job) is asked for
        if any(proof_resolves(ctx, r) for r in cited):
            return
        first = table.roles.evidence_columns[0][0] if table.roles.evidence_columns else None
        cell = ctx.row.cells[first] if first is not None and first < len(ctx.row.cells) else None
        if any(ctx.role_of(r) != DOC for r in cited):
            msg = f"{label} row has no proof that resolves (every cited file, test or symbol is missing)"
        else:
            names = " or ".join(f"`{table.header[i].value}`" for i, _ in table.roles.evidence_columns)
            msg = f"{label} row cites no proof (code, a test or a CI job) in {names}" + _url_note(
                cell, "the file"
            )
    docs = [r.path for r in cited if ctx.role_of(r) == DOC or is_document(r.path)]
    if docs and len(docs) == len(cited):
        msg += f": a document is not proof (`{docs[0]}`)"
    cell = cell or ctx.row.cell(COL_STATUS)
    if cell is None:
        return
    fix = downgrade_fix(ctx.matrix.path, ctx.row, ctx.vocabulary)
    yield ctx.finding(RULE, cell_span(ctx.matrix, cell), msg, fix=fix)
