"""What is under the cursor: table, row, cell, and the piece of evidence at an offset.

Invariant: pure over the matrix model; no IO. Every editor feature (hover, definition,
completion, references) starts here, so they agree on what the cursor is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from parity_lsp.model import Cell, CommandRef, GoverningDoc, Matrix, Reference, Row, SymbolRef, Table
from parity_lsp.text import Span

# Parts of a reference, from the most specific.
PATH, LINE, SYMBOL, JOB, COMMAND, REFERENCE = "path", "line", "symbol", "job", "command", "reference"


@dataclass(slots=True)
class Hit:
    offset: int
    table: Table | None = None
    row: Row | None = None  # None on the header or delimiter row
    cell: Cell | None = None
    column: str | None = None  # normalized column name of the cell
    role: str | None = None  # the role of the cell's column (`roles.py`)
    ref: Reference | None = None
    part: str | None = None  # PATH, LINE, SYMBOL, JOB, COMMAND, REFERENCE (elsewhere in the reference)
    symbol: SymbolRef | None = None
    command: CommandRef | None = None
    governing: GoverningDoc | None = None
    header_cell: Cell | None = None

    @property
    def span(self) -> Span | None:
        """The span of the most specific thing under the cursor."""
        if self.symbol is not None:
            return self.symbol.span
        if self.command is not None:
            return self.command.span
        if self.ref is not None:
            if self.part == LINE and self.ref.line_span is not None:
                return self.ref.line_span
            if self.part == JOB and self.ref.job_span is not None:
                return self.ref.job_span
            return self.ref.span if self.part == PATH else self.ref.full_span
        if self.governing is not None:
            return self.governing.span
        if self.cell is not None:
            return self.cell.span
        if self.header_cell is not None:
            return self.header_cell.span
        return None


def _inside(span: Span | None, offset: int) -> bool:
    return span is not None and span.start <= offset <= span.end


def locate(matrix: Matrix, offset: int) -> Hit:
    hit = Hit(offset)
    for doc in matrix.governing_docs:
        if _inside(doc.span, offset):
            hit.governing = doc
            return hit
    for table in matrix.tables:
        if not (table.span.start <= offset <= table.span.end):
            continue
        hit.table = table
        for header_cell in table.header:
            if _inside(header_cell.span, offset):
                hit.header_cell = header_cell
                return hit
        for row in table.rows:
            if not (row.span.start <= offset <= row.span.end):
                continue
            hit.row = row
            cell = _cell_at(row, offset)
            if cell is None:
                return hit
            hit.cell = cell
            hit.column = cell.column
            hit.role = table.roles.role_at(cell.index)
            ev = row.evidence.get(cell.column or "")
            if ev is not None:
                _locate_ref(hit, ev.refs, offset)
            return hit
        return hit
    return hit


def _cell_at(row: Row, offset: int) -> Cell | None:
    """The cell at `offset`; between a pipe and the text counts as that cell (for completion)."""
    best = None
    for cell in row.cells:
        if cell.span.start <= offset <= cell.span.end:
            return cell
        if cell.span.start > offset:
            break
        best = cell
    if best is not None:
        # in the padding after a cell's text and before the next pipe
        text = best.span.end
        row_text_end = row.span.end
        if text <= offset <= row_text_end:
            return best
    return None


def _locate_ref(hit: Hit, refs: list[Reference], offset: int) -> None:
    for ref in refs:
        if not _inside(ref.full_span, offset) and not _inside(ref.span, offset):
            continue
        hit.ref = ref
        for sym in ref.symbols:
            if _inside(sym.span, offset):
                hit.part, hit.symbol = SYMBOL, sym
                return
        for cmd in ref.commands:
            if _inside(cmd.span, offset):
                hit.part, hit.command = COMMAND, cmd
                return
        if _inside(ref.job_span, offset):
            hit.part = JOB
            return
        if _inside(ref.line_span, offset):
            hit.part = LINE
            return
        if _inside(ref.span, offset) and ref.path:
            hit.part = PATH
            return
        hit.part = REFERENCE
        return
