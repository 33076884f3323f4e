"""Hover: what a value means, what a piece of evidence resolved to, whether CI runs it, and the
rule behind any finding under the cursor.

Invariant: no LSP types; Markdown out. Reads only through the workspace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parity_lsp import languages
from parity_lsp.engine import ALL_RULES
from parity_lsp.features.locate import COMMAND, JOB, SYMBOL, Hit, locate
from parity_lsp.features.navigate import best_definition, exception_id_at, resolve_path, symbol_definitions
from parity_lsp.features.vocabulary import MEANING_DOCS, exceptions_where, proof_meaning, status_meaning
from parity_lsp.findings import Finding
from parity_lsp.model import COL_CI, COL_PROOF, COL_STATUS, Cell, Matrix, Reference, RefKind, Table
from parity_lsp.roles import CI, EVIDENCE, TEMPLATE, TESTS, cites_tests
from parity_lsp.text import Span
from parity_lsp.workspace.ci.explain import explain_verdict
from parity_lsp.workspace.ci.model import CiCitation, TestTarget
from parity_lsp.workspace.ci.verdict import match_cited_commands, verdict
from parity_lsp.workspace.ci.workflows import find_job, load_workflow
from parity_lsp.workspace.index import Workspace

SNIPPET_LINES = 12
CONTEXT_LINES = 3  # lines shown before and after a cited line

COLUMN_MEANING = {
    "capability": "**Capability** — the Dagster concept or feature (semantic behaviour).",
    "arco feature": "**Arco Feature** — the corresponding Arco component(s).",
    "status": "**Status** — Implemented | Partial | Designed | Planned | Exception.",
    "proof level required": "**Proof Level Required** — unit | integration | e2e | prod.",
    "evidence (code)": "**Evidence (Code)** — file paths and symbols: `path:line` (`symbol`).",
    "evidence (tests)": "**Evidence (Tests)** — test file + test name: `tests/file.rs` (`test_name`).",
    "evidence (ci)": "**Evidence (CI)** — `.github/workflows/ci.yml` (job `id`: `command`).",
    "owner": "**Owner** — the person or team keeping the row true.",
    "notes": "**Notes** — limits, SLOs, edge cases, open questions.",
}


@dataclass(frozen=True, slots=True)
class HoverResult:
    markdown: str
    span: Span | None


def hover(ws: Workspace, matrix: Matrix, offset: int, findings: Sequence[Finding] = ()) -> HoverResult | None:
    hit = locate(matrix, offset)
    parts: list[str] = []
    body = _describe(ws, hit, offset)
    if body:
        parts.append(body)
    for f in findings:
        if f.span.start <= offset <= f.span.end and f.path == matrix.path:
            rule = ALL_RULES.get(f.code)
            if rule is not None:
                parts.append(
                    f"**{rule.code} {rule.name}** ({f.severity.label}) — {rule.summary}. "
                    f"`parity-lsp rule {rule.code}` explains it."
                )
    if not parts:
        return None
    return HoverResult("\n\n---\n\n".join(parts), hit.span)


def _describe(ws: Workspace, hit: Hit, offset: int) -> str | None:
    if hit.header_cell is not None and hit.table is not None:
        return _describe_header(hit.table, hit.header_cell)
    if hit.governing is not None:
        return f"Governing document `{hit.governing.path}`"
    if hit.cell is None:
        return None
    if hit.role == COL_STATUS and hit.cell.value:
        return _describe_status(ws, hit)
    if hit.role == COL_PROOF and hit.cell.value:
        return "\n\n".join(
            proof_meaning(p.strip(), ws.config)
            for p in hit.cell.value.replace("+", ",").split(",")
            if p.strip()
        )
    ref = hit.ref
    if ref is None:
        ident = exception_id_at(ws, hit.cell.text, offset - hit.cell.span.start)
        if ident:
            where = ws.exception_ids().get(ident)
            return (
                f"Exception `{ident}` — declared in `{where[0]}` line {where[1] + 1}"
                if where
                else f"Exception `{ident}` — not declared in the exceptions document"
            )
        return None
    if ref.kind == RefKind.CI:
        return _describe_ci(ws, hit, ref)
    return _describe_path(ws, hit, ref)


def _describe_header(table: Table, cell: Cell) -> str:
    """What a header cell's column is for (its role) and why it has that role; on a template
    table's own columns, the template's description first (as always)."""
    origin = table.roles.origin_at(cell.index)
    parts = []
    described = COLUMN_MEANING.get(cell.column or "") if origin.how == TEMPLATE else None
    if described:
        parts.append(described)
    parts.append(f"Role: {origin.describe()}.")
    if origin.role == COL_STATUS or cell.index == 0:
        parts.extend(_table_notes(table))
    return "\n\n".join(parts)


def _table_notes(table: Table) -> list[str]:
    """What is and is not checked in this table, said on its status (and first) header cell."""
    roles = table.roles
    notes = []
    if roles.template:
        notes.append(
            "A template table (`Capability` and `Status` columns): the template's nine columns "
            "are required (PM001)."
        )
        return notes
    named = ", ".join(
        f"`{table.header[i].value}` → {r}"
        for i, r in enumerate(roles.by_index)
        if r is not None and i < len(table.header)
    )
    notes.append(f"Columns read: {named}.")
    if TESTS not in roles.expects:
        notes.append(
            "No column for tests: a shipped row must cite some proof that resolves (code, a test "
            "or a CI job), not a proving test (PM201)."
        )
    if CI not in roles.expects:
        notes.append(
            "**CI gating is not checked for this table** (PM202): no column is a CI column. "
            'Name one in `[columns]` (`ci = ["…"]`) to have shipped rows checked for a CI job.'
        )
    return notes


def _describe_status(ws: Workspace, hit: Hit) -> str:
    """A status cell: its meaning and why (the vocabulary entry it matched)."""
    cell = hit.cell
    assert cell is not None
    template = hit.table is not None and hit.table.roles.template
    vocabulary = ws.config.vocabulary(template)
    if vocabulary.legacy:
        return status_meaning(cell.value, exceptions_where(ws))
    match = vocabulary.match(cell.value)
    if match is None:
        return f"**no meaning** — `{cell.value}` is not a status this table knows (PM101)"
    if match.meaning is None:
        return match.describe(cell.value)
    return match.describe(cell.value) + "\n\n" + MEANING_DOCS[match.meaning]


def _lines(text: str) -> list[str]:
    """The file's lines as the engine counts them (`\n`-separated; a final newline ends the
    last line, it does not start another)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _fenced(rel: str, body: str) -> str:
    """`body` in a code block whose info string is the language's fence (language registry),
    with a fence longer than any run of backticks in it (CommonMark), so the code cannot
    close it."""
    lang = languages.for_path(rel)
    info = lang.fence if lang is not None else ""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


