"""The shape of a matrix for editors: outline, workspace symbols, folding and table summaries.

Invariant: pure over the matrix model and findings (workspace symbols read matrices through an
`Analysis`); no LSP types. Spans are code point offsets into the matrix text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_CAPABILITY, Matrix, MatrixFormat, Row, Table
from parity_lsp.text import Span

if TYPE_CHECKING:
    from parity_lsp.analysis import Analysis

GROUP, CAPABILITY = "group", "capability"
WORKSPACE_SYMBOL_LIMIT = 1000


# --- document symbols ------------------------------------------------------------------------


@dataclass(slots=True)
class OutlineNode:
    name: str
    kind: str  # GROUP or CAPABILITY
    span: Span  # the whole element (a group: heading through its last table; a row: its line)
    selection: Span  # what to highlight (the heading text, the Capability cell)
    detail: str = ""  # capabilities: their status
    children: list[OutlineNode] = field(default_factory=list)


def row_name(row: Row) -> str:
    name = row.capability.strip()
    return name or f"(no capability, line {row.line + 1})"


def capability_node(row: Row) -> OutlineNode:
    cell = row.cell(COL_CAPABILITY)
    selection = cell.span if cell is not None and cell.text else row.span
    return OutlineNode(row_name(row), CAPABILITY, row.span, selection, detail=row.status)


def document_symbols(matrix: Matrix) -> list[OutlineNode]:
    """Groups (the heading above each table) → capabilities; tables without a heading put their
    capabilities at the top level. Tables under the same heading share one group."""
    index = matrix.index
    out: list[OutlineNode] = []
    groups: dict[int, OutlineNode] = {}
    for table in matrix.tables:
        rows = [capability_node(r) for r in table.rows]
        if table.group is None or table.group_line is None:
            out.extend(rows)
            continue
        node = groups.get(table.group_line)
        if node is None:
            heading = _heading_span(matrix, table.group_line, table.group)
            start = index.line_start(table.group_line)
            node = OutlineNode(table.group, GROUP, Span(start, table.span.end), heading)
            groups[table.group_line] = node
            out.append(node)
        node.span = Span(node.span.start, max(node.span.end, table.span.end))
        node.children.extend(rows)
    return out


def _heading_span(matrix: Matrix, line: int, title: str) -> Span:
    index = matrix.index
    start = index.line_start(line)
    text = index.line_text(line)
    col = text.find(title)
    if col < 0:
        return Span(start, index.line_end(line))
    return Span(start + col, start + col + len(title))


# --- workspace symbols -----------------------------------------------------------------------


@dataclass(slots=True)
class SymbolHit:
    name: str
    path: str  # workspace-relative matrix path
    span: Span  # the row
    selection: Span
    status: str
    group: str | None
    matrix: Matrix = field(repr=False)
    score: int = 0


def match_score(query: str, name: str) -> int | None:
    """How well `name` matches `query` (higher is better), None when it does not.

    Fuzzy-ish, case-insensitive: exact > prefix > word prefix > substring > the query's words
    all inside > the query's characters in order (a subsequence), the tighter the better.
    """
    q = " ".join(query.lower().split())
    n = name.lower()
    if not q:
        return 1
    if n == q:
        return 1000
    if n.startswith(q):
        return 900
    if re.search(r"(?<![0-9a-z])" + re.escape(q), n):
        return 800
    if q in n:
        return 700
    words = q.split()
    if len(words) > 1 and all(w in n for w in words):
        return 600
    # subsequence, penalised by the gaps between matched characters
    pos, gaps, last = 0, 0, -1
    compact = q.replace(" ", "")
    for ch in compact:
        found = n.find(ch, pos)
        if found < 0:
            return None
        if last >= 0:
            gaps += found - last - 1
        last, pos = found, found + 1
    return max(10, 500 - gaps * 5)


def workspace_symbols(analysis: Analysis, query: str, limit: int = WORKSPACE_SYMBOL_LIMIT) -> list[SymbolHit]:
    """Capabilities of every matrix in the workspace matching `query`, best first."""
    hits: list[SymbolHit] = []
    for rel in analysis.matrix_paths():
        state = analysis.check(rel)
        if state is None:
            continue
        matrix = state.matrix
        for table in matrix.tables:
            for row in table.rows:
                name = row.capability.strip()
                if not name:
                    continue
                score = match_score(query, name)
                if score is None:
                    continue
                node = capability_node(row)
                hits.append(
                    SymbolHit(name, rel, row.span, node.selection, row.status, table.group, matrix, score)
                )
    hits.sort(key=lambda h: (-h.score, h.name.lower(), h.path, h.span.start))
    return hits[:limit]


# --- folding -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fold:
    start_line: int  # 0-based, inclusive
    end_line: int
    kind: str  # GROUP or "table"


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _headings(matrix: Matrix) -> dict[int, int]:
    """ATX headings outside fenced code blocks: 0-based line → level."""
    out: dict[int, int] = {}
    fence: str | None = None
    index = matrix.index
    for ln in range(index.line_count):
        text = index.line_text(ln)
        m = _FENCE.match(text)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not text.strip()[len(mark) :].strip():
                fence = None
            continue
        if fence is None:
            h = _ATX.match(text)
            if h:
                out[ln] = len(h.group(1))
    return out


def folding_ranges(matrix: Matrix) -> list[Fold]:
    """Each table (header through last row) and each group section (its heading through the
    line before the next heading of the same or a higher level, trailing blank lines left out)."""
    index = matrix.index
    folds: list[Fold] = []
    table_ends: dict[int, int] = {}
    for table in matrix.tables:
        last = index.line_of(table.span.end)
        if last > table.header_line:
            folds.append(Fold(table.header_line, last, "table"))
        if table.group_line is not None:
            table_ends[table.group_line] = max(table_ends.get(table.group_line, 0), last)
    if matrix.format == MatrixFormat.MARKDOWN and table_ends:
        headings = _headings(matrix)
        for start, last_table_line in sorted(table_ends.items()):
            end = _section_end(matrix, headings, start)
            end = max(end, last_table_line)
            if end > start:
                folds.append(Fold(start, end, GROUP))
    folds.sort(key=lambda f: (f.start_line, -f.end_line))
    return folds


def _section_end(matrix: Matrix, headings: dict[int, int], start: int) -> int:
    index = matrix.index
    level = headings.get(start)
    end = index.line_count - 1
    if level is not None:
        for ln in sorted(headings):
            if ln > start and headings[ln] <= level:
                end = ln - 1
                break
    else:  # not an ATX heading (setext): end at the next heading of any level
        following = [ln for ln in headings if ln > start]
        if following:
            end = min(following) - 1
    while end > start and not index.line_text(end).strip():
        end -= 1
    return end


# --- code lens ---------------------------------------------------------------------------


@dataclass(slots=True)
class TableSummary:
    table: Table
    span: Span  # the header line
    counts: dict[str, int]  # status → rows, in vocabulary order, then other values
    errors: int
    warnings: int
    rows: int

    @property
    def title(self) -> str:
        if self.rows:
            counts = " · ".join(f"{n} {status}" for status, n in self.counts.items())
        else:
            counts = "no rows"
        problems = [p for p in (_plural(self.errors, "error"), _plural(self.warnings, "warning")) if p]
        return f"{counts} — {', '.join(problems) if problems else 'no problems'}"


def _plural(n: int, word: str) -> str:
    if not n:
        return ""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


NO_STATUS = "no status"


def table_summaries(matrix: Matrix, findings: list[Finding], statuses: tuple[str, ...]) -> list[TableSummary]:
    """Per table: rows by status (vocabulary spelling, case-insensitive) and its errors/warnings."""
    index = matrix.index
    canonical = {s.lower(): s for s in statuses}
    out = []
    for table in matrix.tables:
        seen: dict[str, int] = {}
        for row in table.rows:
            value = row.status.strip()
            key = canonical.get(value.lower(), value) if value else NO_STATUS
            seen[key] = seen.get(key, 0) + 1
        ordered = {s: seen[s] for s in statuses if s in seen}
        ordered.update({s: n for s, n in seen.items() if s not in ordered})
        errors = warnings = 0
        for f in findings:
            if f.path == matrix.path and table.span.start <= f.span.start <= table.span.end:
                if f.severity == Severity.ERROR:
                    errors += 1
                elif f.severity == Severity.WARNING:
                    warnings += 1
        line = table.header_line
        span = Span(index.line_start(line), index.line_end(line))
        out.append(TableSummary(table, span, ordered, errors, warnings, len(table.rows)))
    return out
