"""Resolving CI references to workflows and jobs (shared by PM401-PM403)."""

from __future__ import annotations

from dataclasses import dataclass

from parity_lsp.model import Reference, RefKind
from parity_lsp.workspace.ci.workflows import Job, Workflow, find_job, load_workflow


@dataclass(slots=True)
class CiTarget:
    ref: Reference
    workflow: Workflow | None  # None when the path escapes or does not exist
    job: Job | None


def ci_targets(ctx) -> tuple[CiTarget, ...]:
    """Each CI reference of the row with its workflow and job (when they resolve); four rules
    ask, the row's context answers once."""
    found = ctx.cache.get("ci_targets")
    if found is None:
        found = ctx.cache["ci_targets"] = tuple(_ci_targets(ctx))
    return found


def _ci_targets(ctx):
    for ref in ctx.refs(kind=RefKind.CI):
        if not ref.path:
            continue
        res = ctx.resolve(ref)
        if res.escapes or not res.is_file:
            yield CiTarget(ref, None, None)
            continue
        wf = load_workflow(ctx.ws.fs, res.rel)
        job = find_job(wf, ref.job) if (ref.job and wf.ok) else None
        yield CiTarget(ref, wf, job)
