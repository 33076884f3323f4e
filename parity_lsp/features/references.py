"""References: every matrix row in the workspace that cites what the cursor is on.

Invariant: no LSP types; reads only through the `Analysis` (parsed matrices, `Workspace` file
access). The cursor may be on
- a path (or its line, or the reference as a whole): every reference to the same file;
- a symbol or test: every reference to the same file naming the same definition (resolved with
  the language scanners, so `record`, `TickLedger::record` and `TickLedger.record` agree when
  they resolve to the same item; by name when the file's language is not understood);
- a CI job or command: every reference to the same job (id or `name:`) of the same workflow,
  and for a command the same command (whitespace folded);
- a governing document: every reference to that document;
- outside a matrix, on the name of a definition in a source file (or a job key of a workflow):
  every matrix reference that cites it.
Each result is the span of the citing text (path, symbol, job or command), in its matrix.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parity_lsp.features.locate import COMMAND, JOB, SYMBOL, locate
from parity_lsp.model import Matrix, Reference, RefKind
from parity_lsp.text import LineIndex, Span
from parity_lsp.workspace.ci.workflows import Workflow, find_job, fold, load_workflow
from parity_lsp.workspace.index import Workspace, resolve_reference_path

if TYPE_CHECKING:
    from parity_lsp.analysis import Analysis
    from parity_lsp.workspace.symbols import Definition

# A definition a symbol resolves to: (qualname, 0-based line of its name).
DefKey = tuple[str, int]

PATH_TARGET, SYMBOL_TARGET, JOB_TARGET, COMMAND_TARGET = "path", "symbol", "job", "command"


@dataclass(frozen=True, slots=True)
class Citation:
    path: str  # workspace-relative file
    span: Span  # code point offsets into that file's text


@dataclass(slots=True)
class Target:
    kind: str  # PATH_TARGET, SYMBOL_TARGET, JOB_TARGET, COMMAND_TARGET
    rel: str  # the cited file
    name: str = ""  # symbol as written (normalized), job, or folded command
    defs: frozenset[DefKey] = frozenset()  # the definitions the symbol resolves to
    job: str = ""  # canonical job (id when the workflow declares it, else folded as written)


@dataclass(slots=True)
class _Lookups:
    """Per-request caches: resolved paths, definitions per (file, symbol), jobs per (workflow, job)."""

    analysis: Analysis
    # (path as written, link base) -> workspace path (None: outside the workspace)
    paths: dict[tuple[str, str | None], str | None] = field(default_factory=dict)
    defs: dict[tuple[str, str], frozenset[DefKey]] = field(default_factory=dict)  # (file, symbol)
    jobs: dict[tuple[str, str], str] = field(default_factory=dict)  # (workflow, job) -> canonical job
    workflows: dict[str, Workflow] = field(default_factory=dict)

    @property
    def ws(self) -> Workspace:
        return self.analysis.ws

    def resolve(self, ref: Reference) -> str | None:
        if not ref.path:
            return None
        key = (ref.path, ref.link_base if ref.is_link else None)
        if key not in self.paths:
            rel = resolve_reference_path(key[0], key[1], self.ws.fs)
            self.paths[key] = None if rel is None or self.ws.fs.escapes(rel) else rel
        return self.paths[key]

    def symbol_defs(self, rel: str, name: str) -> frozenset[DefKey]:
        key = (rel, name)
        if key not in self.defs:
            src = self.ws.source(rel) if self.ws.fs.is_file(rel) else None
            found = (src.lookup(name) or []) if src is not None else []
            self.defs[key] = frozenset((d.qualname, d.line) for d in found)
        return self.defs[key]

    def workflow(self, rel: str) -> Workflow:
        if rel not in self.workflows:
            self.workflows[rel] = load_workflow(self.ws.fs, rel)
        return self.workflows[rel]

    def job(self, rel: str, job: str) -> str:
        key = (rel, job)
        if key not in self.jobs:
            found = find_job(self.workflow(rel), job)
            self.jobs[key] = found.id if found is not None else fold(job)
        return self.jobs[key]


def normalize_symbol(name: str) -> str:
    name = name.strip()
    while name.endswith("()"):
        name = name[:-2]
    return name.replace("::", ".")


def find_references(
    analysis: Analysis, rel: str, offset: int, include_declaration: bool = False
) -> list[Citation]:
    """Citations of the thing at `offset` of `rel` across every matrix of the workspace."""
    look = _Lookups(analysis)
    target = target_at(analysis, look, rel, offset)
    if target is None:
        return []
    out: list[Citation] = []
    if include_declaration:
        out += _declarations(look, target)
    found: list[Citation] = []
    for path in analysis.matrix_paths():
        state = analysis.check(path)
        if state is None:
            continue
        found += _citations_in(state.matrix, target, look)
    found.sort(key=lambda c: (c.path, c.span.start))
    return out + [c for c in dict.fromkeys(found) if c not in out]


# --- what is under the cursor ---------------------------------------------------------------


def target_at(analysis: Analysis, look: _Lookups, rel: str, offset: int) -> Target | None:
    if rel in analysis.states or rel in analysis.matrix_paths():
        state = analysis.check(rel)
        if state is not None and (state.matrix.tables or state.matrix.governing_docs):
            return _matrix_target(state.matrix, look, offset)
    return _source_target(look, rel, offset)


def _matrix_target(matrix: Matrix, look: _Lookups, offset: int) -> Target | None:
    hit = locate(matrix, offset)
    if hit.governing is not None:
        doc = hit.governing
        target = resolve_reference_path(doc.path, posixpath.dirname(matrix.path), look.ws.fs)
        return Target(PATH_TARGET, target) if target else None
    ref = hit.ref
    if ref is None:
        return None
    target_rel = look.resolve(ref)
    if target_rel is None:
        return None
    if hit.part == SYMBOL and hit.symbol is not None:
        name = hit.symbol.name
        return Target(SYMBOL_TARGET, target_rel, normalize_symbol(name), look.symbol_defs(target_rel, name))
    if ref.kind == RefKind.CI and ref.job and hit.part in (JOB, COMMAND):
        job = look.job(target_rel, ref.job)
        if hit.part == COMMAND and hit.command is not None:
            return Target(COMMAND_TARGET, target_rel, fold(hit.command.text), job=job)
        return Target(JOB_TARGET, target_rel, job=job)
    return Target(PATH_TARGET, target_rel)


def _source_target(look: _Lookups, rel: str, offset: int) -> Target | None:
    """On a definition's name in a source file, or a job key in a workflow."""
    src = look.ws.source(rel)
    text = src.text
    if text is None:
        return None
    idx = LineIndex(text)
    line, col = idx.position(offset)
    text = idx.line_text(line)
    if rel.startswith(".github/workflows/"):
        wf = look.workflow(rel)
        for job in wf.jobs.values():
            if job.line == line or job.name_line == line:
                return Target(JOB_TARGET, rel, job=job.id)
        return None
    best: Definition | None = None
    for d in src.definitions or []:
        if d.line != line:
            continue
        start = _word_at(text, d.name, col)
        if start is None:
            continue
        if best is None or d.start_line >= best.start_line:
            best = d
    if best is None:
        return None
    return Target(SYMBOL_TARGET, rel, normalize_symbol(best.name), frozenset({(best.qualname, best.line)}))


