"""What every rule module declares.

Invariant: rules judge; they never do IO themselves (they ask their context, which asks the
workspace). Each rule module `pmNNN_name.py` defines `RULE: RuleInfo` and its `check`, declared
with the decorator of its scope — `@row_rule(RULE)`, `@table_rule(RULE)`, `@matrix_rule(RULE)`
or `@workspace_rule(RULE)` — whose type says which context `check` takes: mypy rejects a row
rule whose `check` takes a `MatrixContext` (or reads what only a matrix context has). The
registry (`rules.registry`) finds the module by its name; nothing else lists it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from parity_lsp.findings import Finding, Severity

if TYPE_CHECKING:
    from parity_lsp.rules.context import MatrixContext, RowContext, TableContext, WorkspaceContext

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
    stage: Stage = "semantic"  # a new rule is published with the complete results unless it says


# The context a rule's `check` takes: what one call sees (a row, a table, a matrix, or every
# matrix of the workspace).
Ctx = TypeVar("Ctx")


class Rule(Generic[Ctx]):
    """A rule as the registry holds it: its declaration and its `check` over one context type.
    Made by the scope's decorator (below), never directly; the subclass is the scope. (Plain
    classes, not dataclasses: importing the rules is part of the server's first check; see
    ARCHITECTURE.md "Rules".)"""

    __slots__ = ("info", "run")

    def __init__(self, info: RuleInfo, run: Callable[[Ctx], Iterable[Finding]]) -> None:
        self.info = info
        self.run = run

    def __call__(self, ctx: Ctx) -> Iterable[Finding]:
        return self.run(ctx)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.info.code} {self.info.name})"


class RowRule(Rule["RowContext"]):
    """Checks one row (`RowContext`): the unit of incremental re-checking."""

    __slots__ = ()


class TableRule(Rule["TableContext"]):
    """Checks one matrix table (`TableContext`): its header, its columns."""

    __slots__ = ()


class MatrixRule(Rule["MatrixContext"]):
    """Checks one matrix file (`MatrixContext`): what is true of the file as a whole."""

    __slots__ = ()


class WorkspaceRule(Rule["WorkspaceContext"]):
    """Checks every matrix of the workspace at once (`WorkspaceContext`): what no single file shows."""

    __slots__ = ()


# A rule of any scope: what the registry lists (the engine runs each scope's from its own set).
AnyRule = RowRule | TableRule | MatrixRule | WorkspaceRule

RowCheck = Callable[["RowContext"], Iterable[Finding]]
TableCheck = Callable[["TableContext"], Iterable[Finding]]
MatrixCheck = Callable[["MatrixContext"], Iterable[Finding]]
WorkspaceCheck = Callable[["WorkspaceContext"], Iterable[Finding]]


def row_rule(info: RuleInfo) -> Callable[[RowCheck], RowRule]:
    """`@row_rule(RULE)` over `def check(ctx: RowContext)`: a row-scoped rule."""
    return lambda check: RowRule(info, check)


def table_rule(info: RuleInfo) -> Callable[[TableCheck], TableRule]:
    """`@table_rule(RULE)` over `def check(ctx: TableContext)`: a table-scoped rule."""
    return lambda check: TableRule(info, check)


def matrix_rule(info: RuleInfo) -> Callable[[MatrixCheck], MatrixRule]:
    """`@matrix_rule(RULE)` over `def check(ctx: MatrixContext)`: a matrix-scoped rule."""
    return lambda check: MatrixRule(info, check)


def workspace_rule(info: RuleInfo) -> Callable[[WorkspaceCheck], WorkspaceRule]:
    """`@workspace_rule(RULE)` over `def check(ctx: WorkspaceContext)`: a workspace-scoped rule."""
    return lambda check: WorkspaceRule(info, check)
