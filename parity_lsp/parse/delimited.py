"""CSV and TSV matrices, into the same model as Markdown.

Invariant: never raises; no IO. A small RFC 4180 tokenizer (the csv module gives no offsets):
quoted fields may hold the delimiter, newlines and doubled quotes. A quoted cell's span covers
the text inside the quotes, so references inside it keep exact source positions.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterator

from parity_lsp.model import SHARED_TEXT_MAX, Cell, Matrix, MatrixFormat, ParseProblem, Row, Table
from parity_lsp.parse.directives import parse_directive
from parity_lsp.roles import EMPTY_SPEC, ColumnSpec, assign_roles, unique_names
from parity_lsp.text import Span

_log = logging.getLogger("parity_lsp.parse")
_STOPS: dict[str, re.Pattern[str]] = {}  # a delimiter -> what ends an unquoted cell (it, CR, LF)
_EOL = re.compile(r"[\r\n]")


def _records(text: str, delim: str) -> Iterator[tuple[int, int, list[tuple[int, int, bool]], bool]]:
    """Yield (record_start, record_end, [(cell_start, cell_end, quoted)], unterminated)."""
    i = 0
    n = len(text)
    stop = _STOPS.get(delim) or _STOPS.setdefault(delim, re.compile(f"[{re.escape(delim)}\n\r]"))
    eol = _EOL.search
    find = text.find
    while i < n:
        rec_start = i
        cells: list[tuple[int, int, bool]] = []
        unterminated = False
        # A record without a quote (most rows): its cells are its line split at the delimiter,
        # one search and one split instead of a search a cell (the same cells as below: an
        # unquoted cell ends at the delimiter, CR or LF)
        m = eol(text, i)
        e = n if m is None else m.start()
        if find('"', i, e) < 0:
            for part in text[i:e].split(delim):
                end = i + len(part)
                cells.append((i, end, False))
                i = end + 1
            i = e
            if i < n and text[i] == "\r":
                i += 1
            if i < n and text[i] == "\n":
                i += 1
            yield rec_start, e, cells, False
            continue
        while True:
            if i < n and text[i] == '"':
                start = i + 1
                j = start
                while True:
                    q = text.find('"', j)
                    if q == -1:
                        unterminated = True
                        j = n
                        break
                    if q + 1 < n and text[q + 1] == '"':
                        j = q + 2
                        continue
                    j = q
                    break
                cells.append((start, j, True))
                i = min(n, j + 1)
                # anything between the closing quote and the delimiter is tolerated
                m = stop.search(text, i)
                i = n if m is None else m.start()
            else:
                start = i
                m = stop.search(text, i)  # the cell's end: one search, not a step a character
                i = n if m is None else m.start()
                cells.append((start, i, False))
            if i < n and text[i] == delim:
                i += 1
                continue
            break
        rec_end = i
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
        yield rec_start, rec_end, cells, unterminated
        if unterminated:
            return


def split_record(line: str, delim: str) -> list[tuple[int, int, bool]]:
    """The cells (start, end, quoted) of the record starting `line`, as the parser reads them:
    a quoted cell's range is inside its quotes, and an unclosed quote runs to the end."""
    for _start, _end, cells, _unterminated in _records(line, delim):
        return cells
    return [(0, 0, False)]


def parse_delimited(path: str, text: str, fmt: MatrixFormat, columns: ColumnSpec = EMPTY_SPEC) -> Matrix:
    """`columns`: the `[columns]` configuration (which header plays which role)."""
    matrix = Matrix(path=path, text=text, format=fmt, columns=columns)
    try:
        _parse_into(matrix, "\t" if fmt == MatrixFormat.TSV else ",")
    except Exception as exc:  # noqa: BLE001 - parsers never raise: the bug is a PM000 problem, and logged
        _log.warning("%s could not be parsed (reported as PM000)", matrix.path, exc_info=True)
        matrix.tables = []
        matrix.problems.append(ParseProblem(Span(0, 0), f"matrix could not be parsed: {exc}"))
    return matrix


def _parse_into(matrix: Matrix, delim: str) -> None:
    text = matrix.text
    index = matrix.index
    table: Table | None = None
    next_line_disable: frozenset[str] = frozenset()
    table_disable: set[str] = set()
    texts: dict[str, str] = {}  # cell texts, each kept once
    shared = texts.setdefault
    for rec_start, rec_end, raw_cells, unterminated in _records(text, delim):
        line_text = text[rec_start:rec_end]
        directive = parse_directive(line_text)
        if directive is not None:
            kind, codes = directive
            if kind == "disable":
                table_disable |= codes
            else:
                next_line_disable = codes
            continue
        if not line_text.strip():
            continue
        cells = []  # built inline (a 100,000-row CSV has 900,000 cells: a call each cost 0.3 s)
        for idx, (start, end, quoted) in enumerate(raw_cells):
            value = text[start:end]
            if not quoted:
                stripped = value.strip(" \t")
                if len(stripped) != len(value):
                    start += len(value) - len(value.lstrip(" \t"))
                    value = stripped
            if len(value) <= SHARED_TEXT_MAX:
                value = shared(value, value)
            cells.append(Cell(value, start, idx))
        if unterminated:
            matrix.problems.append(
                ParseProblem(Span(raw_cells[-1][0] - 1, raw_cells[-1][0]), "unterminated quoted field")
            )
        line = index.line_of(rec_start)
        if table is None:
            names = [c.value for c in cells]
            roles = assign_roles(names, matrix.columns)
            if not roles.is_matrix:
                matrix.problems.append(
                    ParseProblem(
                        Span(rec_start, rec_end),
                        "first row is not a matrix header (needs a status column and an evidence column, "
                        "or the template's Capability and Status)",
                        code="PM005",  # reported by the PM005 rule (engine), with what was found
                    )
                )
                return
            columns: dict[str, int] = {}
            for c, name in zip(cells, unique_names(names), strict=True):
                c.column = name
                columns[name] = c.index
            table = Table(
                header=cells,
                rows=[],
                span=Span(rec_start, rec_end),
                header_line=line,
                columns=columns,
                roles=roles,
                suppressed=frozenset(table_disable),
                path=matrix.path,
            )
            matrix.tables.append(table)
            header_columns = [c.column for c in table.header]
            continue
        for c in cells:
            c.column = header_columns[c.index] if c.index < len(header_columns) else None
        table.rows.append(
            Row(
                cells=cells,
                span=Span(rec_start, rec_end),
                line=line,
                table_ref=weakref.ref(table),
                suppressed=next_line_disable,
            )
        )
        next_line_disable = frozenset()
        table.span = Span(table.span.start, rec_end)
