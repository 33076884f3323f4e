"""Resolving CI references to workflows and jobs (shared by PM401-PM403)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from parity_lsp.model import Reference, RefKind
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.workflows import Job, Workflow, find_job, load_workflow


@dataclass(slots=True)
class CiTarget:
    ref: Reference
    workflow: Workflow | None  # None when the path escapes or does not exist
    job: Job | None


def ci_targets(ctx: RowContext) -> tuple[CiTarget, ...]:
    """Each CI reference of the row with its workflow and job (when they resolve); four rules
    ask, the row's context answers once."""
    found: tuple[CiTarget, ...] | None = ctx.cache.get("ci_targets")
    if found is None:
        found = ctx.cache["ci_targets"] = tuple(_ci_targets(ctx))
    return found


def _ci_targets(ctx: RowContext) -> Iterator[CiTarget]:
    for ref in ctx.refs(kind=RefKind.CI):
        if not ref.path:
            continue
        res = ctx.resolve(ref)
        rel = res.rel  # None when it escapes the workspace
        if rel is None or not res.is_file:
            yield CiTarget(ref, None, None)
            continue
        wf = load_workflow(ctx.ws.fs, rel)
        job = find_job(wf, ref.job) if (ref.job and wf.ok) else None
        yield CiTarget(ref, wf, job)
