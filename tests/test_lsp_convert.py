"""The hand-built wire form of a diagnostic equals lsprotocol's, field for field."""

from pathlib import Path

from parity_lsp.findings import Finding, Related, Severity
from parity_lsp.lsp.convert import Converter, to_json
from parity_lsp.lsp.docs import rule_doc_uri
from parity_lsp.text import LineIndex, Span

TEXT = "| Ticks 🚀 日本 | `src/a.rs:3` |\n| b | c |\n"
OTHER = "fn a() {}\nfn b() {}\n"


def test_wire_form_matches_lsprotocol():
    indexes = {"docs/m.md": LineIndex(TEXT), "src/a.rs": LineIndex(OTHER)}
    for encoding in ("utf-16", "utf-8", "utf-32"):
        conv = Converter(Path("/ws"), encoding, indexes.__getitem__, rule_doc_uri)
        start = TEXT.index("src/a.rs")
        findings = [
            Finding(
                "PM304",
                Severity.WARNING,
                "docs/m.md",
                Span(start, start + 8),
                "drift",
                related=[Related("src/a.rs", 1, 3, "here")],
                tags=("unnecessary",),
            ),
            Finding("PM101", Severity.ERROR, "docs/m.md", Span(0, 1), "status"),
            Finding("PM103", Severity.INFO, "docs/m.md", Span(len(TEXT) - 5, len(TEXT) - 2), "owner"),
        ]
        for f in findings:
            assert conv.diagnostic_wire(f) == to_json(conv.diagnostic(f)), (encoding, f.code)
