"""PM402 job-not-found: the cited job is not in the workflow."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._util import SAFE_RATIO, replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.verdict import match_cited_commands
from parity_lsp.workspace.ci.workflows import Workflow, fold

NEAR = 0.5  # a job id or name at least this like the cited one is worth suggesting

RULE = RuleInfo(
    code="PM402",
    name="job-not-found",
    severity=Severity.ERROR,
    stage="syntactic",
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
Replace with a job id (the message lists ids): first the jobs that run the cited commands, then
the closest id or `name:`. Applied by `parity-lsp fix` only when the id or name is near-certain,
no other job is as close, and the job runs the cited commands.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for target in ci_targets(ctx):
        ref = target.ref
        wf = target.workflow
        if wf is None or not wf.ok or not ref.job or ref.job_span is None or target.job is not None:
            continue
        jobs = ", ".join(f"`{j}`" for j in wf.jobs) or "none"
        ranked = _ranked_jobs(wf, ref.job, [c.text for c in ref.commands])
        fix = None
        alternatives = []
        if ranked:
            (best, ratio, runs), others = ranked[0], ranked[1:]
            # safe: near-certainly the same name, no other job as close, and (when commands are
            # cited) the job runs them
            safe = ratio >= SAFE_RATIO and runs and not any(r >= SAFE_RATIO for _, r, _ in others)
            fix = replace_fix(ctx.matrix.path, ref.job_span, best, f"Replace with job `{best}`", safe=safe)
            alternatives = [
                replace_fix(ctx.matrix.path, ref.job_span, job, f"Replace with job `{job}`", safe=False)
                for job, _, _ in others[:2]
            ]
        yield ctx.finding(
            RULE,
            ref.job_span,
            f"job `{ref.job}` is not in `{ref.path}` (jobs: {jobs})",
            fix=fix,
            alternatives=alternatives,
        )


def _ranked_jobs(wf: Workflow, cited: str, commands: list[str]) -> list[tuple[str, float, bool]]:
    """(job id, how like `cited` its id or name is, whether its steps run every cited command) for
    the jobs worth suggesting, best first: a job that runs the cited commands, then the closest
    name. Ids, as the message lists them (a name would be a second vocabulary)."""
    want = fold(cited)
    out: list[tuple[str, float, bool]] = []
    for job in wf.jobs.values():
        ratio = max(
            difflib.SequenceMatcher(None, want, fold(name)).ratio() for name in (job.id, job.name) if name
        )
        runs = not commands or all(m.matched for m in match_cited_commands(job, commands))
        if ratio >= NEAR or (runs and commands):
            out.append((job.id, ratio, runs))
    out.sort(key=lambda x: (not x[2], -x[1]))
    return out
