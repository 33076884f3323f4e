"""The cell under the cursor, and the request around it.

Per request the work is bounded by the cursor's line and its table's header (a full parse of a
2,000-row matrix costs ~0.4 s, far over a keystroke): the lines above the cursor are walked up
to the table's delimiter row, the header is parsed with `engine.parse_matrix` (cached by its
text: which columns play which role is the engine's answer, `[columns]` included), and the
cursor's line is split into cells by the parsers' own splitters (`parse.markdown.split_row`,
`parse.delimited.split_record`), so a half-typed row still has a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from parity_lsp.features.completion.items import Escape, csv_escape, identity, md_escape
from parity_lsp.model import Cell, Matrix, MatrixFormat, Table
from parity_lsp.roles import ColumnSpec
from parity_lsp.text import Span
from parity_lsp.workspace.index import Workspace

_DELIMITER_CHARS = " \t|:-"
# A blockquote's `>` markers before a table line (GitHub renders tables in blockquotes).
_QUOTE = re.compile(r"(?:[ \t]*>)+[ \t]?")
_BREAK = re.compile(r"<br\s*/?>", re.I)


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, offset) + 1
    if "\r" in text:
        ls = max(ls, text.rfind("\r", ls, offset) + 1)
    le = len(text)
    for ch in "\r\n":
        j = text.find(ch, offset, le)
        if j != -1:
            le = j
    return ls, le


def _prev_line(text: str, start: int, has_cr: bool) -> tuple[int, int] | None:
    """Bounds of the line before the line starting at `start`."""
    if start <= 0:
        return None
    end = start - 1
    if text[end] == "\n" and end > 0 and text[end - 1] == "\r":
        end -= 1
    s = text.rfind("\n", 0, end) + 1
    if has_cr:
        s = max(s, text.rfind("\r", s, end) + 1)
    return s, end


def _quote_length(line: str) -> int:
    m = _QUOTE.match(line) if ">" in line else None
    return m.end() if m is not None else 0


def _is_delimiter(line: str) -> bool:
    line = line[_quote_length(line) :]
    return "-" in line and "|" in line and not line.strip(_DELIMITER_CHARS)


@dataclass(slots=True)
class CellAt:
    fmt: MatrixFormat
    column: str | None  # the column's role (`roles.py`): status, tests, ...
    start: int  # document offsets of the cell's raw text (between separators)
    end: int
    quoted: bool = False  # CSV/TSV: the cell is a quoted field
    template: bool = False  # the cell's table is a template table (Capability and Status columns)
    header: Cell | None = None  # its column's header cell


def cell_at(ws: Workspace, rel: str, text: str, ls: int, le: int, offset: int) -> CellAt | None:
    """The cell under the cursor in a matrix table row, from the header and this line only."""
    from parity_lsp.engine import matrix_format
    from parity_lsp.parse.delimited import split_record
    from parity_lsp.parse.markdown import split_row

    fmt = matrix_format(rel)
    line = text[ls:le]
    bounds: list[tuple[int, int, bool]]
    if fmt == MatrixFormat.MARKDOWN:
        if "|" not in line or _is_delimiter(line):
            return None
        found = _header_above(text, ls)
        if found is None:
            return None
        table = header_table(fmt, f"{found[0]}\n{found[1]}\n|\n", ws.config.column_spec)
        pre = _quote_length(line)
        bounds = [(s + pre, e + pre, False) for s, e in split_row(line[pre:], open_end=True)]
    else:
        if ls == 0:
            return None  # the header line
        header = text[: line_bounds(text, 0)[1]].lstrip("\ufeff")
        table = header_table(fmt, f"{header}\n", ws.config.column_spec)
        bounds = split_record(line, "," if fmt == MatrixFormat.CSV else "\t")
    if table is None:
        return None
    col = offset - ls
    for idx, (s, e, quoted) in enumerate(bounds):
        if s <= col <= e:
            header_cell = table.header[idx] if idx < len(table.header) else None
            return CellAt(
                fmt, table.roles.role_at(idx), ls + s, ls + e, quoted, table.roles.template, header_cell
            )
    return None


# A delimiter row (`_is_delimiter`) as a whole line, and a line that is neither a table line
# (no `|`) nor a comment: found by C-level searches, not a Python walk over the rows above
# (10,000 rows above the cursor took the walk ~30 ms; tests/test_complete.py compares the two).
# (after a line break: a delimiter row on the first line has no header above it)
_DELIMITER_LINE = re.compile(r"\n((?:(?:[ \t]*>)+[ \t]?)?(?=[ \t|:]*-)(?=[ \t:-]*\|)[ \t|:-]+)\r?(?=\n|\Z)")
_NOT_TABLE_LINE = re.compile(r"\n(?![^\n|]*\|)(?![^\S\n]*<!--)")
_LONE_CR = re.compile(r"\r(?!\n)")


def _header_above(text: str, ls: int) -> tuple[str, str] | None:
    """(header line, delimiter line) of the Markdown table the line starting at `ls` is a row of:
    the nearest delimiter row above, when only table lines and directive comments lie between."""
    if ls == 0:
        return None
    if "\r" in text and _LONE_CR.search(text, 0, ls) is not None:
        return _header_above_walk(text, ls)  # lone CR line breaks: the walk knows them
    delimiter = None
    for found in _DELIMITER_LINE.finditer(text, 0, ls - 1):
        delimiter = found  # the last one: the nearest above the cursor
    if delimiter is None:
        return None
    d_start, d_end = delimiter.start(1), delimiter.end()
    if _NOT_TABLE_LINE.search(text, d_end, ls - 1) is not None:
        return None  # a line between them is not a table line: the cursor is in no table
    h_end = d_start - 1
    if h_end > 0 and text[h_end - 1] == "\r":
        h_end -= 1
    h_start = text.rfind("\n", 0, h_end) + 1
    return text[h_start:h_end].lstrip("\ufeff"), delimiter.group(1)


def _header_above_walk(text: str, ls: int) -> tuple[str, str] | None:
    """`_header_above` line by line (any line breaks: `\n`, `\r\n`, lone `\r`)."""
    has_cr = "\r" in text
    cur = ls
    while True:
        prev = _prev_line(text, cur, has_cr)
        if prev is None:
            return None
        ptext = text[prev[0] : prev[1]]
        if _is_delimiter(ptext):
            above = _prev_line(text, prev[0], has_cr)
            if above is None:
                return None
            return text[above[0] : above[1]].lstrip("\ufeff"), ptext
        if "|" not in ptext and not ptext.lstrip().startswith("<!--"):
            return None
        cur = prev[0]


@lru_cache(maxsize=256)
def header_table(fmt: MatrixFormat, mini: str, spec: ColumnSpec) -> Table | None:
    """The (row-less) table `mini` starts with, its columns' roles assigned as the engine
    assigns them (`[columns]` included); None: not a matrix table. A pure function of its
    arguments, memoized (a header is parsed once, not at every keystroke)."""
    from parity_lsp.engine import parse_matrix

    path = {MatrixFormat.CSV: "m.csv", MatrixFormat.TSV: "m.tsv"}.get(fmt, "m.md")
    matrix: Matrix = parse_matrix(path, mini, spec)
    return matrix.tables[0] if matrix.tables else None


@dataclass(slots=True)
class Prefix:
    """State at the end of a cell prefix: an open code span, and the open parentheses."""

    code_start: int | None = None  # offset (in the prefix) of the open code span's content
    code_run: int = 0
    stack: list[tuple[str, int]] = field(default_factory=list)  # ("paren" | "link", index of "(")


def scan_prefix(pre: str) -> Prefix:
    st = Prefix()
    i, n = 0, len(pre)
    while i < n:
        ch = pre[i]
        if st.code_start is None and ch == "\\":
            i += 2
            continue
        if ch == "`":
            j = i
            while j < n and pre[j] == "`":
                j += 1
            if st.code_start is None:
                st.code_start, st.code_run = j, j - i
            elif j - i == st.code_run:
                st.code_start = None
            i = j
            continue
        if st.code_start is None:
            if ch == "(":
                st.stack.append(("link" if i > 0 and pre[i - 1] == "]" else "paren", i))
            elif ch == ")" and st.stack:
                st.stack.pop()
            elif ch == ";" or (ch == "<" and _BREAK.match(pre, i)):
                st.stack.clear()  # a new reference starts
        i += 1
    return st


class Request:
    """One completion request: the document, the cursor, its cell, and what the server knows."""

    __slots__ = (
        "cell",
        "column",
        "escape",
        "matrices",
        "offset",
        "post",
        "pre",
        "rel",
        "text",
        "trigger",
        "ws",
    )

    def __init__(
        self,
        ws: Workspace,
        rel: str,
        text: str,
        offset: int,
        cell: CellAt,
        matrices: list[Matrix],
        trigger: str | None,
    ) -> None:
        self.ws = ws
        self.rel = rel
        self.text = text
        self.offset = offset
        self.cell = cell
        self.matrices = matrices
        self.trigger = trigger
        self.pre = text[cell.start : offset]  # the cell's text before the cursor
        self.post = text[offset : cell.end]
        self.column = cell.column
        self.escape: Escape
        if cell.fmt == MatrixFormat.MARKDOWN:
            self.escape = md_escape
        elif cell.quoted:
            self.escape = csv_escape
        else:
            self.escape = identity

    def span(self, start_in_pre: int) -> Span:
        """From `start_in_pre` (an index into the prefix) to the cursor."""
        return Span(self.cell.start + start_in_pre, self.offset)

    def value_span(self) -> Span:
        """The whole value of the cell (whitespace around it excluded), through the cursor."""
        raw = self.text[self.cell.start : self.cell.end]
        lead = len(raw) - len(raw.lstrip())
        start = self.cell.start + lead
        end = self.cell.start + len(raw.rstrip())
        if self.offset < start:
            return Span(self.offset, max(self.offset, end))
        return Span(start, max(self.offset, end))

    def code_closed(self, st: Prefix) -> bool:
        """Whether the open code span is closed later in the cell."""
        run = "`" * st.code_run
        i = self.post.find(run)
        while i != -1:
            j = i + st.code_run
            if (j >= len(self.post) or self.post[j] != "`") and (i == 0 or self.post[i - 1] != "`"):
                return True
            while j < len(self.post) and self.post[j] == "`":
                j += 1
            i = self.post.find(run, j)
        return False

    def wrapped(self, text: str, wrap: bool, closed: bool) -> str:
        """`text` escaped, in backticks (`wrap`), or closing the open code span unless closed."""
        escaped = self.escape(text)
        return f"`{escaped}`" if wrap else (escaped if closed else escaped + "`")
