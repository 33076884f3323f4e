"""PM402 job-not-found: the cited job is not in the workflow."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._util import SAFE_RATIO, nearest, replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.workflows import nearest_job

RULE = RuleInfo(
    code="PM402",
    name="job-not-found",
    severity=Severity.ERROR,
    summary="Job id/name not in the workflow",
    fixable=True,
    doc="""\
## What it does
Checks that the job a CI reference names exists in the workflow, by job id or by its `name:`
(case-insensitive).

## Why is this bad?
When a job is renamed or removed, nothing runs the cited command any more, but the row still
claims the gate.

## Example
```markdown
| Tick keys | ... | `.github/workflows/ci.yml` (job `tests`: `cargo test`) | ...   (the job is `test`)
```

## Fix
Replace with the nearest job id or name.
""",
)


def check(ctx: RowContext) -> Iterator[Finding]:
    for target in ci_targets(ctx):
        ref = target.ref
        wf = target.workflow
        if wf is None or not wf.ok or not ref.job or ref.job_span is None or target.job is not None:
            continue
        jobs = ", ".join(f"`{j}`" for j in wf.jobs) or "none"
        near = nearest_job(wf, ref.job)
        fix = None
        if near:
            score = nearest(ref.job, [near], cutoff=0.0)
            fix = replace_fix(
                ctx.matrix.path,
                ref.job_span,
                near,
                f"Replace with job `{near}`",
                safe=bool(score and score[1] >= SAFE_RATIO),
            )
        yield ctx.finding(
            RULE, ref.job_span, f"job `{ref.job}` is not in `{ref.path}` (jobs: {jobs})", fix=fix
        )
