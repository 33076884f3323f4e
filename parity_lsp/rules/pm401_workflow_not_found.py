"""PM401 workflow-not-found: the cited workflow file does not exist (or cannot be read)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from parity_lsp.findings import Finding, Fix, Related, Severity
from parity_lsp.model import Reference
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._util import path_as_written, replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.verdict import match_cited_commands
from parity_lsp.workspace.ci.workflows import find_job, list_workflows, load_workflow

NEAR = 0.4  # a workflow path at least this similar is worth suggesting

RULE = RuleInfo(
    code="PM401",
    name="workflow-not-found",
    severity=Severity.ERROR,
    stage="syntactic",
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
The file git history says the workflow was renamed to (safe). Otherwise a suggestion: the
workflows that have the cited job (those whose job runs the cited commands first), then the most
similar workflow paths.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    for target in ci_targets(ctx):
        ref = target.ref
        res = ctx.resolve(ref)
        if res.escapes:
            continue  # PM306
        wf = target.workflow
        if wf is None:
            fix = None
            alternatives: list[Fix] = []
            renamed = ctx.ws.renamed_to(res.rel) if res.rel else None
            if renamed:
                new = path_as_written(ref, renamed)
                fix = replace_fix(
                    ctx.matrix.path, ref.span, new, f"Replace with `{new}` (renamed in git history)"
                )
            else:
                suggestions = [
                    replace_fix(ctx.matrix.path, ref.span, path, f"Replace with `{path}`", safe=False)
                    for path in _ranked_workflows(ctx, ref)[:3]
                ]
                if suggestions:
                    fix, alternatives = suggestions[0], suggestions[1:]
            yield ctx.finding(
                RULE, ref.span, f"workflow `{ref.path}` does not exist", fix=fix, alternatives=alternatives
            )
        elif wf.error is not None:  # not `wf.ok`
            related = [Related(wf.path, wf.error_line, 0, wf.error)] if wf.error_line is not None else []
            yield ctx.finding(
                RULE, ref.span, f"workflow `{ref.path}` cannot be read: {wf.error}", related=related
            )


def _ranked_workflows(ctx: RowContext, ref: Reference) -> list[str]:
    """Workflows worth suggesting for a missing one, best first: those whose job the reference
    names runs the cited commands, then those that have the job, then similar paths (a workflow
    without the job trades PM401 for PM402: last)."""
    ranked: list[tuple[bool, bool, float, str]] = []
    for path in list_workflows(ctx.ws.fs):
        wf = load_workflow(ctx.ws.fs, path)
        job = find_job(wf, ref.job) if ref.job and wf.ok else None
        runs = job is not None and all(
            m.matched for m in match_cited_commands(job, [c.text for c in ref.commands])
        )
        likeness = difflib.SequenceMatcher(None, ref.path.lower(), path.lower()).ratio()
        if job is not None or likeness >= NEAR:
            ranked.append((runs, job is not None, likeness, path))
    ranked.sort(reverse=True)
    return [path for *_, path in ranked]
