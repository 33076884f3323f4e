"""Language server, end to end: document and range formatting of matrix tables."""

import pytest
from lspkit import open_doc, session, uri, write_tree
from lsprotocol import types

OPTIONS = types.FormattingOptions(tab_size=4, insert_spaces=True)

MATRIX = (
    "## Scheduling\n"  # 0
    "\n"  # 1
    "| Capability | Status | Evidence (Code) | Owner |\n"  # 2
    "|---|:-:|---|---|\n"  # 3
    "| Ticks 🚀 日本 | Implemented | `a \\| b` | @sched |\n"  # 4
    "| Backfill | Planned | — | @b |\n"  # 5
    "| broken | row |\n"  # 6
    "\n"  # 7
    "## Sensors\n"  # 8
    "\n"  # 9
    "Capability | Status\n"  # 10
    "---|---\n"  # 11
    "Cursor | Partial\n"  # 12
)
FORMATTED_FIRST = [
    "| Capability    |   Status    | Evidence (Code) | Owner  |",
    "| ------------- | :---------: | --------------- | ------ |",
    "| Ticks 🚀 日本 | Implemented | `a \\| b`        | @sched |",
    "| Backfill      |   Planned   | —               | @b     |",
]
FORMATTED_SECOND = [
    "Capability | Status",
    "---------- | -------",
    "Cursor     | Partial",
]


@pytest.fixture
def root(tmp_path):
    return write_tree(
        tmp_path, {"docs/parity/m.md": MATRIX, "docs/parity/m.csv": "Capability,Status\nA,Implemented\n"}
    )


def ident(u):
    return types.TextDocumentIdentifier(uri=u)


def units(text: str, encoding: str) -> int:
    return len(text.encode("utf-16-le")) // 2 if encoding == "utf-16" else len(text.encode("utf-8"))


def apply(text: str, edits, encoding: str = "utf-16") -> str:
    """Apply whole-line edits, checking each covers exactly one line's text."""
    lines = text.split("\n")
    for e in edits:
        r = e.range
        assert r.start.line == r.end.line and r.start.character == 0
        assert r.end.character == units(lines[r.start.line], encoding)
        lines[r.start.line] = e.new_text
    return "\n".join(lines)


async def test_document_formatting_aligns_every_table(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        edits = await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=ident(u), options=OPTIONS)
        )
        # one edit per changed line: the broken row, the headings and the already aligned header
        # line 10 are untouched
        assert sorted(e.range.start.line for e in edits) == [2, 3, 4, 5, 11, 12]
        out = apply(MATRIX, edits).splitlines()
        assert out[2:6] == FORMATTED_FIRST
        assert out[6] == "| broken | row |"
        assert out[10:13] == FORMATTED_SECOND
        # formatting the result again changes nothing
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=apply(MATRIX, edits))],
            )
        )
        again = await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=ident(u), options=OPTIONS)
        )
        assert not again


async def test_range_formatting_formats_intersecting_tables_only(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        pos = types.Position(line=12, character=3)
        edits = await lsp.text_document_range_formatting_async(
            types.DocumentRangeFormattingParams(
                text_document=ident(u), range=types.Range(start=pos, end=pos), options=OPTIONS
            )
        )
        assert sorted(e.range.start.line for e in edits) == [11, 12]
        assert apply(MATRIX, edits).splitlines()[10:13] == FORMATTED_SECOND
        # a range over both tables formats both; a range on the headings only, neither
        both = await lsp.text_document_range_formatting_async(
            types.DocumentRangeFormattingParams(
                text_document=ident(u),
                options=OPTIONS,
                range=types.Range(
                    start=types.Position(line=5, character=0), end=types.Position(line=11, character=0)
                ),
            )
        )
        assert len(both) == 6
        none = await lsp.text_document_range_formatting_async(
            types.DocumentRangeFormattingParams(
                text_document=ident(u),
                options=OPTIONS,
                range=types.Range(
                    start=types.Position(line=0, character=0), end=types.Position(line=1, character=0)
                ),
            )
        )
        assert not none


async def test_formatting_uses_the_unsaved_buffer(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        # the user widens a capability in the editor without saving
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=5, character=2),
                            end=types.Position(line=5, character=10),
                        ),
                        text="Backfill of all partitions",
                    )
                ],
            )
        )
        edits = await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=ident(u), options=OPTIONS)
        )
        text = MATRIX.replace("| Backfill |", "| Backfill of all partitions |")
        out = apply(text, edits).splitlines()
        assert out[5] == "| Backfill of all partitions |   Planned   | —               | @b     |"
        assert out[4] == "| Ticks 🚀 日本              | Implemented | `a \\| b`        | @sched |"


async def test_utf8_ranges_and_crlf(tmp_path):
    root = write_tree(tmp_path, {})
    crlf = "| Capability | Status |\r\n|---|---|\r\n| 🚀 | Implemented |\r\n"
    (root / "docs/parity").mkdir(parents=True)
    (root / "docs/parity/m.md").write_bytes(crlf.encode("utf-8"))
    caps = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=["utf-8"]))
    async with session(root, capabilities=caps) as lsp:
        u = uri(root, "docs/parity/m.md")
        lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=u, language_id="markdown", version=1, text=crlf)
            )
        )
        edits = await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=ident(u), options=OPTIONS)
        )
        by_line = {e.range.start.line: e for e in edits}
        assert by_line[2].new_text == "| 🚀         | Implemented |"
        # the range ends before the CR; 🚀 is 4 UTF-8 bytes
        assert by_line[2].range.end.character == len("| 🚀 | Implemented |".encode())
        assert all("\r" not in e.new_text for e in edits)


async def test_csv_matrices_are_not_formatted(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.csv", language="csv")
        assert not await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=ident(u), options=OPTIONS)
        )
        caps = lsp.init_result.capabilities
        assert caps.document_formatting_provider and caps.document_range_formatting_provider
