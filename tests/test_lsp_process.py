"""The thin end-to-end layer: every LSP method the server offers, once, through a real server
process (`python -m parity_lsp serve`, as an editor starts it) and a real pytest-lsp client.

The other LSP tests run the same server in this process (tests/lspkit.py: the real stdio
transport over pipes) and assert the details; these show that the console script's server —
its start-up path (`entry.py`, `serve`, the process tuning of `runtime`) and its own converter —
answers each method too. What only a process shows beyond that is tested where it lives:
start-up and imports (test_lsp_startup.py), exit statuses and hostile framing
(test_robust_protocol.py), real editors (test_editor_*.py). A push client (Neovim 0.7) gets its
diagnostics from a server process in test_lsp_diagnostics.py (`session(..., process=True)`).
"""

from __future__ import annotations

import asyncio

from lspkit import HEADER, open_doc, pull_capabilities, session, uri, write_tree
from lsprotocol import types

LIB = """\
    /// Idempotency key of one tick.
    pub fn tick_key(n: u64) -> String {
        format!("{n}")
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn key_is_stable() {
            assert_eq!(super::tick_key(1), "1");
        }
    }
    """
CI = """\
    name: CI
    jobs:
      rust:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: cargo test -p core --lib
    """
ROW = (
    "| Tick keys | Events | Implemented | unit | `crates/core/src/lib.rs:2` (`tick_key`) "
    "| `crates/core/src/lib.rs` (`tests::key_is_stable`) "
    "| `.github/workflows/ci.yml` (job `rust`: `cargo test -p core --lib`) | @team | |\n"
)
DRIFTED = ROW.replace("Tick keys", "Drifted").replace("lib.rs:2`", "lib.rs:9`")
MATRIX = "# Events\n\n" + HEADER + ROW + DRIFTED
M = "docs/parity/m.md"


def at(line: int, needle: str, delta: int = 1) -> types.Position:
    return types.Position(line=line, character=MATRIX.splitlines()[line].index(needle) + delta)


def doc(u: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=u)


async def pull_complete(lsp, u: str):
    for _ in range(500):
        report = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=doc(u))
        )
        if report.items:
            return report
        await asyncio.sleep(0.02)
    raise AssertionError("the drifted line was never reported")


async def test_a_server_process_answers_every_method(tmp_path):
    (tmp_path / "crates/core").mkdir(parents=True)
    (tmp_path / "crates/core/Cargo.toml").write_text('[package]\nname = "core"\n')
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\n')
    root = write_tree(tmp_path, {"crates/core/src/lib.rs": LIB, ".github/workflows/ci.yml": CI, M: MATRIX})
    async with session(root, capabilities=pull_capabilities(), process=True) as lsp:
        caps = lsp.init_result.capabilities
        assert caps.diagnostic_provider is not None and caps.completion_provider is not None
        u = open_doc(lsp, root, M)

        # textDocument/diagnostic and workspace/diagnostic (this client pulls; the first answers
        # may hold the syntactic findings only: tests/test_lsp_staged.py)
        report = await pull_complete(lsp, u)
        assert [(d.code, d.range.start.line) for d in report.items] == [("PM304", 5)]
        ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        assert {i.uri: [d.code for d in i.items] for i in ws.items} == {u: ["PM304"]}

        # textDocument/codeAction: the drifted line's quick fix
        (drift,) = report.items
        actions = await lsp.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc(u), range=drift.range, context=types.CodeActionContext(diagnostics=[drift])
            )
        )
        fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.edit]
        assert fixes and [e.new_text for e in fixes[0].edit.changes[u]] == ["2"]

        # textDocument/hover and textDocument/definition on the cited symbol
        hover = await lsp.text_document_hover_async(
            types.HoverParams(text_document=doc(u), position=at(4, "tick_key`"))
        )
        assert "`tick_key` — fn" in hover.contents.value
        (target,) = await lsp.text_document_definition_async(
            types.DefinitionParams(text_document=doc(u), position=at(4, "tick_key`"))
        )
        assert target.uri == uri(root, "crates/core/src/lib.rs") and target.range.start.line == 1

        # textDocument/completion in the status column
        status = MATRIX.splitlines()[4].index("Implemented")
        items = await lsp.text_document_completion_async(
            types.CompletionParams(text_document=doc(u), position=types.Position(line=4, character=status))
        )
        labels = [i.label for i in (items.items if isinstance(items, types.CompletionList) else items)]
        assert "Implemented" in labels

        # textDocument/references: both rows cite the symbol
        refs = await lsp.text_document_references_async(
            types.ReferenceParams(
                text_document=doc(u),
                position=at(4, "tick_key`"),
                context=types.ReferenceContext(include_declaration=False),
            )
        )
        assert sorted(r.range.start.line for r in refs if r.uri == u) == [4, 5]

        # outline: document and workspace symbols, folding ranges, code lenses, document links
        symbols = await lsp.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc(u))
        )
        names = [s.name for s in symbols] + [c.name for s in symbols for c in s.children or []]
        assert "Tick keys" in names and "Drifted" in names
        found = await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="Tick"))
        assert [s.name for s in found] == ["Tick keys"]
        assert await lsp.text_document_folding_range_async(types.FoldingRangeParams(text_document=doc(u)))
        assert await lsp.text_document_code_lens_async(types.CodeLensParams(text_document=doc(u)))
        links = await lsp.text_document_document_link_async(types.DocumentLinkParams(text_document=doc(u)))
        assert any(
            link.target and link.target.startswith(uri(root, "crates/core/src/lib.rs")) for link in links
        )

        # textDocument/formatting: the table is aligned
        edits = await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=doc(u), options=types.FormattingOptions(tab_size=4, insert_spaces=True)
            )
        )
        assert edits and "| Capability " in edits[0].new_text

        # workspace/willRenameFiles: the cited file moves, both rows follow
        edit = await lsp.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(
                        old_uri=uri(root, "crates/core/src/lib.rs"),
                        new_uri=uri(root, "crates/core/src/key.rs"),
                    )
                ]
            )
        )
        assert [e.new_text for e in edit.changes[u]].count("crates/core/src/key.rs") == 4

        # workspace/executeCommand: the report of the open matrices
        result = await lsp.workspace_execute_command_async(
            types.ExecuteCommandParams(command="parityLsp.showReport", arguments=[{"format": "markdown"}])
        )
        assert result["format"] == "markdown" and "capabilities" in result["content"]
