"""Table formatting: align the columns of Markdown matrix tables.

Invariant: pure over the matrix model; no IO. Only whitespace around cell contents changes
(plus outer pipes when a table mixes rows with and without them): every cell's trimmed source
text is kept byte for byte, so the table parses to the same cells. Formatting is idempotent. A
table in a blockquote or list item keeps each line's `> ` markers and indentation as they are.
A row whose cell count differs from the header's is left exactly as it is (and does not count
towards the column widths). CSV and TSV files are not formatted. The result is parsed again:
a table whose cells it would change (Markdown reading the aligned lines otherwise) is left
as it is.

Column widths are display widths: East Asian wide and fullwidth characters and emoji count two
columns, combining marks and zero-width characters none, so tables line up in a monospace
editor font.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parity_lsp.findings import Edit
from parity_lsp.model import Matrix, MatrixFormat, Table
from parity_lsp.parse.markdown import parse_markdown, split_row
from parity_lsp.text import Span

MIN_WIDTH = 3  # `---` is the shortest delimiter cell
_DELIMITER_CELL = re.compile(r"^:?-+:?$")
_ZWJ = "\u200d"
_VS16 = "\ufe0f"  # emoji presentation selector: the preceding symbol renders two columns wide

LEFT, RIGHT, CENTER, NONE = "left", "right", "center", "none"


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace font (wide/emoji 2, zero-width 0)."""
    if text.isascii():
        return len(text)
    width = 0
    prev = 0  # width of the previous visible character
    joined = False
    for ch in text:
        if ch == _ZWJ:
            joined = True
            continue
        if ch == _VS16:
            if prev == 1:  # ⚠ + VS16 → ⚠️, drawn as an emoji
                width += 1
                prev = 2
            continue
        w = char_width(ch)
        if joined and w:  # the rest of a ZWJ emoji sequence draws into the same glyph
            joined = False
            continue
        joined = False
        if w:
            prev = w
        width += w
    return width


@dataclass(slots=True)
class _Line:
    number: int  # 0-based line in the document
    text: str  # the table's text on the line (after a blockquote's `> ` or a list item's indent)
    cells: list[str]  # trimmed cell texts
    lead: bool  # has a leading outer pipe
    trail: bool  # has a trailing outer pipe
    prefix: str = ""  # what precedes the table on the line (`> `, indentation), kept as is


def _split(number: int, text: str, prefix_length: int = 0) -> _Line:
    prefix, text = text[:prefix_length], text[prefix_length:]
    ranges = split_row(text)
    cells = [text[s:e].strip(" \t") for s, e in ranges]
    lead = ranges[0][0] > 0
    trail = ranges[-1][1] < len(text)
    return _Line(number, text, cells, lead, trail, prefix)


def _alignment(cell: str) -> str:
    left, right = cell.startswith(":"), cell.endswith(":")
    if left and right:
        return CENTER
    if right:
        return RIGHT
    if left:
        return LEFT
    return NONE


def _delimiter(alignment: str, width: int) -> str:
    if alignment == CENTER:
        return ":" + "-" * (width - 2) + ":"
    if alignment == LEFT:
        return ":" + "-" * (width - 1)
    if alignment == RIGHT:
        return "-" * (width - 1) + ":"
    return "-" * width


def _pad(cell: str, width: int, alignment: str, last_open: bool) -> str:
    gap = width - display_width(cell)
    if alignment == RIGHT:
        return " " * gap + cell
    if alignment == CENTER:
        left = gap // 2
        return " " * left + cell + ("" if last_open else " " * (gap - left))
    return cell if last_open else cell + " " * gap