def _word_at(text: str, name: str, col: int) -> int | None:
    """Start of an occurrence of `name` in `text` that the column `col` touches."""
    if not name:
        return None
    start = text.find(name)
    while start != -1:
        if start <= col <= start + len(name):
            return start
        start = text.find(name, start + 1)
    return None


# --- matching ---------------------------------------------------------------------------------


def _citations_in(matrix: Matrix, target: Target, look: _Lookups) -> list[Citation]:
    out: list[Citation] = []
    for row in matrix.rows():
        for ev in row.evidence.values():
            for ref in ev.refs:
                if look.resolve(ref) != target.rel:
                    continue
                for span in _matching_spans(ref, target, look):
                    out.append(Citation(matrix.path, span))
    if target.kind == PATH_TARGET:
        for doc in matrix.governing_docs:
            if resolve_reference_path(doc.path, posixpath.dirname(matrix.path), look.ws.fs) == target.rel:
                out.append(Citation(matrix.path, doc.span))
    return out


def _matching_spans(ref: Reference, target: Target, look: _Lookups) -> list[Span]:
    if target.kind == PATH_TARGET:
        return [ref.span]
    if target.kind == SYMBOL_TARGET:
        spans: list[Span] = []
        for sym in ref.symbols:
            if normalize_symbol(sym.name) == target.name:
                spans.append(sym.span)
                continue
            defs = look.symbol_defs(target.rel, sym.name)
            if defs and target.defs and defs & target.defs:
                spans.append(sym.span)
        return spans
    if ref.kind != RefKind.CI or not ref.job or ref.job_span is None:
        return []
    if look.job(target.rel, ref.job) != target.job:
        return []
    if target.kind == JOB_TARGET:
        return [ref.job_span]
    return [c.span for c in ref.commands if fold(c.text) == target.name]


def _declarations(look: _Lookups, target: Target) -> list[Citation]:
    """Where the target itself is: the file, the symbol's definitions, the job's line."""
    ws = look.ws
    if target.kind == PATH_TARGET:
        return [Citation(target.rel, Span(0, 0))] if ws.fs.exists(target.rel) else []
    src = ws.source(target.rel)
    text = src.text
    if text is None:
        return []
    idx = LineIndex(text)
    if target.kind == SYMBOL_TARGET:
        out: list[Citation] = []
        for d in src.definitions or []:
            if (d.qualname, d.line) in target.defs:
                out.append(Citation(target.rel, _name_span(idx, d.line, d.name)))
        return out
    wf = look.workflow(target.rel)
    job = wf.jobs.get(target.job)
    if job is None:
        return []
    if target.kind == JOB_TARGET:
        return [Citation(target.rel, _name_span(idx, job.line, job.id))]
    return [
        Citation(target.rel, _name_span(idx, c.line, "")) for c in job.commands if fold(c.text) == target.name
    ][:1]


def _name_span(idx: LineIndex, line: int, name: str) -> Span:
    start = idx.line_start(line)
    text = idx.line_text(line)
    col = text.find(name) if name else -1
    if col == -1:
        col = len(text) - len(text.lstrip())
        return Span(start + col, start + col)
    return Span(start + col, start + col + len(name))
