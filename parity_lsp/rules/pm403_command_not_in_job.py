"""PM403 command-not-in-job: a cited command is not one of the job's `run:` commands."""

from __future__ import annotations

from parity_lsp.findings import Related, Severity
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._util import nearest, replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.workspace.ci.workflows import fold

RULE = RuleInfo(
    code="PM403",
    name="command-not-in-job",
    severity=Severity.WARNING,
    summary="Cited command is not one of the job's `run:` commands",
    fixable=True,
    doc="""\
## What it does
Checks that each command a CI reference cites (several may be joined with ` + `) is run by a
`run:` step of the cited job, after folding whitespace.

## Why is this bad?
CI commands change (`cargo test --workspace` becomes `cargo nextest run -p core`); a cited
command that no step runs is proof by memory, not by CI.

## Example
```markdown
| Tick keys | ... | `.github/workflows/ci.yml` (job `test`: `cargo test -p core`) | ...
```

## Fix
Replace with the closest command the job runs.
""",
)


def command_in_job(cited: str, job) -> bool:
    want = fold(cited)
    return any(want in fold(c.text) for c in job.commands)


def check(ctx):
    for target in ci_targets(ctx):
        job = target.job
        if job is None:
            continue
        for cmd in target.ref.commands:
            if command_in_job(cmd.text, job):
                continue
            texts = [c.text for c in job.commands]
            near = nearest(cmd.text, texts, cutoff=0.3)
            fix = None
            related = []
            if near:
                fix = replace_fix(ctx.matrix.path, cmd.span, near[0].replace("|", "\\|"),
                                  f"Replace with `{near[0]}`", safe=False)
                c = next(c for c in job.commands if c.text == near[0])
                related.append(Related(target.workflow.path, c.line, 0, f"closest command in job `{job.id}`"))
            yield ctx.finding(RULE, cmd.span, f"`{cmd.text}` is not run by job `{job.id}` in `{target.ref.path}`",
                              fix=fix, related=related)
