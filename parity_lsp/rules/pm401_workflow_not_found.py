"""PM401 workflow-not-found: the cited workflow file does not exist (or cannot be read)."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._util import nearest, replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.workflows import list_workflows

RULE = RuleInfo(
    code="PM401",
    name="workflow-not-found",
    severity=Severity.ERROR,
    summary="Cited workflow file does not exist",
    fixable=True,
    doc="""\
## What it does
Checks that the workflow file a CI reference names (`.github/workflows/*.yml`) exists and can
be read as a GitHub Actions workflow.

## Why is this bad?
Workflows get renamed and split (`ci.yml` → `rust.yml` + `python.yml`); a row citing the old
file claims a CI gate that no longer exists.

## Example
```markdown
| Tick keys | ... | `.github/workflows/tests.yml` (job `test`: `cargo test`) | ...
```

## Fix
Replace with the renamed (git history) or most similar workflow file.
""",
)


def check(ctx: RowContext) -> Iterator[Finding]:
    for target in ci_targets(ctx):
        ref = target.ref
        res = ctx.resolve(ref)
        if res.escapes:
            continue  # PM306
        wf = target.workflow
        if wf is None:
            fix = None
            renamed = ctx.ws.renamed_to(res.rel) if res.rel else None
            if renamed:
                fix = replace_fix(
                    ctx.matrix.path, ref.span, renamed, f"Replace with `{renamed}` (renamed in git history)"
                )
            else:
                near = nearest(ref.path, list_workflows(ctx.ws.fs), cutoff=0.4)
                if near:
                    fix = replace_fix(
                        ctx.matrix.path, ref.span, near[0], f"Replace with `{near[0]}`", safe=False
                    )
            yield ctx.finding(RULE, ref.span, f"workflow `{ref.path}` does not exist", fix=fix)
        elif wf.error is not None:  # not `wf.ok`
            related = [Related(wf.path, wf.error_line, 0, wf.error)] if wf.error_line is not None else []
            yield ctx.finding(
                RULE, ref.span, f"workflow `{ref.path}` cannot be read: {wf.error}", related=related
            )
