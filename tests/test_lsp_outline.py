"""Language server, end to end: document symbols, workspace symbols, folding, code lens, links."""

import pytest
from lspkit import HEADER, open_doc, session, uri, write_tree
from lsprotocol import types

CODE = '/// Doc.\npub fn tick_key(n: u64) -> String {\n    format!("{n}")\n}\n'
TEST = "def test_tick():\n    assert True\n"
CI = "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests/test_t.py\n"

MATRIX = (
    "# Parity\n"  # 0
    "\n"  # 1
    "## Scheduling\n"  # 2
    "\n"  # 3
    + HEADER  # 4, 5
    + "| Tick keys 🚀 | Events | Implemented | unit | `src/lib.rs:2` (`tick_key`) | `tests/test_t.py` (`test_tick`) "
    "| `.github/workflows/ci.yml` (job `test`: `pytest tests/test_t.py`) | @team | |\n"  # 6
    + "| Backfill | Runs | Planned | unit | `src/gone.rs` | — | — | @team | |\n"  # 7
    + "\n"  # 8
    "## Sensors\n"  # 9
    "\n"  # 10
    + HEADER  # 11, 12
    + "| Sensor cursor | Sensors | Partial | unit | `src/lib.rs#L2-L4` | — | — | @team | |\n"  # 13
)
OTHER = "## Runs\n\n" + HEADER + "| Run cursor | Runs | Designed | unit | — | — | — | @team | |\n"


@pytest.fixture
def root(tmp_path):
    return write_tree(
        tmp_path,
        {
            "src/lib.rs": CODE,
            "tests/test_t.py": TEST,
            ".github/workflows/ci.yml": CI,
            "docs/parity/m.md": MATRIX,
            "docs/parity/other.md": OTHER,
        },
    )


def ident(u):
    return types.TextDocumentIdentifier(uri=u)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_document_symbols_groups_and_capabilities(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        symbols = await lsp.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=ident(u))
        )
        assert [(s.name, s.kind) for s in symbols] == [
            ("Scheduling", types.SymbolKind.Namespace),
            ("Sensors", types.SymbolKind.Namespace),
        ]
        sched = symbols[0]
        assert [(c.name, c.detail, c.kind) for c in sched.children] == [
            ("Tick keys 🚀", "Implemented", types.SymbolKind.Field),
            ("Backfill", "Planned", types.SymbolKind.Field),
        ]
        assert (sched.range.start.line, sched.range.end.line) == (2, 7)
        assert (sched.selection_range.start.character, sched.selection_range.end.character) == (3, 13)
        row = sched.children[0]
        line = MATRIX.splitlines()[6]
        assert (row.range.start.line, row.range.start.character) == (6, 0)
        assert (row.range.end.line, row.range.end.character) == (6, utf16(line))
        # the selection is the Capability cell; 🚀 counts two UTF-16 units
        assert (row.selection_range.start.character, row.selection_range.end.character) == (
            2,
            2 + utf16("Tick keys 🚀"),
        )


async def test_workspace_symbols_across_matrices(root):
    async with session(root) as lsp:
        result = await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="cursor"))
        got = [(s.name, s.location.uri, s.location.range.start.line, s.container_name) for s in result]
        assert got == [
            ("Run cursor", uri(root, "docs/parity/other.md"), 4, "Runs · Designed"),
            ("Sensor cursor", uri(root, "docs/parity/m.md"), 13, "Sensors · Partial"),
        ]
        fuzzy = await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="tkk"))
        assert [s.name for s in fuzzy] == ["Tick keys 🚀"]


async def test_folding_ranges(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        folds = await lsp.text_document_folding_range_async(types.FoldingRangeParams(text_document=ident(u)))
        assert [(f.start_line, f.end_line) for f in folds] == [(2, 7), (4, 7), (9, 13), (11, 13)]
        assert all(f.kind == types.FoldingRangeKind.Region for f in folds)


async def test_code_lens_on_each_table_header(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        lenses = await lsp.text_document_code_lens_async(types.CodeLensParams(text_document=ident(u)))
        assert [(c.range.start.line, c.command.title) for c in lenses] == [
            (4, "1 Implemented · 1 Planned — 1 warning"),  # PM301 on a Planned row is a warning
            (11, "1 Partial — no problems"),
        ]
        header = HEADER.splitlines()[0]
        assert (lenses[0].range.start.character, lenses[0].range.end.line, lenses[0].range.end.character) == (
            0,
            4,
            len(header),
        )
        assert lenses[0].command.command == "parityLsp.noop"
        # the command exists (VS Code runs it on click) and does nothing
        assert "parityLsp.noop" in lsp.init_result.capabilities.execute_command_provider.commands
        assert (
            await lsp.workspace_execute_command_async(types.ExecuteCommandParams(command="parityLsp.noop"))
            is None
        )


async def test_code_lens_follows_unsaved_edits(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        # Backfill: Planned → Implemented, which also breaks its proof rules
        line = MATRIX.splitlines()[7]
        col = line.index("Planned")
        lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=u, version=2),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=7, character=col),
                            end=types.Position(line=7, character=col + len("Planned")),
                        ),
                        text="Implemented",
                    )
                ],
            )
        )

        async def title():
            lenses = await lsp.text_document_code_lens_async(types.CodeLensParams(text_document=ident(u)))
            return lenses[0].command.title

        for _ in range(100):
            t = await title()
            if t.startswith("2 Implemented"):
                break
        assert t.startswith("2 Implemented — ") and "error" in t


async def test_document_links_with_line_fragments(root):
    async with session(root) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        links = await lsp.text_document_document_link_async(types.DocumentLinkParams(text_document=ident(u)))
        lib = uri(root, "src/lib.rs")
        got = [(lk.range.start.line, lk.target) for lk in links]
        assert got == [
            (6, lib + "#L2"),
            (6, uri(root, "tests/test_t.py")),
            (6, uri(root, ".github/workflows/ci.yml")),
            (13, lib + "#L2-L4"),
        ]  # `src/gone.rs` does not exist: no link
        first = links[0]
        line = MATRIX.splitlines()[6]
        start = utf16(line[: line.index("src/lib.rs:2")])
        assert (first.range.start.character, first.range.end.character) == (
            start,
            start + len("src/lib.rs:2"),
        )
        assert first.tooltip == "Open src/lib.rs at line 2"


async def test_utf8_position_encoding(root):
    caps = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=["utf-8"]))
    async with session(root, capabilities=caps) as lsp:
        u = open_doc(lsp, root, "docs/parity/m.md")
        symbols = await lsp.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=ident(u))
        )
        row = symbols[0].children[0]
        assert row.selection_range.end.character == 2 + len("Tick keys 🚀".encode())


async def test_unopened_and_non_matrix_documents(root):
    (root / "README.md").write_text("# Readme\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    async with session(root) as lsp:
        # a matrix on disk answers without being opened
        m = uri(root, "docs/parity/other.md")
        symbols = await lsp.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=ident(m))
        )
        assert [c.name for c in symbols[0].children] == ["Run cursor"]
        r = open_doc(lsp, root, "README.md")
        assert not await lsp.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=ident(r))
        )
        assert not await lsp.text_document_code_lens_async(types.CodeLensParams(text_document=ident(r)))
        assert not await lsp.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=ident(r), options=types.FormattingOptions(tab_size=4, insert_spaces=True)
            )
        )
