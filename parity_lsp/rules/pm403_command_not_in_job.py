"""PM403 command-not-in-job: a cited command is not one of the job's `run:` commands."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from parity_lsp.findings import Finding, Fix, Related, Severity
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._gating import gating
from parity_lsp.rules._util import replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.model import RUNS, UNKNOWN, CitedMatch
from parity_lsp.workspace.ci.verdict import command_runs_test, match_cited_commands
from parity_lsp.workspace.ci.workflows import Command, Job

RULE = RuleInfo(
    code="PM403",
    name="command-not-in-job",
    severity=Severity.WARNING,
    stage="semantic",
    summary="Cited command is not one of the job's `run:` commands",
    fixable=True,
    doc="""\
## What it does
Checks that each command a CI reference cites (several may be joined with ` + `) matches a
`run:` step command of the cited job (docs/spec/ci.md#matching): whitespace folded, wrappers (`uv run`,
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
Suggested (never applied by `parity-lsp fix`): the job's step commands that run the row's cited
test, the one running the most cited tests and most like the cited command first. When the row
cites tests, a step command that does not run them (one that `--exclude`s their crate, say) is
never suggested; without cited tests, the closest step command.
""",
)


MAX_JUDGED = 64  # step commands judged for a suggestion (a job rarely has more)


@dataclass(slots=True)
class _Candidate:
    text: str  # as the step writes it (before matrix expansion)
    command: Command
    runs: int  # cited tests it runs
    unknown: int  # cited tests it may run (the verdict is unknown)
    likeness: float  # how like the cited command it is


def _candidates(ctx: RowContext, job: Job, cited: str, match: CitedMatch) -> tuple[list[_Candidate], bool]:
    """Step commands worth suggesting in place of `cited`, best first, and whether the row cites
    tests that resolve. With tests, a suggestion must run (or may run: unknown) one of them —
    a command that does not run the row's test (`--exclude`s its crate, runs another target)
    would only trade PM403 for PM203. Best: runs the most cited tests, then the most like
    `cited`."""
    tests = gating(ctx)[0]
    if not tests:
        # nothing to judge by: the closest step command (same kind of command first)
        closest = match.closest
        command = next((c for c in job.commands if (c.template or c.text) == closest), None)
        return ([_Candidate(closest, command, 0, 0, 0.0)] if closest and command else []), False
    seen: set[str] = set()
    out: list[_Candidate] = []
    folded = " ".join(cited.split())
    for c in job.commands[:MAX_JUDGED]:
        text = c.template or c.text
        if text in seen:
            continue
        seen.add(text)
        runs = unknown = 0
        for t in tests:
            outcome = command_runs_test(ctx.ws.fs, c, t.target).outcome
            runs += outcome == RUNS
            unknown += outcome == UNKNOWN
        if not runs and not unknown:
            continue
        likeness = difflib.SequenceMatcher(None, folded, " ".join(text.split())).ratio()
        out.append(_Candidate(text, c, runs, unknown, likeness))
    out.sort(key=lambda k: (-k.runs, -k.unknown, -k.likeness))
    return out, bool(tests)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for target in ci_targets(ctx):
        job, wf = target.job, target.workflow  # the workflow is None only when the job is
        if job is None or wf is None:
            continue
        ref = target.ref
        matches = match_cited_commands(job, [c.text for c in ref.commands])
        for cmd, match in zip(ref.commands, matches, strict=False):
            if match.matched:
                continue
            candidates, has_tests = _candidates(ctx, job, cmd.text, match)
            related: list[Related] = []
            fix: Fix | None = None
            alternatives: list[Fix] = []
            if candidates:
                best = candidates[0]
                step = best.command.step.index
                if best.runs:
                    msg = (
                        f"`{cmd.text}` is not run by job `{job.id}`; step {step} runs `{best.text}`, "
                        "which runs the cited test"
                    )
                    related.append(Related(wf.path, best.command.line, 0, "this step runs the cited test"))
                elif best.unknown:
                    msg = (
                        f"`{cmd.text}` is not run by job `{job.id}`; step {step} runs `{best.text}`, "
                        "which may run the cited test"
                    )
                    related.append(Related(wf.path, best.command.line, 0, "this step may run the cited test"))
                else:
                    msg = f"`{cmd.text}` is not run by job `{job.id}` (closest step command: `{best.text}`)"
                    related.append(
                        Related(wf.path, best.command.line, 0, f"closest command in job `{job.id}`")
                    )
                fix, *alternatives = (
                    replace_fix(
                        ctx.matrix.path,
                        cmd.span,
                        k.text.replace("|", "\\|"),
                        f"Replace with `{k.text}`",
                        safe=False,
                    )
                    for k in candidates[:3]
                    if k.runs or not best.runs  # only commands as good as the best kind
                )
            elif has_tests:
                msg = f"`{cmd.text}` is not run by job `{job.id}`, and none of its steps runs the cited test"
            elif job.commands:
                msg = f"`{cmd.text}` is not run by job `{job.id}` (no step command is like it)"
            else:
                msg = f"`{cmd.text}` is not run by job `{job.id}`, which has no `run:` command"
            yield ctx.finding(RULE, cmd.span, msg, fix=fix, related=related, alternatives=alternatives)
