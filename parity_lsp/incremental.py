"""Re-checking only the rows an edit touched.

Invariant: no LSP types, no IO. An edit that changes the text of table body rows without
adding or removing lines (a keystroke in a cell) re-parses and re-checks those rows only; the
other findings keep their meaning and are shifted to the new offsets of their line. Anything
else (a new line, an edited header, a directive, a changed capability or capability column,
which PM003 compares across the workspace) returns None and the caller re-checks the whole
matrix.

After an incremental update the matrix model's unchanged rows keep the offsets of the text
they were parsed from; `Matrix.text`/`index` are the new text, and `consistent` is False until
someone re-parses (features that need every span do, lazily).
"""

from __future__ import annotations

import bisect
import weakref

from parity_lsp.findings import Finding, Related
from parity_lsp.model import COL_CAPABILITY, Matrix, MatrixFormat, Row, Table
from parity_lsp.parse.directives import parse_directive
from parity_lsp.parse.markdown import row_cells
from parity_lsp.text import LineIndex, Span


def changed_lines(old: str, new: str, old_index: LineIndex, new_index: LineIndex) -> range | None:
    """Lines that differ, when the line count is the same; None otherwise."""
    if old_index.line_count != new_index.line_count:
        return None
    n = min(len(old), len(new))
    # common prefix and suffix by halving; each step compares (in C) only the part not known
    # to be equal yet, so the whole search reads the text about once
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old.startswith(new[lo:mid], lo):  # old[:lo] == new[:lo] already
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, n - prefix
    end_old, end_new = len(old), len(new)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old.endswith(new[end_new - mid : end_new - lo], 0, end_old - lo):  # the last lo already
            lo = mid
        else:
            hi = mid - 1
    suffix = lo
    if prefix == len(old) == len(new):
        return range(0)
    first = new_index.line_of(prefix)
    last = new_index.line_of(max(prefix, len(new) - suffix))
    return range(first, last + 1)


def _shift_span(span: Span, delta: int) -> Span:
    return Span(span.start + delta, span.end + delta)


def shift_finding(f: Finding, delta: int, path: str) -> Finding:
    """The same finding `delta` code points later (its edits in `path` move with it).
    Built with the constructor (`dataclasses.replace` is several times slower): an edit near the
    top of a 10,000-row matrix shifts thousands."""
    return Finding(
        f.code,
        f.severity,
        f.path,
        _shift_span(f.span, delta),
        f.message,
        f.fix.shifted(delta, path) if f.fix is not None else None,
        f.related,
        f.tags,
        [a.shifted(delta, path) for a in f.alternatives] if f.alternatives else [],
        f.deferred.shifted(delta) if f.deferred is not None else None,
    )


def shift_findings(
    findings: list[Finding], old_index: LineIndex, new_index: LineIndex, path: str, dropped: set[int]
) -> list[Finding]:
    """Findings of unchanged lines moved to their line's new offset; those on `dropped` lines removed."""
    out = []
    old_starts, new_starts = old_index.line_starts, new_index.line_starts
    for f in findings:
        if f.path != path:
            out.append(f)
            continue
        line = bisect.bisect_right(old_starts, f.span.start) - 1
        if line in dropped:
            continue
        delta = new_starts[line] - old_starts[line]
        out.append(f if delta == 0 else shift_finding(f, delta, path))
    return out


def reparse_rows(
    matrix: Matrix, lines: range, text: str, index: LineIndex, row_at: dict[int, tuple[Row, int]]
) -> list[tuple[Row, Table]] | None:
    """New Row objects for the changed `lines` of a Markdown matrix, each with the table it
    goes into, or None when the edit is not confined to table body rows (or changes a
    capability)."""
    if matrix.format != MatrixFormat.MARKDOWN:
        return None
    rows: list[tuple[Row, Table]] = []
    for line in lines:
        if line not in row_at:
            return None
        old = row_at[line][0]
        line_text = index.line_text(line)
        if "|" not in line_text or parse_directive(line_text) is not None:
            return None
        table = old.table
        if table is None or table.prefixes:  # outlived its model; or in a blockquote/list item: parsed whole
            return None
        cells = row_cells(line_text, index.line_start(line), [c.column for c in table.header])
        span = Span(index.line_start(line), index.line_start(line) + len(line_text))
        row = Row(cells=cells, span=span, line=line, table_ref=weakref.ref(table), suppressed=old.suppressed)
        if _capability_place(row) != _capability_place(old):
            return None  # PM003 compares capabilities across the workspace: re-check it all
        rows.append((row, table))
    return rows


def _capability_place(row: Row) -> tuple[str, int] | None:
    """A row's capability and its column in the row: what workspace-scoped findings (PM003)
    depend on. A row edit that keeps it keeps them (shifted with the row)."""
    cell = row.cell(COL_CAPABILITY)
    return (cell.value, cell.span.start - row.span.start) if cell is not None else None


def install_rows(
    matrix: Matrix,
    rows: list[tuple[Row, Table]],
    text: str,
    index: LineIndex,
    row_at: dict[int, tuple[Row, int]],
) -> None:
    """Put the re-parsed rows in place and give the model the new text."""
    for row, table in rows:
        _, position = row_at[row.line]
        table.rows[position] = row
        row_at[row.line] = (row, position)
    matrix.text = text
    matrix._index = index


def row_positions(matrix: Matrix) -> dict[int, tuple[Row, int]]:
    """line -> (row, its position in its table), for every table body row."""
    return {row.line: (row, i) for table in matrix.tables for i, row in enumerate(table.rows)}


__all__ = [
    "Related",
    "changed_lines",
    "install_rows",
    "reparse_rows",
    "row_positions",
    "shift_finding",
    "shift_findings",
]
