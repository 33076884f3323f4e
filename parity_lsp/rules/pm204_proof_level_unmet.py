"""PM204 proof-level-unmet: the cited tests are below the required proof level."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.model import COL_PROOF
from parity_lsp.roles import SHIPPED
from parity_lsp.rules._gating import CitedTest, gating
from parity_lsp.rules.base import RuleInfo, row_rule
from parity_lsp.rules.context import RowContext, _globs

RULE = RuleInfo(
    code="PM204",
    name="proof-level-unmet",
    severity=Severity.WARNING,
    stage="semantic",
    summary="The cited tests are below the required proof level",
    doc="""\
## What it does
Gives each cited test a proof level from `proof-level-globs` (default: a Rust test under `src/`
is unit, under `tests/` integration; Python `tests/unit` unit, `tests/integration`
integration, `tests/e2e` or a name with `e2e` e2e) and compares the best one with the
Proof Level Required of a shipped row (Implemented; `done`, `✅` ...), unit < integration < e2e
< prod. Tests no glob classifies are not counted either way.

## Why is this bad?
A row that requires an end-to-end proof and cites a unit test claims more than it shows.

## Example
```markdown
| Backfill resume | ... | Implemented | e2e | ... | `crates/core/src/backfill.rs` (`tests::resumes`) | ...
```
""",
)

_SPLIT = re.compile(r"\s*(?:,|\+|/|&|\band\b)\s*")


def level_of_test(ctx: RowContext, path: str, name: str | None) -> str | None:
    """The highest configured level whose globs match the test (None: unclassified)."""
    levels = list(ctx.config.proof_levels)
    globs = ctx.config.proof_level_globs
    for level in reversed(levels):
        if level.lower() == "e2e" and name and "e2e" in name.lower():
            return level
        patterns = tuple(globs.get(level, ()))
        if patterns and _globs(patterns).match_file(path):
            return level
    return None


@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    if not ctx.means(SHIPPED):
        return
    cell = ctx.row.cell(COL_PROOF)
    if cell is None or not cell.value.strip():
        return
    order = ctx.config.memo("PM204 order")  # once per configuration, not a row
    if not order:
        order.update({lvl.lower(): i for i, lvl in enumerate(ctx.config.proof_levels)})
    wanted = [order[p] for p in _SPLIT.split(cell.value.strip().lower()) if p in order]
    if not wanted:
        return  # PM102
    required = max(wanted)
    levels: list[tuple[int, str, CitedTest]] = []
    for t in gating(ctx)[0]:
        level = level_of_test(ctx, t.target.path, t.target.name)
        if level is not None:
            levels.append((order[level.lower()], level, t))
    if not levels:
        return
    best_rank, best, t = max(levels, key=lambda x: x[0])
    if best_rank >= required:
        return
    need = ctx.config.proof_levels[required]
    yield ctx.finding(
        RULE,
        cell.span,
        f"requires {need} proof, but the best cited test ({t.label} in `{t.target.path}`) is {best}",
    )
