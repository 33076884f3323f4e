"""PM203 test-not-ci-gated: none of the cited CI commands actually runs the cited tests."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.roles import SHIPPED
from parity_lsp.rules._gating import gating, summarize
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.model import DOES_NOT_RUN, UNKNOWN

RULE = RuleInfo(
    code="PM203",
    name="test-not-ci-gated",
    severity=Severity.ERROR,
    stage="semantic",
    summary="None of the cited CI commands actually runs the cited test",
    doc="""\
## What it does
For a shipped row (Implemented in the template; `done`, `✅`, ... in tables read by their
roles), decides whether some `run:` step of the cited job, executed as written,
runs each cited test (docs/spec/ci.md#gating): Cargo workspaces and targets (`-p`, `--workspace
--exclude`, `--lib`, `--tests`, `--test NAME`, name filters, `--skip`, `--exact`, `--ignored`),
pytest (paths relative to the working directory, node ids, `-k`, `-m`, testpaths), `go test`
(package patterns, `-run`), one level into `make` targets and package.json scripts.
Reported when every cited test is *not run*; a hint when it cannot be decided (custom scripts,
`${{ }}` expressions). Only rows that cite both a test and a CI job are judged: a table with no
column for CI (see PM202) cites none, and its CI gating is not checked.

## Why is this bad?
"Implemented requires CI-gated proving tests." Matrices cite commands CI stopped running, or
commands that exclude the very crate whose test they cite: the test exists, and nothing runs it.

## Example
```markdown
"""
    # one table row (the example's only line too long for the source)
    "| Tick keys | ... | `crates/core/tests/tick.rs` (`tick_is_stable`) "
    "| `.github/workflows/ci.yml` (job `test`: `cargo test --workspace --exclude core`) |\n"
    """\
```
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.means(SHIPPED):
        return
    tests, cites, cache = gating(ctx)
    if not tests or not cites:
        return  # PM201 / PM202 say what is missing
    per_test = [summarize([cache[(i, j)] for j in range(len(cites))]) for i in range(len(tests))]
    if any(o not in (DOES_NOT_RUN, UNKNOWN) for o in per_test):
        return  # some cited test runs
    ref, _ = cites[0]
    span = ref.commands[0].span if ref.commands else (ref.job_span or ref.span)
    first = cache[(0, 0)]
    related: list[Related] = []
    if first.workflow and first.command_line is not None:
        related.append(Related(first.workflow, first.command_line, 0, f"`{first.command}`"))
    if all(o == DOES_NOT_RUN for o in per_test):
        reasons = "; ".join(f"{t.label}: {cache[(i, 0)].reason}" for i, t in enumerate(tests[:3]))
        yield ctx.finding(RULE, span, f"CI does not run the cited tests ({reasons})", related=related)
    else:
        why = next(
            cache[(i, j)].reason
            for i in range(len(tests))
            for j in range(len(cites))
            if cache[(i, j)].outcome == UNKNOWN
        )
        yield ctx.finding(
            RULE,
            span,
            f"cannot tell whether CI runs the cited tests: {why}",
            severity=Severity.HINT,
            related=related,
        )
