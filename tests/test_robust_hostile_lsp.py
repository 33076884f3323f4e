"""Hostile input pasted in the editor, end to end through a real client (pytest-lsp).

Issue 16, item 14: pasting 6,000 backticks into a cell held the next hover for 5.2 s (the value
of a cell was unwrapped by a regex that backtracks cubically on a run of backticks). The timing
is carried by the growth tests (test_robust_resources.py); here the hover after such an edit
answers, and the diagnostics of the edited text arrive.
"""

from __future__ import annotations

from lspkit import HEADER, open_doc, session, wait_for, write_tree
from lsprotocol import types

ROWS = (
    "| Tick keys | Events | Implemented | unit | `src/lib.rs` (`tick_key`) | | | @team | |\n"
    "| Backfills | Events | Planned | unit | `src/lib.rs` | | | @team | |\n"
)
STATUS_LINE = 3  # 0-based: the second row


async def test_a_hover_after_pasting_6000_backticks_answers(tmp_path):
    root = write_tree(tmp_path, {"src/lib.rs": "pub fn tick_key() {}\n", "docs/parity/m.md": HEADER + ROWS})
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        await wait_for(lambda: u in lsp.diagnostics, what="the first diagnostics")
        line = (HEADER + ROWS).splitlines()[STATUS_LINE]
        col = line.index("Planned")
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=STATUS_LINE, character=col),
                            end=types.Position(line=STATUS_LINE, character=col + len("Planned")),
                        ),
                        text="`" * 6000,
                    )
                ],
            )
        )
        # the pasted cell itself, then the status of the row above it
        pasted = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=STATUS_LINE, character=col + 3000),
            )
        )
        assert pasted is None or pasted.contents
        above = (HEADER + ROWS).splitlines()[STATUS_LINE - 1]
        status = await lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=u),
                position=types.Position(line=STATUS_LINE - 1, character=above.index("Implemented") + 2),
            )
        )
        assert status is not None and "Implemented" in str(status.contents)
        unknown = await wait_for(
            lambda: [d for d in lsp.diagnostics.get(u, []) if d.code == "PM101"],
            what="PM101 for the pasted status",
        )
        assert [d.range.start.line for d in unknown] == [STATUS_LINE]
