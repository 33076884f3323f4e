"""Issue 20 item 6: a bug under the engine's own error boundaries is reported and logged, never
swallowed. A rule that raises is a PM000 finding (the other rules' findings stay) and its
traceback is logged once; a parser that raises gives a PM000 problem and is logged. (A crashing
symbol scanner: tests/test_workspace_failures.py; the CLI's exit 3: tests/test_never_silent.py.)"""

from __future__ import annotations

import logging

import pytest
from lspkit import HEADER

from parity_lsp import engine
from parity_lsp.engine import check_paths, parse_matrix
from parity_lsp.parse import delimited, markdown
from parity_lsp.rules import pm101_unknown_status
from parity_lsp.workspace.index import Workspace

MATRIX = "docs/parity/m.md"
ROWS = "".join(
    f"| Cap {i} | x | Implemeted | unit | `crates/nope.rs` | — | — | @core | |\n" for i in range(3)
)


@pytest.fixture(autouse=True)
def _fresh_log_memory(monkeypatch):
    monkeypatch.setattr(engine, "_logged_rules", set())


def test_a_rule_that_raises_is_pm000_on_each_row_and_logged_once(tmp_path, monkeypatch, caplog):
    (tmp_path / "docs/parity").mkdir(parents=True)
    (tmp_path / MATRIX).write_text(HEADER + ROWS)

    def broken(ctx):
        raise KeyError("rule bug")

    monkeypatch.setattr(pm101_unknown_status.check, "run", broken)  # the registry holds the rule
    with caplog.at_level(logging.WARNING, logger="parity_lsp.engine"):
        findings = check_paths(Workspace(tmp_path), [MATRIX]).findings
    internal = [f for f in findings if f.code == "PM000"]
    assert len(internal) == 3 and all(
        "internal error in rule PM101: KeyError('rule bug')" in f.message for f in internal
    )
    assert [f.code for f in findings].count("PM301") == 3  # the other rules still ran
    (record,) = [r for r in caplog.records if r.name == "parity_lsp.engine"]
    assert record.getMessage() == f"rule PM101 failed on {MATRIX} (reported as PM000)"
    assert record.exc_info is not None and isinstance(record.exc_info[1], KeyError)


@pytest.mark.parametrize(
    ("module", "function", "path", "text"),
    [
        (markdown, "_parse_steps", MATRIX, HEADER + ROWS),
        (delimited, "_parse_into", "docs/parity/m.csv", "Capability,Status,Evidence (Tests)\nA,done,x\n"),
    ],
)
def test_a_parser_that_raises_gives_pm000_and_is_logged(monkeypatch, caplog, module, function, path, text):
    def broken(*args, **kwargs):
        raise IndexError("parser bug")

    monkeypatch.setattr(module, function, broken)
    with caplog.at_level(logging.WARNING, logger="parity_lsp.parse"):
        matrix = parse_matrix(path, text)
    assert matrix.tables == []
    assert [p.message for p in matrix.problems] == ["matrix could not be parsed: parser bug"]
    (record,) = [r for r in caplog.records if r.name == "parity_lsp.parse"]
    assert record.getMessage() == f"{path} could not be parsed (reported as PM000)"
    assert isinstance(record.exc_info and record.exc_info[1], IndexError)
