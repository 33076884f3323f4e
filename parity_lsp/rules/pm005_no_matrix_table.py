"""PM005 no-matrix-table: a file that should be a matrix holds no matrix table.

Who reports it: the engine, as an error, for a file named on the command line
(`engine.check_paths`: `finding(matrix, Severity.ERROR)`); this module's `check`, at information
level, for a matrix document open in the editor (a file the include globs match, or a Markdown
file with a table that looks like a matrix: `looks_like_matrix`). Files the include globs match
without being named (a charter next to the matrix) are counted by the CLI, never reported here.

`explain` builds the message in one place: which tables and header columns were found, what a
matrix table needs, and which header to rename. (When column roles can be configured or
inferred, it is the one function that names them.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import (
    COL_CAPABILITY,
    COL_STATUS,
    Matrix,
    MatrixFormat,
    normalize_column,
)
from parity_lsp.parse.markdown import row_cells
from parity_lsp.rules.base import RuleInfo
from parity_lsp.rules.context import MatrixContext
from parity_lsp.text import Span
from parity_lsp.workspace.files import compile_globs

RULE = RuleInfo(
    code="PM005",
    name="no-matrix-table",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="A file named as a matrix holds no matrix table",
    scope="matrix",
    doc="""\
## What it does
Reports a file named on the command line (`parity-lsp check docs/parity/m.md`) that holds no
matrix table: no Markdown table, or CSV/TSV header, with a `Capability` and a `Status` column.
The message lists the tables and header columns that were found and what to rename.

In the editor, the same explanation appears at information level on a matrix file you open
(one the `include` globs match, or a Markdown file whose table looks like a matrix: a Status or
Capability column next to an evidence, tests or CI column) when it holds no matrix table.

Files that the `include` globs match but that hold no matrix table (a charter or a plan next to
the matrix) are not errors: `parity-lsp check` counts them in its last line, and says so when
nothing at all was checked (exit status 2).

## Why is this bad?
A file that is not understood must never pass silently: a table whose header says `Feature`
instead of `Capability` is skipped, and a check that skips every table proves nothing.

## Example
```markdown
| Feature | Status | Evidence (Tests) |
|---|---|---|
| Tick keys | Implemented | `tests/test_tick.py` (`test_key`) |
```
`no matrix table: the table at line 1 (`Feature | Status | Evidence (Tests)`) has no
`Capability` column (a matrix table needs a `Capability` and a `Status` column: rename
`Feature` to `Capability`)`

## Fix
Rename the header cells (names match case-insensitively), or, if the file is not a matrix,
leave it out of the `include` globs (or add it to `exclude`).
""",
)

# Header names teams use for what the template calls Capability and Status.
_CAPABILITY_LIKE = (
    "feature",
    "requirement",
    "item",
    "behavior",
    "behaviour",
    "concept",
    "plan heading",
    "functionality",
    "capability name",
    "feature name",
)
_STATUS_LIKE = ("state", "implementation status", "progress", "parity", "parity status", "done")
# Words of a header naming evidence (SPEC 8's evidence roles: tests, CI, proof, evidence).
_EVIDENCE_WORDS = frozenset(
    ("evidence", "test", "tests", "proof", "ci", "workflow", "workflows", "pipeline", "covered")
)
_WORD = re.compile(r"[a-z]+")

# A GFM delimiter row (`|---|:--:|`), indented less than a code block.
_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
MAX_TABLES = 200  # headers looked at (a message names a few; the rest are counted)


@dataclass(frozen=True, slots=True)
class HeaderSeen:
    """A table header found in the text: its line (0-based), span and column names."""

    line: int
    span: Span
    names: tuple[str, ...]

    @property
    def normalized(self) -> frozenset[str]:
        return frozenset(normalize_column(n) for n in self.names)

    def missing(self) -> list[str]:
        have = self.normalized
        return [
            name for col, name in ((COL_CAPABILITY, "Capability"), (COL_STATUS, "Status")) if col not in have
        ]

    def evidence_columns(self) -> int:
        return sum(1 for n in self.normalized if _EVIDENCE_WORDS.intersection(_WORD.findall(n)))

    def score(self) -> int:
        """How much the header looks like a matrix's (the explanation talks about the best)."""
        have = self.normalized
        return (
            2 * (len(self.missing()) < 2)
            + self.evidence_columns()
            + any(n in _CAPABILITY_LIKE or n in _STATUS_LIKE for n in have)
        )


