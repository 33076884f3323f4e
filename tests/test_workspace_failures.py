"""Failures inside the workspace layer. A bug in a symbol scanner or in the lookup (issue 20,
item 6): the file's language counts as not understood (word search), never as "nothing
defined", and the failure is logged once. Broken input is an error value, not a logged bug."""

from __future__ import annotations

import logging

import pytest
from rulekit import MATRIX, check, matrix, only, sources, workspace

from parity_lsp.workspace import symbols
from parity_lsp.workspace.ci.workflows import parse_workflow
from parity_lsp.workspace.index import Workspace
from parity_lsp.workspace.symbols import python as python_scanner
from parity_lsp.workspace.symbols import rust as rust_scanner

LOGGER = "parity_lsp.workspace"


def _crash(self: object, *args: object, **kwargs: object) -> list[symbols.Rec]:
    raise IndexError("scanner bug")


def _break(monkeypatch, scanner) -> None:
    """Every way the scanner reads a text fails (Rust's also scans windows of it: `run_window`)."""
    for method in ("run", "run_window"):
        if hasattr(scanner._Scanner, method):
            monkeypatch.setattr(scanner._Scanner, method, _crash)


@pytest.fixture(autouse=True)
def _fresh_log_memory(monkeypatch):
    monkeypatch.setattr(symbols, "_logged", set())


def _logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


@pytest.mark.parametrize(
    ("scanner", "rel", "defined", "missing"),
    [
        (rust_scanner, "src/ledger.rs", "TickLedger::record", "TickLedger::forget"),
        (python_scanner, "py/runs.py", "RunTable.render", "RunTable.paginate"),
    ],
)
def test_a_crashing_scanner_means_not_understood_and_is_logged_once(
    tmp_path, monkeypatch, caplog, scanner, rel, defined, missing
):
    _break(monkeypatch, scanner)
    rows = [
        {"cap": "Defined", "code": f"`{rel}` (`{defined}`)"},
        {"cap": "Missing", "code": f"`{rel}` (`{missing}`)"},
        {"cap": "Again", "code": f"`{rel}` (`{defined}`)", "tests": f"`{rel}` (`{defined}`)"},
    ]
    root = workspace(tmp_path, {**sources(), MATRIX: matrix(rows)})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        diags = check(root, select=["PM303", "PM305"])
    assert not [d for d in diags if "is not defined" in d["message"]]
    found = [d for d in only(diags, "PM303") if d["severity"] == "info"]
    assert len(found) == 2 and all(
        d["message"].startswith(f"`{defined}` found only by word search")
        and d["message"].endswith("this file's language is not understood")
        for d in found
    ), diags
    (absent,) = [d for d in only(diags, "PM303") if d["severity"] == "error"]
    assert absent["message"] == (
        f"symbol `{missing}` does not occur in `{rel}` (language not understood; searched for the word)"
    )
    (record,) = _logged(caplog)  # once for the file, whatever number of rows cite it
    assert rel in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], IndexError)


def test_find_definitions_answers_none_when_the_scanner_fails(monkeypatch, caplog):
    _break(monkeypatch, rust_scanner)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert symbols.find_definitions("src/a.rs", "fn a() {}\n") is None
        assert symbols.find_definitions("src/a.rs", "fn a() {}\n", frozenset({"a"})) is None
        assert symbols.find_definitions("src/b.rs", "fn b() {}\n") is None
    assert [r.getMessage().split(":")[0] for r in _logged(caplog)] == [
        "symbol scanner failed on src/a.rs",
        "symbol scanner failed on src/b.rs",
    ]


def test_a_failing_lookup_means_not_understood_and_is_logged(tmp_path, monkeypatch, caplog):
    (tmp_path / "a.py").write_text("def a():\n    pass\n")
    ws = Workspace(tmp_path)
    assert [d.name for d in ws.source("a.py").lookup("a") or []] == ["a"]

    def broken(defs: object, raw: str) -> list[symbols.Definition]:
        raise KeyError(raw)

    monkeypatch.setattr(symbols, "_lookup", broken)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert symbols.lookup(ws.source("a.py").definitions or [], "b") is None
        assert ws.source("a.py").lookup("b") is None  # not memoized as "not defined"
        assert ws.source("a.py").lookup("b") is None
    (record,) = _logged(caplog)
    assert "'b'" in record.getMessage() and isinstance(record.exc_info and record.exc_info[1], KeyError)


def test_a_workflow_merging_its_own_mapping_is_an_error_not_a_logged_bug(caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        wf = parse_workflow("jobs:\n  test: &job\n    <<: *job\n    runs-on: ubuntu-latest\n", "ci.yml")
    assert wf.error is not None and wf.error.startswith("cannot be understood") and not wf.jobs
    assert _logged(caplog) == []
