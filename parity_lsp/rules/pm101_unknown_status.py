"""PM101 unknown-status: the Status has no meaning in the table's vocabulary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_STATUS, Cell
from parity_lsp.roles import MEANINGS, Vocabulary, fold_status
from parity_lsp.rules._util import SAFE_RATIO, nearest, replace_fix
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM101",
    name="unknown-status",
    severity=Severity.ERROR,
    stage="syntactic",
    summary="Status not in the vocabulary (a status with no meaning)",
    fixable=True,
    doc="""\
## What it does
Checks that the Status cell has a meaning: shipped, partial, planned or exception
(docs/spec/matrix.md#status-meanings).

- A template table (`Capability` and `Status` columns) accepts the `statuses` vocabulary
  (default Implemented, Partial, Designed, Planned, Exception), case and emphasis ignored.
- Any other table accepts the same words and, when no vocabulary is configured, the built-in
  lexicon: done, complete, implemented, shipped, supported, yes, ✅, ✔ (shipped); partial, in
  progress, wip, 🟡, 🚧 (partial); planned, todo, not started, gap, ⬜, ❌ (planned); exception,
  n/a, out of scope, won't do (exception). A cell that starts with a value followed by a space
  or punctuation has its meaning: `✅ (inline only)` is `✅`.
- `[statuses]` in the configuration (`shipped = ["done", "✅"]`, ...) gives a meaning exactly
  the values listed (the other meanings keep their defaults).

## Why is this bad?
Every other rule keys off the status: a word with no meaning ("Implemeted", "Done?") escapes
the proof rules for shipped rows and gets counted as shipped by whoever reads the table.

## Example
```markdown
| Tick keys | ... | Implemeted | ...
```

## Fix
Replace with the nearest status (applied automatically only when the match is near-certain),
or give the word a meaning under `[statuses]`.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    cell = ctx.row.cell(COL_STATUS)
    if cell is None or not cell.value.strip():
        return
    vocabulary = ctx.vocabulary
    if vocabulary.legacy:
        yield from check_vocabulary(ctx, RULE, cell, ctx.config.statuses, "status")
        return
    if vocabulary.match(cell.value) is not None:
        return
    yield _no_meaning(ctx, cell, vocabulary)


def _no_meaning(ctx: RowContext, cell: Cell, vocabulary: Vocabulary) -> Finding:
    """A status with no meaning in a table read by roles: what the table's own words mean, and
    the nearest of them (or of the vocabulary)."""
    value = cell.value.strip()
    used = _table_words(ctx, vocabulary)
    known = "; ".join(
        f"{meaning}: {', '.join(words[:4])}" for meaning in MEANINGS if (words := used.get(meaning))
    )
    if not known:
        known = "; ".join(f"{m}: {', '.join(vocabulary.values_for(m)[:4])}" for m in MEANINGS)
    ours = [w for words in used.values() for w in words]
    choices = ours + [w for w in vocabulary.words if w not in ours]
    near = nearest(value, choices)
    where = (
        f"in {vocabulary.where} [statuses]" if vocabulary.where else "under [statuses] in .parity-lsp.toml"
    )
    msg = f"status `{value}` has no meaning ({known}); give it one {where}"
    fix = None
    if near is not None:
        choice, ratio = near
        msg += f" (did you mean `{choice}`?)"
        fix = replace_fix(
            ctx.matrix.path, cell.span, choice, f"Replace with `{choice}`", safe=ratio >= SAFE_RATIO
        )
    return ctx.finding(RULE, cell.span, msg, fix=fix)


def _table_words(ctx: RowContext, vocabulary: Vocabulary) -> dict[str, list[str]]:
    """meaning -> the status words the row's table uses for it (as written, first use first),
    computed once per table and vocabulary."""
    table = ctx.table
    key = ("table words", id(table), id(vocabulary))
    memo = ctx.resolver.memo
    found: dict[str, list[str]] | None = memo.get(key)
    if found is None or memo.get((key, "table")) is not table:
        found = {}
        seen: set[str] = set()
        for row in table.rows:
            match = vocabulary.match(row.status)
            if match is None or match.meaning is None:
                continue
            word = row.status.strip() if match.exact else match.value  # `✅ (inline only)` is `✅`
            folded = fold_status(word)
            if folded in seen:
                continue
            seen.add(folded)
            found.setdefault(match.meaning, []).append(word)
            if len(seen) > 200:
                break  # a handful of words per table; a longer list is noise
        memo[key] = found
        memo[(key, "table")] = table
    return found


def check_vocabulary(
    ctx: RowContext, rule: RuleInfo, cell: Cell, vocabulary: Sequence[str], what: str
) -> Iterator[Finding]:
    value = cell.value.strip()
    if value.lower() in {v.lower() for v in vocabulary}:
        return
    choices = ", ".join(vocabulary)
    near = nearest(value, vocabulary)
    fix = None
    if near is not None:
        choice, ratio = near
        fix = replace_fix(
            ctx.matrix.path, cell.span, choice, f"Replace with `{choice}`", safe=ratio >= SAFE_RATIO
        )
        msg = f"unknown {what} `{value}`: expected one of {choices} (did you mean `{choice}`?)"
    else:
        msg = f"unknown {what} `{value}`: expected one of {choices}"
    yield ctx.finding(rule, cell.span, msg, fix=fix)
