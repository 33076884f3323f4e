"""PM001 missing-column: the table header lacks a required column."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.config import DEFAULT_REQUIRED_COLUMNS
from parity_lsp.findings import Edit, Finding, Fix, Severity
from parity_lsp.model import Matrix, MatrixFormat, Table, normalize_column
from parity_lsp.rules.base import RuleInfo, table_rule
from parity_lsp.rules.context import TableContext
from parity_lsp.text import Span

RULE = RuleInfo(
    code="PM001",
    name="missing-column",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Header lacks a required column",
    fixable=True,
    doc="""\
## What it does
Checks that every matrix table has the required columns. Names match case-insensitively with
whitespace folded.

- A *template table* (one with `Capability` and `Status` columns and one of the template's own
  columns, or no evidence column of its own) needs the template's nine columns: Capability,
  Arco Feature, Status, Proof Level Required, Evidence (Code), Evidence (Tests), Evidence (CI),
  Owner, Notes.
- `required-columns`, when configured, lists the columns every matrix table needs (template
  tables and the others alike).
- Any other table (a matrix by its roles: a status column and an evidence column,
  docs/spec/matrix.md#matrix-tables) needs
  the roles that made it a matrix, which it has: nothing more is required of it unless
  `required-columns` says so.

## Why is this bad?
Without an evidence or status column, a row's claim cannot be checked at all: the matrix looks
complete while proving nothing.

## Example
```markdown
| Capability | Status | Owner |
```

## Fix
Add the missing columns (empty cells are added to every row).
""",
)


@table_rule(RULE)
def check(ctx: TableContext) -> Iterator[Finding]:
    table = ctx.table
    required = ctx.config.required_columns
    if not table.roles.template and tuple(required) == DEFAULT_REQUIRED_COLUMNS:
        return  # the template's columns are asked of template tables only
    missing = [c for c in required if normalize_column(c) not in table.columns]
    if not missing:
        return
    matrix = ctx.matrix
    header_line = table.header_line
    line_text = matrix.index.line_text(header_line)
    col = table.prefixes.get(header_line, 0)  # after a blockquote's `> ` or a list item's indent
    span = Span(
        matrix.index.line_start(header_line) + col, matrix.index.line_start(header_line) + len(line_text)
    )
    names = ", ".join(f"`{c}`" for c in missing)
    yield ctx.finding(
        RULE,
        span,
        f"table header lacks required column{'s' if len(missing) > 1 else ''} {names}",
        fix=_add_columns_fix(matrix, table, missing),
    )


def _append(matrix: Matrix, line: int, cells: list[str], delim: str) -> Edit:
    idx = matrix.index
    text = idx.line_text(line)
    end = idx.line_start(line) + len(text.rstrip())
    if delim == "|":
        if text.rstrip().endswith("|"):
            piece = " " + " | ".join(cells) + " |"
        else:
            # no closing pipe: add one, or the last new cell would become the closing pipe
            piece = " | " + " | ".join(cells) + " |"
    else:
        piece = "".join(delim + c for c in cells)
    return Edit(matrix.path, Span(end, end), piece)


def _add_columns_fix(matrix: Matrix, table: Table, missing: list[str]) -> Fix | None:
    if matrix.format == MatrixFormat.MARKDOWN:
        delim = "|"
        edits = [_append(matrix, table.header_line, missing, delim)]
        if table.delimiter_line is not None:
            edits.append(_append(matrix, table.delimiter_line, ["---"] * len(missing), delim))
        for row in table.rows:
            edits.append(_append(matrix, row.line, [""] * len(missing), delim))
    else:
        delim = "\t" if matrix.format == MatrixFormat.TSV else ","
        edits = [_append(matrix, table.header_line, missing, delim)]
        for row in table.rows:
            if row.line == matrix.index.line_of(row.span.end):  # single-line records only
                edits.append(_append(matrix, row.line, [""] * len(missing), delim))
            else:
                return None
    return Fix(f"Add column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", tuple(edits))