def format_table_lines(matrix: Matrix, table: Table) -> dict[int, str]:
    """New text for each line of `table` (0-based line → line text without its line break).

    Lines that need no change are included too; callers compare. Returns {} when the table
    cannot be formatted safely (no delimiter row, or a delimiter row that is not one).
    """
    index = matrix.index
    if table.delimiter_line is None:
        return {}
    prefixes = table.prefixes  # a table in a blockquote or list item: each line keeps its `> `

    def split(number: int) -> _Line:
        return _split(number, index.line_text(number), prefixes.get(number, 0))

    header = split(table.header_line)
    delimiter = split(table.delimiter_line)
    ncols = len(header.cells)
    if len(delimiter.cells) != ncols or not all(_DELIMITER_CELL.match(c) for c in delimiter.cells):
        return {}
    rows = [split(row.line) for row in table.rows]
    good = [r for r in rows if len(r.cells) == ncols]
    aligned = [header, delimiter, *good]

    lead = any(line.lead for line in aligned)
    trail = any(line.trail for line in aligned)
    alignments = [_alignment(c) for c in delimiter.cells]
    # without a leading pipe, padding before the first cell would indent the line (4 spaces
    # would end the table): the first column is padded on the right only
    pad_as = list(alignments) if lead else [LEFT, *alignments[1:]]
    widths = [MIN_WIDTH] * ncols
    for line in (header, *good):
        for i, cell in enumerate(line.cells):
            widths[i] = max(widths[i], display_width(cell))
    indent = header.text[: len(header.text) - len(header.text.lstrip(" \t"))]

    def render(line: _Line, cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            last_open = i == ncols - 1 and not trail
            parts.append(_pad(cell, widths[i], pad_as[i], last_open))
        body = " | ".join(parts)
        return line.prefix + indent + ("| " if lead else "") + body + (" |" if trail else "")

    out = {header.number: render(header, header.cells)}
    out[delimiter.number] = render(
        delimiter, [_delimiter(a, w) for a, w in zip(alignments, widths, strict=False)]
    )
    for line in good:
        out[line.number] = render(line, line.cells)
    return out


def _intersects(table: Table, span: Span | None) -> bool:
    return span is None or (table.span.start <= span.end and span.start <= table.span.end)


def format_edits(matrix: Matrix, span: Span | None = None) -> list[Edit]:
    """Edits that align every Markdown matrix table (only those intersecting `span`, if given).

    One edit per changed line, replacing the line's text (its line break is kept).
    """
    if matrix.format != MatrixFormat.MARKDOWN:
        return []
    index = matrix.index
    by_table: list[list[Edit]] = []
    for table in matrix.tables:
        if not _intersects(table, span):
            continue
        changed = [
            Edit(matrix.path, Span(index.line_start(number), index.line_end(number)), text)
            for number, text in sorted(format_table_lines(matrix, table).items())
            if index.line_text(number) != text
        ]
        if changed:
            by_table.append(changed)
    edits = [e for table_edits in by_table for e in table_edits]
    original = _cells_of(matrix.tables)
    if edits and _cells(matrix, apply_edits(matrix.text, edits)) != original:
        # a table Markdown reads otherwise once aligned (a header that is a list item's text
        # gets a leading pipe: the marker becomes cell text): each table alone, those that
        # keep every cell (found by fuzzing a mutated matrix)
        edits = [
            e
            for table_edits in by_table
            if _cells(matrix, apply_edits(matrix.text, table_edits)) == original
            for e in table_edits
        ]
    return edits


def _cells(matrix: Matrix, text: str) -> list[list[list[str]]]:
    """Every table's cell texts, as `text` parses."""
    return _cells_of(parse_markdown(matrix.path, text).tables)


def _cells_of(tables: list[Table]) -> list[list[list[str]]]:
    return [
        [[c.text for c in table.header]] + [[c.text for c in row.cells] for row in table.rows]
        for table in tables
    ]


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (any order) to `text`."""
    for e in sorted(edits, key=lambda e: e.span.start, reverse=True):
        text = text[: e.span.start] + e.content + text[e.span.end :]
    return text


def format_text(matrix: Matrix, span: Span | None = None) -> str:
    """The matrix text with its tables formatted."""
    return apply_edits(matrix.text, format_edits(matrix, span))
