"""What every rule module declares.

Invariant: rules judge; they never do IO themselves (they ask the `RowContext`/`CheckContext`,
which asks the workspace). Each rule module defines `RULE: RuleInfo` and `check(ctx)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from parity_lsp.findings import Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str  # "PM304"
    name: str  # "line-drift"
    severity: Severity  # default severity
    summary: str  # one line: what it catches
    doc: str  # Markdown: What it does / Why is this bad? / Example / Fix
    fixable: bool = False
    scope: str = "row"  # "row", "table", "matrix" or "workspace": what one check() call sees
