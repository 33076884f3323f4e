"""The evidence parser's error boundary: a bug never escapes (parsers never raise), and it is
logged, not swallowed: the cell keeps what was found before it."""

from __future__ import annotations

import logging

from parity_lsp.model import Evidence
from parity_lsp.parse import evidence as evidence_module


def test_a_parser_bug_is_logged_and_the_cell_keeps_what_was_found(monkeypatch, caplog):
    def broken(ev: Evidence, text: str, offset: int, matrix_path: str, column: str | None) -> None:
        ev.missing_marker = True
        raise IndexError("a bug in the parser")

    monkeypatch.setattr(evidence_module, "_parse_into", broken)
    with caplog.at_level(logging.WARNING, logger="parity_lsp.parse.evidence"):
        ev = evidence_module.parse_evidence(
            "`crates/core/src/lib.rs`", 40, "docs/parity/m.md", "evidence (code)"
        )
    assert ev.missing_marker
    assert "offset 40 of docs/parity/m.md could not be parsed" in caplog.text
    assert "IndexError: a bug in the parser" in caplog.text
