"""PM403 command-not-in-job: a cited command is not one of the job's `run:` commands."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Fix, Related, Severity
from parity_lsp.model import Reference
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._gating import gating
from parity_lsp.rules._util import replace_fix
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.model import RUNS, Verdict
from parity_lsp.workspace.ci.verdict import match_cited_commands

RULE = RuleInfo(
    code="PM403",
    name="command-not-in-job",
    severity=Severity.WARNING,
    summary="Cited command is not one of the job's `run:` commands",
    fixable=True,
    doc="""\
## What it does
Checks that each command a CI reference cites (several may be joined with ` + `) matches a
`run:` step command of the cited job (SPEC section 5): whitespace folded, wrappers (`uv run`,
`poetry run`, `python -m`, …) ignored, and the same selection options — package, workspace,
exclude, target and filter options must be equal; extra arguments after `--` are allowed.

## Why is this bad?
CI commands change (`cargo test --workspace` becomes `cargo nextest run -p core`, a step gains
`--exclude core`); a cited command that no step runs is proof by memory, not by CI.

## Example
```markdown
| Tick keys | ... | `.github/workflows/ci.yml` (job `test`: `cargo test --workspace`) | ...
```
where the step now runs `cargo test --workspace --exclude core`.

## Fix
Replace with the step command that runs the row's test, else the closest step command.
""",
)


def _running_commands(ctx: RowContext, ref: Reference) -> list[tuple[str, Verdict]]:
    """Step commands of the cited job that run one of the row's cited tests (with their verdict)."""
    tests, cites, table = gating(ctx)
    out: list[tuple[str, Verdict]] = []
    for j, (cref, _) in enumerate(cites):
        if cref is not ref:
            continue
        for i in range(len(tests)):
            for d in table[(i, j)].details:
                if d.outcome == RUNS and d.command and d.command not in [c for c, _ in out]:
                    out.append((d.command, d))
    return out


def check(ctx: RowContext) -> Iterator[Finding]:
    for target in ci_targets(ctx):
        job, wf = target.job, target.workflow  # the workflow is None only when the job is
        if job is None or wf is None:
            continue
        ref = target.ref
        matches = match_cited_commands(job, [c.text for c in ref.commands])
        running: list[tuple[str, Verdict]] | None = None
        for cmd, match in zip(ref.commands, matches, strict=False):
            if match.matched:
                continue
            if running is None:
                running = _running_commands(ctx, ref)
            related: list[Related] = []
            fix: Fix | None
            if running:
                text, d = running[0]
                msg = (
                    f"`{cmd.text}` is not run by job `{job.id}`; step {d.step_index} runs `{text}`, "
                    f"which runs the cited test"
                )
                fix = replace_fix(
                    ctx.matrix.path, cmd.span, text.replace("|", "\\|"), f"Replace with `{text}`", safe=False
                )
                if d.command_line is not None:
                    related.append(Related(wf.path, d.command_line, 0, "this step runs the cited test"))
            elif match.closest:
                msg = f"`{cmd.text}` is not run by job `{job.id}` (closest step command: `{match.closest}`)"
                fix = replace_fix(
                    ctx.matrix.path,
                    cmd.span,
                    match.closest.replace("|", "\\|"),
                    f"Replace with `{match.closest}`",
                    safe=False,
                )
                line = next((c.line for c in job.commands if (c.template or c.text) == match.closest), None)
                if line is not None:
                    related.append(Related(wf.path, line, 0, f"closest command in job `{job.id}`"))
            else:
                msg = f"`{cmd.text}` is not run by job `{job.id}`, which has no `run:` command"
                fix = None
            yield ctx.finding(RULE, cmd.span, msg, fix=fix, related=related)
