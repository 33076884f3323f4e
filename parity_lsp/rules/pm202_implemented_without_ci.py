"""PM202 implemented-without-ci: an Implemented row names no workflow + job + command."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_CI, COL_STATUS, RefKind
from parity_lsp.roles import CI, SHIPPED
from parity_lsp.rules._util import cell_span, columns_named, downgrade_fix, evidence_cell
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM202",
    name="implemented-without-ci",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Implemented row without a CI reference naming workflow + job + command",
    doc="""\
## What it does
A shipped row (Implemented in the template; `done`, `✅`, ... in tables read by their roles)
must say where CI proves it: a workflow file, the job, and the command, as
`` `.github/workflows/ci.yml` (job `test`: `cargo test -p core --tests`) ``.

Only tables with a column for CI are asked: the template's `Evidence (CI)`, a column whose role
is `ci` (a header naming CI, a workflow or a pipeline, or configured in `[columns]`), or a mixed
evidence column whose header names CI (`Evidence (code/workflow/docs)`). A table without one
(`Feature | Status | Tests`) is not checked for CI gating: the editor's hover on its header
says so. Name a CI column in `[columns]` (`ci = ["Gate"]`) to have its rows checked.

## Why is this bad?
"CI-gated" is the whole point of Implemented: a workflow name alone ("ci.yml (core tests)")
cannot be checked, and rots first when jobs are split or renamed.

## Example
```markdown
| Tick keys | ... | Implemented | ... | `.github/workflows/ci.yml` (arco-flow tests) | ...
```

## Fix
Name the job and the command; or downgrade the row to Partial (editor quick fix).
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.means(SHIPPED):
        return
    table = ctx.table
    if not table.roles.template and CI not in table.roles.expects:
        return  # no column for CI: not checked (the header's hover says so)
    ci_refs = ctx.refs(COL_CI, RefKind.CI)
    for ref in ci_refs:
        if ref.path and ref.job and ref.commands:
            return
    cell = evidence_cell(ctx.row, COL_CI) or ctx.row.cell(COL_STATUS)
    if cell is None:
        return
    with_workflow = [r for r in ci_refs if r.path]
    # `rust.yml` → `test`: a workflow's file name without its directory is a plain path
    named = [r.path for r in ctx.refs(COL_CI, RefKind.PATH) if r.path.endswith((".yml", ".yaml"))]
    if named and not with_workflow:
        name = named[0].rsplit("/", 1)[-1]
        msg = f"`{named[0]}` is not a workflow path: cite `.github/workflows/{name}` (job `ID`: `COMMAND`)"
    elif not ci_refs:
        msg = f"{ctx.status_label} row cites no CI workflow, job and command in {columns_named(table, CI)}"
    elif not with_workflow:
        msg = "CI reference names a command but no workflow file and job"
    elif not any(r.job for r in with_workflow):
        msg = (
            f"CI reference `{with_workflow[0].path}` names no job and command: "
            "add (job `ID`: `COMMAND`) after it"
        )
    else:
        msg = f"CI reference `{with_workflow[0].path}` names job `{with_workflow[0].job}` but no command"
    fix = downgrade_fix(ctx.matrix.path, ctx.row, ctx.vocabulary)
    yield ctx.finding(RULE, cell_span(ctx.matrix, cell), msg, fix=fix)