_BACKTICKS = re.compile(r"`+")


def _snippet(ws: Workspace, rel: str, first: int, last: int) -> str:
    text = ws.source(rel).text
    if text is None:
        return ""
    lines = _lines(text)[first : min(last + 1, first + SNIPPET_LINES)]
    more = "\n…" if last - first + 1 > SNIPPET_LINES else ""
    return _fenced(rel, "\n".join(lines) + more)


def _excerpt(ws: Workspace, rel: str, first: int, last: int) -> str:
    """The cited lines `first`-`last` (1-based, inclusive) with `CONTEXT_LINES` around them,
    numbered, each cited line marked with `>` (at most `SNIPPET_LINES` of them)."""
    text = ws.source(rel).text
    if text is None:
        return ""
    lines = _lines(text)
    if first < 1:
        return f"line {first}: lines are numbered from 1"
    if first > len(lines):
        return f"line {first} is past the end of the file ({len(lines)} lines)"
    last = min(max(last, first), len(lines))
    shown_last = min(last, first + SNIPPET_LINES - 1)
    lo, hi = max(1, first - CONTEXT_LINES), min(len(lines), shown_last + CONTEXT_LINES)
    if shown_last < last:
        hi = shown_last
    width = len(str(hi))
    body = [
        f"{'>' if first <= n <= last else ' '} {n:>{width}} | {lines[n - 1]}".rstrip()
        for n in range(lo, hi + 1)
    ]
    if shown_last < last:
        body.append(f"  {'…':>{width}} | ({last - shown_last} more cited lines)")
    return _fenced(rel, "\n".join(body))


