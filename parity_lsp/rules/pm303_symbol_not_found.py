"""PM303 symbol-not-found: a cited symbol is not defined in the cited file."""

from __future__ import annotations

from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules._names import missing_names
from parity_lsp.rules._symbols import missing_symbols
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext

RULE = RuleInfo(
    code="PM303",
    name="symbol-not-found",
    severity=Severity.ERROR,
    stage="semantic",
    summary="Symbol not defined in the cited file, or cited text not in it",
    fixable=True,
    doc="""\
## What it does
For `path (symbol)` in a code column, checks that the file defines the symbol: Rust items,
`Type::method` and struct fields; Python `def`/`class`/`Class.method`; Go `func`, methods and
types; TypeScript/JavaScript functions, classes, methods and `const`s. For other languages a
whole-word search is done and reported as such.

Only an identifier path (`name`, `name()`, `Type::method`, `Class.method`, `a::b::c`) is a
symbol; a Rust use-group `Type::{A, B}` is `Type::A` and `Type::B`. Anything else in a code span
(`sensor_eval:{id}:msg:{n}`, `sha256(cursor)`, an expression, prose) is a *text claim*: the file
must contain it verbatim (whitespace runs folded), else a warning "text `…` not found".

How sure the finding is decides its severity:
- not defined and not written anywhere in the file: error ("symbol `x` is not defined");
  a warning on a planned row (Designed/Planned; `todo`, `⬜` ...: a plan), nothing in a
  "Missing proof: …" segment;
- not defined but written where the row says (anywhere, without a cited line): info, with the
  lines — a binding, a table name, a type defined in another file;
- written in the file but not on the cited line, and defined nowhere else: warning (the line
  drifted); defined in another file and only used here: error (the definition moved).

## Why is this bad?
Symbols are renamed and moved between files; the matrix keeps citing the old place, and the
capability is "implemented" by code that is not there.

## Example
```markdown
| Tick keys | ... | `crates/core/src/tick.rs` (`TickKey::format`) | ...
```

## Fix
Suggested in the editor (never applied by `parity-lsp fix`: another file is a guess): the file
where the symbol is defined now, when that file is unique in the package; similar names in the
file.
""",
)


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    yield from missing_symbols(ctx, RULE, tests_column=False)
    yield from missing_names(ctx, RULE, tests_column=False)
