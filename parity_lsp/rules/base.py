"""What every rule module declares.

Invariant: rules judge; they never do IO themselves (they ask the `RowContext`/`CheckContext`,
which asks the workspace). Each rule module defines `RULE: RuleInfo` and `check(ctx)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from parity_lsp.findings import Finding, Severity

# What one check() call sees: a row, a table, a matrix or every matrix of the workspace.
Scope = Literal["row", "table", "matrix", "workspace"]

# When the editor shows a rule's findings (`engine`: staged diagnostics, as TypeScript's server
# publishes syntactic diagnostics before semantic ones). "syntactic": what the matrix text, a
# stat of each cited path and the cited workflow's job list tell — structure, vocabulary, paths
# and workflows or jobs that do not exist: the first publish. "semantic": what needs the cited
# files' contents (symbols, line drift, tests), CI verdicts, proof levels or git: published when
# computed. The CLI runs both at once; the editor's final diagnostics are the same findings.
Stage = Literal["syntactic", "semantic"]
STAGES: tuple[Stage, ...] = ("syntactic", "semantic")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str  # "PM304"
    name: str  # "line-drift"
    severity: Severity  # default severity
    summary: str  # one line: what it catches
    doc: str  # Markdown: What it does / Why is this bad? / Example / Fix
    fixable: bool = False
    scope: Scope = "row"
    stage: Stage = "semantic"  # a new rule is published with the complete results unless it says


class RuleModule(Protocol):
    """A rule module, as the registry holds it."""

    RULE: RuleInfo

    @property
    def check(self) -> Callable[..., Iterable[Finding]]:
        """`check(ctx)` takes the context class of the rule's scope (`rules.context`), which the
        engine picks by `RULE.scope`: one callable type cannot say which."""
        ...
