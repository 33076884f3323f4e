"""The matrix model: tables, rows, cells and the evidence references inside cells.

Invariant: plain data, no IO, no judgement. Every element keeps its exact source span
(code point offsets into the matrix text, see `text.Span`). Parsers build these; rules read them.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from parity_lsp import roles as _roles
from parity_lsp.roles import EMPTY_SPEC, ColumnSpec, TableRoles, normalize_column
from parity_lsp.text import LineIndex, Span

__all__ = ["normalize_column"]  # re-exported: callers match header names through the model

# The roles the engine reads (`roles.py`): rules and features ask a row for a role
# (`row.cell(COL_STATUS)`), never for a header name. The template's columns play them by default.
COL_CAPABILITY = _roles.CAPABILITY
COL_FEATURE = "arco feature"  # the template's extra column (no role)
COL_STATUS = _roles.STATUS
COL_PROOF = _roles.PROOF
COL_CODE = _roles.CODE
COL_TESTS = _roles.TESTS
COL_CI = _roles.CI
COL_EVIDENCE = _roles.EVIDENCE
COL_OWNER = _roles.OWNER
COL_NOTES = _roles.NOTES
EVIDENCE_COLUMNS = _roles.EVIDENCE_ROLES  # the evidence roles (code, tests, ci, evidence)


# Cell texts up to this long are kept once per table by the parsers: a column of statuses,
# owners or one cited file repeats a few values on every row (a 100,000-row CSV: ~25 MB of copies)
SHARED_TEXT_MAX = 64


@dataclass(slots=True)
class Cell:
    text: str  # source text of the cell, outer whitespace trimmed, escapes kept
    # Offset of `text` in the document (it is the document's text there, so it ends at
    # start + len(text)). A 10,000-row matrix has 90,000 cells: a Span object and an end
    # offset each took ~10 MB.
    start: int
    index: int  # 0-based column index
    # normalized header name (unique in its table: a repeated `Tests` is `tests (2)`), None for
    # surplus cells; its role is the table's (`Table.roles.role_at(index)`)
    column: str | None = None
    _value: str | None = field(default=None, repr=False, compare=False)

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def span(self) -> Span:
        return Span(self.start, self.start + len(self.text))

    @property
    def value(self) -> str:
        """Display value: Markdown escapes and emphasis removed, code spans unwrapped."""
        found = self._value
        if found is None:
            found = self._value = plain_value(self.text)
        return found


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    span: Span  # the whole row line(s)
    line: int  # 0-based line of the row
    # The table, held weakly: the table lists its rows, and that cycle would leave a replaced
    # matrix to the cyclic GC, which the server keeps off long-lived models (`gc.freeze`):
    # a replaced model must be freed by reference counting alone.
    table_ref: weakref.ref[Table] | None = field(default=None, repr=False, compare=False)
    suppressed: frozenset[str] = frozenset()  # codes disabled by disable-next-line
    _evidence: dict[str, Evidence] | None = field(default=None, repr=False)

    @property
    def table(self) -> Table | None:
        ref = self.table_ref
        return ref() if ref is not None else None

    @property
    def evidence(self) -> dict[str, Evidence]:
        """column (normalized header name) -> parsed references, for each column with an
        evidence role (each reference knows its role), parsed on first use: parsing a matrix is
        then cheap, and the evidence of each row is parsed when (and where) the row is checked."""
        found = self._evidence
        if found is None:
            from parity_lsp.parse.evidence import parse_evidence

            found = {}
            table = self.table
            if table is not None:
                cells = self.cells
                for idx, role in table.roles.evidence_columns:
                    if idx < len(cells):
                        cell = cells[idx]
                        found[cell.column or ""] = parse_evidence(
                            cell.text, cell.start, table.path, role, table.parsed
                        )
            self._evidence = found
        return found

    def cell(self, role: str) -> Cell | None:
        """The cell of the first column playing `role` (`roles.py`), or None."""
        ref = self.table_ref  # asked ~12 times a row: one weak dereference, not two
        table = ref() if ref is not None else None
        idx = table.role_index.get(role) if table is not None else None
        if idx is None or idx >= len(self.cells):
            return None
        return self.cells[idx]

    def value(self, role: str) -> str:
        cell = self.cell(role)
        return cell.value if cell else ""

    @property
    def capability(self) -> str:
        return self.value(COL_CAPABILITY)

    @property
    def status(self) -> str:
        return self.value(COL_STATUS)


@dataclass(slots=True, weakref_slot=True)
class Table:
    header: list[Cell]
    rows: list[Row]
    span: Span
    header_line: int
    group: str | None = None  # nearest heading above the table
    group_line: int | None = None
    suppressed: frozenset[str] = frozenset()  # codes disabled for the whole table
    columns: dict[str, int] = field(default_factory=dict)  # normalized (unique) name -> index
    # the columns' roles, assigned when the table is parsed (`roles.assign_roles`)
    roles: TableRoles = field(default_factory=lambda: _roles.assign_roles(()))
    delimiter_line: int | None = None  # Markdown only
    path: str = ""  # the matrix file (evidence links are relative to it)
    # A table inside a blockquote or list item: line -> column where the table's text starts on
    # it (after `> ` and the item's indentation). Empty for a top-level table.
    prefixes: dict[int, int] = field(default_factory=dict)
    role_index: dict[str, int] = field(init=False, repr=False, compare=False)  # = roles.first
    # evidence cells parsed by the parser's general path, by (text, role): (the offset parsed
    # at, the evidence). A table repeats its cells (`src/a.rs` on thousands of rows): each text
    # is parsed once (`parse.evidence.parse_evidence`'s `memo`)
    parsed: dict[tuple[str, str | None], tuple[int, Evidence]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.role_index = self.roles.first  # role -> first column (asked for every row's cells)


class MatrixFormat(str, Enum):
    MARKDOWN = "markdown"
    CSV = "csv"
    TSV = "tsv"


@dataclass(slots=True)
class ParseProblem:
    """Something the parser could not make sense of; reported, never raised."""

    span: Span
    message: str
    code: str = "PM000"


@dataclass(slots=True)
class GoverningDoc:
    path: str
    span: Span


@dataclass(slots=True)
class Matrix:
    path: str  # workspace-relative, '/' separated
    text: str
    format: MatrixFormat
    tables: list[Table] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    governing_docs: list[GoverningDoc] = field(default_factory=list)
    # the `[columns]` configuration it was parsed with (a re-parse uses the same)
    columns: ColumnSpec = EMPTY_SPEC
    _index: LineIndex | None = field(default=None, repr=False)

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index

    def rows(self) -> Iterator[Row]:
        for table in self.tables:
            yield from table.rows


# --- evidence references -----------------------------------------------------------------


class RefKind(str, Enum):
    PATH = "path"
    CI = "ci"
    # references as teams write them (no `path`: they name no file;
    # docs/spec/evidence.md#references-as-teams-write-them):
    NAME = "name"  # bare test or function names (`symbols`): resolved against the workspace's definitions
    GLOB = "glob"  # a glob that must match a file (`pattern`)
    COMMAND = "command"  # a command cited outside a workflow (`commands`): its make target, alias or script


@dataclass(slots=True)
class SymbolRef:
    name: str
    span: Span


@dataclass(slots=True)
class CommandRef:
    text: str
    span: Span


@dataclass(slots=True)
class Reference:
    """One piece of evidence inside a cell.

    A path reference names a file or directory (optionally a line or range and symbols);
    a CI reference names a workflow file, a job and commands.
    """

    kind: RefKind
    path: str  # as written (link targets: resolved relative form in `resolved_path`)
    span: Span  # span of the path text itself
    full_span: Span  # the whole reference including symbols/parenthesis
    line_start: int | None = None  # 1-based as written
    line_end: int | None = None
    line_span: Span | None = None  # span of the line number(s) text
    symbols: list[SymbolRef] = field(default_factory=list)
    # code spans in the parenthesis that are not identifier paths (`a:{b}` key formats, calls,
    # prose): text the file must contain verbatim, not a definition (a tuple: most references
    # have none, and an empty tuple costs no allocation)
    texts: tuple[SymbolRef, ...] = ()
    label: str | None = None  # "Rust", "Python", ...
    note: str | None = None  # prose in parentheses
    is_link: bool = False
    link_base: str | None = None  # for links: directory of the matrix file (relative)
    job: str | None = None
    job_span: Span | None = None
    commands: list[CommandRef] = field(default_factory=list)
    # the role of the column it sits in: code, tests, ci, or evidence (a mixed column: what it
    # is depends on what it resolves to, `RowContext.role_of`)
    role: str | None = None
    in_missing: bool = False  # written inside a "Missing proof: …" segment: named, not claimed
    pattern: str | None = None  # GLOB: the glob as written (`crates/*/Cargo.toml`)
    # `guide.md#retry-policy`: the heading named after `#` (not a line, not a member), and its span
    fragment: str | None = None
    fragment_span: Span | None = None


@dataclass(slots=True)
class Evidence:
    """A parsed evidence cell."""

    refs: list[Reference] = field(default_factory=list)
    missing_marker: bool = False  # "Missing proof:", "TBD", "—", or empty
    missing_span: Span | None = None

    @property
    def is_empty(self) -> bool:
        return not self.refs


# Cell values are unwrapped by these two substitutions. Both backtrack on hostile text: the
# first cubically on a run of backticks, the second quadratically on emphasis
# openers that never close (`*a *a *a ...`). They run where they cannot (a cell with no double
# backtick; few `*` and `_`): most cells, at C speed. Elsewhere two scanners give the same
# answer in linear time (`tests/test_plain_value.py` holds them to these regexes).
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")
# With this many `*` and `_` at most, `_EMPHASIS` tries at most that many starts (each reading at
# most to the end of its line, once per delimiter that fits): linear.
_FEW_DELIMITERS = 16
_BACKTICK_RUN = re.compile(r"`+")
_EMPHASIS_CHAR = re.compile(r"[*_]")
_DELIMITERS = ("**", "__", "*", "_")  # in the regex's order of alternatives
# A delimiter that may close a span: after a non-space (the span's last character).
_CLOSER = {d: re.compile(r"(?<=\S)" + re.escape(d)) for d in _DELIMITERS}


def _unwrap_code_spans(text: str) -> str:
    """Each code span replaced by its stripped content, as the regex `(`+)(.+?)\\1` (dot
    matching newlines) substitutes them. At a position p in a run of backticks (of R from p)
    the regex takes the longest opener g <= R that a later `g` backticks close, the content
    being at least one character: within the run itself (g <= (R - 1) // 2, closed right after
    one backtick of content) or in a later run at least g long (closed at its start). So the
    longest later run decides, and the scan never looks back."""
    runs = [m.span() for m in _BACKTICK_RUN.finditer(text)]
    if not runs:
        return text
    count = len(runs)
    longest = [0] * (count + 1)  # longest[r]: the longest run among runs[r:]
    for r in range(count - 1, -1, -1):
        size = runs[r][1] - runs[r][0]
        longest[r] = size if size > longest[r + 1] else longest[r + 1]
    out: list[str] = []
    last = 0  # text[:last] is done
    p = 0  # the next position a span may start at
    r = 0  # the run at or after p
    while r < count:
        s, e = runs[r]
        if p < s:
            p = s
        size = e - p
        inside = (size - 1) // 2
        later = min(size, longest[r + 1])
        g = inside if inside > later else later
        if g <= 0:  # no span starts in this run (a later position of it has a shorter opener)
            r += 1
            continue
        if g == inside:
            q, r2 = p + g + 1, r  # closed inside the run, after one backtick of content
        else:
            r2 = r + 1
            while runs[r2][1] - runs[r2][0] < g:
                r2 += 1
            q = runs[r2][0]
        out.append(text[last:p])
        out.append(text[p + g : q].strip())
        last = p = q + g
        r = r2 if p < runs[r2][1] else r2 + 1  # the rest of the closing run may open a span
    out.append(text[last:])
    return "".join(out)


def _unwrap_emphasis(text: str) -> str:
    """Each emphasis span replaced by its content, as the regex `(\\*\\*|__|\\*|_)(\\S(?:.*?\\S)?)\\1`
    substitutes them: at a delimiter d (tried in that order) followed by a non-space, the
    shortest content of two characters or more that a d closes (after a non-space, no newline
    in between), else a one-character content. The closers and newlines are searched forward
    only, each search answering every later question it still covers: linear time."""
    n = len(text)
    find_char = _EMPHASIS_CHAR.search
    m = find_char(text)
    if m is None:
        return text
    # per delimiter: (asked from, the first closer at or after it, or -1 for none)
    closers: dict[str, tuple[int, int]] = {}
    newline = (0, text.find("\n"))  # (asked from, the first newline at or after it, or -1)
    out: list[str] = []
    last = 0
    p = m.start()
    while True:
        resume = p + 1
        for d in _DELIMITERS:
            if not text.startswith(d, p):
                continue
            c = p + len(d)  # the content's first character
            if c >= n or text[c].isspace():
                continue
            x = c + 2  # a content of two characters or more ends at x or later
            asked, e = closers.get(d, (-1, -1))
            if asked < 0 or asked > x or (e != -1 and e < x):  # else e answers x too
                found = _CLOSER[d].search(text, x)
                e = found.start() if found is not None else -1
                closers[d] = (x, e)
            if e != -1:
                asked_nl, nl = newline
                if asked_nl > c or (nl != -1 and nl < c):
                    nl = text.find("\n", c)
                    newline = (c, nl)
                if nl != -1 and nl < e:
                    e = -1  # the content cannot hold a newline
            if e == -1 and text.startswith(d, c + 1):
                e = c + 1  # a one-character content
            if e == -1:
                continue
            out.append(text[last:p])
            out.append(text[c:e])
            last = resume = e + len(d)
            break
        m = find_char(text, resume)
        if m is None:
            break
        p = m.start()
    out.append(text[last:])
    return "".join(out)


def plain_value(text: str) -> str:
    """Markdown cell text → plain value ('**Implemented**' → 'Implemented')."""
    if "`" not in text and "*" not in text and "_" not in text and "\\" not in text:
        return " ".join(text.split())  # most values: nothing to unwrap (asked for every row)
    text = text.replace("\\|", "|")
    if "``" in text:
        text = _unwrap_code_spans(text)
    elif "`" in text:  # single backticks: each opener reads to the next backtick, once
        text = _CODE_SPAN.sub(_stripped_content, text)
    for _ in range(2):
        delimiters = text.count("*") + text.count("_")
        if not delimiters:
            break
        if delimiters <= _FEW_DELIMITERS:
            text = _EMPHASIS.sub(_content, text)
        else:
            text = _unwrap_emphasis(text)
    return " ".join(text.split())


def _stripped_content(m: re.Match[str]) -> str:
    return m.group(2).strip()


def _content(m: re.Match[str]) -> str:
    return m.group(2)
