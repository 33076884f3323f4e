"""Markdown matrices: markdown-it-py finds the block structure, raw lines give exact columns.

Invariant: never raises; no IO. markdown-it gives line maps only, so cells are re-split from
the raw line here (GFM rules: `\\|` is a literal pipe, also inside code spans; outer pipes are
optional). Every span is a code point offset into the text given.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Generator, Iterator, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize as _md_normalize

from parity_lsp.model import (
    SHARED_TEXT_MAX,
    Cell,
    GoverningDoc,
    Matrix,
    MatrixFormat,
    ParseProblem,
    Row,
    Table,
)
from parity_lsp.parse.directives import Directive, parse_directive
from parity_lsp.roles import EMPTY_SPEC, ColumnSpec, assign_roles, unique_names
from parity_lsp.text import LineIndex, Span


def _table_lines(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's GFM table rule, emitting only the table's line range.

    Header and delimiter validation are markdown-it's own (its rule in silent mode); the body
    runs until a blank line, a less indented line or another block, as in markdown-it. We
    re-split cells from raw lines anyway, so the per-cell tokens (30 per row) are skipped.
    """
    if not gfm_table(state, start_line, end_line, True):
        return False
    if silent:
        return True
    terminators = state.md.block.ruler.getRules("blockquote")
    src, b_marks, t_shift, e_marks = state.src, state.bMarks, state.tShift, state.eMarks
    line = start_line + 2
    while line < end_line:
        if state.sCount[line] < state.blkIndent or state.is_code_block(line):
            break
        first = b_marks[line] + t_shift[line]
        if first >= e_marks[line]:
            break  # blank line
        # Only a line starting with one of these can open a block that ends the table (fence,
        # blockquote, hr, list, HTML, heading): a row starting with `|` asks none of the rules.
        if src[first] in _BLOCK_STARTS and any(rule(state, line, end_line, True) for rule in terminators):
            break
        line += 1
    if state.level > 0:
        # inside a blockquote or a list item: where the table's text starts on each line (markdown-it
        # knows it now, as it strips `>` markers and indentation; it restores its marks afterwards)
        starts = state.env.get("line_starts")
        prefixes = state.env.get("prefixes")
        if starts is not None and prefixes is not None:
            for ln in range(start_line, line):
                prefixes[ln] = b_marks[ln] + t_shift[ln] - starts[ln]
    token = state.push("table_open", "table", 1)
    token.map = [start_line, line]
    state.push("table_close", "table", -1)
    state.line = line
    return True


_BLOCK_STARTS = frozenset("`~>*-_+<#0123456789")


def _normalize(state: StateCore) -> None:
    """markdown-it's `normalize` (CRLF/CR to LF, NUL to U+FFFD), without running its regexes
    over a text that has neither (most texts): they are a visible share of a large matrix's parse."""
    if "\r" in state.src or "\0" in state.src:
        _md_normalize(state)


_log = logging.getLogger("parity_lsp.parse")

_MD = MarkdownIt("commonmark").enable("table")
_MD.block.ruler.at("table", _table_lines)
_MD.core.ruler.at("normalize", _normalize)
# Block structure only: inline parsing of every cell would cost more than the whole check.
_MD.core.ruler.disable(["inline", "text_join"])

