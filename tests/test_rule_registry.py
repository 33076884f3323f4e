"""The rule registry (issue 20 item 8): rules are found by module name, one typed set per scope.

Adding a rule is adding one module `pmNNN_name.py` that declares `RULE` and its `check` with its
scope's decorator; nothing else lists it. These tests drop rule modules into a package of their
own, as a newcomer would into `parity_lsp/rules/`, and run the real engine with them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rulekit import MATRIX, matrix, workspace

from parity_lsp import engine
from parity_lsp.config import Config
from parity_lsp.rules import registry
from parity_lsp.rules.base import MatrixRule, RowRule, TableRule, WorkspaceRule
from parity_lsp.workspace.index import Workspace

REPO = Path(__file__).resolve().parent.parent
RULES_DIR = REPO / "parity_lsp" / "rules"

HEAD = """\
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules.base import RuleInfo, matrix_rule, row_rule, table_rule, workspace_rule
from parity_lsp.rules.context import MatrixContext, RowContext, TableContext, WorkspaceContext
"""


def info(code: str, name: str) -> str:
    return (
        f'RULE = RuleInfo(code="{code}", name="{name}", severity=Severity.WARNING, '
        f'summary="test rule", doc="## What it does\\nTests.\\n\\n## Why is this bad?\\nIt is not.\\n")\n'
    )


# One rule per scope, each reporting what only its own context has.
ROW = (
    HEAD
    + info("PM901", "row-seen")
    + """
@row_rule(RULE)
def check(ctx: RowContext) -> Iterator[Finding]:
    yield ctx.finding(RULE, ctx.row.span, f"row {ctx.row.capability}")
"""
)
TABLE = (
    HEAD
    + info("PM902", "table-seen")
    + """
@table_rule(RULE)
def check(ctx: TableContext) -> Iterator[Finding]:
    yield ctx.finding(RULE, ctx.table.span, f"table of {len(ctx.table.rows)} rows")
"""
)
MATRIX_RULE = (
    HEAD
    + info("PM903", "matrix-seen")
    + """
@matrix_rule(RULE)
def check(ctx: MatrixContext) -> Iterator[Finding]:
    yield ctx.finding(RULE, ctx.matrix.tables[0].span, f"matrix of {len(ctx.matrix.tables)} tables")
"""
)
WORKSPACE = (
    HEAD
    + info("PM904", "workspace-seen")
    + """
@workspace_rule(RULE)
def check(ctx: WorkspaceContext) -> Iterator[Finding]:
    for m in ctx.matrices:
        yield ctx.finding(RULE, m, m.tables[0].span, f"workspace of {len(ctx.matrices)} matrices")
