"""PM005 no-matrix-table: a file that should be a matrix holds no matrix table.

Who reports it: the engine, as an error, for a file named on the command line
(`engine.check_paths`: `finding(matrix, Severity.ERROR)`); this module's `check`, at information
level, for a matrix document open in the editor (a file the include globs match, or a Markdown
file with a table that looks like a matrix: `looks_like_matrix`). Files the include globs match
without being named (a charter next to the matrix) are counted by the CLI, never reported here.

`explain` builds the message in one place: which tables were found, the role each column was
given (`roles.assign_roles`, `[columns]` included) and what is missing, with the `[columns]`
line that would supply it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import Matrix, MatrixFormat
from parity_lsp.parse.markdown import row_cells
from parity_lsp.roles import CAPABILITY, FIRST_COLUMN, STATUS, ColumnSpec, TableRoles, assign_roles
from parity_lsp.rules.base import RuleInfo, matrix_rule
from parity_lsp.rules.context import MatrixContext
from parity_lsp.text import Span
from parity_lsp.workspace.files import compile_globs

RULE = RuleInfo(
    code="PM005",
    name="no-matrix-table",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="A file named as a matrix holds no matrix table",
    doc="""\
## What it does
Reports a file named on the command line (`parity-lsp check docs/parity/m.md`) that holds no
matrix table: no Markdown table, or CSV/TSV header, with a status column and at least one
evidence column (code, tests, ci, or a mixed evidence column), nor the template's `Capability`
and `Status` columns. The message lists the tables found, the role each of their columns was
given (inferred from the header, configured in `[columns]`, or the template's) and what is
missing, with the `[columns]` line that would supply it.

In the editor, the same explanation appears at information level on a matrix file you open
(one the `include` globs match, or a Markdown file whose table looks like a matrix: a column
named like a capability next to a status or evidence column) when it holds no matrix table.

Files that the `include` globs match but that hold no matrix table (a charter or a plan next to
the matrix) are not errors: `parity-lsp check` counts them in its last line, and says so when
nothing at all was checked (exit status 2).

## Why is this bad?
A file that is not understood must never pass silently: a table whose status column has no
evidence next to it proves nothing, and a check that skips every table proves nothing.

## Example
```markdown
| Feature | Status | Owner |
|---|---|---|
| Tick keys | done | @sched |
```
`no matrix table: the table at line 1 (`Feature | Status | Owner`) has no evidence column (its
columns: `Feature` capability, `Status` status, `Owner` owner) (a matrix table needs a status
column and an evidence column: for an evidence column, a header naming tests, code, CI or
evidence, or `tests = ["…"]` in [columns])`

## Fix
Add the missing column, name an existing one in `[columns]` (`.parity-lsp.toml`), or, if the
file is not a matrix, leave it out of the `include` globs (or add it to `exclude`).
""",
)


# A GFM delimiter row (`|---|:--:|`), indented less than a code block.
_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
MAX_TABLES = 200  # headers looked at (a message names a few; the rest are counted)


@dataclass(frozen=True, slots=True)
class HeaderSeen:
    """A table header found in the text: its line (0-based), span, column names, and the roles
    they were given (as the parser gives them: `[columns]` included)."""

    line: int
    span: Span
    names: tuple[str, ...]
    roles: TableRoles

    def missing(self) -> list[str]:
        """What keeps it from being a matrix table: `status`, an evidence column."""
        return self.roles.missing()

    def named_capability(self) -> bool:
        """A column is named like a capability (or configured so), not just the first column."""
        i = self.roles.first.get(CAPABILITY)
        return i is not None and self.roles.origin_at(i).how != FIRST_COLUMN

    def score(self) -> int:
        """How much the header looks like a matrix's (the explanation talks about the best)."""
        r = self.roles
        return (
            2 * (STATUS in r.first)
            + 2 * bool(r.evidence_columns)
            + self.named_capability()
            + sum(1 for x in r.by_index if x is not None)
        )


def headers_seen(matrix: Matrix, columns: ColumnSpec | None = None) -> list[HeaderSeen]:
    """The table headers of the text (at most MAX_TABLES): Markdown pipe tables outside code
    fences, or a CSV/TSV file's first row. A plain scan, not the parser: it looks at a file
    the parser found no matrix table in."""
    text, index = matrix.text, matrix.index
    # the lines as the parser counts them (\n, \r\n, lone \r; str.splitlines knows more breaks)
    lines = text.split("\n") if "\r" not in text else [index.line_text(i) for i in range(index.line_count)]
    out: list[HeaderSeen] = []
    if matrix.format != MatrixFormat.MARKDOWN:
        delimiter = "\t" if matrix.format == MatrixFormat.TSV else ","
        for ln, line in enumerate(lines):
            if line.strip() and not line.lstrip().startswith("<!--"):
                names = tuple(c.strip().strip('"').strip() for c in line.split(delimiter))
                start = index.line_start(ln)
                spec = columns if columns is not None else matrix.columns
                return [HeaderSeen(ln, Span(start, start + len(line)), names, assign_roles(names, spec))]
        return []
    fence: str | None = None
    for ln, line in enumerate(lines):
        opened = _FENCE.match(line)
        if opened is not None:
            marker = opened.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None or ln == 0 or not _DELIMITER.match(line) or "-" not in line:
            continue
        header = lines[ln - 1]
        if not header.strip() or ("|" not in line and "|" not in header) or _DELIMITER.match(header):
            continue
        start = index.line_start(ln - 1)
        cells = row_cells(header, start)
        if len(cells) != len(row_cells(line, 0)):
            continue  # GFM: the header and the delimiter row have as many cells
        names = tuple(c.value for c in cells)
        spec = columns if columns is not None else matrix.columns
        out.append(HeaderSeen(ln - 1, Span(start, start + len(header)), names, assign_roles(names, spec)))
        if len(out) >= MAX_TABLES:
            break
    return out


def looks_like_matrix(matrix: Matrix) -> HeaderSeen | None:
    """The first table of a file with no matrix table that looks like a matrix all the same: a
    column named like a capability (`Feature`, `Requirement`, or configured) next to a status or
    an evidence column — a matrix lacking a role (a Markdown file the include globs do not match
    is then treated as a matrix in the editor, and told what is missing)."""
    if matrix.tables:
        return None
    for header in headers_seen(matrix):
        r = header.roles
        if header.named_capability() and (STATUS in r.first or r.evidence_columns):
            return header
    return None


def _shown(names: tuple[str, ...], limit: int = 100) -> str:
    text = " | ".join(n if len(n) <= 40 else n[:39] + "…" for n in names)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_as(header: HeaderSeen, limit: int = 6) -> str:
    """`Feature` capability, `Status` status, `Owner` owner (the columns that have a role)."""
    parts = [
        f"`{name if len(name) <= 40 else name[:39] + '…'}` {role}"
        for name, role in zip(header.names, header.roles.by_index, strict=False)
        if role is not None
    ]
    if not parts:
        return "no column has a role"
    more = f", and {len(parts) - limit} more" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more


def _advice(header: HeaderSeen) -> str:
    """What a matrix table needs, and the `[columns]` line that would give this one it (naming
    a column that has no role, when there is one)."""
    missing = header.missing()
    spare = [n for n, r in zip(header.names, header.roles.by_index, strict=False) if r is None and n.strip()]
    parts = []
    if STATUS in missing:
        name = spare.pop(0) if spare else "…"
        parts.append(
            f'for a status column, a header naming status or state, or `status = "{name}"` in [columns]'
        )
    if len(missing) > (STATUS in missing):
        name = spare.pop(0) if spare else "…"
        parts.append(
            "for an evidence column, a header naming tests, code, CI or evidence, "
            f'or `tests = ["{name}"]` in [columns]'
        )
    return NEEDS + (": " + "; ".join(parts) if parts else "")


NEEDS = "a matrix table needs a status column and an evidence column"


def explain(matrix: Matrix, included_by: str | None = None) -> tuple[Span, str]:
    """Where to report that `matrix` holds no matrix table, and the message: the tables found,
    the role each column was given and what is missing (with the `[columns]` line to add)."""
    headers = headers_seen(matrix)
    why = (
        f" (parity-lsp reads it because it matches the include glob `{included_by}`: if it is not "
        "a matrix, add it to `exclude`)"
        if included_by
        else ""
    )
    if not headers:
        first = matrix.text.split("\n", 1)[0].rstrip("\r")
        if matrix.format == MatrixFormat.MARKDOWN:
            found = f"`{matrix.path}` holds no table"
        else:
            found = f"`{matrix.path}` holds no header row"
        return Span(0, len(first)), f"no matrix table: {found}{why}; {NEEDS}"
    best = max(headers, key=HeaderSeen.score)  # the first of the best
    lacks = " and no ".join("status column" if m == STATUS else "evidence column" for m in best.missing())
    if matrix.format == MatrixFormat.MARKDOWN:
        where = f"the table at line {best.line + 1}"
    else:
        where = "the header row"
    message = (
        f"no matrix table: {where} (`{_shown(best.names)}`) has no {lacks} (its columns: {_read_as(best)})"
    )
    others = [h for h in headers if h is not best]
    if len(others) == 1:
        message += f"; nor does the other table (line {others[0].line + 1})"
    elif others:
        lines = ", ".join(str(h.line + 1) for h in others[:5]) + (", …" if len(others) > 5 else "")
        message += f"; nor do the {len(others)} other tables (lines {lines})"
    return best.span, f"{message}{why} ({_advice(best)})"


def finding(matrix: Matrix, severity: Severity = RULE.severity, included_by: str | None = None) -> Finding:
    span, message = explain(matrix, included_by)
    return Finding(RULE.code, severity, matrix.path, span, message)


@matrix_rule(RULE)
def check(ctx: MatrixContext) -> Iterator[Finding]:
    """The editor's notice: a matrix document open in the editor that holds no matrix table.
    (The CLI reports the files named on its command line itself, and counts the rest; a CSV/TSV
    parser's "first row is not a matrix header" problem is this rule's, see `engine`.)"""
    matrix = ctx.matrix
    if matrix.tables or not ctx.ws.fs.has_overlay(matrix.path):
        return
    if any(p.code != RULE.code for p in matrix.problems):  # it could not be parsed: PM000 says why
        return
    config = ctx.ws.config
    globs = zip(config.include, config.include_patterns, strict=True)
    included_by = next((g for g, p in globs if compile_globs([p]).match_file(matrix.path)), None)
    yield finding(matrix, Severity.INFO, included_by)
