"""`parityLsp.showReport` end to end: a real server process, a real pytest-lsp client."""

import pytest
from lspkit import open_doc, session, uri, write_tree
from lsprotocol import types
from reportkit import FILES, MATRIX_PATH

SHOW = "parityLsp.showReport"


@pytest.fixture
def root(tmp_path):
    return write_tree(tmp_path, FILES)


async def show(lsp, *arguments):
    return await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command=SHOW, arguments=list(arguments) if arguments else None)
    )


async def test_command_is_advertised(root):
    async with session(root) as lsp:
        provider = lsp.init_result.capabilities.execute_command_provider
        assert provider is not None and SHOW in provider.commands


async def test_show_report_html_by_default(root):
    async with session(root) as lsp:
        result = await show(lsp)
        assert result["format"] == "html"
        html = result["content"]
        assert html.startswith("<!doctype html>")
        assert '<h1 id="headline">4 <span class="of">of 10 capabilities verified</span></h1>' in html
        # links are file URIs, so they work from a webview
        assert f'href="{uri(root, MATRIX_PATH)}#L9">Vanished proof</a>' in html


async def test_show_report_markdown(root):
    async with session(root) as lsp:
        result = await show(lsp, {"format": "markdown"})
        assert result["format"] == "markdown"
        md = result["content"]
        assert "**Verified parity: 4 of 10 capabilities (40%)**" in md
        assert f"[Vanished proof]({uri(root, MATRIX_PATH)}#L9)" in md


async def test_report_follows_unsaved_edits(root):
    """The report is the server's analysis: an open, unsaved buffer counts, not the disk."""
    async with session(root) as lsp:
        u = open_doc(lsp, root, MATRIX_PATH)
        text = (root / MATRIX_PATH).read_text()
        edited = text.replace(
            "`crates/core/tests/flow.rs` (`vanished_test`)", "`crates/core/tests/flow.rs` (`flow_runs`)"
        )
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        md = (await show(lsp, {"format": "markdown"}))["content"]
        assert "**Verified parity: 5 of 10 capabilities (50%)**" in md
        assert "Vanished proof](" not in md.split("## Broken claims")[1].split("## Owners")[0]


async def test_unknown_format_is_an_invalid_params_error(root):
    async with session(root) as lsp:
        with pytest.raises(Exception) as info:
            await show(lsp, {"format": "pdf"})
        assert "unknown format" in str(info.value)
        # the server keeps serving
        assert (await show(lsp, "markdown"))["format"] == "markdown"