"""
)


@pytest.fixture
def package(tmp_path, monkeypatch):
    """An empty package `extra_rules_<n>` on sys.path: write rule modules into it, then
    `registry.discover` it."""
    name = f"extra_rules_{abs(hash(str(tmp_path))) % 10**8}"
    root = tmp_path / "pkgs"
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    yield name, root / name
    for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[mod]


def discover(package: tuple[str, Path], files: dict[str, str]) -> registry.Registry:
    name, directory = package
    for file, text in files.items():
        (directory / file).write_text(text, encoding="utf-8")
    return registry.discover(name, [str(directory)])


def test_a_rule_module_dropped_into_the_package_is_found_and_run_on_the_context_of_its_scope(
    package, tmp_path, monkeypatch
):
    helpers = {
        "_helpers.py": "raise AssertionError('a helper is not a rule')\n",
        "notes.py": "raise AssertionError('not a rule module name')\n",
        "pm9_short.py": "raise AssertionError('not a rule module name')\n",
    }
    found = discover(
        package,
        {
            "pm904_workspace_seen.py": WORKSPACE,
            "pm902_table_seen.py": TABLE,
            "pm901_row_seen.py": ROW,
            "pm903_matrix_seen.py": MATRIX_RULE,
            **helpers,
        },
    )
    assert [m.RULE.code for m in found.modules] == ["PM901", "PM902", "PM903", "PM904"]
    assert [type(r) for r in found.rules] == [RowRule, TableRule, MatrixRule, WorkspaceRule]
    assert [r.info.code for r in found.row.rules] == ["PM901"]
    assert [r.info.code for r in found.table.rules] == ["PM902"]
    assert [r.info.code for r in found.matrix.rules] == ["PM903"]
    assert [r.info.code for r in found.workspace.rules] == ["PM904"]

    # the engine runs each on its own context (and applies the configuration's selection)
    root = workspace(tmp_path / "ws", {MATRIX: matrix([{"cap": "Alpha"}, {"cap": "Beta"}])})
    monkeypatch.setattr(engine, "REGISTRY", found)
    result = engine.check_paths(Workspace(root, Config(select=("PM9",))))
    assert sorted((f.code, f.message) for f in result.findings) == [
        ("PM901", "row Alpha"),
        ("PM901", "row Beta"),
        ("PM902", "table of 2 rows"),
        ("PM903", "matrix of 1 tables"),
        ("PM904", "workspace of 1 matrices"),
    ]
    without = engine.check_paths(Workspace(root, Config(select=("PM9",), ignore=("PM901", "PM903"))))
    assert sorted(f.code for f in without.findings) == ["PM902", "PM904"]


def test_a_rule_module_whose_check_is_not_declared_with_a_scope_is_refused_by_name(package):
    undeclared = (
        HEAD
        + info("PM905", "plain-check")
        + "\ndef check(ctx: RowContext) -> Iterator[Finding]:\n    yield from ()\n"
    )
    with pytest.raises(registry.RuleModuleError, match=r"pm905_plain_check: .*@row_rule\(RULE\)"):
        discover(package, {"pm905_plain_check.py": undeclared})


def test_a_check_declared_with_another_modules_rule_is_refused(package):
    other = (
        HEAD
        + info("PM906", "other").replace("RULE =", "OTHER =")
        + ROW.removeprefix(HEAD).replace("@row_rule(RULE)", "@row_rule(OTHER)")
    )
    with pytest.raises(
        registry.RuleModuleError, match=r"pm901_row_seen: `check` is declared with a RuleInfo other"
    ):
        discover(package, {"pm901_row_seen.py": other})


def test_a_code_declared_by_two_modules_is_refused(package):
    with pytest.raises(registry.RuleModuleError, match=r"codes declared by more than one rule module: PM901"):
        discover(package, {"pm901_row_seen.py": ROW, "pm907_row_seen_again.py": ROW})


def test_the_registry_holds_every_rule_file_of_the_package_once_in_code_order():
    files = sorted(p.stem for p in RULES_DIR.glob("pm*.py"))
    assert [m.__name__.rpartition(".")[2] for m in registry.RULE_MODULES] == files
    codes = [r.info.code for r in registry.REGISTRY.rules]
    assert codes == sorted(set(codes)) == sorted(registry.RULES)
    by_scope = [
        registry.REGISTRY.row.rules,
        registry.REGISTRY.table.rules,
        registry.REGISTRY.matrix.rules,
        registry.REGISTRY.workspace.rules,
    ]
    assert sorted(r.info.code for rules in by_scope for r in rules) == codes
    for rules in by_scope:
        assert [r.info.code for r in rules] == sorted(r.info.code for r in rules)
    # every code is documented: `parity-lsp rule CODE` prints its doc
    for module in registry.RULE_MODULES:
        assert "## What it does" in module.RULE.doc and "## Why is this bad?" in module.RULE.doc


BAD_RULES = """\
from collections.abc import Iterator

from parity_lsp.findings import Finding, Severity
from parity_lsp.rules.base import RuleInfo, matrix_rule, row_rule
from parity_lsp.rules.context import MatrixContext, RowContext

RULE = RuleInfo(code="PM999", name="typed", severity=Severity.ERROR, summary="s", doc="d")


@row_rule(RULE)
def good(ctx: RowContext) -> Iterator[Finding]:
    yield ctx.finding(RULE, ctx.row.span, ctx.status)


@row_rule(RULE)
def wrong_scope(ctx: MatrixContext) -> Iterator[Finding]:
    yield from ()


@row_rule(RULE)
def reads_the_matrix_s(ctx: RowContext) -> Iterator[Finding]:
    if ctx.matrices:
        yield from ()


@matrix_rule(RULE)
def reads_the_row_s(ctx: MatrixContext) -> Iterator[Finding]:
    yield ctx.finding(RULE, ctx.row.span, "x")
"""


def test_mypy_rejects_a_rule_whose_check_does_not_take_its_scopes_context(tmp_path):
    pytest.importorskip("mypy")
    (tmp_path / "typed_rules.py").write_text(BAD_RULES, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "typed_rules.py"],
        cwd=tmp_path,
        env={"MYPYPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = re.findall(r"^typed_rules\.py:(\d+): error: (.*)$", done.stdout, re.M)
    lines = BAD_RULES.splitlines()
    assert [(lines[int(n) - 1].strip(), msg.rpartition("  [")[2]) for n, msg in errors] == [
        ("@row_rule(RULE)", "arg-type]"),  # wrong_scope
        ("if ctx.matrices:", "attr-defined]"),
        ('yield ctx.finding(RULE, ctx.row.span, "x")', "attr-defined]"),
    ], done.stdout
