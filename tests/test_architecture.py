"""Invariants from ARCHITECTURE.md that can be checked mechanically."""

import ast
import re
from pathlib import Path

import pytest

from parity_lsp.engine import ALL_RULES
from parity_lsp.findings import Severity
from parity_lsp.rules import registry
from parity_lsp.rules.base import MatrixRule, RowRule, TableRule, WorkspaceRule

PKG = Path(__file__).resolve().parent.parent / "parity_lsp"
REPO = PKG.parent
SPEC = REPO.parent / "shared" / "SPEC.md"

# the product specification's rule table, as of this writing (also compared with SPEC.md itself when it
# is beside the repo); docs/spec/rules.md is generated from the registry (tests/test_spec_docs.py)
SPEC_CODES = {
    "PM001",
    "PM002",
    "PM003",
    "PM004",
    "PM005",  # section 8, "New codes"
    "PM101",
    "PM102",
    "PM103",
    "PM201",
    "PM202",
    "PM203",
    "PM204",
    "PM205",
    "PM206",
    "PM207",
    "PM301",
    "PM302",
    "PM303",
    "PM304",
    "PM305",
    "PM306",
    "PM307",
    "PM308",
    "PM309",  # section 8, "New codes"
    "PM310",  # section 8, "New codes"
    "PM401",
    "PM402",
    "PM403",
    "PM404",  # section 8, "New codes"
    "PM501",
    "PM601",
}


def modules():
    for path in sorted(PKG.rglob("*.py")):
        yield path.relative_to(PKG).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def imported_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_lsp_package_imports_pygls_and_lsprotocol():
    offenders = [
        (rel, name)
        for rel, tree in modules()
        if not rel.startswith("lsp/")
        for name in imported_names(tree)
        if name.split(".")[0] in ("pygls", "lsprotocol")
    ]
    assert offenders == []


DISK_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "scandir", "listdir", "walk"}
# modules allowed to touch the disk, and why
DISK_ALLOWED = {
    "workspace/fs.py",  # all workspace content
    "workspace/files.py",  # the file list (.gitignore, git ls-files)
    "config.py",  # the configuration file
    "fixer.py",  # writes the user asked for
    "cli.py",  # paths given on the command line
    "rules/gendocs.py",  # developer tool: regenerates the packaged rule pages
    "rules/registry.py",  # lists the rule modules of its own package directory
}


def test_only_the_file_system_layer_touches_the_disk():
    offenders = []
    for rel, tree in modules():
        if rel in DISK_ALLOWED or rel.startswith("lsp/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                fn = node.func
                name = (
                    fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
                )
                # `fs.read_text(...)` / `self.fs.read_text(...)` go through the FileSystem
                through_fs = isinstance(fn, ast.Attribute) and ast.unparse(fn.value).split(".")[-1] == "fs"
                if name in DISK_CALLS and not through_fs:
                    offenders.append(f"{rel}:{node.lineno} {name}()")
    assert offenders == []


@pytest.mark.parametrize("module", registry.RULE_MODULES, ids=lambda m: m.RULE.code)
def test_every_rule_module_declares_itself(module):
    rule = module.RULE
    assert re.fullmatch(r"PM\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert isinstance(rule.severity, Severity)
    assert rule.summary and "## What it does" in rule.doc and "## Why is this bad?" in rule.doc
    # declared with its scope's decorator over its own RULE (the registry refuses otherwise)
    assert isinstance(module.check, RowRule | TableRule | MatrixRule | WorkspaceRule)
    assert module.check.info is rule
    assert module.__name__.split(".")[-1].startswith(rule.code.lower() + "_" + rule.name.replace("-", "_"))


def test_registry_codes_are_unique_and_match_the_spec():
    codes = [m.RULE.code for m in registry.RULE_MODULES]
    assert len(codes) == len(set(codes))
    assert set(codes) == SPEC_CODES
    if SPEC.is_file():
        text = SPEC.read_text(encoding="utf-8")
        table = set(re.findall(r"^\| (PM\d{3}) \|", text, re.M))
        # section 8 names new codes in prose ("New codes: PM005 no-matrix-table (error), ..."):
        # each is in the registry once implemented
        new = set(re.findall(r"\b(PM\d{3})\s+[a-z-]+\s+\(", text.partition("New codes:")[2]))
        assert table <= SPEC_CODES <= table | new


def test_readme_rule_table_matches_the_registry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (PM\d{3}) \| ([a-z-]+) \| (\w+) \|", readme, re.M)
    assert {c: (n, s) for c, n, s in rows} == {c: (r.name, r.severity.label) for c, r in ALL_RULES.items()}


def test_packaged_rule_pages_match_the_rule_docs():
    from parity_lsp.rules.gendocs import DOCS_DIR, page

    for code, rule in ALL_RULES.items():
        path = DOCS_DIR / f"{code}.md"
        assert path.read_text(encoding="utf-8") == page(rule), (
            f"run `python -m parity_lsp.rules.gendocs` ({code})"
        )