def headers_seen(matrix: Matrix) -> list[HeaderSeen]:
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
                return [HeaderSeen(ln, Span(start, start + len(line)), names)]
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
        out.append(HeaderSeen(ln - 1, Span(start, start + len(header)), tuple(c.value for c in cells)))
        if len(out) >= MAX_TABLES:
            break
    return out


def looks_like_matrix(matrix: Matrix) -> HeaderSeen | None:
    """The first table of a file with no matrix table that looks like a matrix all the same: a
    Capability or Status column next to an evidence, tests or CI column (a Markdown file the
    include globs do not match is then treated as a matrix in the editor, and told why not)."""
    if matrix.tables:
        return None
    for header in headers_seen(matrix):
        if len(header.missing()) < 2 and header.evidence_columns():
            return header
    return None


def _shown(names: tuple[str, ...], limit: int = 100) -> str:
    text = " | ".join(n if len(n) <= 40 else n[:39] + "…" for n in names)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _renames(header: HeaderSeen) -> list[str]:
    out = []
    for missing, like in (("Capability", _CAPABILITY_LIKE), ("Status", _STATUS_LIKE)):
        if missing not in header.missing():
            continue
        found = next((n for n in header.names if normalize_column(n) in like), None)
        if found is not None:
            out.append(f"rename `{found}` to `{missing}`")
    return out


NEEDS = "a matrix table needs a `Capability` and a `Status` column"


def explain(matrix: Matrix, included_by: str | None = None) -> tuple[Span, str]:
    """Where to report that `matrix` holds no matrix table, and the message: the tables and
    header columns found, what a matrix table needs, and which header to rename."""
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
    missing = best.missing()
    lacks = " and no ".join(f"`{m}`" for m in missing)
    if matrix.format == MatrixFormat.MARKDOWN:
        where = f"the table at line {best.line + 1}"
    else:
        where = "the header row"
    message = f"no matrix table: {where} (`{_shown(best.names)}`) has no {lacks} column"
    others = [h for h in headers if h is not best]
    if len(others) == 1:
        message += f"; nor does the other table (line {others[0].line + 1})"
    elif others:
        lines = ", ".join(str(h.line + 1) for h in others[:5]) + (", …" if len(others) > 5 else "")
        message += f"; nor do the {len(others)} other tables (lines {lines})"
    renames = _renames(best)
    advice = f"{NEEDS}: {' and '.join(renames)}" if renames else NEEDS
    return best.span, f"{message}{why} ({advice})"


def finding(matrix: Matrix, severity: Severity = RULE.severity, included_by: str | None = None) -> Finding:
    span, message = explain(matrix, included_by)
    return Finding(RULE.code, severity, matrix.path, span, message)


def check(ctx: MatrixContext) -> Iterator[Finding]:
    """The editor's notice: a matrix document open in the editor that holds no matrix table.
    (The CLI reports the files named on its command line itself, and counts the rest; a CSV/TSV
    parser's "first row is not a matrix header" problem is this rule's, see `engine`.)"""
    matrix = ctx.matrix
    if matrix.tables or not ctx.ws.fs.has_overlay(matrix.path):
        return
    if any(p.code != RULE.code for p in matrix.problems):  # it could not be parsed: PM000 says why
        return
    included_by = next((g for g in ctx.ws.config.include if compile_globs([g]).match_file(matrix.path)), None)
    yield finding(matrix, Severity.INFO, included_by)
