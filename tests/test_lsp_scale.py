"""A 500-row matrix in a workspace of 1,000 files (the benchmark generator): diagnostics for the
whole workspace after start, and an edit in one row re-diagnosed. Times are printed, not asserted
(the machine is shared; `make bench` measures them properly)."""

import time

from lspkit import session, uri, wait_for
from lsprotocol import types
from workloads import generate


async def test_500_rows_whole_workspace_then_one_row_edit(tmp_path):
    root = generate(tmp_path / "wl", files=1000, rows=500, seed=3)
    matrix, links = uri(root, "docs/parity/matrix.md"), uri(root, "docs/parity/matrix_links.md")
    started = time.perf_counter()
    async with session(root, client="neovim@v0.7.0") as lsp:
        await wait_for(lambda: matrix in lsp.diagnostics and links in lsp.diagnostics, 120, "both matrices")
        first = time.perf_counter() - started
        before = [d for d in lsp.diagnostics[matrix] if d.code == "PM002"]
        assert before == []
        text = (root / "docs/parity/matrix.md").read_text()
        lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=matrix, language_id="markdown", version=1, text=text)
            )
        )
        line = 260
        end = len(text.splitlines()[line])
        edited = time.perf_counter()
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=matrix, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=end),
                            end=types.Position(line=line, character=end),
                        ),
                        text=" extra |",
                    )
                ],
            )
        )
        diags = await wait_for(
            lambda: [d for d in lsp.diagnostics.get(matrix, []) if d.code == "PM002"], 60, "PM002"
        )
        after_edit = time.perf_counter() - edited
        assert [d.range.start.line for d in diags] == [line]
        print(
            f"\n500 rows, 1,000 files: whole workspace diagnosed {first:.2f}s after start; "
            f"edit -> diagnostics {after_edit * 1000:.0f} ms"
        )
