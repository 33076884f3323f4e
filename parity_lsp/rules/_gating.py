"""CI-gating judgements shared by PM203, PM308 and PM403 (docs/spec/ci.md#gating).

Verdicts are computed once per (test, citation) pair per row and cached on the row context.
"""

from __future__ import annotations

from dataclasses import dataclass

from parity_lsp.model import COL_CI, COL_TESTS, Reference, RefKind
from parity_lsp.roles import is_document
from parity_lsp.rules._ci import ci_targets
from parity_lsp.rules._evidence import symbol_result, usable_rel
from parity_lsp.rules.context import RowContext
from parity_lsp.workspace.ci.model import DOES_NOT_RUN, RUNS, UNKNOWN, CiCitation, TestTarget, Verdict
from parity_lsp.workspace.ci.reasons import Outcome
from parity_lsp.workspace.ci.verdict import verdict
from parity_lsp.workspace.fs import FileSystem


@dataclass(slots=True)
class CitedTest:
    ref: Reference
    target: TestTarget
    label: str  # `name` or `path` for messages


def cited_tests(ctx: RowContext) -> list[CitedTest]:
    """Every cited test that resolves: (file, name) for each found name, or the file alone."""
    out: list[CitedTest] = []
    for ref in ctx.refs(COL_TESTS, RefKind.PATH):
        if ref.in_missing or is_document(ref.path):
            continue
        res = ctx.resolve(ref)
        rel = usable_rel(ctx, res)
        if rel is None or not res.is_file:
            continue
        if not ref.symbols:
            out.append(CitedTest(ref, TestTarget(rel), f"`{ref.path}`"))
            continue
        for sym in ref.symbols:
            result = symbol_result(res, sym)
            if result is not None and result.found:
                out.append(CitedTest(ref, TestTarget(rel, sym.name), f"`{sym.name}`"))
    return out


def citations(ctx: RowContext) -> list[tuple[Reference, CiCitation]]:
    """CI references whose workflow reads and whose job exists (PM401/PM402 report the rest)."""
    out: list[tuple[Reference, CiCitation]] = []
    for target in ci_targets(ctx):
        wf = target.workflow  # None only when job is
        if wf is None or target.job is None or ctx.role_of(target.ref) != COL_CI:
            continue
        ref = target.ref
        out.append((ref, CiCitation(wf.path, ref.job, [c.text for c in ref.commands])))
    return out


# (cited tests, citations, verdict per (test index, citation index))
Gating = tuple[list[CitedTest], list[tuple[Reference, CiCitation]], dict[tuple[int, int], Verdict]]


def gating(ctx: RowContext) -> Gating:
    """(tests, citations, verdict per (test index, citation index)), computed once per row."""
    found: Gating | None = ctx.cache.get("gating")
    if found is None:
        tests = cited_tests(ctx)
        cites = citations(ctx)
        table = {
            (i, j): _verdict(ctx.ws.fs, t.target, c)
            for i, t in enumerate(tests)
            for j, (_, c) in enumerate(cites)
        }
        found = ctx.cache["gating"] = (tests, cites, table)
    return found


def _verdict(fs: FileSystem, target: TestTarget, citation: CiCitation) -> Verdict:
    """The verdict, shared by every row citing the same test and CI command (memoized until
    the next file-system event; verdicts are read, never changed)."""
    key = ("verdict", target.path, target.name, citation.workflow, citation.job, tuple(citation.commands))
    found: Verdict | None = fs.memo.get(key)
    if found is None:
        found = fs.memo[key] = verdict(fs, target, citation)
    return found


def summarize(results: list[Verdict]) -> Outcome:
    """RUNS if any runs; DOES_NOT_RUN if all do not; UNKNOWN otherwise."""
    outcomes = {v.outcome for v in results}
    if RUNS in outcomes:
        return RUNS
    if outcomes == {DOES_NOT_RUN}:
        return DOES_NOT_RUN
    return UNKNOWN