_PIPE = re.compile(r"\|")
_PIPE_OR_ESCAPE = re.compile(r"\\.|\|", re.S)  # `\|` is a literal pipe
_GOVERNED = re.compile(r"governed\s+by", re.I)
_GOV_PATH = re.compile(r"`([^`\s]+)`|\[[^\]]*\]\(([^)\s]+)\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_CONTAINER_PREFIX = re.compile(r"[ \t>]*")  # blockquote markers and indentation before a line's text


def split_row(line: str, open_end: bool = False) -> list[tuple[int, int]]:
    """Split one table line into cell ranges (start, end) within the line, outer pipes removed.

    Ranges are of the raw text between pipes, untrimmed. `open_end`: the line is a row being
    typed (completion), so the text after a trailing pipe is one more cell, maybe empty.
    """
    n = len(line)
    if "\\" in line:
        bounds = [m.start() for m in _PIPE_OR_ESCAPE.finditer(line) if m.group() == "|"]
    else:
        bounds = [m.start() for m in _PIPE.finditer(line)]
    start = 0
    end = n
    stripped_left = len(line) - len(line.lstrip())
    if bounds and line[stripped_left:].startswith("|") and bounds[0] == stripped_left:
        start = bounds.pop(0) + 1
    rstripped = len(line.rstrip())
    if bounds and bounds[-1] == rstripped - 1 and not open_end:
        end = bounds.pop()
    cells: list[tuple[int, int]] = []
    prev = start
    for b in bounds:
        cells.append((prev, b))
        prev = b + 1
    cells.append((prev, end))
    return cells


def _trimmed(line: str, start: int, end: int) -> tuple[int, int]:
    while start < end and line[start] in " \t":
        start += 1
    while end > start and line[end - 1] in " \t":
        end -= 1
    return start, end


def row_cells(
    line: str, line_offset: int, columns: Sequence[str | None] = (), texts: dict[str, str] | None = None
) -> list[Cell]:
    """Cells of one table line (`line` starts at document offset `line_offset`); `columns`:
    the header's normalized names, given to the cells in order. `texts`: the table's cell
    texts so far (`shared_text`): a repeated one is kept once."""
    if "\\" in line:
        return _row_cells_escaped(line, line_offset, columns)
    # No escapes (most lines): every `|` is a cell border, and str.split finds them in C.
    # `_row_cells_escaped` is the reference (the tests compare).
    parts = line.split("|")
    first = 1 if len(parts) > 1 and not parts[0].strip() else 0  # a leading outer pipe
    last = len(parts)
    if last - first > 1 and not parts[-1].strip():  # a trailing outer pipe
        last -= 1
    known = len(columns)
    out: list[Cell] = []
    append = out.append
    offset = line_offset + (len(parts[0]) + 1 if first else 0)
    for idx, part in enumerate(parts[first:last]):
        text = part.strip(" \t")
        if texts is not None and len(text) <= SHARED_TEXT_MAX:
            text = texts.setdefault(text, text)
        append(
            Cell(
                text,
                offset + (part.find(text[0]) if text else len(part)),
                idx,
                columns[idx] if idx < known else None,
            )
        )
        offset += len(part) + 1
    return out


def _row_cells_escaped(line: str, line_offset: int, columns: Sequence[str | None] = ()) -> list[Cell]:
    out: list[Cell] = []
    for idx, (s, e) in enumerate(split_row(line)):
        s, e = _trimmed(line, s, e)
        out.append(Cell(line[s:e], line_offset + s, idx, columns[idx] if idx < len(columns) else None))
    return out


ROWS_PER_STEP = 200  # rows built between two yields of `parse_markdown_steps` (a few ms)


def parse_markdown(path: str, text: str, columns: ColumnSpec = EMPTY_SPEC) -> Matrix:
    """`columns`: the `[columns]` configuration (which header plays which role)."""
    matrix = Matrix(path=path, text=text, format=MatrixFormat.MARKDOWN, columns=columns)
    for _ in _parse_reporting(matrix):
        pass
    return matrix


def parse_markdown_steps(
    path: str, text: str, columns: ColumnSpec = EMPTY_SPEC
) -> Generator[None, None, Matrix]:
    """`parse_markdown` as a generator that yields between chunks of rows and returns the
    matrix: a server parses a 10,000-row matrix in the background without holding up requests
    (a thread would share the interpreter lock with them)."""
    matrix = Matrix(path=path, text=text, format=MatrixFormat.MARKDOWN, columns=columns)
    yield from _parse_reporting(matrix)
    return matrix


def _parse_reporting(matrix: Matrix) -> Iterator[None]:
    """Parse into `matrix` step by step; a parser bug becomes a problem of the matrix."""
    try:
        yield from _parse_steps(matrix)
    except Exception as exc:  # noqa: BLE001 - parsers never raise: the bug is a PM000 problem, and logged
        _log.warning("%s could not be parsed (reported as PM000)", matrix.path, exc_info=True)
        matrix.tables = []
        matrix.problems.append(ParseProblem(Span(0, 0), f"matrix could not be parsed: {exc}"))


def _lines(text: str, index: LineIndex) -> list[str]:
    """The text's lines as `LineIndex` splits them (\n, \r\n, lone \r): without a \r, the
    same as str.split("\n"), which does it in C."""
    if "\r" not in text:
        return text.split("\n")
    return [index.line_text(i) for i in range(index.line_count)]


def _parse_steps(matrix: Matrix) -> Iterator[None]:
    index = matrix.index
    lines = _lines(matrix.text, index)

    # A directive comment inside a table would end it (an HTML block interrupts a table), so
    # markdown-it sees a lone '|' row in its place (the row is skipped below); elsewhere a
    # blank line.
    directive_lines: dict[int, Directive] = {}
    md_lines = lines
    if "parity-lsp" in matrix.text:  # every directive names it: most matrices have none
        md_lines = list(lines)
        for i, line in enumerate(lines):
            # in a blockquote or list item the comment follows the container's markers, which
            # the replacement keeps (without them it would end the container)
            lead = _CONTAINER_PREFIX.match(line)
            cut = lead.end() if lead is not None else 0
            directive = parse_directive(line[cut:])
            if directive is not None:
                directive_lines[i] = directive
                inside = 0 < i < len(lines) - 1 and "|" in lines[i - 1] and "|" in lines[i + 1]
                md_lines[i] = line[:cut] + ("|" if inside else "")
    yield
    # where each line starts in the text markdown-it parses (tables in containers need it)
    env: dict[str, Any] = {}
    if ">" in matrix.text or "\n " in matrix.text or "\n\t" in matrix.text:
        starts = [0] * len(md_lines)
        pos = 0
        for i, line in enumerate(md_lines):
            starts[i] = pos
            pos += len(line) + 1
        env = {"line_starts": starts, "prefixes": {}}
    try:
        tokens = _MD.parse("\n".join(md_lines), env)
    except Exception as exc:  # noqa: BLE001 - markdown-it's bugs too: a PM000 problem, and logged
        _log.warning("markdown-it failed on %s (reported as PM000)", matrix.path, exc_info=True)
        matrix.problems.append(ParseProblem(Span(0, 0), f"Markdown could not be parsed: {exc}"))
        return
    yield

    group: str | None = None
    group_line: int | None = None
    prefixes: dict[int, int] = env.get("prefixes", {})
    for i, tok in enumerate(tokens):
        if not tok.map:
            continue
        if tok.level != 0:
            if tok.type == "table_open":  # in a blockquote or a list item (GitHub renders those)
                start, end = tok.map
                table = yield from _build_table(matrix, lines, start, end, directive_lines, prefixes)
                if table is not None:
                    table.group = group
                    table.group_line = group_line
                    table.suppressed = table.suppressed | _disables_above(lines, start, directive_lines)
                    matrix.tables.append(table)
            continue
        if tok.type == "heading_open":
            if tok.tag != "h1":
                content = tokens[i + 1].content if i + 1 < len(tokens) else ""
                group = content.strip().strip("#").strip() or None
                group_line = tok.map[0]
        elif tok.type == "table_open":
            start, end = tok.map
            table = yield from _build_table(matrix, lines, start, end, directive_lines)
            if table is not None:
                table.group = group
                table.group_line = group_line
                table.suppressed = table.suppressed | _disables_above(lines, start, directive_lines)
                matrix.tables.append(table)
        elif tok.type == "paragraph_open":
            _collect_governing(matrix, lines, tok.map[0], tok.map[1])
    # Governing documents listed as list items after a "governed by" paragraph.
    _collect_governing_lists(matrix, lines)


def _disables_above(lines: list[str], start: int, directives: dict[int, Directive]) -> frozenset[str]:
    """`disable` directives in the blank/comment lines right above a table (a blockquote's
    blank line is a lone `>`)."""
    codes: set[str] = set()
    ln = start - 1
    while ln >= 0 and (ln in directives or not lines[ln].strip(" \t>")):
        if ln in directives and directives[ln][0] == "disable":
            codes |= directives[ln][1]
        ln -= 1
    return frozenset(codes)


def _build_table(
    matrix: Matrix,
    lines: list[str],
    start: int,
    end: int,
    directives: dict[int, Directive],
    prefixes: dict[int, int] | None = None,
) -> Generator[None, None, Table | None]:
    """A generator (yields every ROWS_PER_STEP rows) returning the Table, or None when the
    header is not a matrix header. `prefixes`: for a table in a blockquote or list item, the
    column where the table's text starts on each of its lines."""
    index = matrix.index
    nested = {ln: prefixes[ln] for ln in range(start, end) if ln in prefixes} if prefixes else {}
    col = nested.get(start, 0)
    header_cells = row_cells(lines[start][col:], index.line_start(start) + col)
    names = [c.value for c in header_cells]
    roles = assign_roles(names, matrix.columns)
    if not roles.is_matrix:
        return None
    header_columns = unique_names(names)
    columns: dict[str, int] = {}
    for c, name in zip(header_cells, header_columns, strict=True):
        c.column = name
        columns[name] = c.index
    table = Table(
        header=header_cells,
        rows=[],
        span=Span(index.line_start(start), index.line_end(end - 1)),
        header_line=start,
        columns=columns,
        roles=roles,
        delimiter_line=start + 1,
        path=matrix.path,
        prefixes=nested,
    )
    nothing: frozenset[str] = frozenset()
    next_line_disable = nothing
    table_ref = weakref.ref(table)  # one weak reference shared by the rows
    line_starts = index.line_starts  # lines of a table exist: no clamping needed
    rows = table.rows
    texts: dict[str, str] = {}  # the rows' cell texts, each kept once (`SHARED_TEXT_MAX`)
    for ln in range(start + 2, end):
        if ln in directives:
            kind, codes = directives[ln]
            if kind == "disable-next-line":
                next_line_disable = codes
            elif kind == "disable":
                table.suppressed = table.suppressed | codes
            continue
        line = lines[ln]
        offset = line_starts[ln]
        if nested:
            col = nested.get(ln, 0)
            line, offset = line[col:], offset + col
        rows.append(
            Row(
                row_cells(line, offset, header_columns, texts),
                Span(offset, offset + len(line)),
                ln,
                table_ref,
                next_line_disable,
            )
        )
        next_line_disable = nothing
        if len(rows) % ROWS_PER_STEP == 0:
            yield
    return table


def _collect_governing(matrix: Matrix, lines: list[str], start: int, end: int) -> None:
    for ln in range(start, end):
        line = lines[ln]
        m = _GOVERNED.search(line)
        if not m:
            continue
        _add_governing_paths(matrix, line, ln, m.end())


def _collect_governing_lists(matrix: Matrix, lines: list[str]) -> None:
    """`This template is governed by:` followed by a list of documents."""
    if not _GOVERNED.search(matrix.text):
        return  # one search of the text, not one per line (most matrices say it once or never)
    for ln, line in enumerate(lines):
        if not _GOVERNED.search(line) or not line.rstrip().endswith(":"):
            continue
        nxt = ln + 1
        while nxt < len(lines) and not lines[nxt].strip():
            nxt += 1
        while nxt < len(lines) and _LIST_ITEM.match(lines[nxt]):
            _add_governing_paths(matrix, lines[nxt], nxt, 0)
            nxt += 1


def _add_governing_paths(matrix: Matrix, line: str, ln: int, from_col: int) -> None:
    base = matrix.index.line_start(ln)
    known = {(g.span.start, g.span.end) for g in matrix.governing_docs}
    for m in _GOV_PATH.finditer(line, from_col):
        group = 1 if m.group(1) else 2
        target = m.group(group)
        if "://" in target or target.startswith("#"):
            continue
        s, e = m.span(group)
        span = Span(base + s, base + e)
        if (span.start, span.end) not in known:
            matrix.governing_docs.append(GoverningDoc(path=target, span=span))
