"""The rule table, found rather than listed: every module `pmNNN_name.py` of this package is a
rule (`rules.base`), in code order. Adding a rule is adding its module; nothing lists it again.

Invariant: codes are unique (checked here) and match docs/spec/rules.md (`tests/test_architecture.py`);
each module's `check` is declared with its scope's decorator, so the engine runs each rule on
the context of its scope without asking.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Generic, TypeVar

import parity_lsp.rules
from parity_lsp.rules.base import (
    AnyRule,
    Ctx,
    MatrixRule,
    RowRule,
    Rule,
    RuleInfo,
    Stage,
    TableRule,
    WorkspaceRule,
)

if TYPE_CHECKING:
    from parity_lsp.config import Config
    from parity_lsp.rules.context import MatrixContext, RowContext, TableContext, WorkspaceContext

RULE_MODULE_FILE = re.compile(
    r"pm\d{3}_\w+\.py"
)  # `pm304_line_drift.py`; `_util.py`, `base.py`... are not rules

R = TypeVar("R", RowRule, TableRule, MatrixRule, WorkspaceRule)


class RuleModuleError(TypeError):
    """A rule module that does not declare itself as `rules.base` says, or a code declared
    twice: a developer's error, raised on import so that it cannot ship."""


class RuleSet(Generic[Ctx]):
    """The rules of one scope, in code order. (Plain classes, as `rules.base.Rule`.)"""

    __slots__ = ("memo", "rules")

    def __init__(self, rules: tuple[Rule[Ctx], ...], memo: str) -> None:
        self.rules = rules
        self.memo = memo  # the name of the configuration memo (`Config.memo`) of its enabled rules

    def enabled(self, config: Config, stage: Stage | None = None) -> tuple[Rule[Ctx], ...]:
        """The rules a configuration enables (of `stage`; None: both), in code order: asked for
        every row, answered once per configuration (configurations never change once built)."""
        memo = config.memo(self.memo)
        key = stage or ""
        found: tuple[Rule[Ctx], ...] | None = memo.get(key)
        if found is None:
            found = memo[key] = tuple(
                r
                for r in self.rules
                if config.is_enabled(r.info.code) and (stage is None or r.info.stage == stage)
            )
        return found


class Registry:
    """The rules of a package, one typed set per scope."""

    __slots__ = ("matrix", "modules", "row", "rules", "table", "workspace")

    def __init__(self, package: str, modules: tuple[ModuleType, ...], rules: tuple[AnyRule, ...]) -> None:
        def of(kind: type[R]) -> tuple[R, ...]:
            return tuple(r for r in rules if isinstance(r, kind))

        self.modules = modules  # in code order
        self.rules = rules  # in code order
        self.row: RuleSet[RowContext] = RuleSet(of(RowRule), f"enabled rules {package}: row")
        self.table: RuleSet[TableContext] = RuleSet(of(TableRule), f"enabled rules {package}: table")
        self.matrix: RuleSet[MatrixContext] = RuleSet(of(MatrixRule), f"enabled rules {package}: matrix")
        self.workspace: RuleSet[WorkspaceContext] = RuleSet(
            of(WorkspaceRule), f"enabled rules {package}: workspace"
        )


def rule_module_names(path: Iterable[str]) -> list[str]:
    """The names of the rule modules in a package's directories (its `__path__`), sorted: a
    listing of the directory (the package is installed as files), which costs less than
    `pkgutil.iter_modules` (ARCHITECTURE.md "Rules")."""
    return sorted(
        name[:-3] for directory in path for name in os.listdir(directory) if RULE_MODULE_FILE.fullmatch(name)
    )


def discover(package: str, path: Iterable[str]) -> Registry:
    """Import the rule modules of `package` (whose `__path__` is `path`), each rule in the set
    of its scope. Raises `RuleModuleError` for a module that does not declare its rule."""
    found: list[tuple[str, ModuleType, AnyRule]] = []
    for name in rule_module_names(path):
        module = importlib.import_module(f"{package}.{name}")
        rule = getattr(module, "check", None)
        if not isinstance(rule, AnyRule):
            raise RuleModuleError(
                f"{module.__name__}: declare `RULE = RuleInfo(...)` and its `check` with its scope's "
                "decorator (`@row_rule(RULE)`, `@table_rule(RULE)`, `@matrix_rule(RULE)` or "
                "`@workspace_rule(RULE)` from `parity_lsp.rules.base`)"
            )
        if getattr(module, "RULE", None) is not rule.info:
            raise RuleModuleError(f"{module.__name__}: `check` is declared with a RuleInfo other than `RULE`")
        found.append((rule.info.code, module, rule))
    found.sort(key=lambda item: item[0])
    codes = [code for code, _, _ in found]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise RuleModuleError(f"{package}: codes declared by more than one rule module: {', '.join(twice)}")
    return Registry(package, tuple(module for _, module, _ in found), tuple(rule for _, _, rule in found))


REGISTRY = discover(parity_lsp.rules.__name__, parity_lsp.rules.__path__)

RULE_MODULES: tuple[ModuleType, ...] = REGISTRY.modules
RULES: dict[str, RuleInfo] = {r.info.code: r.info for r in REGISTRY.rules}