def _describe_path(ws: Workspace, hit: Hit, ref: Reference) -> str:
    """`ref` is `hit.ref`, known not to be None."""
    rel = resolve_path(ws, ref)
    if rel is None:
        return f"`{ref.path}` — not found in the workspace"
    if ws.fs.is_dir(rel):
        entries = ws.fs.list_dir(rel)
        return f"`{rel}/` — directory, {len(entries)} entries"
    src = ws.source(rel)
    if not src.readable:
        return f"`{rel}` — {src.error or 'cannot be read'}"
    out = [f"`{rel}` — {src.line_count} lines"]
    if hit.part == SYMBOL and hit.symbol is not None:
        tests = cites_tests(ref.role, ref.path)
        defs = symbol_definitions(ws, rel, hit.symbol.name, tests)
        best = best_definition(defs, ref.line_start)  # the one go to definition opens, first
        defs = [best, *(d for d in defs if d is not best)] if best is not None else defs
        if not defs:
            out.append(f"`{hit.symbol.name}` is not defined here")
        for d in defs[:2]:
            flags = (
                " (test, disabled: " + d.disabled + ")" if d.disabled else (" (test)" if d.is_test else "")
            )
            out.append(f"`{d.qualname}` — {d.kind}{flags}, lines {d.start_line + 1}-{d.end_line + 1}")
            out.append(_snippet(ws, rel, d.start_line, d.end_line))
        if tests and defs:
            out.extend(_ci_explanations(ws, hit, rel, hit.symbol.name))
    else:
        if ref.line_start is not None:
            # `path:LINE`, `path:START-END`, `path#L10`: the code around the cited lines
            out.append(_excerpt(ws, rel, ref.line_start, ref.line_end or ref.line_start))
        if cites_tests(ref.role, ref.path) and not ref.symbols:
            out.extend(_ci_explanations(ws, hit, rel, None))
    return "\n\n".join(p for p in out if p)


def _ci_explanations(ws: Workspace, hit: Hit, rel: str, name: str | None) -> list[str]:
    """Whether and where the row's cited CI runs this test."""
    out = []
    row = hit.row
    refs = [r for ev in row.evidence.values() for r in ev.refs if r.role in (COL_CI, EVIDENCE)] if row else []
    for ref in refs:
        if ref.kind != RefKind.CI or not ref.path or not ref.job:
            continue
        wf_rel = resolve_path(ws, ref)
        if wf_rel is None:
            continue
        v = verdict(ws.fs, TestTarget(rel, name), CiCitation(wf_rel, ref.job, [c.text for c in ref.commands]))
        out.append(explain_verdict(v))
    return out


def _describe_ci(ws: Workspace, hit: Hit, ref: Reference) -> str:
    """`ref` is `hit.ref`, known not to be None."""
    rel = resolve_path(ws, ref)
    if rel is None:
        return f"`{ref.path}` — workflow not found"
    wf = load_workflow(ws.fs, rel)
    if not wf.ok:
        return f"`{rel}` — cannot be read: {wf.error}"
    jobs = ", ".join(f"`{j.id}`" for j in wf.jobs.values())
    job = find_job(wf, ref.job) if ref.job else None
    if hit.part == JOB or (hit.part != COMMAND and job is not None):
        if job is None:
            return f"`{rel}` has no job `{ref.job}` (jobs: {jobs})"
        steps = "\n".join(f"{s.index}. line {s.line + 1}: `{s.label}`" for s in job.steps[:10])
        name = f" ({job.name})" if job.name else ""
        return f"Job `{job.id}`{name}, line {job.line + 1}, {len(job.steps)} steps:\n\n{steps}"
    if hit.part == COMMAND and hit.command is not None:
        if job is None:
            return f"`{hit.command.text}` — job `{ref.job}` not found"
        (match,) = match_cited_commands(job, [hit.command.text])
        if match.matched:
            c = match.matched[0]
            return (
                f"`{hit.command.text}` — run by job `{job.id}`, "
                f"step {c.step.index} (line {c.line + 1}): `{c.text}`"
            )
        closest = f"; closest step command: `{match.closest}`" if match.closest else ""
        return f"`{hit.command.text}` — not a `run:` command of job `{job.id}`{closest}"
    return f"Workflow `{rel}` — jobs: {jobs}"
