"""Code actions for a matrix document: quick fixes, "fix all" and refactors.

Invariant: pure over the matrix model and the findings the engine already computed (the fix
edits travel with the findings, ruff's way: nothing is re-derived here); no IO, no LSP types.
An `Action` names the findings it fixes by their index in the finding list it was given, so a
front end can bind each quick fix to the diagnostic it published for that index.

- quick fixes: the fix and the alternatives of every finding overlapping the range (safe fixes
  are preferred);
- fix all (`source.fixAll.parityLsp`): every safe fix of the file, combined with the conflict
  rule of `parity-lsp fix` (`fixer.plan_fixes`: earlier fixes win, overlapping ones are left out);
- refactors (`refactor.rewrite`): "Downgrade to Partial" on Implemented rows (PM201/PM202 rows
  included), "Add missing columns" on a table with PM001, "Insert row from template" after the
  cursor's row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parity_lsp.config import DEFAULT_STATUSES, Config
from parity_lsp.findings import Edit, Finding, Fix
from parity_lsp.fixer import plan_fixes
from parity_lsp.model import (
    COL_CAPABILITY,
    COL_OWNER,
    COL_PROOF,
    COL_STATUS,
    Matrix,
    MatrixFormat,
    Row,
    Table,
)
from parity_lsp.roles import PLANNED, SHIPPED, Vocabulary
from parity_lsp.rules._util import downgrade_fix
from parity_lsp.text import Span

QUICKFIX = "quickfix"
FIX_ALL = "source.fixAll.parityLsp"
REFACTOR = "refactor.rewrite"
KINDS = (QUICKFIX, FIX_ALL, REFACTOR)

DOWNGRADE_CODES = ("PM201", "PM202")
TEMPLATE_CAPABILITY = "New capability"
TEMPLATE_STATUS = "Planned"
TEMPLATE_PROOF = "unit"
TEMPLATE_OWNER = "TBD"


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    kind: str  # QUICKFIX, FIX_ALL or REFACTOR
    edits: tuple[Edit, ...]
    preferred: bool = False
    findings: tuple[int, ...] = ()  # indexes into the finding list of the findings it fixes


def code_actions(
    matrix: Matrix,
    findings: Sequence[Finding],
    span: Span,
    *,
    only: Iterable[str] | None = None,
    extra: Iterable[int] = (),
    statuses: Sequence[str] = (),
    proof_levels: Sequence[str] = (),
    config: Config | None = None,
) -> list[Action]:
    """Every action for `span` of `matrix`: quick fixes, then fix all, then refactors.

    `findings` is the finding list of the document (the one the published diagnostics index);
    `extra` adds findings by index (the diagnostics a client sent in its request context);
    `only` restricts to kinds, hierarchically (`source.fixAll` matches `source.fixAll.parityLsp`).
    `statuses`/`proof_levels` are the configured vocabularies (for the template row);
    `config` (default: one with those `statuses`) gives each table's status vocabulary (what is
    shipped, which word is partial or planned in a table with its own words).
    """
    if config is None:
        config = Config(statuses=tuple(statuses) or DEFAULT_STATUSES)
    wanted = list(only) if only is not None else None
    actions: list[Action] = []
    if _wanted(QUICKFIX, wanted):
        actions += quick_fixes(findings, span, extra)
    if _wanted(FIX_ALL, wanted):
        action = fix_all(matrix, findings)
        if action is not None:
            actions.append(action)
    if _wanted(REFACTOR, wanted):
        offered = {a.edits for a in actions if a.kind == QUICKFIX}
        for action in refactors(
            matrix, findings, span, statuses=statuses, proof_levels=proof_levels, config=config
        ):
            if action.edits not in offered:  # the same edit is already on the menu as a quick fix
                actions.append(action)
    return actions


def _wanted(kind: str, only: list[str] | None) -> bool:
    if only is None:
        return True
    return any(o == "" or kind == o or kind.startswith(o + ".") for o in only)


def overlaps(a: Span, b: Span) -> bool:
    """Inclusive overlap: a cursor touching either end of a span is on it."""
    return a.start <= b.end and b.start <= a.end


# --- quick fixes ---------------------------------------------------------------------------


def quick_fixes(findings: Sequence[Finding], span: Span, extra: Iterable[int] = ()) -> list[Action]:
    """The fix and alternatives of each finding overlapping `span` (or listed in `extra`), best
    first: safe fixes, then those of the narrowest finding (a misspelt test name under the
    cursor before the "Downgrade to Partial" of the row's PM201 around it), each finding's own
    order kept."""
    chosen = {i for i, f in enumerate(findings) if overlaps(f.span, span)}
    chosen |= {i for i in extra if 0 <= i < len(findings)}
    ranked: list[tuple[tuple[bool, int, int, int], Action]] = []
    seen: set[tuple[int, tuple[Edit, ...]]] = set()
    for i in sorted(chosen):
        f = findings[i]
        for n, fix in enumerate(_fixes_of(f)):
            key = (i, fix.edits)
            if key in seen:
                continue
            seen.add(key)
            action = Action(fix.message, QUICKFIX, fix.edits, preferred=fix.safe, findings=(i,))
            ranked.append(((not fix.safe, f.span.end - f.span.start, i, n), action))
    ranked.sort(key=lambda pair: pair[0])
    return [action for _, action in ranked]


def _fixes_of(f: Finding) -> list[Fix]:
    suggestion = f.suggestion()  # an editor's menu is where a deferred suggestion is wanted
    fixes = [suggestion] if suggestion is not None else []
    fixes += list(f.alternatives)
    return [fx for fx in fixes if fx.edits]


# --- fix all -------------------------------------------------------------------------------


def fix_all(matrix: Matrix, findings: Sequence[Finding]) -> Action | None:
    """All safe fixes of the file in one edit, as `parity-lsp fix` would apply them."""
    fixes = [fix for fix in (f.safe_fix() for f in findings) if fix is not None and fix.edits]
    if not fixes:
        return None
    plan = plan_fixes({matrix.path: matrix.text}, fixes).get(matrix.path)
    if plan is None or not plan.applied:
        return None
    applied = set(map(id, plan.applied))
    edits = tuple(e for fix in plan.applied for e in fix.edits)
    indexes = tuple(i for i, f in enumerate(findings) if f.fix is not None and id(f.fix) in applied)
    n = len(plan.applied)
    title = f"Fix all safe problems ({n} fix{'es' if n != 1 else ''})"
    return Action(title, FIX_ALL, edits, preferred=False, findings=indexes)


# --- refactors -----------------------------------------------------------------------------


def refactors(
    matrix: Matrix,
    findings: Sequence[Finding],
    span: Span,
    *,
    statuses: Sequence[str] = (),
    proof_levels: Sequence[str] = (),
    config: Config | None = None,
) -> list[Action]:
    config = config or Config(statuses=tuple(statuses) or DEFAULT_STATUSES)
    out: list[Action] = []
    downgrade = downgrade_rows(matrix, findings, span, config)
    if downgrade is not None:
        out.append(downgrade)
    for table in _tables_at(matrix, span):
        add = add_missing_columns(table, findings)
        if add is not None:
            out.append(add)
    insert = insert_row(matrix, span, statuses=statuses, proof_levels=proof_levels, config=config)
    if insert is not None:
        out.append(insert)
    return out


def _tables_at(matrix: Matrix, span: Span) -> list[Table]:
    return [t for t in matrix.tables if overlaps(t.span, span)]


def _rows_at(matrix: Matrix, span: Span) -> list[Row]:
    return [r for t in _tables_at(matrix, span) for r in t.rows if overlaps(r.span, span)]


def _vocabulary(config: Config, row: Row) -> Vocabulary:
    table = row.table
    return config.vocabulary(table is not None and table.roles.template)


def _is_implemented(row: Row, findings: Sequence[Finding], vocabulary: Vocabulary) -> bool:
    if not vocabulary.legacy:
        return vocabulary.meaning(row.status) == SHIPPED
    # "Implemented", "**Implemented**", "✅ Implemented" — but not "Not implemented"
    if re.sub(r"[^a-z ]", "", row.status.lower()).strip() == "implemented":
        return True
    return any(f.code in DOWNGRADE_CODES and overlaps(f.span, row.span) for f in findings)


def downgrade_rows(
    matrix: Matrix, findings: Sequence[Finding], span: Span, config: Config | None = None
) -> Action | None:
    """ "Downgrade to Partial" for the shipped rows the range touches (Implemented in the
    template; `done` → the table's partial word elsewhere)."""
    config = config or Config()
    fixes = []
    indexes: list[int] = []
    for row in _rows_at(matrix, span):
        vocabulary = _vocabulary(config, row)
        if not _is_implemented(row, findings, vocabulary):
            continue
        fix = downgrade_fix(matrix.path, row, vocabulary)
        if fix is None or not fix.edits:
            continue
        fixes.append(fix)
        indexes += [
            i for i, f in enumerate(findings) if f.code in DOWNGRADE_CODES and overlaps(f.span, row.span)
        ]
    if not fixes:
        return None
    if len(fixes) == 1:
        title = fixes[0].message
    else:
        words = {fx.message for fx in fixes}
        title = (
            f"Downgrade {len(fixes)} rows to Partial"
            if words == {"Downgrade to Partial"}
            else (f"Downgrade {len(fixes)} rows to partial")
        )
    return Action(title, REFACTOR, tuple(e for fx in fixes for e in fx.edits), findings=tuple(indexes))


def add_missing_columns(table: Table, findings: Sequence[Finding]) -> Action | None:
    """The PM001 fix of `table` (header, delimiter and every row get the missing columns)."""
    for i, f in enumerate(findings):
        if f.code == "PM001" and f.fix is not None and f.fix.edits and overlaps(f.span, table.span):
            return Action("Add missing columns", REFACTOR, f.fix.edits, findings=(i,))
    return None


def insert_row(
    matrix: Matrix,
    span: Span,
    *,
    statuses: Sequence[str] = (),
    proof_levels: Sequence[str] = (),
    config: Config | None = None,
) -> Action | None:
    """A template row (`| New capability | | Planned | unit | | | | TBD | |` shaped to the
    table's header) inserted after the cursor's row, or first when the cursor is on the header."""
    tables = _tables_at(matrix, span)
    if not tables:
        return None
    table = tables[0]
    rows = [r for r in table.rows if overlaps(r.span, span)]
    idx = matrix.index
    if rows:
        after_line = idx.line_of(rows[-1].span.end)
        style_line = rows[-1].line
    else:
        after_line = table.delimiter_line if table.delimiter_line is not None else table.header_line
        style_line = table.rows[0].line if table.rows else table.header_line
    values = [
        _template_value(table.roles.role_at(cell.index), statuses, proof_levels) for cell in table.header
    ]
    status_at = table.role_index.get(COL_STATUS)
    if not table.roles.template and config is not None and status_at is not None:
        # the table's own word for "planned" (as its rows write it), else the vocabulary's
        vocabulary = config.vocabulary(False)
        words = [r.status.strip() for r in table.rows if vocabulary.meaning(r.status) == PLANNED]
        values[status_at] = words[0] if words else (vocabulary.values_for(PLANNED) or [TEMPLATE_STATUS])[0]
    # a table in a blockquote or list item: the new row gets a body row's `> ` or indentation
    # (the header line of a list item also holds the item's marker)
    prefix_line = style_line if style_line != table.header_line else (table.delimiter_line or style_line)
    prefix = idx.line_text(prefix_line)[: table.prefixes.get(prefix_line, 0)]
    style = idx.line_text(style_line)[table.prefixes.get(style_line, 0) :]
    line = prefix + _format_row(matrix, style, values)
    at = idx.line_end(after_line)
    edit = Edit(matrix.path, Span(at, at), _newline(matrix, after_line) + line)
    return Action("Insert row from template", REFACTOR, (edit,))


def _template_value(role: str | None, statuses: Sequence[str], proof_levels: Sequence[str]) -> str:
    column = role
    if column == COL_CAPABILITY:
        return TEMPLATE_CAPABILITY
    if column == COL_STATUS:
        if not statuses or any(s.lower() == TEMPLATE_STATUS.lower() for s in statuses):
            return TEMPLATE_STATUS
        return statuses[-1]
    if column == COL_PROOF:
        return proof_levels[0] if proof_levels else TEMPLATE_PROOF
    if column == COL_OWNER:
        return TEMPLATE_OWNER
    return ""


def _format_row(matrix: Matrix, style: str, values: list[str]) -> str:
    if matrix.format == MatrixFormat.CSV:
        return ",".join(values)
    if matrix.format == MatrixFormat.TSV:
        return "\t".join(values)
    # mimic the table's style: indentation, and whether rows have outer pipes
    indent = style[: len(style) - len(style.lstrip())]
    body = style.strip()
    lead = body.startswith("|") or not values or not values[0]  # an empty first cell needs the pipe
    trail = body.endswith("|") and not body.endswith("\\|")
    text = "|".join(f" {v} " if v else " " for v in values)
    text = "|" + text if lead else text[1:]
    # without a closing pipe an empty last cell would vanish (and a pipe-less row needs one)
    if trail or not lead or not values or not values[-1]:
        return indent + text + "|"
    return indent + text.rstrip()


def _newline(matrix: Matrix, line: int) -> str:
    """The line break the file uses after `line` (its dominant one at the end of the file)."""
    text = matrix.text
    end = matrix.index.line_end(line)
    if text.startswith("\r\n", end):
        return "\r\n"
    if text.startswith("\n", end) or text.startswith("\r", end):
        return text[end]
    if "\r\n" in text:
        return "\r\n"
    return "\n"
